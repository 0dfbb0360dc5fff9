#include "services/contact/domain/decider.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/time_util.h"

namespace lianxin::contact {

using lianxin::v1::ConsultationTicket;
using lianxin::v1::ContactMemberState;
using lianxin::v1::Event;

namespace {

std::string MaxDate(const std::string& a, const std::string& b) { return std::max(a, b); }

// R5: a contact with the member, recorded at home, ends a lost contact. A
// late entry dated before lost_on retracts it (the silence was shorter); if
// the member is still silent more than 6 months, the sweeper flags again from
// the new last contact.
void MaybeResume(const ContactMemberState& state, const lianxin::v1::ContactRecorded& contact,
                 const Context& ctx, Events& events) {
  if (!state.lost_contact() || !IsContactWithMember(contact.kind())) return;
  if (state.facts().home_jurisdiction() != ctx.jurisdiction) return;
  Event resumed = NewEvent(ctx, "ContactResumed");
  resumed.mutable_contact_resumed()->set_member_id(state.member_id());
  resumed.mutable_contact_resumed()->set_contact_on(contact.occurred_on());
  resumed.mutable_contact_resumed()->set_lost_on(state.lost_on());
  events.push_back(std::move(resumed));
}

}  // namespace

absl::CivilDay CountyDay(absl::Time t) { return absl::ToCivilDay(t, CountyTimeZone()); }

std::string TicketId(const std::string& jurisdiction, uint64_t number) {
  return absl::StrFormat("%s-T%06d", jurisdiction, number);
}

bool IsTicketId(const std::string& aggregate_id) {
  return aggregate_id.size() > 8 && aggregate_id.compare(6, 2, "-T") == 0;
}

Event ObserveRegistryEvent(const lianxin::v1::MemberFacts& facts_after,
                           const Event& registry_event) {
  Event observed;
  observed.set_type("MemberFactsObserved");
  *observed.mutable_occurred_at() = registry_event.occurred_at();
  observed.set_actor(kSystemActor);
  observed.set_correlation_id(registry_event.correlation_id());
  observed.set_causation_id(registry_event.event_id());
  observed.mutable_member_facts_observed()->set_registry_event_type(registry_event.type());
  *observed.mutable_member_facts_observed()->mutable_facts() = facts_after;
  return observed;
}

absl::StatusOr<Events> DecideAssignLiaison(const ContactMemberState& state,
                                           const lianxin::v1::AssignLiaisonRequest& request,
                                           const Context& ctx) {
  if (state.facts().home_jurisdiction() != ctx.jurisdiction) {
    return absl::PermissionDeniedError(
        absl::StrCat("only the member's home county (", state.facts().home_jurisdiction(),
                     ") assigns the liaison; ", ctx.jurisdiction, " may not"));
  }
  if (!state.liaisons().empty() &&
      state.liaisons().rbegin()->liaison_name() == request.liaison_name() &&
      state.liaisons().rbegin()->liaison_phone() == request.liaison_phone()) {
    return absl::FailedPreconditionError(
        absl::StrCat("liaison_name: ", request.liaison_name(), " is already the liaison"));
  }
  Event event = NewEvent(ctx, "LiaisonAssigned");
  auto* assigned = event.mutable_liaison_assigned();
  assigned->set_member_id(state.member_id());
  assigned->set_liaison_name(request.liaison_name());
  assigned->set_liaison_phone(request.liaison_phone());
  assigned->set_assigned_on(FormatDate(ctx.today));
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideRecordContact(const ContactMemberState& state,
                                           const lianxin::v1::RecordContactRequest& request,
                                           const Context& ctx) {
  const std::optional<absl::CivilDay> occurred_on = ParseDate(request.occurred_on());
  if (!occurred_on.has_value()) {
    return absl::InvalidArgumentError("occurred_on: is not a YYYY-MM-DD date");
  }
  if (*occurred_on > ctx.today) {
    return absl::InvalidArgumentError(absl::StrCat("occurred_on: ", request.occurred_on(),
                                                   " is in the future (today is ",
                                                   FormatDate(ctx.today), ")"));
  }
  const bool home = TrackedAtHome(state, ctx.jurisdiction);
  const bool destination = InflowHere(state, ctx.jurisdiction);
  if (!home && !destination) {
    return absl::FailedPreconditionError(
        absl::StrCat("R4: member ", state.member_id(), " is not a mobile member followed by ",
                     ctx.jurisdiction, " (not away from home here, nor here as destination)"));
  }
  Event event = NewEvent(ctx, "ContactRecorded");
  auto* contact = event.mutable_contact_recorded();
  contact->set_member_id(state.member_id());
  contact->set_channel(request.channel());
  contact->set_kind(request.kind());
  contact->set_occurred_on(request.occurred_on());
  contact->set_summary(request.summary());
  contact->set_recorded_in(ctx.jurisdiction);
  contact->set_self_reported(ctx.self_reported);
  if (destination && ctx.on_system.contains(state.facts().home_jurisdiction())) {
    event.add_routed_to(state.facts().home_jurisdiction());
  }
  Events events;
  events.push_back(event);
  MaybeResume(state, event.contact_recorded(), ctx, events);
  return events;
}

absl::StatusOr<Events> DecideRecordRoutedContact(const ContactMemberState& state,
                                                 const Event& destination_event,
                                                 const Context& ctx) {
  if (!destination_event.has_contact_recorded()) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", destination_event.event_id(), " is not a ContactRecorded"));
  }
  // Facts not observed yet (empty): the sender routed it here as the home.
  // Facts naming another home: transferred since; the contact is not ours.
  if (!state.facts().home_jurisdiction().empty() &&
      state.facts().home_jurisdiction() != ctx.jurisdiction) {
    return Events{};
  }
  Event recorded;
  recorded.set_type("ContactRecorded");
  *recorded.mutable_occurred_at() = destination_event.occurred_at();
  recorded.set_actor(destination_event.actor());
  recorded.set_correlation_id(destination_event.correlation_id());
  recorded.set_causation_id(destination_event.event_id());
  *recorded.mutable_contact_recorded() = destination_event.contact_recorded();
  recorded.mutable_contact_recorded()->set_member_id(destination_event.aggregate_id());
  Events events;
  events.push_back(recorded);
  Context reaction = ctx;
  reaction.actor = kSystemActor;
  reaction.request_id = destination_event.correlation_id();
  MaybeResume(state, recorded.contact_recorded(), reaction, events);
  for (size_t i = 1; i < events.size(); ++i)
    events[i].set_causation_id(destination_event.event_id());
  return events;
}

Events DecideLostContact(const ContactMemberState& state, const Context& ctx,
                         const Settings& settings) {
  if (state.lost_contact()) return {};
  const std::optional<Obligations> obligations = ObligationsOf(state, ctx.jurisdiction, settings);
  if (!obligations.has_value() || !IsLostContact(*obligations, ctx.today)) return {};
  Event event = NewEvent(ctx, "LostContact");
  auto* lost = event.mutable_lost_contact();
  lost->set_member_id(state.member_id());
  lost->set_last_contact_on(FormatDate(SilenceSince(state, *AwaySince(state))));
  lost->set_lost_on(FormatDate(obligations->lost_on));
  return Events{std::move(event)};
}

Events DecideLostContactEnds(const ContactMemberState& state, const Context& ctx) {
  if (!state.lost_contact()) return {};
  std::string contact_on;
  if (TrackedAtHome(state, ctx.jurisdiction)) {
    // R23: organization life at the destination after the silence began.
    const std::string& life_on = state.facts().last_organization_life_on();
    if (life_on.empty() || life_on <= state.lost_last_contact_on()) return {};
    contact_on = life_on;
  } else {
    contact_on =
        state.facts().returned_on().empty() ? FormatDate(ctx.today) : state.facts().returned_on();
  }
  Event event = NewEvent(ctx, "ContactResumed");
  auto* resumed = event.mutable_contact_resumed();
  resumed->set_member_id(state.member_id());
  resumed->set_contact_on(contact_on);
  resumed->set_lost_on(state.lost_on());
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideOpenConsultation(const std::string& ticket_id,
                                              const lianxin::v1::OpenConsultationRequest& request,
                                              const Context& ctx) {
  Event event = NewEvent(ctx, "ConsultationOpened");
  ConsultationTicket* ticket = event.mutable_consultation_opened()->mutable_ticket();
  ticket->set_ticket_id(ticket_id);
  ticket->set_jurisdiction(ctx.jurisdiction);
  ticket->set_self_reported(ctx.self_reported);
  ticket->set_caller_name(request.caller_name());
  ticket->set_caller_phone(request.caller_phone());
  // R14: a member unless said otherwise; the line and its duty staff.
  ticket->set_caller_kind(request.caller_kind() == lianxin::v1::CALLER_KIND_UNSPECIFIED
                              ? lianxin::v1::CALLER_KIND_MEMBER
                              : request.caller_kind());
  ticket->set_line(request.line());
  ticket->set_duty_staff(request.duty_staff());
  ticket->set_topic(request.topic());
  ticket->set_question(request.question());
  ticket->set_member_id(request.member_id());
  if (request.has_received_at()) {
    if (FromTimestamp(request.received_at()) > ctx.now) {
      return absl::InvalidArgumentError("received_at: is in the future");
    }
    *ticket->mutable_received_at() = request.received_at();
  } else {
    ToTimestamp(ctx.now, ticket->mutable_received_at());
  }
  *event.mutable_occurred_at() = ticket->received_at();
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideCloseConsultation(const ConsultationTicket& ticket,
                                               const lianxin::v1::CloseConsultationRequest& request,
                                               const Context& ctx) {
  if (ticket.closed()) {
    return absl::FailedPreconditionError(
        absl::StrCat("R14: ticket ", ticket.ticket_id(), " is already closed"));
  }
  Event event = NewEvent(ctx, "ConsultationClosed");
  auto* closed = event.mutable_consultation_closed();
  closed->set_ticket_id(ticket.ticket_id());
  closed->set_answer(request.answer());
  closed->set_resolution(request.resolution());
  if (request.has_closed_at()) {
    const absl::Time at = FromTimestamp(request.closed_at());
    if (at > ctx.now) return absl::InvalidArgumentError("closed_at: is in the future");
    if (at < FromTimestamp(ticket.received_at())) {
      return absl::InvalidArgumentError("closed_at: is before the ticket's received_at");
    }
    *closed->mutable_closed_at() = request.closed_at();
  } else {
    ToTimestamp(ctx.now, closed->mutable_closed_at());
  }
  *event.mutable_occurred_at() = closed->closed_at();
  return Events{std::move(event)};
}

ContactMemberState Evolve(ContactMemberState state, const Event& event) {
  if (state.member_id().empty()) state.set_member_id(event.aggregate_id());
  switch (event.payload_case()) {
    case Event::kMemberFactsObserved:
      *state.mutable_facts() = event.member_facts_observed().facts();
      break;
    case Event::kLiaisonAssigned: {
      lianxin::v1::LiaisonTerm* term = state.add_liaisons();
      term->set_liaison_name(event.liaison_assigned().liaison_name());
      term->set_liaison_phone(event.liaison_assigned().liaison_phone());
      term->set_assigned_on(event.liaison_assigned().assigned_on());
      break;
    }
    case Event::kContactRecorded: {
      const auto& contact = event.contact_recorded();
      const lianxin::v1::ContactKind kind = contact.kind();
      if (IsContactWithMember(kind)) {
        state.set_member_contacts(state.member_contacts() + 1);
        if (contact.occurred_on() >= state.last_contact_on()) {
          state.set_last_contact_self_reported(contact.self_reported());
        }
        state.set_last_contact_on(MaxDate(state.last_contact_on(), contact.occurred_on()));
      } else if (kind == lianxin::v1::CONTACT_KIND_FAMILY_CONTACT) {
        state.set_family_contacts(state.family_contacts() + 1);
      } else if (kind == lianxin::v1::CONTACT_KIND_DESTINATION_ORGANIZATION) {
        state.set_destination_organization_contacts(state.destination_organization_contacts() + 1);
      }
      if (kind == lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT) {
        state.set_last_quarterly_report_on(
            MaxDate(state.last_quarterly_report_on(), contact.occurred_on()));
      }
      if (kind == lianxin::v1::CONTACT_KIND_THOUGHT_REPORT) {
        state.set_last_thought_report_on(
            MaxDate(state.last_thought_report_on(), contact.occurred_on()));
      }
      state.add_contact_days(absl::StrCat(contact.occurred_on(), "/", static_cast<int>(kind)));
      break;
    }
    case Event::kLostContact:
      state.set_lost_contact(true);
      state.set_lost_on(event.lost_contact().lost_on());
      state.set_lost_last_contact_on(event.lost_contact().last_contact_on());
      state.add_lost_history(event.lost_contact().lost_on());
      break;
    case Event::kContactResumed: {
      state.set_lost_contact(false);
      // A contact dated before lost_on shows the silence never lasted more
      // than 6 months (a late entry): that lost contact did not happen.
      const auto& resumed = event.contact_resumed();
      if (resumed.contact_on() < resumed.lost_on() && state.lost_history_size() > 0 &&
          *state.lost_history().rbegin() == resumed.lost_on()) {
        state.mutable_lost_history()->RemoveLast();
      }
      break;
    }
    default:
      break;
  }
  return state;
}

ConsultationTicket EvolveTicket(ConsultationTicket ticket, const Event& event) {
  switch (event.payload_case()) {
    case Event::kConsultationOpened:
      ticket = event.consultation_opened().ticket();
      break;
    case Event::kConsultationClosed:
      ticket.set_closed(true);
      ticket.set_answer(event.consultation_closed().answer());
      ticket.set_resolution(event.consultation_closed().resolution());
      *ticket.mutable_closed_at() = event.consultation_closed().closed_at();
      break;
    default:
      break;
  }
  return ticket;
}

}  // namespace lianxin::contact
