// The durable, hash-chained event store of one service (RocksDB).
//
// Each lianxin service owns one EventStore. A command's whole effect — new
// events, projection updates, outbox rows, the idempotency record — goes into
// one Transaction, committed atomically as one RocksDB WriteBatch whose WAL
// entry is synced before Commit returns. Concurrent commits share one sync
// (group commit). Consumers commit the "applied" marker of a consumed event in
// the same Transaction as its effect.
//
//   EventStoreOptions options{.path = dir, .source = {"654322", "registry"}};
//   ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, EventStore::Open(options));
//   Transaction txn;
//   txn.SetIdempotencyKey(request_id, reply.SerializeAsString());
//   txn.Append(member_id, /*expected_version=*/3, {event}, new_state_bytes);
//   ASSIGN_OR_RETURN(CommitResult result, store->Commit(std::move(txn)));
//
// Column families: log (by sequence), aggregates (state + version), indexes
// (query indexes and consumed views), outbox, applied (consumer markers),
// parked (events waiting for a gap to fill), quarantine, idempotency, meta,
// by_aggregate (aggregate and version -> sequence).
#ifndef LIANXIN_LIBS_EVENTSTORE_EVENT_STORE_H_
#define LIANXIN_LIBS_EVENTSTORE_EVENT_STORE_H_

#include <openssl/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lianxin/v1/events.pb.h"
#include "libs/common/clock.h"
#include "libs/common/metrics.h"

namespace lianxin {

class Projector;  // projector.h

// The envelope messages of events.proto (package lianxin.v1), by short name.
using ::lianxin::v1::AppliedMarker;
using ::lianxin::v1::Delivery;
using ::lianxin::v1::Event;
using ::lianxin::v1::ExtraTopic;
using ::lianxin::v1::OutboxRow;
using ::lianxin::v1::QuarantineRow;
using ::lianxin::v1::Source;

// Column families a caller may read or write directly.
enum class Family {
  kIndexes,     // query indexes and views built from consumed events
  kApplied,     // consumer markers: key -> last applied gapless number (8 bytes BE)
  kParked,      // consumed events waiting for an earlier one
  kQuarantine,  // messages that could not be applied (QuarantineRow)
};

// Signs the events a store appends (libs/trust's Ed25519 county key is the
// real one). Called once per event inside Commit, on the committing thread.
class EventSigner {
 public:
  virtual ~EventSigner() = default;
  // Sets event.signing_key_id to the current key's id, then event.signature to
  // that key's signature over CanonicalBytes(event) (computed with the id set),
  // and returns those canonical bytes (the store hashes them). Thread-safe.
  virtual absl::StatusOr<std::string> Sign(Event& event) const = 0;
};

struct EventStoreOptions {
  // Directory of the RocksDB database; created if missing (unless read_only).
  std::string path;
  // The service log this store holds; stamped on every appended event.
  Source source;
  // Stamps recorded_at. Not owned; must outlive the store.
  Clock* clock = &RealClock();
  // Observes commit latency. Not owned; may be null.
  Metrics* metrics = nullptr;
  // Sync the WAL before acknowledging. Only benchmarks of the naive path turn it off.
  bool sync = true;
  // Open read-only (lxaudit, while the service runs). Commit then fails.
  bool read_only = false;
  // Signs every appended event; null = events carry no signature. Not owned.
  const EventSigner* signer = nullptr;
  // How long an idempotency record (Transaction::SetIdempotencyKey) answers,
  // from its commit by `clock`: after it the key is free again, and RocksDB
  // drops the record in its compactions (a compaction filter).
  absl::Duration idempotency_retention = absl::Hours(24 * 7);
};

// Counter rows of Family::kIndexes (projection counters, summed by RocksDB)
// have keys under this prefix; no other index row does.
inline constexpr char kCounterPrefix[] = "cnt/";

// A counter row's value: 8 bytes, little-endian two's complement. DecodeCounter
// returns 0 for a value of any other length.
std::string EncodeCounter(int64_t value);
int64_t DecodeCounter(absl::string_view value);

// The end of a log: its last sequence (0 if empty) and that event's hash (32
// zero bytes if empty).
struct LogHead {
  uint64_t sequence = 0;
  std::string hash;
};

// An aggregate's stored state.
struct Aggregate {
  uint64_t version = 0;  // number of events appended for it
  std::string state;     // the service's serialized state
};

// What one Transaction did once committed.
struct CommitResult {
  // True when the idempotency key had been committed before: nothing was
  // written, and `reply` is the first commit's reply.
  bool duplicate = false;
  std::string reply;
  // Sequences and events as appended (envelope filled in), in Append order.
  std::vector<Event> events;
};

// The writes of one command or one consumed event. Built by the caller, applied
// atomically by EventStore::Commit. Not thread-safe; move it into Commit.
class Transaction {
 public:
  // Appends `events` to `aggregate_id`, which must be at `expected_version`
  // (0 = the aggregate must not exist yet), else Commit returns ABORTED.
  // The store fills in source, aggregate_id, version, sequence, event_id,
  // recorded_at, prev_hash, hash and schema_version (if 0); the caller sets
  // type, occurred_at, actor, correlation_id, causation_id, routed_to, also_to
  // and the payload.
  // `new_state` replaces the aggregate's state (version becomes expected + n).
  // Each event with routed_to gets an outbox delivery to each named
  // jurisdiction's inbox with the next route_version for (destination, aggregate);
  // each also_to entry adds a delivery to that topic.
  void Append(std::string aggregate_id, uint64_t expected_version, std::vector<Event> events,
              std::string new_state);

