// The contact service's decider: decide(state, command) -> events,
// evolve(state, event) -> state. Pure: no I/O, no clock (time comes in the
// Context), no RocksDB.
//
// Two aggregates: the member (id = the registry's member id; state
// ContactMemberState) and the consultation ticket (id = ticket id; state
// ConsultationTicket). Requests reaching Decide* were validated at the gRPC
// edge (formats, lengths, UTF-8); Decide* checks the rules.
//
//   Context ctx{"654322", clock.Now(), today, "op-1", request_id};
//   ASSIGN_OR_RETURN(Events events, DecideRecordContact(state, contact, ctx, settings));
//   for (const Event& e : events) state = Evolve(std::move(state), e);
//
// The codes each Decide… returns besides OK, as its comment lists them:
// PERMISSION_DENIED this county has no say in it (not the member's home, not
// the receiving county…); NOT_FOUND what it names is not here; ALREADY_EXISTS
// it was done already; INVALID_ARGUMENT a value breaks a rule of its own (a
// date in the future, before another; the message names the field);
// FAILED_PRECONDITION the state forbids it now (the message names the rule).
#ifndef LIANXIN_SERVICES_CONTACT_DOMAIN_DECIDER_H_
#define LIANXIN_SERVICES_CONTACT_DOMAIN_DECIDER_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lianxin/v1/contact.pb.h"
#include "lianxin/v1/events.pb.h"
#include "libs/domain/decision.h"
#include "services/contact/domain/rules.h"

namespace lianxin::contact {

using ::lianxin::Events;

// Who decides, where and when (libs/domain/decision.h).
using Context = ::lianxin::DecisionContext;

inline constexpr char kSystemActor[] = "system/contact";

// Records what the registry knows of the member after `registry_event` (from
// the county's registry topic): `facts_after`, the registry's facts with the
// event folded in (FoldMemberFacts, libs/memberfacts).
lianxin::v1::Event ObserveRegistryEvent(const lianxin::v1::MemberFacts& facts_after,
                                        const lianxin::v1::Event& registry_event);

// Assigns or reassigns the liaison; only the home county.
// Returns PERMISSION_DENIED, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideAssignLiaison(const lianxin::v1::ContactMemberState& state,
                                           const lianxin::v1::AssignLiaisonRequest& request,
                                           const Context& ctx);

// A contact recorded by this county's operator (home or destination). At the
// destination the event is routed to the home county. Refuses a future date
// (occurred_on) and a member this county does not follow now (R4). A contact
// with the member ends a lost contact (ContactResumed, home only).
// Returns INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordContact(const lianxin::v1::ContactMemberState& state,
                                           const lianxin::v1::RecordContactRequest& request,
                                           const Context& ctx);

// The home county records a contact the destination recorded (from its inbox):
// the same payload (causation_id = the destination's event), and ContactResumed
// if it ends a lost contact. `state` may be empty (the registry's facts not
// observed yet). If the facts name another home county, the member was
// transferred after the destination routed the contact here: no events (the
// contact stays in the log of the county that recorded it), not a refusal,
// which would quarantine a message that is not poison.
// Returns INVALID_ARGUMENT.
absl::StatusOr<Events> DecideRecordRoutedContact(const lianxin::v1::ContactMemberState& state,
                                                 const lianxin::v1::Event& destination_event,
                                                 const Context& ctx);

// R5, from the sweeper: LostContact once the member, tracked at home and not
// flagged yet, has been silent more than 6 months as of ctx.today; else none.
// Never fails: no events when there is nothing to do.
Events DecideLostContact(const lianxin::v1::ContactMemberState& state, const Context& ctx,
                         const Settings& settings);

// R5: a member flagged lost who is no longer away from home here (came home,
// or the relationship was transferred out) is found: ContactResumed, dated
// the return (or ctx.today); R23: so is one who attended organization life at
// the destination after the silence began, dated that. Else none.
// Never fails: no events when there is nothing to do.
Events DecideLostContactEnds(const lianxin::v1::ContactMemberState& state, const Context& ctx);

// R14: a new ticket `ticket_id`. received_at defaults to ctx.now; future refused.
// Returns INVALID_ARGUMENT.
absl::StatusOr<Events> DecideOpenConsultation(const std::string& ticket_id,
                                              const lianxin::v1::OpenConsultationRequest& request,
                                              const Context& ctx);
// R14: closes an open ticket.
// Returns INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideCloseConsultation(const lianxin::v1::ConsultationTicket& ticket,
                                               const lianxin::v1::CloseConsultationRequest& request,
                                               const Context& ctx);

// Applies one member event. Unknown payloads leave the state unchanged.
lianxin::v1::ContactMemberState Evolve(lianxin::v1::ContactMemberState state,
                                       const lianxin::v1::Event& event);
// Applies one ticket event.
lianxin::v1::ConsultationTicket EvolveTicket(lianxin::v1::ConsultationTicket ticket,
                                             const lianxin::v1::Event& event);

// Ticket ids are "<jurisdiction>-T<number>"; member ids never contain "-T".
std::string TicketId(const std::string& jurisdiction, uint64_t number);
bool IsTicketId(const std::string& aggregate_id);

// The county's calendar day of an instant (UTC+8, no daylight saving).
absl::CivilDay CountyDay(absl::Time t);

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_DOMAIN_DECIDER_H_
