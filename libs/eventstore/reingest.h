// What a store restored from a backup takes back from its own service topic
// before it serves: the pure decision, no Kafka, no RocksDB.
//
// A backup holds the log up to some head (sequence, hash). The service went on
// committing and publishing after it, so its service topic holds later events
// that partners may have applied. A restored store must append exactly those,
// in order, as they were, so that it never gives a sequence, a version or a
// route_version a second meaning. PlanReingest picks them from what the topic
// holds and refuses, with a message saying why, whenever the topic's events do
// not continue the restored log: that store must not start (it would fork its
// own chain).
//
//   ASSIGN_OR_RETURN(ReingestPlan plan,
//                    PlanReingest(store->source(), store->Head(), topic_events, verify));
//   RETURN_IF_ERROR(store->AppendRecorded(plan.append, *projector));
#ifndef LIANXIN_LIBS_EVENTSTORE_REINGEST_H_
#define LIANXIN_LIBS_EVENTSTORE_REINGEST_H_

#include <cstddef>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

struct ReingestPlan {
  // The events to append, sequence head+1, head+2, ... each chaining onto the
  // one before.
  std::vector<Event> append;
  // Events of the topic left aside: at or below the restored head (already
  // held), copies of one event published twice, and events that are not this
  // log's (another source, a hash or a signature that does not hold: forged or
  // corrupted copies, which a genuine event can stand in for).
  size_t already_held = 0;
  size_t duplicates = 0;
  size_t not_ours = 0;
};

// Checks an event's signature under the county's keys; OK if it verifies (or
// when the store signs nothing).
using SignatureCheck = std::function<absl::Status(const Event& event)>;

// The tail of `source`'s log past `restored`, from `topic_events` (the
// service topic's messages in any order, as read from every partition).
// Returns FAILED_PRECONDITION, naming the sequence, if the topic's event at
// the restored head is another event than the backup's (the backup is not of
// this log), if two different genuine events share a sequence (a fork), if a
// sequence is missing before the topic's last one, or if an event does not
// chain onto the one before.
absl::StatusOr<ReingestPlan> PlanReingest(const Source& source, const LogHead& restored,
                                          const std::vector<Event>& topic_events,
                                          const SignatureCheck& check_signature);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_EVENTSTORE_REINGEST_H_
