// The education service's RocksDB view: each aggregate's EducationState and
// the query indexes derived from it, kept in the same Transaction as the
// events (libs/eventstore/projector.h: the state is the fold of Evolve over
// the aggregate's events; index rows are IndexKeysOf(id, state)).
//
// Index rows (Family::kIndexes, empty values):
//   co/<course_id>                      a course
//   se/<starts_at, 12 digits>/<session> a session, by start
//   le/<name>  pl/<name>                a registered lecturer, place
//   mh/<member_id>                      a member whose home is this county
//   pd/<left_on>/<member_id>            pre-departure education not given yet (R12)
//   pn/<plan_id>                        a seasonal plan
//
//   EducationProjection projection(store, "654322", settings);
//   Batch batch(projection);
//   ASSIGN_OR_RETURN(Batch::Pending* member, batch.Get(member_id));
//   batch.Add(member_id, event);
//   batch.Stage(txn);
#ifndef LIANXIN_SERVICES_EDUCATION_PROJECTION_H_
#define LIANXIN_SERVICES_EDUCATION_PROJECTION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lianxin/v1/events.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/command.h"
#include "services/education/domain/decider.h"

namespace lianxin::education {

// An aggregate's state and version (0: the aggregate does not exist).
using Loaded = ::lianxin::Loaded<lianxin::v1::EducationState>;

// The stored bytes of an aggregate's state: deterministic (a plan's map of
// session ids serializes in key order), so the live state and lxaudit's
// rebuilt one are byte for byte equal.
std::string SerializeState(const lianxin::v1::EducationState& state);

// The index keys of one aggregate's state, as `jurisdiction` keeps them.
std::set<std::string> IndexKeysOf(const std::string& aggregate_id,
                                  const lianxin::v1::EducationState& state,
                                  const std::string& jurisdiction);

class EducationProjection {
 public:
  // `store` is not owned and must outlive the projection.
  EducationProjection(EventStore* store, std::string jurisdiction, Settings settings);

  const std::string& jurisdiction() const { return jurisdiction_; }
  const Settings& settings() const { return settings_; }
  EventStore* store() const { return store_; }

  // The aggregate's state and version (version 0 and an empty state if none).
  absl::StatusOr<Loaded> Load(const std::string& aggregate_id) const;

  // Adds to `txn` the append of `events` to the aggregate (which must be at
  // before.version), its new state and the index rows that changed.
  void Stage(Transaction& txn, const std::string& aggregate_id, const Loaded& before,
             std::vector<lianxin::v1::Event> events,
             const lianxin::v1::EducationState& after) const;

  // Calls fn(key) for the index rows starting with `prefix`, from `start`
  // (a full key; empty = the prefix) in key order, until fn returns false.
  absl::Status ScanIndex(const std::string& prefix, const std::string& start,
                         const std::function<bool(const std::string& key)>& fn) const;

 private:
  EventStore* store_;
  std::string jurisdiction_;
  Settings settings_;
};

// The aggregates of `projection` (courses, sessions, calendars, members,
// plans: one EducationState each) as the command kernel loads, evolves and
// stages them.
AggregateKind<lianxin::v1::EducationState> Aggregates(const EducationProjection* projection);

// The education aggregates of one unit of work (libs/service/command.h):
// of the command kernel's, or of its own (a reaction staging into the
// consumer's transaction).
class Batch {
 public:
  using Pending = UnitOfWork::Pending<lianxin::v1::EducationState>;

  // A batch of its own unit of work; `projection` must outlive it.
  explicit Batch(const EducationProjection& projection);
  // A batch of `work`, with `kind`; neither is owned.
  Batch(UnitOfWork* work, const AggregateKind<lianxin::v1::EducationState>* kind)
      : work_(work), kind_(kind) {}

  absl::StatusOr<Pending*> Get(const std::string& aggregate_id) {
    return work_->Get(*kind_, aggregate_id);
  }
  // Adds an event (loading the aggregate if needed) and evolves its state.
  absl::StatusOr<Pending*> Add(const std::string& aggregate_id, lianxin::v1::Event event) {
    return work_->Add(*kind_, aggregate_id, std::move(event));
  }
  // Stages the unit's changes (UnitOfWork::Stage).
  void Stage(Transaction& txn) { work_->Stage(txn); }

 private:
  std::unique_ptr<UnitOfWork> owned_work_;
  std::unique_ptr<AggregateKind<lianxin::v1::EducationState>> owned_kind_;
  UnitOfWork* work_;
  const AggregateKind<lianxin::v1::EducationState>* kind_;
};

// "<jurisdiction>-<kind>-<16 hex of SHA-256(seed)>": ids of courses,
// sessions and plans, derived from the request id (or plan id) that made them.
std::string DerivedId(const std::string& jurisdiction, const std::string& kind,
                      const std::string& seed);

}  // namespace lianxin::education

#endif  // LIANXIN_SERVICES_EDUCATION_PROJECTION_H_
