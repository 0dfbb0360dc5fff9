#include "tools/lxaudit/topics.h"

#include "libs/bus/topic_reader.h"

namespace lianxin::lxaudit {

absl::StatusOr<std::vector<Event>> ReadTopic(const KafkaConfig& kafka, const std::string& topic,
                                             absl::Duration timeout, Progress* progress) {
  if (progress == nullptr) return ReadTopicEvents(kafka, topic, timeout);
  const TopicReadProgress observer{
      .found = [progress](uint64_t total) { progress->set_total(progress->done() + total); },
      .read = [progress] { progress->Add(1); }};
  return ReadTopicEvents(kafka, topic, timeout, &observer);
}

}  // namespace lianxin::lxaudit
