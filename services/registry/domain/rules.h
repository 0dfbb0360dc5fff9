// The registry's rules (domain.md R1, R2, R8, R9, R18), one pure function each.
//
// Dates are absl::CivilDay; "today" always comes from the caller (the
// injected clock), never from the wall clock.
//
//   if (!IsValidResidentIdNumber(id)) return InvalidArgument("id_number: ...");
//   MemberStatus s = StatusAsSeenBy(facts, "650102");
#ifndef LIANXIN_SERVICES_REGISTRY_DOMAIN_RULES_H_
#define LIANXIN_SERVICES_REGISTRY_DOMAIN_RULES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/events.pb.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/common/time_util.h"
#include "libs/memberfacts/member_facts.h"

namespace lianxin::registry {

// Per-county settings; the *local* rules of domain.md default to Fuyun's values.
struct Settings {
  // R1 (local): an absence of at least this many months must be reported.
  int report_after_months = 3;
  // R2: away this long needs a transfer or an activity certificate.
  int certificate_or_transfer_after_months = 6;
  // R8 (local): long-term holders mail the certificate back this often.
  int mail_back_check_months = 3;
  // R8: the certificate is checked with the appraisal each year.
  int yearly_check_months = 12;
  // R9: the transfer receipt is due within this many months.
  int receipt_due_months = 1;
  // Counties that run lianxin (events about shared members are routed to them).
  absl::flat_hash_set<std::string> on_system;
};

// Same province: the first two digits agree.
bool SameProvince(std::string_view a, std::string_view b);

// R18: an 18-character resident ID number (GB 11643): 17 digits, a valid
// birth date in characters 7–14, and the ISO 7064 MOD 11-2 check character
// (digit or 'X').
bool IsValidResidentIdNumber(std::string_view id_number);
// R18: the ISO 7064 MOD 11-2 check character ('0'–'9' or 'X') of the first 17
// digits of an ID number. `first17` must be 17 ASCII digits.
char ResidentIdCheckCharacter(std::string_view first17);
// R18: shows only the last 4 characters ("**************123X"): with the
// region and the birth date hidden, no masked form helps rebuild a number.
std::string MaskIdNumber(std::string_view id_number);

// R1: an absence from `left_on` to `expected_return_on` lasts at least the
// reporting threshold, so the member must report it to the branch.
bool IsReportableAbsence(absl::CivilDay left_on, absl::CivilDay expected_return_on,
                         const Settings& settings);

// Deadlines below are "due dates": a thing is overdue on the days after its due date.

// R2: away 6 months or more needs a valid activity certificate or a transfer
// under way or done. The due date is the day before the 6 months are reached
// (or, with a certificate, the last day of its validity if later); nullopt
// when nothing is due (not away, or a transfer under way). A transfer done
// ends the absence; one done before the member left again does not count.
std::optional<absl::CivilDay> CertificateOrTransferDueOn(const lianxin::v1::MemberFacts& facts,
                                                         const Settings& settings);
bool CertificateOrTransferOverdue(const lianxin::v1::MemberFacts& facts, absl::CivilDay as_of,
                                  const Settings& settings);

// R8: the certificate checks of a member away holding one. The yearly check
// is due 12 months after the last yearly check (or the issue); a long-term
// holder (away 6 months or more) also mails it back every 3 months
// (*local*): due 3 months after the last mail-back check (or the issue), and
// not before the holder becomes long-term.
enum class CertificateCheckKind { kQuarterlyMailBack, kYearly };
// "QUARTERLY_MAIL_BACK" or "YEARLY", as the API shows it.
std::string_view CertificateCheckName(CertificateCheckKind kind);
struct CertificateCheck {
  CertificateCheckKind check;
  std::string last_checked_on;  // the last check of that kind, or the issue date
  absl::CivilDay due_on;
  int days_overdue = 0;  // as of the date asked
};
// The checks that apply, each with its due date (days_overdue 0).
std::vector<CertificateCheck> CertificateChecks(const lianxin::v1::MemberFacts& facts,
                                                const Settings& settings);
// The earliest due date among CertificateChecks, or nullopt.
std::optional<absl::CivilDay> NextCertificateCheckDue(const lianxin::v1::MemberFacts& facts,
                                                      const Settings& settings);
// The first overdue check as of `as_of` (the quarterly one first), or nullopt.
std::optional<CertificateCheck> CertificateCheckOverdue(const lianxin::v1::MemberFacts& facts,
                                                        absl::CivilDay as_of,
                                                        const Settings& settings);

// R9: the receipt of a pending transfer is due one month after the request.
std::optional<absl::CivilDay> TransferReceiptDueOn(const lianxin::v1::MemberFacts& facts,
                                                   const Settings& settings);
// Days the receipt is overdue as of `as_of`, or nullopt when not overdue.
std::optional<int> LostTransferDaysOverdue(const lianxin::v1::MemberFacts& facts,
                                           absl::CivilDay as_of, const Settings& settings);

// How the home county's statistics (GetStatistics) count a member of its own:
// the outflow register holds members away (R3), by their destination; a
// member at home with a transfer pending (R9) is still counted at home.
// nullopt when `self` is not the member's home or the member is not away.
std::optional<std::string> OutflowDestinationCounted(const lianxin::v1::MemberFacts& facts,
                                                     std::string_view self);

// R6, R11: what a decision of the home county's appraisal service changes in
// the registry's facts: CONVERTED ends probation; CANCELLED and
// TREATED_AS_LAPSED end the membership. nullopt for other decisions
// (EXTENDED, RETAINED, DEFERRED, grades...), for a member not probationary
// (conversion), and for a membership ended already.
std::optional<lianxin::v1::MembershipStandingChanged> StandingChangeOf(
    const lianxin::v1::MemberFacts& facts, const lianxin::v1::Event& appraisal_event);

// R22: the ends of membership a branch decides otherwise than by lapse
// (PERSUADED_TO_WITHDRAW, REMOVED, EXPELLED).
bool IsBranchDecidedEnd(lianxin::v1::MembershipChange change);

// R12: a temporary visit home is shorter than the absence that must be
// reported (R1): a longer stay is a return.
bool IsTemporaryVisit(absl::CivilDay home_from, absl::CivilDay home_until,
                      const Settings& settings);

// The counties other than `self` that share the member and run lianxin: home,
// current destination, transfer target. Events about the member go to them.
absl::flat_hash_set<std::string> SharingCounties(const lianxin::v1::MemberFacts& facts,
                                                 std::string_view self, const Settings& settings);

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_DOMAIN_RULES_H_
