// The hash-chained RocksDB event store (contract in event_store.h).
//
// Column families and keys (bytewise order; BE64 = 8-byte big-endian):
//   log          BE64(sequence)  -> Event, serialized deterministically
//   aggregates   aggregate id    -> BE64(version) || state
//   outbox       BE64(sequence)  -> OutboxRow
//   idempotency  key             -> 0x01 || BE64(expiry, Unix microseconds) || reply;
//                expired records answer nothing and the family's compaction
//                filter drops them
//   meta         "last_sequence" -> BE64;  "last_hash" -> 32 bytes;
//                "outbox_deleted" -> BE64, outbox rows deleted so far (every
//                  event gets one row, so the outbox holds last_sequence - deleted);
//                "route/" destination "\0" aggregate -> BE64, last route_version
//   indexes, applied, parked, quarantine: rows written by callers.
//
// Group commit follows leveldb's writer queue: every Commit enqueues a Writer;
// the writer at the front leads, takes up to kMaxGroupTxns queued transactions,
// validates them in order against the database plus what the group has
// already accepted, stages the accepted ones in one WriteBatch (a save point
// per transaction, so a rejected one leaves nothing), writes it with one
// (synced) db->Write and wakes the others with their results. Only the leader
// writes the log, aggregates, idempotency and route counters, so its reads of
// them are current.
#include "libs/eventstore/event_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/common/big_endian.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/eventstore/event_store_internal.h"
#include "libs/eventstore/projector.h"
#include "rocksdb/cache.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"

namespace lianxin {
namespace {

constexpr size_t kHashSize = 32;
// Bounds one group's batch (leveldb bounds its group by bytes; a count is
// enough here since commands are small).
constexpr size_t kMaxGroupTxns = 1000;

// Index into the handle vector; the names are the RocksDB column family names.
enum ColumnFamily : int {
  kDefaultCf,  // required by RocksDB, unused
  kLogCf,
  kAggregatesCf,
  kIndexesCf,
  kOutboxCf,
  kAppliedCf,
  kParkedCf,
  kQuarantineCf,
  kIdempotencyCf,
  kMetaCf,
  kByAggregateCf,
  kColumnFamilyCount,
};
constexpr const char* kColumnFamilyNames[kColumnFamilyCount] = {
    "default", "log",        "aggregates",  "indexes", "outbox",      "applied",
    "parked",  "quarantine", "idempotency", "meta",    "by_aggregate"};

// The first byte of an idempotency record that carries its expiry. Records
// without it (before expiry existed) were keyed by request_id alone and are
// never looked up again: the filter drops them.
constexpr char kIdempotencyFormat = '\x01';

std::string EncodeIdempotencyRecord(absl::Time expires_at, absl::string_view reply);

// The reply of a live record; nullopt if `record` has expired at `now` or is
// not in the current format.
std::optional<absl::string_view> LiveIdempotencyReply(absl::string_view record, absl::Time now);

// Drops expired idempotency records during RocksDB's compactions, so their
// removal costs no scan and takes no lock of the store.
class ExpiredIdempotencyFilter : public rocksdb::CompactionFilter {
 public:
  explicit ExpiredIdempotencyFilter(Clock* clock) : clock_(clock) {}
  bool Filter(int /*level*/, const rocksdb::Slice& /*key*/, const rocksdb::Slice& value,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    return !LiveIdempotencyReply(absl::string_view(value.data(), value.size()), clock_->Now())
                .has_value();
  }
  const char* Name() const override { return "lianxin.ExpiredIdempotencyFilter"; }

 private:
  Clock* const clock_;
};

constexpr char kLastSequenceKey[] = "last_sequence";
constexpr char kLastHashKey[] = "last_hash";
constexpr char kOutboxDeletedKey[] = "outbox_deleted";

ColumnFamily ToColumnFamily(Family family) {
  switch (family) {
    case Family::kIndexes:
      return kIndexesCf;
    case Family::kApplied:
      return kAppliedCf;
    case Family::kParked:
      return kParkedCf;
    case Family::kQuarantine:
      return kQuarantineCf;
  }
  return kIndexesCf;  // unreachable for valid enumerators
}

absl::string_view View(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

// The number in the first 8 bytes of `bytes` (an aggregate row holds its
// state after them); false if shorter.
bool DecodeBigEndian64(absl::string_view bytes, uint64_t* value) {
  if (bytes.size() < 8) return false;
  *value = *ParseBigEndian64(bytes.substr(0, 8));
  return true;
}

std::string EncodeIdempotencyRecord(absl::Time expires_at, absl::string_view reply) {
  return absl::StrCat(
      absl::string_view(&kIdempotencyFormat, 1),
      BigEndian64(static_cast<uint64_t>(std::max<int64_t>(absl::ToUnixMicros(expires_at), 0))),
      reply);
}

std::optional<absl::string_view> LiveIdempotencyReply(absl::string_view record, absl::Time now) {
  if (record.size() < 9 || record[0] != kIdempotencyFormat) return std::nullopt;
  uint64_t expires_micros = 0;
  if (!DecodeBigEndian64(record.substr(1, 8), &expires_micros)) return std::nullopt;
  if (absl::FromUnixMicros(static_cast<int64_t>(expires_micros)) <= now) return std::nullopt;
  return record.substr(9);
}

std::string RouteCounterKey(const std::string& destination, const std::string& aggregate_id) {
  return absl::StrCat("route/", destination, absl::string_view("\0", 1), aggregate_id);
}

// by_aggregate key: aggregate id, NUL, BE64(version) -> BE64(sequence).
std::string ByAggregatePrefix(const std::string& aggregate_id) {
  return absl::StrCat(aggregate_id, absl::string_view("\0", 1));
}

std::string EncodeAggregate(uint64_t version, const std::string& state) {
  return absl::StrCat(BigEndian64(version), state);
}

// RocksDB's own log, warnings and errors only, into the service's log (not a
// LOG file beside the data: on a full disk RocksDB 7.8 aborts on the next line
// it writes to a log file whose last write failed).
class RocksLogger : public rocksdb::Logger {
 public:
  RocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::WARN_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char line[1024];
    vsnprintf(line, sizeof(line), format, ap);
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      LogError("rocksdb", {{"message", line}});
    } else {
      LogWarning("rocksdb", {{"message", line}});
    }
  }
};

// Maps a RocksDB status to the abseil code a caller should act on.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsNotSupported()) return absl::UnimplementedError(message);
  if (s.IsNoSpace() || absl::StrContains(message, "No space left on device")) {
    // Retry once space is freed: the store resumes by itself (Write). The
    // file RocksDB names stays out of a reply (its own log has it).
    return absl::UnavailableError(absl::StrCat(what, ": the disk is full"));
  }
  return absl::UnavailableError(message);  // I/O error, busy, timed out, ...
}

std::string SerializeDeterministic(const google::protobuf::MessageLite& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeWithCachedSizes(&coded);
  }  // the coded stream flushes into `out` when destroyed
  return out;
}

std::string SerializeDeterministicFresh(const google::protobuf::MessageLite& message) {
  message.ByteSizeLong();  // fills the cached sizes SerializeWithCachedSizes uses
  return SerializeDeterministic(message);
}

// Builds the outbox row of a logged event: its service topic, one inbox copy per
// routed_to jurisdiction (route_version from `next_route_version(destination)`)
// and one delivery per also_to entry. Shared by Commit and RouteReplayer so both
// produce the same deliveries.
template <typename NextRouteVersion>
absl::StatusOr<OutboxRow> BuildOutboxRow(const Source& source, const Event& event,
                                         NextRouteVersion&& next_route_version) {
  OutboxRow row;
  *row.mutable_event() = event;
  row.add_deliveries()->set_topic(ServiceTopic(source));
  for (const std::string& destination : event.routed_to()) {
    ASSIGN_OR_RETURN(uint64_t route_version, next_route_version(destination));
    Delivery* delivery = row.add_deliveries();
    delivery->set_topic(InboxTopic(destination));
    delivery->set_route_version(route_version);
  }
  for (const ExtraTopic& extra : event.also_to()) {
    Delivery* delivery = row.add_deliveries();
    delivery->set_topic(extra.topic());
    delivery->set_key(extra.key());
  }
  return row;
}

