#include "libs/memberfacts/member_facts.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/common/time_util.h"

namespace lianxin {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;
using lianxin::v1::MemberStatus;

const char* TransferOutcomeName(TransferOutcome outcome) {
  switch (outcome) {
    case TransferOutcome::kAccepted:
      return "ACCEPTED";
    case TransferOutcome::kRejected:
      return "REJECTED";
    case TransferOutcome::kWithdrawn:
      return "WITHDRAWN";
    case TransferOutcome::kNone:
      break;
  }
  return "";
}

TransferOutcome TransferOutcomeOf(const lianxin::v1::MemberFacts& facts) {
  for (TransferOutcome outcome :
       {TransferOutcome::kAccepted, TransferOutcome::kRejected, TransferOutcome::kWithdrawn}) {
    if (facts.transfer_outcome() == TransferOutcomeName(outcome)) return outcome;
  }
  return TransferOutcome::kNone;
}

void SetTransferOutcome(lianxin::v1::MemberFacts* facts, TransferOutcome outcome) {
  facts->set_transfer_outcome(std::string(TransferOutcomeName(outcome)));
}

PayloadService PayloadServiceOf(const Event& event) {
  const int field = static_cast<int>(event.payload_case());
  if (field >= 100 && field < 200) return PayloadService::kRegistry;
  if (field >= 200 && field < 300) return PayloadService::kContact;
  if (field >= 300 && field < 400) return PayloadService::kEducation;
  if (field >= 400 && field < 500) return PayloadService::kAppraisal;
  return PayloadService::kNone;
}

MemberFacts FoldMemberFacts(MemberFacts facts, const Event& event) {
  switch (event.payload_case()) {
    case Event::kMemberRegistered: {
      const auto& r = event.member_registered();
      facts.set_member_id(event.aggregate_id());
      *facts.mutable_registration() = r;
      facts.set_home_jurisdiction(r.home_jurisdiction());
      break;
    }
    case Event::kOutflowRegistered: {
      const auto& o = event.outflow_registered();
      // A snapshot replaces what this log knew: the home's own facts (a no-op
      // at home), or those of a county joining or rejoining the member.
      if (o.has_snapshot()) facts = o.snapshot();
      *facts.mutable_outflow() = o;
      facts.mutable_outflow()->clear_snapshot();
      facts.set_away(true);
      facts.set_arrived(false);
      facts.clear_arrival();
      facts.clear_returned_on();
      break;
    }
    case Event::kCertificateIssued:
      *facts.mutable_certificate() = event.certificate_issued();
      break;
    case Event::kArrivalRecorded: {
      const auto& a = event.arrival_recorded();
      const std::string& destination = facts.outflow().destination_jurisdiction();
      if (!destination.empty() && destination != a.destination_jurisdiction()) {
        break;  // recorded by a destination the member has since left: stale
      }
      if (destination.empty()) {
        // An origin off lianxin: the arrival opens the outflow as seen here.
        facts.set_away(true);
        facts.mutable_outflow()->set_destination_jurisdiction(a.destination_jurisdiction());
        facts.mutable_outflow()->set_left_on(a.arrived_on());
      }
      facts.set_arrived(true);
      *facts.mutable_arrival() = a;
      if (facts.certificate().certificate_no().empty() && !a.certificate_no().empty()) {
        facts.mutable_certificate()->set_certificate_no(a.certificate_no());
      }
      break;
    }
    case Event::kCertificateEntryRecorded: {
      const auto& e = event.certificate_entry_recorded();
      auto latest = [&](std::string* field) {
        if (*field < e.occurred_on()) *field = e.occurred_on();
      };
      switch (e.kind()) {
        case lianxin::v1::CERTIFICATE_ENTRY_KIND_DUES:
          facts.set_dues_entries(facts.dues_entries() + 1);
          break;
        case lianxin::v1::CERTIFICATE_ENTRY_KIND_MAIL_BACK_CHECK:
          latest(facts.mutable_last_mail_back_check_on());
          break;
        case lianxin::v1::CERTIFICATE_ENTRY_KIND_YEARLY_CHECK:
          latest(facts.mutable_last_yearly_check_on());
          break;
        default:
          facts.set_organization_life_entries(facts.organization_life_entries() + 1);
          latest(facts.mutable_last_organization_life_on());
          break;
      }
      break;
    }
    case Event::kTransferRequested: {
      const auto& t = event.transfer_requested();
      if (t.has_snapshot()) facts = t.snapshot();
      facts.set_transfer_pending(true);
      *facts.mutable_transfer() = t;
      facts.mutable_transfer()->clear_snapshot();
      facts.clear_transfer_outcome();
      facts.clear_transfer_decided_on();
      facts.clear_transfer_reject_reason();
      break;
    }
    case Event::kTransferAccepted: {
      const auto& a = event.transfer_accepted();
      facts.set_transfer_pending(false);
      SetTransferOutcome(&facts, TransferOutcome::kAccepted);
      facts.set_transfer_decided_on(a.accepted_on());
      facts.add_previous_homes(facts.home_jurisdiction());
      facts.set_home_jurisdiction(a.to_jurisdiction());
      facts.mutable_registration()->set_branch(a.branch());
      facts.set_transferred_in(true);
      facts.set_away(false);
      break;
    }
    case Event::kTransferRejected:
      facts.set_transfer_pending(false);
      SetTransferOutcome(&facts, TransferOutcome::kRejected);
      facts.set_transfer_decided_on(event.transfer_rejected().rejected_on());
      facts.set_transfer_reject_reason(event.transfer_rejected().reason());
      break;
    case Event::kReturnRecorded:
      facts.set_away(false);
      facts.set_returned_on(event.return_recorded().returned_on());
      *facts.mutable_last_return() = event.return_recorded();
      break;
    case Event::kCriticismRecorded:
      facts.add_criticisms(absl::StrCat(event.criticism_recorded().recorded_on(), " ",
                                        event.criticism_recorded().grounds()));
      break;
    case Event::kLostContactFlagged:
      facts.set_lost_contact(true);
      facts.set_last_contact_on(event.lost_contact_flagged().last_contact_on());
      break;
    case Event::kContactRestored:
      facts.set_lost_contact(false);
      facts.set_last_contact_on(event.contact_restored().contact_on());
      break;
    case Event::kDuplicateSuspected:
      facts.set_suspected_duplicate_of(event.duplicate_suspected().existing_member_id());
      break;
    case Event::kTransferWithdrawn:
      facts.set_transfer_pending(false);
      SetTransferOutcome(&facts, TransferOutcome::kWithdrawn);
      facts.set_transfer_decided_on(event.transfer_withdrawn().withdrawn_on());
      facts.set_transfer_reject_reason(event.transfer_withdrawn().reason());
      break;
    case Event::kOutflowDetailsChanged: {
      const auto& c = event.outflow_details_changed();
      auto set = [](const std::string& value, std::string* field) {
        if (!value.empty()) *field = value;
      };
      auto* outflow = facts.mutable_outflow();
      set(c.destination_address(), outflow->mutable_destination_address());
      set(c.contact_phone(), outflow->mutable_contact_phone());
      set(c.employer(), outflow->mutable_employer());
      set(c.occupation(), outflow->mutable_occupation());
      set(c.expected_return_on(), outflow->mutable_expected_return_on());
      if (!c.destination_branch().empty() &&
          facts.arrival().destination_jurisdiction() == c.recorded_by_jurisdiction()) {
        facts.mutable_arrival()->set_branch(c.destination_branch());
      }
      break;
    }
    case Event::kVisitHomeRecorded:
      facts.set_visit_home_from(event.visit_home_recorded().home_from());
      facts.set_visit_home_until(event.visit_home_recorded().home_until());
      break;
    case Event::kMembershipStandingChanged: {
      const auto& c = event.membership_standing_changed();
      facts.set_membership_change(c.change());
      facts.set_membership_changed_on(c.decided_on());
      facts.mutable_registration()->set_probationary(false);
      if (c.change() != lianxin::v1::MEMBERSHIP_CHANGE_PROBATION_CONVERTED) {
        facts.set_membership_ended(true);
      }
      break;
    }
    default:  // other services' payloads do not change the registry's facts
      break;
  }
  return facts;
}
MemberStatus StatusAsSeenBy(const MemberFacts& facts, std::string_view jurisdiction) {
  const auto& previous = facts.previous_homes();
  if (facts.membership_ended()) {
    // Every part but the home's ends with the membership.
    if (jurisdiction == facts.home_jurisdiction()) {
      return lianxin::v1::MEMBER_STATUS_MEMBERSHIP_ENDED;
    }
    return std::find(previous.begin(), previous.end(), jurisdiction) != previous.end()
               ? lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT
               : lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED;
  }
  if (jurisdiction == facts.home_jurisdiction()) {
    if (facts.transfer_pending()) return lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING;
    if (facts.away()) {
      return facts.arrived() ? lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED
                             : lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING;
    }
    if (facts.transferred_in()) return lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN;
    return lianxin::v1::MEMBER_STATUS_RESIDENT;
  }
  // A current part (destination, transfer target) before a past one: a former
  // home can be the member's destination now.
  if (facts.away() && facts.outflow().destination_jurisdiction() == jurisdiction) {
    return facts.arrived() ? lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE
                           : lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED;
  }
  if (facts.transfer_pending() && facts.transfer().to_jurisdiction() == jurisdiction) {
    return lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED;
  }
  if (std::find(previous.begin(), previous.end(), jurisdiction) != previous.end()) {
    return lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT;
  }
  return lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED;
}
bool PartEnded(MemberStatus status) {
  return status == lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED ||
         status == lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT;
}
absl::flat_hash_set<std::string> CountiesOf(const MemberFacts& facts) {
  absl::flat_hash_set<std::string> counties;
  for (const std::string& county :
       {facts.home_jurisdiction(), facts.outflow().destination_jurisdiction(),
        facts.outflow().previous_destination_jurisdiction(),
        facts.arrival().destination_jurisdiction(), facts.transfer().to_jurisdiction()}) {
    if (!county.empty()) counties.insert(county);
  }
  counties.insert(facts.previous_homes().begin(), facts.previous_homes().end());
  return counties;
}
std::string DestinationOf(const MemberFacts& facts) {
  return facts.away() ? facts.outflow().destination_jurisdiction() : "";
}

std::string VotesIn(const MemberFacts& facts) { return facts.home_jurisdiction(); }

std::optional<absl::CivilDay> YearlyCertificateCheckDue(const MemberFacts& facts, int months) {
  std::optional<absl::CivilDay> issued_on = ParseDate(facts.certificate().issued_on());
  if (!facts.away() || !issued_on.has_value()) return std::nullopt;
  std::optional<absl::CivilDay> last = ParseDate(facts.last_yearly_check_on());
  return AddMonths(last.value_or(*issued_on), months);
}

absl::Status MayActAsCurrentDestination(bool observed, bool away, std::string_view destination,
                                        const lianxin::v1::Event& event) {
  if (!observed) return absl::OkStatus();
  const std::string& source = event.source().jurisdiction();
  if (away && destination == source) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "role: ", source, " is not the current destination of member ", event.aggregate_id()));
}

absl::Status MayActAsHome(std::string_view home, const lianxin::v1::Event& event) {
  if (home.empty()) return absl::OkStatus();  // not observed yet
  const std::string& source = event.source().jurisdiction();
  if (home == source) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("role: ", source, " is not the home of member ", event.aggregate_id()));
}

}  // namespace lianxin
