#include "services/contact/reactions.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/memberfacts/member_facts.h"
#include "services/contact/domain/roles.h"

namespace lianxin::contact {

using lianxin::v1::ContactMemberState;
using lianxin::v1::Event;

ContactReactions::ContactReactions(ContactProjection* projection, Clock* clock,
                                   std::set<std::string> on_system)
    : projection_(*projection), clock_(*clock), on_system_(std::move(on_system)) {}

std::vector<std::string> ContactReactions::Topics(const std::string& jurisdiction) {
  Source registry;
  registry.set_jurisdiction(jurisdiction);
  registry.set_service("registry");
  return {ServiceTopic(registry), InboxTopic(jurisdiction)};
}

absl::Status ContactReactions::Apply(const Event& event, const std::string& topic,
                                     Transaction& txn) {
  if (topic == InboxTopic(projection_.jurisdiction())) {
    if (event.source().service() != "contact" || !event.has_contact_recorded() ||
        event.source().jurisdiction() == projection_.jurisdiction()) {
      return absl::OkStatus();  // not for the contact service
    }
    return RecordRouted(event, txn);
  }
  if (event.source().service() != "registry" ||
      event.source().jurisdiction() != projection_.jurisdiction()) {
    return absl::OkStatus();
  }
  return Observe(event, txn);
}

absl::Status ContactReactions::Observe(const Event& event, Transaction& txn) {
  if (!IsRegistryPayload(event)) return absl::OkStatus();
  const std::string& member_id = event.aggregate_id();
  ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.LoadMember(member_id));
  const ContactMemberState before = member.has_value() ? member->state : ContactMemberState();
  const uint64_t version = member.has_value() ? member->version : 0;
  const lianxin::v1::MemberFacts facts_after = FoldMemberFacts(before.facts(), event);
  Events events = {ObserveRegistryEvent(facts_after, event)};
  Event stamped = events[0];
  stamped.set_aggregate_id(member_id);
  ContactMemberState after = Evolve(before, stamped);
  // A member lost and now back home (or transferred out) is found (R5).
  const absl::Time now = clock_.Now();
  Context ctx{projection_.jurisdiction(), now,       CountyDay(now), kSystemActor,
              event.correlation_id(),     on_system_};
  for (Event& ended : DecideLostContactEnds(after, ctx)) {
    ended.set_causation_id(event.event_id());
    Event evolved = ended;
    evolved.set_aggregate_id(member_id);
    after = Evolve(std::move(after), evolved);
    events.push_back(std::move(ended));
  }
  projection_.StageMember(txn, member_id, version, before, std::move(events), after);
  return absl::OkStatus();
}

absl::Status ContactReactions::RecordRouted(const Event& event, Transaction& txn) {
  const std::string& member_id = event.aggregate_id();
  ASSIGN_OR_RETURN(std::optional<LoadedMember> loaded, projection_.LoadMember(member_id));
  // The registry topic may not have brought the member yet (the two topics
  // are not ordered with each other): the contact is recorded all the same,
  // and counts once the member's facts arrive. Never blocks the inbox.
  const LoadedMember member = loaded.has_value() ? *loaded : LoadedMember{};
  // A contact from a county that is not (or no longer) the member's destination
  // changes nothing: the member returned or moved on since it was recorded.
  if (!MayRecordRoutedContact(member.state.facts(), event).ok()) return absl::OkStatus();
  const absl::Time now = clock_.Now();
  Context ctx{projection_.jurisdiction(), now, CountyDay(now), kSystemActor, "", on_system_};
  ASSIGN_OR_RETURN(Events events, DecideRecordRoutedContact(member.state, event, ctx));
  if (events.empty()) return absl::OkStatus();  // transferred away since: not ours
  ContactMemberState after = member.state;
  for (const Event& e : events) {
    Event stamped = e;
    stamped.set_aggregate_id(member_id);
    after = Evolve(std::move(after), stamped);
  }
  projection_.StageMember(txn, member_id, member.version, member.state, std::move(events), after);
  return absl::OkStatus();
}

}  // namespace lianxin::contact