const EVP_MD* Sha256() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) {
      std::fprintf(stderr, "event store: OpenSSL has no SHA256\n");
      std::abort();
    }
    return fetched;
  }();
  return md;
}

class RouteReplayerImpl : public EventStore::RouteReplayer {
 public:
  explicit RouteReplayerImpl(Source source) : source_(std::move(source)) {}

  OutboxRow Next(const Event& event) override {
    absl::StatusOr<OutboxRow> row =
        BuildOutboxRow(source_, event, [&](const std::string& destination) {
          return absl::StatusOr<uint64_t>(
              ++route_versions_[RouteCounterKey(destination, event.aggregate_id())]);
        });
    return *std::move(row);  // counting in memory cannot fail
  }

 private:
  const Source source_;
  absl::flat_hash_map<std::string, uint64_t> route_versions_;  // RouteCounterKey -> last
};

}  // namespace

// --- Transaction -------------------------------------------------------------

void Transaction::Append(std::string aggregate_id, uint64_t expected_version,
                         std::vector<Event> events, std::string new_state) {
  appends_.push_back(
      {std::move(aggregate_id), expected_version, std::move(events), std::move(new_state)});
}

void Transaction::Put(Family family, std::string key, std::string value) {
  writes_.push_back({family, std::move(key), std::move(value)});
}

void Transaction::Delete(Family family, std::string key) {
  writes_.push_back({family, std::move(key), std::nullopt});
}

void Transaction::AddToCounter(std::string key, int64_t delta) {
  writes_.push_back({Family::kIndexes, std::move(key), std::nullopt, delta});
}

void Transaction::SetIdempotencyKey(std::string key, std::string reply) {
  idempotency_.emplace(std::move(key), std::move(reply));
}

bool Transaction::empty() const {
  return appends_.empty() && writes_.empty() && !idempotency_.has_value();
}

// --- Topics and hashing ------------------------------------------------------

std::string ServiceTopic(const Source& source) {
  return absl::StrCat("lx.", source.jurisdiction(), ".", source.service(), ".v1");
}

std::string InboxTopic(const std::string& jurisdiction) {
  return absl::StrCat("lx.", jurisdiction, ".inbox.v1");
}

std::string CanonicalBytes(const Event& event) {
  Event canonical = event;
  canonical.clear_hash();
  canonical.clear_route_version();
  canonical.clear_signature();
  return SerializeDeterministicFresh(canonical);
}

std::string EncodeCounter(int64_t value) {
  const uint64_t bits = static_cast<uint64_t>(value);
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((bits >> (8 * i)) & 0xff);
  return bytes;
}

int64_t DecodeCounter(absl::string_view value) {
  if (value.size() != 8) return 0;
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= uint64_t{static_cast<unsigned char>(value[i])} << (8 * i);
  return static_cast<int64_t>(bits);
}

std::vector<std::pair<std::string, int64_t>> CountChanges(
    const std::vector<std::pair<std::string, int64_t>>& before,
    const std::vector<std::pair<std::string, int64_t>>& after) {
  std::map<std::string, int64_t> changes;
  for (const auto& [key, count] : before) changes[key] -= count;
  for (const auto& [key, count] : after) changes[key] += count;
  std::vector<std::pair<std::string, int64_t>> nonzero;
  for (const auto& [key, change] : changes) {
    if (change != 0) nonzero.emplace_back(key, change);
  }
  return nonzero;
}

absl::Status BuildCountersIfMissing(EventStore& store, const Projector& projector) {
  if (!projector.KeepsCounters()) return absl::OkStatus();
  absl::StatusOr<std::string> built = store.Get(Family::kIndexes, kCountersBuiltKey);
  if (built.ok()) return absl::OkStatus();
  if (!absl::IsNotFound(built.status())) return built.status();
  std::map<std::string, int64_t> sums;
  absl::Status failure = store.ScanAggregates([&](const std::string& id, const Aggregate& a) {
    for (const auto& [key, count] : projector.Counts(id, a.state)) sums[key] += count;
    return true;
  });
  RETURN_IF_ERROR(failure);
  Transaction txn;
  RETURN_IF_ERROR(store.ScanPrefix(Family::kIndexes, kCounterPrefix,
                                   [&](const std::string& key, const std::string&) {
                                     if (!sums.contains(key)) txn.Delete(Family::kIndexes, key);
                                     return true;
                                   }));
  for (const auto& [key, sum] : sums) txn.Put(Family::kIndexes, key, EncodeCounter(sum));
  txn.Put(Family::kIndexes, kCountersBuiltKey, "1");
  absl::StatusOr<CommitResult> committed = store.Commit(std::move(txn));
  if (absl::IsFailedPrecondition(committed.status())) return absl::OkStatus();  // read-only
  return committed.status();
}

std::string ComputeEventHash(const Event& event) {
  return ComputeEventHashOfCanonical(event.prev_hash(), CanonicalBytes(event));
}

std::string ComputeEventHashOfCanonical(absl::string_view prev_hash, absl::string_view canonical) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, Sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, prev_hash.data(), prev_hash.size()) == 1 &&
                  EVP_DigestUpdate(ctx, canonical.data(), canonical.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, digest, &digest_size) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || digest_size != kHashSize) {
    std::fprintf(stderr, "event store: SHA-256 failed\n");
    std::abort();  // OpenSSL's digest of memory does not fail
  }
  return std::string(reinterpret_cast<const char*>(digest), digest_size);
}

// --- StoredEntryChecker ------------------------------------------------------

