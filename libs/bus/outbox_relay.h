// The outbox relay: publishes a service's committed events to Kafka.
//
// A command's Transaction writes outbox rows (one per event, listing its
// deliveries: the service topic, routed inboxes, extra topics). The relay
// thread reads them in sequence order, produces every delivery with an
// idempotent producer (acks=all), and deletes a row only once every one of its
// deliveries is acknowledged. A failed delivery keeps the row; the relay backs
// off (capped) and tries again, forever: a broker that is down delays events
// but never loses one. Delivery is at-least-once; consumers dedupe.
//
// A broker that lost acknowledged messages (lianxin-broker restarted empty,
// a cluster rebuilt) is noticed: the cluster's id is not the one recorded in
// the store at the last publication (checked every loss_check_interval, so a
// loss while the service was down counts too), or a delivery got an offset not
// past an earlier one's on the same partition. The relay then republishes its
// whole log (Republish), consumers skip what they had, and stats().republished
// counts it.
//
//   OutboxRelayOptions options{.kafka = kafka, .store = store.get(), .metrics = &metrics};
//   ASSIGN_OR_RETURN(std::unique_ptr<OutboxRelay> relay, OutboxRelay::Start(options));
//   ... after each commit that wrote outbox rows:
//   relay->Notify();
//   ... at shutdown:
//   relay->Stop();
#ifndef LIANXIN_LIBS_BUS_OUTBOX_RELAY_H_
#define LIANXIN_LIBS_BUS_OUTBOX_RELAY_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/bus/kafka_config.h"
#include "libs/common/clock.h"
#include "libs/common/metrics.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

struct OutboxRelayOptions {
  KafkaConfig kafka;
  // The store whose outbox is relayed. Not owned; must outlive the relay.
  EventStore* store = nullptr;
  // Outbox depth and oldest age. Not owned; may be null.
  Metrics* metrics = nullptr;
  // Ages the oldest outbox row for metrics. Not owned.
  Clock* clock = &RealClock();
  // The outbox is read at least this often even without Notify().
  absl::Duration poll_interval = absl::Milliseconds(200);
  // Wait after a failed delivery before retrying: doubles from min to max.
  absl::Duration min_backoff = absl::Milliseconds(100);
  absl::Duration max_backoff = absl::Seconds(5);
  // Rows read from the outbox at once, and the most rows in flight.
  size_t batch_size = 500;
  size_t max_in_flight_rows = 5000;
  // How long Stop() waits for deliveries in flight before giving up on them
  // (their rows stay in the outbox for the next start).
  absl::Duration stop_timeout = absl::Seconds(10);
  // Deliveries in flight with no report at all for this long mean a stalled
  // producer (seen with librdkafka 2.0's idempotent producer after a broker
  // restarted empty): it is rebuilt, its rows are sent again. Keep it above
  // the producer's message.timeout.ms (30 s by default).
  absl::Duration stall_timeout = absl::Seconds(45);
  // How often the Kafka cluster's id is compared with the recorded one.
  absl::Duration loss_check_interval = absl::Seconds(2);
};

struct OutboxRelayStats {
  uint64_t rows_delivered = 0;     // outbox rows deleted after full delivery
  uint64_t messages_produced = 0;  // Kafka messages handed to the producer
  uint64_t delivery_failures = 0;  // failed delivery reports (each causes a retry)
  uint64_t producer_restarts = 0;  // producers rebuilt after a fatal error or a stall
  uint64_t republished = 0;        // whole-log republications after the broker lost data
};

class OutboxRelay {
 public:
  // Starts the relay thread. Returns INVALID_ARGUMENT for a missing store or a
  // Kafka property librdkafka rejects. Does not wait for the broker.
  static absl::StatusOr<std::unique_ptr<OutboxRelay>> Start(OutboxRelayOptions options);

  // Stops (see Stop) if still running.
  virtual ~OutboxRelay() = default;

  // Wakes the relay to read the outbox now (call after a commit). Cheap,
  // thread-safe, never blocks on Kafka.
  virtual void Notify() = 0;

  // Stops reading the outbox, waits up to stop_timeout for deliveries in
  // flight (deleting the rows that completed), and joins the thread.
  // Idempotent. Returns OK; undelivered rows simply stay in the outbox.
  virtual absl::Status Stop() = 0;

  // Re-sends every event of the local log (sequence 1 on) to the same topics,
  // keys and route_versions as first published: refills a broker that lost its
  // data. Blocks until all are acknowledged. Runs beside the relay thread (new
  // events keep flowing; consumers dedupe and park what arrives out of order).
  // Returns the number of messages sent, or UNAVAILABLE if some delivery failed
  // (call again), or the store's error.
  virtual absl::StatusOr<uint64_t> Republish() = 0;

  // Counters since Start. Thread-safe.
  virtual OutboxRelayStats stats() const = 0;

  // Tests only: makes librdkafka raise a fatal error on the relay's producer
  // (as an idempotent producer does when it can no longer keep its order
  // guarantee), on the relay thread, at its next turn. Thread-safe.
  virtual void TEST_RaiseFatalProducerError() = 0;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_OUTBOX_RELAY_H_
