// The Fuyun scenario's education: courses in every mode (R13), places and
// lecturers, a year of sessions with attendance (some members end below the
// 32-hour floor, R12), material mailed to members away, topic preferences, and
// a Spring Festival plan (PlanSeasonalTraining + CommitPlan) for the next
// festival. Deterministic in the seed and `today`; every request carries a
// request_id derived from them, so loading again changes nothing.
//
//   EducationPlan plan = PlanEducation(registry_plan, report.member_ids, seed, today);
//   ASSIGN_OR_RETURN(EducationSummary s, LoadEducation(plan, connection));
#ifndef LIANXIN_TOOLS_SCENARIO_EDUCATION_PLAN_H_
#define LIANXIN_TOOLS_SCENARIO_EDUCATION_PLAN_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/education.pb.h"
#include "libs/runtime/config.h"
#include "tools/scenario/scenario.pb.h"

namespace lianxin::scenario {

// A session of the year and who attends it.
struct PlannedYearSession {
  lianxin::v1::ScheduleSessionRequest schedule;  // course_id: an index into courses
  size_t course = 0;
  // Members enrolled, and whether each attended.
  std::vector<std::pair<std::string, bool>> members;
};

struct EducationPlan {
  std::string county;
  std::vector<lianxin::v1::CreateCourseRequest> courses;
  std::vector<lianxin::v1::AddPlaceRequest> places;
  std::vector<lianxin::v1::AddLecturerRequest> lecturers;
  std::vector<lianxin::v1::SetPreferencesRequest> preferences;
  std::vector<PlannedYearSession> sessions;
  // course_id: an index into courses (as a decimal string).
  std::vector<lianxin::v1::RecordDeliveryRequest> deliveries;
  lianxin::v1::PlanSeasonalTrainingRequest festival;
  // Members whose education records the loader waits for first.
  std::vector<std::string> members;
};

// NextSpringFestival: tools/scenario/generator.h.

// Pure: the education of the focus county's members of `plan` (member ids by
// plan key, as loaded).
EducationPlan PlanEducation(const Plan& plan, const std::map<std::string, std::string>& member_ids,
                            uint64_t seed, absl::CivilDay today);

struct EducationSummary {
  size_t courses = 0;
  size_t sessions = 0;
  size_t attendances = 0;
  size_t deliveries = 0;
  lianxin::v1::PlanSeasonalTrainingReply festival;
  lianxin::v1::CommitPlanReply committed;
};

// Sends the plan to `address` (the county's education service) as `token`,
// over TLS when `tls` names a CA.
absl::StatusOr<EducationSummary> LoadEducation(const EducationPlan& plan,
                                               const std::string& address, const std::string& token,
                                               const TlsFiles& tls);

}  // namespace lianxin::scenario

#endif  // LIANXIN_TOOLS_SCENARIO_EDUCATION_PLAN_H_
