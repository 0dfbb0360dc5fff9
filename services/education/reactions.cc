#include "services/education/reactions.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "services/education/domain/roles.h"

namespace lianxin::education {

using lianxin::v1::Event;
using lianxin::v1::RegistryFactsNoted;

namespace {

constexpr char kSystemActor[] = "system/education";

Event Noted(const Event& cause, const char* type, absl::Time now) {
  Event event;
  event.set_type(type);
  ToTimestamp(now, event.mutable_occurred_at());
  event.set_actor(kSystemActor);
  event.set_correlation_id(cause.correlation_id());
  event.set_causation_id(cause.event_id());
  return event;
}

}  // namespace

EducationReactions::EducationReactions(EducationProjection* projection, Clock* clock)
    : projection_(*projection), clock_(*clock) {}

std::vector<std::string> EducationReactions::Topics(const std::string& jurisdiction) {
  Source registry;
  registry.set_jurisdiction(jurisdiction);
  registry.set_service("registry");
  return {ServiceTopic(registry), InboxTopic(jurisdiction)};
}

absl::Status EducationReactions::Apply(const Event& event, const std::string& topic,
                                       Transaction& txn) {
  const std::string& county = projection_.jurisdiction();
  if (topic == InboxTopic(county)) {
    if (event.source().service() != "education" || event.source().jurisdiction() == county) {
      return absl::OkStatus();  // another service's mail
    }
    if (!event.has_attendance_recorded() && !event.has_material_delivered()) {
      return absl::OkStatus();
    }
    return RecordFromDestination(event, txn);
  }
  if (event.source().service() != "registry" || event.source().jurisdiction() != county) {
    return absl::OkStatus();
  }
  return NoteRegistryFacts(event, txn);
}

absl::Status EducationReactions::NoteRegistryFacts(const Event& event, Transaction& txn) {
  const std::string& member_id = event.aggregate_id();
  Batch batch(projection_);
  ASSIGN_OR_RETURN(Batch::Pending * member, batch.Get(member_id));
  const std::string known_home = member->state.member().home_jurisdiction();

  Event noted = Noted(event, "RegistryFactsNoted", clock_.Now());
  RegistryFactsNoted& facts = *noted.mutable_registry_facts_noted();
  facts.set_member_id(member_id);
  facts.set_registry_event(event.type());
  bool outflow_of_ours = false;
  switch (event.payload_case()) {
    case Event::kMemberRegistered:
      facts.set_name(event.member_registered().name());
      facts.set_home_jurisdiction(event.member_registered().home_jurisdiction());
      break;
    case Event::kOutflowRegistered: {
      const auto& outflow = event.outflow_registered();
      if (outflow.has_snapshot()) {
        facts.set_name(outflow.snapshot().registration().name());
        facts.set_home_jurisdiction(outflow.snapshot().home_jurisdiction());
      }
      facts.set_movement(RegistryFactsNoted::MOVEMENT_LEFT);
      facts.set_destination_jurisdiction(outflow.destination_jurisdiction());
      facts.set_left_on(outflow.left_on());
      facts.set_expected_return_on(outflow.expected_return_on());
      const std::string home =
          !facts.home_jurisdiction().empty() ? facts.home_jurisdiction() : known_home;
      // A first departure (not a change of destination) of a member of this
      // county: education is due before it (R12).
      outflow_of_ours =
          home == projection_.jurisdiction() && outflow.previous_destination_jurisdiction().empty();
      break;
    }
    case Event::kReturnRecorded:
      facts.set_movement(RegistryFactsNoted::MOVEMENT_RETURNED);
      facts.set_returned_on(event.return_recorded().returned_on());
      break;
    case Event::kTransferAccepted:
      facts.set_home_jurisdiction(event.transfer_accepted().to_jurisdiction());
      facts.set_movement(RegistryFactsNoted::MOVEMENT_SETTLED);
      break;
    case Event::kArrivalRecorded:
      break;                         // the member is known here; its home came with the outflow
    case Event::kVisitHomeRecorded:  // at home for the festival, still away (R12)
      facts.set_visit_home_from(event.visit_home_recorded().home_from());
      facts.set_visit_home_until(event.visit_home_recorded().home_until());
      break;
    case Event::kOutflowDetailsChanged:  // a new expected return moves the plan
      if (event.outflow_details_changed().expected_return_on().empty()) return absl::OkStatus();
      facts.set_expected_return_on(event.outflow_details_changed().expected_return_on());
      break;
    default:
      return absl::OkStatus();  // nothing education needs
  }
  RETURN_IF_ERROR(batch.Add(member_id, std::move(noted)).status());
  if (outflow_of_ours) {
    Event required = Noted(event, "PreDepartureRequired", clock_.Now());
    required.mutable_pre_departure_required()->set_member_id(member_id);
    required.mutable_pre_departure_required()->set_left_on(event.outflow_registered().left_on());
    required.mutable_pre_departure_required()->set_destination_jurisdiction(
        event.outflow_registered().destination_jurisdiction());
    RETURN_IF_ERROR(batch.Add(member_id, std::move(required)).status());
  }
  batch.Stage(txn);
  return absl::OkStatus();
}

absl::Status EducationReactions::RecordFromDestination(const Event& event, Transaction& txn) {
  // The same payload and domain envelope in this log; the store stamps the rest.
  Event recorded;
  recorded.set_type(event.type());
  *recorded.mutable_occurred_at() = event.occurred_at();
  recorded.set_actor(event.actor());
  recorded.set_correlation_id(event.correlation_id());
  recorded.set_causation_id(event.event_id());
  if (event.has_attendance_recorded()) {
    *recorded.mutable_attendance_recorded() = event.attendance_recorded();
  } else {
    *recorded.mutable_material_delivered() = event.material_delivered();
  }
  Batch batch(projection_);
  ASSIGN_OR_RETURN(Batch::Pending * member, batch.Get(event.aggregate_id()));
  // Training from a county that is not (or no longer) the member's destination
  // changes nothing: the member returned or moved on since, or the sender has
  // no part in the member.
  if (!MayRecordFromDestination(member->state.member(), event).ok()) return absl::OkStatus();
  RETURN_IF_ERROR(batch.Add(event.aggregate_id(), std::move(recorded)).status());
  batch.Stage(txn);
  return absl::OkStatus();
}

}  // namespace lianxin::education
