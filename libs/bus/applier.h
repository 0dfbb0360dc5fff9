// Applying one consumed message to a service's store: the half of the
// consumer that needs no Kafka (consumer.h is the other half: rebalances,
// dispatch to workers, offsets).
//
// Per stream (source, aggregate) a gapless number orders the events:
// Event.version on a service topic, Event.route_version on an inbox (wire.h,
// StreamOrderOf). The handler's writes and the stream's "applied" marker
// (Family::kApplied) are committed in one Transaction, so a message delivered
// twice has its effect once. A number at or below the marker is a duplicate
// and skipped; the next one is applied, then any parked successors; a later
// one is parked (Family::kParked) until the gap fills, never applied out of
// order.
//
// Bounds, so that a flood cannot fill the disk (QueueLimits): each source
// county has at most max_parked_per_source events parked; a further event that
// would wait for a gap is quarantined instead (reason parked_cap, counted in
// lianxin_refused_total), touching no marker, so the genuine event with that
// number is still applied when it comes. The quarantine keeps at most
// max_quarantined rows and none older than quarantine_retention: past either,
// the oldest rows are dropped (lianxin_quarantine_dropped_total).
//
// A message that cannot be decoded, whose envelope is invalid (missing source
// or aggregate, version 0, wrong hash) or that the EventGate refuses is
// quarantined (Family::kQuarantine, a QuarantineRow) without touching any
// marker. A handler that refuses an event (INVALID_ARGUMENT,
// FAILED_PRECONDITION, PERMISSION_DENIED) gets it quarantined and the marker
// advanced in one commit, so the stream goes on. Any other handler or store
// error is retried: ABORTED (another stream's effect on the same aggregate
// won) at once up to three times, the rest after a backoff doubling from
// min_backoff to max_backoff.
//
//   MessageApplier applier({.store = store.get(), .handler = &reactions});
//   ConsumedMessage message = DecodeMessage(topic, partition, offset, value);
//   applier.ApplyUntilDone(message, {.stopping = [] { return false; },
//                                    .wait = [](absl::Duration d) { absl::SleepFor(d); }});
#ifndef LIANXIN_LIBS_BUS_APPLIER_H_
#define LIANXIN_LIBS_BUS_APPLIER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/bus/trust.h"
#include "libs/common/clock.h"
#include "libs/common/metrics.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

// What a service does with a consumed event.
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  // Adds the effect of `event` (read from `topic`) to `txn`: projection rows,
  // new events (Append), outbox deliveries. Must not commit. Called at most
  // once per successful commit, in stream order; called from several worker
  // threads at once for events of different streams and keys, so it must be
  // thread-safe, and every aggregate it changes must be appended at the
  // expected version it read (a row written without one, shared by two
  // streams, needs those streams' events to carry one Kafka key).
  // Returns OK to commit; INVALID_ARGUMENT, FAILED_PRECONDITION or
  // PERMISSION_DENIED (a role rule: the source may not say this) if the event
  // can never be applied (it is quarantined, the stream moves on); ABORTED or
  // any other error to be called again later with the same event.
  virtual absl::Status Apply(const Event& event, const std::string& topic, Transaction& txn) = 0;
};

// One message as read from a topic.
struct ConsumedMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string value;
  // Set if `value` decodes as an Event.
  std::optional<Event> event;
};

// `value` decoded (ConsumedMessage::event stays empty if it is no Event).
ConsumedMessage DecodeMessage(std::string topic, int32_t partition, int64_t offset,
                              std::string value);

// What became of one attempt at a message.
enum class ApplyOutcome {
  kDone,      // effect (or skip, park, quarantine) committed: its offset may be stored
  kRetry,     // nothing committed: apply the message again after a backoff
  kConflict,  // nothing committed, an expected version had moved: again at once
};

struct ConsumerStats {
  uint64_t messages = 0;            // attempts at a message (each retry counts again)
  uint64_t applied = 0;             // events whose effect was committed (incl. unparked)
  uint64_t duplicates = 0;          // skipped: at or below the marker
  uint64_t parked = 0;              // stored to wait for a gap
  uint64_t quarantined = 0;         // undecodable, invalid, or refused by the gate or the handler
  uint64_t retries = 0;             // attempts that committed nothing and are to be made again
  uint64_t quarantine_dropped = 0;  // quarantined rows dropped by retention
};

