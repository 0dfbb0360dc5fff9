#include "services/education/domain/roles.h"

#include "absl/strings/str_cat.h"

namespace lianxin::education {

absl::Status MayRecordFromDestination(const lianxin::v1::MemberEducation& member,
                                      const lianxin::v1::Event& event) {
  if (member.home_jurisdiction().empty()) return absl::OkStatus();  // not noted yet
  const std::string& source = event.source().jurisdiction();
  if (member.away() && member.destination_jurisdiction() == source) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "role: ", source, " is not the current destination of member ", event.aggregate_id()));
}

}  // namespace lianxin::education
