// The appraisal decider: decisions on a member's folded state, and the views
// (evidence, lapse candidates, arrears, probation) built from it.
#include "services/appraisal/domain/decider.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "libs/common/time_util.h"

namespace lianxin::appraisal {
namespace {

using lianxin::v1::Event;

constexpr char kHome[] = "654322";
constexpr char kAway[] = "650102";

absl::CivilDay D(const char* s) { return *ParseDate(s); }

Context Ctx(const char* today = "2026-12-20") {
  return Context{kHome, absl::FromCivil(D(today), absl::FixedTimeZone(8 * 3600)), D(today), "op-1",
                 "req-1"};
}

Event Stamp(Event e, const std::string& member_id = "m1") {
  e.set_aggregate_id(member_id);
  e.mutable_source()->set_jurisdiction(kHome);
  e.mutable_source()->set_service("appraisal");
  return e;
}

AppraisalMemberFacts Fold(AppraisalMemberFacts facts, const std::vector<Event>& events) {
  for (const Event& e : events) facts = Evolve(std::move(facts), Stamp(e));
  return facts;
}

Event Registered(const char* joined_on = "2010-07-01", bool probationary = false) {
  Event e;
  auto* r = e.mutable_member_registered();
  r->set_home_jurisdiction(kHome);
  r->set_branch("库额尔齐斯镇第一支部");
  r->set_name("阿依古丽");
  r->set_joined_on(joined_on);
  r->set_probationary(probationary);
  return e;
}

Event Outflow(const char* destination = kAway) {
  Event e;
  auto* o = e.mutable_outflow_registered();
  o->set_destination_jurisdiction(destination);
  o->set_left_on("2026-02-01");
  o->set_destination_on_system(true);
  return e;
}

Event OrgLife(const char* on) {
  Event e;
  e.mutable_organization_life_recorded()->set_occurred_on(on);
  e.mutable_organization_life_recorded()->set_activity("支部主题党日");
  return e;
}

Event CertificateEntry(const char* on, const char* by = kAway,
                       lianxin::v1::CertificateEntryKind kind =
                           lianxin::v1::CERTIFICATE_ENTRY_KIND_ORGANIZATION_LIFE) {
  Event e;
  auto* c = e.mutable_certificate_entry_recorded();
  c->set_kind(kind);
  c->set_occurred_on(on);
  c->set_activity("流入地支部组织生活会");
  c->set_recorded_by_jurisdiction(by);
  c->set_amount_fen(kind == lianxin::v1::CERTIFICATE_ENTRY_KIND_DUES ? 20 : 0);
  return e;
}

Event Work(const char* on) {
  Event e;
  e.mutable_assigned_work_recorded()->set_occurred_on(on);
  e.mutable_assigned_work_recorded()->set_task("联系群众");
  return e;
}

Event Base(int year, int64_t dues) {
  Event e;
  e.mutable_dues_base_set()->set_year(year);
  e.mutable_dues_base_set()->set_monthly_dues_fen(dues);
  e.mutable_dues_base_set()->set_set_on(absl::StrCat(year, "-01-05"));
  return e;
}

Event Paid(std::vector<std::string> months, int64_t amount, const char* on) {
  Event e;
  for (auto& m : months) e.mutable_dues_paid()->add_months(m);
  e.mutable_dues_paid()->set_amount_fen(amount);
  e.mutable_dues_paid()->set_paid_on(on);
  return e;
}

// A member active in every month of 2026 up to `last_month` on all three counts.
AppraisalMemberFacts Active(int last_month) {
  std::vector<Event> events = {Registered(), Base(2026, 20)};
  std::vector<std::string> months;
  for (int m = 1; m <= last_month; ++m) {
    const std::string day = absl::StrFormat("2026-%02d-10", m);
    events.push_back(OrgLife(day.c_str()));
    events.push_back(Work(day.c_str()));
    months.push_back(day.substr(0, 7));
  }
  events.push_back(Paid(months, 20 * last_month, "2026-01-10"));
  return Fold({}, events);
}

TEST(Evolve, RegistryEventsFoldIntoTheRegistryFacts) {
  AppraisalMemberFacts facts = Fold({}, {Registered(), Outflow()});
  EXPECT_EQ(facts.registry().member_id(), "m1");
  EXPECT_TRUE(IsAppraisedBy(facts, kHome));
  EXPECT_FALSE(IsAppraisedBy(facts, kAway));
  EXPECT_EQ(WhereAway(facts), kAway);
}

TEST(DecideOpenCycle, NotifiesEveryMemberAndRoutesTheAwayOnesToTheirCounty) {
  Settings settings;
  settings.on_system = {kHome, kAway};
  std::vector<std::pair<std::string, AppraisalMemberFacts>> members = {
      {"m1", Fold({}, {Registered()})},
      {"m2", Fold({}, {Registered(), Outflow()})},
      {"m3", Fold({}, {Registered(), Outflow("440305")})},  // not on lianxin: not routed
  };
  absl::StatusOr<OpenedCycle> opened = DecideOpenCycle(2026, false, members, Ctx(), settings);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->cycle_event.appraisal_cycle_opened().members_notified(), 3u);
  EXPECT_EQ(opened->cycle_event.appraisal_cycle_opened().cycle_id(), "cycle-654322-2026");
  EXPECT_EQ(opened->away, 2u);
  ASSERT_EQ(opened->notices.size(), 3u);
  EXPECT_EQ(opened->notices[0].second.routed_to_size(), 0);
  ASSERT_EQ(opened->notices[1].second.routed_to_size(), 1);
  EXPECT_EQ(opened->notices[1].second.routed_to(0), kAway);
  EXPECT_EQ(opened->notices[1].second.appraisal_notice_sent().destination_jurisdiction(), kAway);
  // m3's destination is not on lianxin, and the outflow said so too.
  members[2].second.mutable_registry()->mutable_outflow()->set_destination_on_system(false);
  opened = DecideOpenCycle(2026, false, members, Ctx(), settings);
  EXPECT_EQ(opened->notices[2].second.routed_to_size(), 0);

