#include "services/registry/reactions.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/memberfacts/member_facts.h"
#include "services/registry/domain/decider.h"
#include "services/registry/domain/reactions.h"
#include "services/registry/domain/roles.h"

namespace lianxin::registry {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;

namespace {

constexpr char kSystemActor[] = "system/registry";

}  // namespace

RegistryReactions::RegistryReactions(RegistryProjection* projection, Clock* clock)
    : projection_(*projection), clock_(*clock) {}

std::vector<std::string> RegistryReactions::Topics(const std::string& jurisdiction) {
  Source contact;
  contact.set_jurisdiction(jurisdiction);
  contact.set_service("contact");
  Source appraisal;
  appraisal.set_jurisdiction(jurisdiction);
  appraisal.set_service("appraisal");
  return {InboxTopic(jurisdiction), kIdentityTopic, ServiceTopic(contact), ServiceTopic(appraisal)};
}

absl::Status RegistryReactions::Apply(const Event& event, const std::string& topic,
                                      Transaction& txn) {
  if (event.source().service() == "contact" &&
      event.source().jurisdiction() == projection_.jurisdiction() &&
      (event.has_lost_contact() || event.has_contact_resumed())) {
    return FlagContact(event, txn);
  }
  if (event.source().service() == "appraisal" &&
      event.source().jurisdiction() == projection_.jurisdiction()) {
    return FollowAppraisal(event, txn);
  }
  if (event.source().service() != "registry") return absl::OkStatus();  // not ours to record
  if (topic == kIdentityTopic) return Claim(event, txn);
  if (event.source().jurisdiction() == projection_.jurisdiction()) return absl::OkStatus();
  return Record(event, txn);
}

absl::Status RegistryReactions::Record(const Event& event, Transaction& txn) {
  if (!IsRegistryPayload(event)) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), ": payload ",
                                                   event.type(), " is not a registry event"));
  }
  const std::string& member_id = event.aggregate_id();
  ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.Load(member_id));
  if (IsStaleDestinationReport(member.has_value() ? &member->facts : nullptr, event)) {
    return absl::OkStatus();  // the member returned or moved on since: no effect
  }
  RETURN_IF_ERROR(
      MaySay(member.has_value() ? &member->facts : nullptr, event, projection_.jurisdiction()));
  MemberFacts before = member.has_value() ? member->facts : MemberFacts();
  const uint64_t version = member.has_value() ? member->version : 0;
  // The same payload and domain envelope in this log; the store stamps the rest.
  Event recorded = event;
  recorded.clear_event_id();
  recorded.clear_source();
  recorded.clear_aggregate_id();
  recorded.clear_version();
  recorded.clear_sequence();
  recorded.clear_recorded_at();
  recorded.clear_prev_hash();
  recorded.clear_hash();
  recorded.clear_route_version();
  recorded.clear_routed_to();  // the deciding county routed it already
  recorded.clear_also_to();
  recorded.set_causation_id(event.event_id());
  // A snapshot restores a county that did not share the member until now (or
  // no longer did, and so missed its events); a county still sharing it keeps
  // its own facts, which may hold events the sender has not applied yet.
  const bool still_sharing =
      member.has_value() && !PartEnded(StatusAsSeenBy(before, projection_.jurisdiction()));
  if (still_sharing && recorded.has_outflow_registered()) {
    recorded.mutable_outflow_registered()->clear_snapshot();
  }
  if (still_sharing && recorded.has_transfer_requested()) {
    recorded.mutable_transfer_requested()->clear_snapshot();
  }
  Event stamped = recorded;
  stamped.set_aggregate_id(member_id);
  MemberFacts after = Evolve(before, stamped);
  projection_.Stage(txn, member_id, version, before, {std::move(recorded)}, after);
  return absl::OkStatus();
}

absl::Status RegistryReactions::FlagContact(const Event& event, Transaction& txn) {
  const std::string& member_id = event.aggregate_id();
  ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.Load(member_id));
  std::optional<Event> flag = DecideContactFlag(
      member.has_value() ? std::optional<MemberFacts>(member->facts) : std::nullopt, event,
      projection_.jurisdiction());
  if (!flag.has_value()) return absl::OkStatus();
  return Decide(*member, member_id, *std::move(flag), txn);
}

absl::Status RegistryReactions::FollowAppraisal(const Event& event, Transaction& txn) {
  if (!event.has_probation_outcome_recorded() && !event.has_lapse_decision_recorded()) {
    return absl::OkStatus();
  }
  const std::string& member_id = event.aggregate_id();
  ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.Load(member_id));
  if (!member.has_value()) return absl::OkStatus();
  const absl::Time now = clock_.Now();
  const Context ctx{projection_.jurisdiction(), now, absl::ToCivilDay(now, CountyTimeZone()),
                    kSystemActor, event.correlation_id()};
  std::optional<Event> decided =
      DecideFollowAppraisal(member->facts, event, ctx, projection_.settings());
  if (!decided.has_value()) return absl::OkStatus();
  Event stamped = *decided;
  stamped.set_aggregate_id(member_id);
  MemberFacts after = Evolve(member->facts, stamped);
  projection_.Stage(txn, member_id, member->version, member->facts, {*std::move(decided)}, after);
  return absl::OkStatus();
}

absl::Status RegistryReactions::Claim(const Event& event, Transaction& txn) {
  if (!event.has_member_registered() || event.member_registered().id_hash().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity claim ", event.event_id(), " carries no id_hash"));
  }
  const std::string& id_hash = event.member_registered().id_hash();
  const IdentityClaim claim{event.aggregate_id(), event.source().jurisdiction(), true};
  ASSIGN_OR_RETURN(std::optional<IdentityClaim> held, projection_.FindIdentity(id_hash));
  if (held.has_value() && held->member_id == claim.member_id &&
      !ClaimMayReplace(true, held->confirmed, held->member_id, held->jurisdiction, claim.member_id,
                       claim.jurisdiction)) {
    return absl::PermissionDeniedError(absl::StrCat("role: ", claim.jurisdiction, " claims member ",
                                                    claim.member_id, " of ", held->jurisdiction));
  }
  const ClaimDecision decision = DecideIdentityClaim(held, claim, projection_.jurisdiction());
  if (decision.keep.has_value()) projection_.PutIdentity(txn, id_hash, *decision.keep);
  if (decision.duplicate_member_id.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<LoadedMember> member,
                   projection_.Load(decision.duplicate_member_id));
  if (!member.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("member ", decision.duplicate_member_id, " is not in this registry"));
  }
  std::optional<Event> flagged = DecideDuplicateSuspected(member->facts, decision.winner);
  if (!flagged.has_value()) return absl::OkStatus();
  flagged->set_causation_id(event.event_id());
  return Decide(*member, decision.duplicate_member_id, *std::move(flagged), txn);
}

absl::Status RegistryReactions::Decide(const LoadedMember& member, const std::string& member_id,
                                       Event event, Transaction& txn) {
  event.set_actor(kSystemActor);
  ToTimestamp(clock_.Now(), event.mutable_occurred_at());
  const Context ctx{.jurisdiction = projection_.jurisdiction(), .now = clock_.Now()};
  Events routed = Route(member.facts, std::move(event), ctx, projection_.settings());
  Event stamped = routed[0];
  stamped.set_aggregate_id(member_id);
  MemberFacts after = Evolve(member.facts, stamped);
  projection_.Stage(txn, member_id, member.version, member.facts, std::move(routed), after);
  return absl::OkStatus();
}

}  // namespace lianxin::registry
