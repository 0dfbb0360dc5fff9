// The decider: every conflict kind refused with FAILED_PRECONDITION naming the
// clash, touching sessions accepted, pre-departure obligations, routing.
#include "services/education/domain/decider.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/time_util.h"

namespace lianxin::education {
namespace {

using lianxin::v1::EducationState;
using lianxin::v1::Event;
using ::testing::HasSubstr;

constexpr int64_t kHour = 3600;
const int64_t kNine =
    absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(2027, 2, 1, 9, 0, 0), CountyTimeZone()));

Context Ctx(int64_t now = kNine + 100 * kHour) {
  const absl::Time t = absl::FromUnixSeconds(now);
  return {"654322", t, absl::ToCivilDay(t, CountyTimeZone()), "op-1", "req-1"};
}

EducationState Apply(EducationState state, const std::string& id, Event event,
                     const Settings& settings = Settings()) {
  event.set_aggregate_id(id);
  return Evolve(std::move(state), event, settings);
}

lianxin::v1::Course Course(
    lianxin::v1::CourseMode mode = lianxin::v1::COURSE_MODE_MOBILE_CLASSROOM) {
  lianxin::v1::Course course;
  course.set_course_id("c1");
  course.set_title("党章学习");
  course.set_topic(lianxin::v1::COURSE_TOPIC_PARTY_BUILDING);
  course.set_mode(mode);
  course.set_hours(3);
  return course;
}

lianxin::v1::ScheduleSessionRequest Request(int64_t start, int64_t end, uint32_t capacity = 30) {
  lianxin::v1::ScheduleSessionRequest request;
  request.set_course_id("c1");
  request.set_location("库额尔齐斯镇党员活动室");
  request.mutable_starts_at()->set_seconds(start);
  request.mutable_ends_at()->set_seconds(end);
  request.set_capacity(capacity);
  request.set_lecturer("王老师");
  return request;
}

// Schedules a session and returns the lecturer and place calendars after it.
struct Calendars {
  EducationState lecturer, place;
};
Calendars Booked(int64_t start, int64_t end) {
  auto scheduled = DecideScheduleSession(Course(), {}, {}, Request(start, end), "s1", "", Ctx());
  EXPECT_TRUE(scheduled.ok()) << scheduled.status();
  Calendars calendars;
  calendars.lecturer = Apply({}, LecturerCalendarId("王老师"), scheduled->lecturer);
  calendars.place = Apply({}, PlaceCalendarId("库额尔齐斯镇党员活动室"), *scheduled->place);
  return calendars;
}

TEST(ScheduleSession, LecturerInTwoOverlappingSessionsIsRefused) {
  Calendars c = Booked(kNine, kNine + 3 * kHour);
  auto request = Request(kNine + 2 * kHour, kNine + 5 * kHour);
  request.set_location("另一个地方");
  auto refused =
      DecideScheduleSession(Course(), c.lecturer.calendar(), {}, request, "s2", "", Ctx());
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("lecturer: 王老师 already teaches session s1"));
}

TEST(ScheduleSession, PlaceDoubleBookedIsRefused) {
  Calendars c = Booked(kNine, kNine + 3 * kHour);
  auto request = Request(kNine + 2 * kHour, kNine + 5 * kHour);
  request.set_lecturer("李老师");
  auto refused = DecideScheduleSession(Course(), {}, c.place.calendar(), request, "s2", "", Ctx());
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("location: 库额尔齐斯镇党员活动室 is already booked for session s1"));
}

TEST(ScheduleSession, TouchingSessionsOfOneLecturerAndPlaceAreAccepted) {
  Calendars c = Booked(kNine, kNine + 3 * kHour);
  auto next = DecideScheduleSession(Course(), c.lecturer.calendar(), c.place.calendar(),
                                    Request(kNine + 3 * kHour, kNine + 6 * kHour), "s2", "", Ctx());
  EXPECT_TRUE(next.ok()) << next.status();
  auto before = DecideScheduleSession(Course(), c.lecturer.calendar(), c.place.calendar(),
                                      Request(kNine - 3 * kHour, kNine), "s0", "", Ctx());
  EXPECT_TRUE(before.ok()) << before.status();
}

TEST(ScheduleSession, OnlineSessionsBookNoPlace) {
  Calendars c = Booked(kNine, kNine + 3 * kHour);
  auto request = Request(kNine, kNine + 3 * kHour);
  request.set_lecturer("李老师");
  auto online = DecideScheduleSession(Course(lianxin::v1::COURSE_MODE_ONLINE), {},
                                      c.place.calendar(), request, "s2", "", Ctx());
  ASSERT_TRUE(online.ok()) << online.status();
  EXPECT_FALSE(online->place.has_value());
}