  EXPECT_EQ(DecideOpenCycle(2026, true, members, Ctx(), settings).status().code(),
            absl::StatusCode::kAlreadyExists);
}

struct Cycle {
  AppraisalCycleFacts facts;
  AppraisalMemberFacts member;
};

Cycle OpenWith(int members) {
  Settings settings;
  AppraisalMemberFacts m = Fold({}, {Registered()});
  absl::StatusOr<OpenedCycle> opened = DecideOpenCycle(2026, false, {{"m1", m}}, Ctx(), settings);
  Cycle c;
  c.facts = EvolveCycle({}, opened->cycle_event);
  c.facts.mutable_opened()->set_members_notified(members);
  c.member = Evolve(m, Stamp(opened->notices[0].second));
  return c;
}

lianxin::v1::RecordAppraisalRequest Grade(lianxin::v1::AppraisalGrade grade) {
  lianxin::v1::RecordAppraisalRequest r;
  r.set_cycle_id("cycle-654322-2026");
  r.set_member_id("m1");
  r.set_grade(grade);
  r.set_remarks("积极参加流入地组织生活");
  return r;
}

TEST(DecideRecordAppraisal, OnceAndWithinOneThirdExcellent) {
  Settings settings;
  // The one-third limit at 2, 3, 4 and 7 members appraised, with `others` EXCELLENT already.
  struct Case {
    int members;
    int others;
    bool ok;
  } cases[] = {{2, 0, false}, {3, 0, true}, {3, 1, false}, {4, 0, true},
               {4, 1, false}, {7, 1, true}, {7, 2, false}};
  for (const Case& c : cases) {
    Cycle cycle = OpenWith(c.members);
    absl::StatusOr<Events> events = DecideRecordAppraisal(
        cycle.member, cycle.facts, Grade(lianxin::v1::APPRAISAL_GRADE_EXCELLENT),
        CycleGrades{c.others, c.members - 1}, Ctx(), settings);
    EXPECT_EQ(events.ok(), c.ok) << c.members << " " << c.others << " " << events.status();
    if (!c.ok) {
      EXPECT_EQ(events.status().code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_NE(events.status().message().find("R7"), std::string::npos);
    }
  }
  Cycle cycle = OpenWith(2);
  absl::StatusOr<Events> qualified = DecideRecordAppraisal(
      cycle.member, cycle.facts, Grade(lianxin::v1::APPRAISAL_GRADE_QUALIFIED), CycleGrades{0, 1},
      Ctx(), settings);
  ASSERT_TRUE(qualified.ok());
  AppraisalMemberFacts graded = Evolve(cycle.member, Stamp((*qualified)[0]));
  absl::StatusOr<Events> again =
      DecideRecordAppraisal(graded, cycle.facts, Grade(lianxin::v1::APPRAISAL_GRADE_UNQUALIFIED),
                            CycleGrades{0, 1}, Ctx(), settings);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("CorrectAppraisal"), std::string::npos);

  lianxin::v1::CorrectAppraisalRequest correction;
  correction.set_cycle_id("cycle-654322-2026");
  correction.set_grade(lianxin::v1::APPRAISAL_GRADE_BASICALLY_QUALIFIED);
  correction.set_reason("复核发现缺席三次组织生活");
  absl::StatusOr<Events> corrected =
      DecideCorrectAppraisal(graded, cycle.facts, correction, CycleGrades{0, 1}, Ctx(), settings);
  ASSERT_TRUE(corrected.ok()) << corrected.status();
  EXPECT_EQ((*corrected)[0].appraisal_corrected().previous_grade(),
            lianxin::v1::APPRAISAL_GRADE_QUALIFIED);
  AppraisalMemberFacts after = Evolve(graded, Stamp((*corrected)[0]));
  EXPECT_EQ(GradeIn(after, "cycle-654322-2026")->grade(),
            lianxin::v1::APPRAISAL_GRADE_BASICALLY_QUALIFIED);
  EXPECT_TRUE(GradeIn(after, "cycle-654322-2026")->corrected());
  // To EXCELLENT by correction: the limit still holds (2 members: none).
  correction.set_grade(lianxin::v1::APPRAISAL_GRADE_EXCELLENT);
  EXPECT_EQ(
      DecideCorrectAppraisal(after, cycle.facts, correction, CycleGrades{0, 1}, Ctx(), settings)
          .status()
          .code(),
      absl::StatusCode::kFailedPrecondition);
}

// Defect 10, R7: the one-third share is of the members appraised, not of
// those notified: 30 notified, 2 appraised so far (this member one of them).
TEST(DecideRecordAppraisal, ExcellentShareIsOfTheMembersAppraised) {
  Settings settings;
  struct Case {
    int others_appraised;
    int others_excellent;
    bool ok;
  } cases[] = {{1, 0, false}, {2, 0, true},  {4, 1, false},
               {5, 1, true},  {29, 9, true}, {29, 10, false}};
  for (const Case& c : cases) {
    Cycle cycle = OpenWith(30);
    absl::StatusOr<Events> events = DecideRecordAppraisal(
        cycle.member, cycle.facts, Grade(lianxin::v1::APPRAISAL_GRADE_EXCELLENT),
        CycleGrades{c.others_excellent, c.others_appraised}, Ctx(), settings);
    EXPECT_EQ(events.ok(), c.ok) << c.others_appraised << " " << c.others_excellent << " "
                                 << events.status();
  }
}

// R7: who is appraised in a cycle: notified and still a member here and
// reachable, or graded already.
TEST(CountsAsAppraised, NotifiedMembersStillHereOrGraded) {
  Cycle cycle = OpenWith(3);
  const std::string id = "cycle-654322-2026";
  EXPECT_TRUE(CountsAsAppraised(cycle.member, id, kHome));
  EXPECT_FALSE(CountsAsAppraised(Fold({}, {Registered()}), id, kHome));  // not notified
  AppraisalMemberFacts lost = cycle.member;
  lost.mutable_registry()->set_lost_contact(true);
  EXPECT_FALSE(CountsAsAppraised(lost, id, kHome));
  AppraisalMemberFacts gone = cycle.member;
  gone.mutable_registry()->add_previous_homes(kHome);
  gone.mutable_registry()->set_home_jurisdiction(kAway);
  EXPECT_FALSE(CountsAsAppraised(gone, id, kHome));  // transferred out
  auto* grade = gone.add_grades();
  grade->set_cycle_id(id);
  grade->set_grade(lianxin::v1::APPRAISAL_GRADE_QUALIFIED);
  EXPECT_TRUE(CountsAsAppraised(gone, id, kHome));  // graded before leaving
}

// Defect 10, R8: the certificate of a member away is checked yearly with the
// appraisal: no grade while the yearly check is overdue; the sheet shows it.
TEST(DecideRecordAppraisal, TiedToTheCertificatesYearlyCheck) {
  Settings settings;
  Cycle cycle = OpenWith(3);
  AppraisalMemberFacts away = Evolve(cycle.member, Stamp(Outflow()));  // left 2026-02-01
  Event issued;
  issued.mutable_certificate_issued()->set_certificate_no("654322-2025-0007");
  issued.mutable_certificate_issued()->set_issued_on("2025-12-01");
  issued.mutable_certificate_issued()->set_valid_until("2027-12-01");
  away = Evolve(away, Stamp(issued));
  struct Case {
    const char* today;
    const char* checked_on;  // "" = never
    const char* shown;
    bool graded;
  } cases[] = {
      {"2026-12-01", "", "", true},      // due on 2026-12-01: not yet overdue
      {"2026-12-02", "", "DUE", false},  // the day after
      {"2026-12-20", "2026-12-10", "2026-12-10", true},
  };
  for (const Case& c : cases) {
    AppraisalMemberFacts facts = away;
    if (*c.checked_on != 0) {
      facts =
          Evolve(facts, Stamp(CertificateEntry(c.checked_on, kHome,
                                               lianxin::v1::CERTIFICATE_ENTRY_KIND_YEARLY_CHECK)));
    }
    EXPECT_EQ(CertificateYearlyCheck(facts, D(c.today)), c.shown) << c.today;
    absl::StatusOr<Events> graded =
        DecideRecordAppraisal(facts, cycle.facts, Grade(lianxin::v1::APPRAISAL_GRADE_QUALIFIED),
                              CycleGrades{0, 2}, Ctx(c.today), settings);
    EXPECT_EQ(graded.ok(), c.graded) << c.today << " " << graded.status();
    if (!graded.ok()) {
      EXPECT_NE(graded.status().message().find("R8"), std::string::npos);
    }
  }
  EXPECT_EQ(CertificateYearlyCheck(cycle.member, D("2026-12-20")), "");  // at home, none
}

TEST(DecideRecordAppraisal, RefusesAMemberNotInTheCycle) {
  Cycle cycle = OpenWith(3);
  AppraisalMemberFacts later = Fold({}, {Registered()});  // registered after the opening
  EXPECT_EQ(DecideRecordAppraisal(later, cycle.facts, Grade(lianxin::v1::APPRAISAL_GRADE_QUALIFIED),
                                  CycleGrades{}, Ctx(), Settings())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DecideRecordAppraisal(cycle.member, AppraisalCycleFacts(),
                                  Grade(lianxin::v1::APPRAISAL_GRADE_QUALIFIED), CycleGrades{},
                                  Ctx(), Settings())
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(Decide, OnlyTheHomeCountyDecidesOnAMember) {
  // A member of 650102 present in 654322 (an inflow): 654322 records evidence
  // and notices, but dues, grades, lapse and probation are the home's.
  Event registered = Registered();
  registered.mutable_member_registered()->set_home_jurisdiction(kAway);
  AppraisalMemberFacts inflow = Fold({}, {registered});
  EXPECT_FALSE(IsAppraisedBy(inflow, kHome));
  lianxin::v1::SetDuesBaseRequest base;
  base.set_basis(lianxin::v1::DUES_BASIS_STUDENT);
  absl::StatusOr<Events> refused = DecideSetDuesBase(inflow, base, Ctx(), Settings());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find(kAway), std::string::npos);
  lianxin::v1::RecordOrganizationLifeRequest life;
  life.set_occurred_on("2026-12-01");
  EXPECT_EQ(DecideRecordOrganizationLife(inflow, life, Ctx()).status().code(),
            absl::StatusCode::kPermissionDenied);
  // Transferred out: no longer this county's either.
  Event requested;
  requested.mutable_transfer_requested()->set_from_jurisdiction(kHome);
  requested.mutable_transfer_requested()->set_to_jurisdiction(kAway);
  Event accepted;
  accepted.mutable_transfer_accepted()->set_to_jurisdiction(kAway);
  AppraisalMemberFacts gone = Fold({}, {Registered(), requested, accepted});
  EXPECT_FALSE(IsAppraisedBy(gone, kHome));
}

TEST(DecideSetDuesBase, FixedForTheYear) {
  AppraisalMemberFacts facts = Fold({}, {Registered()});
  lianxin::v1::SetDuesBaseRequest request;
  request.set_basis(lianxin::v1::DUES_BASIS_SALARIED);
  request.set_monthly_income_fen(500001);
  absl::StatusOr<Events> events = DecideSetDuesBase(facts, request, Ctx(), Settings());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].dues_base_set().monthly_dues_fen(), 7500);
  EXPECT_EQ((*events)[0].dues_base_set().year(), 2026);
  facts = Evolve(facts, Stamp((*events)[0]));
  absl::StatusOr<Events> again = DecideSetDuesBase(facts, request, Ctx(), Settings());
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("R10"), std::string::npos);
  request.set_year(2027);
  EXPECT_TRUE(DecideSetDuesBase(facts, request, Ctx(), Settings()).ok());
}