namespace {

// A little-endian base-128 varint at bytes[*pos], at most 10 bytes.
bool ReadVarint(absl::string_view bytes, size_t* pos, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64 && *pos < bytes.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(bytes[(*pos)++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

// One top-level field of a serialized message: its number, wire type, the
// span it takes (tag included) and, for a length-delimited field, its value.
struct WireField {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  size_t begin = 0;
  size_t end = 0;
  uint64_t varint = 0;
  absl::string_view value;
};

// Reads the field at bytes[*pos] and moves *pos past it. false on bytes that
// are not a well-formed field (groups included: Event has none).
bool ReadField(absl::string_view bytes, size_t* pos, WireField* field) {
  field->begin = *pos;
  uint64_t tag = 0;
  if (!ReadVarint(bytes, pos, &tag) || tag > UINT32_MAX || (tag >> 3) == 0) return false;
  field->number = static_cast<uint32_t>(tag >> 3);
  field->wire_type = static_cast<uint32_t>(tag & 7);
  switch (field->wire_type) {
    case 0:
      if (!ReadVarint(bytes, pos, &field->varint)) return false;
      break;
    case 1:
    case 5: {
      const size_t width = field->wire_type == 1 ? 8 : 4;
      if (bytes.size() - *pos < width) return false;
      *pos += width;
      break;
    }
    case 2: {
      uint64_t length = 0;
      if (!ReadVarint(bytes, pos, &length) || length > bytes.size() - *pos) return false;
      field->value = bytes.substr(*pos, length);
      *pos += length;
      break;
    }
    default:
      return false;
  }
  field->end = *pos;
  return true;
}

// Event's field numbers the check reads or leaves out (events.proto).
constexpr uint32_t kSourceField = 2;
constexpr uint32_t kSequenceField = 5;
constexpr uint32_t kPrevHashField = 11;
constexpr uint32_t kHashField = 12;
constexpr uint32_t kRouteVersionField = 14;
constexpr uint32_t kSignatureField = 20;
constexpr uint32_t kSourceJurisdictionField = 1;
constexpr uint32_t kSourceServiceField = 2;

}  // namespace

StoredEntryChecker::StoredEntryChecker() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) {
    std::fprintf(stderr, "event store: out of memory for a digest context\n");
    std::abort();
  }
}

StoredEntryChecker::~StoredEntryChecker() { EVP_MD_CTX_free(ctx_); }

bool StoredEntryChecker::Check(absl::string_view bytes, StoredEntry* entry) {
  *entry = StoredEntry();
  // The spans left out of the hash: hash, route_version and signature, each
  // at most once (a repeated one goes to the exact check).
  std::pair<size_t, size_t> cuts[3];
  int cut_count = 0;
  bool seen[3] = {false, false, false};
  WireField field;
  for (size_t pos = 0; pos < bytes.size();) {
    if (!ReadField(bytes, &pos, &field)) return false;
    int cut = -1;
    switch (field.number) {
      case kSourceField: {
        if (field.wire_type != 2) return false;
        WireField inner;
        for (size_t at = 0; at < field.value.size();) {
          if (!ReadField(field.value, &at, &inner)) return false;
          if (inner.wire_type != 2) continue;
          if (inner.number == kSourceJurisdictionField) entry->jurisdiction = inner.value;
          if (inner.number == kSourceServiceField) entry->service = inner.value;
        }
        break;
      }
      case kSequenceField:
        if (field.wire_type != 0) return false;
        entry->sequence = field.varint;
        break;
      case kPrevHashField:
        if (field.wire_type != 2) return false;
        entry->prev_hash = field.value;
        break;
      case kHashField:
        if (field.wire_type != 2) return false;
        entry->hash = field.value;
        cut = 0;
        break;
      case kRouteVersionField:
        cut = 1;
        break;
      case kSignatureField:
        cut = 2;
        break;
      default:
        break;
    }
    if (cut >= 0) {
      if (seen[cut]) return false;
      seen[cut] = true;
      cuts[cut_count++] = {field.begin, field.end};
    }
  }
  if (entry->hash.size() != kHashSize) return false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  bool ok = EVP_DigestInit_ex(ctx_, Sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx_, entry->prev_hash.data(), entry->prev_hash.size()) == 1;
  size_t from = 0;  // the cuts come in the order of the bytes
  for (int i = 0; ok && i < cut_count; ++i) {
    ok = EVP_DigestUpdate(ctx_, bytes.data() + from, cuts[i].first - from) == 1;
    from = cuts[i].second;
  }
  ok = ok && EVP_DigestUpdate(ctx_, bytes.data() + from, bytes.size() - from) == 1 &&
       EVP_DigestFinal_ex(ctx_, digest, &digest_size) == 1;
  return ok && digest_size == kHashSize &&
         absl::string_view(reinterpret_cast<const char*>(digest), digest_size) == entry->hash;
}

// --- ChainVerifier -----------------------------------------------------------

ChainVerifier::ChainVerifier(std::optional<std::string> expected_prev_hash)
    : prev_hash_(std::move(expected_prev_hash)) {}

// After a break the verifier continues from the failing event (its stored hash
// and sequence), so later Adds report later breaks only.
absl::Status ChainVerifier::Add(const Event& event) {
  const uint64_t sequence = event.sequence();
  absl::Status status;
  if (sequence == 0) {
    status = absl::DataLossError(
        absl::StrCat("event chain broken: event \"", event.event_id(), "\" has no sequence"));
  } else if (last_sequence_ != 0 && sequence != last_sequence_ + 1) {
    status = absl::DataLossError(absl::StrCat("event chain broken at sequence ", last_sequence_ + 1,
                                              ": missing (the next event is ", "sequence ",
                                              sequence, ", event_id \"", event.event_id(), "\")"));
  } else if (sequence == 1 && event.prev_hash() != std::string(kHashSize, '\0')) {
    status =
        absl::DataLossError(absl::StrCat("event chain broken at sequence 1 (event_id \"",
                                         event.event_id(), "\"): prev_hash is not 32 zero bytes"));
  } else if (prev_hash_.has_value() && event.prev_hash() != *prev_hash_) {
    status = absl::DataLossError(
        absl::StrCat("event chain broken at sequence ", sequence, " (event_id \"", event.event_id(),
                     "\"): prev_hash does not match the previous event's hash"));
  } else if (ComputeEventHash(event) != event.hash()) {
    status = absl::DataLossError(absl::StrCat("event chain broken at sequence ", sequence,
                                              " (event_id \"", event.event_id(),
                                              "\"): hash does not match the event's content"));
  }
  last_sequence_ = sequence;
  prev_hash_ = event.hash();
  if (status.ok()) ++verified_;
  return status;
}

// --- EventStoreImpl ----------------------------------------------------------

class EventStoreImpl : public EventStore {
 public:
  EventStoreImpl(const EventStoreOptions& options, rocksdb::DB* db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles, uint64_t last_sequence,
                 std::string last_hash, absl::Time last_recorded_at, uint64_t outbox_deleted,
                 std::unique_ptr<ExpiredIdempotencyFilter> idempotency_filter)
      : source_(options.source),
        clock_(options.clock),
        idempotency_retention_(options.idempotency_retention),
        idempotency_filter_(std::move(idempotency_filter)),
        metrics_(options.metrics),
        signer_(options.signer),
        read_only_(options.read_only),
        db_(db),  // takes ownership
        handles_(std::move(handles)),
        last_sequence_(last_sequence),
        last_hash_(std::move(last_hash)),
        last_recorded_at_(last_recorded_at),
        outbox_deleted_(outbox_deleted) {
    write_options_.sync = options.sync;
  }

  ~EventStoreImpl() override {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    db_->Close().PermitUncheckedError();
  }  // db_ deletes the database object after the handles are gone

  absl::StatusOr<CommitResult> Commit(Transaction txn) override;
  absl::StatusOr<Aggregate> ReadAggregate(const std::string& aggregate_id) const override;
  absl::Status ScanAggregates(
      const std::function<bool(const std::string& aggregate_id, const Aggregate& aggregate)>& fn)
      const override;
  absl::StatusOr<std::string> LookupIdempotency(const std::string& key) const override;
  absl::StatusOr<std::string> Get(Family family, const std::string& key) const override;
  absl::Status ScanPrefix(Family family, const std::string& prefix,
                          const std::function<bool(const std::string& key,
                                                   const std::string& value)>& fn) const override;
  absl::Status ScanLog(uint64_t from_sequence,
                       const std::function<bool(const Event&)>& fn) const override;
  absl::Status ScanAggregate(const std::string& aggregate_id,
                             const std::function<bool(const Event&)>& fn) const override;
  absl::Status ScanLogRaw(
      uint64_t from_sequence, uint64_t to_sequence,
      const std::function<bool(uint64_t sequence, absl::string_view bytes)>& fn) const override;
  uint64_t LastSequence() const override;
  LogHead Head() const override {
    absl::MutexLock lock(&mu_);
    return LogHead{last_sequence_, last_hash_};
  }
  absl::Status Checkpoint(const std::string& dir) override;
  absl::Status AppendRecorded(const std::vector<Event>& events,
                              const Projector& projector) override;
  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> ReadOutbox(
      uint64_t after_sequence, size_t limit) const override;
  absl::Status DeleteOutbox(const std::vector<uint64_t>& sequences) override;
  absl::StatusOr<std::pair<uint64_t, absl::Time>> OutboxStats() const override;
  std::unique_ptr<RouteReplayer> NewRouteReplayer() const override {
    return std::make_unique<RouteReplayerImpl>(source_);
  }
  const Source& source() const override { return source_; }

  void TEST_FailNextWrites(int count) { fail_next_writes_.store(count); }

