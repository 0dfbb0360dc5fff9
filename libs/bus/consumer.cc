#include "libs/bus/consumer.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
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
      // Offsets are committed by hand (CommitOffsets), each with the id of
      // the cluster it counts on, once the effect is committed: a lost offset
      // only means a re-read. librdkafka's own commits (2.0 cannot attach
      // metadata to a stored offset) could carry an offset to another cluster.
      {"enable.auto.offset.store", "false"},
      {"enable.auto.commit", "false"},
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

// One consumed message on its way through a worker.
struct Work {
  ConsumedMessage message;
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

// How often finished offsets are committed to the group.
constexpr absl::Duration kCommitInterval = absl::Seconds(1);

// The metadata of a committed offset: the cluster whose partition it counts on.
std::string OffsetMetadata(const std::string& cluster_id) {
  return absl::StrCat("lianxin cluster=", cluster_id);
}

class ConsumerImpl : public Consumer {
 public:
  explicit ConsumerImpl(ConsumerOptions options)
      : options_(std::move(options)),
        applier_(ApplierOptions{.store = options_.store,
                                .handler = options_.handler,
                                .gate = options_.gate,
                                .metrics = options_.metrics,
                                .clock = options_.clock,
                                .min_backoff = options_.min_backoff,
                                .max_backoff = options_.max_backoff,
                                .limits = options_.limits}),
        queues_(static_cast<size_t>(options_.workers)) {}
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

