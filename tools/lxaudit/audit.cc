#include "tools/lxaudit/audit.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
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

namespace {

int CoresOr(int threads) {
  constexpr int kMostThreads = 64;
  return threads > 0 ? std::min(threads, kMostThreads)
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// A part [from, to) of a log, and whether the fast path vouches for it: every
// entry there, checked from its bytes (StoredEntryChecker), is the next
// sequence of this log's source and chains onto the one before it. The first
// entry's prev_hash and the last one's hash are kept for the seams.
struct LogPart {
  uint64_t from = 0;
  uint64_t to = 0;
  bool vouched = false;
  std::string first_prev_hash;
  std::string last_hash;
};

// Checks `part`; adds the entries checked to `done`. `progress` (one part's
// thread only) shows `done` as it grows.
void VouchFor(const EventStore& store, LogPart* part, std::atomic<uint64_t>* done,
              Progress* progress) {
  const Source& source = store.source();
  StoredEntryChecker checker;
  uint64_t expected = part->from;
  uint64_t unreported = 0;
  bool intact = true;
  const absl::Status scan =
      store.ScanLogRaw(part->from, part->to, [&](uint64_t key, absl::string_view bytes) {
        StoredEntry entry;
        intact = key == expected && checker.Check(bytes, &entry) && entry.sequence == key &&
                 entry.jurisdiction == source.jurisdiction() && entry.service == source.service() &&
                 (key == part->from || entry.prev_hash == part->last_hash);
        if (!intact) return false;
        if (key == part->from) part->first_prev_hash = std::string(entry.prev_hash);
        part->last_hash.assign(entry.hash.data(), entry.hash.size());
        ++expected;
        if (++unreported == 4096) {
          const uint64_t total = done->fetch_add(unreported, std::memory_order_relaxed);
          if (progress != nullptr) progress->Add(total + unreported - progress->done());
          unreported = 0;
        }
        return true;
      });
  done->fetch_add(unreported, std::memory_order_relaxed);
  part->vouched = scan.ok() && intact && expected == part->to;
}

// The fast path: the log cut into `threads` parts checked at once, then the
// seams. The result if the whole log is intact up to its recorded end and not
// past it; nullopt if anything is off (the exact walk then finds and names it).
std::optional<VerifyResult> VouchForLog(const EventStore& store, int threads, Progress* progress) {
  const uint64_t last = store.LastSequence();
  if (last == 0) return std::nullopt;
  const uint64_t count = std::min<uint64_t>(CoresOr(threads), last);
  std::vector<LogPart> parts(count);
  for (uint64_t i = 0; i < count; ++i) {
    parts[i].from = 1 + last * i / count;
    parts[i].to = 1 + last * (i + 1) / count;
  }
  std::atomic<uint64_t> done{0};
  std::vector<std::thread> workers;
  for (uint64_t i = 1; i < count; ++i) {
    workers.emplace_back(VouchFor, std::cref(store), &parts[i], &done, nullptr);
  }
  VouchFor(store, &parts[0], &done, progress);
  for (std::thread& worker : workers) worker.join();
  std::string prev(kHashSize, '\0');
  for (const LogPart& part : parts) {
    if (!part.vouched || part.first_prev_hash != prev) return std::nullopt;
    prev = part.last_hash;
  }
  bool past_the_end = false;
  if (!store
           .ScanLogRaw(last + 1, 0,
                       [&](uint64_t, absl::string_view) {
                         past_the_end = true;
                         return false;
                       })
           .ok() ||
      past_the_end) {
    return std::nullopt;
  }
  if (progress != nullptr) progress->Add(last - progress->done());
  return VerifyResult{.events = last, .last_sequence = last, .head_hash = std::move(prev)};
}

}  // namespace

absl::StatusOr<VerifyResult> VerifyLog(const EventStore& store, Progress* progress, int threads) {
  if (progress != nullptr) progress->set_total(store.LastSequence());
  if (std::optional<VerifyResult> intact = VouchForLog(store, threads, progress)) return *intact;
  // The exact walk, one entry after the other.
  if (progress != nullptr) progress->set_total(progress->done() + store.LastSequence());
  VerifyResult result;
  result.last_sequence = store.LastSequence();
  ChainVerifier verifier;
  uint64_t expected = 1;
  auto broken = [&](uint64_t sequence, std::string event_id, std::string reason) {
    result.broken = ChainBreak{sequence, std::move(event_id), std::move(reason)};
    return false;
  };
  const Source& source = store.source();
  RETURN_IF_ERROR(store.ScanLogRaw(1, 0, [&](uint64_t key, absl::string_view bytes) {
    if (progress != nullptr) progress->Add(1);
    Event event;
    if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
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

// The aggregates of one shard, folded in the order their events come.
class Shard {
 public:
  explicit Shard(const Projector& projector) : projector_(projector) {}

  absl::Status Apply(const Event& event) {
    Entry& entry = entries_[event.aggregate_id()];
    if (event.version() != entry.version + 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event ", event.event_id(), " (sequence ", event.sequence(), ") is version ",
          event.version(), " of ", event.aggregate_id(), ", which is at version ", entry.version));
    }
    if (entry.fold == nullptr) entry.fold = projector_.NewFold("");
    RETURN_IF_ERROR(entry.fold->Apply(event));
    entry.version = event.version();
    return absl::OkStatus();
  }

  void MoveInto(Rebuilt& rebuilt) {
    for (auto& [id, entry] : entries_) {
      rebuilt.emplace(id, RebuiltAggregate{entry.version, entry.fold->State()});
    }
    entries_.clear();
  }

 private:
  struct Entry {
    uint64_t version = 0;
    std::unique_ptr<Projector::Fold> fold;
  };
  const Projector& projector_;
  absl::flat_hash_map<std::string, Entry> entries_;
};

int ThreadsOf(const ReplayOptions& options) { return CoresOr(options.threads); }

// Runs fold(shard index, shard) on `threads` threads (the calling one
// included) and merges the shards; the first error wins.
absl::StatusOr<Rebuilt> RunShards(
    const Projector& projector, int threads,
    const std::function<absl::Status(int index, Shard& shard, const std::atomic<bool>& stop)>&
        fold) {
  std::vector<std::unique_ptr<Shard>> shards;
  std::vector<absl::Status> statuses(threads);
  std::atomic<bool> stop{false};
  for (int i = 0; i < threads; ++i) shards.push_back(std::make_unique<Shard>(projector));
  auto run = [&](int i) {
    statuses[i] = fold(i, *shards[i], stop);
    if (!statuses[i].ok()) stop = true;
  };
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back(run, i);
  run(0);
  for (std::thread& worker : workers) worker.join();
  for (const absl::Status& status : statuses) RETURN_IF_ERROR(status);
  Rebuilt rebuilt;
  for (auto& shard : shards) shard->MoveInto(rebuilt);
  return rebuilt;
}

// The aggregate_id (field 3) of a serialized Event without parsing the rest.
bool PeekAggregateId(absl::string_view bytes, absl::string_view* id) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  constexpr uint32_t kAggregateIdTag =
      (3 << 3) | google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
  while (const uint32_t tag = in.ReadTag()) {
    if (tag == kAggregateIdTag) {
      uint32_t length = 0;
      if (!in.ReadVarint32(&length)) return false;
      const size_t at = static_cast<size_t>(in.CurrentPosition());
      if (at + length > bytes.size()) return false;
      *id = absl::string_view(bytes.data() + at, length);
      return true;
    }
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) return false;
  }
  return false;
}

size_t ShardOf(absl::string_view aggregate_id, int threads) {
  return absl::Hash<absl::string_view>()(aggregate_id) % threads;
}

}  // namespace

