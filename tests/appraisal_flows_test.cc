// The appraisal service across real processes: lianxin-broker, the registries
// and appraisal services of Fuyun and Tianshan (tests/appraisal_fixture.h).
#include <algorithm>

#include "services/appraisal/projector.h"
#include "tests/appraisal_fixture.h"
#include "tests/paging_testing.h"

namespace lianxin::appraisal_test {
namespace {

using ::lianxin::testing::WalkPages;
using Stub = v1::Appraisal::Stub;

int ThisYear() { return static_cast<int>(CountyToday().year()); }

class AppraisalFlowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<AppraisalCluster>(std::vector<std::string>{kFuyun, kTianshan});
    LX_ASSERT_OK(cluster_->Start());
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_->Logs();
  }
  AppraisalCluster& cluster() { return *cluster_; }
  RegistryCluster& registries() { return cluster_->registries(); }

  // A Fuyun member away in Tianshan, received there; waits until Fuyun's
  // appraisal service knows the member is away.
  std::string AwayInTianshan(const std::string& name) {
    absl::StatusOr<std::string> id = registries().RegisterAway(kFuyun, kTianshan, name);
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(registries().RecordArrival(kTianshan, Arrival(*id, kTianshan)).ok());
    EXPECT_TRUE(cluster().WaitForEvidence(kFuyun, *id, [](const v1::GetEvidenceReply& e) {
      return e.destination_jurisdiction() == kTianshan;
    }));
    return *id;
  }

  std::string Resident(const std::string& name) {
    absl::StatusOr<std::string> id = registries().Register(kFuyun, NewPerson(name));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(cluster().WaitForEvidence(kFuyun, *id, [](const auto&) { return true; }));
    return *id;
  }

  v1::OpenCycleReply Open(const std::string& county = kFuyun) {
    v1::OpenCycleRequest request;
    request.set_request_id(NewRequestId("open"));
    request.set_jurisdiction(county);
    request.set_year(ThisYear());
    v1::OpenCycleReply reply;
    absl::Status s = cluster().Call(county, &Stub::OpenCycle, request, &reply);
    EXPECT_TRUE(s.ok()) << s;
    return reply;
  }

  std::unique_ptr<AppraisalCluster> cluster_;
};

TEST_F(AppraisalFlowsTest, OpenCycle_NoticeReachesTheMemberAwayInAnotherCounty) {
  const std::string away = AwayInTianshan("马建国");
  const std::string home = Resident("阿依古丽");
  const v1::OpenCycleReply opened = Open();
  EXPECT_EQ(opened.cycle_id(), absl::StrCat("cycle-", kFuyun, "-", ThisYear()));
  EXPECT_EQ(opened.members_notified(), 2u);
  EXPECT_EQ(opened.members_away_notified(), 1u);

  // Tianshan's appraisal service records the notice from its inbox.
  v1::ListNotificationsRequest request;
  request.set_jurisdiction(kTianshan);
  request.set_year(ThisYear());
  v1::ListNotificationsReply reply;
  ASSERT_TRUE(WaitFor(
      [&] {
        reply.Clear();
        return cluster().Call(kTianshan, &Stub::ListNotifications, request, &reply).ok() &&
               reply.notifications_size() == 1 && !reply.notifications(0).name().empty();
      },
      kDeliveryTimeout))
      << reply.DebugString();
  const v1::AppraisalNotification& n = reply.notifications(0);
  EXPECT_EQ(n.member_id(), away);
  EXPECT_EQ(n.name(), "马建国");
  EXPECT_TRUE(n.received());
  EXPECT_EQ(n.home_jurisdiction(), kFuyun);
  EXPECT_EQ(n.cycle_id(), opened.cycle_id());

  // At home both notices are listed as sent, and a second opening is refused.
  request.set_jurisdiction(kFuyun);
  reply.Clear();
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListNotifications, request, &reply));
  EXPECT_EQ(reply.notifications_size(), 2);
  v1::OpenCycleRequest again;
  again.set_request_id(NewRequestId("open"));
  again.set_jurisdiction(kFuyun);
  again.set_year(ThisYear());
  v1::OpenCycleReply again_reply;
  EXPECT_EQ(cluster().Call(kFuyun, &Stub::OpenCycle, again, &again_reply).code(),
            absl::StatusCode::kAlreadyExists);
  (void)home;
}