  // Writes or deletes a row of a caller-managed family.
  void Put(Family family, std::string key, std::string value);
  void Delete(Family family, std::string key);

  // Adds `delta` to the counter row `key` of Family::kIndexes (a key under
  // kCounterPrefix; a missing row counts 0). Concurrent commits adding to the
  // same counter never conflict: the group commit reads, adds and writes each
  // counter in commit order (plain rows, readable by any RocksDB client).
  void AddToCounter(std::string key, int64_t delta);

  // Makes the commit idempotent under `key`: if a commit with the same key was
  // made before and has not expired (EventStoreOptions::idempotency_retention),
  // Commit writes nothing and returns that commit's reply.
  void SetIdempotencyKey(std::string key, std::string reply);

  bool empty() const;

 private:
  friend class EventStoreImpl;
  struct Appended {
    std::string aggregate_id;
    uint64_t expected_version;
    std::vector<Event> events;
    std::string new_state;
  };
  struct Write {
    Family family;
    std::string key;
    std::optional<std::string> value;  // nullopt = delete (unless a counter delta)
    std::optional<int64_t> delta;      // AddToCounter
  };
  std::vector<Appended> appends_;
  std::vector<Write> writes_;
  std::optional<std::pair<std::string, std::string>> idempotency_;
};

class EventStore {
 public:
  // Opens (creating it and its parent directories if needed) the store at
  // options.path. Does not replay the log: start-up cost is independent of
  // history length.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const EventStoreOptions& options);

  virtual ~EventStore() = default;

  // Applies `txn` atomically and durably (WAL synced before return).
  // Returns ABORTED if an expected_version does not match, UNAVAILABLE if
  // RocksDB refuses the write, FAILED_PRECONDITION if read-only. Thread-safe;
  // concurrent callers share one WAL sync.
  virtual absl::StatusOr<CommitResult> Commit(Transaction txn) = 0;

  // Returns the aggregate, or NOT_FOUND.
  virtual absl::StatusOr<Aggregate> ReadAggregate(const std::string& aggregate_id) const = 0;

  // Calls fn for every aggregate, in id order, until fn returns false (lxaudit
  // compares them with a replay of the log).
  virtual absl::Status ScanAggregates(
      const std::function<bool(const std::string& aggregate_id, const Aggregate& aggregate)>& fn)
      const = 0;

  // Returns the reply stored under an idempotency key, or NOT_FOUND (none, or
  // it expired).
  virtual absl::StatusOr<std::string> LookupIdempotency(const std::string& key) const = 0;

  // Reads one row of a caller-managed family, or NOT_FOUND.
  virtual absl::StatusOr<std::string> Get(Family family, const std::string& key) const = 0;

  // Calls fn(key, value) for the rows of `family` whose key starts with
  // `prefix`, in key order, until fn returns false.
  virtual absl::Status ScanPrefix(
      Family family, const std::string& prefix,
      const std::function<bool(const std::string& key, const std::string& value)>& fn) const = 0;

  // Calls fn for each event of the log with sequence >= from_sequence, in
  // order, until fn returns false.
  virtual absl::Status ScanLog(uint64_t from_sequence,
                               const std::function<bool(const Event&)>& fn) const = 0;

  // Calls fn for each event of one aggregate, in version order, until fn
  // returns false (an index kept at commit: no scan of the whole log).
  virtual absl::Status ScanAggregate(const std::string& aggregate_id,
                                     const std::function<bool(const Event&)>& fn) const = 0;

  // Calls fn(sequence, raw bytes) for each log entry with from_sequence <=
  // sequence < to_sequence (0: to the end of the log), in order, until fn
  // returns false; no parsing and no copy (`bytes` is valid during the call
  // only). For verification and benchmarks; safe from several threads.
  virtual absl::Status ScanLogRaw(
      uint64_t from_sequence, uint64_t to_sequence,
      const std::function<bool(uint64_t sequence, absl::string_view bytes)>& fn) const = 0;

  // The last appended sequence (0 if empty) and its hash.
  virtual uint64_t LastSequence() const = 0;
  virtual LogHead Head() const = 0;

