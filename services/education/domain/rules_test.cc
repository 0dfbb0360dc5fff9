// Table tests of the education rules at every boundary.
#include "services/education/domain/rules.h"

#include "gtest/gtest.h"
#include "libs/common/time_util.h"

namespace lianxin::education {
namespace {

using lianxin::v1::CalendarState;
using lianxin::v1::MemberEducation;

constexpr int64_t kHour = 3600;
const int64_t kNine =
    absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(2027, 2, 1, 9, 0, 0), CountyTimeZone()));

TEST(Overlaps, TouchingSessionsDoNotOverlap) {
  struct Case {
    Interval a, b;
    bool overlaps;
  } cases[] = {
      {{0, 10}, {10, 20}, false},                             // a ends when b starts
      {{10, 20}, {0, 10}, false},                             // b ends when a starts
      {{0, 11}, {10, 20}, true},                              // one second of overlap
      {{0, 10}, {9, 20}, true},   {{0, 30}, {10, 20}, true},  // b inside a
      {{10, 20}, {10, 20}, true}, {{0, 9}, {10, 20}, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Overlaps(c.a, c.b), c.overlaps)
        << c.a.start << "-" << c.a.end << " vs " << c.b.start << "-" << c.b.end;
  }
}

CalendarState Calendar(std::initializer_list<Interval> bookings) {
  CalendarState calendar;
  int n = 0;
  for (const Interval& interval : bookings) {
    auto* booking = calendar.add_bookings();
    booking->set_session_id("s" + std::to_string(++n));
    booking->mutable_starts_at()->set_seconds(interval.start);
    booking->mutable_ends_at()->set_seconds(interval.end);
  }
  return calendar;
}

TEST(CalendarClash, NamesTheClashingBooking) {
  const CalendarState calendar =
      Calendar({{kNine, kNine + 3 * kHour}, {kNine + 5 * kHour, kNine + 8 * kHour}});
  EXPECT_FALSE(CalendarClash(calendar, {kNine + 3 * kHour, kNine + 5 * kHour}).has_value());
  EXPECT_FALSE(CalendarClash(calendar, {kNine - kHour, kNine}).has_value());
  auto clash = CalendarClash(calendar, {kNine + 4 * kHour, kNine + 5 * kHour + 1});
  ASSERT_TRUE(clash.has_value());
  EXPECT_EQ(clash->session_id(), "s2");
  EXPECT_EQ(CalendarClash(calendar, {kNine + 2 * kHour, kNine + 4 * kHour})->session_id(), "s1");
}

TEST(EnrolmentClash, TouchingIsFineOverlapIsNot) {
  MemberEducation member;
  auto* e = member.add_enrolments();
  e->set_session_id("s1");
  e->mutable_starts_at()->set_seconds(kNine);
  e->mutable_ends_at()->set_seconds(kNine + 3 * kHour);
  EXPECT_FALSE(EnrolmentClash(member, {kNine + 3 * kHour, kNine + 4 * kHour}).has_value());
  EXPECT_FALSE(EnrolmentClash(member, {kNine - kHour, kNine}).has_value());
  EXPECT_TRUE(EnrolmentClash(member, {kNine + 3 * kHour - 1, kNine + 4 * kHour}).has_value());
}

TEST(SessionFull, AtCapacity) {
  lianxin::v1::Session session;
  session.set_capacity(2);
  EXPECT_FALSE(SessionFull(session));
  session.add_enrolled("a");
  EXPECT_FALSE(SessionFull(session));
  session.add_enrolled("b");
  EXPECT_TRUE(SessionFull(session));
}