  // Writes `batch`. A write that failed (the disk full, an I/O error) leaves
  // RocksDB refusing writes with a background error. For a full disk RocksDB
  // recovers by itself once there is room (its SstFileManager polls the free
  // space); for other errors the next write resumes the database itself. So a
  // store whose disk has room again writes again without a restart; until
  // then every write fails with the first failure's reason, and reads work.
  rocksdb::Status Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch) {
    if (needs_resume_.load()) {
      absl::MutexLock lock(&resume_mu_);
      if (needs_resume_.load()) {
        // Busy while RocksDB's own recovery is under way.
        if (!db_->Resume().ok()) return write_failure_;
        needs_resume_.store(false);
        LogInfo("event store writes again after a failed write");
      }
    }
    rocksdb::Status s = db_->Write(options, batch);
    if (s.IsIOError() || s.IsNoSpace()) {
      absl::MutexLock lock(&resume_mu_);
      if (!needs_resume_.load()) write_failure_ = s;
      needs_resume_.store(true);
    }
    return s;
  }
  absl::Status TEST_CompactIdempotency() {
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    return FromRocks(db_->CompactRange(options, cf(kIdempotencyCf), nullptr, nullptr),
                     "compact idempotency records");
  }
  size_t TEST_CountIdempotencyRecords() const {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(kIdempotencyCf)));
    size_t count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
    return count;
  }
  bool TEST_AwaitQueuedCommits(size_t count, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto queued = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return writers_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&queued), timeout);
  }

 private:
  // One queued Commit call. `result` and `done` are written by the leader.
  struct Writer {
    explicit Writer(Transaction* t) : txn(t) {}
    Transaction* txn;
    absl::StatusOr<CommitResult> result;
    bool done = false;
    absl::Time group_started;  // when a leader took it into a group's write
    absl::CondVar cv;
  };

  // The end of the log: last sequence and its hash.
  struct ChainHead {
    uint64_t sequence;
    std::string hash;
    // The recorded_at of the last event: a commit records no earlier time,
    // whatever the clock says (a clock stepped back keeps the log's order).
    absl::Time recorded_at;
  };

  // What the transactions accepted so far in a group have changed, over the
  // database; a transaction's own changes are merged in only once it is accepted.
  struct Pending {
    ChainHead head;
    absl::flat_hash_map<std::string, uint64_t> versions;        // aggregate -> version
    absl::flat_hash_map<std::string, uint64_t> route_versions;  // RouteCounterKey -> last
    absl::flat_hash_map<std::string, std::string> replies;      // idempotency key -> reply
    absl::flat_hash_map<std::string, int64_t> counters;         // counter row -> value
  };

  rocksdb::ColumnFamilyHandle* cf(ColumnFamily family) const { return handles_[family]; }

  // Validates and commits `group` (the queue's front); sets every writer's
  // result and advances *head only if the group's write succeeded.
  void CommitGroup(const std::vector<Writer*>& group, ChainHead* head);
  // Validates `txn` against the database and `group`, stages its rows into
  // `batch` and merges its changes into `group`. On error `group` is unchanged
  // (the caller rolls `batch` back).
  absl::StatusOr<CommitResult> StageTransaction(Transaction& txn, absl::Time recorded_at,
                                                Pending* group, rocksdb::WriteBatch* batch);
  absl::StatusOr<uint64_t> StoredVersion(const std::string& aggregate_id) const;
  absl::StatusOr<uint64_t> StoredRouteVersion(const std::string& counter_key) const;
  absl::StatusOr<int64_t> StoredCounter(const std::string& key) const;

  const Source source_;
  Clock* const clock_;
  const absl::Duration idempotency_retention_;
  // Before db_: destroyed after the database that points to it is closed.
  const std::unique_ptr<ExpiredIdempotencyFilter> idempotency_filter_;
  Metrics* const metrics_;
  const EventSigner* const signer_;
  const bool read_only_;
  rocksdb::WriteOptions write_options_;
  const std::unique_ptr<rocksdb::DB> db_;
  const std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::atomic<int> fail_next_writes_{0};
  // A write failed: resume the database before the next one (Write).
  std::atomic<bool> needs_resume_{false};
  absl::Mutex resume_mu_;
  rocksdb::Status write_failure_ ABSL_GUARDED_BY(resume_mu_);  // what made it needed

  mutable absl::Mutex mu_;
  std::deque<Writer*> writers_ ABSL_GUARDED_BY(mu_);  // front = leader
  uint64_t last_sequence_ ABSL_GUARDED_BY(mu_);       // durable end of the log
  std::string last_hash_ ABSL_GUARDED_BY(mu_);
  absl::Time last_recorded_at_ ABSL_GUARDED_BY(mu_);  // of the last event
  std::atomic<bool> clock_behind_{false};

  // Serializes DeleteOutbox (read-check-delete of rows and the deleted counter).
  mutable absl::Mutex outbox_mu_;
  uint64_t outbox_deleted_ ABSL_GUARDED_BY(outbox_mu_);
  // Every outbox row below this sequence is known deleted: reads seek from here
  // instead of walking the tombstones of delivered rows.
  mutable std::atomic<uint64_t> outbox_floor_{1};
};

absl::StatusOr<uint64_t> EventStoreImpl::StoredVersion(const std::string& aggregate_id) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kAggregatesCf), aggregate_id, &value);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("read aggregate ", aggregate_id)));
  uint64_t version = 0;
  if (!DecodeBigEndian64(value, &version)) {
    return absl::DataLossError(absl::StrCat("aggregate ", aggregate_id, ": stored row too short"));
  }
  return version;
}

absl::StatusOr<uint64_t> EventStoreImpl::StoredRouteVersion(const std::string& counter_key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kMetaCf), counter_key, &value);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocks(s, "read route counter"));
  uint64_t route_version = 0;
  if (!DecodeBigEndian64(value, &route_version)) {
    return absl::DataLossError("route counter row too short");
  }
  return route_version;
}

absl::StatusOr<int64_t> EventStoreImpl::StoredCounter(const std::string& key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kIndexesCf), key, &value);
  if (s.IsNotFound()) return 0;
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("read counter ", key)));
  return DecodeCounter(value);
}

absl::StatusOr<CommitResult> EventStoreImpl::Commit(Transaction txn) {
  const absl::Time start = absl::Now();
  if (read_only_) {
    return absl::FailedPreconditionError("event store is open read-only: commit refused");
  }
  if (txn.empty()) return absl::InvalidArgumentError("transaction is empty");
  for (const Transaction::Appended& appended : txn.appends_) {
    if (appended.aggregate_id.empty()) {
      return absl::InvalidArgumentError("Append: aggregate_id is empty");
    }
    if (appended.events.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Append to aggregate ", appended.aggregate_id, ": no events"));
    }
    for (const Event& event : appended.events) {
      for (const std::string& destination : event.routed_to()) {
        if (destination.empty()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "Append to aggregate ", appended.aggregate_id, ": empty routed_to jurisdiction"));
        }
      }
      for (const ExtraTopic& extra : event.also_to()) {
        if (extra.topic().empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat("Append to aggregate ", appended.aggregate_id, ": empty also_to topic"));
        }
      }
    }
  }
  if (txn.idempotency_.has_value() && txn.idempotency_->first.empty()) {
    return absl::InvalidArgumentError("idempotency key is empty");
  }

  Writer writer(&txn);
  {
    absl::MutexLock lock(&mu_);
    writers_.push_back(&writer);
    while (!writer.done && writers_.front() != &writer) writer.cv.Wait(&mu_);
    if (!writer.done) {
      // This writer leads the queue's front into one write.
      const size_t group_size = std::min(writers_.size(), kMaxGroupTxns);
      std::vector<Writer*> group(writers_.begin(), writers_.begin() + group_size);
      const absl::Time group_started = absl::Now();
      for (Writer* member : group) member->group_started = group_started;
      ChainHead head{last_sequence_, last_hash_, last_recorded_at_};
      mu_.Unlock();  // new writers queue up behind us meanwhile
      CommitGroup(group, &head);
      mu_.Lock();
      last_sequence_ = head.sequence;
      last_hash_ = std::move(head.hash);
      last_recorded_at_ = head.recorded_at;
      for (Writer* member : group) {
        writers_.pop_front();
        member->done = true;
        if (member != &writer) member->cv.Signal();
      }
      if (!writers_.empty()) writers_.front()->cv.Signal();
    }
  }
  if (writer.result.ok() && metrics_ != nullptr) {
    const absl::Time end = absl::Now();
    metrics_->ObserveCommit(end - start);
    metrics_->ObserveCommandStage(kStageGroupCommitWait, writer.group_started - start);
    metrics_->ObserveCommandStage(kStageCommit, end - writer.group_started);
  }
  return std::move(writer.result);
}

