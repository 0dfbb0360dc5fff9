#include "services/appraisal/domain/rules.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace lianxin::appraisal {

using lianxin::v1::DuesBasis;
using lianxin::v1::ProbationOutcome;

std::optional<absl::CivilMonth> ParseMonth(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  const int year = std::stoi(std::string(text.substr(0, 4)));
  const int month = std::stoi(std::string(text.substr(5, 2)));
  if (year < 1900 || year > 2199 || month < 1 || month > 12) return std::nullopt;
  return absl::CivilMonth(year, month);
}

std::string FormatMonth(absl::CivilMonth month) {
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

absl::CivilMonth LastCompleteMonth(absl::CivilDay as_of) { return absl::CivilMonth(as_of) - 1; }

int SalariedRateBasisPoints(int64_t income) {
  if (income <= 300000) return 50;
  if (income <= 500000) return 100;
  if (income <= 1000000) return 150;
  return 200;
}

int RetiredRateBasisPoints(int64_t income) { return income <= 500000 ? 50 : 100; }

int64_t ApplyRateFen(int64_t income_fen, int basis_points) {
  return (income_fen * basis_points + 5000) / 10000;
}

absl::StatusOr<int64_t> SelfEmployedIncomeFen(const std::vector<int64_t>& quarter_fen) {
  if (quarter_fen.size() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        "previous_quarter_income_fen: needs the 3 months of the previous quarter, got ",
        quarter_fen.size()));
  }
  int64_t sum = 0;
  for (int64_t month : quarter_fen) {
    if (month < 0 || month > 100000000000) {
      return absl::InvalidArgumentError(
          "previous_quarter_income_fen: each month must be 0–100000000000 fen");
    }
    sum += month;
  }
  return sum / 3;
}

absl::StatusOr<DuesBase> MonthlyDuesFen(const DuesInput& input) {
  constexpr int64_t kMinimumFen = 20;  // 0.2 yuan
  constexpr int64_t kFarmerMaximumFen = 100;
  if (input.monthly_income_fen < 0 || input.monthly_income_fen > 100000000000) {
    return absl::InvalidArgumentError("monthly_income_fen: must be 0–100000000000 fen");
  }
  DuesBase base{input.monthly_income_fen, 0};
  switch (input.basis) {
    case lianxin::v1::DUES_BASIS_SALARIED:
    case lianxin::v1::DUES_BASIS_OTHER:
      base.monthly_dues_fen =
          ApplyRateFen(base.monthly_income_fen, SalariedRateBasisPoints(base.monthly_income_fen));
      return base;
    case lianxin::v1::DUES_BASIS_SELF_EMPLOYED: {
      absl::StatusOr<int64_t> average = SelfEmployedIncomeFen(input.previous_quarter_income_fen);
      if (!average.ok()) return average.status();
      base.monthly_income_fen = *average;
      base.monthly_dues_fen = ApplyRateFen(*average, SalariedRateBasisPoints(*average));
      return base;
    }
    case lianxin::v1::DUES_BASIS_RETIRED:
      base.monthly_dues_fen =
          ApplyRateFen(base.monthly_income_fen, RetiredRateBasisPoints(base.monthly_income_fen));
      return base;
    case lianxin::v1::DUES_BASIS_FARMER: {
      const int64_t amount = input.farmer_dues_fen == 0 ? kMinimumFen : input.farmer_dues_fen;
      if (amount < kMinimumFen || amount > kFarmerMaximumFen) {
        return absl::InvalidArgumentError(absl::StrCat(
            "farmer_dues_fen: farmers pay 20–100 fen (0.2–1 yuan) a month (R10), got ", amount));
      }
      base.monthly_dues_fen = amount;
      return base;
    }
    case lianxin::v1::DUES_BASIS_STUDENT:
    case lianxin::v1::DUES_BASIS_UNEMPLOYED:
    case lianxin::v1::DUES_BASIS_RELIEF:
      base.monthly_dues_fen = kMinimumFen;
      return base;
    default:
      return absl::InvalidArgumentError(
          "basis: is required (SALARIED, RETIRED, FARMER, UNEMPLOYED, STUDENT, OTHER, RELIEF, "
          "SELF_EMPLOYED)");
  }
}

