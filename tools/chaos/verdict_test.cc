// The checks lxchaos makes after a run, on hand-built logs: each kind of
// finding is reported when it is there and only then.
#include "tools/chaos/verdict.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lianxin::chaos {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Outcome = Command::Outcome;

Command Sent(const std::string& request_id, Outcome outcome) {
  return {.county = "654322",
          .service = "registry",
          .rpc = "RegisterOutflow",
          .request_id = request_id,
          .outcome = outcome};
}
LoggedEvent Logged(uint64_t sequence, const std::string& aggregate, const std::string& type,
                   const std::string& correlation, const std::string& causation = "") {
  return {sequence, aggregate, type, correlation, causation};
}

TEST(CheckLogTest, AcknowledgedCommandWrittenOnce_IsFine) {
  const Findings f =
      CheckLog({Sent("rq-1", Outcome::kAcked)}, {Logged(1, "m-1", "MemberRegistered", "rq-0"),
                                                 Logged(2, "m-1", "OutflowRegistered", "rq-1"),
                                                 Logged(3, "claim-9", "IdentityClaimed", "rq-1")});
  EXPECT_THAT(f.lost, IsEmpty());
  EXPECT_THAT(f.duplicated, IsEmpty());
  EXPECT_THAT(f.written_though_refused, IsEmpty());
}

TEST(CheckLogTest, AcknowledgedCommandMissing_IsLost) {
  const Findings f =
      CheckLog({Sent("rq-1", Outcome::kAcked)}, {Logged(1, "m-1", "MemberRegistered", "rq-0")});
  EXPECT_THAT(f.lost, ElementsAre(HasSubstr("rq-1")));
}

TEST(CheckLogTest, ReactionCarryingTheRequestId_DoesNotCountAsTheCommand) {
  // Only an event without a cause is the command's own.
  const Findings f = CheckLog({Sent("rq-1", Outcome::kAcked)},
                              {Logged(4, "m-1", "ContactRecorded", "rq-1", "650102/contact/7")});
  EXPECT_THAT(f.lost, ElementsAre(HasSubstr("rq-1")));
}

TEST(CheckLogTest, CommandWrittenByTwoCommits_IsDuplicated) {
  const Findings f =
      CheckLog({Sent("rq-1", Outcome::kAcked)}, {Logged(2, "m-1", "OutflowRegistered", "rq-1"),
                                                 Logged(3, "m-2", "OutflowRegistered", "rq-9"),
                                                 Logged(4, "m-1", "ContactRecorded", "rq-1")});
  EXPECT_THAT(f.duplicated, ElementsAre(HasSubstr("rq-1")));
}

TEST(CheckLogTest, SameEventTwiceInARow_IsDuplicated) {
  const Findings f =
      CheckLog({Sent("rq-1", Outcome::kAcked)}, {Logged(2, "m-1", "OutflowRegistered", "rq-1"),
                                                 Logged(3, "m-1", "OutflowRegistered", "rq-1")});
  EXPECT_THAT(f.duplicated, ElementsAre(HasSubstr("rq-1")));
}

TEST(CheckLogTest, UnansweredCommand_MayBeAbsentOrOnce_NotTwice) {
  EXPECT_THAT(CheckLog({Sent("rq-1", Outcome::kUnanswered)}, {}).duplicated, IsEmpty());
  EXPECT_THAT(CheckLog({Sent("rq-1", Outcome::kUnanswered)},
                       {Logged(5, "m-1", "OutflowRegistered", "rq-1")})
                  .duplicated,
              IsEmpty());
  EXPECT_THAT(CheckLog({Sent("rq-1", Outcome::kUnanswered)},
                       {Logged(5, "m-1", "OutflowRegistered", "rq-1"),
                        Logged(8, "m-1", "OutflowRegistered", "rq-1")})
                  .duplicated,
              ElementsAre(HasSubstr("rq-1")));
}

TEST(CheckLogTest, RefusedCommandThatWroteSomething_IsReported) {
  EXPECT_THAT(CheckLog({Sent("rq-1", Outcome::kRefused)}, {}).written_though_refused, IsEmpty());
  EXPECT_THAT(
      CheckLog({Sent("rq-1", Outcome::kRefused)}, {Logged(5, "m-1", "OutflowRegistered", "rq-1")})
          .written_though_refused,
      ElementsAre(HasSubstr("rq-1")));
}

TEST(CheckLogTest, ConsumedEventAppliedTwice_IsDuplicated) {
  const std::vector<LoggedEvent> once = {
      Logged(1, "m-1", "MemberFactsObserved", "rq-1", "654322/registry/1"),
      Logged(2, "m-1", "MemberFactsObserved", "rq-2", "654322/registry/2"),
      Logged(3, "m-2", "MemberFactsObserved", "rq-1", "654322/registry/1")};
  EXPECT_THAT(CheckLog({}, once).duplicated, IsEmpty());
  std::vector<LoggedEvent> twice = once;
  twice.push_back(Logged(4, "m-1", "MemberFactsObserved", "rq-1", "654322/registry/1"));
  EXPECT_THAT(CheckLog({}, twice).duplicated, ElementsAre(HasSubstr("654322/registry/1")));
}

