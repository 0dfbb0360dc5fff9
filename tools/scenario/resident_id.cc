#include "tools/scenario/resident_id.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/registry/domain/rules.h"

namespace lianxin::scenario {

std::string MakeResidentIdNumber(absl::string_view area, absl::CivilDay birth, int sequence) {
  std::string id = absl::StrCat(area, absl::StrFormat("%04d%02d%02d%03d", birth.year(),
                                                      birth.month(), birth.day(), sequence));
  id.push_back(registry::ResidentIdCheckCharacter(id));
  return id;
}

}  // namespace lianxin::scenario
