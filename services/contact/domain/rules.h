// The contact service's rules (domain.md R4, R5, R14, R15), one pure function
// each. Dates are absl::CivilDay in the county's time; "today" always comes
// from the caller (the injected clock), never from the wall clock.
//
//   Obligations o = ObligationsOf(state, settings);            // due dates (R4)
//   std::optional<Overdue> late = MostOverdue(o, as_of);       // days overdue
//   absl::CivilDay lost_on = LostContactOn(base);               // R5
#ifndef LIANXIN_SERVICES_CONTACT_DOMAIN_RULES_H_
#define LIANXIN_SERVICES_CONTACT_DOMAIN_RULES_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "lianxin/v1/contact.pb.h"
#include "lianxin/v1/events.pb.h"
#include "libs/common/time_util.h"

namespace lianxin::contact {

// Per-county settings; the *local* rules of domain.md default to Fuyun's values.
struct Settings {
  // R4 (local): a contact report each calendar period of this many months (a quarter).
  int quarterly_report_months = 3;
  // R4 (local): a thought report at least each calendar period of this many months.
  int thought_report_months = 6;
  // R4 (national floor): at least one contact within this many months.
  int annual_contact_months = 12;
  // R5: no contact for more than this many months is a lost contact.
  int lost_contact_months = 6;
  // R4 (local): a member who left fewer than this many days before the end of
  // a period owes its first report at the end of the next one.
  int first_report_grace_days = 30;
  // R14 (local): a ticket open more than this many days is listed.
  int consultation_open_days = 7;
};

// The last day of the calendar period of `months` months (periods aligned to
// 1 January: quarters for 3, half years for 6) that contains `day`.
absl::CivilDay EndOfPeriod(absl::CivilDay day, int months);

// R15: a contact with the member themself (their reports, a location change,
// other contact) as opposed to one with the family or the destination
// organization, which are counted apart and do not end a silence.
bool IsContactWithMember(lianxin::v1::ContactKind kind);

// The member is away from this county, its home: the home county owns the
// R4 obligations and proposes R5 (not once the membership has ended).
bool TrackedAtHome(const lianxin::v1::ContactMemberState& state, std::string_view jurisdiction);
// The member is at this county as its destination (expected or arrived).
bool InflowHere(const lianxin::v1::ContactMemberState& state, std::string_view jurisdiction);
// The day the member left (the outflow's left_on), nullopt if not away.
std::optional<absl::CivilDay> AwaySince(const lianxin::v1::ContactMemberState& state);

// R4 (local): the quarterly report for each calendar quarter from the one the
// member left in: due on the last day of the first quarter after the last
// report's quarter (or of the quarter the member left in, or the next one if
// that ends within first_report_grace_days of leaving).
absl::CivilDay QuarterlyReportDueOn(absl::CivilDay away_since,
                                    std::optional<absl::CivilDay> last_report,
                                    const Settings& settings);
// R4 (local): a thought report each calendar half year, due like the quarterly one.
absl::CivilDay ThoughtReportDueOn(absl::CivilDay away_since,
                                  std::optional<absl::CivilDay> last_report,
                                  const Settings& settings);
// R4 (national floor): some contact with the member within 12 months of the
// last one (or of leaving): due on the day before the 12 months are reached.
absl::CivilDay AnnualContactDueOn(absl::CivilDay away_since,
                                  std::optional<absl::CivilDay> last_contact,
                                  const Settings& settings);

// R5: a member silent since `last_contact` counts as lost from the day after
// last_contact + 6 months ("more than 6 months").
absl::CivilDay LostContactOn(absl::CivilDay last_contact, const Settings& settings);
// The day the silence is counted from: the last contact with the member or
// organization life at the destination (R23), or the day they left when
// there was neither since.
absl::CivilDay SilenceSince(const lianxin::v1::ContactMemberState& state,
                            absl::CivilDay away_since);

// The obligations of a member tracked at home, with their due dates.
struct Obligations {
  absl::CivilDay quarterly_report_due_on;
  absl::CivilDay thought_report_due_on;
  absl::CivilDay annual_contact_due_on;
  absl::CivilDay lost_on;  // R5
  // The earliest of the three due dates.
  absl::CivilDay EarliestDue() const;
};
// nullopt when the member is not tracked at home by `jurisdiction`.
std::optional<Obligations> ObligationsOf(const lianxin::v1::ContactMemberState& state,
                                         std::string_view jurisdiction, const Settings& settings);

// The most overdue obligation as of `as_of` (a thing is overdue on the days
// after its due date), or nullopt when none is overdue.
struct Overdue {
  std::string obligation;  // "QUARTERLY_REPORT", "THOUGHT_REPORT", "ANNUAL_CONTACT"
  absl::CivilDay due_on;
  int days_overdue = 0;
};
std::optional<Overdue> MostOverdue(const Obligations& obligations, absl::CivilDay as_of);

// R5: the member is to be flagged lost as of `as_of`.
bool IsLostContact(const Obligations& obligations, absl::CivilDay as_of);

// R14: a ticket received on `received_on` and still open on `as_of` is listed
// once it has been open more than the county's number of days.
bool ConsultationLongOpen(absl::CivilDay received_on, absl::CivilDay as_of,
                          const Settings& settings);

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_DOMAIN_RULES_H_
