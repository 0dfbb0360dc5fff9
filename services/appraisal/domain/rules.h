// The appraisal service's rules (domain.md R6, R7, R10, R11), one pure
// function each. Months are absl::CivilMonth, days absl::CivilDay; "today"
// always comes from the caller (the injected clock).
//
//   ASSIGN_OR_RETURN(DuesBase base, MonthlyDuesFen({.basis = DUES_BASIS_SALARIED,
//                                                   .monthly_income_fen = 300001}));
//   // base.monthly_dues_fen == 3000 (1 %)
//   std::optional<int> run = MonthsWithoutRun(done, exempt, first, last);
#ifndef LIANXIN_SERVICES_APPRAISAL_DOMAIN_RULES_H_
#define LIANXIN_SERVICES_APPRAISAL_DOMAIN_RULES_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/appraisal.pb.h"
#include "lianxin/v1/events.pb.h"

namespace lianxin::appraisal {

// Per-county settings; national numbers as defaults.
struct Settings {
  // R6: consecutive complete months without one of the three.
  int lapse_months = 6;
  // R10: back-payment normally at most this many months late.
  int back_payment_limit_months = 6;
  // R7: EXCELLENT at most 1/n of the appraised members.
  int excellent_share_denominator = 3;
  // R11: probation lasts this long; one extension of min..max months.
  int probation_months = 12;
  int min_extension_months = 6;
  int max_extension_months = 12;
  // Months before this one are not on record here (R6 and arrears count
  // from the later of this and the member's joining). nullopt: joining only.
  std::optional<absl::CivilMonth> records_from;
  // Counties that run lianxin: a notice to a member away there is routed to it.
  absl::flat_hash_set<std::string> on_system;
};

// "YYYY-MM" (zero-padded, month 1–12, year 1900–2199), else nullopt.
std::optional<absl::CivilMonth> ParseMonth(std::string_view text);
std::string FormatMonth(absl::CivilMonth month);
// The complete months before `as_of`'s month end with this one.
absl::CivilMonth LastCompleteMonth(absl::CivilDay as_of);

// ---- R10: dues --------------------------------------------------------------

// What SetDuesBase computes from.
struct DuesInput {
  lianxin::v1::DuesBasis basis = lianxin::v1::DUES_BASIS_UNSPECIFIED;
  int64_t monthly_income_fen = 0;
  // FARMER: the fixed amount chosen, 20–100 fen (0 = the minimum, 20).
  int64_t farmer_dues_fen = 0;
  // SELF_EMPLOYED: the previous quarter's three monthly net incomes.
  std::vector<int64_t> previous_quarter_income_fen;
};

struct DuesBase {
  // The income the rate applies to (the quarter's average for self-employed).
  int64_t monthly_income_fen = 0;
  int64_t monthly_dues_fen = 0;
};

// R10, salaried (and other regular income, and self-employed): the rate in
// basis points (1/100 %) of the after-tax monthly income: ≤300000 fen 50,
// ≤500000 100, ≤1000000 150, above 200.
int SalariedRateBasisPoints(int64_t monthly_income_fen);
// R10, retired: ≤500000 fen 50, above 100.
int RetiredRateBasisPoints(int64_t monthly_income_fen);
// `income_fen` × `basis_points` / 10000, rounded half up to a whole fen
// (0.5 fen and more rounds up: 1% of 300050 fen = 3000.5 → 3001 fen).
int64_t ApplyRateFen(int64_t income_fen, int basis_points);
// R10, self-employed: the previous quarter's average monthly net income,
// rounded down to a whole fen. INVALID_ARGUMENT unless exactly 3 months ≥ 0.
absl::StatusOr<int64_t> SelfEmployedIncomeFen(const std::vector<int64_t>& quarter_fen);
// R10: the monthly dues of a basis and income. Students, unemployed and
// relief recipients pay 20 fen; farmers a fixed 20–100 fen. INVALID_ARGUMENT
// (naming the field) for a negative income or a farmer amount out of range.
absl::StatusOr<DuesBase> MonthlyDuesFen(const DuesInput& input);

// R10: a month paid more than `back_payment_limit_months` after it (paid in
// July for January: 6 months, normal; for the December before: 7, beyond).
bool IsBackPaymentBeyondLimit(absl::CivilMonth month, absl::CivilDay paid_on,
                              const Settings& settings);

// R10: how a payment of several months is booked month by month:
// `monthly_dues_fen` holds each month's dues by its year's base (0 when
// unknown). Each month gets its dues when they add up to `amount_fen`;
// otherwise the amount is spread evenly, the fen left over one each to the
// earliest months. The parts always add up to `amount_fen`.
std::vector<int64_t> DuesPerMonthFen(const std::vector<int64_t>& monthly_dues_fen,
                                     int64_t amount_fen);

// ---- R7: appraisal ------------------------------------------------------------

// R7: the most members of `appraised` who may be EXCELLENT (one third,
// rounded down: 2 → 0, 3 → 1, 4 → 1, 7 → 2).
int ExcellentLimit(int appraised, const Settings& settings);
// R7: FAILED_PRECONDITION naming the limit if `excellent_after` (the cycle's
// EXCELLENT count once the grade is given) exceeds ExcellentLimit.
absl::Status CheckExcellentShare(int excellent_after, int appraised, const Settings& settings);

// ---- R6: lapse ------------------------------------------------------------------

// A run of consecutive complete months ending at `last`.
struct MonthRun {
  absl::CivilMonth first;
  absl::CivilMonth last;
  int months = 0;
};
// R6: the run of months without the thing (not in `done`), not covered by a
// legitimate reason (`exempt`), that ends at `last` and starts no earlier than
// `first`: a done or exempt month ends (resets) the run. nullopt if `last`
// itself is done or exempt, or before `first`.
std::optional<MonthRun> MonthsWithoutRun(const std::set<absl::CivilMonth>& done,
                                         const std::set<absl::CivilMonth>& exempt,
                                         absl::CivilMonth first, absl::CivilMonth last);
// R6: a run of 6 consecutive months (5 is not yet) makes a lapse candidate.
bool IsLapseRun(const MonthRun& run, const Settings& settings);

// ---- R11: probation ----------------------------------------------------------------

// R11: the day probation ends: one year after the branch vote, plus the
// extension if one was recorded.
absl::CivilDay ProbationEndsOn(absl::CivilDay voted_on, int extension_months,
                               const Settings& settings);
// R11: whether `outcome` may be recorded now. FAILED_PRECONDITION naming R11
// for: any outcome after CONVERTED or CANCELLED; a second EXTENDED; CONVERTED
// before the probation ends (on `decided_on`). INVALID_ARGUMENT
// (extension_months) for an extension outside 6–12 months.
absl::Status CheckProbationOutcome(
    const std::vector<lianxin::v1::ProbationOutcomeRecorded>& earlier,
    lianxin::v1::ProbationOutcome outcome, int extension_months, absl::CivilDay ends_on,
    absl::CivilDay decided_on, const Settings& settings);

}  // namespace lianxin::appraisal

#endif  // LIANXIN_SERVICES_APPRAISAL_DOMAIN_RULES_H_
