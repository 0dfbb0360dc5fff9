// What another county may tell this county's education service (the role
// rules of trust between counties; docs/architecture.md), as pure functions.
//
// Training a member had at the destination (AttendanceRecorded,
// MaterialDelivered) is routed to the home county's inbox. The signature
// proves which county sent it; this rule decides whether that county may: only
// the member's current destination, while the member is away there.
//
//   if (!MayRecordFromDestination(member, event).ok()) return absl::OkStatus();
#ifndef LIANXIN_SERVICES_EDUCATION_DOMAIN_ROLES_H_
#define LIANXIN_SERVICES_EDUCATION_DOMAIN_ROLES_H_

#include "absl/status/status.h"
#include "lianxin/v1/events.pb.h"

namespace lianxin::education {

// OK if `event` (another county's inbox copy) comes from the current
// destination of the member as this education service last noted it
// (`member`), or if the member is not noted yet (the registry topic and the
// inbox are not ordered with each other). PERMISSION_DENIED naming the role
// otherwise.
absl::Status MayRecordFromDestination(const lianxin::v1::MemberEducation& member,
                                      const lianxin::v1::Event& event);

}  // namespace lianxin::education

#endif  // LIANXIN_SERVICES_EDUCATION_DOMAIN_ROLES_H_
