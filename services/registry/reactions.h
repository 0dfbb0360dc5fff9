// What the registry does with consumed events (the consumer's EventHandler):
//
// - from its county's inbox: another county's registry event about a member
//   the two share is recorded in this registry's own log (same payload,
//   causation_id = the original event), so each side's facts are rebuilt from
//   its own log alone and converge with the other side's;
// - from lx.identity.v1: identity claims (R18). The topic's order decides
//   between registrations of one ID number that raced in two counties: the
//   first claim wins, and a later one of this county is flagged
//   DuplicateSuspected, to merge, never dropped;
// - from its county's contact topic (lx.<county>.contact.v1): the contact
//   service's LostContact / ContactResumed (R5) about a member whose home is
//   here become LostContactFlagged / ContactRestored in this log, routed to
//   the destination like every event of a shared member, so the member is
//   flagged in both registries;
// - from its county's appraisal topic (lx.<county>.appraisal.v1): a probation
//   converted or cancelled, or a member treated as lapsed (R6, R11), become
//   MembershipStandingChanged in this log, routed like every event.
#ifndef LIANXIN_SERVICES_REGISTRY_REACTIONS_H_
#define LIANXIN_SERVICES_REGISTRY_REACTIONS_H_

#include <string>

#include "libs/bus/consumer.h"
#include "libs/common/clock.h"
#include "services/registry/projection.h"

namespace lianxin::registry {

class RegistryReactions : public EventHandler {
 public:
  // Neither is owned; both must outlive the consumer.
  RegistryReactions(RegistryProjection* projection, Clock* clock);

  absl::Status Apply(const lianxin::v1::Event& event, const std::string& topic,
                     Transaction& txn) override;

  // The topics this handler consumes for `jurisdiction`.
  static std::vector<std::string> Topics(const std::string& jurisdiction);

 private:
  absl::Status Record(const lianxin::v1::Event& event, Transaction& txn);
  absl::Status Claim(const lianxin::v1::Event& event, Transaction& txn);
  absl::Status FlagContact(const lianxin::v1::Event& event, Transaction& txn);
  // R6, R11: follows a decision of the county's own appraisal service on a
  // member of its own (probation converted or cancelled, treated as lapsed).
  absl::Status FollowAppraisal(const lianxin::v1::Event& event, Transaction& txn);
  // Appends an event decided here (a reaction, domain/reactions.h) to a
  // member of this county, stamped and routed as the deciders route (Route).
  absl::Status Decide(const LoadedMember& member, const std::string& member_id,
                      lianxin::v1::Event event, Transaction& txn);

  RegistryProjection& projection_;
  Clock& clock_;
};

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_REACTIONS_H_