TEST(ScheduleSession, DeliveredCoursesAreNotHeldAndLecturersTeachTheirTopics) {
  auto mailed = DecideScheduleSession(Course(lianxin::v1::COURSE_MODE_MAIL), {}, {},
                                      Request(kNine, kNine + kHour), "s1", "", Ctx());
  EXPECT_EQ(mailed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(mailed.status().message(), HasSubstr("R13"));

  lianxin::v1::CalendarState lawyer;
  lawyer.set_registered(true);
  lawyer.add_topics(lianxin::v1::COURSE_TOPIC_LAW);
  auto wrong =
      DecideScheduleSession(Course(), lawyer, {}, Request(kNine, kNine + kHour), "s1", "", Ctx());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong.status().message(), HasSubstr("does not teach"));

  lianxin::v1::CalendarState hall;
  hall.set_registered(true);
  hall.set_capacity(30);
  EXPECT_TRUE(
      DecideScheduleSession(Course(), {}, hall, Request(kNine, kNine + kHour, 30), "s1", "", Ctx())
          .ok());
  auto too_many =
      DecideScheduleSession(Course(), {}, hall, Request(kNine, kNine + kHour, 31), "s1", "", Ctx());
  EXPECT_THAT(too_many.status().message(), HasSubstr("capacity: 31"));
}

EducationState SessionState(int64_t start, int64_t end, uint32_t capacity, const std::string& id) {
  auto request = Request(start, end, capacity);
  auto scheduled = DecideScheduleSession(Course(), {}, {}, request, id, "", Ctx());
  return Apply({}, id, scheduled->session);
}

TEST(Enroll, FullSessionIsRefused) {
  EducationState session = SessionState(kNine, kNine + 3 * kHour, 1, "s1");
  EducationState a, b;
  auto first = DecideEnroll(session.session(), a.member(), "m-a", Ctx());
  ASSERT_TRUE(first.ok());
  session = Apply(session, "s1", first->seat);
  auto second = DecideEnroll(session.session(), b.member(), "m-b", Ctx());
  ASSERT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("session s1 is full"));
}