absl::StatusOr<Rebuilt> ReplayLocalLog(const EventStore& store, const Projector& projector,
                                       const ReplayOptions& options) {
  const uint64_t last = store.LastSequence();
  if (options.progress != nullptr) options.progress->set_total(last);
  const int threads = ThreadsOf(options);
  return RunShards(
      projector, threads,
      [&](int index, Shard& shard, const std::atomic<bool>& stop) -> absl::Status {
        Progress* progress = index == 0 ? options.progress : nullptr;
        absl::Status failure;
        // Only what is in the snapshot the comparison uses.
        RETURN_IF_ERROR(
            store.ScanLogRaw(1, last + 1, [&](uint64_t sequence, absl::string_view bytes) {
              if (stop.load(std::memory_order_relaxed)) return false;
              if (progress != nullptr) progress->Add(1);
              absl::string_view id;
              // An entry whose id cannot be read is shard 0's to report.
              const size_t owner = PeekAggregateId(bytes, &id) ? ShardOf(id, threads) : 0;
              if (owner != static_cast<size_t>(index)) return true;
              Event event;
              if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
                failure = absl::DataLossError(absl::StrCat("log entry at sequence ", sequence,
                                                           " does not parse as an Event"));
                return false;
              }
              failure = shard.Apply(event);
              return failure.ok();
            }));
        return failure;
      });
}

