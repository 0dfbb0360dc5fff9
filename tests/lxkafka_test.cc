// lxkafka create-topics against a real Kafka protocol endpoint (lianxin-broker):
// every planned topic is created with its partitions, and a second run leaves
// them as they are.
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "librdkafka/rdkafka.h"
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

// Partition count of every topic on the cluster, from a metadata request.
std::map<std::string, int> TopicPartitions(const std::string& bootstrap) {
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  std::map<std::string, int> partitions;
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(rk, 1, nullptr, &metadata, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < metadata->topic_cnt; ++i) {
      partitions[metadata->topics[i].topic] = metadata->topics[i].partition_cnt;
    }
    rd_kafka_metadata_destroy(metadata);
  }
  rd_kafka_destroy(rk);
  return partitions;
}

TEST(LxkafkaCreateTopics, CreatesEveryPlannedTopicOnceWithItsPartitions) {
  auto broker = BrokerProcess::Start({"--brokers", "3"});
  ASSERT_TRUE(broker.ok()) << broker.status();
  TempDir dir;
  const std::vector<std::string> args = {BinDir() + "/lxkafka", "create-topics",
                                         "--kafka_brokers=" + (*broker)->bootstrap(),
                                         "--counties=654322,650102", "--partitions=6",
                                         "--timeout=20s"};
  absl::StatusOr<int> first = RunProcess(args, dir.Sub("first.out"), absl::Seconds(60));
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(*first, 0) << ReadFile(dir.Sub("first.out")) << ReadFile(dir.Sub("first.out.err"));
  const std::string created = ReadFile(dir.Sub("first.out"));
  EXPECT_NE(created.find("created  lx.654322.registry.v1"), std::string::npos) << created;
  EXPECT_NE(created.find("created  lx.identity.v1"), std::string::npos) << created;

  const auto partitions = TopicPartitions((*broker)->bootstrap());
  for (const char* topic : {"lx.654322.registry.v1", "lx.654322.contact.v1",
                            "lx.654322.education.v1", "lx.654322.appraisal.v1",
                            "lx.654322.inbox.v1", "lx.650102.registry.v1", "lx.650102.inbox.v1",
                            "lx.identity.v1", "lx.anchors.v1", "lx.directory.v1"}) {
    ASSERT_TRUE(partitions.count(topic)) << topic;
    EXPECT_EQ(partitions.at(topic), 6) << topic;
  }

  absl::StatusOr<int> second = RunProcess(args, dir.Sub("second.out"), absl::Seconds(60));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, 0) << ReadFile(dir.Sub("second.out.err"));
  const std::string again = ReadFile(dir.Sub("second.out"));
  EXPECT_NE(again.find("exists   lx.654322.registry.v1"), std::string::npos) << again;
  EXPECT_EQ(again.find("created"), std::string::npos) << again;
}

TEST(LxkafkaCreateTopics, RefusesABadCountyCodeNamingIt) {
  TempDir dir;
  absl::StatusOr<int> code = RunProcess({BinDir() + "/lxkafka", "create-topics",
                                         "--kafka_brokers=127.0.0.1:1", "--counties=65432x"},
                                        dir.Sub("out"));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 2);
  EXPECT_NE(ReadFile(dir.Sub("out.err")).find("65432x"), std::string::npos);
}

}  // namespace
}  // namespace lianxin