TEST(Modes, DeliveredOrHeld) {
  EXPECT_TRUE(IsDeliveryMode(lianxin::v1::COURSE_MODE_MAIL));
  EXPECT_TRUE(IsDeliveryMode(lianxin::v1::COURSE_MODE_HOME_DELIVERY));
  EXPECT_TRUE(IsDeliveryMode(lianxin::v1::COURSE_MODE_ONLINE));
  EXPECT_FALSE(IsDeliveryMode(lianxin::v1::COURSE_MODE_MOBILE_CLASSROOM));
  EXPECT_FALSE(IsSchedulableMode(lianxin::v1::COURSE_MODE_MAIL));
  EXPECT_FALSE(IsSchedulableMode(lianxin::v1::COURSE_MODE_HOME_DELIVERY));
  EXPECT_TRUE(IsSchedulableMode(lianxin::v1::COURSE_MODE_ONLINE));
  EXPECT_TRUE(IsSchedulableMode(lianxin::v1::COURSE_MODE_PAIRED_HELP));
  EXPECT_TRUE(IsSchedulableMode(lianxin::v1::COURSE_MODE_CULTURAL_ACTIVITY));
  EXPECT_FALSE(NeedsPlace(lianxin::v1::COURSE_MODE_ONLINE));
}

TEST(MeetsPreDeparture, BeforeTheDepartureDayWithinTheWindow) {
  const Settings settings;  // 90 days
  const absl::CivilDay left_on(2026, 3, 10);
  struct Case {
    absl::CivilDay on;
    bool meets;
  } cases[] = {
      {absl::CivilDay(2026, 3, 9), true},    // the day before
      {absl::CivilDay(2026, 3, 10), false},  // the departure day itself
      {absl::CivilDay(2026, 3, 11), false},  // after
      {left_on - 90, true},                  // first day of the window
      {left_on - 91, false},                 // too early
  };
  for (const Case& c : cases)
    EXPECT_EQ(MeetsPreDeparture(c.on, left_on, settings), c.meets) << c.on;
}

lianxin::v1::EducationEntry Entry(const char* kind, const char* on, uint32_t hours,
                                  bool attended = true) {
  lianxin::v1::EducationEntry entry;
  entry.set_kind(kind);
  entry.set_occurred_on(on);
  entry.set_hours(hours);
  entry.set_attended(attended);
  return entry;
}

TEST(RecordOfYear, CountsTheYearUpToAsOfAgainstTheFloor) {
  Settings settings;
  MemberEducation member;
  *member.add_entries() = Entry("attendance", "2025-12-31", 10);
  *member.add_entries() = Entry("attendance", "2026-01-01", 20);
  *member.add_entries() = Entry("attendance", "2026-03-01", 3, /*attended=*/false);
  *member.add_entries() = Entry("delivery", "2026-06-30", 11);
  *member.add_entries() = Entry("attendance", "2026-07-01", 1);

  YearlyRecord june = RecordOfYear(member, 2026, absl::CivilDay(2026, 6, 29), settings);
  EXPECT_EQ(june.hours, 20u);
  EXPECT_EQ(june.sessions_attended, 1u);
  EXPECT_EQ(june.deliveries, 0u);
  EXPECT_TRUE(june.below_floor);

  YearlyRecord june30 = RecordOfYear(member, 2026, absl::CivilDay(2026, 6, 30), settings);
  EXPECT_EQ(june30.hours, 31u);  // one short of 32
  EXPECT_TRUE(june30.below_floor);
  EXPECT_EQ(june30.deliveries, 1u);

  YearlyRecord july = RecordOfYear(member, 2026, absl::CivilDay(2026, 7, 1), settings);
  EXPECT_EQ(july.hours, 32u);  // exactly the floor
  EXPECT_FALSE(july.below_floor);
  EXPECT_EQ(july.sessions_attended, 2u);  // the absence does not count

  settings.floor_hours = 33;  // a county with a higher floor
  EXPECT_TRUE(RecordOfYear(member, 2026, absl::CivilDay(2026, 12, 31), settings).below_floor);
}

