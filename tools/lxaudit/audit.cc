#include "tools/lxaudit/audit.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <set>
#include <thread>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/common/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace lianxin::lxaudit {
namespace {

constexpr size_t kHashSize = 32;

std::string Sha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    std::abort();  // OpenSSL's digest of memory does not fail
  }
  return std::string(reinterpret_cast<const char*>(digest), size);
}

void AppendBigEndian64(std::string* out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

// Length-prefixed, so that no two field lists encode alike.
void AppendField(std::string* out, const std::string& field) {
  AppendBigEndian64(out, field.size());
  out->append(field);
}

std::string Short(const std::string& text) {
  return text.size() <= 24 ? text : absl::StrCat(text.substr(0, 24), "…");
}

}  // namespace

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<EventStore>> OpenLog(const std::string& path, const Source& source) {
  if (!std::filesystem::exists(std::filesystem::path(path) / "CURRENT")) {
    return absl::NotFoundError(absl::StrCat("no event store at ", path));
  }
  EventStoreOptions options;
  options.path = path;
  options.source = source;
  options.read_only = true;
  // A live service may delete an obsolete WAL or manifest while the open reads
  // the file list: open again.
  absl::StatusOr<std::unique_ptr<EventStore>> store;
  for (int attempt = 0; attempt < 5; ++attempt) {
    store = EventStore::Open(options);
    if (store.ok() || absl::IsInvalidArgument(store.status())) break;
    absl::SleepFor(absl::Milliseconds(50 << attempt));
  }
  return store;
}

// ---- verify ----------------------------------------------------------------

absl::StatusOr<VerifyResult> VerifyLog(const EventStore& store, Progress* progress) {
  VerifyResult result;
  result.last_sequence = store.LastSequence();
  if (progress != nullptr) progress->set_total(result.last_sequence);
  ChainVerifier verifier;
  uint64_t expected = 1;
  auto broken = [&](uint64_t sequence, std::string event_id, std::string reason) {
    result.broken = ChainBreak{sequence, std::move(event_id), std::move(reason)};
    return false;
  };
  const Source& source = store.source();
  RETURN_IF_ERROR(store.ScanLogRaw(1, [&](uint64_t key, const std::string& bytes) {
    if (progress != nullptr) progress->Add(1);
    Event event;
    if (!event.ParseFromString(bytes)) {
      return broken(key, "", "the stored entry does not parse as an Event");
    }
    if (key != expected) {
      return broken(expected, event.event_id(),
                    absl::StrCat("missing (the next stored event is sequence ", key, ")"));
    }
    if (event.sequence() != key) {
      return broken(key, event.event_id(),
                    absl::StrCat("stored under sequence ", key, " but says ", event.sequence()));
    }
    if (event.source().jurisdiction() != source.jurisdiction() ||
        event.source().service() != source.service()) {
      return broken(key, event.event_id(),
                    absl::StrCat("its source is ", event.source().jurisdiction(), "/",
                                 event.source().service(), ", not this log's"));
    }
    if (absl::Status s = verifier.Add(event); !s.ok()) {
      return broken(key, event.event_id(), std::string(s.message()));
    }
    ++result.events;
    ++expected;
    result.head_hash = event.hash();
    return true;
  }));
  if (!result.broken.has_value() && result.events != result.last_sequence) {
    if (result.events < result.last_sequence) {
      result.broken = ChainBreak{result.events + 1, "",
                                 absl::StrCat("missing: the log ends at sequence ", result.events,
                                              " but the store recorded ", result.last_sequence)};
    } else {
      result.broken =
          ChainBreak{result.last_sequence + 1, "",
                     absl::StrCat("the log goes on past the recorded end ", result.last_sequence)};
    }
  }
  if (result.head_hash.empty()) result.head_hash = std::string(kHashSize, '\0');
  return result;
}

// ---- replay ----------------------------------------------------------------

namespace {

// Evolves the events of the aggregates of one shard, in the order given.
class Shard {
 public:
  explicit Shard(const Projector& projector) : projector_(projector) {}

  absl::Status Apply(const Event& event) {
    RebuiltAggregate& aggregate = rebuilt_[event.aggregate_id()];
    if (event.version() != aggregate.version + 1) {
      return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " (sequence ",
                                                     event.sequence(), ") is version ",
                                                     event.version(), " of ", event.aggregate_id(),
                                                     ", which is at version ", aggregate.version));
    }
    ASSIGN_OR_RETURN(aggregate.state, projector_.Evolve(aggregate.state, event));
    aggregate.version = event.version();
    return absl::OkStatus();
  }

  Rebuilt& rebuilt() { return rebuilt_; }

 private:
  const Projector& projector_;
  Rebuilt rebuilt_;
};

