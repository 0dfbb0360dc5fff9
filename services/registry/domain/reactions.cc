#include "services/registry/domain/reactions.h"

namespace lianxin::registry {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;

std::optional<Event> DecideContactFlag(const std::optional<MemberFacts>& member,
                                       const Event& consumed, const std::string& jurisdiction) {
  // Only the member's home registry flags (and routes the flag to the
  // destination); the contact service of the home county proposes. A flag
  // this registry set is cleared even if the member has been transferred out
  // since (the contact service then ends the lost contact).
  if (!member.has_value() || (member->home_jurisdiction() != jurisdiction &&
                              !(consumed.has_contact_resumed() && member->lost_contact()))) {
    return std::nullopt;
  }
  Event flag;
  flag.set_causation_id(consumed.event_id());
  flag.set_correlation_id(consumed.correlation_id());
  if (consumed.has_lost_contact()) {
    if (member->lost_contact()) return std::nullopt;  // flagged already
    flag.set_type("LostContactFlagged");
    flag.mutable_lost_contact_flagged()->set_last_contact_on(
        consumed.lost_contact().last_contact_on());
    flag.mutable_lost_contact_flagged()->set_flagged_on(consumed.lost_contact().lost_on());
  } else if (consumed.has_contact_resumed()) {
    if (!member->lost_contact()) return std::nullopt;  // not flagged
    flag.set_type("ContactRestored");
    flag.mutable_contact_restored()->set_contact_on(consumed.contact_resumed().contact_on());
  } else {
    return std::nullopt;
  }
  return flag;
}

ClaimDecision DecideIdentityClaim(const std::optional<IdentityClaim>& held,
                                  const IdentityClaim& incoming, const std::string& jurisdiction) {
  if (!held.has_value() || held->member_id == incoming.member_id) {
    return {incoming, "", incoming};
  }
  ClaimDecision decision;
  decision.winner = held->confirmed ? *held : incoming;
  const IdentityClaim& loser = held->confirmed ? incoming : *held;
  if (!held->confirmed) decision.keep = incoming;
  if (loser.jurisdiction == jurisdiction) decision.duplicate_member_id = loser.member_id;
  return decision;
}

std::optional<Event> DecideDuplicateSuspected(const MemberFacts& member,
                                              const IdentityClaim& winner) {
  if (member.suspected_duplicate_of() == winner.member_id) {
    return std::nullopt;  // flagged already (on the winner's claim, then on its own)
  }
  Event flagged;
  flagged.set_type("DuplicateSuspected");
  flagged.mutable_duplicate_suspected()->set_existing_member_id(winner.member_id);
  flagged.mutable_duplicate_suspected()->set_existing_jurisdiction(winner.jurisdiction);
  return flagged;
}

}  // namespace lianxin::registry