TEST_F(AppraisalFlowsTest, CertificateEntryAtTheDestinationShowsInTheOriginsEvidence) {
  const std::string away = AwayInTianshan("马建国");
  LX_ASSERT_OK(registries().IssueCertificate(kFuyun, Certificate(away, "FY-2026-0007")));
  ASSERT_TRUE(registries().WaitForMember(
      kTianshan, away, [](const v1::Member& m) { return m.certificate_no() == "FY-2026-0007"; }));
  v1::RecordCertificateEntryRequest entry = OrganizationLife(away, -3);
  entry.set_activity("天山区流动党员支部：学习党章");
  LX_ASSERT_OK(registries().RecordCertificateEntry(kTianshan, entry));
  ASSERT_TRUE(cluster().WaitForEvidence(kFuyun, away, [](const v1::GetEvidenceReply& e) {
    return e.destination_entries_size() == 1;
  })) << cluster().Evidence(kFuyun, away)->DebugString();
  absl::StatusOr<v1::GetEvidenceReply> evidence = cluster().Evidence(kFuyun, away);
  ASSERT_TRUE(evidence.ok());
  const v1::OrganizationLifeEntry& e = evidence->destination_entries(0);
  EXPECT_EQ(e.recorded_in(), kTianshan);
  EXPECT_EQ(e.activity(), "天山区流动党员支部：学习党章");
  EXPECT_TRUE(e.on_certificate());
  EXPECT_EQ(evidence->certificate_entries_size(), 1);
}

// Contact and education events come from those services' topics. Until the
// branches merge they are published by stand-ins (a real store and relay).
TEST_F(AppraisalFlowsTest, ContactAndEducationEventsOnTheirTopicsBecomeEvidence) {
  const std::string away = AwayInTianshan("马建国");
  LX_ASSERT_OK_AND_ASSIGN(StandInService * contact, cluster().StandIn(kFuyun, "contact"));
  LX_ASSERT_OK_AND_ASSIGN(StandInService * education, cluster().StandIn(kFuyun, "education"));
  v1::Event report;
  report.set_type("ContactRecorded");
  report.mutable_contact_recorded()->set_member_id(away);
  report.mutable_contact_recorded()->set_channel(v1::CONTACT_CHANNEL_PHONE);
  report.mutable_contact_recorded()->set_kind(v1::CONTACT_KIND_QUARTERLY_REPORT);
  report.mutable_contact_recorded()->set_occurred_on(Day(-5));
  report.mutable_contact_recorded()->set_summary("电话汇报：在工地一切正常");
  report.mutable_contact_recorded()->set_recorded_in(kTianshan);
  LX_ASSERT_OK(contact->Publish(away, report));
  v1::Event lost;
  lost.set_type("LostContact");
  lost.mutable_lost_contact()->set_member_id(away);
  lost.mutable_lost_contact()->set_lost_on(Day(-4));
  LX_ASSERT_OK(contact->Publish(away, lost));
  v1::Event attended;
  attended.set_type("AttendanceRecorded");
  attended.mutable_attendance_recorded()->set_member_id(away);
  attended.mutable_attendance_recorded()->set_attended(true);
  attended.mutable_attendance_recorded()->set_hours(8);
  attended.mutable_attendance_recorded()->set_occurred_on(Day(-2));
  LX_ASSERT_OK(education->Publish(away, attended));
  const int year = ThisYear();
  ASSERT_TRUE(cluster().WaitForEvidence(kFuyun, away, [&](const v1::GetEvidenceReply& e) {
    return e.contacts_size() == 1 && e.education_hours() == 8 && e.lost_contact_size() == 1;
  })) << cluster().Evidence(kFuyun, away)->DebugString();
  absl::StatusOr<v1::GetEvidenceReply> evidence = cluster().Evidence(kFuyun, away, year);
  ASSERT_TRUE(evidence.ok());
  EXPECT_EQ(evidence->contacts(0).kind(), "CONTACT_KIND_QUARTERLY_REPORT");
  EXPECT_EQ(evidence->lost_contact(0).lost_on(), Day(-4));
  EXPECT_EQ(evidence->destination_contacts(), 1u);  // recorded in Tianshan
}