void EventStoreImpl::CommitGroup(const std::vector<Writer*>& group, ChainHead* head) {
  Pending pending{*head, {}, {}, {}, {}};
  rocksdb::WriteBatch batch;
  const absl::Time now = clock_->Now();
  const absl::Time recorded_at = std::max(now, head->recorded_at);
  // Said once each time the clock falls behind, not at every commit.
  const bool behind = now < head->recorded_at - absl::Seconds(1);
  if (behind != clock_behind_.exchange(behind) && behind) {
    LogWarning(
        "the clock is behind the log: events keep the last recorded time until it catches up",
        {{"behind", absl::FormatDuration(head->recorded_at - now)}});
  }
  bool any_staged = false;
  for (Writer* writer : group) {
    batch.SetSavePoint();
    writer->result = StageTransaction(*writer->txn, recorded_at, &pending, &batch);
    rocksdb::Status s = writer->result.ok() && !writer->result->duplicate
                            ? batch.PopSavePoint()
                            : batch.RollbackToSavePoint();
    if (!s.ok()) {  // a save point was just set: cannot happen
      for (Writer* w : group) w->result = FromRocks(s, "event store: write batch save point");
      return;
    }
    if (writer->result.ok() && !writer->result->duplicate) any_staged = true;
  }
  if (!any_staged) return;  // only duplicates and rejections: nothing to write

  rocksdb::Status s;
  if (pending.head.sequence != head->sequence) {
    s = batch.Put(cf(kMetaCf), kLastSequenceKey, BigEndian64(pending.head.sequence));
    if (s.ok()) s = batch.Put(cf(kMetaCf), kLastHashKey, pending.head.hash);
  }
  for (const auto& [counter_key, route_version] : pending.route_versions) {
    if (s.ok()) s = batch.Put(cf(kMetaCf), counter_key, BigEndian64(route_version));
  }
  if (s.ok()) {
    if (fail_next_writes_.load() > 0 && fail_next_writes_.fetch_sub(1) > 0) {
      s = rocksdb::Status::IOError("injected write failure (TEST_FailNextWrites)");
    } else {
      s = Write(write_options_, &batch);
    }
  }
  if (!s.ok()) {
    const absl::Status failure = FromRocks(s, "event store write failed");
    const absl::Status unavailable = failure.code() == absl::StatusCode::kUnavailable
                                         ? failure
                                         : absl::UnavailableError(std::string(failure.message()));
    for (Writer* writer : group) {
      if (writer->result.ok()) writer->result = unavailable;
    }
    return;
  }
  *head = std::move(pending.head);
  head->recorded_at = recorded_at;
}

absl::StatusOr<CommitResult> EventStoreImpl::StageTransaction(Transaction& txn,
                                                              absl::Time recorded_at,
                                                              Pending* group,
                                                              rocksdb::WriteBatch* batch) {
  CommitResult result;
  if (txn.idempotency_.has_value()) {
    const std::string& key = txn.idempotency_->first;
    if (auto it = group->replies.find(key); it != group->replies.end()) {
      result.duplicate = true;
      result.reply = it->second;
      return result;
    }
    std::string record;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kIdempotencyCf), key, &record);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "read idempotency key");
    if (s.ok()) {
      // An expired record is as good as none: this commit takes the key anew.
      if (std::optional<absl::string_view> reply = LiveIdempotencyReply(record, recorded_at)) {
        result.duplicate = true;
        result.reply = std::string(*reply);
        return result;
      }
    }
  }

  // This transaction's changes, merged into *group once it is accepted.
  ChainHead head = group->head;
  absl::flat_hash_map<std::string, uint64_t> versions;
  absl::flat_hash_map<std::string, uint64_t> route_versions;
  absl::flat_hash_map<std::string, int64_t> counters;

  auto current_version = [&](const std::string& aggregate_id) -> absl::StatusOr<uint64_t> {
    if (auto it = versions.find(aggregate_id); it != versions.end()) return it->second;
    if (auto it = group->versions.find(aggregate_id); it != group->versions.end()) {
      return it->second;
    }
    return StoredVersion(aggregate_id);
  };

  bool markers_stamped = false;
  for (Transaction::Appended& appended : txn.appends_) {
    const std::string& aggregate_id = appended.aggregate_id;
    ASSIGN_OR_RETURN(uint64_t version, current_version(aggregate_id));
    if (version != appended.expected_version) {
      return absl::AbortedError(absl::StrCat("aggregate ", aggregate_id, ": expected version ",
                                             appended.expected_version, ", actual version ",
                                             version));
    }
    auto next_route_version = [&](const std::string& destination) -> absl::StatusOr<uint64_t> {
      const std::string counter_key = RouteCounterKey(destination, aggregate_id);
      uint64_t last = 0;
      if (auto it = route_versions.find(counter_key); it != route_versions.end()) {
        last = it->second;
      } else if (auto it = group->route_versions.find(counter_key);
                 it != group->route_versions.end()) {
        last = it->second;
      } else {
        ASSIGN_OR_RETURN(last, StoredRouteVersion(counter_key));
      }
      route_versions[counter_key] = last + 1;
      return last + 1;
    };
    for (Event& event : appended.events) {
      ++version;
      ++head.sequence;
      *event.mutable_source() = source_;
      event.set_aggregate_id(aggregate_id);
      event.set_version(version);
      event.set_sequence(head.sequence);
      event.set_event_id(
          absl::StrCat(source_.jurisdiction(), "-", source_.service(), "-", head.sequence));
      ToTimestamp(recorded_at, event.mutable_recorded_at());
      if (event.schema_version() == 0) event.set_schema_version(1);
      event.set_prev_hash(head.hash);
      event.clear_route_version();
      // Each inbox copy's route_version, stamped in the signed bytes so that a
      // copy replayed under another number is refused (the envelope's
      // route_version, set by the relay, is not covered).
      event.clear_routed_versions();
      for (const std::string& destination : event.routed_to()) {
        ASSIGN_OR_RETURN(uint64_t route_version, next_route_version(destination));
        event.add_routed_versions(route_version);
      }
      // The consumer markers of this commit ride on its first event, so a
      // restored store taking the event back takes them too.
      event.clear_applied_markers();
      if (!markers_stamped) {
        markers_stamped = true;
        for (const Transaction::Write& write : txn.writes_) {
          if (write.family != Family::kApplied || !write.value.has_value()) continue;
          AppliedMarker* marker = event.add_applied_markers();
          marker->set_key(write.key);
          marker->set_value(*write.value);
        }
      }
      event.clear_hash();
      event.clear_signature();
      event.clear_signing_key_id();
      std::string canonical;
      if (signer_ != nullptr) {
        // Signed once, here, over the bytes the hash covers (the key id included).
        ASSIGN_OR_RETURN(canonical, signer_->Sign(event));
      } else {
        canonical = CanonicalBytes(event);
      }
      event.set_hash(ComputeEventHashOfCanonical(event.prev_hash(), canonical));
      head.hash = event.hash();

      const std::string key = BigEndian64(head.sequence);
      int routed = 0;
      ASSIGN_OR_RETURN(
          OutboxRow row,
          BuildOutboxRow(source_, event, [&](const std::string&) -> absl::StatusOr<uint64_t> {
            return event.routed_versions(routed++);
          }));
      RETURN_IF_ERROR(FromRocks(batch->Put(cf(kLogCf), key, SerializeDeterministicFresh(event)),
                                "stage event"));
      RETURN_IF_ERROR(FromRocks(batch->Put(cf(kOutboxCf), key, SerializeDeterministicFresh(row)),
                                "stage outbox row"));
      RETURN_IF_ERROR(FromRocks(
          batch->Put(cf(kByAggregateCf),
                     absl::StrCat(ByAggregatePrefix(aggregate_id), BigEndian64(version)), key),
          "stage aggregate index"));
      result.events.push_back(std::move(event));
    }
    versions[aggregate_id] = version;
    RETURN_IF_ERROR(FromRocks(
        batch->Put(cf(kAggregatesCf), aggregate_id, EncodeAggregate(version, appended.new_state)),
        "stage aggregate"));
  }
  for (const Transaction::Write& write : txn.writes_) {
    rocksdb::ColumnFamilyHandle* family = cf(ToColumnFamily(write.family));
    if (write.delta.has_value()) {
      // Read, add, write: the group's leader stages one transaction at a time,
      // so the value is the database's or what earlier ones in the group left.
      int64_t value = 0;
      if (auto it = counters.find(write.key); it != counters.end()) {
        value = it->second;
      } else if (auto it = group->counters.find(write.key); it != group->counters.end()) {
        value = it->second;
      } else {
        ASSIGN_OR_RETURN(value, StoredCounter(write.key));
      }
      value = static_cast<int64_t>(static_cast<uint64_t>(value) +
                                   static_cast<uint64_t>(*write.delta));  // wraps, never UB
      counters[write.key] = value;
      RETURN_IF_ERROR(
          FromRocks(batch->Put(family, write.key, EncodeCounter(value)), "stage counter"));
      continue;
    }
    RETURN_IF_ERROR(FromRocks(write.value.has_value() ? batch->Put(family, write.key, *write.value)
                                                      : batch->Delete(family, write.key),
                              "stage row"));
  }
  if (txn.idempotency_.has_value()) {
    RETURN_IF_ERROR(
        FromRocks(batch->Put(cf(kIdempotencyCf), txn.idempotency_->first,
                             EncodeIdempotencyRecord(recorded_at + idempotency_retention_,
                                                     txn.idempotency_->second)),
                  "stage idempotency record"));
    result.reply = txn.idempotency_->second;
    group->replies[txn.idempotency_->first] = txn.idempotency_->second;
  }

  group->head = std::move(head);
  for (auto& [aggregate_id, version] : versions) group->versions[aggregate_id] = version;
  for (auto& [counter_key, last] : route_versions) group->route_versions[counter_key] = last;
  for (auto& [key, value] : counters) group->counters[key] = value;
  return result;
}

