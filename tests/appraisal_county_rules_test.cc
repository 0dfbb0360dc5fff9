// The appraisal's rules as a county office lives them (issue 16), across real
// processes: lianxin-broker, the registries and appraisal services of Fuyun
// and Tianshan (tests/appraisal_fixture.h).
//
// Defect 3: the registries follow the appraisal's probation and lapse
// decisions. Defect 5: a member transferred in is no lapse candidate for
// months before the transfer. Defect 10: the EXCELLENT share is of the
// members appraised, not of those notified.
#include "gmock/gmock.h"
#include "tests/appraisal_fixture.h"

namespace lianxin::appraisal_test {
namespace {

using Stub = v1::Appraisal::Stub;

int ThisYear() { return static_cast<int>(CountyToday().year()); }

class AppraisalCountyRulesTest : public ::testing::Test {
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

  // A member of `county` registered with `request`'s defaults changed by
  // `probationary` and `joined_on`; waits until its appraisal service knows it.
  std::string Member(const std::string& county, const std::string& name, bool probationary,
                     const std::string& joined_on) {
    v1::RegisterMemberRequest r = Registration(county, NewPerson(name));
    r.set_probationary(probationary);
    if (!joined_on.empty()) r.set_joined_on(joined_on);
    absl::StatusOr<std::string> id = registries().Register(r);
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(cluster().WaitForEvidence(county, *id, [](const auto&) { return true; }));
    return *id;
  }

  std::vector<std::string> LapseCandidates(const std::string& county) {
    v1::ListLapseCandidatesRequest request;
    request.set_jurisdiction(county);
    v1::ListLapseCandidatesReply reply;
    absl::Status s = cluster().Call(county, &Stub::ListLapseCandidates, request, &reply);
    EXPECT_TRUE(s.ok()) << s;
    std::vector<std::string> ids;
    for (const auto& c : reply.members()) ids.push_back(c.member_id());
    return ids;
  }

  std::unique_ptr<AppraisalCluster> cluster_;
};

// Defect 3, R11 and R6: a conversion clears `probationary` in both
// registries; a member treated as lapsed leaves the records of both as ended.
TEST_F(AppraisalCountyRulesTest, RegistriesFollowProbationAndLapseDecisions) {
  const std::string probationer = Member(kFuyun, "周晓燕", true, Day(-400));
  LX_ASSERT_OK(registries().RegisterOutflow(kFuyun, Outflow(probationer, kTianshan)));
  ASSERT_TRUE(
      registries().WaitForStatus(kTianshan, probationer, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  v1::RecordProbationOutcomeRequest outcome;
  outcome.set_request_id(NewRequestId("prob"));
  outcome.set_member_id(probationer);
  outcome.set_outcome(v1::PROBATION_OUTCOME_CONVERTED);
  outcome.set_remarks("支部大会讨论通过，按期转为正式党员");
  v1::MutationReply reply;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::RecordProbationOutcome, outcome, &reply));
  for (const char* county : {kFuyun, kTianshan}) {
    EXPECT_TRUE(registries().WaitForMember(county, probationer,
                                           [](const v1::Member& m) {
                                             return !m.probationary() &&
                                                    m.membership_change() ==
                                                        v1::MEMBERSHIP_CHANGE_PROBATION_CONVERTED;
                                           }))
        << county << " " << registries().StatusAt(county, probationer);
  }

  // Joined long ago, nothing on record since: a lapse candidate (R6).
  const std::string lapsed = Member(kFuyun, "钱国强", false, "");
  LX_ASSERT_OK(registries().RegisterOutflow(kFuyun, Outflow(lapsed, kTianshan)));
  ASSERT_TRUE(registries().WaitForStatus(kTianshan, lapsed, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<std::string> ids = LapseCandidates(kFuyun);
        return std::find(ids.begin(), ids.end(), lapsed) != ids.end();
      },
      kDeliveryTimeout));
  v1::RecordLapseDecisionRequest decision;
  decision.set_request_id(NewRequestId("lapse"));
  decision.set_member_id(lapsed);
  decision.set_decision(v1::LAPSE_DECISION_TREATED_AS_LAPSED);
  decision.set_remarks("支部大会决定按自行脱党处理，报上级党委批准");
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::RecordLapseDecision, decision, &reply));
  EXPECT_TRUE(registries().WaitForStatus(kFuyun, lapsed, v1::MEMBER_STATUS_MEMBERSHIP_ENDED))
      << registries().StatusAt(kFuyun, lapsed);
  EXPECT_TRUE(registries().WaitForStatus(kTianshan, lapsed, v1::MEMBER_STATUS_INFLOW_CLOSED))
      << registries().StatusAt(kTianshan, lapsed);
  // Nothing more is recorded on an ended membership.
  EXPECT_EQ(registries().RecordReturn(kFuyun, Return(lapsed)).code(),
            absl::StatusCode::kFailedPrecondition);
}

