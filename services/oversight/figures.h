// The oversight's counting, pure: which counties a scope covers, the day an
// event happened, a county's figures from its members' facts (the same
// switch as Registry.GetStatistics), sums up the levels, and the members
// nobody manages (两不管). No I/O and no clock: "today" comes from the caller.
//
//   AreaFigures county = NewArea("654322");
//   for (const MemberFacts& f : facts_at_654322) CountMember(f, "654322", today, &county);
//   AreaFigures prefecture = NewArea("654300");
//   AddFigures(county, &prefecture);
#ifndef LIANXIN_SERVICES_OVERSIGHT_FIGURES_H_
#define LIANXIN_SERVICES_OVERSIGHT_FIGURES_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "lianxin/v1/events.pb.h"
#include "lianxin/v1/oversight.pb.h"

namespace lianxin::oversight {

// The level of a 6-digit division code: "country" (000000: every county of the
// deployment, for a deployment that spans provinces), "province" (XX0000),
// "prefecture" (XXXX00) or "county"; "" if `code` is not 6 digits.
std::string LevelOf(std::string_view code);
// The prefix a code stands for: "" for 000000, "65" for 650000, "6543" for 654300, the
// code itself for a county.
std::string ScopePrefix(std::string_view code);
// True if the area `inner` (any level) lies within the area `outer`.
bool Within(std::string_view inner, std::string_view outer);
// The prefecture and province codes of a county ("654322" -> "654300", "650000").
std::string PrefectureOf(std::string_view county);
std::string ProvinceOf(std::string_view county);

// The day an event of a county's registry log happened: its payload's own
// date (left_on, arrived_on, issued_on, requested_on, accepted_on, returned_on,
// ...; joined_on for a registration), else the day it was recorded in the
// counties' time zone. nullopt if neither is a date.
std::optional<absl::CivilDay> EventDay(const lianxin::v1::Event& event);

// The member's facts from a county's log (its events in log order) as they
// stood at the end of `as_of`: the events up to the first one dated after it.
// nullopt if no event was dated by then (the county did not know the member).
std::optional<lianxin::v1::MemberFacts> FactsAsOf(const std::vector<lianxin::v1::Event>& log,
                                                  absl::CivilDay as_of);

// The registry event without the personal data the oversight has no use for
// (name, ID-number hash and mask, birth date, phones, addresses, employer,
// contact persons), in the payload and in its snapshot.
lianxin::v1::Event WithoutPersonalData(lianxin::v1::Event event);

// An empty AreaFigures for `code` with its level set.
lianxin::v1::AreaFigures NewArea(std::string_view code);

// Adds one member, as `county` sees it on `today`, to that county's figures
// (Registry.GetStatistics's rules: R2 away, R8 certificate valid on today).
void CountMember(const lianxin::v1::MemberFacts& facts, std::string_view county,
                 absl::CivilDay today, lianxin::v1::AreaFigures* figures);

// Adds `part` (a county's or a smaller area's figures) into `total`.
void AddFigures(const lianxin::v1::AreaFigures& part, lianxin::v1::AreaFigures* total);

// Days a destination may take to record the arrival of a member away.
inline constexpr int kArrivalDueDays = 30;

// Every reason nobody manages the member on `today`, from the views of the
// counties sharing it that this instance holds (county code -> that county's
// facts). `receipt_due_months` is R9's deadline. Empty when someone does.
std::vector<lianxin::v1::UnmanagedMember> FindUnmanaged(
    std::string_view member_id, const std::map<std::string, lianxin::v1::MemberFacts>& views,
    absl::CivilDay today, int receipt_due_months = 1);

}  // namespace lianxin::oversight

#endif  // LIANXIN_SERVICES_OVERSIGHT_FIGURES_H_