// One worker thread and its queue of batches.
class Worker {
 public:
  explicit Worker(const Projector& projector) : shard_(projector) {
    thread_ = std::thread([this] { Run(); });
  }

  // Queues a batch; waits while too many are queued.
  void Push(std::vector<Event> batch) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(this, &Worker::CanPush));
    if (status_.ok()) queue_.push_back(std::move(batch));
  }

  // No more batches: waits for the thread and returns its status.
  absl::Status Finish() {
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
    }
    thread_.join();
    absl::MutexLock lock(&mu_);
    return status_;
  }

  absl::Status status() {
    absl::MutexLock lock(&mu_);
    return status_;
  }
  Rebuilt& rebuilt() { return shard_.rebuilt(); }

 private:
  static constexpr size_t kMaxQueued = 64;

  bool CanPush() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return queue_.size() < kMaxQueued || !status_.ok();
  }
  bool CanPop() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || closed_; }

  void Run() {
    for (;;) {
      std::vector<Event> batch;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &Worker::CanPop));
        if (queue_.empty()) return;
        batch = std::move(queue_.front());
        queue_.pop_front();
      }
      for (const Event& event : batch) {
        if (absl::Status s = shard_.Apply(event); !s.ok()) {
          absl::MutexLock lock(&mu_);
          status_ = s;
          queue_.clear();
          return;
        }
      }
    }
  }

  Shard shard_;
  absl::Mutex mu_;
  std::deque<std::vector<Event>> queue_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace

absl::StatusOr<Rebuilt> Replay(const Projector& projector, const EventFeed& feed,
                               const ReplayOptions& options) {
  int threads = options.threads;
  if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1) {
    Shard shard(projector);
    RETURN_IF_ERROR(feed([&](Event event) {
      if (options.progress != nullptr) options.progress->Add(1);
      return shard.Apply(event);
    }));
    return std::move(shard.rebuilt());
  }
  constexpr size_t kBatch = 256;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::vector<Event>> batches(threads);
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(projector));
    batches[i].reserve(kBatch);
  }
  const absl::Hash<std::string> hash;
  uint64_t fed = 0;
  absl::Status feed_status = feed([&](Event event) -> absl::Status {
    if (options.progress != nullptr) options.progress->Add(1);
    const size_t i = hash(event.aggregate_id()) % threads;
    batches[i].push_back(std::move(event));
    if (batches[i].size() == kBatch) {
      workers[i]->Push(std::move(batches[i]));
      batches[i] = std::vector<Event>();
      batches[i].reserve(kBatch);
      if ((++fed & 63) == 0) RETURN_IF_ERROR(workers[i]->status());
    }
    return absl::OkStatus();
  });
  absl::Status status = feed_status;
  for (int i = 0; i < threads; ++i) {
    if (!batches[i].empty()) workers[i]->Push(std::move(batches[i]));
  }
  for (auto& worker : workers) {
    absl::Status s = worker->Finish();
    if (status.ok()) status = s;
  }
  RETURN_IF_ERROR(status);
  Rebuilt rebuilt = std::move(workers[0]->rebuilt());
  for (int i = 1; i < threads; ++i) {
    for (auto& [id, aggregate] : workers[i]->rebuilt()) rebuilt.emplace(id, std::move(aggregate));
  }
  return rebuilt;
}

absl::StatusOr<Rebuilt> ReplayLocalLog(const EventStore& store, const Projector& projector,
                                       const ReplayOptions& options) {
  if (options.progress != nullptr) options.progress->set_total(store.LastSequence());
  const uint64_t last = store.LastSequence();
  return Replay(
      projector,
      [&](const std::function<absl::Status(Event)>& sink) -> absl::Status {
        absl::Status failure;
        RETURN_IF_ERROR(store.ScanLogRaw(1, [&](uint64_t sequence, const std::string& bytes) {
          if (sequence > last) return false;  // not in the snapshot the comparison uses
          Event event;
          if (!event.ParseFromString(bytes)) {
            failure = absl::DataLossError(
                absl::StrCat("log entry at sequence ", sequence, " does not parse as an Event"));
            return false;
          }
          failure = sink(std::move(event));
          return failure.ok();
        }));
        return failure;
      },
      options);
}

