#include "libs/bus/consumer.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/timestamp.pb.h"
#include "libs/bus/rdkafka_util.h"
#include "libs/bus/wire.h"
#include "libs/common/log.h"

namespace lianxin {
namespace {

using bus_internal::HandlePtr;
using bus_internal::TopicPartitionListPtr;

const std::map<std::string, std::string>& ConsumerDefaults() {
  static const auto* defaults = new std::map<std::string, std::string>{
      {"auto.offset.reset", "earliest"},
      // Offsets are stored by hand once the effect is committed, then
      // committed in the background: a lost offset only means a re-read.
      {"enable.auto.offset.store", "false"},
      {"enable.auto.commit", "true"},
      {"auto.commit.interval.ms", "1000"},
      // Topics appear when their first event is published; subscribe anyway.
      {"allow.auto.create.topics", "true"},
      {"topic.metadata.refresh.interval.ms", "5000"},
      // Bounds how long Stop() blocks when no broker answers (see Close), and
      // how long a crashed member holds its partitions. Kafka's own is 45 s.
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "2000"},
      {"reconnect.backoff.ms", "100"},
      {"reconnect.backoff.max.ms", "1000"},
      {"log.connection.close", "false"},
      // Prefetch: librdkafka keeps up to 100,000 messages per partition and
      // 64 MB in its local queue by default, which a service busy serving
      // commands filled with identity claims it had not applied yet (about
      // 80 MB of heap for 100,000 registrations, docs/benchmarks.md). The
      // workers apply far fewer at a time than this.
      {"queued.min.messages", "1000"},
      {"queued.max.messages.kbytes", "4096"},
  };
  return *defaults;
}

// What became of one message.
enum class Outcome {
  kDone,      // effect (or skip, park, quarantine) committed: store the offset
  kRetry,     // nothing committed: apply the message again after a backoff
  kConflict,  // nothing committed, an expected version had moved: again at once
};

std::string ParkedKey(const std::string& marker_key, uint64_t number) {
  return absl::StrCat(marker_key, BigEndian64(number));
}

bool IsRefusal(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ||
         status.code() == absl::StatusCode::kFailedPrecondition ||
         status.code() == absl::StatusCode::kPermissionDenied;  // a role rule (trust.h)
}

// Returns OK if the envelope is one a lianxin store wrote, else why not.
absl::Status ValidateEnvelope(const Event& event, StreamOrder order) {
  if (event.source().jurisdiction().empty())
    return absl::InvalidArgumentError("no source jurisdiction");
  if (event.source().service().empty()) return absl::InvalidArgumentError("no source service");
  if (event.aggregate_id().empty()) return absl::InvalidArgumentError("no aggregate_id");
  if (event.version() < 1) return absl::InvalidArgumentError("version 0");
  if (order == StreamOrder::kRouteVersion && event.route_version() < 1) {
    return absl::InvalidArgumentError("inbox copy without route_version");
  }
  if (event.hash() != ComputeEventHash(event)) return absl::InvalidArgumentError("hash mismatch");
  return absl::OkStatus();
}

// Where a message came from, kept with parked and quarantined rows.
struct Origin {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

// One consumed message on its way through a worker.
struct Work {
  Origin origin;
  std::string value;
  // Set if the value decodes as an Event.
  std::optional<Event> event;
  // What orders this message with others (see ConsumerImpl::Dispatch): its
  // Kafka key and its stream's marker key, as far as it has them.
  std::vector<std::string> keys;
};

// The messages of one partition taken and not yet finished, to store offsets
// only up to the first unfinished one.
struct PartitionProgress {
  std::map<int64_t, int> unfinished;  // offset -> copies in flight
  int64_t finished_end = -1;          // 1 + the highest finished offset
  int64_t stored = -1;                // the offset last stored
};

// The most messages taken from Kafka and not yet finished, over all workers.
constexpr int kMaxInFlight = 1024;

class ConsumerImpl : public Consumer {
 public:
  explicit ConsumerImpl(ConsumerOptions options)
      : options_(std::move(options)), queues_(static_cast<size_t>(options_.workers)) {}
  ~ConsumerImpl() override { Stop().IgnoreError(); }