TEST(DecideRecordDuesPayment, SeveralMonthsAtOnceAmountCheckedBackPaymentFlagged) {
  AppraisalMemberFacts facts = Fold({}, {Registered(), Base(2025, 1500), Base(2026, 3000)});
  lianxin::v1::RecordDuesPaymentRequest request;
  for (const char* m : {"2025-05", "2025-06", "2026-11"}) request.add_months(m);
  request.set_amount_fen(1500 + 1500 + 3000);
  request.set_paid_on("2026-12-10");
  absl::StatusOr<Events> events = DecideRecordDuesPayment(facts, request, Ctx(), Settings());
  ASSERT_TRUE(events.ok()) << events.status();
  const auto& paid = (*events)[0].dues_paid();
  EXPECT_EQ(paid.months_size(), 3);
  ASSERT_EQ(paid.back_paid_beyond_six_months_size(), 2);  // May and June 2025: 19 and 18 months
  EXPECT_EQ(paid.back_paid_beyond_six_months(0), "2025-05");

  request.set_amount_fen(6001);
  absl::StatusOr<Events> wrong = DecideRecordDuesPayment(facts, request, Ctx(), Settings());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("amount_fen"), std::string::npos);

  facts = Evolve(facts, Stamp((*events)[0]));
  request.clear_months();
  request.add_months("2026-11");
  request.set_amount_fen(3000);
  EXPECT_EQ(DecideRecordDuesPayment(facts, request, Ctx(), Settings()).status().code(),
            absl::StatusCode::kFailedPrecondition);  // paid already
  request.set_months(0, "2024-01");
  request.set_amount_fen(20);
  EXPECT_EQ(DecideRecordDuesPayment(facts, request, Ctx(), Settings()).status().code(),
            absl::StatusCode::kFailedPrecondition);  // no base for 2024
}

