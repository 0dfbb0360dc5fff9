#include "libs/bus/outbox_relay.h"

#include <atomic>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/bus/rdkafka_util.h"
#include "libs/bus/wire.h"
#include "libs/common/log.h"

namespace lianxin {
namespace {

using bus_internal::HandlePtr;

// Producer settings the relay relies on; KafkaConfig.properties may tune the
// others (and, at the operator's risk, these).
const std::map<std::string, std::string>& ProducerDefaults() {
  static const auto* defaults = new std::map<std::string, std::string>{
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      // A delivery not acknowledged within this time fails; the row stays and
      // the relay retries it (with a fresh message) after a backoff.
      {"message.timeout.ms", "30000"},
      {"reconnect.backoff.ms", "100"},
      {"reconnect.backoff.max.ms", "1000"},
      {"log.connection.close", "false"},
  };
  return *defaults;
}

// One outbox row whose deliveries are in flight.
struct RowInFlight {
  uint64_t sequence = 0;
  int pending = 0;      // deliveries without a report yet
  bool failed = false;  // some delivery failed
};

// Where the relay records the id of the Kafka cluster it publishes to (a
// row of the consumer markers' family, which projections and replay ignore).
constexpr char kClusterIdKey[] = "relay/cluster_id";

// The last offset a delivery got, per (topic, partition).
using DeliveredOffsets = std::map<std::pair<std::string, int32_t>, int64_t>;

// Notes where `msg` was delivered; false if its offset is not past the last
// one noted for its partition (on a sound broker, offsets only grow).
bool NoteDelivered(const rd_kafka_message_t* msg, DeliveredOffsets* offsets) {
  auto [it, first] =
      offsets->try_emplace({rd_kafka_topic_name(msg->rkt), msg->partition}, msg->offset);
  if (first) return true;
  const bool grew = msg->offset > it->second;
  it->second = std::max(it->second, msg->offset);
  return grew;
}

// What Republish's delivery reports count.
struct RepublishTally {
  uint64_t failed = 0;
  DeliveredOffsets offsets;
};

class OutboxRelayImpl : public OutboxRelay {
 public:
  explicit OutboxRelayImpl(OutboxRelayOptions options) : options_(std::move(options)) {}

  ~OutboxRelayImpl() override { Stop().IgnoreError(); }

  absl::Status Init() {
    absl::StatusOr<HandlePtr> producer = NewProducer();
    if (!producer.ok()) return producer.status();
    producer_ = std::move(*producer);
    thread_ = std::thread([this] { Run(); });
    return absl::OkStatus();
  }

  void Notify() override {
    absl::MutexLock lock(&mu_);
    notified_ = true;
  }

  absl::Status Stop() override {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    absl::MutexLock join_lock(&join_mu_);
    if (thread_.joinable()) thread_.join();
    return absl::OkStatus();
  }

  absl::StatusOr<uint64_t> Republish() override;

  void TEST_RaiseFatalProducerError() override {
    raise_fatal_for_test_.store(true);
    Notify();
  }

  OutboxRelayStats stats() const override {
    OutboxRelayStats s;
    s.rows_delivered = rows_delivered_.load();
    s.messages_produced = messages_produced_.load();
    s.delivery_failures = delivery_failures_.load();
    s.producer_restarts = producer_restarts_.load();
    s.republished = republished_.load();
    return s;
  }

 private:
  absl::StatusOr<HandlePtr> NewProducer() {
    absl::StatusOr<bus_internal::ConfPtr> conf =
        bus_internal::NewConf(options_.kafka, ProducerDefaults());
    if (!conf.ok()) return conf.status();
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf->get(), &OutboxRelayImpl::OnDelivery);
    rd_kafka_conf_set_error_cb(conf->get(), &OutboxRelayImpl::OnError);
    return bus_internal::NewHandle(RD_KAFKA_PRODUCER, std::move(*conf));
  }