  absl::Status Init() {
    absl::StatusOr<bus_internal::ConfPtr> conf =
        bus_internal::NewConf(options_.kafka, ConsumerDefaults());
    if (!conf.ok()) return conf.status();
    char errstr[512];
    if (rd_kafka_conf_set(conf->get(), "group.id", options_.group_id.c_str(), errstr,
                          sizeof(errstr)) != RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("group.id: ", errstr));
    }
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_rebalance_cb(conf->get(), &ConsumerImpl::OnRebalance);
    absl::StatusOr<HandlePtr> consumer =
        bus_internal::NewHandle(RD_KAFKA_CONSUMER, std::move(*conf));
    if (!consumer.ok()) return consumer.status();
    consumer_ = std::move(*consumer);
    rd_kafka_poll_set_consumer(consumer_.get());
    TopicPartitionListPtr topics(
        rd_kafka_topic_partition_list_new(static_cast<int>(options_.topics.size())));
    for (const std::string& topic : options_.topics) {
      rd_kafka_topic_partition_list_add(topics.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    }
    if (rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get()); err) {
      return absl::InvalidArgumentError(absl::StrCat("subscribe: ", rd_kafka_err2str(err)));
    }
    thread_ = std::thread([this] { Run(); });
    return absl::OkStatus();
  }

  // Takes the partitions given, from the offsets committed in the group,
  // unless the cluster is not the one this store consumed from before (a
  // broker restarted empty, a cluster rebuilt): its offsets then point past
  // the refilled partitions, even ones committed to the new cluster on the
  // way, and every partition is read again from the beginning (the markers
  // skip what was applied).
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<ConsumerImpl*>(opaque);
    self->ForgetProgress();
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(rk, nullptr);
      return;
    }
    if (bus_internal::ClusterReplaced(rk, 5000, *self->options_.store, self->ClusterKey())) {
      self->FromTheBeginning(partitions);
    }
    rd_kafka_assign(rk, partitions);
  }

  // Sets every partition of `partitions` to be read from its beginning.
  void FromTheBeginning(rd_kafka_topic_partition_list_t* partitions) const {
    LogWarning("consumer reads its topics again from the beginning",
               {{"group", options_.group_id}});
    for (int i = 0; i < partitions->cnt; ++i) {
      partitions->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    }
  }

  // Where the id of the cluster this store consumed from is recorded.
  std::string ClusterKey() const { return "consumer/" + options_.group_id + "/cluster_id"; }

  // Between rebalances: if the cluster was replaced (its id, as the last
  // metadata refresh brought it, is not the recorded one), reads every
  // assigned partition again from the beginning, without waiting for an
  // out-of-range fetch that a quick refill could hide.
  void ReadAgainIfClusterReplaced() {
    if (!bus_internal::ClusterReplaced(consumer_.get(), 0, *options_.store, ClusterKey())) return;
    ForgetProgress();
    rd_kafka_topic_partition_list_t* raw = nullptr;
    if (rd_kafka_assignment(consumer_.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    TopicPartitionListPtr assigned(raw);
    FromTheBeginning(assigned.get());
    rd_kafka_assign(consumer_.get(), assigned.get());
  }

  // Lets the messages in flight finish, then forgets every partition's
  // progress: offsets stored from now on count from the new assignment's
  // positions. (Not when stopping: Close's revocation must not wait.)
  void ForgetProgress() {
    absl::MutexLock lock(&mu_);
    auto drained = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || in_flight_ == 0; };
    mu_.Await(absl::Condition(&drained));
    if (!stop_) progress_.clear();
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

  ConsumerStats stats() const override {
    ConsumerStats s;
    s.messages = messages_.load();
    s.applied = applied_.load();
    s.duplicates = duplicates_.load();
    s.parked = parked_.load();
    s.quarantined = quarantined_.load();
    s.retries = retries_.load();
    return s;
  }

 private:
  // One worker's queue and what it holds (queued + being applied).
  struct Queue {
    std::deque<Work> work;
    int held = 0;
  };
  // A key some unfinished message has: which worker has them, and how many.
  struct KeyHolder {
    size_t worker = 0;
    int count = 0;
  };

  void Run();
  Work Take(rd_kafka_message_t* msg) const;
  bool Dispatch(Work work);
  std::optional<size_t> WorkerFor(const std::vector<std::string>& keys) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RunWorker(size_t worker);
  bool ApplyUntilDone(const Work& work);
  void Finish(size_t worker, const Work& work, bool done);
  Outcome Process(const Work& work);
  Outcome ApplyInOrder(const Event& event, const Origin& origin, absl::string_view value,
                       const std::string& marker_key, uint64_t number);
  Outcome ApplyParkedSuccessors(const std::string& marker_key, uint64_t marker);
  Outcome Quarantine(const Origin& origin, absl::string_view value, const std::string& reason,
                     Transaction txn);
  Outcome Refuse(const Origin& origin, absl::string_view value, const Refused& refused);
  Outcome Park(const Event& event, const Origin& origin, absl::string_view value,
               const std::string& marker_key, uint64_t number, uint64_t marker);
  Outcome Commit(Transaction txn, const char* what);
  absl::StatusOr<uint64_t> ReadMarker(const std::string& key) const;
  QuarantineRow MakeRow(const Origin& origin, absl::string_view value,
                        const std::string& reason) const;
  void StoreOffset(const std::string& topic, int32_t partition, int64_t offset);
  void ReportLag();
  void Close();

  bool StopRequested() {
    absl::MutexLock lock(&mu_);
    return stop_;
  }
  void WaitForStop(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stop_), timeout);
  }

  const ConsumerOptions options_;
  HandlePtr consumer_;

  std::atomic<uint64_t> messages_{0};
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> duplicates_{0};
  std::atomic<uint64_t> parked_{0};
  std::atomic<uint64_t> quarantined_{0};
  std::atomic<uint64_t> retries_{0};

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Queue> queues_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, KeyHolder> held_keys_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, int32_t>, PartitionProgress> progress_ ABSL_GUARDED_BY(mu_);
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Mutex join_mu_;
  std::thread thread_;
};