  // Takes each partition given from the offset committed in the group only if
  // that offset was committed for this very cluster (its metadata names the
  // cluster's id); any other (none, another cluster's, one librdkafka or a
  // tool committed, one committed to a broker restarted empty on the way) is
  // ignored and the partition is read from the beginning: the markers skip
  // what was applied. So an offset can never point past a refilled partition.
  // At a revocation, commits what was finished.
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<ConsumerImpl*>(opaque);
    self->ForgetProgress();
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->CommitOffsets();
      rd_kafka_assign(rk, nullptr);
      return;
    }
    std::string cluster;
    bus_internal::ClusterReplaced(rk, 5000, *self->options_.store, self->ClusterKey(), &cluster);
    self->CountOnCluster(cluster);
    self->FromOffsetsOfCluster(rk, cluster, partitions);
    rd_kafka_assign(rk, partitions);
  }

  // Sets each partition of `partitions` to its offset committed for
  // `cluster_id`, or to its beginning.
  void FromOffsetsOfCluster(rd_kafka_t* rk, const std::string& cluster_id,
                            rd_kafka_topic_partition_list_t* partitions) const {
    const std::string ours = OffsetMetadata(cluster_id);
    const bool fetched = !cluster_id.empty() &&
                         rd_kafka_committed(rk, partitions, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR;
    int from_beginning = 0;
    for (int i = 0; i < partitions->cnt; ++i) {
      rd_kafka_topic_partition_t& tp = partitions->elems[i];
      const bool usable =
          fetched && tp.err == RD_KAFKA_RESP_ERR_NO_ERROR && tp.offset >= 0 &&
          absl::string_view(static_cast<const char*>(tp.metadata), tp.metadata_size) == ours;
      if (!usable) {
        tp.offset = RD_KAFKA_OFFSET_BEGINNING;
        ++from_beginning;
      }
    }
    if (from_beginning > 0) {
      LogInfo("consumer reads partitions from the beginning (no offset committed for this cluster)",
              {{"group", options_.group_id},
               {"cluster", cluster_id},
               {"partitions", absl::StrCat(from_beginning, " of ", partitions->cnt)}});
    }
  }

  // From now on, finished offsets count on `cluster_id` (the assignment's
  // cluster; "" = not known: nothing is committed). Offsets finished and not
  // committed yet belonged to the previous assignment: dropped.
  void CountOnCluster(const std::string& cluster_id) {
    absl::MutexLock lock(&mu_);
    cluster_id_ = cluster_id;
    to_commit_.clear();
  }

  // Commits the offsets finished since the last commit, with the cluster's
  // id as their metadata. Asynchronous: a commit lost only means a re-read
  // (rd_kafka_consumer_close waits for the commits in flight).
  void CommitOffsets() {
    TopicPartitionListPtr list;
    {
      absl::MutexLock lock(&mu_);
      if (to_commit_.empty() || cluster_id_.empty()) return;
      const std::string metadata = OffsetMetadata(cluster_id_);
      list.reset(rd_kafka_topic_partition_list_new(static_cast<int>(to_commit_.size())));
      for (const auto& [partition, offset] : to_commit_) {
        rd_kafka_topic_partition_t* tp = rd_kafka_topic_partition_list_add(
            list.get(), partition.first.c_str(), partition.second);
        tp->offset = offset;
        tp->metadata = rd_kafka_mem_malloc(nullptr, metadata.size());
        memcpy(tp->metadata, metadata.data(), metadata.size());
        tp->metadata_size = metadata.size();
      }
      to_commit_.clear();
    }
    if (rd_kafka_resp_err_t err = rd_kafka_commit(consumer_.get(), list.get(), /*async=*/1); err) {
      LogWarning("consumer commit",
                 {{"group", options_.group_id}, {"error", rd_kafka_err2str(err)}});
    }
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
  // Not while the group is taking the assignment away (a session timed out,
  // the broker having restarted): an assign then races librdkafka's own
  // revocation (librdkafka 2.0 aborts on `rktp->rktp_started` in
  // rd_kafka_assignment_partition_stopped), and the rebalance that follows
  // finds the replaced cluster itself.
  void ReadAgainIfClusterReplaced() {
    if (rd_kafka_assignment_lost(consumer_.get())) return;
    std::string cluster;
    if (!bus_internal::ClusterReplaced(consumer_.get(), 0, *options_.store, ClusterKey(),
                                       &cluster)) {
      return;
    }
    ForgetProgress();
    CountOnCluster(cluster);
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

  ConsumerStats stats() const override { return applier_.stats(); }

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
  void StoreOffset(const std::string& topic, int32_t partition, int64_t offset)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
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

  MessageApplier applier_;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Queue> queues_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, KeyHolder> held_keys_ ABSL_GUARDED_BY(mu_);
  // The cluster the assignment's offsets count on, and the offsets finished
  // and not committed yet (see CommitOffsets).
  std::string cluster_id_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, int32_t>, int64_t> to_commit_ ABSL_GUARDED_BY(mu_);
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
  absl::Time last_commit = absl::Now();
  while (!StopRequested()) {
    if (absl::Now() - last_commit >= kCommitInterval) {
      last_commit = absl::Now();
      CommitOffsets();
    }
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
  std::string value;
  if (msg->payload != nullptr) value.assign(static_cast<const char*>(msg->payload), msg->len);
  Work work{
      DecodeMessage(rd_kafka_topic_name(msg->rkt), msg->partition, msg->offset, std::move(value)),
      {}};
  if (msg->key != nullptr && msg->key_len > 0) {
    work.keys.push_back(
        absl::StrCat("key/", absl::string_view(static_cast<const char*>(msg->key), msg->key_len)));
  }
  const ConsumedMessage& message = work.message;
  if (message.event.has_value() && !message.event->aggregate_id().empty()) {
    work.keys.push_back(absl::StrCat(
        "stream/", AppliedMarkerKey(StreamOrderOf(message.topic), message.topic, *message.event)));
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
  PartitionProgress& progress = progress_[{work.message.topic, work.message.partition}];
  if (work.message.offset < progress.finished_end) {
    // Read again from an earlier offset (librdkafka reset a position that
    // was out of range: the broker lost data): count from here.
    progress.finished_end = -1;
    progress.stored = -1;
  }
  ++progress.unfinished[work.message.offset];
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

// Applies `work` until it is done; false if asked to stop first.
bool ConsumerImpl::ApplyUntilDone(const Work& work) {
  return applier_.ApplyUntilDone(
      work.message, RetryControl{.stopping = [this] { return StopRequested(); },
                                 .wait = [this](absl::Duration backoff) { WaitForStop(backoff); }});
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
  PartitionProgress& progress = progress_[{work.message.topic, work.message.partition}];
  auto it = progress.unfinished.find(work.message.offset);
  if (--it->second == 0) progress.unfinished.erase(it);
  progress.finished_end = std::max(progress.finished_end, work.message.offset + 1);
  const int64_t next = progress.unfinished.empty()
                           ? progress.finished_end
                           : std::min(progress.finished_end, progress.unfinished.begin()->first);
  if (next > progress.stored) {
    progress.stored = next;
    StoreOffset(work.message.topic, work.message.partition, next);
  }
}

// Commits stored offsets and leaves the group. With no broker answering,
// librdkafka (2.0.2) blocks here, and in rd_kafka_destroy even without a
// close, for up to session.timeout.ms: hence its lower default above.
void ConsumerImpl::Close() {
  CommitOffsets();
  if (rd_kafka_resp_err_t err = rd_kafka_consumer_close(consumer_.get()); err) {
    LogWarning("consumer close", {{"group", options_.group_id}, {"error", rd_kafka_err2str(err)}});
  }
  consumer_.reset();
}

// Called with mu_ held; committed by the next CommitOffsets.
void ConsumerImpl::StoreOffset(const std::string& topic, int32_t partition, int64_t offset) {
  to_commit_[{topic, partition}] = offset;
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
