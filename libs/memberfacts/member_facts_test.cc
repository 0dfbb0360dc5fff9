#include "libs/memberfacts/member_facts.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lianxin {
namespace {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;
using ::testing::UnorderedElementsAre;

TEST(PayloadServiceOfTest, NamesTheServiceOfEachPayloadRange) {
  struct Case {
    const char* name;
    Event event;
    PayloadService want;
  };
  std::vector<Case> cases(6);
  cases[0] = {"no payload", Event(), PayloadService::kNone};
  cases[1].name = "registry";
  cases[1].event.mutable_member_registered();
  cases[1].want = PayloadService::kRegistry;
  cases[2].name = "registry, last";
  cases[2].event.mutable_duplicate_suspected();
  cases[2].want = PayloadService::kRegistry;
  cases[3].name = "contact";
  cases[3].event.mutable_member_facts_observed();
  cases[3].want = PayloadService::kContact;
  cases[4].name = "education";
  cases[4].event.mutable_attendance_recorded();
  cases[4].want = PayloadService::kEducation;
  cases[5].name = "appraisal";
  cases[5].event.mutable_appraisal_cycle_opened();
  cases[5].want = PayloadService::kAppraisal;
  for (const Case& c : cases) {
    EXPECT_EQ(PayloadServiceOf(c.event), c.want) << c.name;
  }
  EXPECT_TRUE(IsRegistryPayload(cases[1].event));
  EXPECT_FALSE(IsRegistryPayload(cases[3].event));
}

Event Registered(const std::string& home) {
  Event event;
  event.set_aggregate_id("654322-a");
  event.mutable_member_registered()->set_home_jurisdiction(home);
  event.mutable_member_registered()->set_name("李明");
  return event;
}

Event Outflow(const std::string& destination) {
  Event event;
  event.set_aggregate_id("654322-a");
  event.mutable_outflow_registered()->set_destination_jurisdiction(destination);
  event.mutable_outflow_registered()->set_left_on("2026-03-01");
  return event;
}

Event Arrived(const std::string& destination) {
  Event event;
  event.set_aggregate_id("654322-a");
  event.mutable_arrival_recorded()->set_destination_jurisdiction(destination);
  event.mutable_arrival_recorded()->set_arrived_on("2026-03-05");
  return event;
}

Event Accepted(const std::string& to) {
  Event event;
  event.set_aggregate_id("654322-a");
  event.mutable_transfer_accepted()->set_to_jurisdiction(to);
  event.mutable_transfer_accepted()->set_accepted_on("2026-09-01");
  return event;
}

Event Ended(lianxin::v1::MembershipChange change) {
  Event event;
  event.set_aggregate_id("654322-a");
  event.mutable_membership_standing_changed()->set_change(change);
  event.mutable_membership_standing_changed()->set_decided_on("2026-10-01");
  return event;
}

Event CertificateIssued(const std::string& issued_on) {
  Event event;
  event.set_aggregate_id("654322-a");
  event.mutable_certificate_issued()->set_certificate_no("FY-0001");
  event.mutable_certificate_issued()->set_issued_on(issued_on);
  return event;
}

Event YearlyCheck(const std::string& on) {
  Event event;
  event.set_aggregate_id("654322-a");
  event.mutable_certificate_entry_recorded()->set_kind(
      lianxin::v1::CERTIFICATE_ENTRY_KIND_YEARLY_CHECK);
  event.mutable_certificate_entry_recorded()->set_occurred_on(on);
  return event;
}

MemberFacts Fold(const std::vector<Event>& events) {
  MemberFacts facts;
  for (const Event& event : events) facts = FoldMemberFacts(std::move(facts), event);
  return facts;
}

TEST(FoldMemberFactsTest, StatusAsSeenByEachCountyFollowsTheMembersMoves) {
  struct Case {
    const char* name;
    std::vector<Event> events;
    const char* county;
    lianxin::v1::MemberStatus want;
  };
  const std::vector<Case> cases = {
      {"resident at home", {Registered("654322")}, "654322", v1::MEMBER_STATUS_RESIDENT},
      {"away, not arrived, home",
       {Registered("654322"), Outflow("650102")},
       "654322",
       v1::MEMBER_STATUS_OUTFLOW_PENDING},
      {"away, not arrived, destination",
       {Registered("654322"), Outflow("650102")},
       "650102",
       v1::MEMBER_STATUS_INFLOW_EXPECTED},
      {"arrived, home",
       {Registered("654322"), Outflow("650102"), Arrived("650102")},
       "654322",
       v1::MEMBER_STATUS_OUTFLOW_RECEIVED},
      {"arrived, destination",
       {Registered("654322"), Outflow("650102"), Arrived("650102")},
       "650102",
       v1::MEMBER_STATUS_INFLOW_ACTIVE},
      {"arrival at a destination left since is stale",
       {Registered("654322"), Outflow("650102"), Arrived("440305")},
       "650102",
       v1::MEMBER_STATUS_INFLOW_EXPECTED},
      {"transferred, old home",
       {Registered("654322"), Outflow("650102"), Accepted("650102")},
       "654322",
       v1::MEMBER_STATUS_TRANSFERRED_OUT},
      {"transferred, new home",
       {Registered("654322"), Outflow("650102"), Accepted("650102")},
       "650102",
       v1::MEMBER_STATUS_TRANSFERRED_IN},
      {"membership ended, home",
       {Registered("654322"), Outflow("650102"), Ended(v1::MEMBERSHIP_CHANGE_EXPELLED)},
       "654322",
       v1::MEMBER_STATUS_MEMBERSHIP_ENDED},
      {"membership ended, destination",
       {Registered("654322"), Outflow("650102"), Ended(v1::MEMBERSHIP_CHANGE_EXPELLED)},
       "650102",
       v1::MEMBER_STATUS_INFLOW_CLOSED},
      {"probation converted, home",
       {Registered("654322"), Ended(v1::MEMBERSHIP_CHANGE_PROBATION_CONVERTED)},
       "654322",
       v1::MEMBER_STATUS_RESIDENT},
      {"a county with no part",
       {Registered("654322"), Outflow("650102")},
       "440305",
       v1::MEMBER_STATUS_INFLOW_CLOSED},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StatusAsSeenBy(Fold(c.events), c.county), c.want) << c.name;
  }
}

