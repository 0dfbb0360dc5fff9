#include "services/contact/domain/liaison_report.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/time_util.h"

namespace lianxin::contact {

using lianxin::v1::ContactMemberState;
using lianxin::v1::Event;
using lianxin::v1::LiaisonReported;
using lianxin::v1::LiaisonReportMember;
using lianxin::v1::LiaisonReportsState;

namespace {

std::optional<absl::CivilDay> Day(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return ParseDate(text);
}

}  // namespace

ReportPeriod ReportPeriodContaining(absl::CivilDay day, const Settings& settings) {
  const int months = settings.quarterly_report_months;
  const absl::CivilDay end = EndOfPeriod(day, months);
  return {absl::CivilDay(absl::CivilMonth(end) - (months - 1)), end};
}

ReportPeriod LastReportPeriod(absl::CivilDay today, const Settings& settings) {
  return ReportPeriodContaining(ReportPeriodContaining(today, settings).start - 1, settings);
}

absl::StatusOr<ReportPeriod> RequestedReportPeriod(const std::string& period_start,
                                                   const std::string& period_end,
                                                   absl::CivilDay today, const Settings& settings) {
  if (period_start.empty() && period_end.empty()) return LastReportPeriod(today, settings);
  const std::optional<absl::CivilDay> start = ParseDate(period_start);
  if (!start.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "period_start: \"", period_start, "\" is not a YYYY-MM-DD date (give both or neither)"));
  }
  const std::optional<absl::CivilDay> end = ParseDate(period_end);
  if (!end.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "period_end: \"", period_end, "\" is not a YYYY-MM-DD date (give both or neither)"));
  }
  const ReportPeriod period = ReportPeriodContaining(*start, settings);
  if (period.start != *start) {
    return absl::InvalidArgumentError(absl::StrCat("period_start: ", period_start,
                                                   " does not begin a report period (",
                                                   FormatDate(period.start), " does)"));
  }
  if (period.end != *end) {
    return absl::InvalidArgumentError(
        absl::StrCat("period_end: ", period_end, " does not end the report period from ",
                     period_start, " (", FormatDate(period.end), " does)"));
  }
  if (period.start > today) {
    return absl::InvalidArgumentError(absl::StrCat(
        "period_start: ", period_start, " is in the future (today is ", FormatDate(today), ")"));
  }
  return period;
}

std::string LiaisonReportsId(const std::string& jurisdiction, const std::string& liaison_name) {
  return absl::StrCat(jurisdiction, "-L", absl::BytesToHexString(liaison_name));
}

bool IsLiaisonReportsId(const std::string& aggregate_id) {
  return aggregate_id.size() > 8 && aggregate_id.compare(6, 2, "-L") == 0;
}

std::string CurrentLiaison(const ContactMemberState& state) {
  return state.liaisons().empty() ? "" : state.liaisons().rbegin()->liaison_name();
}

bool InLiaisonCharge(const ContactMemberState& state, const std::string& liaison_name,
                     const std::string& jurisdiction, const ReportPeriod& period) {
  if (state.liaisons().empty() || CurrentLiaison(state) != liaison_name) return false;
  const lianxin::v1::MemberFacts& facts = state.facts();
  if (facts.home_jurisdiction() != jurisdiction || facts.membership_ended()) return false;
  const std::optional<absl::CivilDay> left_on = Day(facts.outflow().left_on());
  if (!left_on.has_value() || *left_on > period.end) return false;
  if (facts.away()) return true;
  const std::optional<absl::CivilDay> returned_on = Day(facts.returned_on());
  return returned_on.has_value() && *returned_on >= period.start;
}

