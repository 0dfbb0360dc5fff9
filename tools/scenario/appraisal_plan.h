// The Fuyun scenario's year-end appraisal (issue 6): after the registry part
// is loaded, the focus county's appraisal service gets a year of dues bases
// and payments (several months at once, some members in arrears, one with
// months more than 6 months back), organization life and assigned work, the
// year's cycle (every member notified, those away through their county), the
// grades with one correction, and two lapse candidates (R6) with a decision.
//
// PlanAppraisal is pure (no I/O, no clock); LoadAppraisal sends the plan
// through the Appraisal API with deterministic request_ids, so a re-run
// changes nothing.
//
//   AppraisalPlan plan = PlanAppraisal(registry_plan, today);
//   ASSIGN_OR_RETURN(AppraisalLoadReport report,
//                    LoadAppraisal(plan, member_ids, county, absl::Seconds(120)));
#ifndef LIANXIN_TOOLS_SCENARIO_APPRAISAL_PLAN_H_
#define LIANXIN_TOOLS_SCENARIO_APPRAISAL_PLAN_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lianxin/v1/appraisal.pb.h"
#include "tools/lxctl/endpoints.h"
#include "tools/scenario/scenario.pb.h"

namespace lianxin::scenario {

// One member's year, as the focus county's branch records it.
struct AppraisalMemberPlan {
  // The registry plan's key (the loader maps it to the member id).
  std::string key;
  // "regular", "arrears" or "lapse-candidate".
  std::string story;
  lianxin::v1::SetDuesBaseRequest dues_base;
  std::vector<lianxin::v1::RecordDuesPaymentRequest> payments;
  std::vector<lianxin::v1::RecordOrganizationLifeRequest> organization_life;
  std::vector<lianxin::v1::RecordAssignedWorkRequest> assigned_work;
  // UNSPECIFIED: not graded (a lapse candidate the branch is still deciding on).
  lianxin::v1::RecordAppraisalRequest appraisal;
  // Set for the one corrected grade.
  bool corrected = false;
  lianxin::v1::CorrectAppraisalRequest correction;
  // Set for the lapse candidate the branch decided on.
  bool lapse_decided = false;
  lianxin::v1::RecordLapseDecisionRequest lapse_decision;
};

struct AppraisalPlan {
  std::string county;
  int year = 0;
  lianxin::v1::OpenCycleRequest open_cycle;
  std::vector<AppraisalMemberPlan> members;
};

// The appraisal of the registry plan's focus county for `today`'s year:
// the members whose organization relationship is there once loaded. Months
// run from January to the last complete month before `today`.
AppraisalPlan PlanAppraisal(const Plan& plan, absl::CivilDay today);

struct AppraisalLoadReport {
  size_t commands = 0;
  lianxin::v1::OpenCycleReply cycle;
  size_t lapse_candidates = 0;
  size_t in_arrears = 0;
};

// Waits until the county's appraisal service has consumed the registry
// events of every planned member (its record's version reaches the
// registry's history length), then sends the plan. `member_ids` maps plan
// keys to member ids (the registry loader's report).
absl::StatusOr<AppraisalLoadReport> LoadAppraisal(
    const AppraisalPlan& plan, const std::map<std::string, std::string>& member_ids,
    const lxctl::County& county, absl::Duration deadline);

}  // namespace lianxin::scenario

#endif  // LIANXIN_TOOLS_SCENARIO_APPRAISAL_PLAN_H_