// Defect 9, R10: a payment of several months keeps every fen, and months of
// two years each take their own year's base.
TEST(Evolve, DuesPaidKeepsEveryFenAndEachYearsBase) {
  AppraisalMemberFacts facts = Fold({}, {Registered(), Base(2025, 1500), Base(2026, 3000)});
  struct Case {
    std::vector<std::string> months;
    int64_t amount;
    std::vector<int64_t> each;
  } cases[] = {
      {{"2025-12", "2026-01"}, 4500, {1500, 3000}},  // across the change of base
      {{"2025-11", "2025-12"}, 3000, {1500, 1500}},
      {{"2026-01", "2026-02", "2026-03"}, 100, {34, 33, 33}},  // not the bases: spread, no fen lost
      {{"2026-01", "2026-02", "2026-03"}, 9001, {3001, 3000, 3000}},
  };
  for (const Case& c : cases) {
    AppraisalMemberFacts after = Evolve(facts, Stamp(Paid(c.months, c.amount, "2026-03-10")));
    ASSERT_EQ(after.paid_months_size(), static_cast<int>(c.each.size()));
    int64_t total = 0;
    for (int i = 0; i < after.paid_months_size(); ++i) {
      EXPECT_EQ(after.paid_months(i).month(), c.months[i]);
      EXPECT_EQ(after.paid_months(i).amount_fen(), c.each[i]) << c.amount << " " << c.months[i];
      total += after.paid_months(i).amount_fen();
    }
    EXPECT_EQ(total, c.amount);
  }
}