TEST(FoldMemberFactsTest, OtherServicesPayloadsLeaveTheFactsAsTheyAre) {
  const MemberFacts before = Fold({Registered("654322"), Outflow("650102")});
  Event contact;
  contact.mutable_contact_recorded()->set_occurred_on("2026-04-01");
  EXPECT_EQ(FoldMemberFacts(before, contact).SerializeAsString(), before.SerializeAsString());
}

TEST(PartEndedTest, OnlyAClosedInflowOrATransferOutEndsAPart) {
  EXPECT_TRUE(PartEnded(v1::MEMBER_STATUS_INFLOW_CLOSED));
  EXPECT_TRUE(PartEnded(v1::MEMBER_STATUS_TRANSFERRED_OUT));
  EXPECT_FALSE(PartEnded(v1::MEMBER_STATUS_INFLOW_ACTIVE));
  EXPECT_FALSE(PartEnded(v1::MEMBER_STATUS_RESIDENT));
  EXPECT_FALSE(PartEnded(v1::MEMBER_STATUS_TRANSFERRED_IN));
}

TEST(CountiesOfTest, HoldsHomeDestinationAndPreviousHomes) {
  const MemberFacts transferred =
      Fold({Registered("654322"), Outflow("650102"), Accepted("650102")});
  EXPECT_THAT(CountiesOf(transferred), UnorderedElementsAre("654322", "650102"));
  EXPECT_THAT(CountiesOf(Fold({Registered("654322")})), UnorderedElementsAre("654322"));
}

TEST(DestinationOfTest, IsTheDestinationOnlyWhileAway) {
  EXPECT_EQ(DestinationOf(Fold({Registered("654322"), Outflow("650102")})), "650102");
  EXPECT_EQ(DestinationOf(Fold({Registered("654322")})), "");
  EXPECT_EQ(DestinationOf(Fold({Registered("654322"), Outflow("650102"), Accepted("650102")})), "");
}

TEST(VotesInTest, IsTheHomeAlsoWhileAway) {
  EXPECT_EQ(VotesIn(Fold({Registered("654322"), Outflow("650102"), Arrived("650102")})), "654322");
  EXPECT_EQ(VotesIn(Fold({Registered("654322"), Outflow("650102"), Accepted("650102")})), "650102");
}

