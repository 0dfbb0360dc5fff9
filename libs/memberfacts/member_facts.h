// The facts about a member that several services need, in one place: the
// fold of the registry's events into a member's MemberFacts, the status a
// county sees, the counties with a part in the member, whether a part ended,
// and which service's payload an event carries.
//
// One way for a service to learn registry facts: it consumes the registry's
// events of its county and folds them with FoldMemberFacts into the
// MemberFacts it keeps (docs/architecture.md, "Member facts"). The registry's
// own Evolve is this fold; contact, appraisal and lxctl's reconcile use this
// library, not the registry's domain.
//
//   MemberFacts facts;
//   for (const Event& e : registry_events) facts = FoldMemberFacts(std::move(facts), e);
//   if (PartEnded(StatusAsSeenBy(facts, "650102"))) ...
#ifndef LIANXIN_LIBS_MEMBERFACTS_MEMBER_FACTS_H_
#define LIANXIN_LIBS_MEMBERFACTS_MEMBER_FACTS_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/events.pb.h"
#include "lianxin/v1/registry.pb.h"

namespace lianxin {

// The service whose payload an event carries: events.proto numbers payloads
// by service (registry 100–199, contact 200–299, education 300–399,
// appraisal 400–499).
enum class PayloadService { kNone, kRegistry, kContact, kEducation, kAppraisal };
PayloadService PayloadServiceOf(const lianxin::v1::Event& event);
inline bool IsRegistryPayload(const lianxin::v1::Event& event) {
  return PayloadServiceOf(event) == PayloadService::kRegistry;
}

// How the member's last transfer ended (R9, R20). MemberFacts keeps it as
// text in transfer_outcome ("ACCEPTED", "REJECTED", "WITHDRAWN"; empty while
// pending or if none): that is the stored and sent format (registry states,
// MemberFactsObserved and snapshot events, Member.transfer_outcome in
// replies), kept stable; code reads and writes it through these.
enum class TransferOutcome { kNone, kAccepted, kRejected, kWithdrawn };
// kNone for empty or unknown text.
TransferOutcome TransferOutcomeOf(const lianxin::v1::MemberFacts& facts);
// "ACCEPTED", "REJECTED", "WITHDRAWN", "" for kNone.
const char* TransferOutcomeName(TransferOutcome outcome);
void SetTransferOutcome(lianxin::v1::MemberFacts* facts, TransferOutcome outcome);

// The member's facts after one registry event (already stamped with the
// member's id). Other services' payloads leave the facts as they are.
lianxin::v1::MemberFacts FoldMemberFacts(lianxin::v1::MemberFacts facts,
                                         const lianxin::v1::Event& event);

// The status `jurisdiction` shows for the member (api-contract.md): home side
// RESIDENT / OUTFLOW_PENDING / OUTFLOW_RECEIVED / TRANSFER_PENDING /
// TRANSFERRED_IN / MEMBERSHIP_ENDED; other side INFLOW_EXPECTED /
// INFLOW_ACTIVE / INFLOW_CLOSED / TRANSFERRED_OUT (every part but the home's
// ends with the membership).
lianxin::v1::MemberStatus StatusAsSeenBy(const lianxin::v1::MemberFacts& facts,
                                         std::string_view jurisdiction);

// A county whose part in the member has ended (its inflow closed, or the
// relationship transferred out of it): it no longer receives the member's events.
bool PartEnded(lianxin::v1::MemberStatus status);

// Every county with a part in the member: home, previous homes, current and
// previous destination, the county of the arrival, the transfer's target.
absl::flat_hash_set<std::string> CountiesOf(const lianxin::v1::MemberFacts& facts);

// The county the member is away in ("" when at home).
std::string DestinationOf(const lianxin::v1::MemberFacts& facts);

// R8: where the member votes and may be elected: the home county, also while
// away with an activity certificate (the holder takes part in organization
// life at the destination, but does not vote or stand there).
std::string VotesIn(const lianxin::v1::MemberFacts& facts);

// R8: the day the yearly check of a member's activity certificate is due:
// `months` after the last yearly check, or after the issue when none was
// recorded. nullopt when the member is not away or holds no certificate.
std::optional<absl::CivilDay> YearlyCertificateCheckDue(const lianxin::v1::MemberFacts& facts,
                                                        int months);

// The role rules of trust between counties (docs/architecture.md), for the
// services that keep their own view of a member. The signature proves which
// county sent `event`; these decide whether that county may. A member the
// service has not observed yet passes (the registry topic and the inbox are
// not ordered with each other; such an event counts only once the facts
// arrive). PERMISSION_DENIED naming the role otherwise.
//
// Only the member's current destination, while the member is away there.
absl::Status MayActAsCurrentDestination(bool observed, bool away, std::string_view destination,
                                        const lianxin::v1::Event& event);
// Only the member's home county.
absl::Status MayActAsHome(std::string_view home, const lianxin::v1::Event& event);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_MEMBERFACTS_MEMBER_FACTS_H_
