#include "services/contact/domain/liaison_report.h"

#include <functional>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/common/time_util.h"
#include "services/contact/domain/decider.h"

namespace lianxin::contact {
namespace {

using lianxin::v1::ContactMemberState;
using lianxin::v1::Event;
using lianxin::v1::LiaisonReportsState;

absl::CivilDay D(const char* text) { return *ParseDate(text); }

DecisionContext At(const char* today) {
  const absl::CivilDay day = D(today);
  return DecisionContext{
      "654322", absl::FromCivil(day, absl::FixedTimeZone(8 * 3600)) + absl::Hours(10),
      day,      "op-1",
      "req-1",  {"654322"}};
}

ReportPeriod Q(const char* start, const char* end) { return {D(start), D(end)}; }

// A Fuyun member away in Urumqi since 2026-02-10, liaison 赵红梅 since 2026-02-12.
ContactMemberState InCharge() {
  ContactMemberState s;
  s.set_member_id("654322-m1");
  s.mutable_facts()->set_member_id("654322-m1");
  s.mutable_facts()->set_home_jurisdiction("654322");
  s.mutable_facts()->mutable_registration()->set_name("王建国");
  s.mutable_facts()->set_away(true);
  s.mutable_facts()->mutable_outflow()->set_destination_jurisdiction("650102");
  s.mutable_facts()->mutable_outflow()->set_left_on("2026-02-10");
  auto* term = s.add_liaisons();
  term->set_liaison_name("赵红梅");
  term->set_liaison_phone("13999887766");
  term->set_assigned_on("2026-02-12");
  return s;
}

ContactMemberState WithContact(ContactMemberState s, lianxin::v1::ContactKind kind,
                               const char* on) {
  Event e;
  e.set_aggregate_id(s.member_id());
  auto* c = e.mutable_contact_recorded();
  c->set_member_id(s.member_id());
  c->set_kind(kind);
  c->set_channel(lianxin::v1::CONTACT_CHANNEL_PHONE);
  c->set_occurred_on(on);
  return Evolve(std::move(s), e);
}

TEST(ReportPeriod, QuartersAlignedToTheYearAtEveryBoundary) {
  const Settings settings;
  struct Case {
    const char* day;
    const char* start;
    const char* end;
  } cases[] = {
      {"2026-01-01", "2026-01-01", "2026-03-31"}, {"2026-03-31", "2026-01-01", "2026-03-31"},
      {"2026-04-01", "2026-04-01", "2026-06-30"}, {"2026-09-30", "2026-07-01", "2026-09-30"},
      {"2026-10-01", "2026-10-01", "2026-12-31"}, {"2026-12-31", "2026-10-01", "2026-12-31"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReportPeriodContaining(D(c.day), settings), Q(c.start, c.end)) << c.day;
  }
}

TEST(ReportPeriod, LastPeriodIsTheCompleteOneBeforeToday) {
  Settings settings;
  struct Case {
    const char* today;
    int months;
    const char* start;
    const char* end;
  } cases[] = {
      {"2026-04-01", 3, "2026-01-01", "2026-03-31"},  // first day of a quarter
      {"2026-03-31", 3, "2025-10-01", "2025-12-31"},  // last day: still the one before
      {"2026-01-15", 3, "2025-10-01", "2025-12-31"},  // across the year
      {"2026-07-01", 6, "2026-01-01", "2026-06-30"},  // a county reporting half-yearly
      {"2026-02-01", 1, "2026-01-01", "2026-01-31"},  // or monthly
  };
  for (const Case& c : cases) {
    settings.quarterly_report_months = c.months;
    EXPECT_EQ(LastReportPeriod(D(c.today), settings), Q(c.start, c.end)) << c.today;
  }
}

TEST(RequestedReportPeriod, DefaultsToTheLastPeriodAndRefusesAnythingButOneWholePeriod) {
  const Settings settings;
  const absl::CivilDay today = D("2026-08-15");
  struct Case {
    const char* start;
    const char* end;
    const char* field;  // nullptr: accepted
    const char* want_start;
  } cases[] = {
      {"", "", nullptr, "2026-04-01"},
      {"2026-07-01", "2026-09-30", nullptr, "2026-07-01"},  // the current one, to draft early
      {"2026-04-01", "2026-06-30", nullptr, "2026-04-01"},
      {"2026-04-02", "2026-06-30", "period_start", nullptr},
      {"2026-04-01", "2026-06-29", "period_end", nullptr},
      {"2026-04-01", "2026-09-30", "period_end", nullptr},  // two quarters
      {"2026-04-01", "", "period_end", nullptr},
      {"", "2026-06-30", "period_start", nullptr},
      {"2026-02-30", "2026-03-31", "period_start", nullptr},
      {"2026-10-01", "2026-12-31", "period_start", nullptr},  // not begun
  };
  for (const Case& c : cases) {
    absl::StatusOr<ReportPeriod> p = RequestedReportPeriod(c.start, c.end, today, settings);
    if (c.field == nullptr) {
      ASSERT_TRUE(p.ok()) << c.start << ".." << c.end << ": " << p.status();
      EXPECT_EQ(p->start, D(c.want_start)) << c.start;
      continue;
    }
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << c.start << ".." << c.end;
    EXPECT_TRUE(absl::StrContains(p.status().message(), c.field))
        << c.start << ".." << c.end << ": " << p.status();
  }
}

TEST(InLiaisonCharge, CountsTheCurrentLiaisonsMembersAwayDuringThePeriod) {
  const ReportPeriod q2 = Q("2026-04-01", "2026-06-30");
  struct Case {
    const char* what;
    std::function<void(ContactMemberState&)> change;
    bool counts;
  } cases[] = {
      {"away all the period", [](auto&) {}, true},
      {"another liaison's member", [](auto& s) { s.mutable_liaisons(0)->set_liaison_name("李强"); },
       false},
      {"reassigned away from her",
       [](auto& s) {
         auto* t = s.add_liaisons();
         t->set_liaison_name("李强");
         t->set_assigned_on("2026-05-01");
       },
       false},
      {"reassigned to her during the period",
       [](auto& s) {
         s.mutable_liaisons(0)->set_liaison_name("李强");
         auto* t = s.add_liaisons();
         t->set_liaison_name("赵红梅");
         t->set_assigned_on("2026-06-30");
       },
       true},
      {"assigned after the period (the current assignment counts)",
       [](auto& s) { s.mutable_liaisons(0)->set_assigned_on("2026-07-01"); }, true},
      {"left on the period's last day",
       [](auto& s) { s.mutable_facts()->mutable_outflow()->set_left_on("2026-06-30"); }, true},
      {"left after the period",
       [](auto& s) { s.mutable_facts()->mutable_outflow()->set_left_on("2026-07-01"); }, false},
      {"came home on the period's first day",
       [](auto& s) {
         s.mutable_facts()->set_away(false);
         s.mutable_facts()->set_returned_on("2026-04-01");
       },
       true},
      {"came home before the period",
       [](auto& s) {
         s.mutable_facts()->set_away(false);
         s.mutable_facts()->set_returned_on("2026-03-31");
       },
       false},
      {"transferred to another county",
       [](auto& s) { s.mutable_facts()->set_home_jurisdiction("650102"); }, false},
      {"membership ended", [](auto& s) { s.mutable_facts()->set_membership_ended(true); }, false},
      {"never away", [](auto& s) { s.mutable_facts()->clear_outflow(); }, false},
      {"no liaison", [](auto& s) { s.clear_liaisons(); }, false},
  };
  for (const Case& c : cases) {
    ContactMemberState s = InCharge();
    c.change(s);
    EXPECT_EQ(InLiaisonCharge(s, "赵红梅", "654322", q2), c.counts) << c.what;
  }
  // Names match exactly: a prefix is another person.
  EXPECT_FALSE(InLiaisonCharge(InCharge(), "赵红", "654322", q2));
}

TEST(SummarizeForReport, CountsOnlyThePeriodsContactsBySelfAndAbout) {
  ContactMemberState s = InCharge();
  s = WithContact(s, lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT, "2026-03-31");  // before
  s = WithContact(s, lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT, "2026-04-01");
  s = WithContact(s, lianxin::v1::CONTACT_KIND_THOUGHT_REPORT, "2026-05-20");
  s = WithContact(s, lianxin::v1::CONTACT_KIND_LOCATION_CHANGE, "2026-06-02");
  s = WithContact(s, lianxin::v1::CONTACT_KIND_OTHER, "2026-06-03");
  s = WithContact(s, lianxin::v1::CONTACT_KIND_FAMILY_CONTACT, "2026-06-29");
  s = WithContact(s, lianxin::v1::CONTACT_KIND_DESTINATION_ORGANIZATION, "2026-06-30");
  s = WithContact(s, lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT, "2026-07-01");  // after
  const lianxin::v1::LiaisonReportMember row =
      SummarizeForReport(s, Q("2026-04-01", "2026-06-30"), D("2026-07-05"), "654322", Settings());
  EXPECT_EQ(row.name(), "王建国");
  EXPECT_EQ(row.quarterly_reports(), 1u);
  EXPECT_EQ(row.thought_reports(), 1u);
  EXPECT_EQ(row.location_changes(), 1u);
  EXPECT_EQ(row.other_contacts(), 1u);
  EXPECT_EQ(row.family_contacts(), 1u);
  EXPECT_EQ(row.destination_organization_contacts(), 1u);
  EXPECT_EQ(row.self_contacts(), 4u);
  EXPECT_EQ(row.contacts_about(), 2u);
  EXPECT_EQ(row.last_contact_in_period_on(), "2026-06-03");  // family/organization are "about"
  EXPECT_EQ(row.last_contact_on(), "2026-07-01");
  // Q3's report came on 2026-07-01: next due, Q4's at the end of Q4 (the
  // half year's thought report falls due the same day; the quarterly is named).
  EXPECT_EQ(row.next_obligation(), "QUARTERLY_REPORT");
  EXPECT_EQ(row.next_due_on(), "2026-12-31");
  EXPECT_FALSE(row.overdue());
  EXPECT_FALSE(row.lost_contact());
}

TEST(SummarizeForReport, OverdueAndLostAsOfTheDayDrafted) {
  ContactMemberState s = InCharge();  // left 2026-02-10, never heard of
  s.set_lost_contact(true);
  s.set_lost_on("2026-08-11");
  // Left 2026-02-10, 49 days before the quarter's end: the first report is
  // due 2026-03-31 (R4) — a day after it, one day overdue.
  const Settings settings;
  const ReportPeriod q1 = Q("2026-01-01", "2026-03-31");
  lianxin::v1::LiaisonReportMember on_time =
      SummarizeForReport(s, q1, D("2026-03-31"), "654322", settings);
  EXPECT_FALSE(on_time.overdue());
  EXPECT_EQ(on_time.next_due_on(), "2026-03-31");
  lianxin::v1::LiaisonReportMember late =
      SummarizeForReport(s, q1, D("2026-04-01"), "654322", settings);
  EXPECT_TRUE(late.overdue());
  EXPECT_EQ(late.overdue_obligation(), "QUARTERLY_REPORT");
  EXPECT_EQ(late.days_overdue(), 1);
  EXPECT_TRUE(late.lost_contact());
  EXPECT_EQ(late.lost_on(), "2026-08-11");
  // Home again: nothing due any more, nothing overdue.
  s.mutable_facts()->set_away(false);
  s.mutable_facts()->set_returned_on("2026-03-20");
  lianxin::v1::LiaisonReportMember home =
      SummarizeForReport(s, q1, D("2026-04-01"), "654322", settings);
  EXPECT_EQ(home.returned_on(), "2026-03-20");
  EXPECT_TRUE(home.next_due_on().empty());
  EXPECT_FALSE(home.overdue());
}

TEST(TotalsOf, AddsTheRowsAndSplitsContactedFromNot) {
  google::protobuf::RepeatedPtrField<lianxin::v1::LiaisonReportMember> rows;
  auto* a = rows.Add();
  a->set_self_contacts(2);
  a->set_contacts_about(1);
  a->set_quarterly_reports(1);
  a->set_thought_reports(1);
  auto* b = rows.Add();
  b->set_contacts_about(1);  // only the family: not contacted (R15)
  b->set_overdue(true);
  b->set_lost_contact(true);
  const lianxin::v1::LiaisonReportTotals t = TotalsOf(rows);
  EXPECT_EQ(t.members(), 2u);
  EXPECT_EQ(t.members_contacted(), 1u);
  EXPECT_EQ(t.members_not_contacted(), 1u);
  EXPECT_EQ(t.contacts(), 4u);
  EXPECT_EQ(t.self_contacts(), 2u);
  EXPECT_EQ(t.contacts_about(), 2u);
  EXPECT_EQ(t.quarterly_reports(), 1u);
  EXPECT_EQ(t.thought_reports(), 1u);
  EXPECT_EQ(t.overdue(), 1u);
  EXPECT_EQ(t.lost_contact(), 1u);
}

LiaisonReportsState Reported(const char* start, const char* end) {
  LiaisonReportsState s;
  s.set_liaison_name("赵红梅");
  auto* r = s.add_reports();
  r->set_liaison_name("赵红梅");
  r->set_period_start(start);
  r->set_period_end(end);
  r->set_reported_on("2026-04-03");
  return s;
}

TEST(ReportMissing, OnlyALiaisonWithMembersAndNoReportForThePeriod) {
  const ReportPeriod q1 = Q("2026-01-01", "2026-03-31");
  struct Case {
    const char* what;
    LiaisonReportsState reports;
    size_t members;
    bool missing;
  } cases[] = {
      {"never reported", LiaisonReportsState(), 3, true},
      {"reported for the period", Reported("2026-01-01", "2026-03-31"), 3, false},
      {"reported for the period before only", Reported("2025-10-01", "2025-12-31"), 3, true},
      {"no member in charge", LiaisonReportsState(), 0, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReportMissing(c.reports, q1, c.members), c.missing) << c.what;
  }
}

TEST(DecideRecordLiaisonReport, RecordsTheMembersInChargeOrTheOnesNamed) {
  const ReportPeriod q1 = Q("2026-01-01", "2026-03-31");
  absl::StatusOr<Events> all = DecideRecordLiaisonReport(
      LiaisonReportsState(), "赵红梅", q1, D("2026-04-03"), "支委会听取汇报：三人均按季度汇报",
      {"654322-m1", "654322-m2"}, {}, At("2026-04-05"));
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 1u);
  const lianxin::v1::LiaisonReported& r = (*all)[0].liaison_reported();
  EXPECT_EQ((*all)[0].type(), "LiaisonReported");
  EXPECT_EQ(r.period_start(), "2026-01-01");
  EXPECT_EQ(r.period_end(), "2026-03-31");
  EXPECT_EQ(r.reported_on(), "2026-04-03");
  EXPECT_EQ(r.member_ids_size(), 2);
  absl::StatusOr<Events> named =
      DecideRecordLiaisonReport(LiaisonReportsState(), "赵红梅", q1, D("2026-04-03"), "",
                                {"654322-m1", "654322-m2"}, {"654322-m2"}, At("2026-04-05"));
  ASSERT_TRUE(named.ok()) << named.status();
  ASSERT_EQ((*named)[0].liaison_reported().member_ids_size(), 1);
  EXPECT_EQ((*named)[0].liaison_reported().member_ids(0), "654322-m2");
  // Folded, the report is there for its period and for no other.
  LiaisonReportsState state = EvolveLiaisonReports(LiaisonReportsState(), (*all)[0]);
  EXPECT_TRUE(ReportFor(state, q1).has_value());
  EXPECT_FALSE(ReportFor(state, Q("2026-04-01", "2026-06-30")).has_value());
}

TEST(DecideRecordLiaisonReport, RefusesWithTheCodeAndFieldOfEachRule) {
  const ReportPeriod q1 = Q("2026-01-01", "2026-03-31");
  const std::vector<std::string> charge = {"654322-m1"};
  struct Case {
    const char* what;
    LiaisonReportsState reports;
    const char* reported_on;
    std::vector<std::string> in_charge;
    std::vector<std::string> covered;
    absl::StatusCode code;
    const char* field;
  } cases[] = {
      {"reported tomorrow",
       {},
       "2026-04-06",
       charge,
       {},
       absl::StatusCode::kInvalidArgument,
       "reported_on"},
      {"reported before the period",
       {},
       "2025-12-31",
       charge,
       {},
       absl::StatusCode::kInvalidArgument,
       "reported_on"},
      {"reported on the period's first day",
       {},
       "2026-01-01",
       charge,
       {},
       absl::StatusCode::kOk,
       ""},
      {"reported today", {}, "2026-04-05", charge, {}, absl::StatusCode::kOk, ""},
      {"nobody in charge",
       {},
       "2026-04-03",
       {},
       {},
       absl::StatusCode::kFailedPrecondition,
       "liaison_name"},
      {"second report for the period",
       Reported("2026-01-01", "2026-03-31"),
       "2026-04-03",
       charge,
       {},
       absl::StatusCode::kAlreadyExists,
       "liaison_name"},
      {"report for the next period after one for this",
       Reported("2025-10-01", "2025-12-31"),
       "2026-04-03",
       charge,
       {},
       absl::StatusCode::kOk,
       ""},
      {"a member not in charge",
       {},
       "2026-04-03",
       charge,
       {"654322-m1", "654322-m9"},
       absl::StatusCode::kFailedPrecondition,
       "member_ids[1]"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Events> events = DecideRecordLiaisonReport(
        c.reports, "赵红梅", q1, D(c.reported_on), "", c.in_charge, c.covered, At("2026-04-05"));
    EXPECT_EQ(events.status().code(), c.code) << c.what << ": " << events.status();
    EXPECT_TRUE(absl::StrContains(events.status().message(), c.field))
        << c.what << ": " << events.status();
  }
}

TEST(LiaisonReportsId, NeverMeetsAMemberOrTicketId) {
  const std::string id = LiaisonReportsId("654322", "赵红梅");
  EXPECT_TRUE(IsLiaisonReportsId(id));
  EXPECT_FALSE(IsTicketId(id));
  EXPECT_EQ(id.rfind("654322-L", 0), 0u);
  EXPECT_NE(id, LiaisonReportsId("654322", "赵红"));
  EXPECT_FALSE(IsLiaisonReportsId("654322-0123456789abcdef"));
  EXPECT_FALSE(IsLiaisonReportsId(TicketId("654322", 12)));
}

}  // namespace
}  // namespace lianxin::contact
