#include "libs/runtime/channel.h"

#include <sys/stat.h>

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lianxin {
namespace {

using ::testing::HasSubstr;

TEST(IsLoopbackAddressTest, OnlyAddressesThisMachineAloneCanReach) {
  struct Case {
    const char* address;
    bool loopback;
  };
  const Case cases[] = {
      {"127.0.0.1:17101", true},
      {"127.8.9.10:1", true},
      {"localhost:80", true},
      {"LOCALHOST:80", true},
      {"[::1]:443", true},
      {"unix:/run/lx.sock", true},
      {"ipv4:127.0.0.1:5", true},
      {"dns:///localhost:5", true},
      {"[::ffff:127.0.0.1]:1", true},
      {"0.0.0.0:17101", false},
      {"[::]:17101", false},
      {"10.0.0.7:17101", false},
      {"128.0.0.1:1", false},
      {"registry.gov.cn:443", false},
      {"localhost.evil.cn:1", false},
      {"", false},
      {"[::1:443", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsLoopbackAddress(c.address), c.loopback) << c.address;
  }
}

TEST(OpenChannelTest, PlaintextToAnotherMachine_IsRefused) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel("10.20.30.40:17101", TlsFiles());
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(channel.status().message(), HasSubstr("tls_ca"));
  EXPECT_TRUE(OpenChannel("127.0.0.1:17101", TlsFiles()).ok());
}

TEST(MakeChannelCredentialsTest, BadFileSets_NameWhatIsWrong) {
  EXPECT_EQ(MakeChannelCredentials({"cert.pem", "", "ca.pem"}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeChannelCredentials({"cert.pem", "key.pem", ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> missing =
      MakeChannelCredentials({"", "", "/nonexistent/ca.pem"});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("--tls_ca"));
}

TEST(MakeChannelCredentialsTest, ClientKeyOthersCanRead_IsRefused) {
  const std::string dir = ::testing::TempDir();
  const std::string ca = dir + "/channel_test_ca.pem";
  const std::string cert = dir + "/channel_test_cert.pem";
  const std::string key = dir + "/channel_test_key.pem";
  for (const std::string& path : {ca, cert, key}) std::ofstream(path) << "PEM\n";
  chmod(key.c_str(), 0640);
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials({cert, key, ca});
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(credentials.status().message(), HasSubstr("0640"));
}

}  // namespace
}  // namespace lianxin