LiaisonReportMember SummarizeForReport(const ContactMemberState& state, const ReportPeriod& period,
                                       absl::CivilDay today, const std::string& jurisdiction,
                                       const Settings& settings) {
  LiaisonReportMember row;
  const lianxin::v1::MemberFacts& facts = state.facts();
  row.set_member_id(state.member_id());
  row.set_name(facts.registration().name());
  row.set_destination_jurisdiction(facts.outflow().destination_jurisdiction());
  row.set_away_since(facts.outflow().left_on());
  if (!facts.away()) row.set_returned_on(facts.returned_on());
  if (!state.liaisons().empty()) row.set_assigned_on(state.liaisons().rbegin()->assigned_on());
  std::string last_in_period;
  for (const std::string& entry : state.contact_days()) {
    // "YYYY-MM-DD/<kind number>" (Evolve).
    const std::pair<std::string, std::string> day_kind = absl::StrSplit(entry, '/');
    const std::optional<absl::CivilDay> day = ParseDate(day_kind.first);
    int kind_number = 0;
    if (!day.has_value() || *day < period.start || *day > period.end ||
        !absl::SimpleAtoi(day_kind.second, &kind_number) ||
        !lianxin::v1::ContactKind_IsValid(kind_number)) {
      continue;
    }
    const auto kind = static_cast<lianxin::v1::ContactKind>(kind_number);
    switch (kind) {
      case lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT:
        row.set_quarterly_reports(row.quarterly_reports() + 1);
        break;
      case lianxin::v1::CONTACT_KIND_THOUGHT_REPORT:
        row.set_thought_reports(row.thought_reports() + 1);
        break;
      case lianxin::v1::CONTACT_KIND_LOCATION_CHANGE:
        row.set_location_changes(row.location_changes() + 1);
        break;
      case lianxin::v1::CONTACT_KIND_FAMILY_CONTACT:
        row.set_family_contacts(row.family_contacts() + 1);
        break;
      case lianxin::v1::CONTACT_KIND_DESTINATION_ORGANIZATION:
        row.set_destination_organization_contacts(row.destination_organization_contacts() + 1);
        break;
      case lianxin::v1::CONTACT_KIND_OTHER:
        row.set_other_contacts(row.other_contacts() + 1);
        break;
      default:
        continue;
    }
    // R15: the member's own contacts apart from those about them.
    if (IsContactWithMember(kind)) {
      row.set_self_contacts(row.self_contacts() + 1);
      last_in_period = std::max(last_in_period, day_kind.first);
    } else {
      row.set_contacts_about(row.contacts_about() + 1);
    }
  }
  row.set_last_contact_in_period_on(last_in_period);
  row.set_last_contact_on(state.last_contact_on());
  if (const std::optional<Obligations> o = ObligationsOf(state, jurisdiction, settings)) {
    // The next obligation: the earliest due date (a tie goes to the report
    // the member owes most often).
    const std::pair<const char*, absl::CivilDay> next = std::min(
        {std::pair<const char*, absl::CivilDay>{"QUARTERLY_REPORT", o->quarterly_report_due_on},
         {"THOUGHT_REPORT", o->thought_report_due_on},
         {"ANNUAL_CONTACT", o->annual_contact_due_on}},
        [](const auto& a, const auto& b) { return a.second < b.second; });
    row.set_next_obligation(next.first);
    row.set_next_due_on(FormatDate(next.second));
    if (const std::optional<Overdue> late = MostOverdue(*o, today)) {
      row.set_overdue(true);
      row.set_overdue_obligation(late->obligation);
      row.set_days_overdue(late->days_overdue);
    }
  }
  row.set_lost_contact(state.lost_contact());
  if (state.lost_contact()) row.set_lost_on(state.lost_on());
  return row;
}

