// The fixture of the bus integration tests: a real lianxin-broker process per
// test, real RocksDB stores in a temp dir, a relay and consumers on demand.
#ifndef LIANXIN_TESTS_BUS_FIXTURE_H_
#define LIANXIN_TESTS_BUS_FIXTURE_H_

#include <signal.h>

#include <atomic>
#include <map>
#include <optional>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "librdkafka/rdkafka.h"
#include "libs/bus/consumer.h"
#include "libs/bus/kafka_config.h"
#include "libs/bus/outbox_relay.h"
#include "libs/bus/wire.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/event_store.h"
#include "prometheus/metric_family.h"
#include "tests/bus_testing.h"

namespace lianxin {
namespace bus_test {

using ::lianxin::testing::BrokerProcess;
using ::lianxin::testing::ReadFile;
using ::lianxin::testing::RunProcess;
using ::lianxin::testing::TempDir;
using ::lianxin::testing::WaitFor;

inline constexpr char kOrigin[] = "654322";
inline constexpr char kDestination[] = "650102";
inline constexpr char kRegistryTopic[] = "lx.654322.registry.v1";

// Records, per (source jurisdiction, aggregate), the versions applied in
// order, in the reader's kIndexes: "order/<j>/<aggregate>" -> "1,2,3".
// Type "Refused" is refused; type "Flaky" fails transiently `flaky_failures`
// times; type "Held" fails transiently while held(); type "Gate" waits until
// `gate_width` Gate events are being applied at once (then the gate stays
// open); type "Count" also appends one event to the reader's aggregate
// "counter" at the version it read. Thread-safe, like a service's handler.
class RecordingHandler : public EventHandler {
 public:
  explicit RecordingHandler(EventStore* store, int flaky_failures = 0, int gate_width = 0)
      : store_(store), flaky_failures_(flaky_failures), gate_width_(gate_width) {}

  absl::Status Apply(const Event& event, const std::string& topic, Transaction& txn) override {
    if (event.type() == "Refused") return absl::FailedPreconditionError("refused by rule");
    if (event.type() == "Flaky" && flaky_failures_.fetch_sub(1) > 0) {
      return absl::UnavailableError("flaky");
    }
    if (event.type() == "Held" && held_.load()) return absl::UnavailableError("held");
    if (event.type() == "Gate") RETURN_IF_ERROR(PassGate());
    if (event.type() == "Count") {
      absl::StatusOr<Aggregate> counter = store_->ReadAggregate("counter");
      if (!counter.ok() && !absl::IsNotFound(counter.status())) return counter.status();
      const uint64_t version = counter.ok() ? counter->version : 0;
      Event counted;
      counted.set_type("Counted");
      counted.set_actor("op-1");
      txn.Append("counter", version, {counted}, absl::StrCat("count ", version + 1));
    }
    const std::string key = OrderKey(event.source().jurisdiction(), event.aggregate_id());
    absl::StatusOr<std::string> current = store_->Get(Family::kIndexes, key);
    if (!current.ok() && !absl::IsNotFound(current.status())) return current.status();
    txn.Put(Family::kIndexes, key,
            absl::StrCat(current.ok() ? *current + "," : "", event.version()));
    return absl::OkStatus();
  }

  static std::string OrderKey(const std::string& jurisdiction, const std::string& aggregate) {
    return absl::StrCat("order/", jurisdiction, "/", aggregate);
  }

  void set_held(bool held) { held_.store(held); }

 private:
  absl::Status PassGate() {
    absl::MutexLock lock(&gate_mu_);
    ++gate_inside_;
    if (gate_inside_ >= gate_width_) gate_open_ = true;
    const bool open = gate_mu_.AwaitWithTimeout(absl::Condition(&gate_open_), absl::Seconds(30));
    --gate_inside_;
    return open ? absl::OkStatus() : absl::UnavailableError("gate not reached");
  }

