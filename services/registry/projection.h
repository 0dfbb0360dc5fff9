// The registry's RocksDB view: member facts (the aggregate state) and the
// query indexes derived from them, kept in the same Transaction as the events.
//
// Index rows (Family::kIndexes), all derived from one member's facts by
// IndexKeys, so a change rewrites exactly the rows that differ:
//   st/<status, 2 digits>/<member_id>       the status this county sees
//   lt/<receipt due YYYY-MM-DD>/<member_id> a pending transfer (R9)
//   cc/<check due>/<member_id>              the next certificate check (R8)
//   r2/<due>/<member_id>                    certificate or transfer due (R2)
//   id/<id hash>                            identity claims (R18), see IdentityClaim
//
// Counter rows (kCounterPrefix, summed over members, changed in the same
// Transaction; CountsOf says what one member adds): what GetStatistics
// reports, without reading the members.
//
//   RegistryProjection projection(store, "654322", settings);
//   ASSIGN_OR_RETURN(std::optional<LoadedMember> m, projection.Load(member_id));
#ifndef LIANXIN_SERVICES_REGISTRY_PROJECTION_H_
#define LIANXIN_SERVICES_REGISTRY_PROJECTION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/events.pb.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/command.h"
#include "services/registry/domain/reactions.h"
#include "services/registry/domain/rules.h"

namespace lianxin::registry {

struct LoadedMember {
  lianxin::v1::MemberFacts facts;
  uint64_t version = 0;
};

class RegistryProjection {
 public:
  // `store` is not owned and must outlive the projection.
  RegistryProjection(EventStore* store, std::string jurisdiction, Settings settings);

  const std::string& jurisdiction() const { return jurisdiction_; }
  const Settings& settings() const { return settings_; }
  EventStore* store() const { return store_; }

  // The member's facts and version, or nullopt if this county has no record.
  absl::StatusOr<std::optional<LoadedMember>> Load(const std::string& member_id) const;

  // Adds to `txn` the append of `events` to the member (which must be at
  // `expected_version`) with its new facts, and the index rows that changed.
  void Stage(Transaction& txn, const std::string& member_id, uint64_t expected_version,
             const lianxin::v1::MemberFacts& before, std::vector<lianxin::v1::Event> events,
             const lianxin::v1::MemberFacts& after) const;

  // The index keys of a member's facts as seen by this county.
  std::set<std::string> IndexKeys(const lianxin::v1::MemberFacts& facts) const;

  absl::StatusOr<std::optional<IdentityClaim>> FindIdentity(const std::string& id_hash) const;
  void PutIdentity(Transaction& txn, const std::string& id_hash, const IdentityClaim& claim) const;

  // The full birth date of a member registered here ("" if none is kept: a
  // member of another county, or one whose event still carries it).
  absl::StatusOr<std::string> BirthDate(const std::string& member_id) const;
  // Keeps it, in the commit that registers the member (never in the log).
  void PutBirthDate(Transaction& txn, const std::string& member_id,
                    const std::string& birth_date) const;

  // Calls fn for members with one of `statuses`, in (status, member id) order,
  // starting after `after_key` (a key from a previous call; empty = start),
  // until fn returns false. fn receives the index key and the facts.
  absl::Status ScanByStatus(
      const std::vector<lianxin::v1::MemberStatus>& statuses, const std::string& after_key,
      const std::function<bool(const std::string& key, const LoadedMember&)>& fn) const;

  // Calls fn for members whose `prefix` ("lt/", "cc/", "r2/") due date is
  // before `as_of`, in due-date order.
  absl::Status ScanDueBefore(const std::string& prefix, absl::CivilDay as_of,
                             const std::function<bool(const LoadedMember&)>& fn) const;

  // GetStatistics as of `today`, from the counter rows (no member is read).
  absl::StatusOr<lianxin::v1::GetStatisticsReply> Statistics(absl::CivilDay today) const;

 private:
  EventStore* store_;
  std::string jurisdiction_;
  Settings settings_;
};

// The members of `projection` as the command kernel loads, evolves and
// stages them (a member never recorded loads as version 0).
AggregateKind<lianxin::v1::MemberFacts> MemberAggregates(const RegistryProjection* projection);

// The prefix of identity claims (R18): views of lx.identity.v1, not of the log.
inline constexpr char kIdentityIndexPrefix[] = "id/";
// The prefix of the full birth dates a home registry keeps: personal data that
// stays in this store, never in the log or on Kafka (so not replayed).
inline constexpr char kBirthDateIndexPrefix[] = "pd/";

// The index keys of a member's facts as seen by `jurisdiction`: what
// RegistryProjection::IndexKeys returns, callable without a store (the
// registry's Projector, lxaudit).
std::set<std::string> IndexKeysOf(const lianxin::v1::MemberFacts& facts,
                                  const std::string& jurisdiction, const Settings& settings);

// What one member's facts add to the registry's counters as `jurisdiction`
// sees them (keys under kCounterPrefix, each with 1). Certificate holders are
// counted by the valid_until day ("cnt/cert/<YYYY-MM-DD>"), so that holders
// valid on a day are a range of counters, not a scan of members.
std::vector<std::pair<std::string, int64_t>> CountsOf(const lianxin::v1::MemberFacts& facts,
                                                      const std::string& jurisdiction);

// GetStatistics as of `today` from the counter rows (`counters`: key and
// count, as stored).
lianxin::v1::GetStatisticsReply StatisticsFromCounters(
    const std::vector<std::pair<std::string, int64_t>>& counters, absl::CivilDay today);

// The statuses a Direction covers (DIRECTION_ALL: every status).
std::vector<lianxin::v1::MemberStatus> StatusesOf(lianxin::v1::Direction direction);

// The API view of a member as `jurisdiction` sees it; `home_birth_date` is
// the full date the home keeps (RegistryProjection::BirthDate), shown only
// where the member's home answers.
lianxin::v1::Member ToMember(const lianxin::v1::MemberFacts& facts, uint64_t version,
                             const std::string& jurisdiction,
                             const std::string& home_birth_date = "");

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_PROJECTION_H_
