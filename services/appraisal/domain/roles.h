// What another county may tell this county's appraisal service (the role rules
// of trust between counties; docs/architecture.md), as pure functions.
//
// The home county's appraisal service sends an AppraisalNoticeSent for a member
// away to the destination's inbox. Only the member's home may: a notice from
// any other county about the member is refused.
//
//   RETURN_IF_ERROR(MaySendNotice(before.facts.registry(), event));
#ifndef LIANXIN_SERVICES_APPRAISAL_DOMAIN_ROLES_H_
#define LIANXIN_SERVICES_APPRAISAL_DOMAIN_ROLES_H_

#include "absl/status/status.h"
#include "lianxin/v1/events.pb.h"

namespace lianxin::appraisal {

// OK if `event`'s source county is the home of the member as this appraisal
// service knows it from its county's registry (`registry_facts`), or if the
// member is not known here yet (the inbox and the registry topic are not
// ordered with each other). PERMISSION_DENIED naming the role otherwise.
absl::Status MaySendNotice(const lianxin::v1::MemberFacts& registry_facts,
                           const lianxin::v1::Event& event);

}  // namespace lianxin::appraisal

#endif  // LIANXIN_SERVICES_APPRAISAL_DOMAIN_ROLES_H_