TEST(Enroll, MemberInTwoOverlappingSessionsIsRefusedTouchingAccepted) {
  EducationState s1 = SessionState(kNine, kNine + 3 * kHour, 10, "s1");
  EducationState s2 = SessionState(kNine + 2 * kHour, kNine + 4 * kHour, 10, "s2");
  EducationState s3 = SessionState(kNine + 3 * kHour, kNine + 6 * kHour, 10, "s3");
  EducationState member;
  auto first = DecideEnroll(s1.session(), member.member(), "m", Ctx());
  ASSERT_TRUE(first.ok());
  member = Apply(member, "m", first->member);
  auto overlapping = DecideEnroll(s2.session(), member.member(), "m", Ctx());
  ASSERT_EQ(overlapping.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(overlapping.status().message(),
              HasSubstr("m is enrolled in session s1 (2027-02-01 09:00–12:00)"));
  EXPECT_TRUE(DecideEnroll(s3.session(), member.member(), "m", Ctx()).ok());
  s1 = Apply(s1, "s1", first->seat);
  EXPECT_THAT(DecideEnroll(s1.session(), member.member(), "m", Ctx()).status().message(),
              HasSubstr("already enrolled"));
}

TEST(RecordAttendance, EnrolledOnceAfterTheStartRoutedHome) {
  EducationState session = SessionState(kNine, kNine + 3 * kHour, 10, "s1");
  EducationState member;
  member.mutable_member()->set_home_jurisdiction("650102");
  lianxin::v1::RecordAttendanceRequest request;
  request.set_member_id("m");
  request.set_session_id("s1");
  request.set_attended(true);
  Settings settings;
  settings.on_system = {"654322", "650102"};
  EXPECT_THAT(DecideRecordAttendance(session.session(), member.member(), request, Ctx(), settings)
                  .status()
                  .message(),
              HasSubstr("not enrolled"));
  auto enrolled = DecideEnroll(session.session(), member.member(), "m", Ctx());
  session = Apply(session, "s1", enrolled->seat);
  member = Apply(member, "m", enrolled->member);
  EXPECT_THAT(
      DecideRecordAttendance(session.session(), member.member(), request, Ctx(kNine - 1), settings)
          .status()
          .message(),
      HasSubstr("has not started"));
  auto events =
      DecideRecordAttendance(session.session(), member.member(), request, Ctx(kNine), settings);
  ASSERT_TRUE(events.ok()) << events.status();
  const auto& a = (*events)[0].attendance_recorded();
  EXPECT_EQ(a.hours(), 3u);  // the course's hours
  EXPECT_EQ(a.occurred_on(), "2027-02-01");
  EXPECT_EQ(a.recorded_in(), "654322");
  EXPECT_THAT((*events)[0].routed_to(), ::testing::ElementsAre("650102"));
  member = Apply(member, "m", (*events)[0]);
  EXPECT_THAT(DecideRecordAttendance(session.session(), member.member(), request, Ctx(), settings)
                  .status()
                  .message(),
              HasSubstr("already recorded"));

  request.set_hours(4);
  EducationState fresh;
  EXPECT_EQ(DecideRecordAttendance(session.session(), fresh.member(), request, Ctx(), settings)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  settings.on_system = {"654322"};  // home not on lianxin: nothing routed
  request.set_hours(0);
  EXPECT_TRUE(RouteTo(member.member(), "654322", settings).empty());
}

Event Required(const char* left_on) {
  Event event;
  event.mutable_pre_departure_required()->set_left_on(left_on);
  return event;
}

Event Attended(const char* on, uint32_t hours, bool attended = true) {
  Event event;
  event.mutable_attendance_recorded()->set_occurred_on(on);
  event.mutable_attendance_recorded()->set_hours(hours);
  event.mutable_attendance_recorded()->set_attended(attended);
  return event;
}

TEST(Evolve, PreDepartureMetByEducationBeforeTheDepartureDay) {
  EducationState member = Apply({}, "m", Required("2026-03-10"));
  member = Apply(member, "m", Attended("2026-03-10", 3));  // the departure day: too late
  EXPECT_EQ(member.member().pre_departures(0).met_on(), "");
  member = Apply(member, "m", Attended("2026-03-08", 0, false));  // an absence does not count
  EXPECT_EQ(member.member().pre_departures(0).met_on(), "");
  member = Apply(member, "m", Attended("2026-03-09", 3));
  EXPECT_EQ(member.member().pre_departures(0).met_on(), "2026-03-09");

  // Education given before the outflow was registered counts too.
  EducationState earlier = Apply({}, "m", Attended("2026-03-01", 3));
  earlier = Apply(earlier, "m", Required("2026-03-10"));
  EXPECT_EQ(earlier.member().pre_departures(0).met_on(), "2026-03-01");

  Event delivered;
  delivered.mutable_material_delivered()->set_delivered_on("2026-03-02");
  delivered.mutable_material_delivered()->set_hours(2);
  EducationState mailed = Apply(Apply({}, "m", Required("2026-03-10")), "m", delivered);
  EXPECT_EQ(mailed.member().pre_departures(0).met_on(), "2026-03-02");
  EXPECT_EQ(mailed.member().entries(0).kind(), "delivery");
}

TEST(RecordDelivery, OncePerCourseAndYearNotInTheFuture) {
  EducationState member;
  lianxin::v1::RecordDeliveryRequest request;
  request.set_member_id("m");
  request.set_course_id("c1");
  request.set_mode(lianxin::v1::COURSE_MODE_MAIL);
  request.set_delivered_on("2027-02-06");
  const Context ctx = Ctx(kNine + 5 * 24 * kHour);  // 2027-02-06
  auto events = DecideRecordDelivery(Course(lianxin::v1::COURSE_MODE_MAIL), member.member(),
                                     request, ctx, Settings());
  ASSERT_TRUE(events.ok()) << events.status();
  member = Apply(member, "m", (*events)[0]);
  auto again = DecideRecordDelivery(Course(lianxin::v1::COURSE_MODE_MAIL), member.member(), request,
                                    ctx, Settings());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  request.set_delivered_on("2027-02-07");
  EducationState fresh;
  EXPECT_THAT(
      DecideRecordDelivery(Course(), fresh.member(), request, ctx, Settings()).status().message(),
      HasSubstr("delivered_on: 2027-02-07 is in the future"));
}

// The calendar kind is read from its stored text, which the calendar's
// aggregate id sets ("lecturer/…", "place/…"), and unknown text stays unknown.
TEST(CalendarKind, ReadFromTheTextTheAggregateIdStores) {
  Calendars c = Booked(kNine, kNine + 3 * kHour);
  EXPECT_EQ(c.lecturer.calendar().kind(), "lecturer");
  EXPECT_EQ(CalendarKindOf(c.lecturer.calendar()), CalendarKind::kLecturer);
  EXPECT_EQ(c.place.calendar().kind(), "place");
  EXPECT_EQ(CalendarKindOf(c.place.calendar()), CalendarKind::kPlace);
  lianxin::v1::CalendarState other;
  other.set_kind("Lecturer");
  EXPECT_EQ(CalendarKindOf(other), CalendarKind::kUnknown);
  EXPECT_STREQ(CalendarKindName(CalendarKind::kUnknown), "");
}

}  // namespace
}  // namespace lianxin::education
