#include "libs/bus/anchors.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/bus/rdkafka_util.h"
#include "libs/common/log.h"
#include "libs/trust/anchors.h"

namespace lianxin {
namespace {

using bus_internal::HandlePtr;
using bus_internal::TopicPartitionListPtr;

class AnchorPublisherImpl : public AnchorPublisher {
 public:
  AnchorPublisherImpl(EventStore* store, const trust::CountySigner* signer, absl::Duration interval,
                      HandlePtr producer)
      : store_(store), signer_(signer), interval_(interval), producer_(std::move(producer)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~AnchorPublisherImpl() override { Stop(); }

  absl::Status PublishNow() override {
    absl::StatusOr<trust::Anchor> head = trust::HeadOf(*store_, absl::Now());
    if (!head.ok()) return head.status();
    absl::StatusOr<trust::SignedAnchor> anchor = trust::SignAnchor(*head, *signer_);
    if (!anchor.ok()) return anchor.status();
    const std::string value = anchor->SerializeAsString();
    const std::string key = absl::StrCat(head->jurisdiction(), "/", head->service());
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_.get(), RD_KAFKA_V_TOPIC(trust::kAnchorsTopic),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(absl::StrCat("anchor: ", rd_kafka_err2str(err)));
    }
    published_.fetch_add(1);
    last_sequence_.store(head->sequence());
    return absl::OkStatus();
  }

  void Stop() override {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
      stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
    rd_kafka_flush(producer_.get(), 5000);
  }

  uint64_t published() const override { return published_.load(); }

 private:
  void Run() {
    for (;;) {
      if (store_->LastSequence() != last_sequence_.load()) {
        if (absl::Status s = PublishNow(); !s.ok() && !absl::IsNotFound(s)) {
          LogWarning("anchor not published", {{"error", s.ToString()}});
        }
      }
      rd_kafka_poll(producer_.get(), 0);  // delivery reports
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), interval_)) return;
    }
  }

  EventStore* const store_;
  const trust::CountySigner* const signer_;
  const absl::Duration interval_;
  HandlePtr producer_;
  std::atomic<uint64_t> last_sequence_{0};  // the head last published
  std::atomic<uint64_t> published_{0};
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

class AnchorKeeperImpl : public AnchorKeeper {
 public:
  AnchorKeeperImpl(EventStore* store, trust::InstalledDirectory* directory, Metrics* metrics,
                   HandlePtr consumer)
      : store_(store), directory_(directory), metrics_(metrics), consumer_(std::move(consumer)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~AnchorKeeperImpl() override { Stop(); }

  void Stop() override {
    if (stop_.exchange(true)) return;
    if (thread_.joinable()) thread_.join();
    rd_kafka_consumer_close(consumer_.get());
  }
  uint64_t kept() const override { return kept_.load(); }
  uint64_t refused() const override { return refused_.load(); }

 private:
  void Run() {
    while (!stop_.load()) {
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(consumer_.get(), 100);
      if (msg == nullptr) continue;
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        Keep(absl::string_view(static_cast<const char*>(msg->payload), msg->len));
      }
      rd_kafka_message_destroy(msg);
    }
  }

  void Keep(absl::string_view value) {
    absl::StatusOr<trust::Anchor> anchor = trust::VerifyAnchor(value, *directory_->Current());
    if (!anchor.ok()) {
      refused_.fetch_add(1);
      LogWarning("anchor refused", {{"error", anchor.status().ToString()}});
      if (metrics_ != nullptr) metrics_->CountRefused(trust::kAnchorsTopic, "bad_anchor");
      return;
    }
    if (anchor->jurisdiction() == store_->source().jurisdiction()) return;  // our own
    Transaction txn;
    txn.Put(Family::kApplied,
            trust::AnchorRowKey(anchor->jurisdiction(), anchor->service(), anchor->sequence()),
            anchor->hash());
    // A lost anchor costs nothing but one check point: no retry loop.
    if (absl::StatusOr<CommitResult> committed = store_->Commit(std::move(txn)); committed.ok()) {
      kept_.fetch_add(1);
    }
  }

  EventStore* const store_;
  trust::InstalledDirectory* const directory_;
  Metrics* const metrics_;
  HandlePtr consumer_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> kept_{0};
  std::atomic<uint64_t> refused_{0};
  std::thread thread_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AnchorPublisher>> AnchorPublisher::Start(
    const KafkaConfig& kafka, EventStore* store, const trust::CountySigner* signer,
    absl::Duration interval) {
  if (store == nullptr || signer == nullptr) {
    return absl::InvalidArgumentError("anchor publisher: store and signer are required");
  }
  absl::StatusOr<bus_internal::ConfPtr> conf =
      bus_internal::NewConf(kafka, {{"linger.ms", "5"}, {"log.connection.close", "false"}});
  if (!conf.ok()) return conf.status();
  absl::StatusOr<HandlePtr> producer = bus_internal::NewHandle(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!producer.ok()) return producer.status();
  return std::unique_ptr<AnchorPublisher>(
      new AnchorPublisherImpl(store, signer, interval, std::move(*producer)));
}

absl::StatusOr<std::unique_ptr<AnchorKeeper>> AnchorKeeper::Start(
    const KafkaConfig& kafka, EventStore* store, trust::InstalledDirectory* directory,
    Metrics* metrics) {
  if (store == nullptr || directory == nullptr) {
    return absl::InvalidArgumentError("anchor keeper: store and directory are required");
  }
  const std::string group = absl::StrCat(store->source().jurisdiction(), ".anchors");
  absl::StatusOr<bus_internal::ConfPtr> conf =
      bus_internal::NewConf(kafka, {{"group.id", group},
                                    {"auto.offset.reset", "earliest"},
                                    {"enable.auto.commit", "true"},
                                    {"allow.auto.create.topics", "true"},
                                    {"topic.metadata.refresh.interval.ms", "5000"},
                                    {"session.timeout.ms", "10000"},
                                    {"log.connection.close", "false"}});
  if (!conf.ok()) return conf.status();
  absl::StatusOr<HandlePtr> consumer = bus_internal::NewHandle(RD_KAFKA_CONSUMER, std::move(*conf));
  if (!consumer.ok()) return consumer.status();
  rd_kafka_poll_set_consumer(consumer->get());
  TopicPartitionListPtr topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), trust::kAnchorsTopic, RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer->get(), topics.get()); err) {
    return absl::InvalidArgumentError(absl::StrCat("anchors: ", rd_kafka_err2str(err)));
  }
  return std::unique_ptr<AnchorKeeper>(
      new AnchorKeeperImpl(store, directory, metrics, std::move(*consumer)));
}

}  // namespace lianxin
