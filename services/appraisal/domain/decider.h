// The appraisal decider: decide(state, command) -> events and evolve(state,
// event) -> state. No I/O, no clock. The pure views built from a member's
// state (evidence, lapse runs, arrears, probation) are in views.h.
//
// A member's state is AppraisalMemberFacts (events.proto): the fold of the
// registry, contact and education events this log recorded from the county's
// topics and of the appraisal's own events. A cycle's state is
// AppraisalCycleFacts.
//
//   Context ctx{.jurisdiction = "654322", .now = clock.Now(), .today = today, .actor = "op-1"};
//   ASSIGN_OR_RETURN(Events events, DecideSetDuesBase(facts, request, ctx, settings));
//   for (const Event& e : events) facts = Evolve(std::move(facts), e);
//
// The codes each Decide… returns besides OK, as its comment lists them:
// PERMISSION_DENIED this county has no say in it (not the member's home, not
// the receiving county…); NOT_FOUND what it names is not here; ALREADY_EXISTS
// it was done already; INVALID_ARGUMENT a value breaks a rule of its own (a
// date in the future, before another; the message names the field);
// FAILED_PRECONDITION the state forbids it now (the message names the rule).
#ifndef LIANXIN_SERVICES_APPRAISAL_DOMAIN_DECIDER_H_
#define LIANXIN_SERVICES_APPRAISAL_DOMAIN_DECIDER_H_

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lianxin/v1/appraisal.pb.h"
#include "lianxin/v1/events.pb.h"
#include "libs/domain/decision.h"
#include "services/appraisal/domain/rules.h"
#include "services/appraisal/domain/views.h"

namespace lianxin::appraisal {

using ::lianxin::Events;
using lianxin::v1::AppraisalCycleFacts;
using lianxin::v1::AppraisalMemberFacts;

// Who decides, where and when (libs/domain/decision.h).
using Context = ::lianxin::DecisionContext;

// "cycle-<jurisdiction>-<year>".
std::string CycleId(const std::string& jurisdiction, int year);
// Whether an aggregate id names a cycle (else a member).
bool IsCycleId(const std::string& aggregate_id);

// The member's organization relationship is in `jurisdiction` (home, not
// transferred out) and the membership has not ended: this county appraises
// the member.
bool IsAppraisedBy(const AppraisalMemberFacts& facts, const std::string& jurisdiction);
// The county the member is in while away (empty when at home).
std::string WhereAway(const AppraisalMemberFacts& facts);

// Applies one event of the member's aggregate. Unknown payloads leave the
// state unchanged.
AppraisalMemberFacts Evolve(AppraisalMemberFacts facts, const lianxin::v1::Event& event);
AppraisalCycleFacts EvolveCycle(AppraisalCycleFacts facts, const lianxin::v1::Event& event);

// R7: the cycle event (aggregate: the cycle) and one notice per member,
// routed to the county where a member away is (if it runs lianxin).
// `members` are (member id, facts) of the members appraised here.
struct OpenedCycle {
  lianxin::v1::Event cycle_event;
  std::vector<std::pair<std::string, lianxin::v1::Event>> notices;
  uint32_t away = 0;
};
// Returns ALREADY_EXISTS.
absl::StatusOr<OpenedCycle> DecideOpenCycle(
    int year, bool already_open,
    const std::vector<std::pair<std::string, AppraisalMemberFacts>>& members, const Context& ctx,
    const Settings& settings);

// R7: the members of a cycle appraised in it: graded there, or notified and
// still appraised by `jurisdiction` (not transferred out, not lost contact).
// A member notified who has since left the county is not appraised here.
bool CountsAsAppraised(const AppraisalMemberFacts& facts, const std::string& cycle_id,
                       const std::string& jurisdiction);

// R8: the activity certificate is checked yearly with the appraisal. For a
// member away holding one: "DUE" when its yearly check is overdue as of
// `as_of` (12 months after the last check or the issue), else the day of the
// last check ("" before the first is due); "" for a member holding none.
std::string CertificateYearlyCheck(const AppraisalMemberFacts& facts, absl::CivilDay as_of);

// The grades of the other members of a cycle, for the one-third rule (R7).
struct CycleGrades {
  // Others graded EXCELLENT.
  int excellent = 0;
  // Others appraised (CountsAsAppraised), graded or not yet.
  int appraised = 0;
};

// R7: a grade once per member per cycle; EXCELLENT within one third of the
// members appraised in the cycle (`others` and this member). R8: not while
// the member's certificate yearly check is overdue (CertificateYearlyCheck).
// Returns PERMISSION_DENIED, NOT_FOUND, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordAppraisal(const AppraisalMemberFacts& facts,
                                             const AppraisalCycleFacts& cycle,
                                             const lianxin::v1::RecordAppraisalRequest& request,
                                             const CycleGrades& others, const Context& ctx,
                                             const Settings& settings);
// Returns PERMISSION_DENIED, NOT_FOUND, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideCorrectAppraisal(const AppraisalMemberFacts& facts,
                                              const AppraisalCycleFacts& cycle,
                                              const lianxin::v1::CorrectAppraisalRequest& request,
                                              const CycleGrades& others, const Context& ctx,
                                              const Settings& settings);

// R10.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideSetDuesBase(const AppraisalMemberFacts& facts,
                                         const lianxin::v1::SetDuesBaseRequest& request,
                                         const Context& ctx, const Settings& settings);
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordDuesPayment(const AppraisalMemberFacts& facts,
                                               const lianxin::v1::RecordDuesPaymentRequest& request,
                                               const Context& ctx, const Settings& settings);

// Returns PERMISSION_DENIED, INVALID_ARGUMENT.
absl::StatusOr<Events> DecideRecordOrganizationLife(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordOrganizationLifeRequest& request,
    const Context& ctx);
// Returns PERMISSION_DENIED, INVALID_ARGUMENT.
absl::StatusOr<Events> DecideRecordAssignedWork(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordAssignedWorkRequest& request,
    const Context& ctx);
// Returns PERMISSION_DENIED, INVALID_ARGUMENT.
absl::StatusOr<Events> DecideRecordLegitimateReason(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordLegitimateReasonRequest& request,
    const Context& ctx);
// R6: recorded only for a member who is a candidate as of the list's date.
// Returns PERMISSION_DENIED, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordLapseDecision(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordLapseDecisionRequest& request,
    const Context& ctx, const Settings& settings);
// R11.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordProbationOutcome(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordProbationOutcomeRequest& request,
    const Context& ctx, const Settings& settings);

// The member's grade in a cycle, if any.
const lianxin::v1::GradeFact* GradeIn(const AppraisalMemberFacts& facts,
                                      const std::string& cycle_id);

}  // namespace lianxin::appraisal

#endif  // LIANXIN_SERVICES_APPRAISAL_DOMAIN_DECIDER_H_
