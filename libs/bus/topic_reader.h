// Reading a lianxin topic from the beginning of each partition to the end it
// has when the read begins: for an auditor who has the stream but not the
// servers (lxaudit), and for a store restored from a backup taking back its
// own later events (libs/service/backup.h).
//
//   ASSIGN_OR_RETURN(std::vector<Event> events,
//                    ReadTopicEvents(kafka, "lx.654322.registry.v1", absl::Seconds(30)));
#ifndef LIANXIN_LIBS_BUS_TOPIC_READER_H_
#define LIANXIN_LIBS_BUS_TOPIC_READER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/bus/kafka_config.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

// Called as a read goes: `found` once with the number of messages to read,
// `read` after each one. Either may be empty.
struct TopicReadProgress {
  std::function<void(uint64_t total)> found;
  std::function<void()> read;
};

// Every message of `topic` up to the end it had when the read began, decoded
// as Events, in partition order (so per aggregate in publication order). A
// topic that does not exist is empty. DATA_LOSS naming partition and offset
// for a message that is not an Event; UNAVAILABLE if the brokers do not
// answer; DEADLINE_EXCEEDED if the end is not reached within `timeout`.
absl::StatusOr<std::vector<Event>> ReadTopicEvents(const KafkaConfig& kafka,
                                                   const std::string& topic, absl::Duration timeout,
                                                   const TopicReadProgress* progress = nullptr);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_TOPIC_READER_H_