TEST(CheckQuarantineTest, OnlyInjected_AndEveryInjectedSeen) {
  const QuarantinedMessage a{"lx.654322.inbox.v1", 2, 17};
  const QuarantinedMessage b{"lx.654322.registry.v1", 0, 40};
  const QuarantinedMessage c{"lx.650102.contact.v1", 1, 3};
  // Seen by two consumers: fine.
  QuarantineFindings f = CheckQuarantine({a, a, b}, {a, b});
  EXPECT_THAT(f.unexpected, IsEmpty());
  EXPECT_THAT(f.missed, IsEmpty());
  f = CheckQuarantine({a, c}, {a, b});
  EXPECT_THAT(f.unexpected, ElementsAre("lx.650102.contact.v1/1@3"));
  EXPECT_THAT(f.missed, ElementsAre("lx.654322.registry.v1/0@40"));
}

TEST(RefusalOfReasonTest, NamesTheRefusalOfEveryQuarantineReason) {
  struct Case {
    std::string reason;
    std::string refusal;
  };
  for (const Case& c : std::vector<Case>{
           {"refused (bad_signature): event is not signed", "bad_signature"},
           {"refused (revoked_key): key 12ab revoked", "revoked_key"},
           {"refused (parked_cap): 440305 has 20 events parked", "parked_cap"},
           {"handler refused: PERMISSION_DENIED: role: 440305 is not the member's home", "role"},
           {"handler refused: INVALID_ARGUMENT: invalid payload: name: is required",
            "invalid_payload"},
           {"handler refused: FAILED_PRECONDITION: R9", "other"},
           {"undecodable event", "other"},
           {"parked: waiting for 3", "parked"},
           {"parked", "parked"},
       }) {
    EXPECT_EQ(RefusalOfReason(c.reason), c.refusal) << c.reason;
  }
}

ExpectedRefusal Forged(int64_t offset, const std::string& expected) {
  return {.where = {"lx.654322.inbox.v1", 0, offset},
          .event_id = absl::StrCat("forged-", offset),
          .what = absl::StrCat("forgery ", offset),
          .expected = expected};
}
HeldMessage Held(int64_t offset, const std::string& reason) {
  return {{"lx.654322.inbox.v1", 0, offset}, reason};
}

TEST(CheckForgeriesTest, EachHeldWithItsRefusalByOneConsumer_IsFine) {
  const ForgeryFindings f = CheckForgeries(
      {Forged(1, "bad_signature"), Forged(2, "role"), Forged(3, "parked"), Forged(4, "parked")},
      {Held(1, "refused (bad_signature): unsigned"), Held(1, "refused (bad_signature): unsigned"),
       // The registry refuses a role; another service of the county ignores it.
       Held(2, "handler refused: PERMISSION_DENIED: role: no part"), Held(3, "parked"),
       Held(4, "refused (parked_cap): full")},
      {Logged(1, "m-1", "MemberRegistered", "rq-1"),
       Logged(2, "m-1", "ArrivalRecorded", "", "genuine-7")});
  EXPECT_THAT(f.applied, IsEmpty());
  EXPECT_THAT(f.misjudged, IsEmpty());
  EXPECT_EQ(f.held_by_refusal.at("bad_signature"), 1);
  EXPECT_EQ(f.held_by_refusal.at("parked"), 1);
  EXPECT_EQ(f.held_by_refusal.at("parked_cap"), 1);
}

TEST(CheckForgeriesTest, ForgeryWithAnEffect_IsApplied) {
  const ForgeryFindings f =
      CheckForgeries({Forged(1, "role")}, {Held(1, "handler refused: PERMISSION_DENIED: role")},
                     {Logged(9, "m-1", "TransferAccepted", "", "forged-1")});
  EXPECT_THAT(f.applied, ElementsAre(HasSubstr("forgery 1 (forged-1): its effect "
                                               "TransferAccepted on m-1 at sequence 9")));
}

TEST(CheckForgeriesTest, ForgeryHeldForAnotherReasonOrNotAtAll_IsMisjudged) {
  const ForgeryFindings f =
      CheckForgeries({Forged(1, "revoked_key"), Forged(2, "role"), Forged(3, "bad_signature")},
                     {Held(1, "refused (unknown_key): no such key"), Held(2, "parked")}, {});
  EXPECT_THAT(f.misjudged, ElementsAre(HasSubstr("expected revoked_key, held as unknown_key"),
                                       HasSubstr("expected role, held as parked"),
                                       HasSubstr("expected bad_signature, held as nothing")));
}

}  // namespace
}  // namespace lianxin::chaos
