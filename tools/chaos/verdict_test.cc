// The checks lxchaos makes after a run, on hand-built logs: each kind of
// finding is reported when it is there and only then.
#include "tools/chaos/verdict.h"

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

}  // namespace
}  // namespace lianxin::chaos
