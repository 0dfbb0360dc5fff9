#include "libs/bus/kafka_config.h"

#include <vector>

#include "gtest/gtest.h"

namespace lianxin {
namespace {

TEST(KafkaConfig, ApplyEnvironment_SetsSecretPropertiesAndMasksThemInLogs) {
  KafkaConfig config{"flag:9092", {{"acks", "1"}, {"linger.ms", "7"}}};
  std::vector<std::string> env = {
      "PATH=/bin",
      "LIANXIN_KAFKA_PROP_SASL_PASSWORD=s3cret",
      "LIANXIN_KAFKA_PROP_ACKS=all",
      "LIANXIN_KAFKA_PROP_=ignored",
  };
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  config.ApplyEnvironment(envp.data());
  EXPECT_EQ(config.bootstrap_servers, "flag:9092");
  EXPECT_EQ(config.properties.at("sasl.password"), "s3cret");
  EXPECT_EQ(config.properties.at("acks"), "all");
  EXPECT_EQ(config.properties.at("linger.ms"), "7");
  EXPECT_EQ(config.properties.size(), 3u);
  EXPECT_EQ(config.DebugString().find("s3cret"), std::string::npos);
  EXPECT_NE(config.DebugString().find("linger.ms=7"), std::string::npos);
}

}  // namespace
}  // namespace lianxin