// Defect 5, R6: a member transferred in is not a lapse candidate for the
// months before the transfer: they are on record here from the acceptance.
TEST(LapseCandidateOf, ATransferredInMemberCountsFromTheTransfer) {
  Settings settings;
  Event registered = Registered();
  registered.mutable_member_registered()->set_home_jurisdiction(kAway);
  Event requested;
  requested.mutable_transfer_requested()->set_from_jurisdiction(kAway);
  requested.mutable_transfer_requested()->set_to_jurisdiction(kHome);
  requested.mutable_transfer_requested()->set_requested_on("2026-08-20");
  Event accepted;
  accepted.mutable_transfer_accepted()->set_to_jurisdiction(kHome);
  accepted.mutable_transfer_accepted()->set_branch("库额尔齐斯镇第一支部");
  accepted.mutable_transfer_accepted()->set_accepted_on("2026-09-15");
  AppraisalMemberFacts facts = Fold({}, {registered, requested, accepted});
  ASSERT_TRUE(IsAppraisedBy(facts, kHome));
  struct Case {
    const char* as_of;
    bool candidate;
  } cases[] = {
      {"2027-01-01", false},  // Sep–Dec: 4 months here
      {"2027-02-28", false},  // Sep–Jan: 5
      {"2027-03-01", true},   // Sep–Feb: 6
  };
  for (const Case& c : cases) {
    EXPECT_EQ(LapseCandidateOf("m1", facts, D(c.as_of), settings).has_value(), c.candidate)
        << c.as_of;
  }
  std::optional<lianxin::v1::DuesArrears> arrears =
      ArrearsOf("m1", Evolve(facts, Stamp(Base(2026, 20))), D("2026-12-20"), settings);
  ASSERT_TRUE(arrears.has_value());
  ASSERT_EQ(arrears->months_unpaid_size(), 3);  // September to November
  EXPECT_EQ(arrears->months_unpaid(0), "2026-09");
}

