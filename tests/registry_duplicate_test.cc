// One person, one record, across counties (DESIGN.md, domain.md R18), with
// real registries and a real broker: a registration of an ID number already
// claimed elsewhere is refused; two racing registrations end with exactly one
// of the two members flagged as the suspected duplicate of the other.
#include "gmock/gmock.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

using ::testing::HasSubstr;

class RegistryDuplicateTest : public RegistryClusterTest {
 protected:
  std::vector<std::string> Counties() const override { return {kFuyun, kTianshan}; }
};

TEST_F(RegistryDuplicateTest, SameIdNumberInOtherCountyAfterClaimTravelled_AlreadyExists) {
  const Person person = NewPerson("马晓燕");
  LX_ASSERT_OK_AND_ASSIGN(std::string first, cluster().Register(kFuyun, person));

  // In the same county: refused at once.
  absl::StatusOr<std::string> again = cluster().Register(kFuyun, person);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists) << again.status();
  EXPECT_THAT(again.status().message(), HasSubstr(first));

  // In another county, once Fuyun's claim has travelled there.
  LX_ASSERT_OK_AND_ASSIGN(v1::GetStatisticsReply before, cluster().Statistics(kTianshan));
  ASSERT_TRUE(cluster().WaitForIdentity(kTianshan, person, first));
  absl::StatusOr<std::string> elsewhere = cluster().Register(kTianshan, person);
  EXPECT_EQ(elsewhere.status().code(), absl::StatusCode::kAlreadyExists) << elsewhere.status();
  EXPECT_THAT(elsewhere.status().message(), HasSubstr(first));
  EXPECT_THAT(elsewhere.status().message(), HasSubstr("R18"));
  LX_ASSERT_OK_AND_ASSIGN(v1::GetStatisticsReply after, cluster().Statistics(kTianshan));
  EXPECT_EQ(after.DebugString(), before.DebugString());
}

// Registrations racing in Fuyun and Tianshan while the broker is down (so
// neither claim can travel), each member then sent to Nanshan; a new broker
// on the same ports. Exactly one member ends up flagged, naming the other,
// and every county sees the same: never both, never none.
class RegistryDuplicateRaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One partition for the identity topic: claims are totally ordered, so a
    // claim registered later is a sentinel that the earlier ones were read.
    cluster_ = std::make_unique<RegistryCluster>(
        std::vector<std::string>{kFuyun, kTianshan, kNanshan},
        std::vector<std::string>{"--topics=lx.identity.v1", "--partitions=1"});
    LX_ASSERT_OK(cluster_->Start());
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_->Logs(30);
    cluster_.reset();
  }
  RegistryCluster& cluster() { return *cluster_; }

  // Waits until `county` has read every claim in the identity topic so far:
  // registers a new person at `from` and waits for `county` to know it.
  bool ClaimsReadAt(const std::string& county, const std::string& from) {
    const Person sentinel = NewPerson("哨兵");
    absl::StatusOr<std::string> id = cluster().Register(from, sentinel);
    if (!id.ok()) {
      ADD_FAILURE() << id.status();
      return false;
    }
    return cluster().WaitForIdentity(county, sentinel, *id);
  }

  std::unique_ptr<RegistryCluster> cluster_;
};

TEST_F(RegistryDuplicateRaceTest, RacingRegistrations_ExactlyOneFlaggedNamingTheOther) {
  const Person person = NewPerson("哈力木拉提·吐尔逊");
  ASSERT_EQ(cluster().StopBroker(), 0);
  LX_ASSERT_OK_AND_ASSIGN(std::string at_fuyun, cluster().Register(kFuyun, person));
  LX_ASSERT_OK_AND_ASSIGN(std::string at_tianshan, cluster().Register(kTianshan, person));
  ASSERT_NE(at_fuyun, at_tianshan);
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(at_fuyun, kNanshan)));
  LX_ASSERT_OK(cluster().RegisterOutflow(kTianshan, Outflow(at_tianshan, kNanshan)));
  LX_ASSERT_OK(cluster().RestartBroker());

  auto flag = [&](const std::string& county, const std::string& id) -> std::string {
    absl::StatusOr<v1::Member> m = cluster().Get(county, id);
    return m.ok() ? m->suspected_duplicate_of() : "(" + m.status().ToString() + ")";
  };
  ASSERT_TRUE(WaitFor(
      [&] { return !flag(kFuyun, at_fuyun).empty() || !flag(kTianshan, at_tianshan).empty(); },
      absl::Seconds(40)))
      << "neither registration was flagged";
  const bool fuyun_lost = !flag(kFuyun, at_fuyun).empty();
  const std::string loser_county = fuyun_lost ? kFuyun : kTianshan;
  const std::string winner_county = fuyun_lost ? kTianshan : kFuyun;
  const std::string loser = fuyun_lost ? at_fuyun : at_tianshan;
  const std::string winner = fuyun_lost ? at_tianshan : at_fuyun;

  // Quiet: both counties have read every claim (both racing ones included).
  ASSERT_TRUE(ClaimsReadAt(winner_county, loser_county));
  ASSERT_TRUE(ClaimsReadAt(loser_county, winner_county));
  ASSERT_TRUE(ClaimsReadAt(kNanshan, winner_county));

  EXPECT_EQ(flag(loser_county, loser), winner);
  EXPECT_EQ(flag(winner_county, winner), "") << "both registrations were flagged";
  // Nanshan, which shares both members, sees the same.
  EXPECT_TRUE(cluster().WaitForMember(kNanshan, loser, [&](const v1::Member& m) {
    return m.suspected_duplicate_of() == winner;
  })) << flag(kNanshan, loser);
  ASSERT_TRUE(cluster().WaitForStatus(kNanshan, winner, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  EXPECT_EQ(flag(kNanshan, winner), "");
  // And every county names the winner as the holder of the ID number.
  for (const char* county : {kFuyun, kTianshan, kNanshan}) {
    absl::Status probe = cluster().ProbeIdentity(county, person);
    EXPECT_EQ(probe.code(), absl::StatusCode::kAlreadyExists) << county << ": " << probe;
    EXPECT_THAT(probe.message(), HasSubstr(winner)) << county;
  }
  // The loser is flagged once: one DuplicateSuspected event in its history.
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> history,
                          cluster().History(loser_county, loser));
  int flags = 0;
  for (const auto& e : history) flags += e.type() == "DuplicateSuspected";
  EXPECT_EQ(flags, 1) << "DuplicateSuspected events in " << loser << "'s history";
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> winner_history,
                          cluster().History(winner_county, winner));
  for (const auto& e : winner_history) EXPECT_NE(e.type(), "DuplicateSuspected");
}

}  // namespace
}  // namespace lianxin::registry_test
