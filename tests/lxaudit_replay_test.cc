// lxaudit on a real two-county registry run (broker + two registry
// processes): replay of each county's log reproduces every live projection
// digest, replay from Kafka equals replay from the local log, verify passes
// while the services run, and timeline, export and as-of tell the history.
#include <filesystem>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "tests/lxaudit_fixture.h"
#include "tests/registry_fixture.h"

namespace lianxin::lxaudit_test {
namespace {

using namespace ::lianxin::registry_test;  // NOLINT: the fixture's vocabulary

class LxauditReplayTest : public ::testing::Test {
 protected:
  // One run for the whole suite: the counties share members both ways.
  static void SetUpTestSuite() {
    cluster_ = new RegistryCluster({kFuyun, kTianshan});
    LX_ASSERT_OK(cluster_->Start());
    // Fuyun members away in Tianshan: one arrives, gets a certificate and
    // organization life; one is transferred; one returns.
    LX_ASSERT_OK_AND_ASSIGN(arrived_, cluster_->RegisterAway(kFuyun, kTianshan, "张三"));
    LX_ASSERT_OK(cluster_->RecordArrival(kTianshan, Arrival(arrived_, kTianshan)));
    ASSERT_TRUE(cluster_->WaitForStatus(kFuyun, arrived_, v1::MEMBER_STATUS_OUTFLOW_RECEIVED));
    LX_ASSERT_OK(cluster_->IssueCertificate(kFuyun, Certificate(arrived_, "FY-0001")));
    ASSERT_TRUE(cluster_->WaitForMember(
        kTianshan, arrived_, [](const v1::Member& m) { return !m.certificate_no().empty(); }));
    LX_ASSERT_OK(cluster_->RecordCertificateEntry(kTianshan, OrganizationLife(arrived_)));
    LX_ASSERT_OK_AND_ASSIGN(transferred_, cluster_->RegisterAway(kFuyun, kTianshan, "阿依古丽"));
    LX_ASSERT_OK(cluster_->RequestTransfer(kFuyun, Transfer(transferred_, kTianshan, "L-01")));
    ASSERT_TRUE(cluster_->WaitForMember(kTianshan, transferred_,
                                        [](const v1::Member& m) { return m.transfer_pending(); }));
    LX_ASSERT_OK(cluster_->AcceptTransfer(kTianshan, Accept(transferred_, "天山区第一党支部")));
    LX_ASSERT_OK_AND_ASSIGN(std::string returned,
                            cluster_->RegisterAway(kFuyun, kTianshan, "努尔兰·哈木提"));
    LX_ASSERT_OK(cluster_->RecordReturn(kFuyun, Return(returned)));
    // A Tianshan member away in Fuyun, and residents on both sides.
    LX_ASSERT_OK_AND_ASSIGN(std::string inbound, cluster_->RegisterAway(kTianshan, kFuyun, "李梅"));
    LX_ASSERT_OK(cluster_->Register(kFuyun, NewPerson("王建国")).status());
    LX_ASSERT_OK(cluster_->Register(kTianshan, NewPerson("赵丽", kTianshan)).status());
    // Both sides converged on every shared member.
    ASSERT_TRUE(cluster_->WaitForMember(kFuyun, transferred_, [](const v1::Member& m) {
      return m.transfer_outcome() == "ACCEPTED";
    }));
    ASSERT_TRUE(cluster_->WaitForMember(
        kTianshan, returned, [](const v1::Member& m) { return !m.returned_on().empty(); }));
    ASSERT_TRUE(cluster_->WaitForMember(
        kTianshan, arrived_, [](const v1::Member& m) { return !m.certificate_no().empty(); }));
    endpoints_ = cluster_->dir().Sub("endpoints.json");
    WriteEndpoints(
        endpoints_, cluster_->bootstrap(),
        {{kFuyun, cluster_->dir().Sub(kFuyun)}, {kTianshan, cluster_->dir().Sub(kTianshan)}});
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    if (cluster_ == nullptr || endpoints_.empty()) GTEST_SKIP() << "the run did not start";
  }

  static LxauditRun Lxaudit(std::vector<std::string> args) {
    args.push_back("--endpoints");
    args.push_back(endpoints_);
    return RunLxaudit(cluster_->dir().path(), args);
  }

