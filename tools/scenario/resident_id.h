// Resident ID numbers (GB 11643) for generated members: area code of the home
// county, birth date, sequence code (odd for men, even for women) and the
// ISO 7064 MOD 11-2 check character (registry::ResidentIdCheckCharacter).
//
//   std::string id = MakeResidentIdNumber("654322", absl::CivilDay(1988, 3, 9), 417);
//   // "654322198803094171": registry::IsValidResidentIdNumber(id) holds
#ifndef LIANXIN_TOOLS_SCENARIO_RESIDENT_ID_H_
#define LIANXIN_TOOLS_SCENARIO_RESIDENT_ID_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace lianxin::scenario {

// The 18-character ID number of a person born on `birth` in `area` (6 digits)
// with sequence code `sequence` (0–999; its parity is the gender: odd = male).
std::string MakeResidentIdNumber(absl::string_view area, absl::CivilDay birth, int sequence);

}  // namespace lianxin::scenario

#endif  // LIANXIN_TOOLS_SCENARIO_RESIDENT_ID_H_