  // Writes a consistent copy of the whole store, as of one commit boundary,
  // into `dir` (a RocksDB checkpoint: SST files hard-linked when `dir` is on
  // the same file system, the rest copied); `dir` must not exist. Commits go
  // on meanwhile. Open the copy with Open to read its Head().
  virtual absl::Status Checkpoint(const std::string& dir) = 0;

  // Appends events this store's log recorded before and lost (a store
  // restored from a backup taking back its later events from its service
  // topic), exactly as they were: events[0] must be Head().sequence + 1 and
  // chain onto Head().hash, each the next of its aggregate; their hashes must
  // hold. Each aggregate's state and index rows follow `projector` (the same
  // Evolve and IndexRows the service commits with); each event gets its outbox
  // row again (the same deliveries and route_versions) and the route counters
  // and applied markers it carries. One synced write. Returns DATA_LOSS naming
  // the first event that does not fit (nothing written), FAILED_PRECONDITION
  // while commits are in flight or if read-only.
  virtual absl::Status AppendRecorded(const std::vector<Event>& events,
                                      const Projector& projector) = 0;

  // Outbox: up to `limit` rows in sequence order, starting after `after_sequence`.
  virtual absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> ReadOutbox(
      uint64_t after_sequence, size_t limit) const = 0;
  // Deletes delivered outbox rows (not synced: a lost delete only republishes).
  virtual absl::Status DeleteOutbox(const std::vector<uint64_t>& sequences) = 0;
  // Number of rows in the outbox and recorded_at of the oldest one (the
  // clock's now when the outbox is empty, so its age reads as zero).
  virtual absl::StatusOr<std::pair<uint64_t, absl::Time>> OutboxStats() const = 0;

  // Rebuilds the outbox deliveries of a logged event (for republishing the
  // whole log): the same topics and route_versions as when first committed.
  // Callers scan the log in order and pass every event through.
  class RouteReplayer {
   public:
    virtual ~RouteReplayer() = default;
    virtual OutboxRow Next(const Event& event) = 0;
  };
  virtual std::unique_ptr<RouteReplayer> NewRouteReplayer() const = 0;

  virtual const Source& source() const = 0;
};

// Topic names (DESIGN.md, "Topics").
std::string ServiceTopic(const Source& source);           // lx.<jurisdiction>.<service>.v1
std::string InboxTopic(const std::string& jurisdiction);  // lx.<jurisdiction>.inbox.v1

// Bytes the hash and the signature cover: the event serialized
// deterministically with `hash`, `route_version` and `signature` cleared
// (events written before signing existed have the same bytes as then).
std::string CanonicalBytes(const Event& event);
// SHA-256(prev_hash || CanonicalBytes(event)).
std::string ComputeEventHash(const Event& event);
// SHA-256(prev_hash || canonical), for a caller that has the canonical bytes.
std::string ComputeEventHashOfCanonical(absl::string_view prev_hash, absl::string_view canonical);

// Checks a run of consecutive log events: each hash matches its content and
// each prev_hash equals the previous event's hash (the first event's prev_hash
// is trusted unless expected_prev_hash is given). Returns DATA_LOSS naming the
// first broken sequence and event id.
class ChainVerifier {
 public:
  explicit ChainVerifier(std::optional<std::string> expected_prev_hash = std::nullopt);
  absl::Status Add(const Event& event);
  uint64_t verified() const { return verified_; }

 private:
  std::optional<std::string> prev_hash_;
  uint64_t last_sequence_ = 0;
  uint64_t verified_ = 0;
};

// The chain fields of a stored log entry, read from its bytes.
struct StoredEntry {
  uint64_t sequence = 0;
  absl::string_view jurisdiction;  // of the source
  absl::string_view service;
  absl::string_view prev_hash;
  absl::string_view hash;
};

// Checks a stored log entry's own hash without parsing the Event: walks the
// entry's top-level fields, hashes prev_hash and the bytes of every field but
// hash, route_version and signature (the entry is stored serialized
// deterministically, so these are CanonicalBytes), and compares with the
// stored hash. The fast path of a whole-log check: an entry it cannot vouch
// for (false: bytes it does not understand, or a hash that does not match)
// goes to ChainVerifier over the parsed Event, which decides and names the
// break. Not thread-safe; one per thread.
//
//   StoredEntryChecker checker;
//   StoredEntry entry;
//   if (!checker.Check(bytes, &entry)) ...exact check...
class StoredEntryChecker {
 public:
  StoredEntryChecker();
  ~StoredEntryChecker();
  StoredEntryChecker(const StoredEntryChecker&) = delete;
  StoredEntryChecker& operator=(const StoredEntryChecker&) = delete;

  // true iff `bytes` is well formed at the top level and hashes to its stored
  // hash; *entry's views point into `bytes`.
  bool Check(absl::string_view bytes, StoredEntry* entry);

 private:
  EVP_MD_CTX* ctx_;  // reused from one entry to the next
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_EVENTSTORE_EVENT_STORE_H_
