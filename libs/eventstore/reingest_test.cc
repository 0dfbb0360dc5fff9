// The re-ingest decision of a restored store (reingest.h), as a table: what a
// store restored at some head appends from what its service topic holds.
#include "libs/eventstore/reingest.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lianxin {
namespace {

using ::testing::HasSubstr;

Source Registry(const std::string& jurisdiction = "654322") {
  Source source;
  source.set_jurisdiction(jurisdiction);
  source.set_service("registry");
  return source;
}

// A genuine log of `n` events (sequences 1..n), hash-chained.
std::vector<Event> Log(int n, const std::string& salt = "") {
  std::vector<Event> log;
  std::string prev(32, '\0');
  for (int i = 1; i <= n; ++i) {
    Event event;
    *event.mutable_source() = Registry();
    event.set_sequence(i);
    event.set_aggregate_id(absl::StrCat("m", i % 3));
    event.set_event_id(absl::StrCat("654322-registry-", i));
    event.set_type("MemberRegistered");
    event.set_opaque(absl::StrCat(salt, i));
    event.set_prev_hash(prev);
    event.set_hash(ComputeEventHash(event));
    prev = event.hash();
    log.push_back(event);
  }
  return log;
}

LogHead HeadAt(const std::vector<Event>& log, int sequence) {
  return sequence == 0 ? LogHead{0, std::string(32, '\0')}
                       : LogHead{static_cast<uint64_t>(sequence), log[sequence - 1].hash()};
}

std::vector<uint64_t> Sequences(const ReingestPlan& plan) {
  std::vector<uint64_t> out;
  for (const Event& event : plan.append) out.push_back(event.sequence());
  return out;
}

struct Case {
  std::string name;
  int restored_at;                 // head of the backup
  std::vector<int> topic;          // indexes into the log (1-based sequences), in topic order
  std::vector<uint64_t> appended;  // expected
  std::string refusal;             // non-empty: expected FAILED_PRECONDITION containing it
};

TEST(PlanReingestTest, AppendsTheTailPastTheRestoredHeadOrRefuses) {
  const std::vector<Event> log = Log(8);
  const std::vector<Case> cases = {
      {"nothing published after the backup", 5, {1, 2, 3, 4, 5}, {}, ""},
      {"empty topic, empty backup", 0, {}, {}, ""},
      {"the tail, across partitions out of order", 4, {1, 6, 2, 5, 3, 8, 4, 7}, {5, 6, 7, 8}, ""},
      {"duplicates from republishing", 6, {7, 7, 8, 1, 8, 7}, {7, 8}, ""},
      {"a backup of an empty store takes everything", 0, {3, 1, 2}, {1, 2, 3}, ""},
      {"a gap before the topic's last event", 4, {5, 7, 8}, {}, "sequence 6 is missing"},
      {"the first later event missing", 4, {6, 7}, {}, "sequence 5 is missing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Event> topic;
    for (int i : c.topic) topic.push_back(log[i - 1]);
    absl::StatusOr<ReingestPlan> plan =
        PlanReingest(Registry(), HeadAt(log, c.restored_at), topic, nullptr);
    if (!c.refusal.empty()) {
      ASSERT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition) << plan.status();
      EXPECT_THAT(plan.status().message(), HasSubstr(c.refusal));
      continue;
    }
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_EQ(Sequences(*plan), c.appended);
  }
}

TEST(PlanReingestTest, RefusesATailThatDoesNotChainOntoTheBackup) {
  const std::vector<Event> log = Log(6);
  // Another history from sequence 5 on: genuine hashes, but chained onto
  // something else than the backup's event 4.
  std::vector<Event> other = Log(6, "other-");
  absl::StatusOr<ReingestPlan> plan =
      PlanReingest(Registry(), HeadAt(log, 4), {other[4], other[5]}, nullptr);
  ASSERT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(plan.status().message(), HasSubstr("sequence 5"));
  EXPECT_THAT(plan.status().message(), HasSubstr("does not chain onto sequence 4"));
}

TEST(PlanReingestTest, RefusesWhenTheTopicsEventAtTheHeadIsNotTheBackups) {
  const std::vector<Event> log = Log(6);
  const std::vector<Event> other = Log(6, "other-");
  absl::StatusOr<ReingestPlan> plan =
      PlanReingest(Registry(), HeadAt(log, 4), {other[3], other[4]}, nullptr);
  ASSERT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(plan.status().message(), HasSubstr("the backup is not of this log"));
}

TEST(PlanReingestTest, RefusesTwoDifferentGenuineEventsAtOneSequence) {
  const std::vector<Event> log = Log(6);
  Event fork = log[4];  // sequence 5, rewritten and re-hashed (a second genuine-looking event)
  fork.set_opaque("forked");
  fork.set_hash(ComputeEventHash(fork));
  absl::StatusOr<ReingestPlan> plan =
      PlanReingest(Registry(), HeadAt(log, 4), {log[4], fork, log[5]}, nullptr);
  ASSERT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(plan.status().message(), HasSubstr("two different events"));
}

TEST(PlanReingestTest, LeavesAsideCopiesThatAreNotThisLogs) {
  const std::vector<Event> log = Log(6);
  Event tampered = log[4];  // content changed, hash not recomputed
  tampered.set_opaque("tampered");
  Event foreign = log[4];
  *foreign.mutable_source() = Registry("650102");
  foreign.set_hash(ComputeEventHash(foreign));
  Event unsigned_forgery = log[5];  // the signature check refuses it
  unsigned_forgery.set_actor("forger");
  unsigned_forgery.set_hash(ComputeEventHash(unsigned_forgery));
  const SignatureCheck check = [&](const Event& event) {
    return event.actor() == "forger" ? absl::InvalidArgumentError("bad signature")
                                     : absl::OkStatus();
  };
  absl::StatusOr<ReingestPlan> plan = PlanReingest(
      Registry(), HeadAt(log, 4), {tampered, foreign, unsigned_forgery, log[4], log[5]}, check);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(Sequences(*plan), (std::vector<uint64_t>{5, 6}));
  EXPECT_EQ(plan->not_ours, 3u);
  // With only the forgeries the tail is incomplete: refused, never appended.
  absl::StatusOr<ReingestPlan> forged_only =
      PlanReingest(Registry(), HeadAt(log, 4), {unsigned_forgery}, check);
  ASSERT_TRUE(forged_only.ok()) << forged_only.status();
  EXPECT_TRUE(forged_only->append.empty());
}

TEST(PlanReingestTest, ClearsTheRouteVersionOfACopy) {
  std::vector<Event> log = Log(3);
  Event copy = log[2];
  copy.set_route_version(7);  // not hashed: the hash still holds
  absl::StatusOr<ReingestPlan> plan = PlanReingest(Registry(), HeadAt(log, 2), {copy}, nullptr);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->append.size(), 1u);
  EXPECT_EQ(plan->append[0].route_version(), 0u);
}

}  // namespace
}  // namespace lianxin