  static RegistryCluster* cluster_;
  static std::string endpoints_;
  static std::string arrived_;
  static std::string transferred_;
};

RegistryCluster* LxauditReplayTest::cluster_ = nullptr;
std::string LxauditReplayTest::endpoints_;
std::string LxauditReplayTest::arrived_;
std::string LxauditReplayTest::transferred_;

TEST_F(LxauditReplayTest, ReplayOfEachLogReproducesEveryLiveDigest) {
  LxauditRun run = Lxaudit({"replay", "--digests", "--scratch", cluster_->dir().Sub("scratch")});
  ASSERT_EQ(run.code, 0) << run.out << run.err << cluster_->Logs();
  for (const char* county : {kFuyun, kTianshan}) {
    const std::string label = absl::StrCat(county, " registry");
    EXPECT_EQ(run.LinesWith(absl::StrCat(label, ": all ")).size(), 1u) << run.out;
    const std::string rebuilt = DigestLine(run, label, "rebuilt");
    EXPECT_EQ(rebuilt.size(), 64u) << run.out;
    EXPECT_EQ(rebuilt, DigestLine(run, label, "live")) << run.out;
    EXPECT_TRUE(run.LinesWith("DIFFERS").empty()) << run.out;
  }
  // Every member of each county has its own digest line, and the shared ones
  // appear on both sides.
  EXPECT_EQ(run.LinesWith(absl::StrCat(kFuyun, " registry: aggregate ", transferred_)).size(), 1u);
  EXPECT_EQ(run.LinesWith(absl::StrCat(kTianshan, " registry: aggregate ", transferred_)).size(),
            1u);
  EXPECT_TRUE(std::filesystem::exists(cluster_->dir().Sub("scratch") + "/654322/registry/CURRENT"));
}

TEST_F(LxauditReplayTest, ReplayFromKafkaEqualsReplayFromTheLocalLog) {
  LxauditRun local = Lxaudit({"replay", "--digests"});
  ASSERT_EQ(local.code, 0) << local.out << local.err;
  // The relays publish asynchronously: wait until each topic holds its whole log.
  LxauditRun kafka;
  ASSERT_TRUE(WaitFor(
      [&] {
        kafka = Lxaudit({"replay", "--digests", "--source", "kafka"});
        return kafka.code == 0;
      },
      absl::Seconds(60)))
      << kafka.out << kafka.err;
  for (const char* county : {kFuyun, kTianshan}) {
    const std::string label = absl::StrCat(county, " registry");
    EXPECT_EQ(DigestLine(kafka, label, "rebuilt"), DigestLine(local, label, "rebuilt"));
    EXPECT_EQ(DigestLine(kafka, label, "rebuilt"), DigestLine(kafka, label, "live"));
    EXPECT_EQ(kafka.LinesWith(absl::StrCat(label, ": aggregate ")),
              local.LinesWith(absl::StrCat(label, ": aggregate ")));
    EXPECT_EQ(kafka.LinesWith(absl::StrCat("from lx.", county, ".registry.v1")).size(), 1u)
        << kafka.out;
  }
}

TEST_F(LxauditReplayTest, VerifyPassesWhileTheServicesRun) {
  LxauditRun run = Lxaudit({"verify"});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_EQ(run.LinesWith("chain intact").size(), 2u) << run.out;
  EXPECT_EQ(run.LinesWith("2 logs verified, 0 breaks").size(), 1u) << run.out;
  // And again while a registry keeps committing.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop && i < 200; ++i) {
      (void)cluster_->Register(kFuyun, NewPerson(absl::StrCat("写入", i)));
    }
  });
  LxauditRun during = Lxaudit({"verify", "--county", kFuyun});
  LxauditRun replay = Lxaudit({"replay", "--county", kFuyun});
  stop = true;
  writer.join();
  EXPECT_EQ(during.code, 0) << during.out << during.err;
  EXPECT_EQ(replay.code, 0) << replay.out << replay.err;
}