TEST(LapseCandidateOf, EachConditionAloneFromSixMonths) {
  Settings settings;
  // Active January–June 2026 on all counts: as of 2026-12-01 (Jul–Nov: 5 months) not yet.
  EXPECT_FALSE(LapseCandidateOf("m1", Active(6), D("2026-12-01"), settings).has_value());
  // As of 2027-01-01 (Jul–Dec: 6 months) all three conditions.
  std::optional<lianxin::v1::LapseCandidate> all =
      LapseCandidateOf("m1", Active(6), D("2027-01-01"), settings);
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->runs_size(), 3);
  EXPECT_EQ(all->runs(0).first_month(), "2026-07");
  EXPECT_EQ(all->runs(0).last_month(), "2026-12");
  EXPECT_EQ(all->runs(0).months(), 6u);

  // Each condition alone: active on the other two through December.
  struct Case {
    const char* name;
    lianxin::v1::LapseCondition condition;
  } cases[] = {{"no organization life", lianxin::v1::LAPSE_CONDITION_NO_ORGANIZATION_LIFE},
               {"no dues", lianxin::v1::LAPSE_CONDITION_NO_DUES},
               {"no assigned work", lianxin::v1::LAPSE_CONDITION_NO_ASSIGNED_WORK}};
  for (const Case& c : cases) {
    std::vector<Event> events = {Registered(), Base(2026, 20)};
    std::vector<std::string> months;
    for (int m = 1; m <= 12; ++m) {
      const std::string day = absl::StrFormat("2026-%02d-10", m);
      const bool lapse_month = m >= 7;
      if (!(lapse_month && c.condition == lianxin::v1::LAPSE_CONDITION_NO_ORGANIZATION_LIFE)) {
        events.push_back(OrgLife(day.c_str()));
      }
      if (!(lapse_month && c.condition == lianxin::v1::LAPSE_CONDITION_NO_ASSIGNED_WORK)) {
        events.push_back(Work(day.c_str()));
      }
      if (!(lapse_month && c.condition == lianxin::v1::LAPSE_CONDITION_NO_DUES)) {
        months.push_back(day.substr(0, 7));
      }
    }
    events.push_back(Paid(months, 20 * static_cast<int64_t>(months.size()), "2026-12-10"));
    AppraisalMemberFacts facts = Fold({}, events);
    std::optional<lianxin::v1::LapseCandidate> one =
        LapseCandidateOf("m1", facts, D("2027-01-01"), settings);
    ASSERT_TRUE(one.has_value()) << c.name;
    ASSERT_EQ(one->runs_size(), 1) << c.name;
    EXPECT_EQ(one->runs(0).condition(), c.condition) << c.name;
    EXPECT_EQ(one->runs(0).months(), 6u) << c.name;
    EXPECT_EQ(one->name(), "阿依古丽");
  }
}

