#include "libs/runtime/config.h"

#include <cstdlib>

#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lianxin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// Restores every flag and clears the LIANXIN_* variables a test set.
class ConfigTest : public ::testing::Test {
 protected:
  void SetEnv(const char* name, const char* value) {
    setenv(name, value, 1);
    set_.push_back(name);
  }
  void TearDown() override {
    for (const char* name : set_) unsetenv(name);
  }

 private:
  absl::FlagSaver saver_;
  std::vector<const char*> set_;
};

TEST_F(ConfigTest, Defaults) {
  absl::StatusOr<RuntimeConfig> config = RuntimeConfigFromFlags();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_address, "127.0.0.1:0");
  EXPECT_EQ(config->metrics_address, "127.0.0.1:0");
  EXPECT_TRUE(config->tokens_file.empty());
  EXPECT_TRUE(config->kafka_config.empty());
  EXPECT_EQ(config->shutdown_grace, absl::Seconds(10));
}

TEST_F(ConfigTest, EnvironmentOverridesDefault) {
  SetEnv("LIANXIN_LISTEN", "0.0.0.0:7443");
  SetEnv("LIANXIN_JURISDICTION", "654322");
  SetEnv("LIANXIN_KAFKA_CONFIG", "acks=all, linger.ms=5");
  SetEnv("LIANXIN_SHUTDOWN_GRACE", "3s");
  SetEnv("LIANXIN_METRICS_ADDRESS", "");  // an empty value counts: no endpoint
  ASSERT_TRUE(ApplyEnvironmentToFlags().ok());
  absl::StatusOr<RuntimeConfig> config = RuntimeConfigFromFlags();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_address, "0.0.0.0:7443");
  EXPECT_EQ(config->jurisdiction, "654322");
  EXPECT_THAT(config->kafka_config, ElementsAre(Pair("acks", "all"), Pair("linger.ms", "5")));
  EXPECT_EQ(config->shutdown_grace, absl::Seconds(3));
  EXPECT_EQ(config->metrics_address, "");
}

TEST_F(ConfigTest, CommandLineOverridesEnvironment) {
  SetEnv("LIANXIN_DATA_DIR", "/from/env");
  SetEnv("LIANXIN_TOKENS_FILE", "/env/tokens.txt");
  char arg0[] = "service";
  char arg1[] = "--data_dir=/from/command/line";
  char* argv[] = {arg0, arg1, nullptr};
  absl::StatusOr<RuntimeConfig> config = ParseRuntimeFlags(2, argv);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->data_dir, "/from/command/line");
  EXPECT_EQ(config->tokens_file, "/env/tokens.txt");
}

TEST_F(ConfigTest, UnparsableEnvironmentValueNamesVariable) {
  SetEnv("LIANXIN_SHUTDOWN_GRACE", "soon");
  absl::Status s = ApplyEnvironmentToFlags();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("LIANXIN_SHUTDOWN_GRACE"));
}

TEST_F(ConfigTest, InvalidValuesNameTheFlag) {
  SetEnv("LIANXIN_JURISDICTION", "65432");
  ASSERT_TRUE(ApplyEnvironmentToFlags().ok());
  EXPECT_THAT(RuntimeConfigFromFlags().status().message(), HasSubstr("--jurisdiction"));
  unsetenv("LIANXIN_JURISDICTION");
}

TEST_F(ConfigTest, TlsCertWithoutKeyIsInvalid) {
  SetEnv("LIANXIN_TLS_CERT", "/etc/lianxin/cert.pem");
  ASSERT_TRUE(ApplyEnvironmentToFlags().ok());
  absl::StatusOr<RuntimeConfig> config = RuntimeConfigFromFlags();
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("--tls_key"));
}

TEST(ParseKafkaConfigTest, ParsesItemsAndRejectsMalformedOnes) {
  EXPECT_THAT(*ParseKafkaConfig(""), ElementsAre());
  EXPECT_THAT(*ParseKafkaConfig("a=1,b=x=y"), ElementsAre(Pair("a", "1"), Pair("b", "x=y")));
  EXPECT_THAT(*ParseKafkaConfig("a=,"), ElementsAre(Pair("a", "")));
  absl::StatusOr<std::map<std::string, std::string>> bad = ParseKafkaConfig("a=1,oops");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("\"oops\""));
  EXPECT_FALSE(ParseKafkaConfig("=1").ok());
}

}  // namespace
}  // namespace lianxin