  // Delivery report, called on the relay thread from rd_kafka_poll/flush.
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto* self = static_cast<OutboxRelayImpl*>(opaque);
    auto* row = static_cast<RowInFlight*>(msg->_private);
    if (row == nullptr) return;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (!NoteDelivered(msg, &self->delivered_) && !self->offset_went_back_) {
        LogWarning("the broker lost delivered messages; republishing the log",
                   {{"topic", rd_kafka_topic_name(msg->rkt)},
                    {"partition", absl::StrCat(msg->partition)},
                    {"offset", absl::StrCat(msg->offset)}});
        self->offset_went_back_ = true;
      }
    } else {
      row->failed = true;
      self->delivery_failures_.fetch_add(1);
      if (self->failure_logs_this_round_++ == 0) {
        LogWarning("relay delivery failed", {{"sequence", absl::StrCat(row->sequence)},
                                             {"topic", rd_kafka_topic_name(msg->rkt)},
                                             {"error", rd_kafka_err2str(msg->err)}});
      }
    }
    self->last_report_ = absl::Now();
    if (--row->pending == 0) self->completed_.push_back(row);
  }

  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* self = static_cast<OutboxRelayImpl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char fatal[512];
      rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
      LogError("relay producer fatal error",
               {{"error", rd_kafka_err2name(cause)}, {"reason", fatal}});
      self->fatal_.store(true);
      return;
    }
    // Transport errors (broker down) are expected and retried by librdkafka.
    LogWarning(
        "relay kafka error",
        {{"error", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))}, {"reason", reason}});
  }

  // Hands every delivery of `row` to the producer. A delivery refused at once
  // counts as failed, like a failed report.
  void Produce(uint64_t sequence, const OutboxRow& row) {
    auto state = std::make_unique<RowInFlight>();
    state->sequence = sequence;
    RowInFlight* raw = state.get();
    in_flight_[sequence] = std::move(state);
    if (row.deliveries_size() == 0) {
      completed_.push_back(raw);
      return;
    }
    raw->pending = row.deliveries_size();
    const Event& event = row.event();
    const std::string type = event.type();
    const std::string source = SourceName(event.source());
    const std::string seq = absl::StrCat(event.sequence());
    for (const Delivery& delivery : row.deliveries()) {
      rd_kafka_resp_err_t err =
          ProduceOne(producer_.get(), event, delivery, type, source, seq, raw);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        LogWarning(
            "relay produce refused",
            {{"sequence", seq}, {"topic", delivery.topic()}, {"error", rd_kafka_err2str(err)}});
        raw->failed = true;
        delivery_failures_.fetch_add(1);
        if (--raw->pending == 0) completed_.push_back(raw);
      }
    }
  }

  // Produces one message, waiting (serving reports) while the local queue is full.
  rd_kafka_resp_err_t ProduceOne(rd_kafka_t* rk, const Event& event, const Delivery& delivery,
                                 const std::string& type, const std::string& source,
                                 const std::string& seq, void* opaque) {
    const std::string value = EncodeDeliveryValue(event, delivery);
    const std::string key = DeliveryKey(event, delivery);
    for (;;) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(delivery.topic().c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(key.data(), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_HEADER(kHeaderType, type.data(), static_cast<ssize_t>(type.size())),
          RD_KAFKA_V_HEADER(kHeaderSource, source.data(), static_cast<ssize_t>(source.size())),
          RD_KAFKA_V_HEADER(kHeaderSequence, seq.data(), static_cast<ssize_t>(seq.size())),
          RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) messages_produced_.fetch_add(1);
        return err;
      }
      rd_kafka_poll(rk, 50);
    }
  }

  // Deletes the rows whose deliveries all succeeded; notes whether any failed.
  void CollectCompleted() {
    if (completed_.empty()) return;
    std::vector<uint64_t> delivered;
    for (RowInFlight* row : completed_) {
      if (row->failed) {
        retry_pending_ = true;
      } else {
        delivered.push_back(row->sequence);
      }
      in_flight_.erase(row->sequence);
    }
    completed_.clear();
    if (delivered.empty()) return;
    backoff_ = options_.min_backoff;
    if (absl::Status s = options_.store->DeleteOutbox(delivered); !s.ok()) {
      // The rows are sent again later: a duplicate, which consumers skip.
      LogWarning("relay could not delete delivered outbox rows", {{"error", s.ToString()}});
      return;
    }
    rows_delivered_.fetch_add(delivered.size());
  }

  void UpdateMetrics() {
    if (options_.metrics == nullptr) return;
    absl::StatusOr<std::pair<uint64_t, absl::Time>> s = options_.store->OutboxStats();
    if (!s.ok()) return;
    const absl::Duration age =
        s->first == 0 ? absl::ZeroDuration()
                      : std::max(absl::ZeroDuration(), options_.clock->Now() - s->second);
    options_.metrics->SetOutbox(static_cast<double>(s->first), age);
  }

  bool StopRequested() {
    absl::MutexLock lock(&mu_);
    return stop_;
  }

  // Waits until Notify/Stop or `timeout`; returns true if notified (and clears it).
  bool WaitForNotify(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto woken = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return notified_ || stop_; };
    mu_.AwaitWithTimeout(absl::Condition(&woken), timeout);
    bool was = notified_;
    notified_ = false;
    return was;
  }

  // Waits `timeout` unless Stop is called; Notify does not cut a backoff short.
  void WaitForStop(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stop_), timeout);
  }

  // After a fatal producer error: drop what is in flight (the rows stay in the
  // outbox) and start a new producer.
  void RebuildProducer() {
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    for (int i = 0; i < 100 && rd_kafka_outq_len(producer_.get()) > 0; ++i) {
      rd_kafka_poll(producer_.get(), 100);
    }
    rd_kafka_poll(producer_.get(), 0);
    CollectCompleted();
    producer_.reset();
    in_flight_.clear();
    completed_.clear();
    fatal_.store(false);
    for (;;) {
      absl::StatusOr<HandlePtr> producer = NewProducer();
      if (producer.ok()) {
        producer_ = std::move(*producer);
        producer_restarts_.fetch_add(1);
        return;
      }
      LogError("relay could not start a producer", {{"error", producer.status().ToString()}});
      WaitForStop(options_.max_backoff);
      if (StopRequested()) return;
    }
  }

  // True if the broker lost acknowledged data: the Kafka cluster is not the
  // one the log was last published to (its cluster id changed: a broker
  // restarted empty, a cluster rebuilt, also while this service was down), or
  // a delivery got an offset at or below an earlier one's on its partition.
  // Asks the cluster for metadata (which carries its id), so it blocks for up
  // to 500 ms when no broker answers.
  bool BrokerLostData() {
    if (offset_went_back_) {
      offset_went_back_ = false;
      return true;
    }
    const rd_kafka_metadata_t* metadata = nullptr;
    if (rd_kafka_metadata(producer_.get(), 0, nullptr, &metadata, 500) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return false;  // nobody answered: ask again next time
    }
    rd_kafka_metadata_destroy(metadata);
    return bus_internal::ClusterReplaced(producer_.get(), 0, *options_.store, kClusterIdKey);
  }

  // Republishes the log after a loss, until every message is acknowledged.
  void RepublishAfterLoss() {
    // Deliveries in flight first, so that none is noted after the republication's.
    rd_kafka_flush(producer_.get(), 10000);
    CollectCompleted();
    offset_went_back_ = false;
    for (;;) {
      // Where the republication put each partition's messages is what later
      // deliveries must go past.
      absl::StatusOr<uint64_t> sent = RepublishLog(&delivered_);
      if (sent.ok()) {
        republished_.fetch_add(1);
        return;
      }
      LogWarning("relay could not republish the log; trying again",
                 {{"error", sent.status().ToString()}});
      WaitForStop(options_.max_backoff);
      if (StopRequested()) return;
    }
  }

  absl::StatusOr<uint64_t> RepublishLog(DeliveredOffsets* offsets);
  void Run();
  void Drain();

  const OutboxRelayOptions options_;
  HandlePtr producer_;  // relay thread only (after Init)

  // Relay thread only (delivery reports run on it too).
  std::map<uint64_t, std::unique_ptr<RowInFlight>> in_flight_;
  std::vector<RowInFlight*> completed_;
  bool retry_pending_ = false;
  absl::Duration backoff_ = options_.min_backoff;
  int failure_logs_this_round_ = 0;

  std::atomic<bool> fatal_{false};
  std::atomic<bool> raise_fatal_for_test_{false};
  // The last delivery report, or the last time nothing was in flight.
  absl::Time last_report_ = absl::Now();
  std::atomic<uint64_t> rows_delivered_{0};
  std::atomic<uint64_t> messages_produced_{0};
  std::atomic<uint64_t> delivery_failures_{0};
  std::atomic<uint64_t> producer_restarts_{0};
  std::atomic<uint64_t> republished_{0};
  // The last offset delivered to per partition, and whether one went back
  // (relay thread only; see BrokerLostData).
  DeliveredOffsets delivered_;
  bool offset_went_back_ = false;

  absl::Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = true;  // read the outbox at start
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  absl::Mutex join_mu_;
  std::thread thread_;
};

