#include "services/contact/domain/rules.h"

#include <algorithm>

#include "libs/common/time_util.h"

namespace lianxin::contact {

using lianxin::v1::ContactMemberState;

namespace {

std::optional<absl::CivilDay> Day(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return ParseDate(text);
}

// The first day of the period of `months` months containing `day`.
absl::CivilDay StartOfPeriod(absl::CivilDay day, int months) {
  const int index = static_cast<int>(day.month() - 1) / months;
  return absl::CivilDay(day.year(), index * months + 1, 1);
}

// R4: the report for each period from the one the member left in: due at the
// end of the first period after the last report's (or the leaving period).
absl::CivilDay PeriodicReportDueOn(absl::CivilDay away_since,
                                   std::optional<absl::CivilDay> last_report, int months,
                                   int grace_days) {
  if (!last_report.has_value() || *last_report < StartOfPeriod(away_since, months)) {
    const absl::CivilDay first = EndOfPeriod(away_since, months);
    return DaysBetween(away_since, first) < grace_days ? EndOfPeriod(first + 1, months) : first;
  }
  return EndOfPeriod(AddMonths(StartOfPeriod(*last_report, months), months), months);
}

}  // namespace

absl::CivilDay EndOfPeriod(absl::CivilDay day, int months) {
  const absl::CivilMonth start(StartOfPeriod(day, months));
  return absl::CivilDay(start + months) - 1;
}

bool IsContactWithMember(lianxin::v1::ContactKind kind) {
  return kind != lianxin::v1::CONTACT_KIND_FAMILY_CONTACT &&
         kind != lianxin::v1::CONTACT_KIND_DESTINATION_ORGANIZATION &&
         kind != lianxin::v1::CONTACT_KIND_UNSPECIFIED;
}

bool TrackedAtHome(const ContactMemberState& state, std::string_view jurisdiction) {
  return state.facts().home_jurisdiction() == jurisdiction && state.facts().away() &&
         !state.facts().membership_ended() && AwaySince(state).has_value();
}

bool InflowHere(const ContactMemberState& state, std::string_view jurisdiction) {
  return state.facts().away() && state.facts().home_jurisdiction() != jurisdiction &&
         state.facts().outflow().destination_jurisdiction() == jurisdiction;
}

std::optional<absl::CivilDay> AwaySince(const ContactMemberState& state) {
  if (!state.facts().away()) return std::nullopt;
  return Day(state.facts().outflow().left_on());
}

absl::CivilDay QuarterlyReportDueOn(absl::CivilDay away_since,
                                    std::optional<absl::CivilDay> last_report,
                                    const Settings& settings) {
  return PeriodicReportDueOn(away_since, last_report, settings.quarterly_report_months,
                             settings.first_report_grace_days);
}

absl::CivilDay ThoughtReportDueOn(absl::CivilDay away_since,
                                  std::optional<absl::CivilDay> last_report,
                                  const Settings& settings) {
  return PeriodicReportDueOn(away_since, last_report, settings.thought_report_months,
                             settings.first_report_grace_days);
}

absl::CivilDay AnnualContactDueOn(absl::CivilDay away_since,
                                  std::optional<absl::CivilDay> last_contact,
                                  const Settings& settings) {
  const absl::CivilDay base =
      last_contact.has_value() ? std::max(*last_contact, away_since) : away_since;
  return AddMonths(base, settings.annual_contact_months) - 1;
}

absl::CivilDay LostContactOn(absl::CivilDay last_contact, const Settings& settings) {
  return AddMonths(last_contact, settings.lost_contact_months) + 1;
}

absl::CivilDay SilenceSince(const ContactMemberState& state, absl::CivilDay away_since) {
  absl::CivilDay since = away_since;
  // R23: organization life at the destination (on the certificate) is contact
  // with a party organization, like a contact with the member.
  for (const std::string& text :
       {state.last_contact_on(), state.facts().last_organization_life_on()}) {
    if (std::optional<absl::CivilDay> day = Day(text)) since = std::max(since, *day);
  }
  return since;
}

absl::CivilDay Obligations::EarliestDue() const {
  return std::min({quarterly_report_due_on, thought_report_due_on, annual_contact_due_on});
}

std::optional<Obligations> ObligationsOf(const ContactMemberState& state,
                                         std::string_view jurisdiction, const Settings& settings) {
  if (!TrackedAtHome(state, jurisdiction)) return std::nullopt;
  const absl::CivilDay away_since = *AwaySince(state);
  Obligations o;
  o.quarterly_report_due_on =
      QuarterlyReportDueOn(away_since, Day(state.last_quarterly_report_on()), settings);
  o.thought_report_due_on =
      ThoughtReportDueOn(away_since, Day(state.last_thought_report_on()), settings);
  o.annual_contact_due_on = AnnualContactDueOn(away_since, Day(state.last_contact_on()), settings);
  o.lost_on = LostContactOn(SilenceSince(state, away_since), settings);
  return o;
}

std::optional<Overdue> MostOverdue(const Obligations& o, absl::CivilDay as_of) {
  std::optional<Overdue> most;
  for (const auto& [name, due] :
       {std::pair<const char*, absl::CivilDay>{"ANNUAL_CONTACT", o.annual_contact_due_on},
        {"THOUGHT_REPORT", o.thought_report_due_on},
        {"QUARTERLY_REPORT", o.quarterly_report_due_on}}) {
    const int days = DaysBetween(due, as_of);
    if (days <= 0) continue;
    if (!most.has_value() || days > most->days_overdue) most = Overdue{name, due, days};
  }
  return most;
}

bool IsLostContact(const Obligations& obligations, absl::CivilDay as_of) {
  return as_of >= obligations.lost_on;
}

bool ConsultationLongOpen(absl::CivilDay received_on, absl::CivilDay as_of,
                          const Settings& settings) {
  return DaysBetween(received_on, as_of) > settings.consultation_open_days;
}

}  // namespace lianxin::contact