absl::StatusOr<Aggregate> EventStoreImpl::ReadAggregate(const std::string& aggregate_id) const {
  std::string value;
  RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), cf(kAggregatesCf), aggregate_id, &value),
                absl::StrCat("aggregate ", aggregate_id)));
  Aggregate aggregate;
  if (!DecodeBigEndian64(value, &aggregate.version)) {
    return absl::DataLossError(absl::StrCat("aggregate ", aggregate_id, ": stored row too short"));
  }
  aggregate.state = value.substr(8);
  return aggregate;
}

absl::StatusOr<std::string> EventStoreImpl::LookupIdempotency(const std::string& key) const {
  std::string record;
  RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), cf(kIdempotencyCf), key, &record),
                            "idempotency key"));
  std::optional<absl::string_view> reply = LiveIdempotencyReply(record, clock_->Now());
  if (!reply.has_value()) return absl::NotFoundError("idempotency key: expired");
  return std::string(*reply);
}

absl::StatusOr<std::string> EventStoreImpl::Get(Family family, const std::string& key) const {
  std::string value;
  RETURN_IF_ERROR(
      FromRocks(db_->Get(rocksdb::ReadOptions(), cf(ToColumnFamily(family)), key, &value),
                absl::StrCat(kColumnFamilyNames[ToColumnFamily(family)], " row")));
  return value;
}

absl::Status EventStoreImpl::ScanPrefix(
    Family family, const std::string& prefix,
    const std::function<bool(const std::string& key, const std::string& value)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ToColumnFamily(family))));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!fn(it->key().ToString(), it->value().ToString())) break;
  }
  return FromRocks(it->status(), "scan");
}

absl::Status EventStoreImpl::ScanAggregates(
    const std::function<bool(const std::string& aggregate_id, const Aggregate& aggregate)>& fn)
    const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(kAggregatesCf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    Aggregate aggregate;
    const absl::string_view value = View(it->value());
    if (!DecodeBigEndian64(value, &aggregate.version)) {
      return absl::DataLossError(
          absl::StrCat("aggregate ", View(it->key()), ": stored row too short"));
    }
    aggregate.state = std::string(value.substr(8));
    if (!fn(it->key().ToString(), aggregate)) break;
  }
  return FromRocks(it->status(), "scan aggregates");
}

absl::Status EventStoreImpl::ScanLogRaw(
    uint64_t from_sequence, uint64_t to_sequence,
    const std::function<bool(uint64_t sequence, absl::string_view bytes)>& fn) const {
  rocksdb::ReadOptions options;
  const std::string upper = BigEndian64(to_sequence);
  rocksdb::Slice upper_slice(upper);
  if (to_sequence != 0) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, cf(kLogCf)));
  for (it->Seek(BigEndian64(from_sequence)); it->Valid(); it->Next()) {
    uint64_t sequence = 0;
    if (it->key().size() != 8 || !DecodeBigEndian64(View(it->key()), &sequence)) {
      return absl::DataLossError("log key is not an 8-byte sequence");
    }
    if (!fn(sequence, View(it->value()))) break;
  }
  return FromRocks(it->status(), "scan log");
}

absl::Status EventStoreImpl::ScanLog(uint64_t from_sequence,
                                     const std::function<bool(const Event&)>& fn) const {
  absl::Status parse_error;
  RETURN_IF_ERROR(ScanLogRaw(from_sequence, 0, [&](uint64_t sequence, absl::string_view bytes) {
    Event event;
    if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      parse_error = absl::DataLossError(
          absl::StrCat("log entry at sequence ", sequence, " does not parse as an Event"));
      return false;
    }
    return fn(event);
  }));
  return parse_error;
}

absl::Status EventStoreImpl::ScanAggregate(const std::string& aggregate_id,
                                           const std::function<bool(const Event&)>& fn) const {
  const std::string prefix = ByAggregatePrefix(aggregate_id);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(kByAggregateCf)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string bytes;
    RETURN_IF_ERROR(FromRocks(db_->Get(rocksdb::ReadOptions(), cf(kLogCf), it->value(), &bytes),
                              "read event of aggregate"));
    Event event;
    if (!event.ParseFromString(bytes)) {
      return absl::DataLossError(
          absl::StrCat("an event of aggregate ", aggregate_id, " does not parse"));
    }
    if (!fn(event)) break;
  }
  return FromRocks(it->status(), "scan aggregate");
}

absl::Status EventStoreImpl::Checkpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush 0: every family is flushed first, so the copy needs
  // no WAL replay beyond what it holds.
  return FromRocks(checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0),
                   absl::StrCat("checkpoint into ", dir));
}

