// Table tests of the appraisal rules (R6, R7, R10, R11) at their boundaries.
#include "services/appraisal/domain/rules.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/time_util.h"

namespace lianxin::appraisal {
namespace {

using lianxin::v1::DuesBasis;

absl::CivilDay D(const char* s) { return *ParseDate(s); }
absl::CivilMonth M(const char* s) { return *ParseMonth(s); }

TEST(ParseMonth, AcceptsOnlyZeroPaddedRealMonths) {
  EXPECT_EQ(ParseMonth("2026-01"), absl::CivilMonth(2026, 1));
  EXPECT_EQ(ParseMonth("2026-12"), absl::CivilMonth(2026, 12));
  for (const char* bad : {"2026-13", "2026-00", "2026-1", "26-01", "2026/01", "", "2026-01-01"}) {
    EXPECT_FALSE(ParseMonth(bad).has_value()) << bad;
  }
  EXPECT_EQ(FormatMonth(absl::CivilMonth(2026, 3)), "2026-03");
}

// R10 at every bracket boundary, for each basis that uses brackets.
TEST(MonthlyDuesFen, SalariedBracketsAtEveryBoundary) {
  struct Case {
    int64_t income;
    int64_t dues;
  } cases[] = {
      {0, 0},           {300000, 1500},  // 3000 yuan: 0.5 %
      {300001, 3000},                    // 3000.01 fen at 1 % → 3000 (rounded half up)
      {500000, 5000},                    // 5000 yuan: 1 %
      {500001, 7500},                    // 7500.015 → 7500
      {1000000, 15000},                  // 10000 yuan: 1.5 %
      {1000001, 20000},                  // 20000.02 → 20000
      {300050, 3001},                    // 3000.5 rounds up
      {300049, 3000},                    // 3000.49 rounds down
      {299999, 1500},                    // 1499.995 rounds up
      {2000000, 40000},
  };
  for (DuesBasis basis : {lianxin::v1::DUES_BASIS_SALARIED, lianxin::v1::DUES_BASIS_OTHER}) {
    for (const Case& c : cases) {
      absl::StatusOr<DuesBase> base = MonthlyDuesFen({basis, c.income, 0, {}});
      ASSERT_TRUE(base.ok()) << base.status();
      EXPECT_EQ(base->monthly_dues_fen, c.dues) << DuesBasis_Name(basis) << " " << c.income;
    }
  }
}

TEST(MonthlyDuesFen, RetiredBracketsAtTheBoundary) {
  struct Case {
    int64_t income;
    int64_t dues;
  } cases[] = {
      {300000, 1500},   {300001, 1500},  // still 0.5 %: 1500.005 → 1500
      {500000, 2500},                    // 0.5 %
      {500001, 5000},                    // 1 %: 5000.01 → 5000
      {1000000, 10000}, {1000001, 10000},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DuesBase> base =
        MonthlyDuesFen({lianxin::v1::DUES_BASIS_RETIRED, c.income, 0, {}});
    ASSERT_TRUE(base.ok());
    EXPECT_EQ(base->monthly_dues_fen, c.dues) << c.income;
  }
}

TEST(MonthlyDuesFen, SelfEmployedUseThePreviousQuartersAverage) {
  struct Case {
    std::vector<int64_t> quarter;
    int64_t average;
    int64_t dues;
  } cases[] = {
      {{300000, 300000, 300000}, 300000, 1500},
      {{300000, 300000, 300003}, 300001, 3000},  // average crosses the boundary
      {{300000, 300001, 300001}, 300000, 1500},  // 900002 / 3 = 300000.67 → 300000 (rounded down)
      {{500000, 500000, 500003}, 500001, 7500},
      {{1000000, 1000000, 1000003}, 1000001, 20000},
      {{0, 0, 3000000}, 1000000, 15000},
  };
  for (const Case& c : cases) {
    absl::StatusOr<DuesBase> base =
        MonthlyDuesFen({lianxin::v1::DUES_BASIS_SELF_EMPLOYED, 0, 0, c.quarter});
    ASSERT_TRUE(base.ok()) << base.status();
    EXPECT_EQ(base->monthly_income_fen, c.average);
    EXPECT_EQ(base->monthly_dues_fen, c.dues);
  }
  absl::StatusOr<DuesBase> two =
      MonthlyDuesFen({lianxin::v1::DUES_BASIS_SELF_EMPLOYED, 0, 0, {1, 2}});
  EXPECT_EQ(two.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(two.status().message().find("previous_quarter_income_fen"), std::string::npos);
}

TEST(MonthlyDuesFen, FlatAmountsForFarmersStudentsUnemployedAndRelief) {
  EXPECT_EQ(MonthlyDuesFen({lianxin::v1::DUES_BASIS_FARMER, 900000, 0, {}})->monthly_dues_fen, 20);
  EXPECT_EQ(MonthlyDuesFen({lianxin::v1::DUES_BASIS_FARMER, 0, 20, {}})->monthly_dues_fen, 20);
  EXPECT_EQ(MonthlyDuesFen({lianxin::v1::DUES_BASIS_FARMER, 0, 100, {}})->monthly_dues_fen, 100);
  for (int64_t bad : {19, 101, -5}) {
    absl::StatusOr<DuesBase> base = MonthlyDuesFen({lianxin::v1::DUES_BASIS_FARMER, 0, bad, {}});
    EXPECT_EQ(base.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(base.status().message().find("farmer_dues_fen"), std::string::npos);
  }
  for (DuesBasis basis : {lianxin::v1::DUES_BASIS_STUDENT, lianxin::v1::DUES_BASIS_UNEMPLOYED,
                          lianxin::v1::DUES_BASIS_RELIEF}) {
    EXPECT_EQ(MonthlyDuesFen({basis, 800000, 0, {}})->monthly_dues_fen, 20)
        << DuesBasis_Name(basis);
  }
  EXPECT_EQ(MonthlyDuesFen({lianxin::v1::DUES_BASIS_UNSPECIFIED, 1, 0, {}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<DuesBase> negative = MonthlyDuesFen({lianxin::v1::DUES_BASIS_SALARIED, -1, 0, {}});
  EXPECT_NE(negative.status().message().find("monthly_income_fen"), std::string::npos);
}

TEST(IsBackPaymentBeyondLimit, SixMonthsLateIsNormalSevenIsFlagged) {
  Settings settings;
  struct Case {
    const char* month;
    const char* paid_on;
    bool beyond;
  } cases[] = {
      {"2026-01", "2026-07-31", false},  // 6 months late
      {"2025-12", "2026-07-01", true},   // 7
      {"2026-07", "2026-07-01", false},  // the month itself
      {"2026-09", "2026-07-01", false},  // in advance
      {"2025-01", "2026-07-01", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsBackPaymentBeyondLimit(M(c.month), D(c.paid_on), settings), c.beyond)
        << c.month << " paid " << c.paid_on;
  }
}

// R7: one third of the appraised, rounded down, at 2, 3, 4 and 7 members.
// Defect 9, R10: every fen of a payment is booked, by each year's base.
TEST(DuesPerMonthFen, KeepsEveryFenAndEachMonthsBase) {
  struct Case {
    std::vector<int64_t> bases;
    int64_t amount;
    std::vector<int64_t> parts;
  } cases[] = {
      {{1500, 3000}, 4500, {1500, 3000}},  // across a change of year's base
      {{3000, 3000, 3000}, 9000, {3000, 3000, 3000}},
      {{3000, 3000, 3000}, 9001, {3001, 3000, 3000}},  // one fen over the bases
      {{0, 0, 0}, 100, {34, 33, 33}},                  // no base known
      {{0, 0, 0}, 99, {33, 33, 33}},
      {{0, 0, 0}, 2, {1, 1, 0}},
      {{20}, 20, {20}},
      {{}, 0, {}},
  };
  for (const Case& c : cases) EXPECT_EQ(DuesPerMonthFen(c.bases, c.amount), c.parts) << c.amount;
}

TEST(ExcellentLimit, OneThirdRoundedDown) {
  Settings settings;
  struct Case {
    int appraised;
    int limit;
  } cases[] = {{0, 0}, {1, 0}, {2, 0}, {3, 1}, {4, 1}, {5, 1}, {6, 2}, {7, 2}, {9, 3}, {10, 3}};
  for (const Case& c : cases)
    EXPECT_EQ(ExcellentLimit(c.appraised, settings), c.limit) << c.appraised;
}

TEST(CheckExcellentShare, RefusesBeyondTheLimitNamingIt) {
  Settings settings;
  struct Case {
    int appraised;
    int excellent_after;
    bool ok;
  } cases[] = {
      {2, 1, false},                 // 2 members: nobody EXCELLENT
      {3, 1, true},  {3, 2, false},  // 3: one
      {4, 1, true},  {4, 2, false},  // 4: one
      {7, 2, true},  {7, 3, false},  // 7: two
  };
  for (const Case& c : cases) {
    absl::Status s = CheckExcellentShare(c.excellent_after, c.appraised, settings);
    EXPECT_EQ(s.ok(), c.ok) << c.appraised << " " << c.excellent_after;
    if (!c.ok) {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_NE(s.message().find("R7"), std::string::npos);
      EXPECT_NE(s.message().find(absl::StrCat("limit is ", ExcellentLimit(c.appraised, settings))),
                std::string::npos)
          << s.message();
    }
  }
}

// R6: month 5 vs 6, a gap resets the run, an exemption breaks it.
TEST(MonthsWithoutRun, CountsBackFromTheLastMonthUntilAGap) {
  Settings settings;
  const absl::CivilMonth first = M("2025-01");
  struct Case {
    const char* name;
    std::set<absl::CivilMonth> done;
    std::set<absl::CivilMonth> exempt;
    const char* last;
    int months;  // 0 = no run
    bool lapse;
  } cases[] = {
      {"five months", {M("2025-12")}, {}, "2026-05", 5, false},
      {"six months", {M("2025-12")}, {}, "2026-06", 6, true},
      {"a gap resets", {M("2026-03")}, {}, "2026-06", 3, false},
      {"the last month done", {M("2026-06")}, {}, "2026-06", 0, false},
      {"exempt months break the run", {}, {M("2026-02"), M("2026-03")}, "2026-08", 5, false},
      {"exempt then six", {}, {M("2026-01")}, "2026-07", 6, true},
      {"bounded by the first month on record", {}, {}, "2025-05", 5, false},
      {"from the first month on record", {}, {}, "2025-06", 6, true},
  };
  for (const Case& c : cases) {
    std::optional<MonthRun> run = MonthsWithoutRun(c.done, c.exempt, first, M(c.last));
    if (c.months == 0) {
      EXPECT_FALSE(run.has_value()) << c.name;
      continue;
    }
    ASSERT_TRUE(run.has_value()) << c.name;
    EXPECT_EQ(run->months, c.months) << c.name;
    EXPECT_EQ(run->last, M(c.last)) << c.name;
    EXPECT_EQ(run->first, M(c.last) - (c.months - 1)) << c.name;
    EXPECT_EQ(IsLapseRun(*run, settings), c.lapse) << c.name;
  }
}

TEST(LastCompleteMonth, IsTheMonthBeforeTheDate) {
  EXPECT_EQ(LastCompleteMonth(D("2026-07-01")), M("2026-06"));
  EXPECT_EQ(LastCompleteMonth(D("2026-06-30")), M("2026-05"));
  EXPECT_EQ(LastCompleteMonth(D("2026-01-15")), M("2025-12"));
}

TEST(ProbationEndsOn, OneYearAfterTheVotePlusTheExtension) {
  Settings settings;
  EXPECT_EQ(ProbationEndsOn(D("2025-06-15"), 0, settings), D("2026-06-15"));
  EXPECT_EQ(ProbationEndsOn(D("2024-02-29"), 0, settings), D("2025-02-28"));
  EXPECT_EQ(ProbationEndsOn(D("2025-06-15"), 6, settings), D("2026-12-15"));
  EXPECT_EQ(ProbationEndsOn(D("2025-06-15"), 12, settings), D("2027-06-15"));
}

TEST(CheckProbationOutcome, OneExtensionOfSixToTwelveMonthsConversionWhenDue) {
  Settings settings;
  const absl::CivilDay ends = D("2026-06-15");
  lianxin::v1::ProbationOutcomeRecorded extended;
  extended.set_outcome(lianxin::v1::PROBATION_OUTCOME_EXTENDED);
  extended.set_extension_months(6);
  lianxin::v1::ProbationOutcomeRecorded converted;
  converted.set_outcome(lianxin::v1::PROBATION_OUTCOME_CONVERTED);
  struct Case {
    const char* name;
    std::vector<lianxin::v1::ProbationOutcomeRecorded> earlier;
    lianxin::v1::ProbationOutcome outcome;
    int months;
    const char* decided_on;
    absl::StatusCode code;
  } cases[] = {
      {"convert on the day",
       {},
       lianxin::v1::PROBATION_OUTCOME_CONVERTED,
       0,
       "2026-06-15",
       absl::StatusCode::kOk},
      {"convert the day before",
       {},
       lianxin::v1::PROBATION_OUTCOME_CONVERTED,
       0,
       "2026-06-14",
       absl::StatusCode::kFailedPrecondition},
      {"extend 5 months",
       {},
       lianxin::v1::PROBATION_OUTCOME_EXTENDED,
       5,
       "2026-06-15",
       absl::StatusCode::kInvalidArgument},
      {"extend 6 months",
       {},
       lianxin::v1::PROBATION_OUTCOME_EXTENDED,
       6,
       "2026-06-15",
       absl::StatusCode::kOk},
      {"extend 12 months",
       {},
       lianxin::v1::PROBATION_OUTCOME_EXTENDED,
       12,
       "2026-06-15",
       absl::StatusCode::kOk},
      {"extend 13 months",
       {},
       lianxin::v1::PROBATION_OUTCOME_EXTENDED,
       13,
       "2026-06-15",
       absl::StatusCode::kInvalidArgument},
      {"a second extension",
       {extended},
       lianxin::v1::PROBATION_OUTCOME_EXTENDED,
       6,
       "2026-06-15",
       absl::StatusCode::kFailedPrecondition},
      {"cancel after an extension",
       {extended},
       lianxin::v1::PROBATION_OUTCOME_CANCELLED,
       0,
       "2026-06-15",
       absl::StatusCode::kOk},
      {"anything after conversion",
       {converted},
       lianxin::v1::PROBATION_OUTCOME_CANCELLED,
       0,
       "2026-06-15",
       absl::StatusCode::kFailedPrecondition},
      {"cancel early",
       {},
       lianxin::v1::PROBATION_OUTCOME_CANCELLED,
       0,
       "2026-01-01",
       absl::StatusCode::kOk},
  };
  for (const Case& c : cases) {
    absl::Status s =
        CheckProbationOutcome(c.earlier, c.outcome, c.months, ends, D(c.decided_on), settings);
    EXPECT_EQ(s.code(), c.code) << c.name << ": " << s;
    if (s.code() == absl::StatusCode::kFailedPrecondition) {
      EXPECT_NE(s.message().find("R11"), std::string::npos) << c.name;
    }
  }
}

}  // namespace
}  // namespace lianxin::appraisal
