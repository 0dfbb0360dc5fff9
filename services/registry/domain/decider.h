// The registry's decider: decide(state, command) -> events, evolve(state, event)
// -> state. Pure: no I/O, no clock (time comes in the Context), no RocksDB.
//
// The state of a member is its MemberFacts (events.proto), the same on every
// side that applied the same events; each side derives the status it shows
// with StatusAsSeenBy (rules.h). Requests reaching Decide* were validated at
// the gRPC edge (field formats, lengths, UTF-8); Decide* checks the rules.
//
//   Context ctx{.jurisdiction = "654322", .now = clock.Now(), .today = today, .actor = "op-1"};
//   ASSIGN_OR_RETURN(std::vector<Event> events, DecideRegisterOutflow(facts, request, ctx,
//   settings)); for (const Event& e : events) facts = Evolve(std::move(facts), e);
#ifndef LIANXIN_SERVICES_REGISTRY_DOMAIN_DECIDER_H_
#define LIANXIN_SERVICES_REGISTRY_DOMAIN_DECIDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lianxin/v1/events.pb.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/domain/decision.h"
#include "services/registry/domain/rules.h"

namespace lianxin::registry {

using ::lianxin::Events;

// Who decides, where and when (libs/domain/decision.h).
using Context = ::lianxin::DecisionContext;

// The Kafka topic of identity claims (compacted, keyed by the ID-number hash).
inline constexpr char kIdentityTopic[] = "lx.identity.v1";

// Registration in the caller's county. `id_hash` is the keyed hash of the
// validated ID number, `id_number_masked` its masked form.
absl::StatusOr<Events> DecideRegisterMember(const lianxin::v1::RegisterMemberRequest& request,
                                            const std::string& id_hash,
                                            const std::string& id_number_masked, const Context& ctx,
                                            const Settings& settings);

// Outflow (R1, R3) or, for a member already away, change of destination.
absl::StatusOr<Events> DecideRegisterOutflow(const lianxin::v1::MemberFacts& facts,
                                             const lianxin::v1::RegisterOutflowRequest& request,
                                             const Context& ctx, const Settings& settings);

absl::StatusOr<Events> DecideIssueCertificate(const lianxin::v1::MemberFacts& facts,
                                              const lianxin::v1::IssueCertificateRequest& request,
                                              const Context& ctx, const Settings& settings);

// Arrival of a member known to this county (facts of its expected inflow).
absl::StatusOr<Events> DecideRecordArrival(const lianxin::v1::MemberFacts& facts,
                                           const lianxin::v1::RecordArrivalRequest& request,
                                           const Context& ctx, const Settings& settings);

// Arrival of a member whose origin does not run lianxin: a full registration
// at the destination, then the arrival.
absl::StatusOr<Events> DecideRegisterArrival(const lianxin::v1::RecordArrivalRequest& request,
                                             const std::string& id_hash,
                                             const std::string& id_number_masked,
                                             const Context& ctx, const Settings& settings);

absl::StatusOr<Events> DecideRecordCertificateEntry(
    const lianxin::v1::MemberFacts& facts,
    const lianxin::v1::RecordCertificateEntryRequest& request, const Context& ctx,
    const Settings& settings);

absl::StatusOr<Events> DecideRequestTransfer(const lianxin::v1::MemberFacts& facts,
                                             const lianxin::v1::RequestTransferRequest& request,
                                             const Context& ctx, const Settings& settings);

absl::StatusOr<Events> DecideAcceptTransfer(const lianxin::v1::MemberFacts& facts,
                                            const lianxin::v1::AcceptTransferRequest& request,
                                            const Context& ctx, const Settings& settings);

absl::StatusOr<Events> DecideRejectTransfer(const lianxin::v1::MemberFacts& facts,
                                            const lianxin::v1::RejectTransferRequest& request,
                                            const Context& ctx, const Settings& settings);

absl::StatusOr<Events> DecideRecordReturn(const lianxin::v1::MemberFacts& facts,
                                          const lianxin::v1::RecordReturnRequest& request,
                                          const Context& ctx, const Settings& settings);

// Fills routed_to: every event about the member goes to the counties other
// than ctx.jurisdiction sharing it (SharingCounties) before or after the
// event (a change of destination reaches the old and the new destination, an
// accepted transfer reaches the old home). The one routing of the registry:
// its deciders and its reactions use it.
Events Route(const lianxin::v1::MemberFacts& before, Events events, const Context& ctx,
             const Settings& settings);
Events Route(const lianxin::v1::MemberFacts& before, lianxin::v1::Event event, const Context& ctx,
             const Settings& settings);

// Applies one event (decided here, or recorded from another county) to the
// facts. Unknown payloads leave the facts unchanged.
lianxin::v1::MemberFacts Evolve(lianxin::v1::MemberFacts facts, const lianxin::v1::Event& event);

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_DOMAIN_DECIDER_H_
