// What another county may say about a member, as pure functions (the role
// rules of trust between counties; docs/architecture.md).
//
// A registry records in its own log the registry events other counties route
// to its inbox. The signature (libs/bus/trust.h) proves which county wrote an
// event; these rules decide whether that county may say it about that member,
// from what this registry knows of the member before the event:
// - only the member's home sends an outflow, a change of destination, a
//   transfer request, a return, a certificate, a lost-contact flag or its end;
// - only the current destination records an arrival, or organization life and
//   dues on the certificate (R8: the certificate's checks are the home's);
// - only the receiving county accepts or rejects a pending transfer.
// A county this registry does not know the member from may introduce it only
// as its home, by an outflow or a transfer request to this county.
//
//   if (absl::Status may = MaySay(known, event, "650102"); !may.ok()) return may;
#ifndef LIANXIN_SERVICES_REGISTRY_DOMAIN_ROLES_H_
#define LIANXIN_SERVICES_REGISTRY_DOMAIN_ROLES_H_

#include <string>

#include "absl/status/status.h"
#include "lianxin/v1/events.pb.h"

namespace lianxin::registry {

// OK if `event`'s source county may say it about the member this registry
// (`receiver`) knows as `known` (nullptr: not known here); PERMISSION_DENIED
// naming the role it lacks otherwise.
// A destination's report (an arrival, organization life or dues on the
// certificate) about a member of `known` from a county that is not, or no
// longer, the member's destination: after a return or a move the former
// destination's reports still arrive. It is acknowledged without effect, never
// applied (and never quarantined: an authentic report that came late is no
// forgery, and a forged one changes nothing).
bool IsStaleDestinationReport(const lianxin::v1::MemberFacts* known,
                              const lianxin::v1::Event& event);

absl::Status MaySay(const lianxin::v1::MemberFacts* known, const lianxin::v1::Event& event,
                    const std::string& receiver);

// Identity claims (lx.identity.v1): a claim by `claimant` for `member_id` may
// replace the claim held for its ID-number hash only if none is held, or the
// held one is unconfirmed (this registry's own, not yet seen on the topic), or
// it is the same member claimed by the same county. A claim never displaces an
// earlier confirmed claim of another county.
bool ClaimMayReplace(bool held, bool held_confirmed, const std::string& held_member_id,
                     const std::string& held_jurisdiction, const std::string& member_id,
                     const std::string& claimant);

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_DOMAIN_ROLES_H_
