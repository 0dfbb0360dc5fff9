// The consumer: applies events from Kafka topics to a service's store, each
// effect exactly once and in order.
//
// Two halves. What a message does to the store (markers, parking, quarantine,
// refusals, retries) is applier.h's MessageApplier, which needs no Kafka; this
// half takes messages from Kafka, hands them to workers and stores offsets.
// Delivery is at-least-once; the effect is exactly-once because the handler's
// writes and the stream's marker are one commit (applier.h). Offsets are
// committed only after the effect is committed, and only to save work on
// restart: correctness rests on markers. Each committed offset names the
// Kafka cluster it counts on (its metadata); an assignment takes only
// offsets committed for the cluster it is on, and reads any other partition
// from the beginning, so offsets of a broker that restarted empty, or
// carried to another cluster, are never taken back.
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
#include "libs/bus/applier.h"
#include "libs/bus/kafka_config.h"
#include "libs/bus/trust.h"
#include "libs/common/clock.h"
#include "libs/common/metrics.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

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
  // Parked events per source county and quarantine retention (applier.h).
  QueueLimits limits;
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

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_CONSUMER_H_
