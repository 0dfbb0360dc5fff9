// What another county may tell this county's contact service (the role rules
// of trust between counties; docs/architecture.md), as pure functions.
//
// A contact recorded at the destination is routed to the home county's inbox.
// The signature proves which county sent it; this rule decides whether that
// county may: only the member's current destination, while the member is away
// there. Lost contact is flagged and cleared only by the member's home contact
// service, which writes on its own county's contact topic (the trust gate
// keeps every other writer off it), never through the inbox.
//
//   RETURN_IF_ERROR(MayRecordRoutedContact(known_facts, event));
#ifndef LIANXIN_SERVICES_CONTACT_DOMAIN_ROLES_H_
#define LIANXIN_SERVICES_CONTACT_DOMAIN_ROLES_H_

#include "absl/status/status.h"
#include "lianxin/v1/events.pb.h"

namespace lianxin::contact {

// OK if `event` (a ContactRecorded from another county's inbox copy) comes from
// the current destination of the member as this contact service last observed
// it (`facts`), or if the member is not observed yet (the registry topic and
// the inbox are not ordered with each other; such a contact counts only once
// the facts arrive). PERMISSION_DENIED naming the role otherwise.
absl::Status MayRecordRoutedContact(const lianxin::v1::MemberFacts& facts,
                                    const lianxin::v1::Event& event);

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_DOMAIN_ROLES_H_