// The dispatcher: takes messages from Kafka in partition order and hands each
// to a worker; the workers apply them. Stopping lets every worker finish the
// message it is applying; messages not finished keep their offsets unstored.
void ConsumerImpl::Run() {
  std::vector<std::thread> workers;
  for (size_t i = 0; i < queues_.size(); ++i) {
    workers.emplace_back([this, i] { RunWorker(i); });
  }
  absl::Time last_lag = absl::Now();
  while (!StopRequested()) {
    if (absl::Now() - last_lag >= options_.lag_interval) {
      last_lag = absl::Now();
      ReportLag();
      ReadAgainIfClusterReplaced();
    }
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(consumer_.get(), 100);
    if (msg == nullptr) continue;
    if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        LogWarning("consumer error", {{"group", options_.group_id},
                                      {"topic", msg->rkt ? rd_kafka_topic_name(msg->rkt) : ""},
                                      {"error", rd_kafka_message_errstr(msg)}});
      }
      rd_kafka_message_destroy(msg);
      continue;
    }
    Work work = Take(msg);
    rd_kafka_message_destroy(msg);
    if (!Dispatch(std::move(work))) break;  // stopping
  }
  for (std::thread& worker : workers) worker.join();
  ReportLag();
  Close();
}

Work ConsumerImpl::Take(rd_kafka_message_t* msg) const {
  Work work;
  work.origin = Origin{rd_kafka_topic_name(msg->rkt), msg->partition, msg->offset};
  if (msg->payload != nullptr) {
    work.value.assign(static_cast<const char*>(msg->payload), msg->len);
  }
  if (msg->key != nullptr && msg->key_len > 0) {
    work.keys.push_back(
        absl::StrCat("key/", absl::string_view(static_cast<const char*>(msg->key), msg->key_len)));
  }
  Event event;
  if (!work.value.empty() &&
      event.ParseFromArray(work.value.data(), static_cast<int>(work.value.size()))) {
    if (!event.aggregate_id().empty()) {
      work.keys.push_back(absl::StrCat(
          "stream/", AppliedMarkerKey(StreamOrderOf(work.origin.topic), work.origin.topic, event)));
    }
    work.event = std::move(event);
  }
  return work;
}

