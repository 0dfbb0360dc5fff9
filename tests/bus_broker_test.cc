// lianxin-broker as a real Kafka endpoint: kcat lists, produces and consumes;
// fixed ports survive a restart; signals take brokers down and up.
#include <signal.h>

#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/bus_testing.h"

namespace lianxin {
namespace {

using ::lianxin::testing::BrokerProcess;
using ::lianxin::testing::ReadFile;
using ::lianxin::testing::RunProcess;
using ::lianxin::testing::TempDir;
using ::lianxin::testing::WaitFor;

// Produces "key:value" lines to `topic` with kcat.
absl::StatusOr<int> KcatProduce(const std::string& bootstrap, const std::string& topic,
                                const std::string& lines_path, const std::string& out_path) {
  return RunProcess({"kcat", "-b", bootstrap, "-P", "-t", topic, "-K:", "-l", lines_path},
                    out_path);
}

TEST(Broker, PrintsBootstrapAndServesKcat) {
  absl::StatusOr<std::unique_ptr<BrokerProcess>> broker = BrokerProcess::Start();
  ASSERT_TRUE(broker.ok()) << broker.status();
  const std::string bootstrap = (*broker)->bootstrap();
  std::vector<std::string> hosts = absl::StrSplit(bootstrap, ',');
  ASSERT_EQ(hosts.size(), 3u) << bootstrap;
  for (const std::string& h : hosts) EXPECT_TRUE(absl::StartsWith(h, "127.0.0.1:")) << h;

  TempDir dir;
  {
    std::ofstream lines(dir.Sub("in"));
    lines << "m-1:first\nm-2:second\nm-1:third\n";
  }
  absl::StatusOr<int> rc = KcatProduce(bootstrap, "lx.test.v1", dir.Sub("in"), dir.Sub("p"));
  ASSERT_TRUE(rc.ok()) << rc.status();
  ASSERT_EQ(*rc, 0) << ReadFile(dir.Sub("p.err"));

  rc = RunProcess({"kcat", "-b", bootstrap, "-L"}, dir.Sub("meta"));
  ASSERT_TRUE(rc.ok() && *rc == 0) << ReadFile(dir.Sub("meta.err"));
  EXPECT_TRUE(absl::StrContains(ReadFile(dir.Sub("meta")), "3 brokers"));
  EXPECT_TRUE(absl::StrContains(ReadFile(dir.Sub("meta")), "topic \"lx.test.v1\""));

  rc = RunProcess(
      {"kcat", "-b", bootstrap, "-C", "-t", "lx.test.v1", "-o", "beginning", "-e", "-f", "%k=%s\n"},
      dir.Sub("c"));
  ASSERT_TRUE(rc.ok() && *rc == 0) << ReadFile(dir.Sub("c.err"));
  std::vector<std::string> got = absl::StrSplit(ReadFile(dir.Sub("c")), '\n', absl::SkipEmpty());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"m-1=first", "m-1=third", "m-2=second"}));
  // Same key, same partition: order kept.
  const std::string all = ReadFile(dir.Sub("c"));
  EXPECT_LT(all.find("m-1=first"), all.find("m-1=third"));

  EXPECT_EQ((*broker)->Stop(), 0);
}

TEST(Broker, PrecreatesTopicsWithPartitions) {
  absl::StatusOr<std::unique_ptr<BrokerProcess>> broker =
      BrokerProcess::Start({"--brokers=2", "--partitions=5", "--topics=lx.a.v1,lx.b.v1"});
  ASSERT_TRUE(broker.ok()) << broker.status();
  TempDir dir;
  absl::StatusOr<int> rc = RunProcess({"kcat", "-b", (*broker)->bootstrap(), "-L"}, dir.Sub("m"));
  ASSERT_TRUE(rc.ok() && *rc == 0);
  const std::string meta = ReadFile(dir.Sub("m"));
  EXPECT_TRUE(absl::StrContains(meta, "2 brokers")) << meta;
  EXPECT_TRUE(absl::StrContains(meta, "topic \"lx.a.v1\" with 5 partitions")) << meta;
  EXPECT_TRUE(absl::StrContains(meta, "topic \"lx.b.v1\" with 5 partitions")) << meta;
}

TEST(Broker, RestartsOnTheSameFixedPorts) {
  TempDir dir;
  std::string ports;
  std::string bootstrap;
  {
    absl::StatusOr<std::unique_ptr<BrokerProcess>> first = BrokerProcess::Start();
    ASSERT_TRUE(first.ok()) << first.status();
    ports = (*first)->ports();
    bootstrap = (*first)->bootstrap();
    // A client connection, so that the restart meets sockets in TIME_WAIT.
    absl::StatusOr<int> rc = RunProcess({"kcat", "-b", bootstrap, "-L"}, dir.Sub("m0"));
    ASSERT_TRUE(rc.ok() && *rc == 0);
    ASSERT_EQ((*first)->Stop(), 0);
  }
  absl::StatusOr<std::unique_ptr<BrokerProcess>> second =
      BrokerProcess::Start({"--ports=" + ports, "--bootstrap_file=" + dir.Sub("bootstrap")});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ((*second)->bootstrap(), bootstrap);
  EXPECT_EQ(ReadFile(dir.Sub("bootstrap")), bootstrap + "\n");
  absl::StatusOr<int> rc = RunProcess({"kcat", "-b", bootstrap, "-L"}, dir.Sub("m1"));
  ASSERT_TRUE(rc.ok() && *rc == 0) << ReadFile(dir.Sub("m1.err"));
  EXPECT_TRUE(absl::StrContains(ReadFile(dir.Sub("m1")), "3 brokers"));
}

TEST(Broker, RefusesPortsInUse) {
  absl::StatusOr<std::unique_ptr<BrokerProcess>> first = BrokerProcess::Start({"--brokers=1"});
  ASSERT_TRUE(first.ok());
  absl::StatusOr<std::unique_ptr<BrokerProcess>> second =
      BrokerProcess::Start({"--brokers=1", "--ports=" + (*first)->ports()});
  EXPECT_FALSE(second.ok());
}

TEST(Broker, SignalsTakeBrokersDownAndUp) {
  absl::StatusOr<std::unique_ptr<BrokerProcess>> broker = BrokerProcess::Start();
  ASSERT_TRUE(broker.ok()) << broker.status();
  TempDir dir;
  const std::string bootstrap = (*broker)->bootstrap();
  (*broker)->Signal(SIGUSR1);
  EXPECT_TRUE(WaitFor([&] {
    absl::StatusOr<int> rc =
        RunProcess({"kcat", "-b", bootstrap, "-L", "-m", "1"}, dir.Sub("down"));
    return rc.ok() && *rc != 0;
  }));
  (*broker)->Signal(SIGUSR2);
  EXPECT_TRUE(WaitFor([&] {
    absl::StatusOr<int> rc = RunProcess({"kcat", "-b", bootstrap, "-L", "-m", "2"}, dir.Sub("up"));
    return rc.ok() && *rc == 0;
  }));
  EXPECT_EQ((*broker)->Stop(), 0);
}

}  // namespace
}  // namespace lianxin
