// What lxaudit checks and rebuilds, independent of the command line:
// verifying a log's hash chain, replaying a log with a service's Projector,
// and comparing the rebuilt projection with the live one by per-aggregate
// digests.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<EventStore> live, OpenLog(dir, source));  // read-only
//   ASSIGN_OR_RETURN(VerifyResult verified, VerifyLog(*live, nullptr));
//   ASSIGN_OR_RETURN(Rebuilt rebuilt, ReplayLocalLog(*live, *projector, {}));
//   ASSIGN_OR_RETURN(ProjectionDigests digests, StoreRebuilt(rebuilt, *projector, scratch));
//   ASSIGN_OR_RETURN(Comparison c, CompareWithLive(*live, rebuilt, *projector));
//   c.differences  // empty when the live projection is the fold of its log
#ifndef LIANXIN_TOOLS_LXAUDIT_AUDIT_H_
#define LIANXIN_TOOLS_LXAUDIT_AUDIT_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/eventstore/event_store.h"
#include "libs/eventstore/projector.h"
#include "tools/lxaudit/progress.h"

namespace lianxin::lxaudit {

// Opens the log at `path` read-only (a snapshot as of the open; the service
// may keep writing). NOT_FOUND if there is no store there.
absl::StatusOr<std::unique_ptr<EventStore>> OpenLog(const std::string& path, const Source& source);

// ---- verify ----------------------------------------------------------------

// The first broken link of a log.
struct ChainBreak {
  uint64_t sequence = 0;
  std::string event_id;  // of the event at (or, for a missing one, after) the break
  std::string reason;
};

struct VerifyResult {
  uint64_t events = 0;         // events checked before the break (or all)
  uint64_t last_sequence = 0;  // the store's recorded end of the log
  std::string head_hash;       // hash of the last event checked
  std::optional<ChainBreak> broken;
};

// Walks the whole log: each entry parses, its key is its sequence, it belongs
// to the store's source, sequences run 1, 2, … without a gap up to the
// recorded end, and the hash chain holds (ChainVerifier). Stops at the first
// break. Errors only if the store cannot be read.
//
// An intact log is vouched for from the entries' bytes (StoredEntryChecker),
// cut into `threads` parts (0: one per core) checked at once; a log the fast
// path cannot vouch for is walked again entry by entry, which names the break.
absl::StatusOr<VerifyResult> VerifyLog(const EventStore& store, Progress* progress,
                                       int threads = 0);

// ---- replay ----------------------------------------------------------------

struct RebuiltAggregate {
  uint64_t version = 0;
  std::string state;
};
// Aggregate id -> rebuilt state.
using Rebuilt = absl::flat_hash_map<std::string, RebuiltAggregate>;

struct ReplayOptions {
  // Threads folding the log, each the aggregates of one shard (by a hash of
  // the id); each scans the whole log, decodes the aggregate id only, and
  // parses and folds its own events. 0 = the machine's cores.
  int threads = 0;
  // Counts scanned events (from one thread).
  Progress* progress = nullptr;
};

// Folds the store's whole log with the projector (Projector::NewFold, the
// same fold as Evolve), per aggregate in log order. INVALID_ARGUMENT if an
// event does not belong to the log (the projector refuses it, or its version
// is not the aggregate's next); DATA_LOSS if an entry does not parse.
absl::StatusOr<Rebuilt> ReplayLocalLog(const EventStore& store, const Projector& projector,
                                       const ReplayOptions& options);

// The same for events already read, in log order (from a topic: LogOrder).
absl::StatusOr<Rebuilt> ReplayEvents(const std::vector<Event>& events, const Projector& projector,
                                     const ReplayOptions& options);

// Events of a service topic as read (any order, duplicates allowed) put back
// in log order: deduplicated by sequence, FAILED_PRECONDITION if sequences
// 1..max are not all there or an event is not of `source`.
absl::StatusOr<std::vector<Event>> LogOrder(std::vector<Event> events, const Source& source);

// ---- digests ---------------------------------------------------------------

// SHA-256 of an aggregate's id, version, state and index rows (in key order).
std::string AggregateDigest(const std::string& aggregate_id, uint64_t version,
                            const std::string& state,
                            const std::vector<std::pair<std::string, std::string>>& rows);

struct ProjectionDigests {
  std::map<std::string, std::string> by_aggregate;  // id -> AggregateDigest
  uint64_t index_rows = 0;
  // The projection's counters (Projector::Counts summed over aggregates;
  // zeros left out), in key order.
  std::map<std::string, int64_t> counters;
  // SHA-256 over the (id, digest) pairs in id order, then the (counter, value)
  // pairs in key order, hex.
  std::string Total() const;
};

// The digests of `rebuilt`; when `scratch_path` is not empty, also writes the
// rebuilt projection there as a RocksDB (families "aggregates": id ->
// BE64(version) || state, and "indexes"), replacing what was there.
absl::StatusOr<ProjectionDigests> StoreRebuilt(const Rebuilt& rebuilt, const Projector& projector,
                                               const std::string& scratch_path);

struct Difference {
  std::string aggregate_id;  // "" for an index row no aggregate accounts for
  std::string what;
};

struct Comparison {
  ProjectionDigests live;
  std::vector<Difference> differences;
};

// The live projection's digests, per aggregate: its stored version and state,
// and the live index rows among those its live or rebuilt state implies; index
// rows outside UnreplayedIndexPrefixes that no aggregate implies are
// differences too, and so is every counter whose live value is not the sum
// of the rebuilt aggregates' Counts.
absl::StatusOr<Comparison> CompareWithLive(const EventStore& live, const Rebuilt& rebuilt,
                                           const Projector& projector);

// Lowercase hex.
std::string Hex(const std::string& bytes);

}  // namespace lianxin::lxaudit

#endif  // LIANXIN_TOOLS_LXAUDIT_AUDIT_H_
