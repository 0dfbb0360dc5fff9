// The scenario generator: a deterministic, seeded population of members of
// three counties on lianxin (Fuyun 654322, Urumqi Tianshan 650102, Shenzhen
// Nanshan 440305) and the Registry commands that tell each member's story.
// Pure: no I/O, no clock, no servers (the loader is loader.h).
//
// The Fuyun scenario is the county survey's figures (domain.md): 24 of
// Fuyun's members away and 91 members of elsewhere present in Fuyun, with
// returns, transfers and a change of destination on top. Dates are relative
// to `today` (all on or before it); names, ID numbers and birth dates depend
// on the seed only, so a re-run on another day registers the same people.
//
//   GenerateOptions options{.seed = 1, .today = absl::CivilDay(2026, 11, 27)};
//   Plan plan = Generate(FuyunSpec(), options);
//   // plan.expected_outflow_count() == 24, plan.expected_inflow_count() == 91
#ifndef LIANXIN_TOOLS_SCENARIO_GENERATOR_H_
#define LIANXIN_TOOLS_SCENARIO_GENERATOR_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/registry.pb.h"
#include "tools/scenario/scenario.pb.h"

namespace lianxin::scenario {

// A member's story, seen from the focus county F (Fuyun); P is a partner
// county on lianxin (Tianshan or Nanshan). The comment gives the status F
// (and P) show at the end.
enum class Fate {
  // F's members, away: counted in F's outflow.
  kAwayPending,      // left for P, not yet received there: OUTFLOW_PENDING (P INFLOW_EXPECTED)
  kAwayReceived,     // received at P, certificate entries there: OUTFLOW_RECEIVED (P INFLOW_ACTIVE)
  kAwayOffSystem,    // inland, off lianxin: OUTFLOW_PENDING
  kAwayMine,         // the mines of the region, off lianxin: OUTFLOW_PENDING
  kTransferPending,  // at Tianshan, transfer requested: TRANSFER_PENDING (INFLOW_ACTIVE)
  kTransferRejected,  // at Nanshan, transfer rejected: OUTFLOW_RECEIVED (INFLOW_ACTIVE)
  kMovedOn,           // flow 6: received at Tianshan, moved on to Nanshan: OUTFLOW_PENDING
                      // (Tianshan INFLOW_CLOSED, Nanshan INFLOW_EXPECTED)
  // F's members not away: on top of the outflow.
  kReturned,        // away and back (seasonal farmers): RESIDENT (P INFLOW_CLOSED)
  kTransferredOut,  // transfer to Tianshan accepted: TRANSFERRED_OUT (TRANSFERRED_IN)
  // Members of elsewhere present in F: counted in F's inflow.
  kInflowFromPartner,  // registered by P, received in F: INFLOW_ACTIVE (P OUTFLOW_RECEIVED)
  kInflowOffSystem,    // origin off lianxin, registered in F at arrival: INFLOW_ACTIVE
  // Members of elsewhere no longer present in F: on top of the inflow.
  kInflowReturnedHome,   // back home to P: INFLOW_CLOSED (P RESIDENT)
  kInflowOffSystemLeft,  // origin off lianxin, left F: INFLOW_CLOSED
  kTransferredIn,        // Nanshan's member, transfer to F accepted: TRANSFERRED_IN
                         // (Nanshan TRANSFERRED_OUT)
  // The rules as a county office lives them (issue 16), each a defect's path.
  kTransferredInThenAway,  // Nanshan's member transferred to F, then away to Tianshan: R2
                           // owed again; OUTFLOW_PENDING (Tianshan INFLOW_EXPECTED)
  kTransferWithdrawn,      // away inland, a transfer there (off lianxin) withdrawn (R20):
                           // OUTFLOW_PENDING
  kChangedInDestination,   // received at P, new address, phone, employer, return and branch
                           // there (R4): OUTFLOW_RECEIVED (P INFLOW_ACTIVE)
  kVisitingHome,           // received at P, home for the Spring Festival: OUTFLOW_RECEIVED
                           // (P INFLOW_ACTIVE)
  kTransferredOutOnPaper,  // away inland, transfer there finished by the paper receipt (R20):
                           // TRANSFERRED_OUT
  kTransferredInOnPaper,   // from an origin off lianxin, taken in by the paper letter (R20):
                           // TRANSFERRED_IN
  kResidentTransferring,   // at home, transfer to Tianshan requested: TRANSFER_PENDING, not
                           // outflow (Tianshan INFLOW_EXPECTED)
};

inline constexpr Fate kAllFates[] = {Fate::kAwayPending,
                                     Fate::kAwayReceived,
                                     Fate::kAwayOffSystem,
                                     Fate::kAwayMine,
                                     Fate::kTransferPending,
                                     Fate::kTransferRejected,
                                     Fate::kMovedOn,
                                     Fate::kReturned,
                                     Fate::kTransferredOut,
                                     Fate::kInflowFromPartner,
                                     Fate::kInflowOffSystem,
                                     Fate::kInflowReturnedHome,
                                     Fate::kInflowOffSystemLeft,
                                     Fate::kTransferredIn,
                                     Fate::kTransferredInThenAway,
                                     Fate::kTransferWithdrawn,
                                     Fate::kChangedInDestination,
                                     Fate::kVisitingHome,
                                     Fate::kTransferredOutOnPaper,
                                     Fate::kTransferredInOnPaper,
                                     Fate::kResidentTransferring};

// The fate's name in plans, e.g. "away-mine".
absl::string_view FateName(Fate fate);

// How many members of each fate, in this order.
struct PopulationSpec {
  std::vector<std::pair<Fate, int>> members;
};

// The Fuyun survey: 24 away (1 pending, 4 received, 6 inland, 6 at the mines,
// 1 transfer pending, 1 rejected, 1 moved on, and on the defects' paths 1
// transferred in then away, 1 transfer withdrawn, 1 changed inside the
// destination, 1 visiting home), 8 more back, transferred out (one on paper)
// or transferring from home; 91 present (12 from Tianshan and Nanshan, 79
// from origins off lianxin), 5 more gone home, left or transferred in (one
// on paper). 128 members.
PopulationSpec FuyunSpec();

// Fuyun's mix scaled to `members` members (largest remainder), for benchmarks.
PopulationSpec ScaledSpec(int64_t members);

struct GenerateOptions {
  uint64_t seed = 1;
  // Every generated date is on or before this day.
  absl::CivilDay today;
};

// The plan of `spec`: members in spec order, each with its commands. Same
// spec and options, same plan, byte for byte.
Plan Generate(const PopulationSpec& spec, const GenerateOptions& options);

// The Spring Festival (Lunar New Year's day) on or after `day`, 2026–2035.
absl::CivilDay NextSpringFestival(absl::CivilDay day);

// True for the statuses GetStatistics counts as outflow (away).
bool IsOutflowStatus(lianxin::v1::MemberStatus status);
// Whether the focus county counts `member` in its outflow: its expected status
// there is an outflow status, and a transfer pending is of a member away (a
// resident transferring is counted at home, R9).
bool CountsAsOutflow(const Member& member, absl::string_view focus_county);

}  // namespace lianxin::scenario

#endif  // LIANXIN_TOOLS_SCENARIO_GENERATOR_H_