TEST(LapseCandidateOf, CertificateEntriesAtTheDestinationCountAndAReasonExempts) {
  Settings settings;
  AppraisalMemberFacts facts = Active(6);
  // Organization life at the destination in September resets that run.
  facts = Evolve(facts, Stamp(CertificateEntry("2026-09-20")));
  std::optional<lianxin::v1::LapseCandidate> c =
      LapseCandidateOf("m1", facts, D("2027-01-01"), settings);
  ASSERT_TRUE(c.has_value());
  for (const auto& run : c->runs()) {
    EXPECT_NE(run.condition(), lianxin::v1::LAPSE_CONDITION_NO_ORGANIZATION_LIFE);
  }
  EXPECT_EQ(c->months_without_organization_life(), 3u);
  // Illness from August to October: every run is broken.
  Event reason;
  reason.mutable_legitimate_reason_recorded()->set_from_month("2026-08");
  reason.mutable_legitimate_reason_recorded()->set_to_month("2026-10");
  reason.mutable_legitimate_reason_recorded()->set_reason("住院治疗");
  facts = Evolve(facts, Stamp(reason));
  EXPECT_FALSE(LapseCandidateOf("m1", facts, D("2027-01-01"), settings).has_value());
  // Paying the dues late (in January) does not change the list as of the 1st.
  AppraisalMemberFacts late = Evolve(
      Active(6), Stamp(Paid({"2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"}, 120,
                            "2027-01-05")));
  std::optional<lianxin::v1::LapseCandidate> before =
      LapseCandidateOf("m1", late, D("2027-01-01"), settings);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->months_without_dues(), 6u);
  std::optional<lianxin::v1::LapseCandidate> after =
      LapseCandidateOf("m1", late, D("2027-01-06"), settings);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->months_without_dues(), 0u);
}

