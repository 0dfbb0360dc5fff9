// The education decider: Decide*(state, command) -> events, Evolve(state,
// event) -> state. Pure: no I/O, no clock (time comes in the Context).
//
// Every aggregate of the education log stores an EducationState (events.proto)
// whose kind says what it is: a course, a session, a lecturer's or a place's
// calendar, a member, a plan. Requests reaching Decide* were validated at the
// gRPC edge; Decide* checks the rules (rules.h) and names the clash.
//
//   ASSIGN_OR_RETURN(Events events, DecideEnroll(session, member, member_id, ctx));
//   for (const Event& e : events) state = Evolve(std::move(state), e, settings);
//
// The codes each Decide… returns besides OK, as its comment lists them:
// PERMISSION_DENIED this county has no say in it (not the member's home, not
// the receiving county…); NOT_FOUND what it names is not here; ALREADY_EXISTS
// it was done already; INVALID_ARGUMENT a value breaks a rule of its own (a
// date in the future, before another; the message names the field);
// FAILED_PRECONDITION the state forbids it now (the message names the rule).
#ifndef LIANXIN_SERVICES_EDUCATION_DOMAIN_DECIDER_H_
#define LIANXIN_SERVICES_EDUCATION_DOMAIN_DECIDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lianxin/v1/education.pb.h"
#include "lianxin/v1/events.pb.h"
#include "libs/domain/decision.h"
#include "services/education/domain/rules.h"

namespace lianxin::education {

using ::lianxin::Events;

// Who decides, where and when (libs/domain/decision.h).
using Context = ::lianxin::DecisionContext;

// Aggregate ids of the calendars.
std::string LecturerCalendarId(const std::string& lecturer);
std::string PlaceCalendarId(const std::string& place);

// Whose calendar a CalendarState is. The state keeps it as the text of its
// aggregate id's prefix ("lecturer", "place"): that stored format stays as it
// is (states on disk, lxaudit's digests); code reads it through CalendarKindOf.
enum class CalendarKind { kUnknown, kLecturer, kPlace };
CalendarKind CalendarKindOf(const lianxin::v1::CalendarState& calendar);
// "lecturer", "place" ("" for kUnknown): the stored text.
const char* CalendarKindName(CalendarKind kind);

// The state after `event`, which must belong to the aggregate whose state
// `state` is (its aggregate_id set). Unknown payloads leave it unchanged.
lianxin::v1::EducationState Evolve(lianxin::v1::EducationState state,
                                   const lianxin::v1::Event& event, const Settings& settings);

// True if `event`'s payload is one the education log holds.
bool IsEducationPayload(const lianxin::v1::Event& event);

// Returns OK always (nothing it checks can fail).
absl::StatusOr<Events> DecideCreateCourse(const lianxin::v1::CreateCourseRequest& request,
                                          const std::string& course_id, const Context& ctx);

// The events of one ScheduleSession: the session's, the lecturer's and (for
// a session with a place) the place's.
struct Scheduled {
  lianxin::v1::Event session;
  lianxin::v1::Event lecturer;
  std::optional<lianxin::v1::Event> place;
};
// Refuses a course given by delivery only (R13), a lecturer or a place
// already booked at an overlapping time, a lecturer who does not teach the
// topic, more seats than the place has (R12 scheduling).
// Returns FAILED_PRECONDITION.
absl::StatusOr<Scheduled> DecideScheduleSession(const lianxin::v1::Course& course,
                                                const lianxin::v1::CalendarState& lecturer,
                                                const lianxin::v1::CalendarState& place,
                                                const lianxin::v1::ScheduleSessionRequest& request,
                                                const std::string& session_id,
                                                const std::string& plan_id, const Context& ctx);

// The events of one enrolment: SeatTaken (the session's), MemberEnrolled
// (the member's). Refuses a full session and an overlapping enrolment.
struct Enrolled {
  lianxin::v1::Event seat;
  lianxin::v1::Event member;
};
// Returns FAILED_PRECONDITION.
absl::StatusOr<Enrolled> DecideEnroll(const lianxin::v1::Session& session,
                                      const lianxin::v1::MemberEducation& member,
                                      const std::string& member_id, const Context& ctx);

// Attendance at a session the member is enrolled in, once, after it started.
// Training of a member whose home is another county on lianxin is routed to
// that county (it counts at the origin).
// Returns INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordAttendance(const lianxin::v1::Session& session,
                                              const lianxin::v1::MemberEducation& member,
                                              const lianxin::v1::RecordAttendanceRequest& request,
                                              const Context& ctx, const Settings& settings);

// Material delivered (R13), at most once per course and year, not in the future.
// Returns INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordDelivery(const lianxin::v1::Course& course,
                                            const lianxin::v1::MemberEducation& member,
                                            const lianxin::v1::RecordDeliveryRequest& request,
                                            const Context& ctx, const Settings& settings);

// R13: the member's own choice of topics.
// Returns OK always (nothing it checks can fail).
absl::StatusOr<Events> DecideSetPreferences(const lianxin::v1::MemberEducation& member,
                                            const lianxin::v1::SetPreferencesRequest& request,
                                            const Context& ctx);

// Returns ALREADY_EXISTS.
absl::StatusOr<Events> DecideAddPlace(const lianxin::v1::CalendarState& place,
                                      const lianxin::v1::AddPlaceRequest& request,
                                      const Context& ctx);
// Returns ALREADY_EXISTS.
absl::StatusOr<Events> DecideAddLecturer(const lianxin::v1::CalendarState& lecturer,
                                         const lianxin::v1::AddLecturerRequest& request,
                                         const Context& ctx);

// The counties other than this one that an education event about `member`
// goes to: the member's home, when it is elsewhere and on lianxin.
std::vector<std::string> RouteTo(const lianxin::v1::MemberEducation& member,
                                 const std::string& jurisdiction, const Settings& settings);

}  // namespace lianxin::education

#endif  // LIANXIN_SERVICES_EDUCATION_DOMAIN_DECIDER_H_