absl::StatusOr<Rebuilt> ReplayEvents(const std::vector<Event>& events, const Projector& projector,
                                     const ReplayOptions& options) {
  if (options.progress != nullptr) options.progress->set_total(events.size());
  const int threads = ThreadsOf(options);
  return RunShards(projector, threads,
                   [&](int index, Shard& shard, const std::atomic<bool>& stop) -> absl::Status {
                     Progress* progress = index == 0 ? options.progress : nullptr;
                     for (const Event& event : events) {
                       if (stop.load(std::memory_order_relaxed)) break;
                       if (progress != nullptr) progress->Add(1);
                       if (ShardOf(event.aggregate_id(), threads) != static_cast<size_t>(index)) {
                         continue;
                       }
                       RETURN_IF_ERROR(shard.Apply(event));
                     }
                     return absl::OkStatus();
                   });
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
  for (const auto& [key, count] : counters) {
    AppendField(&bytes, key);
    AppendBigEndian64(&bytes, static_cast<uint64_t>(count));
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
    for (const auto& [key, count] : projector.Counts(id, aggregate.state)) {
      digests.counters[key] += count;
    }
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
  std::erase_if(digests.counters, [](const auto& counter) { return counter.second == 0; });
  if (db != nullptr) {
    for (const auto& [key, count] : digests.counters) {
      batch.Put(handles[2], key, EncodeCounter(count)).PermitUncheckedError();
    }
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
  Comparison comparison;
  RETURN_IF_ERROR(
      live.ScanPrefix(Family::kIndexes, "", [&](const std::string& key, const std::string& value) {
        for (const std::string& prefix : unreplayed) {
          if (absl::StartsWith(key, prefix)) return true;
        }
        if (key == kCountersBuiltKey) return true;
        if (absl::StartsWith(key, kCounterPrefix)) {
          if (const int64_t count = DecodeCounter(value); count != 0) {
            comparison.live.counters[key] = count;
          }
          return true;
        }
        live_rows.emplace(key, value);
        return true;
      }));
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
  std::map<std::string, int64_t> rebuilt_counters;
  for (const auto& [id, aggregate] : rebuilt) {
    for (const auto& [key, count] : projector.Counts(id, aggregate.state)) {
      rebuilt_counters[key] += count;
    }
  }
  std::erase_if(rebuilt_counters, [](const auto& counter) { return counter.second == 0; });
  std::set<std::string> counter_keys;
  for (const auto& [key, count] : rebuilt_counters) counter_keys.insert(key);
  for (const auto& [key, count] : comparison.live.counters) counter_keys.insert(key);
  for (const std::string& key : counter_keys) {
    const int64_t live_count =
        comparison.live.counters.contains(key) ? comparison.live.counters.at(key) : 0;
    const int64_t rebuilt_count = rebuilt_counters.contains(key) ? rebuilt_counters.at(key) : 0;
    if (live_count != rebuilt_count) {
      comparison.differences.push_back(
          {"", absl::StrCat("counter ", key, " live ", live_count, ", rebuilt ", rebuilt_count)});
    }
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