absl::StatusOr<std::vector<Event>> LogOrder(std::vector<Event> events, const Source& source) {
  std::sort(events.begin(), events.end(),
            [](const Event& a, const Event& b) { return a.sequence() < b.sequence(); });
  std::vector<Event> ordered;
  ordered.reserve(events.size());
  for (Event& event : events) {
    if (event.source().jurisdiction() != source.jurisdiction() ||
        event.source().service() != source.service()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "event ", event.event_id(), " is from ", event.source().jurisdiction(), "/",
          event.source().service(), ", not ", source.jurisdiction(), "/", source.service()));
    }
    if (!ordered.empty() && ordered.back().sequence() == event.sequence()) {
      if (ordered.back().hash() != event.hash()) {
        return absl::FailedPreconditionError(
            absl::StrCat("two different events with sequence ", event.sequence()));
      }
      continue;  // published twice (at-least-once relay)
    }
    const uint64_t expected = ordered.empty() ? 1 : ordered.back().sequence() + 1;
    if (event.sequence() != expected) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the topic lacks sequences ", expected, "–", event.sequence() - 1, " of ",
          source.jurisdiction(), "/", source.service(), " (not relayed yet, or expired)"));
    }
    event.clear_route_version();  // a delivery's, not the log's
    ordered.push_back(std::move(event));
  }
  return ordered;
}

// ---- digests ---------------------------------------------------------------

std::string AggregateDigest(const std::string& aggregate_id, uint64_t version,
                            const std::string& state,
                            const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string bytes;
  bytes.reserve(aggregate_id.size() + state.size() + 64 + rows.size() * 48);
  AppendField(&bytes, aggregate_id);
  AppendBigEndian64(&bytes, version);
  AppendField(&bytes, state);
  AppendBigEndian64(&bytes, rows.size());
  for (const auto& [key, value] : rows) {
    AppendField(&bytes, key);
    AppendField(&bytes, value);
  }
  return Sha256(bytes);
}

std::string ProjectionDigests::Total() const {
  std::string bytes;
  for (const auto& [id, digest] : by_aggregate) {
    AppendField(&bytes, id);
    bytes.append(digest);
  }
  return Hex(Sha256(bytes));
}

namespace {

std::vector<std::pair<std::string, std::string>> SortedRows(const Projector& projector,
                                                            const std::string& id,
                                                            const std::string& state) {
  std::vector<std::pair<std::string, std::string>> rows = projector.IndexRows(id, state);
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace

absl::StatusOr<ProjectionDigests> StoreRebuilt(const Rebuilt& rebuilt, const Projector& projector,
                                               const std::string& scratch_path) {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  if (!scratch_path.empty()) {
    std::error_code error;
    std::filesystem::remove_all(scratch_path, error);
    std::filesystem::create_directories(scratch_path, error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("create scratch directory ", scratch_path, ": ", error.message()));
    }
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, {}}, {"aggregates", {}}, {"indexes", {}}};
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, scratch_path, families, &handles, &raw);
    if (!s.ok()) {
      return absl::UnavailableError(
          absl::StrCat("scratch RocksDB at ", scratch_path, ": ", s.ToString()));
    }
    db.reset(raw);
  }
  ProjectionDigests digests;
  rocksdb::WriteBatch batch;
  rocksdb::WriteOptions write_options;
  write_options.disableWAL = true;  // flushed below; a scratch copy needs no log
  absl::Status failure;
  auto flush_batch = [&] {
    if (db != nullptr && batch.Count() > 0) {
      rocksdb::Status s = db->Write(write_options, &batch);
      if (!s.ok() && failure.ok()) failure = absl::UnavailableError(s.ToString());
      batch.Clear();
    }
  };
  for (const auto& [id, aggregate] : rebuilt) {
    std::vector<std::pair<std::string, std::string>> rows =
        SortedRows(projector, id, aggregate.state);
    digests.index_rows += rows.size();
    digests.by_aggregate.emplace(id, AggregateDigest(id, aggregate.version, aggregate.state, rows));
    if (db != nullptr) {
      std::string value;
      AppendBigEndian64(&value, aggregate.version);
      value.append(aggregate.state);
      batch.Put(handles[1], id, value).PermitUncheckedError();
      for (const auto& [key, row] : rows) batch.Put(handles[2], key, row).PermitUncheckedError();
      if (batch.Count() >= 4096) flush_batch();
    }
  }
  if (db != nullptr) {
    flush_batch();
    rocksdb::Status s = db->Flush(rocksdb::FlushOptions(), handles);
    if (!s.ok() && failure.ok()) failure = absl::UnavailableError(s.ToString());
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    db->Close().PermitUncheckedError();
  }
  RETURN_IF_ERROR(failure);
  return digests;
}