TEST(DecideRecordLapseDecision, OnlyForACandidateAndNeverRemoves) {
  lianxin::v1::RecordLapseDecisionRequest request;
  request.set_decision(lianxin::v1::LAPSE_DECISION_RETAINED);
  request.set_as_of("2026-12-01");
  EXPECT_EQ(DecideRecordLapseDecision(Active(6), request, Ctx(), Settings()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  request.set_as_of("2027-01-01");
  absl::StatusOr<Events> events =
      DecideRecordLapseDecision(Active(6), request, Ctx("2027-01-02"), Settings());
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ((*events)[0].lapse_decision_recorded().runs_size(), 3);
  AppraisalMemberFacts after = Evolve(Active(6), Stamp((*events)[0]));
  EXPECT_TRUE(IsAppraisedBy(after, kHome));  // still a member
  EXPECT_EQ(LapseCandidateOf("m1", after, D("2027-01-01"), Settings())->last_decision(),
            lianxin::v1::LAPSE_DECISION_RETAINED);
}

TEST(BuildEvidence, FromConsumedEventsOnly) {
  AppraisalMemberFacts facts = Fold({}, {Registered(), Outflow(), Base(2026, 20)});
  Event contact;
  contact.mutable_contact_recorded()->set_kind(lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT);
  contact.mutable_contact_recorded()->set_occurred_on("2026-03-31");
  Event old_contact = contact;
  old_contact.mutable_contact_recorded()->set_occurred_on("2025-12-31");
  contact.mutable_contact_recorded()->set_recorded_in(kAway);
  Event attendance;
  attendance.mutable_attendance_recorded()->set_recorded_in(kHome);
  attendance.mutable_attendance_recorded()->set_attended(true);
  attendance.mutable_attendance_recorded()->set_hours(8);
  attendance.mutable_attendance_recorded()->set_occurred_on("2026-02-01");
  Event absence = attendance;
  absence.mutable_attendance_recorded()->set_attended(false);
  Event delivered;
  delivered.mutable_material_delivered()->set_hours(4);
  delivered.mutable_material_delivered()->set_delivered_on("2026-04-01");
  delivered.mutable_material_delivered()->set_recorded_in(kAway);
  Event lost;
  lost.mutable_lost_contact()->set_lost_on("2026-05-01");
  Event resumed;
  resumed.mutable_contact_resumed()->set_lost_on("2026-05-01");
  resumed.mutable_contact_resumed()->set_contact_on("2026-06-15");
  facts =
      Fold(facts, {contact, old_contact, attendance, absence, delivered, lost, resumed,
                   CertificateEntry("2026-03-05"), OrgLife("2026-01-20"),
                   CertificateEntry("2026-04-02", kAway, lianxin::v1::CERTIFICATE_ENTRY_KIND_DUES),
                   Paid({"2026-01", "2026-02"}, 40, "2026-02-01")});
  lianxin::v1::GetEvidenceReply e = BuildEvidence("m1", facts, 2026, D("2026-07-01"), Settings());
  ASSERT_EQ(e.contacts_size(), 1);
  EXPECT_EQ(e.contacts(0).kind(), "CONTACT_KIND_QUARTERLY_REPORT");
  EXPECT_EQ(e.contacts(0).count(), 1u);
  EXPECT_EQ(e.education_hours(), 12u);
  EXPECT_EQ(e.destination_education_hours(), 4u);  // the delivery recorded at the destination
  EXPECT_EQ(e.destination_contacts(), 1u);
  EXPECT_EQ(e.certificate_entries_size(), 2);
  ASSERT_EQ(e.destination_entries_size(), 1);
  EXPECT_EQ(e.destination_entries(0).recorded_in(), kAway);
  EXPECT_EQ(e.destination_jurisdiction(), kAway);
  EXPECT_EQ(e.dues_months_paid_size(), 3);  // Jan, Feb here; April on the certificate
  // Jan–Jun complete: organization life in January and March.
  ASSERT_EQ(e.months_without_organization_life_size(), 4);
  EXPECT_EQ(e.months_without_organization_life(0), "2026-02");
  EXPECT_EQ(e.dues_months_unpaid_size(), 3);  // March, May, June
  ASSERT_EQ(e.lost_contact_size(), 1);
  EXPECT_EQ(e.lost_contact(0).resumed_on(), "2026-06-15");
}

TEST(ArrearsOf, UnpaidMonthsWithAmountAndThoseBeyondSix) {
  Settings settings;
  settings.records_from = absl::CivilMonth(2026, 1);
  AppraisalMemberFacts facts =
      Fold({}, {Registered(), Base(2026, 1500), Paid({"2026-03", "2026-04"}, 3000, "2026-04-10")});
  std::optional<lianxin::v1::DuesArrears> arrears =
      ArrearsOf("m1", facts, D("2026-09-15"), settings);
  ASSERT_TRUE(arrears.has_value());
  // Jan, Feb, May–Aug unpaid; Jan and Feb are more than 6 months back by September.
  EXPECT_EQ(arrears->months_unpaid_size(), 6);
  EXPECT_EQ(arrears->amount_owed_fen(), 6 * 1500);
  ASSERT_EQ(arrears->months_beyond_six_size(), 2);
  EXPECT_EQ(arrears->months_beyond_six(1), "2026-02");
  EXPECT_FALSE(ArrearsOf("m1", Active(11), D("2026-12-01"), settings).has_value());
}

TEST(ProbationDueOn, OneYearAfterTheVoteUntilDecided) {
  Settings settings;
  AppraisalMemberFacts facts = Fold({}, {Registered("2025-12-01", true)});
  EXPECT_EQ(ProbationDueOn(facts, settings), D("2026-12-01"));
  EXPECT_FALSE(ProbationDueOn(Fold({}, {Registered()}), settings).has_value());

  lianxin::v1::RecordProbationOutcomeRequest request;
  request.set_outcome(lianxin::v1::PROBATION_OUTCOME_EXTENDED);
  request.set_extension_months(6);
  absl::StatusOr<Events> extended = DecideRecordProbationOutcome(facts, request, Ctx(), settings);
  ASSERT_TRUE(extended.ok()) << extended.status();
  EXPECT_EQ((*extended)[0].probation_outcome_recorded().extended_until(), "2027-06-01");
  facts = Evolve(facts, Stamp((*extended)[0]));
  EXPECT_EQ(ProbationDueOn(facts, settings), D("2027-06-01"));
  absl::StatusOr<Events> second = DecideRecordProbationOutcome(facts, request, Ctx(), settings);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("once"), std::string::npos);
  request.set_outcome(lianxin::v1::PROBATION_OUTCOME_CONVERTED);
  request.set_extension_months(0);
  EXPECT_EQ(DecideRecordProbationOutcome(facts, request, Ctx(), settings).status().code(),
            absl::StatusCode::kFailedPrecondition);  // not due until June 2027
  absl::StatusOr<Events> converted =
      DecideRecordProbationOutcome(facts, request, Ctx("2027-06-01"), settings);
  ASSERT_TRUE(converted.ok()) << converted.status();
  facts = Evolve(facts, Stamp((*converted)[0]));
  EXPECT_FALSE(ProbationDueOn(facts, settings).has_value());
}

}  // namespace
}  // namespace lianxin::appraisal