TEST_F(LxauditReplayTest, TimelineTellsTheMemberAcrossCountiesInDomainOrder) {
  LxauditRun run;
  // From the topics: wait until the relays published the member's last events.
  ASSERT_TRUE(WaitFor(
      [&] {
        run = Lxaudit({"timeline", transferred_});
        return run.code == 0 && !run.LinesWith("TransferAccepted").empty();
      },
      absl::Seconds(60)))
      << run.out << run.err;
  std::vector<std::string> lines = run.Lines();
  std::vector<std::string> types;
  for (const std::string& line : lines) {
    for (const char* type :
         {"MemberRegistered", "OutflowRegistered", "TransferRequested", "TransferAccepted"}) {
      if (absl::StrContains(line, absl::StrCat("  ", type, "  "))) types.push_back(type);
    }
  }
  EXPECT_EQ(types, (std::vector<std::string>{"MemberRegistered", "OutflowRegistered",
                                             "TransferRequested", "TransferAccepted"}))
      << run.out;
  // Decided in Fuyun, recorded also in Tianshan (and the other way for the
  // acceptance); who did it.
  EXPECT_TRUE(absl::StrContains(run.LinesWith("TransferRequested")[0], "654322 registry"));
  EXPECT_TRUE(absl::StrContains(run.LinesWith("TransferRequested")[0], "also 650102/registry"));
  EXPECT_TRUE(absl::StrContains(run.LinesWith("TransferAccepted")[0], "650102 registry"));
  EXPECT_TRUE(absl::StrContains(run.LinesWith("TransferAccepted")[0], "by op-650102"));
  EXPECT_TRUE(absl::StrContains(run.LinesWith("TransferAccepted")[0], "also 654322/registry"));
  EXPECT_TRUE(absl::StrContains(run.out, "name=阿依古丽")) << run.out;

  LxauditRun json = Lxaudit({"timeline", transferred_, "--json", "--source", "local"});
  ASSERT_EQ(json.code, 0) << json.err;
  ASSERT_EQ(json.Lines().size(), lines.size()) << json.out;
  for (const std::string& line : json.Lines()) {
    EXPECT_TRUE(absl::StartsWith(line, "{\"also_recorded_in\":[")) << line;
    EXPECT_TRUE(absl::StrContains(line, absl::StrCat("\"aggregate_id\":\"", transferred_, "\"")));
  }
  EXPECT_TRUE(absl::StrContains(json.out, "\"transfer_accepted\":{")) << json.out;
}

TEST_F(LxauditReplayTest, ExportWritesEveryEventAsJsonWithItsPayload) {
  LxauditRun run = Lxaudit({"export", "--county", kFuyun});
  ASSERT_EQ(run.code, 0) << run.err;
  std::set<uint64_t> sequences;
  for (const std::string& line : run.Lines()) {
    ASSERT_TRUE(absl::StartsWith(line, "{") && absl::EndsWith(line, "}")) << line;
    EXPECT_TRUE(absl::StrContains(line,
                                  "\"source\":{\"jurisdiction\":\"654322\",\"service\":"
                                  "\"registry\"}"))
        << line;
    const size_t at = line.find("\"sequence\":\"");
    ASSERT_NE(at, std::string::npos) << line;
    sequences.insert(std::stoull(line.substr(at + 12)));
  }
  ASSERT_FALSE(sequences.empty());
  EXPECT_EQ(*sequences.begin(), 1u);
  EXPECT_EQ(*sequences.rbegin(), sequences.size());  // 1..N, each once
  EXPECT_TRUE(absl::StrContains(run.out, "\"member_registered\":{")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "\"name\":\"张三\"")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.err, absl::StrCat(sequences.size(), " events exported")));

  LxauditRun one = Lxaudit({"export", "--member", arrived_, "--county", kTianshan});
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_FALSE(one.Lines().empty());
  for (const std::string& line : one.Lines()) {
    EXPECT_TRUE(absl::StrContains(line, absl::StrCat("\"aggregate_id\":\"", arrived_, "\"")));
  }
}

TEST_F(LxauditReplayTest, AsOfYesterdayKnowsNothingOfTodaysMember) {
  LxauditRun today = Lxaudit({"as-of", transferred_, Day(0), "--json", "--county", kFuyun});
  ASSERT_EQ(today.code, 0) << today.out << today.err;
  EXPECT_TRUE(absl::StrContains(today.out, "\"transfer_outcome\":\"ACCEPTED\"")) << today.out;
  EXPECT_TRUE(absl::StrContains(today.out, "\"home_jurisdiction\":\"650102\"")) << today.out;
  LxauditRun yesterday = Lxaudit({"as-of", transferred_, Day(-1), "--json", "--county", kFuyun});
  ASSERT_EQ(yesterday.code, 0) << yesterday.out << yesterday.err;
  EXPECT_TRUE(absl::StrContains(yesterday.out, "\"version\":0,")) << yesterday.out;
  EXPECT_TRUE(absl::StrContains(yesterday.out, "\"state\":null")) << yesterday.out;
}

}  // namespace
}  // namespace lianxin::lxaudit_test