// Defect 5, R6: a member of long standing transferred in from Tianshan is not
// a lapse candidate at Fuyun for the months before the transfer.
TEST_F(AppraisalCountyRulesTest, ATransferredInMemberIsNoLapseCandidateForEarlierMonths) {
  const std::string id = Member(kTianshan, "孙立新", false, "");
  LX_ASSERT_OK(registries().RequestTransfer(kTianshan, Transfer(id, kFuyun, "乌组转字501号")));
  ASSERT_TRUE(registries().WaitForStatus(kFuyun, id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  LX_ASSERT_OK(registries().AcceptTransfer(kFuyun, Accept(id, "城关镇第一党支部")));
  ASSERT_TRUE(cluster().WaitForEvidence(kFuyun, id, [](const auto&) { return true; }));
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<v1::GetEvidenceReply> e = cluster().Evidence(kFuyun, id);
        return e.ok() && e->branch() == "城关镇第一党支部";
      },
      kDeliveryTimeout));
  // A control member of Fuyun, joined as long ago with nothing on record, is one.
  const std::string control = Member(kFuyun, "郑海", false, "");
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<std::string> ids = LapseCandidates(kFuyun);
        return std::find(ids.begin(), ids.end(), control) != ids.end();
      },
      kDeliveryTimeout));
  EXPECT_THAT(LapseCandidates(kFuyun), ::testing::Not(::testing::Contains(id)));
}

// Defect 10, R7: three members notified, one transferred out to Tianshan
// since: two are appraised, so none may be EXCELLENT; the sheet says so.
TEST_F(AppraisalCountyRulesTest, ExcellentShareIsOfTheMembersAppraised) {
  const std::string a = Member(kFuyun, "吴桂兰", false, "");
  const std::string b = Member(kFuyun, "冯志强", false, "");
  const std::string c = Member(kFuyun, "陈丽", false, "");
  v1::OpenCycleRequest open;
  open.set_request_id(NewRequestId("open"));
  open.set_jurisdiction(kFuyun);
  open.set_year(ThisYear());
  v1::OpenCycleReply opened;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::OpenCycle, open, &opened));
  LX_ASSERT_OK(registries().RequestTransfer(kFuyun, Transfer(c, kTianshan, "新组转字601号")));
  ASSERT_TRUE(registries().WaitForStatus(kTianshan, c, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  LX_ASSERT_OK(registries().AcceptTransfer(kTianshan, Accept(c, "天山区流动党员党支部")));
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<v1::GetEvidenceReply> e = cluster().Evidence(kFuyun, c);
        return !e.ok() || e->branch() == "天山区流动党员党支部";
      },
      kDeliveryTimeout));

  v1::RecordAppraisalRequest grade;
  grade.set_request_id(NewRequestId("grade"));
  grade.set_cycle_id(opened.cycle_id());
  grade.set_member_id(a);
  grade.set_grade(v1::APPRAISAL_GRADE_EXCELLENT);
  grade.set_remarks("带动群众致富");
  v1::MutationReply reply;
  absl::Status refused = cluster().Call(kFuyun, &Stub::RecordAppraisal, grade, &reply);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("limit is 0 of 2"));
  grade.set_grade(v1::APPRAISAL_GRADE_QUALIFIED);
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::RecordAppraisal, grade, &reply));

  v1::ListAppraisalSheetRequest sheet;
  sheet.set_jurisdiction(kFuyun);
  sheet.set_year(ThisYear());
  v1::ListAppraisalSheetReply sheet_reply;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListAppraisalSheet, sheet, &sheet_reply));
  EXPECT_EQ(sheet_reply.members_in_cycle(), 3u);  // notified
  EXPECT_EQ(sheet_reply.excellent_limit(), 0u);   // of 2 appraised
  (void)b;
}

}  // namespace
}  // namespace lianxin::appraisal_test