// Which worker must apply a message with `keys`: the one that holds an
// unfinished message sharing a key with it (so that messages of one stream, or
// with one Kafka key, are applied one at a time in partition order), else the
// least busy. nullopt if two workers hold its keys: it waits for one to finish.
std::optional<size_t> ConsumerImpl::WorkerFor(const std::vector<std::string>& keys) const {
  std::optional<size_t> holder;
  for (const std::string& key : keys) {
    auto it = held_keys_.find(key);
    if (it == held_keys_.end()) continue;
    if (holder.has_value() && *holder != it->second.worker) return std::nullopt;
    holder = it->second.worker;
  }
  if (holder.has_value()) return holder;
  size_t least = 0;
  for (size_t i = 1; i < queues_.size(); ++i) {
    if (queues_[i].held < queues_[least].held) least = i;
  }
  return least;
}

// Queues `work` for its worker once it may go; false if stopping instead.
bool ConsumerImpl::Dispatch(Work work) {
  absl::MutexLock lock(&mu_);
  auto may_go = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stop_ || (in_flight_ < kMaxInFlight && WorkerFor(work.keys).has_value());
  };
  mu_.Await(absl::Condition(&may_go));
  if (stop_) return false;
  const size_t worker = *WorkerFor(work.keys);
  for (const std::string& key : work.keys) {
    KeyHolder& holder = held_keys_[key];
    holder.worker = worker;
    ++holder.count;
  }
  PartitionProgress& progress = progress_[{work.origin.topic, work.origin.partition}];
  if (work.origin.offset < progress.finished_end) {
    // Read again from an earlier offset (librdkafka reset a position that
    // was out of range: the broker lost data): count from here.
    progress.finished_end = -1;
    progress.stored = -1;
  }
  ++progress.unfinished[work.origin.offset];
  ++in_flight_;
  ++queues_[worker].held;
  queues_[worker].work.push_back(std::move(work));
  return true;
}

void ConsumerImpl::RunWorker(size_t worker) {
  for (;;) {
    Work work;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || !queues_[worker].work.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (stop_) return;
      work = std::move(queues_[worker].work.front());
      queues_[worker].work.pop_front();
    }
    const bool done = ApplyUntilDone(work);
    Finish(worker, work, done);
    if (!done) return;  // stopping
  }
}