TEST_F(AppraisalFlowsTest, DuesGradesAndBadInputAnswerWithTheFieldNamed) {
  const std::string a = Resident("张三");
  const std::string b = Resident("李四");
  const std::string c = Resident("王五");
  const v1::OpenCycleReply opened = Open();
  ASSERT_EQ(opened.members_notified(), 3u);

  // Dues: salaried at the bracket boundary, then a payment of two months at once.
  v1::SetDuesBaseRequest base;
  base.set_request_id(NewRequestId("base"));
  base.set_member_id(a);
  base.set_basis(v1::DUES_BASIS_SALARIED);
  base.set_monthly_income_fen(300001);
  v1::SetDuesBaseReply base_reply;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::SetDuesBase, base, &base_reply));
  EXPECT_EQ(base_reply.monthly_dues_fen(), 3000);
  v1::SetDuesBaseReply replayed;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::SetDuesBase, base, &replayed));  // same request_id
  EXPECT_EQ(replayed.version(), base_reply.version());
  base.set_request_id(NewRequestId("base"));
  EXPECT_EQ(cluster().Call(kFuyun, &Stub::SetDuesBase, base, &replayed).code(),
            absl::StatusCode::kFailedPrecondition);  // R10: fixed for the year

  const absl::CivilMonth this_month(CountyToday());
  v1::RecordDuesPaymentRequest pay;
  pay.set_request_id(NewRequestId("pay"));
  pay.set_member_id(a);
  pay.add_months(absl::FormatCivilTime(this_month).substr(0, 7));
  pay.set_amount_fen(3000);
  v1::MutationReply paid;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::RecordDuesPayment, pay, &paid));
  EXPECT_EQ(paid.version(), base_reply.version() + 1);

  // R7: three members, one EXCELLENT at most.
  auto grade = [&](const std::string& member, v1::AppraisalGrade g) {
    v1::RecordAppraisalRequest r;
    r.set_request_id(NewRequestId("grade"));
    r.set_cycle_id(opened.cycle_id());
    r.set_member_id(member);
    r.set_grade(g);
    r.set_remarks("按时参加组织生活，表现良好");
    v1::MutationReply reply;
    return cluster().Call(kFuyun, &Stub::RecordAppraisal, r, &reply);
  };
  LX_EXPECT_OK(grade(a, v1::APPRAISAL_GRADE_EXCELLENT));
  absl::Status second = grade(b, v1::APPRAISAL_GRADE_EXCELLENT);
  EXPECT_EQ(second.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.message().find("limit is 1 of 3"), std::string::npos) << second;
  LX_EXPECT_OK(grade(b, v1::APPRAISAL_GRADE_QUALIFIED));
  EXPECT_EQ(grade(b, v1::APPRAISAL_GRADE_QUALIFIED).code(), absl::StatusCode::kFailedPrecondition);

  v1::ListAppraisalSheetRequest sheet;
  sheet.set_jurisdiction(kFuyun);
  sheet.set_year(ThisYear());
  v1::ListAppraisalSheetReply sheet_reply;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListAppraisalSheet, sheet, &sheet_reply));
  EXPECT_EQ(sheet_reply.rows_size(), 3);
  EXPECT_EQ(sheet_reply.excellent_limit(), 1u);
  EXPECT_EQ(sheet_reply.excellent_count(), 1u);

  // A member away in Tianshan, known to Tianshan's appraisal service too.
  const std::string away = AwayInTianshan("马建国");
  ASSERT_TRUE(cluster().WaitForEvidence(kTianshan, away, [](const auto&) { return true; }));

  // Bad input: INVALID_ARGUMENT naming the field; nothing stored.
  struct Case {
    const char* label;
    std::function<absl::Status()> call;
    absl::StatusCode code;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"basis missing",
       [&] {
         v1::SetDuesBaseRequest r = base;
         r.set_request_id(NewRequestId("bad"));
         r.set_member_id(c);
         r.clear_basis();
         return cluster().Call(kFuyun, &Stub::SetDuesBase, r, &replayed);
       },
       absl::StatusCode::kInvalidArgument, "basis"},
      {"farmer amount out of range",
       [&] {
         v1::SetDuesBaseRequest r = base;
         r.set_request_id(NewRequestId("bad"));
         r.set_member_id(c);
         r.set_basis(v1::DUES_BASIS_FARMER);
         r.set_farmer_dues_fen(150);
         return cluster().Call(kFuyun, &Stub::SetDuesBase, r, &replayed);
       },
       absl::StatusCode::kInvalidArgument, "farmer_dues_fen"},
      {"month 13",
       [&] {
         v1::RecordDuesPaymentRequest r = pay;
         r.set_request_id(NewRequestId("bad"));
         r.set_months(0, absl::StrCat(ThisYear(), "-13"));
         return cluster().Call(kFuyun, &Stub::RecordDuesPayment, r, &paid);
       },
       absl::StatusCode::kInvalidArgument, "months"},
      {"amount not the dues",
       [&] {
         v1::RecordDuesPaymentRequest r = pay;
         r.set_request_id(NewRequestId("bad"));
         // Another month of this year (the base is this year's).
         const absl::CivilMonth other = this_month.month() > 1 ? this_month - 1 : this_month + 1;
         r.set_months(0, absl::FormatCivilTime(other).substr(0, 7));
         r.set_amount_fen(2999);
         return cluster().Call(kFuyun, &Stub::RecordDuesPayment, r, &paid);
       },
       absl::StatusCode::kInvalidArgument, "amount_fen"},
      {"year 1999",
       [&] {
         v1::OpenCycleRequest r;
         r.set_request_id(NewRequestId("bad"));
         r.set_jurisdiction(kFuyun);
         r.set_year(1999);
         v1::OpenCycleReply reply;
         return cluster().Call(kFuyun, &Stub::OpenCycle, r, &reply);
       },
       absl::StatusCode::kInvalidArgument, "year"},
      {"grade missing", [&] { return grade(c, v1::APPRAISAL_GRADE_UNSPECIFIED); },
       absl::StatusCode::kInvalidArgument, "grade"},
      {"remarks with invalid UTF-8",
       [&] {
         v1::RecordAppraisalRequest r;
         r.set_request_id(NewRequestId("bad"));
         r.set_cycle_id(opened.cycle_id());
         r.set_member_id(c);
         r.set_grade(v1::APPRAISAL_GRADE_QUALIFIED);
         r.set_remarks("表现\xE5\xAF");
         v1::MutationReply reply;
         return cluster().Call(kFuyun, &Stub::RecordAppraisal, r, &reply);
       },
       absl::StatusCode::kInvalidArgument, "remarks"},
      {"correction without a reason",
       [&] {
         v1::CorrectAppraisalRequest r;
         r.set_request_id(NewRequestId("bad"));
         r.set_cycle_id(opened.cycle_id());
         r.set_member_id(b);
         r.set_grade(v1::APPRAISAL_GRADE_BASICALLY_QUALIFIED);
         v1::MutationReply reply;
         return cluster().Call(kFuyun, &Stub::CorrectAppraisal, r, &reply);
       },
       absl::StatusCode::kInvalidArgument, "reason"},
      {"extension of 13 months",
       [&] {
         v1::RecordProbationOutcomeRequest r;
         r.set_request_id(NewRequestId("bad"));
         r.set_member_id(c);
         r.set_outcome(v1::PROBATION_OUTCOME_EXTENDED);
         r.set_extension_months(13);
         v1::MutationReply reply;
         return cluster().Call(kFuyun, &Stub::RecordProbationOutcome, r, &reply);
       },
       absl::StatusCode::kFailedPrecondition, "R11"},  // c is not on probation
      {"as_of not a date",
       [&] {
         v1::ListLapseCandidatesRequest r;
         r.set_jurisdiction(kFuyun);
         r.set_as_of("2026-02-30");
         v1::ListLapseCandidatesReply reply;
         return cluster().Call(kFuyun, &Stub::ListLapseCandidates, r, &reply);
       },
       absl::StatusCode::kInvalidArgument, "as_of"},
      {"a year not begun",
       [&] {
         v1::OpenCycleRequest r;
         r.set_request_id(NewRequestId("bad"));
         r.set_jurisdiction(kFuyun);
         r.set_year(ThisYear() + 1);
         v1::OpenCycleReply reply;
         return cluster().Call(kFuyun, &Stub::OpenCycle, r, &reply);
       },
       absl::StatusCode::kInvalidArgument, "year"},
      {"a stale expected_version",
       [&] {
         v1::RecordOrganizationLifeRequest r;
         r.set_request_id(NewRequestId("bad"));
         r.set_member_id(c);
         r.set_occurred_on(Day(-1));
         r.set_activity("支部大会");
         r.set_expected_version(1);
         v1::MutationReply reply;
         return cluster().Call(kFuyun, &Stub::RecordOrganizationLife, r, &reply);
       },
       absl::StatusCode::kAborted, "expected_version"},
      {"dues of a member away, at the destination",
       [&] {
         v1::SetDuesBaseRequest r = base;
         r.set_request_id(NewRequestId("bad"));
         r.set_member_id(away);
         v1::SetDuesBaseReply reply;
         return cluster().Call(kTianshan, &Stub::SetDuesBase, r, &reply);
       },
       absl::StatusCode::kPermissionDenied, "654322"},
      {"unknown member",
       [&] {
         v1::RecordOrganizationLifeRequest r;
         r.set_request_id(NewRequestId("bad"));
         r.set_member_id("654322-nobody");
         r.set_occurred_on(Day(-1));
         r.set_activity("支部大会");
         v1::MutationReply reply;
         return cluster().Call(kFuyun, &Stub::RecordOrganizationLife, r, &reply);
       },
       absl::StatusCode::kNotFound, "member_id"},
      {"readonly operator",
       [&] {
         v1::RecordOrganizationLifeRequest r;
         r.set_request_id(NewRequestId("bad"));
         r.set_member_id(c);
         r.set_occurred_on(Day(-1));
         r.set_activity("支部大会");
         v1::MutationReply reply;
         return cluster().Call(kFuyun, &Stub::RecordOrganizationLife, r, &reply,
                               std::string(kReadonlyToken));
       },
       absl::StatusCode::kPermissionDenied, "readonly"},
      {"another county's operator",
       [&] {
         v1::GetEvidenceRequest r;
         r.set_member_id(c);
         v1::GetEvidenceReply reply;
         return cluster().Call(kFuyun, &Stub::GetEvidence, r, &reply, OperatorToken(kTianshan));
       },
       absl::StatusCode::kPermissionDenied, "650102"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.label);
    absl::Status s = k.call();
    EXPECT_EQ(s.code(), k.code) << s;
    EXPECT_NE(s.message().find(k.field), std::string::npos) << s;
  }
  // Nothing of the refused requests was stored for c.
  absl::StatusOr<v1::GetEvidenceReply> evidence = cluster().Evidence(kFuyun, c);
  ASSERT_TRUE(evidence.ok());
  EXPECT_EQ(evidence->version(), 2u);  // registered, notified
  EXPECT_EQ(evidence->monthly_dues_fen(), 0);

  // The replay contract on the live process's log (read-only, as lxaudit
  // opens it): every aggregate's state and index rows are the Projector's fold.
  EventStoreOptions options;
  options.path = registries().dir().Sub(std::string(kFuyun) + "/appraisal");
  options.source.set_jurisdiction(kFuyun);
  options.source.set_service("appraisal");
  options.read_only = true;
  LX_ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store, EventStore::Open(options));
  appraisal::Settings settings;
  std::unique_ptr<Projector> projector = appraisal::NewProjector(kFuyun, settings);
  std::map<std::string, std::string> states;
  LX_ASSERT_OK(store->ScanLog(1, [&](const v1::Event& event) {
    absl::StatusOr<std::string> next = projector->Evolve(states[event.aggregate_id()], event);
    EXPECT_TRUE(next.ok()) << next.status();
    states[event.aggregate_id()] = next.value_or("");
    return true;
  }));
  std::map<std::string, std::string> expected_rows;
  for (const auto& [id, state] : states) {
    LX_ASSERT_OK_AND_ASSIGN(Aggregate live, store->ReadAggregate(id));
    EXPECT_EQ(live.state, state) << id;
    for (auto& [key, value] : projector->IndexRows(id, state)) expected_rows[key] = value;
  }
  std::map<std::string, std::string> live_rows;
  LX_ASSERT_OK(
      store->ScanPrefix(Family::kIndexes, "", [&](const std::string& k, const std::string& v) {
        live_rows[k] = v;
        return true;
      }));
  EXPECT_EQ(live_rows, expected_rows);
  EXPECT_GE(states.size(), 5u);  // four members and the cycle
}