void OutboxRelayImpl::Run() {
  // Sequences up to `cursor` are in flight or done; rows are read after it.
  // It goes back to 0 whenever nothing is in flight, so a row that failed, or
  // one whose commit became visible after a later one, is read again.
  uint64_t cursor = 0;
  bool read_now = true;
  absl::Time last_read = absl::InfinitePast();
  absl::Time last_metrics = absl::InfinitePast();
  absl::Time last_loss_check = absl::Now();
  while (!StopRequested()) {
    if (raise_fatal_for_test_.exchange(false)) {
      rd_kafka_test_fatal_error(producer_.get(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                "raised by a test");
    }
    if (fatal_.load()) {
      RebuildProducer();
      cursor = 0;
      retry_pending_ = true;
      if (!producer_) break;
    }
    {
      absl::MutexLock lock(&mu_);
      if (notified_) read_now = true;
      notified_ = false;
    }
    const absl::Time now = absl::Now();
    if (now - last_read >= options_.poll_interval) read_now = true;
    if (read_now && !retry_pending_ && in_flight_.size() < options_.max_in_flight_rows) {
      read_now = false;
      last_read = now;
      absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> rows =
          options_.store->ReadOutbox(cursor, options_.batch_size);
      if (!rows.ok()) {
        LogWarning("relay could not read the outbox", {{"error", rows.status().ToString()}});
        retry_pending_ = true;
      } else {
        for (const auto& [sequence, row] : *rows) {
          if (in_flight_.count(sequence) == 0) Produce(sequence, row);
          cursor = std::max(cursor, sequence);
        }
        // A full batch means more rows are waiting: read again at once.
        if (rows->size() == options_.batch_size) read_now = true;
      }
    }

    // Delivery reports come every linger.ms or so while rows are in flight;
    // waiting for them longer than 1 ms would hold back rows committed
    // meanwhile (Notify does not interrupt the poll): 2-3 ms of the
    // cross-county lag at 1,000 events/s (docs/benchmarks.md).
    rd_kafka_poll(producer_.get(), in_flight_.empty() ? 0 : 1);
    CollectCompleted();
    if (in_flight_.empty()) {
      last_report_ = now;
    } else if (now - last_report_ > options_.stall_timeout) {
      LogWarning("relay producer stalled; rebuilding it",
                 {{"rows_in_flight", absl::StrCat(in_flight_.size())},
                  {"silent_for", absl::FormatDuration(now - last_report_)}});
      last_report_ = now;
      fatal_.store(true);
      continue;
    }

    if (now - last_metrics >= absl::Seconds(1)) {
      last_metrics = now;
      UpdateMetrics();
    }
    if (now - last_loss_check >= options_.loss_check_interval) {
      last_loss_check = now;
      if (BrokerLostData()) RepublishAfterLoss();
    }
    if (!in_flight_.empty()) continue;
    // A failed row is retried only after the backoff, whatever woke the loop:
    // going round again on `read_now` alone would skip the read (a retry is
    // pending) and spin without ever retrying.
    if (read_now && !retry_pending_) continue;
    cursor = 0;
    if (retry_pending_) {
      WaitForStop(backoff_);
      backoff_ = std::min(backoff_ * 2, options_.max_backoff);
      retry_pending_ = false;
      failure_logs_this_round_ = 0;
      read_now = true;
      continue;
    }
    read_now = WaitForNotify(options_.poll_interval);
  }
  Drain();
}

// At Stop: give deliveries in flight stop_timeout to finish, keep their rows if not.
void OutboxRelayImpl::Drain() {
  if (!producer_) return;
  const absl::Time deadline = absl::Now() + options_.stop_timeout;
  while (rd_kafka_outq_len(producer_.get()) > 0 && absl::Now() < deadline) {
    rd_kafka_flush(producer_.get(), 100);
    CollectCompleted();
  }
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(producer_.get(), 0);
  CollectCompleted();
  UpdateMetrics();
  producer_.reset();
  in_flight_.clear();
  completed_.clear();
}

absl::StatusOr<uint64_t> OutboxRelayImpl::Republish() { return RepublishLog(nullptr); }

// Republish, noting where each message went in `offsets` (if not null).
absl::StatusOr<uint64_t> OutboxRelayImpl::RepublishLog(DeliveredOffsets* offsets) {
  absl::StatusOr<bus_internal::ConfPtr> conf =
      bus_internal::NewConf(options_.kafka, ProducerDefaults());
  if (!conf.ok()) return conf.status();
  RepublishTally tally;
  rd_kafka_conf_set_opaque(conf->get(), &tally);
  rd_kafka_conf_set_dr_msg_cb(conf->get(),
                              [](rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
                                auto* t = static_cast<RepublishTally*>(opaque);
                                if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                                  NoteDelivered(msg, &t->offsets);
                                } else {
                                  ++t->failed;
                                }
                              });
  absl::StatusOr<HandlePtr> producer = bus_internal::NewHandle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!producer.ok()) return producer.status();
  rd_kafka_t* rk = producer->get();

  std::unique_ptr<EventStore::RouteReplayer> replayer = options_.store->NewRouteReplayer();
  uint64_t sent = 0;
  uint64_t refused = 0;
  absl::Status scan = options_.store->ScanLog(1, [&](const Event& event) {
    OutboxRow row = replayer->Next(event);
    const std::string source = SourceName(event.source());
    const std::string seq = absl::StrCat(event.sequence());
    for (const Delivery& delivery : row.deliveries()) {
      if (ProduceOne(rk, event, delivery, event.type(), source, seq, nullptr) ==
          RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++sent;
      } else {
        ++refused;
      }
    }
    rd_kafka_poll(rk, 0);
    return true;
  });
  // Every message gets a report within message.timeout.ms.
  while (rd_kafka_outq_len(rk) > 0) rd_kafka_flush(rk, 1000);
  producer->reset();
  if (!scan.ok()) return scan;
  LogInfo("relay republished the log",
          {{"messages", absl::StrCat(sent)}, {"failed", absl::StrCat(tally.failed + refused)}});
  if (tally.failed + refused > 0) {
    return absl::UnavailableError(absl::StrCat("republish: ", tally.failed + refused, " of ",
                                               sent + refused, " messages not delivered"));
  }
  if (offsets != nullptr) *offsets = std::move(tally.offsets);
  return sent;
}

}  // namespace

absl::StatusOr<std::unique_ptr<OutboxRelay>> OutboxRelay::Start(OutboxRelayOptions options) {
  if (options.store == nullptr) return absl::InvalidArgumentError("relay: store is null");
  if (options.clock == nullptr) return absl::InvalidArgumentError("relay: clock is null");
  if (options.batch_size == 0) options.batch_size = 1;
  auto relay = std::make_unique<OutboxRelayImpl>(std::move(options));
  if (absl::Status s = relay->Init(); !s.ok()) return s;
  return relay;
}

}  // namespace lianxin
