// The EducationScheduling gRPC service: validate, authorize, then the command
// kernel (libs/service/command.h) loads, decides, commits and replies. Conflicts are checked and committed race-free: a session's
// lecturer and place calendars, and an enrolment's session and member, are
// appended in one Transaction with their expected versions, and a lost race
// (ABORTED) is decided again.
//
//   EducationService service({.projection = &projection, .clock = &RealClock(),
//                             .plumbing = {&auth, &metrics},
//                             .on_commit = [&] { relay->Notify(); }});
#ifndef LIANXIN_SERVICES_EDUCATION_SERVICE_H_
#define LIANXIN_SERVICES_EDUCATION_SERVICE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "lianxin/v1/education.pb.h"
#include "libs/common/clock.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/rpc.h"
#include "libs/service/command.h"
#include "libs/service/county.h"
#include "services/education/projection.h"

namespace lianxin::education {

struct EducationServiceOptions {
  EducationProjection* projection = nullptr;  // not owned
  Clock* clock = &RealClock();                // not owned
  RpcPlumbing plumbing;
  // Called after every commit that wrote events (wakes the outbox relay).
  std::function<void()> on_commit;
};

class EducationService final : public UnaryService {
 public:
  explicit EducationService(EducationServiceOptions options);

 private:
  absl::Status CreateCourse(const Principal& caller,
                            const lianxin::v1::CreateCourseRequest& request,
                            lianxin::v1::CreateCourseReply* reply);
  absl::Status ScheduleSession(const Principal& caller,
                               const lianxin::v1::ScheduleSessionRequest& request,
                               lianxin::v1::ScheduleSessionReply* reply);
  absl::Status Enroll(const Principal& caller, const lianxin::v1::EnrollRequest& request,
                      lianxin::v1::EnrollReply* reply);
  absl::Status RecordAttendance(const Principal& caller,
                                const lianxin::v1::RecordAttendanceRequest& request,
                                lianxin::v1::RecordAttendanceReply* reply);
  absl::Status RecordDelivery(const Principal& caller,
                              const lianxin::v1::RecordDeliveryRequest& request,
                              lianxin::v1::RecordDeliveryReply* reply);
  absl::Status SetPreferences(const Principal& caller,
                              const lianxin::v1::SetPreferencesRequest& request,
                              lianxin::v1::SetPreferencesReply* reply);
  absl::Status PlanSeasonalTraining(const Principal& caller,
                                    const lianxin::v1::PlanSeasonalTrainingRequest& request,
                                    lianxin::v1::PlanSeasonalTrainingReply* reply);
  absl::Status CommitPlan(const Principal& caller, const lianxin::v1::CommitPlanRequest& request,
                          lianxin::v1::CommitPlanReply* reply);
  absl::Status GetEducationRecord(const Principal& caller,
                                  const lianxin::v1::GetEducationRecordRequest& request,
                                  lianxin::v1::GetEducationRecordReply* reply);
  absl::Status AddPlace(const Principal& caller, const lianxin::v1::AddPlaceRequest& request,
                        lianxin::v1::AddPlaceReply* reply);
  absl::Status AddLecturer(const Principal& caller, const lianxin::v1::AddLecturerRequest& request,
                           lianxin::v1::AddLecturerReply* reply);
  absl::Status GetSession(const Principal& caller, const lianxin::v1::GetSessionRequest& request,
                          lianxin::v1::GetSessionReply* reply);
  absl::Status ListSessions(const Principal& caller,
                            const lianxin::v1::ListSessionsRequest& request,
                            lianxin::v1::ListSessionsReply* reply);
  absl::Status ListCourses(const Principal& caller, const lianxin::v1::ListCoursesRequest& request,
                           lianxin::v1::ListCoursesReply* reply);
  absl::Status ListBelowFloor(const Principal& caller,
                              const lianxin::v1::ListBelowFloorRequest& request,
                              lianxin::v1::ListBelowFloorReply* reply);
  absl::Status ListPreDepartureDue(const Principal& caller,
                                   const lianxin::v1::ListPreDepartureDueRequest& request,
                                   lianxin::v1::ListPreDepartureDueReply* reply);

  // One command on the command kernel: `attempt` loads, decides, adds the
  // events to the batch and fills the reply; a commit that lost a race
  // (ABORTED) is attempted again when `retry`, on fresh state (so a
  // request's expected_version is checked again against the member's version
  // then, and answers ABORTED only if the member itself changed).
  absl::Status Run(const char* rpc, const std::string& request_id, bool retry,
                   google::protobuf::Message* reply,
                   const std::function<absl::Status(Batch&, const Context&)>& attempt,
                   const Principal& caller);

  // A member known here (NOT_FOUND otherwise), checked against expected_version.
  absl::StatusOr<Batch::Pending*> LoadMember(Batch& batch, const std::string& member_id,
                                             uint64_t expected_version) const;

  EducationServiceOptions options_;
  EducationProjection& projection_;
  ServiceCounty county_;
  CommandKernel kernel_;
  AggregateKind<lianxin::v1::EducationState> aggregates_;
};

}  // namespace lianxin::education

#endif  // LIANXIN_SERVICES_EDUCATION_SERVICE_H_