// Paging: the appraisal sheet comes page by page, every member once in id
// order, with the cycle's counts of the whole county on every page; a bad
// page token or size on any appraisal list is INVALID_ARGUMENT naming it.
TEST_F(AppraisalFlowsTest, SheetPagesEveryMemberOnceAndListsRefuseBadTokens) {
  std::vector<std::string> ids;
  for (const char* name : {"翻页甲", "翻页乙", "翻页丙", "翻页丁", "翻页戊"}) {
    ids.push_back(Resident(name));
  }
  Open();
  v1::ListAppraisalSheetRequest sheet;
  sheet.set_jurisdiction(kFuyun);
  sheet.set_year(ThisYear());
  v1::ListAppraisalSheetReply whole;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListAppraisalSheet, sheet, &whole));
  ASSERT_GE(whole.rows_size(), 5) << whole.DebugString();
  EXPECT_EQ(whole.total_size(), static_cast<uint32_t>(whole.rows_size()));
  for (int32_t page_size : {1, 2, 5}) {
    SCOPED_TRACE(page_size);
    std::vector<v1::AppraisalSheetRow> rows;
    int pages = 0;
    LX_ASSERT_OK(WalkPages<v1::ListAppraisalSheetReply>(
        sheet, page_size,
        [&](const auto& r, auto* reply) {
          absl::Status s = cluster().Call(kFuyun, &Stub::ListAppraisalSheet, r, reply);
          if (s.ok() && (reply->members_in_cycle() != whole.members_in_cycle() ||
                         reply->excellent_limit() != whole.excellent_limit())) {
            return absl::InternalError("a page's cycle counts are not the whole cycle's");
          }
          return s;
        },
        [](const auto& reply) { return reply.rows(); }, &rows, &pages));
    EXPECT_EQ(pages, (whole.rows_size() + page_size - 1) / page_size);
    ASSERT_EQ(rows.size(), static_cast<size_t>(whole.rows_size()));
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].member_id(), whole.rows(i).member_id()) << i;
      if (i > 0) {
        EXPECT_LT(rows[i - 1].member_id(), rows[i].member_id()) << i;
      }
    }
    for (const std::string& id : ids) {
      EXPECT_EQ(std::count_if(rows.begin(), rows.end(),
                              [&](const auto& row) { return row.member_id() == id; }),
                1)
          << id;
    }
  }

  v1::ListAppraisalSheetRequest one = sheet;
  one.set_page_size(1);
  v1::ListAppraisalSheetReply first;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListAppraisalSheet, one, &first));
  const std::string sheet_token = first.next_page_token();
  ASSERT_FALSE(sheet_token.empty());
  struct Case {
    const char* label;
    int32_t page_size;
    std::string page_token;
    const char* named;
  };
  const std::vector<Case> cases = {
      {"garbage token", 0, "garbage", "page_token"},
      {"token of ListAppraisalSheet", 0, sheet_token, "page_token"},
      {"page_size above 1000", 1001, "", "page_size"},
  };
  auto expect_refused = [](const absl::Status& s, const char* named) {
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find(named), std::string::npos) << s;
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    v1::ListDuesArrearsRequest dues;
    dues.set_jurisdiction(kFuyun);
    dues.set_page_size(c.page_size);
    dues.set_page_token(c.page_token);
    v1::ListDuesArrearsReply dues_reply;
    expect_refused(cluster().Call(kFuyun, &Stub::ListDuesArrears, dues, &dues_reply), c.named);
    v1::ListLapseCandidatesRequest lapse;
    lapse.set_jurisdiction(kFuyun);
    lapse.set_page_size(c.page_size);
    lapse.set_page_token(c.page_token);
    v1::ListLapseCandidatesReply lapse_reply;
    expect_refused(cluster().Call(kFuyun, &Stub::ListLapseCandidates, lapse, &lapse_reply),
                   c.named);
    v1::ListProbationDueRequest probation;
    probation.set_jurisdiction(kFuyun);
    probation.set_page_size(c.page_size);
    probation.set_page_token(c.page_token);
    v1::ListProbationDueReply probation_reply;
    expect_refused(cluster().Call(kFuyun, &Stub::ListProbationDue, probation, &probation_reply),
                   c.named);
    v1::ListNotificationsRequest notices;
    notices.set_jurisdiction(kFuyun);
    notices.set_year(ThisYear());
    notices.set_page_size(c.page_size);
    notices.set_page_token(c.page_token);
    v1::ListNotificationsReply notices_reply;
    expect_refused(cluster().Call(kFuyun, &Stub::ListNotifications, notices, &notices_reply),
                   c.named);
  }
}

}  // namespace
}  // namespace lianxin::appraisal_test
