// lxaudit as-of on a log whose events span days: registry histories decided by
// the real decider and committed through EventStore on a manual clock (one
// step a day), then read by the lxaudit binary. The day before a transfer is
// accepted and the day of it give two different states.
#include <memory>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"
#include "tests/lxaudit_fixture.h"
#include "tools/lxaudit/registry_history.h"

namespace lianxin::lxaudit_test {
namespace {

absl::TimeZone Tz() { return absl::FixedTimeZone(8 * 60 * 60); }

class LxauditAsOfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 2026-03-01 09:00 +08, one day a step: registered on 03-01, outflow
    // 03-02, certificate 03-03, checks 03-04..03-05, transfer requested
    // 03-06, accepted 03-07.
    ManualClock clock(absl::FromCivil(absl::CivilSecond(2026, 3, 1, 9, 0, 0), Tz()));
    EventStoreOptions options;
    options.path = dir_.Sub("654322/registry");
    options.source.set_jurisdiction("654322");
    options.source.set_service("registry");
    options.clock = &clock;
    options.sync = false;
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    lxaudit::HistoryOptions history{.members = 3, .checks_per_member = 2};
    absl::StatusOr<lxaudit::HistoryStats> stats =
        lxaudit::GenerateRegistryHistory(store->get(), clock, history);
    ASSERT_TRUE(stats.ok()) << stats.status();
    ASSERT_EQ(stats->events, 3u * 7u);
    member_ = stats->member_ids[1];
    endpoints_ = dir_.Sub("endpoints.json");
    WriteEndpoints(endpoints_, "127.0.0.1:1", {{"654322", dir_.Sub("654322")}});
  }

  LxauditRun Lxaudit(std::vector<std::string> args) {
    args.push_back("--endpoints");
    args.push_back(endpoints_);
    return RunLxaudit(dir_.path(), args);
  }

  testing::TempDir dir_;
  std::string member_;
  std::string endpoints_;
};

TEST_F(LxauditAsOfTest, TheDayBeforeAndTheDayOfATransferGiveTwoStates) {
  LxauditRun before = Lxaudit({"as-of", member_, "2026-03-06", "--json"});
  ASSERT_EQ(before.code, 0) << before.out << before.err;
  EXPECT_TRUE(absl::StrContains(before.out, "\"version\":6,")) << before.out;
  EXPECT_TRUE(absl::StrContains(before.out, "\"events_total\":7")) << before.out;
  EXPECT_TRUE(absl::StrContains(before.out, "\"home_jurisdiction\":\"654322\"")) << before.out;
  EXPECT_TRUE(absl::StrContains(before.out, "\"transfer_pending\":true")) << before.out;
  EXPECT_FALSE(absl::StrContains(before.out, "ACCEPTED")) << before.out;

  LxauditRun after = Lxaudit({"as-of", member_, "2026-03-07", "--json"});
  ASSERT_EQ(after.code, 0) << after.out << after.err;
  EXPECT_TRUE(absl::StrContains(after.out, "\"version\":7,")) << after.out;
  EXPECT_TRUE(absl::StrContains(after.out, "\"home_jurisdiction\":\"650102\"")) << after.out;
  EXPECT_TRUE(absl::StrContains(after.out, "\"transfer_outcome\":\"ACCEPTED\"")) << after.out;
  EXPECT_FALSE(absl::StrContains(after.out, "\"transfer_pending\":true")) << after.out;

  // Before registration: nothing yet; text output names the version.
  LxauditRun none = Lxaudit({"as-of", member_, "2026-02-28"});
  ASSERT_EQ(none.code, 0) << none.out << none.err;
  EXPECT_TRUE(absl::StrContains(none.out, "654322 registry as of 2026-02-28")) << none.out;
  EXPECT_TRUE(absl::StrContains(none.out, "version 0 of 7 events")) << none.out;
  EXPECT_TRUE(absl::StrContains(none.out, "(no state yet)")) << none.out;
}

TEST_F(LxauditAsOfTest, RefusesABadDateAndAnUnknownMember) {
  EXPECT_EQ(Lxaudit({"as-of", member_, "2026-13-01"}).code, 2);
  EXPECT_EQ(Lxaudit({"as-of", member_}).code, 2);
  LxauditRun unknown = Lxaudit({"as-of", "654322-nobody", "2026-03-07"});
  EXPECT_EQ(unknown.code, 1);
  EXPECT_TRUE(absl::StrContains(unknown.err, "NOT_FOUND")) << unknown.err;
}

TEST_F(LxauditAsOfTest, ReplayAndVerifyOfTheGeneratedLogPass) {
  LxauditRun replay = Lxaudit({"replay", "--threads", "2"});
  EXPECT_EQ(replay.code, 0) << replay.out << replay.err;
  EXPECT_EQ(replay.LinesWith("654322 registry: all 3 aggregates match").size(), 1u) << replay.out;
  LxauditRun single = Lxaudit({"replay", "--threads", "1"});
  EXPECT_EQ(DigestLine(single, "654322 registry", "rebuilt"),
            DigestLine(replay, "654322 registry", "rebuilt"));
  LxauditRun verify = Lxaudit({"verify"});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.LinesWith("654322 registry: 21 events, chain intact").size(), 1u) << verify.out;
}

}  // namespace
}  // namespace lianxin::lxaudit_test
