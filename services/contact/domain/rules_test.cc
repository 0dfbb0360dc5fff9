#include "services/contact/domain/rules.h"

#include "gtest/gtest.h"
#include "libs/common/time_util.h"

namespace lianxin::contact {
namespace {

absl::CivilDay D(const char* text) { return *ParseDate(text); }

TEST(EndOfPeriod, QuartersAndHalfYearsAlignedToJanuary) {
  EXPECT_EQ(EndOfPeriod(D("2026-01-01"), 3), D("2026-03-31"));
  EXPECT_EQ(EndOfPeriod(D("2026-03-31"), 3), D("2026-03-31"));
  EXPECT_EQ(EndOfPeriod(D("2026-04-01"), 3), D("2026-06-30"));
  EXPECT_EQ(EndOfPeriod(D("2026-12-31"), 3), D("2026-12-31"));
  EXPECT_EQ(EndOfPeriod(D("2026-06-30"), 6), D("2026-06-30"));
  EXPECT_EQ(EndOfPeriod(D("2026-07-01"), 6), D("2026-12-31"));
}

// R4: each calendar quarter from the one the member left in.
TEST(QuarterlyReportDueOn, EachCalendarQuarter) {
  const Settings s;
  struct Case {
    const char* away_since;
    const char* last_report;  // "" = none
    const char* due;
  } cases[] = {
      {"2026-02-10", "", "2026-03-31"},            // none yet: the leaving quarter
      {"2026-02-10", "2026-03-31", "2026-06-30"},  // last day of Q1 covers Q1
      {"2026-02-10", "2026-04-01", "2026-09-30"},  // first day of Q2 covers Q2 (Q1 was missed)
      {"2026-02-10", "2026-06-30", "2026-09-30"},
      {"2026-02-10", "2025-12-31", "2026-03-31"},  // a report before leaving does not count
      {"2026-11-20", "2026-12-01", "2027-03-31"},  // across the year
      {"2026-03-01", "", "2026-03-31"},            // 30 days before the quarter's end
      {"2026-03-02", "", "2026-06-30"},            // 29 days: the next quarter's end
      {"2026-12-20", "", "2027-03-31"},
  };
  for (const Case& c : cases) {
    std::optional<absl::CivilDay> last;
    if (*c.last_report) last = D(c.last_report);
    EXPECT_EQ(QuarterlyReportDueOn(D(c.away_since), last, s), D(c.due))
        << c.away_since << " " << c.last_report;
  }
}

// R4: a thought report each half year, a per-county setting.
TEST(ThoughtReportDueOn, EachHalfYearAndLocalSetting) {
  Settings s;
  EXPECT_EQ(ThoughtReportDueOn(D("2026-02-10"), std::nullopt, s), D("2026-06-30"));
  EXPECT_EQ(ThoughtReportDueOn(D("2026-02-10"), D("2026-06-30"), s), D("2026-12-31"));
  EXPECT_EQ(ThoughtReportDueOn(D("2026-02-10"), D("2026-07-01"), s), D("2027-06-30"));
  EXPECT_EQ(ThoughtReportDueOn(D("2026-06-20"), std::nullopt, s), D("2026-12-31"));
  s.thought_report_months = 12;
  EXPECT_EQ(ThoughtReportDueOn(D("2026-02-10"), std::nullopt, s), D("2026-12-31"));
}

// R4 national floor: at least once a year.
TEST(AnnualContactDueOn, TwelveMonthsAfterTheLastContact) {
  const Settings s;
  EXPECT_EQ(AnnualContactDueOn(D("2026-02-10"), std::nullopt, s), D("2027-02-09"));
  EXPECT_EQ(AnnualContactDueOn(D("2026-02-10"), D("2026-05-01"), s), D("2027-04-30"));
  EXPECT_EQ(AnnualContactDueOn(D("2026-02-10"), D("2025-05-01"), s), D("2027-02-09"));
}

// R5: more than 6 months without contact; the day before, of and after.
TEST(LostContactOn, MoreThanSixMonths) {
  const Settings s;
  const absl::CivilDay lost_on = LostContactOn(D("2026-01-15"), s);
  EXPECT_EQ(lost_on, D("2026-07-16"));
  Obligations o{};
  o.lost_on = lost_on;
  EXPECT_FALSE(IsLostContact(o, D("2026-07-14")));                // day before the 6 months
  EXPECT_FALSE(IsLostContact(o, D("2026-07-15")));                // exactly 6 months: not more
  EXPECT_TRUE(IsLostContact(o, D("2026-07-16")));                 // the day after
  EXPECT_EQ(LostContactOn(D("2026-08-31"), s), D("2027-03-01"));  // clamped to Feb 28, +1
}

TEST(MostOverdue, DayOfDueIsNotOverdueDayAfterIs) {
  Obligations o{D("2026-03-31"), D("2026-06-30"), D("2027-02-09"), D("2026-08-11")};
  EXPECT_FALSE(MostOverdue(o, D("2026-03-30")).has_value());
  EXPECT_FALSE(MostOverdue(o, D("2026-03-31")).has_value());
  std::optional<Overdue> late = MostOverdue(o, D("2026-04-01"));
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->obligation, "QUARTERLY_REPORT");
  EXPECT_EQ(late->days_overdue, 1);
  EXPECT_EQ(o.EarliestDue(), D("2026-03-31"));
}

TEST(IsContactWithMember, FamilyAndDestinationOrganizationAreCountedApart) {
  EXPECT_TRUE(IsContactWithMember(lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT));
  EXPECT_TRUE(IsContactWithMember(lianxin::v1::CONTACT_KIND_THOUGHT_REPORT));
  EXPECT_TRUE(IsContactWithMember(lianxin::v1::CONTACT_KIND_LOCATION_CHANGE));
  EXPECT_TRUE(IsContactWithMember(lianxin::v1::CONTACT_KIND_OTHER));
  EXPECT_FALSE(IsContactWithMember(lianxin::v1::CONTACT_KIND_FAMILY_CONTACT));
  EXPECT_FALSE(IsContactWithMember(lianxin::v1::CONTACT_KIND_DESTINATION_ORGANIZATION));
}

// Defect 6, R23: organization life at the destination (recorded on the
// certificate) is contact with a party organization and ends a silence.
TEST(IsLostContact, OrganizationLifeAtTheDestinationCountsAsContact) {
  const Settings s;
  lianxin::v1::ContactMemberState state;
  state.mutable_facts()->set_home_jurisdiction("654322");
  state.mutable_facts()->set_away(true);
  state.mutable_facts()->mutable_outflow()->set_destination_jurisdiction("440305");
  state.mutable_facts()->mutable_outflow()->set_left_on("2026-01-15");
  state.mutable_facts()->set_last_organization_life_on("2026-05-10");
  struct Case {
    const char* as_of;
    bool lost;
  } cases[] = {
      {"2026-07-16", false},  // six months after leaving: lost without the entry
      {"2026-11-10", false},  // six months after the organization life
      {"2026-11-11", true},   // more than six months after it
  };
  const std::optional<Obligations> o = ObligationsOf(state, "654322", s);
  ASSERT_TRUE(o.has_value());
  for (const Case& c : cases) EXPECT_EQ(IsLostContact(*o, D(c.as_of)), c.lost) << c.as_of;
  EXPECT_EQ(SilenceSince(state, D("2026-01-15")), D("2026-05-10"));
  state.set_last_contact_on("2026-06-01");  // a later report home still wins
  EXPECT_EQ(SilenceSince(state, D("2026-01-15")), D("2026-06-01"));
}

// R14: listed once open more than the county's number of days.
TEST(ConsultationLongOpen, MoreThanTheCountysDays) {
  const Settings s;  // 7 days
  EXPECT_FALSE(ConsultationLongOpen(D("2026-03-01"), D("2026-03-07"), s));
  EXPECT_FALSE(ConsultationLongOpen(D("2026-03-01"), D("2026-03-08"), s));
  EXPECT_TRUE(ConsultationLongOpen(D("2026-03-01"), D("2026-03-09"), s));
}

}  // namespace
}  // namespace lianxin::contact
