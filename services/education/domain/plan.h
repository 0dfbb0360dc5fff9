// A seasonal training plan as recorded and committed (R12, R13): the plan the
// planner made turned into its record (PlanRecorded), and the commit policy
// (which planned sessions are scheduled, which members enrolled, what is
// skipped and why, PlanCommitted). Pure: the aggregates a commit reads and
// changes come through PlanAggregates (the command kernel's unit of work),
// time in the Context.
//
//   PlanSeasonalTrainingReply plan = PlanOf(plan_id, space, candidates, result);
//   Event recorded = PlanRecordedEvent(window_start, window_end, plan, ctx);
//   ...
//   RETURN_IF_ERROR(DecideCommitPlan(plan_id, work, ctx, &reply));
//
// The codes each Decide… returns besides OK, as its comment lists them:
// PERMISSION_DENIED this county has no say in it (not the member's home, not
// the receiving county…); NOT_FOUND what it names is not here; ALREADY_EXISTS
// it was done already; INVALID_ARGUMENT a value breaks a rule of its own (a
// date in the future, before another; the message names the field);
// FAILED_PRECONDITION the state forbids it now (the message names the rule).
#ifndef LIANXIN_SERVICES_EDUCATION_DOMAIN_PLAN_H_
#define LIANXIN_SERVICES_EDUCATION_DOMAIN_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lianxin/v1/education.pb.h"
#include "lianxin/v1/events.pb.h"
#include "services/education/domain/decider.h"
#include "services/education/domain/planner.h"

namespace lianxin::education {

// The planner's result as the plan recorded and replied: planned sessions
// ("<plan_id>/001", …), assignments and members left out, with readable reasons.
lianxin::v1::PlanSeasonalTrainingReply PlanOf(const std::string& plan_id,
                                              const CandidateSpace& space,
                                              const std::vector<Candidate>& candidates,
                                              const PlanResult& result);

// PlanRecorded for `plan`, drafted over [window_start, window_end].
lianxin::v1::Event PlanRecordedEvent(const std::string& window_start, const std::string& window_end,
                                     const lianxin::v1::PlanSeasonalTrainingReply& plan,
                                     const Context& ctx);

// The aggregates a commit reads and changes (courses, calendars, sessions,
// members, the plan), each by id, as of the events added so far.
class PlanAggregates {
 public:
  virtual ~PlanAggregates() = default;
  // The aggregate's state (an empty EducationState if it has none).
  virtual absl::StatusOr<const lianxin::v1::EducationState*> State(const std::string& id) = 0;
  // Adds an event to the aggregate and evolves its state.
  virtual absl::Status Add(const std::string& id, lianxin::v1::Event event) = 0;
  // The id of the session scheduled for a planned session.
  virtual std::string SessionId(const std::string& planned_id) const = 0;
};

// Commits plan `plan_id`: schedules each planned session whose course still
// exists and whose lecturer and place are free (else skipped), enrols each
// assigned member whose session was scheduled and who is still known, fits
// and has no clash (else skipped with the reason), then PlanCommitted; fills
// `reply`. Returns
//   NOT_FOUND            plan_id names no plan here;
//   FAILED_PRECONDITION  the plan is committed already;
// and passes on any other error of the aggregates or deciders (nothing is
// committed then).
absl::Status DecideCommitPlan(const std::string& plan_id, PlanAggregates& aggregates,
                              const Context& ctx, lianxin::v1::CommitPlanReply* reply);

}  // namespace lianxin::education

#endif  // LIANXIN_SERVICES_EDUCATION_DOMAIN_PLAN_H_