bool IsBackPaymentBeyondLimit(absl::CivilMonth month, absl::CivilDay paid_on,
                              const Settings& settings) {
  return absl::CivilMonth(paid_on) - month > settings.back_payment_limit_months;
}

std::vector<int64_t> DuesPerMonthFen(const std::vector<int64_t>& monthly_dues_fen,
                                     int64_t amount_fen) {
  int64_t by_bases = 0;
  for (int64_t dues : monthly_dues_fen) by_bases += dues;
  if (by_bases == amount_fen) return monthly_dues_fen;
  const int64_t n = static_cast<int64_t>(monthly_dues_fen.size());
  std::vector<int64_t> parts(monthly_dues_fen.size(), n > 0 ? amount_fen / n : 0);
  for (int64_t i = 0; i < (n > 0 ? amount_fen % n : 0); ++i) ++parts[i];
  return parts;
}

int ExcellentLimit(int appraised, const Settings& settings) {
  return appraised / settings.excellent_share_denominator;
}

absl::Status CheckExcellentShare(int excellent_after, int appraised, const Settings& settings) {
  const int limit = ExcellentLimit(appraised, settings);
  if (excellent_after <= limit) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("R7: at most one third of the appraised members may be EXCELLENT: the limit is ",
                   limit, " of ", appraised, " and would become ", excellent_after));
}

std::optional<MonthRun> MonthsWithoutRun(const std::set<absl::CivilMonth>& done,
                                         const std::set<absl::CivilMonth>& exempt,
                                         absl::CivilMonth first, absl::CivilMonth last) {
  MonthRun run{last, last, 0};
  for (absl::CivilMonth m = last; m >= first; --m) {
    if (done.contains(m) || exempt.contains(m)) break;
    run.first = m;
    ++run.months;
  }
  if (run.months == 0) return std::nullopt;
  return run;
}

bool IsLapseRun(const MonthRun& run, const Settings& settings) {
  return run.months >= settings.lapse_months;
}

absl::CivilDay ProbationEndsOn(absl::CivilDay voted_on, int extension_months,
                               const Settings& settings) {
  absl::CivilMonth month =
      absl::CivilMonth(voted_on) + settings.probation_months + extension_months;
  const int last_day = static_cast<int>(absl::CivilDay(month + 1) - absl::CivilDay(month));
  return absl::CivilDay(month.year(), month.month(), std::min(voted_on.day(), last_day));
}

absl::Status CheckProbationOutcome(
    const std::vector<lianxin::v1::ProbationOutcomeRecorded>& earlier, ProbationOutcome outcome,
    int extension_months, absl::CivilDay ends_on, absl::CivilDay decided_on,
    const Settings& settings) {
  bool extended = false;
  for (const auto& e : earlier) {
    if (e.outcome() == lianxin::v1::PROBATION_OUTCOME_CONVERTED ||
        e.outcome() == lianxin::v1::PROBATION_OUTCOME_CANCELLED) {
      return absl::FailedPreconditionError(absl::StrCat(
          "R11: the probation was already decided (",
          lianxin::v1::ProbationOutcome_Name(e.outcome()), " on ", e.decided_on(), ")"));
    }
    if (e.outcome() == lianxin::v1::PROBATION_OUTCOME_EXTENDED) extended = true;
  }
  switch (outcome) {
    case lianxin::v1::PROBATION_OUTCOME_EXTENDED:
      if (extended) {
        return absl::FailedPreconditionError(
            "R11: probation may be extended only once; it was extended already");
      }
      if (extension_months < settings.min_extension_months ||
          extension_months > settings.max_extension_months) {
        return absl::InvalidArgumentError(
            absl::StrCat("extension_months: an extension is ", settings.min_extension_months, "–",
                         settings.max_extension_months, " months (R11), got ", extension_months));
      }
      return absl::OkStatus();
    case lianxin::v1::PROBATION_OUTCOME_CONVERTED:
      if (decided_on < ends_on) {
        return absl::FailedPreconditionError(absl::StrCat("R11: probation ends on ",
                                                          absl::FormatCivilTime(ends_on),
                                                          "; conversion is decided then"));
      }
      return absl::OkStatus();
    case lianxin::v1::PROBATION_OUTCOME_CANCELLED:
      return absl::OkStatus();
    default:
      return absl::InvalidArgumentError("outcome: is required (CONVERTED, EXTENDED, CANCELLED)");
  }
}

}  // namespace lianxin::appraisal
