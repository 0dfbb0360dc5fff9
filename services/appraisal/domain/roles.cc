#include "services/appraisal/domain/roles.h"

#include "absl/strings/str_cat.h"

namespace lianxin::appraisal {

absl::Status MaySendNotice(const lianxin::v1::MemberFacts& registry_facts,
                           const lianxin::v1::Event& event) {
  if (registry_facts.home_jurisdiction().empty()) return absl::OkStatus();  // not known yet
  if (registry_facts.home_jurisdiction() == event.source().jurisdiction()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("role: ", event.source().jurisdiction(),
                                                  " is not the home of member ",
                                                  event.aggregate_id()));
}

}  // namespace lianxin::appraisal
