// Faults lxchaos injects through Kafka itself, with its own clients: poison
// messages, copies of messages already delivered (duplicated and late
// delivery), and a consumer group's offsets reset to the beginning (offsets
// lost).
#ifndef LIANXIN_TOOLS_CHAOS_KAFKA_INJECTOR_H_
#define LIANXIN_TOOLS_CHAOS_KAFKA_INJECTOR_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/chaos/verdict.h"

namespace lianxin::chaos {

// A message as read from a topic, to be produced again as it was.
struct KafkaMessage {
  std::string topic;
  int32_t partition = 0;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

class KafkaInjector {
 public:
  explicit KafkaInjector(std::string bootstrap) : bootstrap_(std::move(bootstrap)) {}

  // Every message `topics` hold now (topics that do not exist are skipped),
  // or as many as could be read in 30 s.
  absl::StatusOr<std::vector<KafkaMessage>> ReadAll(const std::vector<std::string>& topics) const;

  // Produces each message to its topic and partition (the partition ignored
  // when negative); returns where each one landed, in order.
  absl::StatusOr<std::vector<QuarantinedMessage>> Produce(
      const std::vector<KafkaMessage>& messages) const;

  // Commits offset 0 for `group` on every partition of every lx.* topic: the
  // group starts again from the beginning (its offsets are lost). The group's
  // members must be stopped.
  absl::Status RewindGroup(const std::string& group) const;

 private:
  std::string bootstrap_;
};

}  // namespace lianxin::chaos

#endif  // LIANXIN_TOOLS_CHAOS_KAFKA_INJECTOR_H_