TEST(RecordOfYear, PreDepartureDoneOnlyWhenEveryDepartureOfTheYearWasMet) {
  const Settings settings;
  MemberEducation member;
  EXPECT_TRUE(
      RecordOfYear(member, 2026, absl::CivilDay(2026, 12, 31), settings).pre_departure_done);
  auto* departure = member.add_pre_departures();
  departure->set_left_on("2026-03-10");
  EXPECT_FALSE(
      RecordOfYear(member, 2026, absl::CivilDay(2026, 12, 31), settings).pre_departure_done);
  EXPECT_TRUE(
      RecordOfYear(member, 2027, absl::CivilDay(2027, 12, 31), settings).pre_departure_done);
  departure->set_met_on("2026-03-01");
  EXPECT_TRUE(
      RecordOfYear(member, 2026, absl::CivilDay(2026, 12, 31), settings).pre_departure_done);
}

TEST(ExpectedHomeIn, ReturningReturnedAndResidents) {
  const Settings settings;  // returned within 60 days
  const absl::CivilDay start(2027, 1, 29), end(2027, 2, 11);
  MemberEducation away;
  away.set_away(true);
  away.set_expected_return_on("2027-02-11");
  auto home = ExpectedHomeIn(away, start, end, false, settings);
  ASSERT_TRUE(home.has_value());
  EXPECT_EQ(home->kind, lianxin::v1::EXPECTED_HOME_KIND_RETURNING);
  EXPECT_EQ(home->from, end);
  away.set_expected_return_on("2027-02-12");  // the day after the window
  EXPECT_FALSE(ExpectedHomeIn(away, start, end, true, settings).has_value());
  away.set_expected_return_on("2027-01-01");  // back before: home all the window
  EXPECT_EQ(ExpectedHomeIn(away, start, end, false, settings)->from, start);
  away.set_expected_return_on("");
  EXPECT_FALSE(ExpectedHomeIn(away, start, end, false, settings).has_value());

  MemberEducation returned;
  returned.set_returned_on(FormatDate(end - 60));
  EXPECT_EQ(ExpectedHomeIn(returned, start, end, false, settings)->kind,
            lianxin::v1::EXPECTED_HOME_KIND_RETURNED);
  returned.set_returned_on(FormatDate(end - 61));
  EXPECT_FALSE(ExpectedHomeIn(returned, start, end, false, settings).has_value());
  EXPECT_EQ(ExpectedHomeIn(returned, start, end, true, settings)->kind,
            lianxin::v1::EXPECTED_HOME_KIND_RESIDENT);
}

// Defect 7, R12: a member away who comes home only for the Spring Festival
// (a visit recorded) is in the festival plan, from the first day home.
TEST(ExpectedHomeIn, AVisitHomeInTheWindowCounts) {
  const Settings settings;
  const absl::CivilDay start(2027, 1, 29), end(2027, 2, 11);
  struct Case {
    const char* from;
    const char* until;
    std::optional<absl::CivilDay> home_from;
  } cases[] = {
      {"2027-02-05", "2027-02-20", absl::CivilDay(2027, 2, 5)},
      {"2027-01-20", "2027-01-29", start},         // the window's first day
      {"2027-01-20", "2027-01-28", std::nullopt},  // gone back the day before
      {"2027-02-11", "2027-02-15", end},           // the window's last day
      {"2027-02-12", "2027-02-20", std::nullopt},  // the day after
  };
  for (const Case& c : cases) {
    MemberEducation away;
    away.set_away(true);
    away.set_expected_return_on("2027-12-31");  // not back for good this year
    away.set_visit_home_from(c.from);
    away.set_visit_home_until(c.until);
    auto home = ExpectedHomeIn(away, start, end, false, settings);
    ASSERT_EQ(home.has_value(), c.home_from.has_value()) << c.from;
    if (home.has_value()) {
      EXPECT_EQ(home->kind, lianxin::v1::EXPECTED_HOME_KIND_VISITING) << c.from;
      EXPECT_EQ(home->from, *c.home_from) << c.from;
    }
  }
}

}  // namespace
}  // namespace lianxin::education
