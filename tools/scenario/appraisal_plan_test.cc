// The Fuyun scenario's appraisal plan: deterministic, within the rules.
#include "tools/scenario/appraisal_plan.h"

#include "gtest/gtest.h"
#include "services/appraisal/domain/rules.h"
#include "tools/scenario/generator.h"

namespace lianxin::scenario {
namespace {

namespace v1 = lianxin::v1;

TEST(PlanAppraisal, AYearOfDuesGradesWithinOneThirdTwoLapseCandidates) {
  const absl::CivilDay today(2026, 11, 27);
  const Plan registry = Generate(FuyunSpec(), {.seed = 1, .today = today});
  const AppraisalPlan plan = PlanAppraisal(registry, today);
  EXPECT_EQ(plan.county, "654322");
  EXPECT_EQ(plan.year, 2026);
  ASSERT_GE(plan.members.size(), 20u);
  int excellent = 0, candidates = 0, arrears = 0, beyond_six = 0, corrected = 0;
  for (const AppraisalMemberPlan& m : plan.members) {
    excellent += m.appraisal.grade() == v1::APPRAISAL_GRADE_EXCELLENT;
    corrected += m.corrected;
    if (m.story == "lapse-candidate") {
      ++candidates;
      EXPECT_EQ(m.appraisal.grade(), v1::APPRAISAL_GRADE_UNSPECIFIED);
      // Active until April: May–October (6 complete months) without anything.
      ASSERT_FALSE(m.organization_life.empty());
      EXPECT_EQ(m.organization_life.back().occurred_on(), "2026-04-15");
    }
    int paid = 0;
    for (const auto& pay : m.payments) {
      EXPECT_GE(pay.months_size(), 1);
      EXPECT_LE(pay.paid_on(), "2026-11-27");
      paid += pay.months_size();
    }
    if (m.story == "arrears") {
      ++arrears;
      EXPECT_LT(paid, 10) << m.key;
      if (paid == 6) ++beyond_six;  // March and April unpaid too
    }
    if (m.story == "regular") {
      EXPECT_LE(paid, 10) << m.key;  // January–October, less those paid at the destination
      EXPECT_GE(paid, 7) << m.key;
    }
    absl::StatusOr<appraisal::DuesBase> base =
        appraisal::MonthlyDuesFen({m.dues_base.basis(),
                                   m.dues_base.monthly_income_fen(),
                                   m.dues_base.farmer_dues_fen(),
                                   {m.dues_base.previous_quarter_income_fen().begin(),
                                    m.dues_base.previous_quarter_income_fen().end()}});
    ASSERT_TRUE(base.ok()) << m.key << " " << base.status();
    for (const auto& pay : m.payments) {
      EXPECT_EQ(pay.amount_fen(), base->monthly_dues_fen * pay.months_size()) << m.key;
    }
  }
  EXPECT_EQ(candidates, 2);
  EXPECT_GE(arrears, 2);
  EXPECT_GE(beyond_six, 1);
  EXPECT_EQ(corrected, 1);
  EXPECT_GE(excellent, 1);
  EXPECT_LE(excellent, appraisal::ExcellentLimit(static_cast<int>(plan.members.size()), {}));
  // Deterministic.
  const AppraisalPlan again = PlanAppraisal(registry, today);
  ASSERT_EQ(again.members.size(), plan.members.size());
  EXPECT_EQ(again.members[3].dues_base.SerializeAsString(),
            plan.members[3].dues_base.SerializeAsString());
}

}  // namespace
}  // namespace lianxin::scenario