lianxin::v1::LiaisonReportTotals TotalsOf(
    const google::protobuf::RepeatedPtrField<LiaisonReportMember>& members) {
  lianxin::v1::LiaisonReportTotals totals;
  for (const LiaisonReportMember& m : members) {
    totals.set_members(totals.members() + 1);
    if (m.self_contacts() > 0) {
      totals.set_members_contacted(totals.members_contacted() + 1);
    } else {
      totals.set_members_not_contacted(totals.members_not_contacted() + 1);
    }
    totals.set_self_contacts(totals.self_contacts() + m.self_contacts());
    totals.set_contacts_about(totals.contacts_about() + m.contacts_about());
    totals.set_contacts(totals.contacts() + m.self_contacts() + m.contacts_about());
    totals.set_quarterly_reports(totals.quarterly_reports() + m.quarterly_reports());
    totals.set_thought_reports(totals.thought_reports() + m.thought_reports());
    if (m.overdue()) totals.set_overdue(totals.overdue() + 1);
    if (m.lost_contact()) totals.set_lost_contact(totals.lost_contact() + 1);
  }
  return totals;
}

std::optional<LiaisonReported> ReportFor(const LiaisonReportsState& reports,
                                         const ReportPeriod& period) {
  const std::string start = FormatDate(period.start);
  const std::string end = FormatDate(period.end);
  for (const LiaisonReported& report : reports.reports()) {
    if (report.period_start() == start && report.period_end() == end) return report;
  }
  return std::nullopt;
}

bool ReportMissing(const LiaisonReportsState& reports, const ReportPeriod& period,
                   size_t members_in_charge) {
  return members_in_charge > 0 && !ReportFor(reports, period).has_value();
}

absl::StatusOr<Events> DecideRecordLiaisonReport(
    const LiaisonReportsState& reports, const std::string& liaison_name, const ReportPeriod& period,
    absl::CivilDay reported_on, const std::string& branch_notes,
    const std::vector<std::string>& in_charge, const std::vector<std::string>& covered,
    const DecisionContext& ctx) {
  if (reported_on > ctx.today) {
    return absl::InvalidArgumentError(absl::StrCat("reported_on: ", FormatDate(reported_on),
                                                   " is in the future (today is ",
                                                   FormatDate(ctx.today), ")"));
  }
  if (reported_on < period.start) {
    return absl::InvalidArgumentError(absl::StrCat("reported_on: ", FormatDate(reported_on),
                                                   " is before the period starts (",
                                                   FormatDate(period.start), ")"));
  }
  if (in_charge.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "liaison_name: ", liaison_name, " has no member in their charge in ", ctx.jurisdiction,
        " for ", FormatDate(period.start), " to ", FormatDate(period.end)));
  }
  if (const std::optional<LiaisonReported> made = ReportFor(reports, period)) {
    return absl::AlreadyExistsError(
        absl::StrCat("liaison_name: ", liaison_name, " already reported for ", made->period_start(),
                     " to ", made->period_end(), " on ", made->reported_on()));
  }
  const std::set<std::string> charge(in_charge.begin(), in_charge.end());
  for (size_t i = 0; i < covered.size(); ++i) {
    if (!charge.contains(covered[i])) {
      return absl::FailedPreconditionError(
          absl::StrCat("member_ids[", i, "]: ", covered[i], " is not in ", liaison_name,
                       "'s charge for ", FormatDate(period.start), " to ", FormatDate(period.end)));
    }
  }
  Event event = NewEvent(ctx, "LiaisonReported");
  LiaisonReported* report = event.mutable_liaison_reported();
  report->set_liaison_name(std::string(liaison_name));
  report->set_period_start(FormatDate(period.start));
  report->set_period_end(FormatDate(period.end));
  report->set_reported_on(FormatDate(reported_on));
  report->set_branch_notes(std::string(branch_notes));
  for (const std::string& id : covered.empty() ? in_charge : covered) {
    report->add_member_ids(id);
  }
  return Events{std::move(event)};
}

LiaisonReportsState EvolveLiaisonReports(LiaisonReportsState state, const Event& event) {
  if (event.has_liaison_reported()) {
    state.set_liaison_name(event.liaison_reported().liaison_name());
    *state.add_reports() = event.liaison_reported();
  }
  return state;
}

}  // namespace lianxin::contact
