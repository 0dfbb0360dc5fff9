#include "services/appraisal/domain/roles.h"

#include "libs/memberfacts/member_facts.h"

namespace lianxin::appraisal {

absl::Status MaySendNotice(const lianxin::v1::MemberFacts& registry_facts,
                           const lianxin::v1::Event& event) {
  return MayActAsHome(registry_facts.home_jurisdiction(), event);
}

}  // namespace lianxin::appraisal
