// The liaison's regular report to the branch (联络人定期向支部汇报; issue 16):
// which period, which members a liaison answers for, what each member's
// contacts in the period were, and whether a liaison's report is missing.
// Pure: dates come from the caller (the injected clock, county time).
//
// A liaison is known by name, as assigned with AssignLiaison; the report
// period is the county's reporting period for members (R4, local: a calendar
// quarter, Settings::quarterly_report_months).
//
//   ASSIGN_OR_RETURN(ReportPeriod period, RequestedReportPeriod(start, end, today, settings));
//   if (InLiaisonCharge(member, "赵红梅", "654322", period)) { ... }
//   LiaisonReportMember row = SummarizeForReport(member, period, today, "654322", settings);
//   bool chase = ReportMissing(liaison_reports, period, members_in_charge);
//
// The codes each Decide… returns besides OK, as its comment lists them:
// PERMISSION_DENIED this county has no say in it (not the member's home, not
// the receiving county…); NOT_FOUND what it names is not here; ALREADY_EXISTS
// it was done already; INVALID_ARGUMENT a value breaks a rule of its own (a
// date in the future, before another; the message names the field);
// FAILED_PRECONDITION the state forbids it now (the message names the rule).
#ifndef LIANXIN_SERVICES_CONTACT_DOMAIN_LIAISON_REPORT_H_
#define LIANXIN_SERVICES_CONTACT_DOMAIN_LIAISON_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/contact.pb.h"
#include "lianxin/v1/events.pb.h"
#include "libs/domain/decision.h"
#include "services/contact/domain/rules.h"

namespace lianxin::contact {

// One report period, both days included.
struct ReportPeriod {
  absl::CivilDay start;
  absl::CivilDay end;
  friend bool operator==(const ReportPeriod& a, const ReportPeriod& b) {
    return a.start == b.start && a.end == b.end;
  }
};

// The calendar report period (aligned to 1 January) that contains `day`.
ReportPeriod ReportPeriodContaining(absl::CivilDay day, const Settings& settings);

// The last complete report period before `today` (the one before the period
// containing today): the period a liaison owes a report for.
ReportPeriod LastReportPeriod(absl::CivilDay today, const Settings& settings);

// The period a request names: both texts empty = LastReportPeriod(today);
// else both must be YYYY-MM-DD dates bounding exactly one report period that
// does not start after today. INVALID_ARGUMENT naming period_start or
// period_end otherwise.
absl::StatusOr<ReportPeriod> RequestedReportPeriod(const std::string& period_start,
                                                   const std::string& period_end,
                                                   absl::CivilDay today, const Settings& settings);

// The liaison's aggregate id in the county's contact log: "<county>-L" and
// the hex of the name's UTF-8 bytes (member ids are "<county>-<hex>", ticket
// ids "<county>-T…", so the three never meet).
std::string LiaisonReportsId(const std::string& jurisdiction, const std::string& liaison_name);
bool IsLiaisonReportsId(const std::string& aggregate_id);

// The member's current liaison (the last assigned), empty if none.
std::string CurrentLiaison(const lianxin::v1::ContactMemberState& state);

// Whether the member counts in `liaison_name`'s report for `period`: the
// member's current liaison is that name (exact), their home is
// `jurisdiction`, the membership has not ended, and the member was away for
// part of the period (left by its end, and not back before it began). The
// current assignment counts, whenever it was made: the liaison answers for
// the members in their charge now.
bool InLiaisonCharge(const lianxin::v1::ContactMemberState& state, const std::string& liaison_name,
                     const std::string& jurisdiction, const ReportPeriod& period);

// The member's row in the report: contacts recorded in the period by kind,
// self (the member) and about (family, destination organization), the last
// contact with the member in the period; next due date and overdue as of
// `today` (R4) and lost contact (R5). No ID number, birth date or phone.
lianxin::v1::LiaisonReportMember SummarizeForReport(const lianxin::v1::ContactMemberState& state,
                                                    const ReportPeriod& period,
                                                    absl::CivilDay today,
                                                    const std::string& jurisdiction,
                                                    const Settings& settings);

// The totals over the report's rows.
lianxin::v1::LiaisonReportTotals TotalsOf(
    const google::protobuf::RepeatedPtrField<lianxin::v1::LiaisonReportMember>& members);

// The report recorded for `period`, if any.
std::optional<lianxin::v1::LiaisonReported> ReportFor(
    const lianxin::v1::LiaisonReportsState& reports, const ReportPeriod& period);

// A liaison with `members_in_charge` members for `period` owes a report for
// it; it is missing while none is recorded. A liaison with none owes nothing.
bool ReportMissing(const lianxin::v1::LiaisonReportsState& reports, const ReportPeriod& period,
                   size_t members_in_charge);

// Records the liaison's report to the branch: LiaisonReported. `in_charge`
// are the members in the liaison's charge for the period (InLiaisonCharge,
// found by the handler); `covered` the members the request names (empty =
// all in charge). Returns
//   FAILED_PRECONDITION  the liaison has no member in charge for the period,
//                        or a covered member is not in their charge;
//   ALREADY_EXISTS       a report for the period is already recorded;
//   INVALID_ARGUMENT     reported_on before the period starts or after today.
absl::StatusOr<Events> DecideRecordLiaisonReport(
    const lianxin::v1::LiaisonReportsState& reports, const std::string& liaison_name,
    const ReportPeriod& period, absl::CivilDay reported_on, const std::string& branch_notes,
    const std::vector<std::string>& in_charge, const std::vector<std::string>& covered,
    const DecisionContext& ctx);

// Applies one event of a liaison's report log.
lianxin::v1::LiaisonReportsState EvolveLiaisonReports(lianxin::v1::LiaisonReportsState state,
                                                      const lianxin::v1::Event& event);

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_DOMAIN_LIAISON_REPORT_H_