  EventStore* store_;
  std::atomic<int> flaky_failures_;
  std::atomic<bool> held_{true};
  const int gate_width_;
  absl::Mutex gate_mu_;
  int gate_inside_ ABSL_GUARDED_BY(gate_mu_) = 0;
  bool gate_open_ ABSL_GUARDED_BY(gate_mu_) = false;
};

// The versions `store` applied for an aggregate of the origin, e.g. "1,2,3".
inline std::string Applied(const EventStore& store, const std::string& aggregate,
                           const std::string& jurisdiction = kOrigin) {
  absl::StatusOr<std::string> v =
      store.Get(Family::kIndexes, RecordingHandler::OrderKey(jurisdiction, aggregate));
  return v.ok() ? *v : "";
}

// The value of metric `name` with label topic=`topic` (any topic if empty),
// summed over its series; nullopt if there is none.
inline std::optional<double> MetricValue(const Metrics& metrics, const std::string& name,
                                         const std::string& topic = "") {
  std::optional<double> sum;
  for (const prometheus::MetricFamily& family : metrics.registry()->Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& m : family.metric) {
      bool match = topic.empty();
      for (const prometheus::ClientMetric::Label& l : m.label) {
        if (l.name == "topic" && l.value == topic) match = true;
      }
      if (!match) continue;
      const double v =
          family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
      sum = sum.value_or(0) + v;
    }
  }
  return sum;
}

inline uint64_t OutboxDepth(const EventStore& store) {
  absl::StatusOr<std::pair<uint64_t, absl::Time>> stats = store.OutboxStats();
  return stats.ok() ? stats->first : ~0ull;
}

// Produces one message with a plain (non-idempotent) librdkafka producer.
inline absl::Status ProduceRaw(const std::string& bootstrap, const std::string& topic,
                               const std::string& key, const std::string& value,
                               int32_t partition = RD_KAFKA_PARTITION_UA) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof(errstr));
  rd_kafka_resp_err_t delivery = RD_KAFKA_RESP_ERR__FAIL;
  rd_kafka_conf_set_opaque(conf, &delivery);
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    *static_cast<rd_kafka_resp_err_t*>(opaque) = m->err;
  });
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) return absl::InternalError(errstr);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_flush(rk, 20000);
  rd_kafka_destroy(rk);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return absl::InternalError(rd_kafka_err2str(err));
  if (delivery != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(rd_kafka_err2str(delivery));
  }
  return absl::OkStatus();
}

// Joins `group` (subscribed to `topic`) and commits the partitions' end
// offsets without metadata, as librdkafka's own commit at a revocation did;
// returns their sum. Only a member can commit on the embedded broker.
inline absl::StatusOr<int64_t> CommitEndOffsets(const std::string& bootstrap,
                                                const std::string& group,
                                                const std::string& topic) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [key, value] : std::map<std::string, std::string>{
           {"bootstrap.servers", bootstrap},
           {"group.id", group},
           {"enable.auto.commit", "false"},
           // Should the broker miss our leaving, the group waits this long.
           {"session.timeout.ms", "6000"},
           {"max.poll.interval.ms", "6000"}}) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InternalError(errstr);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) return absl::InternalError(errstr);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* subscription = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(subscription, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, subscription);
  rd_kafka_topic_partition_list_destroy(subscription);
  rd_kafka_topic_partition_list_t* assigned = nullptr;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100)) rd_kafka_message_destroy(m);
    if (rd_kafka_assignment(rk, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR && assigned->cnt > 0) {
      break;
    }
    if (assigned != nullptr) rd_kafka_topic_partition_list_destroy(assigned);
    assigned = nullptr;
  }
  absl::StatusOr<int64_t> total = absl::DeadlineExceededError("no assignment in group " + group);
  if (assigned != nullptr) {
    total = 0;
    for (int i = 0; i < assigned->cnt && total.ok(); ++i) {
      int64_t low = 0, high = 0;
      rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
          rk, assigned->elems[i].topic, assigned->elems[i].partition, &low, &high, 5000);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) total = absl::InternalError(rd_kafka_err2str(err));
      assigned->elems[i].offset = high;
      if (total.ok()) *total += high;
    }
    if (total.ok()) {
      if (rd_kafka_resp_err_t err = rd_kafka_commit(rk, assigned, /*async=*/0); err) {
        total = absl::InternalError(rd_kafka_err2str(err));
      }
    }
    rd_kafka_topic_partition_list_destroy(assigned);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return total;
}

class BusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<BrokerProcess>> broker = BrokerProcess::Start();
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = std::move(*broker);
    origin_ = OpenStore("origin", kOrigin, "registry");
    reader_ = OpenStore("reader", kOrigin, "contact");
    ASSERT_TRUE(origin_ && reader_);
    group_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }

  void TearDown() override {
    for (auto& c : consumers_) c->Stop().IgnoreError();
    if (relay_) relay_->Stop().IgnoreError();
  }

  // A store owned by the fixture (it outlives every consumer).
  EventStore* NewStore(const std::string& name, const std::string& jurisdiction,
                       const std::string& service) {
    stores_.push_back(OpenStore(name, jurisdiction, service));
    return stores_.back().get();
  }

  // A handler owned by the fixture (it outlives every consumer).
  RecordingHandler* NewHandler(EventStore* store, int flaky_failures = 0, int gate_width = 0) {
    handlers_.push_back(std::make_unique<RecordingHandler>(store, flaky_failures, gate_width));
    return handlers_.back().get();
  }

  std::unique_ptr<EventStore> OpenStore(const std::string& name, const std::string& jurisdiction,
                                        const std::string& service) {
    EventStoreOptions options;
    options.path = dir_.Sub(name);
    options.source.set_jurisdiction(jurisdiction);
    options.source.set_service(service);
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  KafkaConfig Kafka(std::map<std::string, std::string> properties = {}) const {
    return KafkaConfig{broker_->bootstrap(), std::move(properties)};
  }

  // Appends events of `types` to `aggregate` in `store`, one commit each.
  std::vector<Event> Append(EventStore& store, const std::string& aggregate,
                            const std::vector<std::string>& types,
                            const std::vector<std::vector<std::string>>& routed_to = {}) {
    std::vector<Event> appended;
    for (size_t i = 0; i < types.size(); ++i) {
      absl::StatusOr<Aggregate> current = store.ReadAggregate(aggregate);
      const uint64_t version = current.ok() ? current->version : 0;
      Event event;
      event.set_type(types[i]);
      event.set_actor("op-1");
      event.set_opaque(absl::StrCat(aggregate, "#", version + 1));
      if (i < routed_to.size()) {
        for (const std::string& j : routed_to[i]) event.add_routed_to(j);
      }
      Transaction txn;
      txn.Append(aggregate, version, {event}, absl::StrCat("state ", version + 1));
      absl::StatusOr<CommitResult> result = store.Commit(std::move(txn));
      EXPECT_TRUE(result.ok()) << result.status();
      if (result.ok()) appended.push_back(result->events.at(0));
      if (relay_) relay_->Notify();
    }
    return appended;
  }

  std::vector<Event> Append(const std::string& aggregate, int n) {
    return Append(*origin_, aggregate, std::vector<std::string>(n, "Noted"));
  }

  OutboxRelay& StartRelay(std::map<std::string, std::string> properties = {},
                          absl::Duration poll_interval = absl::Milliseconds(200)) {
    OutboxRelayOptions options;
    options.kafka = Kafka(std::move(properties));
    options.poll_interval = poll_interval;
    options.store = origin_.get();
    options.metrics = &metrics_;
    options.max_backoff = absl::Milliseconds(500);
    options.stall_timeout = absl::Seconds(5);  // above the 1 s message.timeout.ms of outage tests
    absl::StatusOr<std::unique_ptr<OutboxRelay>> relay = OutboxRelay::Start(std::move(options));
    EXPECT_TRUE(relay.ok()) << relay.status();
    relay_ = std::move(*relay);
    return *relay_;
  }

  Consumer& StartConsumer(EventStore* store, EventHandler* handler,
                          std::vector<std::string> topics = {kRegistryTopic},
                          const std::string& group_suffix = "") {
    ConsumerOptions options;
    options.kafka = Kafka();
    options.group_id = group_ + group_suffix;
    options.topics = std::move(topics);
    options.store = store;
    options.handler = handler;
    options.metrics = &metrics_;
    options.max_backoff = absl::Milliseconds(200);
    options.lag_interval = absl::Milliseconds(500);
    absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Start(std::move(options));
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    consumers_.push_back(std::move(*consumer));
    return *consumers_.back();
  }

  // Restarts the broker process on the same ports, empty.
  void RestartBroker() {
    const std::string ports = broker_->ports();
    const std::string bootstrap = broker_->bootstrap();
    ASSERT_EQ(broker_->Stop(), 0);
    absl::StatusOr<std::unique_ptr<BrokerProcess>> broker =
        BrokerProcess::Start({"--ports=" + ports});
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = std::move(*broker);
    ASSERT_EQ(broker_->bootstrap(), bootstrap);
  }

  TempDir dir_;
  Metrics metrics_;
  std::unique_ptr<BrokerProcess> broker_;
  std::unique_ptr<EventStore> origin_;
  std::unique_ptr<EventStore> reader_;
  std::string group_;
  std::vector<std::unique_ptr<EventStore>> stores_;
  std::vector<std::unique_ptr<RecordingHandler>> handlers_;
  std::unique_ptr<OutboxRelay> relay_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
};

}  // namespace bus_test
}  // namespace lianxin

#endif  // LIANXIN_TESTS_BUS_FIXTURE_H_
