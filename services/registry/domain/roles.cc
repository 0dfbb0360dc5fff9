#include "services/registry/domain/roles.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace lianxin::registry {
namespace {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;

enum class Role { kHome, kDestination, kHomeOrDestination, kReceiver };

absl::Status Denied(const Event& event, absl::string_view role) {
  return absl::PermissionDeniedError(absl::StrCat("role: ", event.source().jurisdiction(),
                                                  " is not the member's ", role, " (", event.type(),
                                                  " of ", event.aggregate_id(), ")"));
}

// Who may write each registry payload.
std::optional<Role> RoleFor(const Event& event) {
  switch (event.payload_case()) {
    case Event::kMemberRegistered:
    case Event::kOutflowRegistered:
    case Event::kCertificateIssued:
    case Event::kTransferRequested:
    case Event::kReturnRecorded:
    case Event::kLostContactFlagged:
    case Event::kContactRestored:
    case Event::kDuplicateSuspected:
    case Event::kTransferWithdrawn:
    case Event::kVisitHomeRecorded:
    case Event::kMembershipStandingChanged:
    case Event::kCriticismRecorded:
      return Role::kHome;
    case Event::kOutflowDetailsChanged:
      // The home changes the address, phone, employer or expected return; the
      // destination the branch there.
      return Role::kHomeOrDestination;
    case Event::kCertificateEntryRecorded: {
      // R8: organization life and dues by the destination, checks by the home.
      const lianxin::v1::CertificateEntryKind kind = event.certificate_entry_recorded().kind();
      const bool destination_entry =
          kind == lianxin::v1::CERTIFICATE_ENTRY_KIND_UNSPECIFIED ||
          kind == lianxin::v1::CERTIFICATE_ENTRY_KIND_ORGANIZATION_LIFE ||
          kind == lianxin::v1::CERTIFICATE_ENTRY_KIND_DUES;
      return destination_entry ? Role::kDestination : Role::kHome;
    }
    case Event::kArrivalRecorded:
      return Role::kDestination;
    case Event::kTransferAccepted:
      // R20: the sender records the paper receipt of a county off lianxin.
      return event.transfer_accepted().paper_receipt() ? Role::kHome : Role::kReceiver;
    case Event::kTransferRejected:
      return Role::kReceiver;
    default:
      return std::nullopt;
  }
}

}  // namespace

absl::Status MaySay(const MemberFacts* known, const Event& event, const std::string& receiver) {
  const std::string& source = event.source().jurisdiction();
  const std::optional<Role> role = RoleFor(event);
  if (!role.has_value()) {
    return absl::PermissionDeniedError(
        absl::StrCat("role: ", event.type(), " is not a registry event another county sends"));
  }
  if (known == nullptr) {
    // Only the home introduces a member, and only to this county.
    if (event.has_outflow_registered() &&
        event.outflow_registered().destination_jurisdiction() == receiver &&
        (!event.outflow_registered().has_snapshot() ||
         event.outflow_registered().snapshot().home_jurisdiction() == source)) {
      return absl::OkStatus();
    }
    if (event.has_transfer_requested() &&
        event.transfer_requested().from_jurisdiction() == source &&
        event.transfer_requested().to_jurisdiction() == receiver &&
        (!event.transfer_requested().has_snapshot() ||
         event.transfer_requested().snapshot().home_jurisdiction() == source)) {
      return absl::OkStatus();
    }
    return absl::PermissionDeniedError(absl::StrCat("role: ", source, " shares no member ",
                                                    event.aggregate_id(), " with ", receiver));
  }
  switch (*role) {
    case Role::kHome:
      if (source != known->home_jurisdiction()) return Denied(event, "home");
      if (event.has_transfer_accepted() &&
          event.transfer_accepted().to_jurisdiction() == receiver) {
        // A county on lianxin accepts its own transfers; no paper receipt for it.
        return Denied(event, "transfer's receiving county");
      }
      return absl::OkStatus();
    case Role::kDestination:
      if (!known->away() || source != known->outflow().destination_jurisdiction()) {
        return Denied(event, "current destination");
      }
      return absl::OkStatus();
    case Role::kHomeOrDestination:
      if (source != known->home_jurisdiction() &&
          (!known->away() || source != known->outflow().destination_jurisdiction())) {
        return Denied(event, "home or current destination");
      }
      return absl::OkStatus();
    case Role::kReceiver:
      if (!known->transfer_pending() || source != known->transfer().to_jurisdiction()) {
        return Denied(event, "transfer's receiving county");
      }
      return absl::OkStatus();
  }
  return Denied(event, "home");
}

bool IsStaleDestinationReport(const MemberFacts* known, const Event& event) {
  const std::string& source = event.source().jurisdiction();
  return known != nullptr && RoleFor(event) == Role::kDestination &&
         source != known->home_jurisdiction() &&
         (!known->away() || source != known->outflow().destination_jurisdiction());
}

bool ClaimMayReplace(bool held, bool held_confirmed, const std::string& held_member_id,
                     const std::string& held_jurisdiction, const std::string& member_id,
                     const std::string& claimant) {
  if (!held || !held_confirmed) return true;
  return held_member_id == member_id && held_jurisdiction == claimant;
}

}  // namespace lianxin::registry
