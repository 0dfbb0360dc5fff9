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
//
// The codes each Decide… returns besides OK, as its comment lists them:
// PERMISSION_DENIED this county has no say in it (not the member's home, not
// the receiving county…); NOT_FOUND what it names is not here; ALREADY_EXISTS
// it was done already; INVALID_ARGUMENT a value breaks a rule of its own (a
// date in the future, before another; the message names the field);
// FAILED_PRECONDITION the state forbids it now (the message names the rule).
#ifndef LIANXIN_SERVICES_REGISTRY_DOMAIN_DECIDER_H_
#define LIANXIN_SERVICES_REGISTRY_DOMAIN_DECIDER_H_

#include <optional>
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
// Returns PERMISSION_DENIED, INVALID_ARGUMENT.
absl::StatusOr<Events> DecideRegisterMember(const lianxin::v1::RegisterMemberRequest& request,
                                            const std::string& id_hash,
                                            const std::string& id_number_masked, const Context& ctx,
                                            const Settings& settings);

// Outflow (R1, R3) or, for a member already away, change of destination.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRegisterOutflow(const lianxin::v1::MemberFacts& facts,
                                             const lianxin::v1::RegisterOutflowRequest& request,
                                             const Context& ctx, const Settings& settings);

// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideIssueCertificate(const lianxin::v1::MemberFacts& facts,
                                              const lianxin::v1::IssueCertificateRequest& request,
                                              const Context& ctx, const Settings& settings);

// Arrival of a member known to this county (facts of its expected inflow).
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordArrival(const lianxin::v1::MemberFacts& facts,
                                           const lianxin::v1::RecordArrivalRequest& request,
                                           const Context& ctx, const Settings& settings);

// Arrival of a member whose origin does not run lianxin: a full registration
// at the destination, then the arrival.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRegisterArrival(const lianxin::v1::RecordArrivalRequest& request,
                                             const std::string& id_hash,
                                             const std::string& id_number_masked,
                                             const Context& ctx, const Settings& settings);

// Returns INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordCertificateEntry(
    const lianxin::v1::MemberFacts& facts,
    const lianxin::v1::RecordCertificateEntryRequest& request, const Context& ctx,
    const Settings& settings);

// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRequestTransfer(const lianxin::v1::MemberFacts& facts,
                                             const lianxin::v1::RequestTransferRequest& request,
                                             const Context& ctx, const Settings& settings);

// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideAcceptTransfer(const lianxin::v1::MemberFacts& facts,
                                            const lianxin::v1::AcceptTransferRequest& request,
                                            const Context& ctx, const Settings& settings);

// Returns PERMISSION_DENIED, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRejectTransfer(const lianxin::v1::MemberFacts& facts,
                                            const lianxin::v1::RejectTransferRequest& request,
                                            const Context& ctx, const Settings& settings);

// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordReturn(const lianxin::v1::MemberFacts& facts,
                                          const lianxin::v1::RecordReturnRequest& request,
                                          const Context& ctx, const Settings& settings);

// R20: the sender records the paper receipt of a transfer to a county off
// lianxin; the relationship leaves the sender as with an acceptance.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordTransferReceipt(
    const lianxin::v1::MemberFacts& facts, const lianxin::v1::RecordTransferReceiptRequest& request,
    const Context& ctx, const Settings& settings);

// R20: the sender withdraws a pending transfer to a county off lianxin.
// Returns PERMISSION_DENIED, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideWithdrawTransfer(const lianxin::v1::MemberFacts& facts,
                                              const lianxin::v1::WithdrawTransferRequest& request,
                                              const Context& ctx, const Settings& settings);

// R20: a transfer-in from an origin off lianxin, by the paper letter: the
// registration (home: the origin) and the acceptance that makes it ours.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordTransferIn(const lianxin::v1::RecordTransferInRequest& request,
                                              const std::string& id_hash,
                                              const std::string& id_number_masked,
                                              const Context& ctx, const Settings& settings);

// R4: a change inside the same destination: details by the home, the branch
// by the destination.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordOutflowChange(
    const lianxin::v1::MemberFacts& facts, const lianxin::v1::RecordOutflowChangeRequest& request,
    const Context& ctx, const Settings& settings);

// R12: a member away at home for a while (the Spring Festival), still away.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordVisitHome(const lianxin::v1::MemberFacts& facts,
                                             const lianxin::v1::RecordVisitHomeRequest& request,
                                             const Context& ctx, const Settings& settings);

// R22: a membership ends by a branch decision with grounds, approved above.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordMembershipEnd(
    const lianxin::v1::MemberFacts& facts, const lianxin::v1::RecordMembershipEndRequest& request,
    const Context& ctx, const Settings& settings);

// R22: criticism recorded for failing to transfer or to hold a certificate.
// Returns PERMISSION_DENIED, INVALID_ARGUMENT, FAILED_PRECONDITION.
absl::StatusOr<Events> DecideRecordCriticism(const lianxin::v1::MemberFacts& facts,
                                             const lianxin::v1::RecordCriticismRequest& request,
                                             const Context& ctx, const Settings& settings);

// R6, R11: the registry follows a decision of its own county's appraisal
// service on one of its members (StandingChangeOf); nullopt: nothing to do.
// Never fails: no events when there is nothing to do.
std::optional<lianxin::v1::Event> DecideFollowAppraisal(const lianxin::v1::MemberFacts& facts,
                                                        const lianxin::v1::Event& appraisal_event,
                                                        const Context& ctx,
                                                        const Settings& settings);

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
