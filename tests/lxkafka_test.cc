// lxkafka against a real Kafka protocol endpoint (lianxin-broker): the topics
// a deployment needs checked through Metadata, and create-topics failing
// cleanly where the cluster cannot create topics.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/testing/testing.h"
#include "tests/bus_testing.h"

namespace lianxin {
namespace {

using testing::BinDir;
using testing::BrokerProcess;
using testing::RunProcess;
using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The topics lxkafka plans for 654322 and 650102, for lianxin-broker's --topics.
std::string PlannedTopics(const TempDir& dir) {
  absl::StatusOr<int> code =
      RunProcess({BinDir() + "/lxkafka", "topics", "--counties=654322,650102"}, dir.Sub("plan"));
  EXPECT_TRUE(code.ok() && *code == 0);
  std::string names;
  std::istringstream lines(ReadFile(dir.Sub("plan")));
  for (std::string line; std::getline(lines, line);) {
    absl::StrAppend(&names, names.empty() ? "" : ",", line.substr(0, line.find(' ')));
  }
  return names;
}

// librdkafka's mock cluster has no Admin API (rdkafka_mock.h), so the topics
// are made by lianxin-broker itself and lxkafka checks them through Metadata.
TEST(LxkafkaCheckTopics, FindsEveryPlannedTopicWithItsPartitions) {
  TempDir dir;
  const std::string topics = PlannedTopics(dir);
  ASSERT_NE(topics.find("lx.650102.inbox.v1"), std::string::npos) << topics;
  auto broker = BrokerProcess::Start({"--brokers", "3", "--partitions", "6", "--topics", topics});
  ASSERT_TRUE(broker.ok()) << broker.status();
  absl::StatusOr<int> code = RunProcess(
      {BinDir() + "/lxkafka", "check-topics", "--kafka_brokers=" + (*broker)->bootstrap(),
       "--counties=654322,650102", "--partitions=6"},
      dir.Sub("check.out"));
  ASSERT_TRUE(code.ok()) << code.status();
  const std::string out = ReadFile(dir.Sub("check.out"));
  EXPECT_EQ(*code, 0) << out << ReadFile(dir.Sub("check.out.err"));
  EXPECT_NE(out.find("ok       lx.654322.registry.v1"), std::string::npos) << out;
  EXPECT_NE(out.find("ok       lx.identity.v1"), std::string::npos) << out;
}

TEST(LxkafkaCheckTopics, NamesMissingTopicsAndWrongPartitionCounts) {
  TempDir dir;
  auto broker = BrokerProcess::Start({"--brokers", "3", "--partitions", "4", "--topics",
                                      "lx.654322.registry.v1,lx.654322.contact.v1"});
  ASSERT_TRUE(broker.ok()) << broker.status();
  absl::StatusOr<int> code = RunProcess(
      {BinDir() + "/lxkafka", "check-topics", "--kafka_brokers=" + (*broker)->bootstrap(),
       "--counties=654322", "--partitions=6"},
      dir.Sub("check.out"));
  ASSERT_TRUE(code.ok()) << code.status();
  const std::string out = ReadFile(dir.Sub("check.out"));
  EXPECT_EQ(*code, 1) << out;
  EXPECT_NE(out.find("WRONG    lx.654322.registry.v1: 4 partitions, planned 6"), std::string::npos)
      << out;
  EXPECT_NE(out.find("missing  lx.654322.inbox.v1"), std::string::npos) << out;
  EXPECT_NE(ReadFile(dir.Sub("check.out.err")).find("not as planned"), std::string::npos);
}

// Against a cluster that cannot create topics (the mock), create-topics
// fails with the cluster's reason within its timeout, never hangs.
TEST(LxkafkaCreateTopics, ReportsAClusterThatCannotCreateTopics) {
  TempDir dir;
  auto broker = BrokerProcess::Start({"--brokers", "3"});
  ASSERT_TRUE(broker.ok()) << broker.status();
  absl::StatusOr<int> code =
      RunProcess({BinDir() + "/lxkafka", "create-topics",
                  "--kafka_brokers=" + (*broker)->bootstrap(), "--counties=654322", "--timeout=3s"},
                 dir.Sub("create.out"), absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 1);
  EXPECT_NE(ReadFile(dir.Sub("create.out.err")).find("lxkafka: create-topics: "),
            std::string::npos);
}

TEST(LxkafkaCreateTopics, RefusesABadCountyCodeNamingIt) {
  TempDir dir;
  absl::StatusOr<int> code = RunProcess(
      {BinDir() + "/lxkafka", "create-topics", "--kafka_brokers=127.0.0.1:1", "--counties=65432x"},
      dir.Sub("out"));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(ReadFile(dir.Sub("out.err")).find("65432x"), std::string::npos);
}

}  // namespace
}  // namespace lianxin