// How much a consumer keeps of what it cannot apply (see the banner).
struct QueueLimits {
  // Parked events per source county (summed over its services and members).
  uint64_t max_parked_per_source = 10000;
  // Quarantined messages kept; the oldest beyond are dropped.
  uint64_t max_quarantined = 100000;
  // Quarantined messages older than this are dropped.
  absl::Duration quarantine_retention = absl::Hours(24 * 90);
};

struct ApplierOptions {
  // Where effects, markers, parked and quarantined events go. Not owned.
  EventStore* store = nullptr;
  // Not owned; called from the thread that calls Apply.
  EventHandler* handler = nullptr;
  // Checks every decoded event before its marker is read (trust.h). Not
  // owned; null = no checks.
  const EventGate* gate = nullptr;
  // Quarantined and refused counts. Not owned; may be null.
  Metrics* metrics = nullptr;
  // Stamps quarantined_at. Not owned.
  Clock* clock = &RealClock();
  // Wait before retrying a message whose effect failed: doubles from min to max.
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(5);
  QueueLimits limits;
};

// How ApplyUntilDone waits between attempts.
struct RetryControl {
  // True once the caller is shutting down: no further attempt is started
  // after a failed one.
  std::function<bool()> stopping;
  // Waits `backoff` (or less, when stopping) before the next attempt.
  std::function<void(absl::Duration backoff)> wait;
};

// Thread-safe: the consumer's workers share one.
class MessageApplier {
 public:
  explicit MessageApplier(ApplierOptions options) : options_(std::move(options)) {}

  // One attempt at `message` (see the banner).
  ApplyOutcome Apply(const ConsumedMessage& message);

  // Attempts `message` until it is done (true), or until `control.stopping`
  // after a failed attempt (false: nothing of it was committed).
  bool ApplyUntilDone(const ConsumedMessage& message, const RetryControl& control);

  // Counters since construction.
  ConsumerStats stats() const;

 private:
  struct Origin {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
  };

  ApplyOutcome ApplyInOrder(const Event& event, const Origin& origin, absl::string_view value,
                            const std::string& marker_key, uint64_t number);
  ApplyOutcome ApplyParkedSuccessors(const std::string& marker_key, uint64_t marker);
  ApplyOutcome Quarantine(const Origin& origin, absl::string_view value, const std::string& reason,
                          Transaction txn);
  ApplyOutcome Refuse(const Origin& origin, absl::string_view value, const Refused& refused);
  ApplyOutcome Park(const Origin& origin, absl::string_view value, const std::string& marker_key,
                    uint64_t number, uint64_t marker);
  // Takes one of the source's parked places; false if the source has them all
  // (or they cannot be counted now: `status` says so).
  bool ReserveParked(const std::string& source, absl::Status* status) ABSL_LOCKS_EXCLUDED(mu_);
  // Gives a parked place back (a parked event was applied, refused or dropped).
  void ReleaseParked(const std::string& source) ABSL_LOCKS_EXCLUDED(mu_);
  // After a quarantine row was committed: drops rows past the limits when due.
  void RetainQuarantine() ABSL_LOCKS_EXCLUDED(mu_);
  ApplyOutcome Commit(Transaction txn, const char* what);
  absl::StatusOr<uint64_t> ReadMarker(const std::string& key) const;
  QuarantineRow MakeRow(const Origin& origin, absl::string_view value,
                        const std::string& reason) const;

  const ApplierOptions options_;
  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> parked_{0};
  std::atomic<uint64_t> quarantined_{0};
  std::atomic<uint64_t> retries_{0};
  std::atomic<uint64_t> quarantine_dropped_{0};

  absl::Mutex mu_;
  // Parked rows per source county, counted from the store on first use.
  std::map<std::string, uint64_t> parked_by_source_ ABSL_GUARDED_BY(mu_);
  // Quarantine rows (-1: not counted yet), and when retention last ran.
  int64_t quarantine_rows_ ABSL_GUARDED_BY(mu_) = -1;
  absl::Time last_retention_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  bool retaining_ ABSL_GUARDED_BY(mu_) = false;
};

// The source county of a stream from its applied-marker key
// ("ver/<j>/..." or "route/<j>/..."), "" for another key.
std::string SourceOfMarkerKey(absl::string_view marker_key);

// The kQuarantine key of a message: "<topic>/<partition>/<offset, 20 digits>".
std::string QuarantineKey(const std::string& topic, int32_t partition, int64_t offset);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_APPLIER_H_