TEST(YearlyCertificateCheckDueTest, CountsFromTheLastYearlyCheckElseTheIssue) {
  struct Case {
    const char* name;
    std::vector<Event> events;
    std::optional<absl::CivilDay> want;
  };
  const std::vector<Case> cases = {
      {"at home", {Registered("654322"), CertificateIssued("2026-03-01")}, std::nullopt},
      {"away without a certificate", {Registered("654322"), Outflow("650102")}, std::nullopt},
      {"away, never checked",
       {Registered("654322"), Outflow("650102"), CertificateIssued("2026-03-01")},
       absl::CivilDay(2027, 3, 1)},
      {"away, checked",
       {Registered("654322"), Outflow("650102"), CertificateIssued("2026-03-01"),
        YearlyCheck("2027-02-20")},
       absl::CivilDay(2028, 2, 20)},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(YearlyCertificateCheckDue(Fold(c.events), 12), c.want) << c.name;
  }
}

// The stored text stays what it was before the enum ("ACCEPTED", ...), both
// ways, and the fold writes it for each way a transfer ends.
TEST(TransferOutcomeTest, EnumAndStoredTextRoundTrip) {
  struct Case {
    TransferOutcome outcome;
    const char* text;
  } cases[] = {
      {TransferOutcome::kNone, ""},
      {TransferOutcome::kAccepted, "ACCEPTED"},
      {TransferOutcome::kRejected, "REJECTED"},
      {TransferOutcome::kWithdrawn, "WITHDRAWN"},
  };
  for (const Case& c : cases) {
    lianxin::v1::MemberFacts facts;
    SetTransferOutcome(&facts, c.outcome);
    EXPECT_EQ(facts.transfer_outcome(), c.text);
    EXPECT_EQ(TransferOutcomeOf(facts), c.outcome) << c.text;
  }
  lianxin::v1::MemberFacts unknown;
  unknown.set_transfer_outcome("accepted");  // not the stored spelling
  EXPECT_EQ(TransferOutcomeOf(unknown), TransferOutcome::kNone);

  struct Fold {
    std::function<void(lianxin::v1::Event&)> payload;
    TransferOutcome outcome;
  } folds[] = {
      {[](auto& e) { e.mutable_transfer_accepted()->set_to_jurisdiction("650102"); },
       TransferOutcome::kAccepted},
      {[](auto& e) { e.mutable_transfer_rejected()->set_reason("no receiving branch"); },
       TransferOutcome::kRejected},
      {[](auto& e) { e.mutable_transfer_withdrawn()->set_reason("paper receipt lost"); },
       TransferOutcome::kWithdrawn},
  };
  for (const Fold& f : folds) {
    lianxin::v1::Event e;
    e.set_aggregate_id("654322-0123456789abcdef");
    f.payload(e);
    const lianxin::v1::MemberFacts after = FoldMemberFacts({}, e);
    EXPECT_EQ(TransferOutcomeOf(after), f.outcome) << after.transfer_outcome();
  }
}

Event FromCounty(const char* jurisdiction) {
  Event e;
  e.set_aggregate_id("654322-0123456789abcdef");
  e.mutable_source()->set_jurisdiction(jurisdiction);
  return e;
}

TEST(MayActAsCurrentDestinationTest, OnlyTheCountyTheMemberIsAwayInMayAct) {
  struct Case {
    const char* name;
    bool observed;
    bool away;
    const char* destination;
    const char* sender;
    bool allowed;
  } cases[] = {
      {"not observed yet", false, false, "", "650102", true},
      {"the destination", true, true, "650102", "650102", true},
      {"another county", true, true, "650102", "654321", false},
      {"back home", true, false, "650102", "650102", false},
      {"never away", true, false, "", "650102", false},
  };
  for (const Case& c : cases) {
    const absl::Status status =
        MayActAsCurrentDestination(c.observed, c.away, c.destination, FromCounty(c.sender));
    EXPECT_EQ(status.ok(), c.allowed) << c.name << ": " << status;
    if (!c.allowed) {
      EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << c.name;
      EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("current destination"));
    }
  }
}

TEST(MayActAsHomeTest, OnlyTheHomeCountyMayAct) {
  EXPECT_TRUE(MayActAsHome("", FromCounty("650102")).ok()) << "not observed yet";
  EXPECT_TRUE(MayActAsHome("654322", FromCounty("654322")).ok());
  const absl::Status other = MayActAsHome("654322", FromCounty("650102"));
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(other.message()), ::testing::HasSubstr("not the home of member"));
}

}  // namespace
}  // namespace lianxin
