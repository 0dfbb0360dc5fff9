#include "services/registry/domain/rules.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_format.h"
#include "libs/trust/personal_data.h"

namespace lianxin::registry {

using lianxin::v1::MemberFacts;
using lianxin::v1::MemberStatus;

bool SameProvince(std::string_view a, std::string_view b) {
  return a.size() >= 2 && b.size() >= 2 && a.substr(0, 2) == b.substr(0, 2);
}

char ResidentIdCheckCharacter(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

bool IsValidResidentIdNumber(std::string_view id) {
  if (id.size() != 18) return false;
  for (int i = 0; i < 17; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(id[i]))) return false;
  }
  const char check = static_cast<char>(std::toupper(static_cast<unsigned char>(id[17])));
  if (check != ResidentIdCheckCharacter(id.substr(0, 17))) return false;
  std::string birth =
      absl::StrFormat("%s-%s-%s", id.substr(6, 4), id.substr(10, 2), id.substr(12, 2));
  return ParseDate(birth).has_value();
}

std::string MaskIdNumber(std::string_view id) {
  return trust::MaskLastFour(absl::string_view(id.data(), id.size()));
}

bool IsReportableAbsence(absl::CivilDay left_on, absl::CivilDay expected_return_on,
                         const Settings& settings) {
  return expected_return_on >= AddMonths(left_on, settings.report_after_months);
}

namespace {

std::optional<absl::CivilDay> LeftOn(const MemberFacts& facts) {
  if (!facts.away()) return std::nullopt;
  return ParseDate(facts.outflow().left_on());
}

// The last day before `months` of absence are reached.
std::optional<absl::CivilDay> LastDayBefore(const MemberFacts& facts, int months) {
  std::optional<absl::CivilDay> left_on = LeftOn(facts);
  if (!left_on.has_value()) return std::nullopt;
  return AddMonths(*left_on, months) - 1;
}

}  // namespace

std::optional<absl::CivilDay> CertificateOrTransferDueOn(const MemberFacts& facts,
                                                         const Settings& settings) {
  // An accepted transfer ends the absence (the member is no longer away), so
  // the acceptance of an earlier transfer (a transfer-in) never answers R2
  // for a later outflow.
  if (facts.transfer_pending()) return std::nullopt;
  std::optional<absl::CivilDay> due =
      LastDayBefore(facts, settings.certificate_or_transfer_after_months);
  if (!due.has_value()) return std::nullopt;
  if (!facts.certificate().certificate_no().empty()) {
    std::optional<absl::CivilDay> valid_until = ParseDate(facts.certificate().valid_until());
    if (valid_until.has_value()) due = std::max(*due, *valid_until);
  }
  return due;
}

bool CertificateOrTransferOverdue(const MemberFacts& facts, absl::CivilDay as_of,
                                  const Settings& settings) {
  std::optional<absl::CivilDay> due = CertificateOrTransferDueOn(facts, settings);
  return due.has_value() && as_of > *due;
}

std::string_view CertificateCheckName(CertificateCheckKind kind) {
  switch (kind) {
    case CertificateCheckKind::kQuarterlyMailBack:
      return "QUARTERLY_MAIL_BACK";
    case CertificateCheckKind::kYearly:
      return "YEARLY";
  }
  return "";
}

std::vector<CertificateCheck> CertificateChecks(const MemberFacts& facts,
                                                const Settings& settings) {
  std::vector<CertificateCheck> checks;
  std::optional<absl::CivilDay> issued_on = ParseDate(facts.certificate().issued_on());
  if (!facts.away() || !issued_on.has_value()) return checks;
  auto check = [&](CertificateCheckKind kind, const std::string& last_on, int months) {
    std::optional<absl::CivilDay> last = ParseDate(last_on);
    return CertificateCheck{kind, last.has_value() ? last_on : FormatDate(*issued_on),
                            AddMonths(last.value_or(*issued_on), months), 0};
  };
  if (std::optional<absl::CivilDay> long_term =
          LastDayBefore(facts, settings.certificate_or_transfer_after_months)) {
    CertificateCheck quarterly =
        check(CertificateCheckKind::kQuarterlyMailBack, facts.last_mail_back_check_on(),
              settings.mail_back_check_months);
    quarterly.due_on = std::max(quarterly.due_on, *long_term);
    checks.push_back(quarterly);
  }
  checks.push_back(CertificateCheck{
      CertificateCheckKind::kYearly,
      ParseDate(facts.last_yearly_check_on()).has_value() ? facts.last_yearly_check_on()
                                                          : FormatDate(*issued_on),
      *YearlyCertificateCheckDue(facts, settings.yearly_check_months), 0});
  return checks;
}