// Processes `work` until it is done; false if asked to stop first.
bool ConsumerImpl::ApplyUntilDone(const Work& work) {
  absl::Duration backoff = options_.min_backoff;
  int conflicts = 0;
  for (;;) {
    messages_.fetch_add(1);
    const Outcome outcome = Process(work);
    if (outcome == Outcome::kDone) return true;
    retries_.fetch_add(1);
    if (StopRequested()) return false;
    // Another stream's effect on the same aggregate won the race: the next
    // attempt reads the new version, no need to wait.
    if (outcome == Outcome::kConflict && ++conflicts <= 3) continue;
    WaitForStop(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

// Releases `work`'s keys and, if it is done, stores its partition's offset up
// to the first message not done yet.
void ConsumerImpl::Finish(size_t worker, const Work& work, bool done) {
  absl::MutexLock lock(&mu_);
  --in_flight_;
  --queues_[worker].held;
  for (const std::string& key : work.keys) {
    auto it = held_keys_.find(key);
    if (--it->second.count == 0) held_keys_.erase(it);
  }
  if (!done) return;  // its offset stays unstored: the message is read again
  PartitionProgress& progress = progress_[{work.origin.topic, work.origin.partition}];
  auto it = progress.unfinished.find(work.origin.offset);
  if (--it->second == 0) progress.unfinished.erase(it);
  progress.finished_end = std::max(progress.finished_end, work.origin.offset + 1);
  const int64_t next = progress.unfinished.empty()
                           ? progress.finished_end
                           : std::min(progress.finished_end, progress.unfinished.begin()->first);
  if (next > progress.stored) {
    progress.stored = next;
    StoreOffset(work.origin.topic, work.origin.partition, next);
  }
}

// Commits stored offsets and leaves the group. With no broker answering,
// librdkafka (2.0.2) blocks here, and in rd_kafka_destroy even without a
// close, for up to session.timeout.ms: hence its lower default above.
void ConsumerImpl::Close() {
  if (rd_kafka_resp_err_t err = rd_kafka_consumer_close(consumer_.get()); err) {
    LogWarning("consumer close", {{"group", options_.group_id}, {"error", rd_kafka_err2str(err)}});
  }
  consumer_.reset();
}

Outcome ConsumerImpl::Process(const Work& work) {
  const Origin& origin = work.origin;
  const absl::string_view value = work.value;
  if (!work.event.has_value()) {
    return Quarantine(origin, value, "undecodable event", Transaction());
  }
  const Event& event = *work.event;
  const StreamOrder order = StreamOrderOf(origin.topic);
  if (absl::Status valid = ValidateEnvelope(event, order); !valid.ok()) {
    return Quarantine(origin, value, absl::StrCat("invalid envelope: ", valid.message()),
                      Transaction());
  }
  if (options_.gate != nullptr) {
    if (std::optional<Refused> refused = options_.gate->Check(event, origin.topic)) {
      return Refuse(origin, value, *refused);
    }
  }
  const std::string marker_key = AppliedMarkerKey(order, origin.topic, event);
  const uint64_t number = StreamNumber(order, event);
  absl::StatusOr<uint64_t> marker = ReadMarker(marker_key);
  if (!marker.ok()) return Outcome::kRetry;
  if (number <= *marker) {
    duplicates_.fetch_add(1);
    // Successors parked before a crash (or a failed unparking) go on now.
    return order == StreamOrder::kIncreasingVersion ? Outcome::kDone
                                                    : ApplyParkedSuccessors(marker_key, *marker);
  }
  if (number > *marker + 1 && order != StreamOrder::kIncreasingVersion) {
    return Park(event, origin, value, marker_key, number, *marker);
  }
  if (Outcome applied = ApplyInOrder(event, origin, value, marker_key, number);
      applied != Outcome::kDone) {
    return applied;
  }
  if (order == StreamOrder::kIncreasingVersion) return Outcome::kDone;
  // The message's effect is committed; if unparking fails, the message comes
  // again as a duplicate, which unparks again.
  return ApplyParkedSuccessors(marker_key, number);
}

// Applies `event`, the stream's next one, with its marker in one commit.
Outcome ConsumerImpl::ApplyInOrder(const Event& event, const Origin& origin,
                                   absl::string_view value, const std::string& marker_key,
                                   uint64_t number) {
  Transaction txn;
  absl::Status status = options_.handler->Apply(event, origin.topic, txn);
  if (IsRefusal(status)) {
    Transaction refusal;
    refusal.Put(Family::kApplied, marker_key, BigEndian64(number));
    refusal.Delete(Family::kParked, ParkedKey(marker_key, number));
    const Outcome outcome = Quarantine(
        origin, value, absl::StrCat("handler refused: ", status.ToString()), std::move(refusal));
    if (std::optional<Refusal> reason = RefusalOfHandler(status);
        reason.has_value() && outcome == Outcome::kDone && options_.metrics != nullptr) {
      options_.metrics->CountRefused(origin.topic, std::string(RefusalName(*reason)));
    }
    return outcome;
  }
  if (absl::IsAborted(status)) return Outcome::kConflict;
  if (!status.ok()) {
    LogWarning("consumer handler failed, will retry", {{"topic", origin.topic},
                                                       {"stream", marker_key},
                                                       {"number", absl::StrCat(number)},
                                                       {"error", status.ToString()}});
    return Outcome::kRetry;
  }
  txn.Put(Family::kApplied, marker_key, BigEndian64(number));
  // A copy of this event may have been parked before (redelivered early).
  txn.Delete(Family::kParked, ParkedKey(marker_key, number));
  if (Outcome committed = Commit(std::move(txn), "apply"); committed != Outcome::kDone) {
    return committed;
  }
  applied_.fetch_add(1);
  return Outcome::kDone;
}

// Applies parked events marker+1, marker+2, ... while they are there.
Outcome ConsumerImpl::ApplyParkedSuccessors(const std::string& marker_key, uint64_t marker) {
  for (uint64_t next = marker + 1;; ++next) {
    absl::StatusOr<std::string> bytes =
        options_.store->Get(Family::kParked, ParkedKey(marker_key, next));
    if (absl::IsNotFound(bytes.status())) return Outcome::kDone;
    if (!bytes.ok()) return Outcome::kRetry;
    QuarantineRow row;
    Event event;
    if (!row.ParseFromString(*bytes) || !event.ParseFromString(row.value())) {
      // Cannot happen for rows this consumer wrote; do not block the stream on it.
      LogError("consumer dropped an unreadable parked row", {{"stream", marker_key}});
      Transaction txn;
      txn.Delete(Family::kParked, ParkedKey(marker_key, next));
      if (Commit(std::move(txn), "drop parked") != Outcome::kDone) return Outcome::kRetry;
      return Outcome::kDone;
    }
    Origin origin{row.topic(), row.partition(), row.offset()};
    if (Outcome applied = ApplyInOrder(event, origin, row.value(), marker_key, next);
        applied != Outcome::kDone) {
      return applied;
    }
  }
}

Outcome ConsumerImpl::Park(const Event& event, const Origin& origin, absl::string_view value,
                           const std::string& marker_key, uint64_t number, uint64_t marker) {
  Transaction txn;
  txn.Put(
      Family::kParked, ParkedKey(marker_key, number),
      MakeRow(origin, value, absl::StrCat("parked: waiting for ", marker + 1)).SerializeAsString());
  if (Commit(std::move(txn), "park") != Outcome::kDone) return Outcome::kRetry;
  parked_.fetch_add(1);
  return Outcome::kDone;
}

// Commits `txn` (which may already hold marker writes) plus a quarantine row.
Outcome ConsumerImpl::Quarantine(const Origin& origin, absl::string_view value,
                                 const std::string& reason, Transaction txn) {
  LogWarning("consumer quarantined a message", {{"topic", origin.topic},
                                                {"partition", absl::StrCat(origin.partition)},
                                                {"offset", absl::StrCat(origin.offset)},
                                                {"reason", reason}});
  txn.Put(Family::kQuarantine, QuarantineKey(origin.topic, origin.partition, origin.offset),
          MakeRow(origin, value, reason).SerializeAsString());
  if (Commit(std::move(txn), "quarantine") != Outcome::kDone) return Outcome::kRetry;
  quarantined_.fetch_add(1);
  if (options_.metrics != nullptr) options_.metrics->CountQuarantined(origin.topic);
  return Outcome::kDone;
}

// Quarantines an event the gate refused, counted by reason; no marker moves.
Outcome ConsumerImpl::Refuse(const Origin& origin, absl::string_view value,
                             const Refused& refused) {
  const Outcome outcome = Quarantine(
      origin, value, absl::StrCat("refused (", RefusalName(refused.reason), "): ", refused.detail),
      Transaction());
  if (outcome == Outcome::kDone && options_.metrics != nullptr) {
    options_.metrics->CountRefused(origin.topic, std::string(RefusalName(refused.reason)));
  }
  return outcome;
}

Outcome ConsumerImpl::Commit(Transaction txn, const char* what) {
  absl::StatusOr<CommitResult> result = options_.store->Commit(std::move(txn));
  if (result.ok()) return Outcome::kDone;
  // Another stream's effect on one of the aggregates committed first.
  if (absl::IsAborted(result.status())) return Outcome::kConflict;
  LogWarning("consumer commit failed, will retry",
             {{"what", what}, {"error", result.status().ToString()}});
  return Outcome::kRetry;
}

absl::StatusOr<uint64_t> ConsumerImpl::ReadMarker(const std::string& key) const {
  absl::StatusOr<std::string> bytes = options_.store->Get(Family::kApplied, key);
  if (absl::IsNotFound(bytes.status())) return 0;
  if (!bytes.ok()) {
    LogWarning("consumer could not read a marker",
               {{"key", key}, {"error", bytes.status().ToString()}});
    return bytes.status();
  }
  std::optional<uint64_t> n = ParseBigEndian64(*bytes);
  if (!n.has_value()) return absl::DataLossError(absl::StrCat("marker ", key, " is not 8 bytes"));
  return *n;
}

QuarantineRow ConsumerImpl::MakeRow(const Origin& origin, absl::string_view value,
                                    const std::string& reason) const {
  QuarantineRow row;
  row.set_topic(origin.topic);
  row.set_partition(origin.partition);
  row.set_offset(origin.offset);
  row.set_reason(reason);
  row.set_value(std::string(value));
  const absl::Time now = options_.clock->Now();
  row.mutable_quarantined_at()->set_seconds(absl::ToUnixSeconds(now));
  row.mutable_quarantined_at()->set_nanos(static_cast<int32_t>(
      (now - absl::FromUnixSeconds(absl::ToUnixSeconds(now))) / absl::Nanoseconds(1)));
  return row;
}

// Called with mu_ held (rd_kafka_offsets_store does not call back).
void ConsumerImpl::StoreOffset(const std::string& topic, int32_t partition, int64_t offset) {
  TopicPartitionListPtr list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition)->offset = offset;
  // Fails only if the partition was revoked meanwhile: its next owner re-reads.
  rd_kafka_offsets_store(consumer_.get(), list.get());
}

void ConsumerImpl::ReportLag() {
  if (options_.metrics == nullptr || !consumer_) return;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(consumer_.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  TopicPartitionListPtr assigned(raw);
  if (rd_kafka_position(consumer_.get(), assigned.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  for (int i = 0; i < assigned->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = assigned->elems[i];
    int64_t low = 0, high = 0;
    // Cached from fetch responses: no broker round trip.
    if (rd_kafka_get_watermark_offsets(consumer_.get(), tp.topic, tp.partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    const int64_t position = tp.offset >= 0 ? tp.offset : std::max<int64_t>(low, 0);
    options_.metrics->SetConsumerLag(tp.topic, tp.partition,
                                     static_cast<double>(std::max<int64_t>(0, high - position)));
  }
}

}  // namespace

std::string QuarantineKey(const std::string& topic, int32_t partition, int64_t offset) {
  return absl::StrFormat("%s/%d/%020d", topic, partition, offset);
}

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Start(ConsumerOptions options) {
  if (options.store == nullptr) return absl::InvalidArgumentError("consumer: store is null");
  if (options.handler == nullptr) return absl::InvalidArgumentError("consumer: handler is null");
  if (options.clock == nullptr) return absl::InvalidArgumentError("consumer: clock is null");
  if (options.group_id.empty()) return absl::InvalidArgumentError("consumer: group_id is empty");
  if (options.topics.empty()) return absl::InvalidArgumentError("consumer: no topics");
  if (options.workers < 1) return absl::InvalidArgumentError("consumer: workers < 1");
  auto consumer = std::make_unique<ConsumerImpl>(std::move(options));
  if (absl::Status s = consumer->Init(); !s.ok()) return s;
  return consumer;
}

}  // namespace lianxin