absl::StatusOr<Comparison> CompareWithLive(const EventStore& live, const Rebuilt& rebuilt,
                                           const Projector& projector) {
  const std::vector<std::string> unreplayed = projector.UnreplayedIndexPrefixes();
  absl::flat_hash_map<std::string, std::string> live_rows;
  RETURN_IF_ERROR(
      live.ScanPrefix(Family::kIndexes, "", [&](const std::string& key, const std::string& value) {
        for (const std::string& prefix : unreplayed) {
          if (absl::StartsWith(key, prefix)) return true;
        }
        live_rows.emplace(key, value);
        return true;
      }));
  Comparison comparison;
  absl::flat_hash_map<std::string, bool> claimed;  // live index keys some aggregate implies
  std::set<std::string> seen;
  auto describe_rows = [](const std::vector<std::pair<std::string, std::string>>& rows) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : rows) keys.push_back(key);
    return absl::StrCat("[", absl::StrJoin(keys, " "), "]");
  };
  absl::Status failure;
  RETURN_IF_ERROR(live.ScanAggregates([&](const std::string& id, const Aggregate& aggregate) {
    seen.insert(id);
    const auto rebuilt_it = rebuilt.find(id);
    std::vector<std::pair<std::string, std::string>> implied =
        SortedRows(projector, id, aggregate.state);
    std::vector<std::pair<std::string, std::string>> rebuilt_rows;
    if (rebuilt_it != rebuilt.end()) {
      rebuilt_rows = SortedRows(projector, id, rebuilt_it->second.state);
      implied.insert(implied.end(), rebuilt_rows.begin(), rebuilt_rows.end());
    }
    std::set<std::string> candidates;
    for (const auto& [key, value] : implied) candidates.insert(key);
    std::vector<std::pair<std::string, std::string>> rows;
    for (const std::string& key : candidates) {
      if (auto it = live_rows.find(key); it != live_rows.end()) {
        rows.emplace_back(key, it->second);
        claimed[key] = true;
      }
    }
    const std::string digest = AggregateDigest(id, aggregate.version, aggregate.state, rows);
    comparison.live.index_rows += rows.size();
    comparison.live.by_aggregate.emplace(id, digest);
    if (rebuilt_it == rebuilt.end()) {
      comparison.differences.push_back({id, "live aggregate has no event in the log"});
      return true;
    }
    const RebuiltAggregate& mine = rebuilt_it->second;
    if (digest == AggregateDigest(id, mine.version, mine.state, rebuilt_rows)) return true;
    std::vector<std::string> what;
    if (aggregate.version != mine.version) {
      what.push_back(absl::StrCat("version live ", aggregate.version, ", rebuilt ", mine.version));
    }
    if (aggregate.state != mine.state) {
      what.push_back(absl::StrCat("state differs (live ", aggregate.state.size(), " bytes, sha256 ",
                                  Short(Hex(Sha256(aggregate.state))), "; rebuilt ",
                                  mine.state.size(), " bytes, sha256 ",
                                  Short(Hex(Sha256(mine.state))), ")"));
    }
    if (rows != rebuilt_rows) {
      what.push_back(absl::StrCat("index rows live ", describe_rows(rows), ", rebuilt ",
                                  describe_rows(rebuilt_rows)));
    }
    comparison.differences.push_back({id, absl::StrJoin(what, "; ")});
    return true;
  }));
  RETURN_IF_ERROR(failure);
  std::vector<std::string> missing;
  for (const auto& [id, aggregate] : rebuilt) {
    if (!seen.contains(id)) missing.push_back(id);
  }
  std::sort(missing.begin(), missing.end());
  for (const std::string& id : missing) {
    comparison.differences.push_back({id, "in the log but not in the live projection"});
  }
  std::vector<std::string> stray;
  for (const auto& [key, value] : live_rows) {
    if (!claimed.contains(key)) stray.push_back(key);
  }
  std::sort(stray.begin(), stray.end());
  for (const std::string& key : stray) {
    comparison.differences.push_back(
        {"", absl::StrCat("live index row ", key, " is implied by no aggregate")});
  }
  return comparison;
}

}  // namespace lianxin::lxaudit