std::optional<absl::CivilDay> NextCertificateCheckDue(const MemberFacts& facts,
                                                      const Settings& settings) {
  std::optional<absl::CivilDay> next;
  for (const CertificateCheck& c : CertificateChecks(facts, settings)) {
    if (!next.has_value() || c.due_on < *next) next = c.due_on;
  }
  return next;
}

std::optional<CertificateCheck> CertificateCheckOverdue(const MemberFacts& facts,
                                                        absl::CivilDay as_of,
                                                        const Settings& settings) {
  for (CertificateCheck c : CertificateChecks(facts, settings)) {
    if (as_of > c.due_on) {
      c.days_overdue = DaysBetween(c.due_on, as_of);
      return c;
    }
  }
  return std::nullopt;
}

std::optional<absl::CivilDay> TransferReceiptDueOn(const MemberFacts& facts,
                                                   const Settings& settings) {
  if (!facts.transfer_pending()) return std::nullopt;
  std::optional<absl::CivilDay> requested_on = ParseDate(facts.transfer().requested_on());
  if (!requested_on.has_value()) return std::nullopt;
  return AddMonths(*requested_on, settings.receipt_due_months);
}

std::optional<int> LostTransferDaysOverdue(const MemberFacts& facts, absl::CivilDay as_of,
                                           const Settings& settings) {
  std::optional<absl::CivilDay> due = TransferReceiptDueOn(facts, settings);
  if (!due.has_value() || as_of <= *due) return std::nullopt;
  return DaysBetween(*due, as_of);
}

std::optional<std::string> OutflowDestinationCounted(const MemberFacts& facts,
                                                     std::string_view self) {
  const MemberStatus status = StatusAsSeenBy(facts, self);
  // A transfer pending shows as TRANSFER_PENDING whether or not the member is
  // away: only a member away is outflow.
  if (status != lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING &&
      status != lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED &&
      status != lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING) {
    return std::nullopt;
  }
  if (!facts.away()) return std::nullopt;
  return facts.outflow().destination_jurisdiction();
}

std::optional<lianxin::v1::MembershipStandingChanged> StandingChangeOf(
    const MemberFacts& facts, const lianxin::v1::Event& appraisal_event) {
  if (facts.membership_ended()) return std::nullopt;
  lianxin::v1::MembershipStandingChanged change;
  if (appraisal_event.has_probation_outcome_recorded()) {
    const auto& o = appraisal_event.probation_outcome_recorded();
    if (!facts.registration().probationary()) return std::nullopt;
    if (o.outcome() == lianxin::v1::PROBATION_OUTCOME_CONVERTED) {
      change.set_change(lianxin::v1::MEMBERSHIP_CHANGE_PROBATION_CONVERTED);
    } else if (o.outcome() == lianxin::v1::PROBATION_OUTCOME_CANCELLED) {
      change.set_change(lianxin::v1::MEMBERSHIP_CHANGE_PROBATION_CANCELLED);
    } else {
      return std::nullopt;
    }
    change.set_decided_on(o.decided_on());
    change.set_grounds(o.remarks());
    return change;
  }
  if (appraisal_event.has_lapse_decision_recorded()) {
    const auto& d = appraisal_event.lapse_decision_recorded();
    if (d.decision() != lianxin::v1::LAPSE_DECISION_TREATED_AS_LAPSED) return std::nullopt;
    change.set_change(lianxin::v1::MEMBERSHIP_CHANGE_LAPSED);
    change.set_decided_on(d.decided_on());
    change.set_grounds(d.remarks());
    return change;
  }
  return std::nullopt;
}

bool IsBranchDecidedEnd(lianxin::v1::MembershipChange change) {
  return change == lianxin::v1::MEMBERSHIP_CHANGE_PERSUADED_TO_WITHDRAW ||
         change == lianxin::v1::MEMBERSHIP_CHANGE_REMOVED ||
         change == lianxin::v1::MEMBERSHIP_CHANGE_EXPELLED;
}

bool IsTemporaryVisit(absl::CivilDay home_from, absl::CivilDay home_until,
                      const Settings& settings) {
  return home_until < AddMonths(home_from, settings.report_after_months);
}

absl::flat_hash_set<std::string> SharingCounties(const MemberFacts& facts, std::string_view self,
                                                 const Settings& settings) {
  absl::flat_hash_set<std::string> counties;
  auto add = [&](const std::string& county) {
    if (!county.empty() && county != self && settings.on_system.contains(county)) {
      counties.insert(county);
    }
  };
  add(facts.home_jurisdiction());
  if (facts.membership_ended()) return counties;
  if (facts.away()) add(facts.outflow().destination_jurisdiction());
  if (facts.transfer_pending()) add(facts.transfer().to_jurisdiction());
  return counties;
}

}  // namespace lianxin::registry