absl::Status EventStoreImpl::AppendRecorded(const std::vector<Event>& events,
                                            const Projector& projector) {
  if (read_only_) {
    return absl::FailedPreconditionError("event store is open read-only: append refused");
  }
  if (events.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  if (!writers_.empty()) {
    return absl::FailedPreconditionError(
        "commits are in flight: recorded events are appended before the store serves");
  }
  struct Touched {
    Aggregate aggregate;
    std::vector<std::pair<std::string, std::string>> rows_before;
    std::vector<std::pair<std::string, int64_t>> counts_before;
  };
  absl::flat_hash_map<std::string, Touched> touched;
  absl::flat_hash_map<std::string, uint64_t> route_versions;  // RouteCounterKey -> last
  ChainHead head{last_sequence_, last_hash_};
  rocksdb::WriteBatch batch;
  for (const Event& recorded : events) {
    Event event = recorded;
    event.clear_route_version();  // set on inbox copies only, never logged
    const std::string where = absl::StrCat("recorded event at sequence ", event.sequence(),
                                           " (event_id \"", event.event_id(), "\")");
    if (event.source().jurisdiction() != source_.jurisdiction() ||
        event.source().service() != source_.service()) {
      return absl::DataLossError(absl::StrCat(where, ": not of this log"));
    }
    if (event.sequence() != head.sequence + 1) {
      return absl::DataLossError(absl::StrCat(where, ": the log ends at sequence ", head.sequence));
    }
    if (event.prev_hash() != head.hash) {
      return absl::DataLossError(
          absl::StrCat(where, ": does not chain onto sequence ", head.sequence));
    }
    if (ComputeEventHash(event) != event.hash()) {
      return absl::DataLossError(absl::StrCat(where, ": hash does not match its content"));
    }
    const std::string& aggregate_id = event.aggregate_id();
    auto it = touched.find(aggregate_id);
    if (it == touched.end()) {
      Touched entry;
      absl::StatusOr<Aggregate> stored = ReadAggregate(aggregate_id);
      if (stored.ok()) {
        entry.aggregate = *std::move(stored);
        entry.rows_before = projector.IndexRows(aggregate_id, entry.aggregate.state);
        entry.counts_before = projector.Counts(aggregate_id, entry.aggregate.state);
      } else if (!absl::IsNotFound(stored.status())) {
        return stored.status();
      }
      it = touched.emplace(aggregate_id, std::move(entry)).first;
    }
    Aggregate& aggregate = it->second.aggregate;
    if (event.version() != aggregate.version + 1) {
      return absl::DataLossError(absl::StrCat(where, ": version ", event.version(),
                                              " of aggregate ", aggregate_id, " is at ",
                                              aggregate.version));
    }
    absl::StatusOr<std::string> state = projector.Evolve(aggregate.state, event);
    if (!state.ok()) {
      return absl::DataLossError(absl::StrCat(where, ": ", state.status().message()));
    }
    aggregate.state = *std::move(state);
    aggregate.version = event.version();

    auto next_route_version = [&](const std::string& destination) -> absl::StatusOr<uint64_t> {
      const std::string counter_key = RouteCounterKey(destination, aggregate_id);
      auto found = route_versions.find(counter_key);
      uint64_t last = 0;
      if (found != route_versions.end()) {
        last = found->second;
      } else {
        ASSIGN_OR_RETURN(last, StoredRouteVersion(counter_key));
      }
      return last + 1;
    };
    int routed = 0;
    ASSIGN_OR_RETURN(
        OutboxRow row,
        BuildOutboxRow(source_, event,
                       [&](const std::string& destination) -> absl::StatusOr<uint64_t> {
                         uint64_t route_version = 0;
                         if (event.routed_versions_size() == event.routed_to_size()) {
                           route_version = event.routed_versions(routed);
                         } else {
                           ASSIGN_OR_RETURN(route_version, next_route_version(destination));
                         }
                         ++routed;
                         route_versions[RouteCounterKey(destination, aggregate_id)] = route_version;
                         return route_version;
                       }));
    const std::string key = BigEndian64(event.sequence());
    rocksdb::Status s = batch.Put(cf(kLogCf), key, SerializeDeterministicFresh(event));
    if (s.ok()) s = batch.Put(cf(kOutboxCf), key, SerializeDeterministicFresh(row));
    if (s.ok()) {
      s = batch.Put(cf(kByAggregateCf),
                    absl::StrCat(ByAggregatePrefix(aggregate_id), BigEndian64(event.version())),
                    key);
    }
    for (const AppliedMarker& marker : event.applied_markers()) {
      if (s.ok()) s = batch.Put(cf(kAppliedCf), marker.key(), marker.value());
    }
    RETURN_IF_ERROR(FromRocks(s, "stage recorded event"));
    head.sequence = event.sequence();
    head.hash = event.hash();
  }
  rocksdb::Status s;
  std::map<std::string, int64_t> counter_changes;
  for (const auto& [aggregate_id, entry] : touched) {
    for (const auto& [counter, delta] :
         CountChanges(entry.counts_before, projector.Counts(aggregate_id, entry.aggregate.state))) {
      counter_changes[counter] += delta;
    }
    for (const auto& [row_key, value] : entry.rows_before) {
      if (s.ok()) s = batch.Delete(cf(kIndexesCf), row_key);
    }
    for (const auto& [row_key, value] : projector.IndexRows(aggregate_id, entry.aggregate.state)) {
      if (s.ok()) s = batch.Put(cf(kIndexesCf), row_key, value);
    }
    if (s.ok()) {
      s = batch.Put(cf(kAggregatesCf), aggregate_id,
                    EncodeAggregate(entry.aggregate.version, entry.aggregate.state));
    }
  }
  for (const auto& [key, change] : counter_changes) {  // no commit runs meanwhile
    if (!s.ok()) break;
    ASSIGN_OR_RETURN(int64_t stored, StoredCounter(key));
    s = batch.Put(cf(kIndexesCf), key,
                  EncodeCounter(static_cast<int64_t>(static_cast<uint64_t>(stored) +
                                                     static_cast<uint64_t>(change))));
  }
  for (const auto& [counter_key, route_version] : route_versions) {
    if (!s.ok()) break;
    ASSIGN_OR_RETURN(uint64_t stored, StoredRouteVersion(counter_key));
    if (route_version > stored) s = batch.Put(cf(kMetaCf), counter_key, BigEndian64(route_version));
  }
  if (s.ok()) s = batch.Put(cf(kMetaCf), kLastSequenceKey, BigEndian64(head.sequence));
  if (s.ok()) s = batch.Put(cf(kMetaCf), kLastHashKey, head.hash);
  RETURN_IF_ERROR(FromRocks(s, "stage recorded events"));
  rocksdb::WriteOptions options;
  options.sync = true;
  RETURN_IF_ERROR(FromRocks(Write(options, &batch), "append recorded events"));
  last_sequence_ = head.sequence;
  last_hash_ = std::move(head.hash);
  last_recorded_at_ = std::max(last_recorded_at_, FromTimestamp(events.back().recorded_at()));
  return absl::OkStatus();
}

uint64_t EventStoreImpl::LastSequence() const {
  absl::MutexLock lock(&mu_);
  return last_sequence_;
}

absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> EventStoreImpl::ReadOutbox(
    uint64_t after_sequence, size_t limit) const {
  std::vector<std::pair<uint64_t, OutboxRow>> rows;
  if (limit == 0) return rows;
  const uint64_t from = std::max(after_sequence + 1, outbox_floor_.load());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kOutboxCf)));
  for (it->Seek(BigEndian64(from)); it->Valid() && rows.size() < limit; it->Next()) {
    uint64_t sequence = 0;
    OutboxRow row;
    if (!DecodeBigEndian64(View(it->key()), &sequence) ||
        !row.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("outbox row does not parse");
    }
    rows.emplace_back(sequence, std::move(row));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "read outbox"));
  return rows;
}

absl::Status EventStoreImpl::DeleteOutbox(const std::vector<uint64_t>& sequences) {
  if (read_only_) {
    return absl::FailedPreconditionError("event store is open read-only: outbox delete refused");
  }
  std::vector<uint64_t> unique = sequences;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  if (unique.empty()) return absl::OkStatus();

  std::vector<std::string> keys;
  keys.reserve(unique.size());
  for (uint64_t sequence : unique) keys.push_back(BigEndian64(sequence));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());

  absl::MutexLock lock(&outbox_mu_);
  // Only rows still present count as deleted, so a repeated delete keeps the count exact.
  db_->MultiGet(rocksdb::ReadOptions(), cf(kOutboxCf), slices.size(), slices.data(), values.data(),
                statuses.data(), /*sorted_input=*/true);
  rocksdb::WriteBatch batch;
  uint64_t deleted = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    RETURN_IF_ERROR(FromRocks(statuses[i], "read outbox row"));
    RETURN_IF_ERROR(FromRocks(batch.Delete(cf(kOutboxCf), keys[i]), "stage outbox delete"));
    ++deleted;
  }
  if (deleted == 0) return absl::OkStatus();
  RETURN_IF_ERROR(
      FromRocks(batch.Put(cf(kMetaCf), kOutboxDeletedKey, BigEndian64(outbox_deleted_ + deleted)),
                "stage outbox counter"));
  rocksdb::WriteOptions options;
  options.sync = false;  // a lost delete only republishes
  RETURN_IF_ERROR(FromRocks(Write(options, &batch), "delete outbox rows"));
  outbox_deleted_ += deleted;
  return absl::OkStatus();
}

