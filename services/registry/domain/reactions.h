// What the registry decides on the events it consumes, as pure functions
// (services/registry/reactions.cc loads, calls them and stages the result):
//   - R5, the home registry flags a lost contact its contact service found,
//     and clears it when the contact resumes (DecideContactFlag);
//   - R18, of two registrations of one ID number the claim first read back
//     from lx.identity.v1 wins; the other county's member is flagged
//     (DecideIdentityClaim, DecideDuplicateSuspected).
// Routing of the events decided here is the deciders' (Route, decider.h).
//
//   std::optional<Event> flag = DecideContactFlag(member, consumed, "654322");
//
// The codes each Decide… returns besides OK, as its comment lists them:
// PERMISSION_DENIED this county has no say in it (not the member's home, not
// the receiving county…); NOT_FOUND what it names is not here; ALREADY_EXISTS
// it was done already; INVALID_ARGUMENT a value breaks a rule of its own (a
// date in the future, before another; the message names the field);
// FAILED_PRECONDITION the state forbids it now (the message names the rule).
#ifndef LIANXIN_SERVICES_REGISTRY_DOMAIN_REACTIONS_H_
#define LIANXIN_SERVICES_REGISTRY_DOMAIN_REACTIONS_H_

#include <optional>
#include <string>

#include "lianxin/v1/events.pb.h"
#include "lianxin/v1/registry.pb.h"

namespace lianxin::registry {

// Who holds an ID-number hash (R18). `confirmed` once the claim was read back
// from lx.identity.v1, whose order decides between racing registrations.
struct IdentityClaim {
  std::string member_id;
  std::string jurisdiction;
  bool confirmed = false;
};

// The flag (LostContactFlagged or ContactRestored, with causation and
// correlation of `consumed`) that a contact service's LostContact or
// ContactResumed about `member` calls for in `jurisdiction`'s registry, or
// nullopt: the member is unknown here, this registry is not its home (a flag
// this registry set is still cleared after a transfer out), it is flagged
// already, or not flagged. `consumed` carries lost_contact or contact_resumed.
// Never fails: no events when there is nothing to do.
std::optional<lianxin::v1::Event> DecideContactFlag(
    const std::optional<lianxin::v1::MemberFacts>& member, const lianxin::v1::Event& consumed,
    const std::string& jurisdiction);

// What `jurisdiction`'s registry does with a claim read back from
// lx.identity.v1 when it holds `held` (nullopt: none) for the same hash.
struct ClaimDecision {
  // The claim to keep under the hash (nullopt: keep what is held).
  std::optional<IdentityClaim> keep;
  // The member of this county registered second, to flag as a duplicate of
  // `winner` (empty: none here).
  std::string duplicate_member_id;
  IdentityClaim winner;
};
// Never fails: a decision for every claim read.
ClaimDecision DecideIdentityClaim(const std::optional<IdentityClaim>& held,
                                  const IdentityClaim& incoming, const std::string& jurisdiction);

// The DuplicateSuspected event flagging `member` as a second registration of
// `winner`'s member, or nullopt if it is flagged so already.
// Never fails: no events when there is nothing to do.
std::optional<lianxin::v1::Event> DecideDuplicateSuspected(const lianxin::v1::MemberFacts& member,
                                                           const IdentityClaim& winner);

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_DOMAIN_REACTIONS_H_
