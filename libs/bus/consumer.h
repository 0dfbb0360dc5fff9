// The consumer: applies events from Kafka topics to a service's store, each
// effect exactly once and in order.
//
// Delivery is at-least-once; the effect is exactly-once because the handler's
// writes and the stream's "applied" marker (Family::kApplied, see wire.h) are
// committed in one Transaction. Per stream (source, aggregate) a gapless number
// orders the events: Event.version on a service topic, Event.route_version on
// an inbox. A number at or below the marker is a duplicate and skipped; the
// next one is applied; a later one is parked (Family::kParked) until the gap
// fills, never applied out of order. Offsets are stored only after the effect
// is committed, and only to save work on restart: correctness rests on markers.
//
// A message that cannot be decoded or whose envelope is invalid (missing
// source or aggregate, version 0, wrong hash) is quarantined (Family::kQuarantine,
// a QuarantineRow) and skipped, without touching any marker. A handler that
// refuses an event (INVALID_ARGUMENT, FAILED_PRECONDITION) gets it quarantined
// and the marker advanced in one commit, so the stream goes on. Any other
// handler or store error is retried, with backoff, until it succeeds.
//
// Several workers apply messages at once (ConsumerOptions::workers), so that
// their commits share the store's group commit (one WAL sync). Messages that
// share a Kafka key or a stream go to the same worker while one of them is
// unfinished, so a stream's events, and messages with the same key, are still
// applied one at a time in partition order; only unrelated ones overlap. Two
// effects on one aggregate from different streams race on its expected
// version: the loser's commit is ABORTED and it is applied again at once.
// A partition's offset is stored only up to its first unfinished message.
//
//   class RegistryReactions : public EventHandler { ... };
//   ConsumerOptions options{.kafka = kafka, .group_id = "654322.contact",
//                           .topics = {"lx.654322.registry.v1"},
//                           .store = store.get(), .handler = &reactions};
//   ASSIGN_OR_RETURN(std::unique_ptr<Consumer> consumer, Consumer::Start(options));
//   ...
//   consumer->Stop();
//
// One Consumer per (store, stream): two consumers applying the same topics to
// one store would race on the markers.
#ifndef LIANXIN_LIBS_BUS_CONSUMER_H_
#define LIANXIN_LIBS_BUS_CONSUMER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/bus/kafka_config.h"
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

struct ConsumerOptions {
  KafkaConfig kafka;
  // Kafka consumer group; one per (jurisdiction, service, purpose).
  std::string group_id;
  // Topics to subscribe to (ServiceTopic / InboxTopic / extra topics).
  std::vector<std::string> topics;
  // Where effects, markers, parked and quarantined events go. Not owned.
  EventStore* store = nullptr;
  // Not owned; called on the consumer's worker threads.
  EventHandler* handler = nullptr;
  // Checks every decoded event before its marker is read (trust.h); a refused
  // one is quarantined and touches no marker. Not owned; null = no checks.
  const EventGate* gate = nullptr;
  // Worker threads applying messages concurrently (see above); 1 applies one
  // message at a time in partition order.
  int workers = 8;
  // Lag per partition and quarantined counts. Not owned; may be null.
  Metrics* metrics = nullptr;
  // Stamps quarantined_at. Not owned.
  Clock* clock = &RealClock();
  // Wait before retrying a message whose effect failed: doubles from min to max.
  absl::Duration min_backoff = absl::Milliseconds(50);
  absl::Duration max_backoff = absl::Seconds(5);
  // How often consumer lag is measured (and the cluster id compared with the
  // recorded one: see ReadAgainIfClusterReplaced in consumer.cc).
  absl::Duration lag_interval = absl::Seconds(5);
};

struct ConsumerStats {
  uint64_t messages = 0;     // messages taken from Kafka (each attempt once)
  uint64_t applied = 0;      // events whose effect was committed (incl. unparked)
  uint64_t duplicates = 0;   // skipped: at or below the marker
  uint64_t parked = 0;       // stored to wait for a gap
  uint64_t quarantined = 0;  // undecodable, invalid, or refused by the handler
  uint64_t retries = 0;      // messages to be retried after a transient error
};

class Consumer {
 public:
  // Subscribes and starts the consumer thread. Returns INVALID_ARGUMENT for a
  // missing store/handler/group/topics or a rejected Kafka property. Does not
  // wait for the broker.
  static absl::StatusOr<std::unique_ptr<Consumer>> Start(ConsumerOptions options);

  // Stops (see Stop) if still running.
  virtual ~Consumer() = default;

  // Finishes the messages being applied, commits stored offsets, leaves the
  // group and joins the threads. Idempotent. With no broker reachable it blocks
  // for up to session.timeout.ms (10 s unless KafkaConfig sets it).
  virtual absl::Status Stop() = 0;

  // Counters since Start. Thread-safe.
  virtual ConsumerStats stats() const = 0;
};

// The kQuarantine key of a message: "<topic>/<partition>/<offset, 20 digits>".
std::string QuarantineKey(const std::string& topic, int32_t partition, int64_t offset);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_CONSUMER_H_
