// Reading lianxin topics from the beginning, through librdkafka, for an
// auditor who has the stream but not the servers.
//
//   ASSIGN_OR_RETURN(std::vector<Event> events,
//                    ReadTopic(kafka, "lx.654322.registry.v1", absl::Seconds(30), nullptr));
#ifndef LIANXIN_TOOLS_LXAUDIT_TOPICS_H_
#define LIANXIN_TOOLS_LXAUDIT_TOPICS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/bus/kafka_config.h"
#include "libs/eventstore/event_store.h"
#include "tools/lxaudit/progress.h"

namespace lianxin::lxaudit {

// Every message of `topic` from the beginning of each partition up to the end
// it had when the read began, decoded as Events, in partition order (so per
// aggregate in publication order). A topic that does not exist is empty.
// DATA_LOSS naming partition and offset for a message that is not an Event;
// DEADLINE_EXCEEDED if the end is not reached within `timeout`.
absl::StatusOr<std::vector<Event>> ReadTopic(const KafkaConfig& kafka, const std::string& topic,
                                             absl::Duration timeout, Progress* progress);

}  // namespace lianxin::lxaudit

#endif  // LIANXIN_TOOLS_LXAUDIT_TOPICS_H_
