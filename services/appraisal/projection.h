// The appraisal service's RocksDB view: each aggregate's state (a member's
// AppraisalMemberFacts or a cycle's AppraisalCycleFacts) and the query index
// rows derived from it, written in the same Transaction as the events.
//
// Index rows (Family::kIndexes), all IndexRows(aggregate id, state):
//   hm/<member_id>                  a member this county appraises (home, not transferred out)
//   gr/<cycle_id>/<member_id>       the member's grade in a cycle (value: grade number)
//   nt/<year>/<member_id>           an appraisal notice of that year (sent or received)
//   pb/<due YYYY-MM-DD>/<member_id> an undecided probation (R11) and its end
//   cy/<cycle_id>                   an opened cycle
//
//   AppraisalProjection projection(store, "654322", settings);
//   ASSIGN_OR_RETURN(std::optional<LoadedMember> m, projection.Load(member_id));
#ifndef LIANXIN_SERVICES_APPRAISAL_PROJECTION_H_
#define LIANXIN_SERVICES_APPRAISAL_PROJECTION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lianxin/v1/events.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/command.h"
#include "services/appraisal/domain/decider.h"

namespace lianxin::appraisal {

struct LoadedMember {
  std::string member_id;
  AppraisalMemberFacts facts;
  uint64_t version = 0;
};

struct LoadedCycle {
  AppraisalCycleFacts facts;
  uint64_t version = 0;
};

// The index rows of an aggregate's state as seen by `jurisdiction`, in key
// order: the one function both the service and the Projector use.
std::map<std::string, std::string> IndexRowsOf(const std::string& jurisdiction,
                                               const Settings& settings,
                                               const std::string& aggregate_id,
                                               const std::string& state);

class AppraisalProjection {
 public:
  // `store` is not owned and must outlive the projection.
  AppraisalProjection(EventStore* store, std::string jurisdiction, Settings settings);

  const std::string& jurisdiction() const { return jurisdiction_; }
  const Settings& settings() const { return settings_; }
  EventStore* store() const { return store_; }

  // The member's state and version, or nullopt if nothing was recorded.
  absl::StatusOr<std::optional<LoadedMember>> Load(const std::string& member_id) const;
  absl::StatusOr<std::optional<LoadedCycle>> LoadCycle(const std::string& cycle_id) const;

  // Adds to `txn` the append of `events` (in order) to the member, which must
  // be at `before.version`, with the folded state and the index rows that
  // changed. Returns the state after.
  AppraisalMemberFacts Stage(Transaction& txn, const LoadedMember& before,
                             std::vector<lianxin::v1::Event> events) const;
  // The same with the state after already folded (the command kernel).
  void StageMember(Transaction& txn, const std::string& member_id,
                   const Loaded<AppraisalMemberFacts>& before,
                   std::vector<lianxin::v1::Event> events, const AppraisalMemberFacts& after) const;
  // The same for a cycle.
  void StageCycle(Transaction& txn, const std::string& cycle_id, const LoadedCycle& before,
                  std::vector<lianxin::v1::Event> events) const;

  // Calls fn for each member this county appraises, in member id order,
  // until fn returns false.
  absl::Status ScanAppraised(const std::function<bool(const LoadedMember&)>& fn) const;
  // Members with a notice of `year` (sent or received).
  absl::Status ScanNoticed(int year, const std::function<bool(const LoadedMember&)>& fn) const;
  // Members whose probation ends on or before `as_of`.
  absl::Status ScanProbationDue(absl::CivilDay as_of,
                                const std::function<bool(const LoadedMember&)>& fn) const;
  // The number of EXCELLENT grades in a cycle, `except` a member (may be empty).
  absl::StatusOr<int> CountExcellent(const std::string& cycle_id, const std::string& except) const;
  // The grades of a cycle of `year` (R7), `except` a member (may be empty):
  // EXCELLENT grades and members appraised (CountsAsAppraised).
  absl::StatusOr<CycleGrades> CountGrades(const std::string& cycle_id, int year,
                                          const std::string& except) const;

 private:
  void StageRows(Transaction& txn, const std::string& aggregate_id, const std::string& before,
                 const std::string& after) const;
  absl::Status ScanMembers(const std::string& prefix,
                           const std::function<std::string(const std::string& key)>& member_of,
                           const std::function<bool(const std::string& key)>& stop,
                           const std::function<bool(const LoadedMember&)>& fn) const;

  EventStore* store_;
  std::string jurisdiction_;
  Settings settings_;
};

// The members and the cycles of `projection` as the command kernel loads,
// evolves and stages them (none recorded: version 0). A member's events are
// folded with this county's source when they have none yet.
AggregateKind<AppraisalMemberFacts> MemberAggregates(const AppraisalProjection* projection);
AggregateKind<AppraisalCycleFacts> CycleAggregates(const AppraisalProjection* projection);

}  // namespace lianxin::appraisal

#endif  // LIANXIN_SERVICES_APPRAISAL_PROJECTION_H_
