#include "services/registry/domain/roles.h"

#include "gtest/gtest.h"

namespace lianxin::registry {
namespace {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;

constexpr char kHome[] = "654322";
constexpr char kDestination[] = "650102";
constexpr char kThird[] = "440305";

// A member of kHome away at kDestination, with a transfer to kDestination pending.
MemberFacts AwayWithTransfer() {
  MemberFacts facts;
  facts.set_member_id("m-1");
  facts.set_home_jurisdiction(kHome);
  facts.set_away(true);
  facts.mutable_outflow()->set_destination_jurisdiction(kDestination);
  facts.set_transfer_pending(true);
  facts.mutable_transfer()->set_to_jurisdiction(kDestination);
  return facts;
}

Event From(const std::string& county, const std::string& type) {
  Event event;
  event.mutable_source()->set_jurisdiction(county);
  event.mutable_source()->set_service("registry");
  event.set_aggregate_id("m-1");
  event.set_type(type);
  if (type == "OutflowRegistered") {
    event.mutable_outflow_registered()->set_destination_jurisdiction(kDestination);
  } else if (type == "ArrivalRecorded") {
    event.mutable_arrival_recorded()->set_destination_jurisdiction(kDestination);
  } else if (type == "CertificateEntryRecorded") {
    event.mutable_certificate_entry_recorded()->set_occurred_on("2026-03-01");
  } else if (type == "TransferRequested") {
    event.mutable_transfer_requested()->set_from_jurisdiction(county);
    event.mutable_transfer_requested()->set_to_jurisdiction(kDestination);
  } else if (type == "TransferAccepted") {
    event.mutable_transfer_accepted()->set_to_jurisdiction(kDestination);
  } else if (type == "TransferRejected") {
    event.mutable_transfer_rejected()->set_reason("no");
  } else if (type == "ReturnRecorded") {
    event.mutable_return_recorded()->set_returned_on("2026-03-01");
  } else if (type == "LostContactFlagged") {
    event.mutable_lost_contact_flagged()->set_flagged_on("2026-03-01");
  } else if (type == "ContactRestored") {
    event.mutable_contact_restored()->set_contact_on("2026-03-01");
  } else if (type == "CertificateIssued") {
    event.mutable_certificate_issued();
  } else if (type == "AttendanceRecorded") {
    event.mutable_attendance_recorded();
  }
  return event;
}

TEST(MaySay, EachPayloadOnlyFromItsRole) {
  const MemberFacts known = AwayWithTransfer();
  struct Case {
    const char* source;
    const char* receiver;
    const char* type;
    bool allowed;
  } cases[] = {
      // Only the home sends an outflow, a change of destination, a transfer
      // request, a return, a certificate, a lost-contact flag or its end.
      {kHome, kDestination, "OutflowRegistered", true},
      {kThird, kDestination, "OutflowRegistered", false},
      {kDestination, kHome, "OutflowRegistered", false},
      {kHome, kDestination, "TransferRequested", true},
      {kThird, kDestination, "TransferRequested", false},
      {kHome, kDestination, "ReturnRecorded", true},
      {kDestination, kHome, "ReturnRecorded", false},
      {kHome, kDestination, "CertificateIssued", true},
      {kThird, kDestination, "CertificateIssued", false},
      {kHome, kDestination, "LostContactFlagged", true},
      {kDestination, kHome, "LostContactFlagged", false},
      {kThird, kDestination, "ContactRestored", false},
      // Only the current destination records an arrival or certificate entries.
      {kDestination, kHome, "ArrivalRecorded", true},
      {kThird, kHome, "ArrivalRecorded", false},
      {kHome, kDestination, "ArrivalRecorded", false},
      {kDestination, kHome, "CertificateEntryRecorded", true},
      {kThird, kHome, "CertificateEntryRecorded", false},
      {kHome, kDestination, "CertificateEntryRecorded", false},
      // Only the receiving county accepts or rejects the transfer.
      {kDestination, kHome, "TransferAccepted", true},
      {kDestination, kHome, "TransferRejected", true},
      {kThird, kHome, "TransferAccepted", false},
      {kHome, kDestination, "TransferAccepted", false},
      // Not a registry payload.
      {kDestination, kHome, "AttendanceRecorded", false},
  };
  for (const Case& c : cases) {
    // A destination's report from another county is stale, acknowledged without effect.
    const std::string type = c.type;
    const bool destination_report = type == "ArrivalRecorded" || type == "CertificateEntryRecorded";
    EXPECT_EQ(IsStaleDestinationReport(&known, From(c.source, c.type)),
              destination_report && c.source == kThird)
        << c.type << " from " << c.source;
    const absl::Status may = MaySay(&known, From(c.source, c.type), c.receiver);
    EXPECT_EQ(may.ok(), c.allowed) << c.type << " from " << c.source << ": " << may;
    if (!c.allowed) {
      EXPECT_TRUE(absl::IsPermissionDenied(may)) << c.type;
    }
  }
}

TEST(MaySay, CertificateChecksAreTheHomes) {
  const MemberFacts known = AwayWithTransfer();
  Event check = From(kHome, "CertificateEntryRecorded");
  check.mutable_certificate_entry_recorded()->set_kind(
      lianxin::v1::CERTIFICATE_ENTRY_KIND_YEARLY_CHECK);
  EXPECT_TRUE(MaySay(&known, check, kDestination).ok());
  check.mutable_source()->set_jurisdiction(kDestination);
  EXPECT_FALSE(MaySay(&known, check, kHome).ok());
}

// R20: the sender records the paper receipt of a county off lianxin; a county
// on lianxin accepts its own transfers.
TEST(MaySay, PaperReceiptsAreTheHomesForCountiesOffLianxin) {
  MemberFacts known = AwayWithTransfer();
  known.mutable_transfer()->set_to_jurisdiction("510104");
  Event receipt = From(kHome, "TransferAccepted");
  receipt.mutable_transfer_accepted()->set_to_jurisdiction("510104");
  receipt.mutable_transfer_accepted()->set_paper_receipt(true);
  EXPECT_TRUE(MaySay(&known, receipt, kDestination).ok());

  receipt.mutable_source()->set_jurisdiction(kThird);
  EXPECT_TRUE(absl::IsPermissionDenied(MaySay(&known, receipt, kDestination)));

  // A paper receipt for a transfer to the receiving county itself.
  receipt.mutable_source()->set_jurisdiction(kHome);
  receipt.mutable_transfer_accepted()->set_to_jurisdiction(kDestination);
  EXPECT_TRUE(absl::IsPermissionDenied(MaySay(&known, receipt, kDestination)));
}

TEST(MaySay, DestinationRolesEndWithTheStay) {
  MemberFacts returned = AwayWithTransfer();
  returned.set_away(false);
  returned.set_transfer_pending(false);
  EXPECT_FALSE(MaySay(&returned, From(kDestination, "ArrivalRecorded"), kHome).ok());
  EXPECT_FALSE(MaySay(&returned, From(kDestination, "CertificateEntryRecorded"), kHome).ok());
  EXPECT_FALSE(MaySay(&returned, From(kDestination, "TransferAccepted"), kHome).ok());
}

TEST(MaySay, UnknownMemberIsIntroducedOnlyByItsHomeToThisCounty) {
  struct Case {
    const char* name;
    Event event;
    bool allowed;
  } cases[] = {
      {"outflow to us", From(kHome, "OutflowRegistered"), true},
      {"transfer request to us", From(kHome, "TransferRequested"), true},
      {"arrival of a member we never shared", From(kThird, "ArrivalRecorded"), false},
      {"return of a member we never shared", From(kHome, "ReturnRecorded"), false},
      {"transfer accepted out of nowhere", From(kThird, "TransferAccepted"), false},
  };
  Event elsewhere = From(kHome, "OutflowRegistered");
  elsewhere.mutable_outflow_registered()->set_destination_jurisdiction(kThird);
  Event foreign_snapshot = From(kThird, "OutflowRegistered");
  foreign_snapshot.mutable_outflow_registered()->mutable_snapshot()->set_home_jurisdiction(kHome);
  for (const Case& c : cases) {
    EXPECT_EQ(MaySay(nullptr, c.event, kDestination).ok(), c.allowed) << c.name;
  }
  EXPECT_FALSE(MaySay(nullptr, elsewhere, kDestination).ok());
  EXPECT_FALSE(MaySay(nullptr, foreign_snapshot, kDestination).ok())
      << "a county introducing another county's member";
}

TEST(ClaimMayReplace, NeverDisplacesAnEarlierConfirmedClaimOfAnotherCounty) {
  struct Case {
    const char* name;
    bool held;
    bool confirmed;
    const char* held_member;
    const char* held_county;
    const char* member;
    const char* claimant;
    bool replaces;
  } cases[] = {
      {"nothing held", false, false, "", "", "m-1", kThird, true},
      {"own pending claim confirmed", true, false, "m-1", kHome, "m-1", kHome, true},
      {"race before the topic ordered it", true, false, "m-1", kHome, "m-2", kThird, true},
      {"same member, same county again", true, true, "m-1", kHome, "m-1", kHome, true},
      {"same member claimed by another county", true, true, "m-1", kHome, "m-1", kThird, false},
      {"another member for a confirmed hash", true, true, "m-1", kHome, "m-2", kThird, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(
        ClaimMayReplace(c.held, c.confirmed, c.held_member, c.held_county, c.member, c.claimant),
        c.replaces)
        << c.name;
  }
}

}  // namespace
}  // namespace lianxin::registry