absl::StatusOr<std::pair<uint64_t, absl::Time>> EventStoreImpl::OutboxStats() const {
  const uint64_t appended = LastSequence();
  uint64_t deleted;
  {
    absl::MutexLock lock(&outbox_mu_);
    deleted = outbox_deleted_;
  }
  // A row can be deleted between its write and the leader's update of
  // last_sequence_, so the difference is clamped.
  const uint64_t count = appended > deleted ? appended - deleted : 0;
  if (count == 0) return std::make_pair(uint64_t{0}, clock_->Now());

  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kOutboxCf)));
  it->Seek(BigEndian64(outbox_floor_.load()));
  if (!it->Valid()) {
    RETURN_IF_ERROR(FromRocks(it->status(), "read outbox"));
    return std::make_pair(uint64_t{0}, clock_->Now());
  }
  uint64_t sequence = 0;
  OutboxRow row;
  if (!DecodeBigEndian64(View(it->key()), &sequence) ||
      !row.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
    return absl::DataLossError("outbox row does not parse");
  }
  uint64_t floor = outbox_floor_.load();
  while (floor < sequence && !outbox_floor_.compare_exchange_weak(floor, sequence)) {
  }
  return std::make_pair(count, FromTimestamp(row.event().recorded_at()));
}

// --- Open --------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const EventStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("EventStoreOptions.path is empty");
  if (options.source.jurisdiction().empty() || options.source.service().empty()) {
    return absl::InvalidArgumentError(
        "EventStoreOptions.source needs a jurisdiction and a service");
  }
  if (options.clock == nullptr)
    return absl::InvalidArgumentError("EventStoreOptions.clock is null");

  if (!options.read_only) {
    std::error_code error;
    std::filesystem::create_directories(options.path, error);
    if (error) {
      return absl::UnavailableError(
          absl::StrCat("create event store directory ", options.path, ": ", error.message()));
    }
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  db_options.keep_log_file_num = 4;
  db_options.info_log = std::make_shared<RocksLogger>();
  // Bounds the WAL kept alive by rarely written families, hence reopen time.
  db_options.max_total_wal_size = 256 << 20;
  // Memory: all memtables together, and one cache for data, index and filter
  // blocks (which otherwise stay in memory for every SST), bound what a
  // service holds however large its history (docs/benchmarks.md, memory).
  db_options.db_write_buffer_size = 64 << 20;
  // Commits look up aggregates, idempotency keys and route counters, mostly
  // missing for new ones: bloom filters keep those misses off the disk.
  rocksdb::BlockBasedTableOptions table_options;
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table_options.block_cache = rocksdb::NewLRUCache(64 << 20);
  table_options.cache_index_and_filter_blocks = true;
  table_options.pin_l0_filter_and_index_blocks_in_cache = true;
  // Partitioned filters and indexes: a point read loads one 4 KiB partition
  // of an SST's filter, not the whole filter (megabytes in a large county,
  // evicted from the bounded cache and read and checksummed again on the
  // next miss: what made GetMember grow with the county, docs/benchmarks.md).
  table_options.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table_options.partition_filters = true;
  table_options.metadata_block_size = 4096;
  table_options.cache_index_and_filter_blocks_with_high_priority = true;
  table_options.pin_top_level_index_and_filter = true;
  rocksdb::ColumnFamilyOptions family_options;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table_options));
  if (options.idempotency_retention <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("EventStoreOptions.idempotency_retention must be positive");
  }
  // Owned by the store, which closes the database before destroying it.
  auto filter = std::make_unique<ExpiredIdempotencyFilter>(options.clock);
  rocksdb::ColumnFamilyOptions idempotency_options = family_options;
  idempotency_options.compaction_filter = filter.get();
  // Files nobody writes to any more are compacted (and their expired records
  // dropped) at least this often.
  idempotency_options.periodic_compaction_seconds = 24 * 3600;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (int i = 0; i < kColumnFamilyCount; ++i) {
    descriptors.emplace_back(kColumnFamilyNames[i],
                             i == kIdempotencyCf ? idempotency_options : family_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, options.path, descriptors, &handles, &raw_db)
          : rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &raw_db);
  RETURN_IF_ERROR(FromRocks(s, absl::StrCat("open event store at ", options.path)));

  // Wraps the handles so an error below closes the database.
  auto close = [&] {
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      raw_db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    }
    raw_db->Close().PermitUncheckedError();
    delete raw_db;
  };
  auto read_meta = [&](const char* key, std::string* value) -> absl::Status {
    rocksdb::Status s = raw_db->Get(rocksdb::ReadOptions(), handles[kMetaCf], key, value);
    if (s.IsNotFound()) {
      value->clear();
      return absl::OkStatus();
    }
    return FromRocks(s, absl::StrCat("read meta ", key));
  };
  auto load = [&](uint64_t* last_sequence, std::string* last_hash, absl::Time* last_recorded_at,
                  uint64_t* outbox_deleted) -> absl::Status {
    std::string value;
    RETURN_IF_ERROR(read_meta(kLastSequenceKey, &value));
    *last_sequence = 0;
    if (!value.empty() && !DecodeBigEndian64(value, last_sequence)) {
      return absl::DataLossError("meta last_sequence is corrupt");
    }
    RETURN_IF_ERROR(read_meta(kLastHashKey, last_hash));
    if (last_hash->empty()) *last_hash = std::string(kHashSize, '\0');
    if (last_hash->size() != kHashSize) return absl::DataLossError("meta last_hash is corrupt");
    RETURN_IF_ERROR(read_meta(kOutboxDeletedKey, &value));
    *outbox_deleted = 0;
    if (!value.empty() && !DecodeBigEndian64(value, outbox_deleted)) {
      return absl::DataLossError("meta outbox_deleted is corrupt");
    }
    if (options.read_only) return absl::OkStatus();  // auditors diagnose with ChainVerifier
    // The log and meta are written in one batch, so their ends agree.
    std::unique_ptr<rocksdb::Iterator> it(
        raw_db->NewIterator(rocksdb::ReadOptions(), handles[kLogCf]));
    it->SeekToLast();
    uint64_t log_end = 0;
    if (it->Valid() && !DecodeBigEndian64(View(it->key()), &log_end)) {
      return absl::DataLossError("log key is not an 8-byte sequence");
    }
    RETURN_IF_ERROR(FromRocks(it->status(), "read log end"));
    if (log_end != *last_sequence) {
      return absl::DataLossError(absl::StrCat("event store at ", options.path,
                                              ": meta says the log ends at sequence ",
                                              *last_sequence, " but it ends at ", log_end));
    }
    // The last event's recorded time, which later commits do not go below (an
    // entry that does not parse leaves it to the clock; ChainWatch reports it).
    Event last;
    if (it->Valid() && last.ParseFromArray(it->value().data(), it->value().size())) {
      *last_recorded_at = FromTimestamp(last.recorded_at());
    }
    return absl::OkStatus();
  };
  uint64_t last_sequence = 0;
  std::string last_hash;
  absl::Time last_recorded_at = absl::InfinitePast();
  uint64_t outbox_deleted = 0;
  if (absl::Status status = load(&last_sequence, &last_hash, &last_recorded_at, &outbox_deleted);
      !status.ok()) {
    close();
    return status;
  }
  return std::unique_ptr<EventStore>(
      new EventStoreImpl(options, raw_db, std::move(handles), last_sequence, std::move(last_hash),
                         last_recorded_at, outbox_deleted, std::move(filter)));
}

// --- Test hooks --------------------------------------------------------------

void TEST_FailNextWrites(EventStore& store, int count) {
  static_cast<EventStoreImpl&>(store).TEST_FailNextWrites(count);
}

bool TEST_AwaitQueuedCommits(const EventStore& store, size_t count, absl::Duration timeout) {
  return static_cast<const EventStoreImpl&>(store).TEST_AwaitQueuedCommits(count, timeout);
}

absl::Status TEST_CompactIdempotency(EventStore& store) {
  return static_cast<EventStoreImpl&>(store).TEST_CompactIdempotency();
}

size_t TEST_CountIdempotencyRecords(const EventStore& store) {
  return static_cast<const EventStoreImpl&>(store).TEST_CountIdempotencyRecords();
}

}  // namespace lianxin
