// The echo-server process end to end: its stdout contract, health, bearer
// authentication, UTF-8, /metrics, configuration from the environment, and
// a clean exit on SIGTERM.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "lianxin/v1/echo.grpc.pb.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/testing.h"

namespace lianxin {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string EchoServerPath() {
  const char* dir = std::getenv("LIANXIN_BIN_DIR");
  return absl::StrCat(dir != nullptr ? dir : ".", "/echo-server");
}

std::string WriteFile(const std::string& name, const std::string& text) {
  std::string path = absl::StrCat(::testing::TempDir(), "/echo_server_test_", name);
  std::ofstream(path) << text;
  chmod(path.c_str(), 0600);  // a token file others may read is refused
  return path;
}

class EchoServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_file_ =
        WriteFile("tokens.txt", DigestTokenFile("# test tokens\n"
                                                "op-token-0001 op-zhang 654322 operator\n"
                                                "ro-token-0002 op-li 654301 readonly\n"));
  }

  // Starts echo-server and reads its "listening" and "metrics" lines.
  void StartServer(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), EchoServerPath());
    absl::StatusOr<std::unique_ptr<testing::ChildProcess>> child =
        testing::ChildProcess::Start(args, env);
    ASSERT_TRUE(child.ok()) << child.status();
    child_ = *std::move(child);
    absl::StatusOr<std::string> listening = child_->ReadLine();
    ASSERT_TRUE(listening.ok()) << listening.status();
    ASSERT_THAT(*listening, StartsWith("listening 127.0.0.1:"));
    address_ = listening->substr(std::string("listening ").size());
    absl::StatusOr<std::string> metrics = child_->ReadLine();
    ASSERT_TRUE(metrics.ok()) << metrics.status();
    ASSERT_THAT(*metrics, StartsWith("metrics 127.0.0.1:"));
    ASSERT_TRUE(absl::SimpleAtoi(metrics->substr(metrics->rfind(':') + 1), &metrics_port_));
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(address_, TlsFiles());
    ASSERT_TRUE(channel.ok()) << channel.status();
    channel_ = *std::move(channel);
  }

  grpc::Status Say(const std::string& token, const std::string& text, v1::EchoReply* reply) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::EchoRequest request;
    request.set_text(text);
    return v1::Echo::NewStub(channel_)->Say(&context, request, reply);
  }

  // Sends SIGTERM and expects a clean exit. Closes our connection first: an idle
  // connection whose client never polls (a sync stub) would not answer the
  // server's GOAWAY ping, holding shutdown for up to --shutdown_grace.
  void ExpectCleanExitOnSigterm() {
    channel_.reset();
    child_->Signal(SIGTERM);
    absl::StatusOr<int> status = child_->Wait(absl::Seconds(30));
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_TRUE(WIFEXITED(*status));
    EXPECT_EQ(WEXITSTATUS(*status), 0);
  }

  std::string tokens_file_;
  std::unique_ptr<testing::ChildProcess> child_;
  std::string address_;
  int metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(EchoServerTest, ServesAuthenticatedEchoAndExitsCleanlyOnSigterm) {
  ASSERT_NO_FATAL_FAILURE(StartServer(
      {"--tokens_file=" + tokens_file_, "--listen=127.0.0.1:0", "--metrics_address=127.0.0.1:0"}));
  EXPECT_EQ(testing::CheckHealth(channel_, "").value_or(-1), testing::kHealthServing);
  EXPECT_EQ(testing::CheckHealth(channel_, "lianxin.v1.Echo").value_or(-1),
            testing::kHealthServing);

  v1::EchoReply reply;
  EXPECT_EQ(Say("", "x", &reply).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Say("no-such-token", "x", &reply).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status s = Say("op-token-0001", "富蕴县 张三", &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.text(), "富蕴县 张三");
  EXPECT_EQ(reply.operator_id(), "op-zhang");
  EXPECT_EQ(reply.jurisdiction(), "654322");

  absl::StatusOr<std::vector<std::string>> services = testing::ListServicesByReflection(channel_);
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_THAT(*services, ::testing::Contains("lianxin.v1.Echo"));

  absl::StatusOr<std::string> page = testing::HttpGet(metrics_port_, "/metrics");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(*page, HasSubstr("lianxin_rpc_total{"));
  EXPECT_THAT(*page, HasSubstr("code=\"UNAUTHENTICATED\""));

  ExpectCleanExitOnSigterm();
}

TEST_F(EchoServerTest, Sighup_ReloadsTheTokenFile_OnTheSameConnection) {
  ASSERT_NO_FATAL_FAILURE(StartServer(
      {"--tokens_file=" + tokens_file_, "--listen=127.0.0.1:0", "--metrics_address=127.0.0.1:0"}));
  v1::EchoReply reply;
  ASSERT_TRUE(Say("op-token-0001", "before", &reply).ok());
  // Rotate: op-zhang gets a new token, the old one goes.
  WriteFile("tokens.txt", DigestTokenFile("op-token-0003 op-zhang 654322 operator\n"));
  child_->Signal(SIGHUP);
  const absl::Time until = absl::Now() + absl::Seconds(20);
  grpc::Status rotated;
  do {
    rotated = Say("op-token-0003", "after", &reply);
  } while (!rotated.ok() && absl::Now() < until);
  ASSERT_TRUE(rotated.ok()) << rotated.error_message();
  EXPECT_EQ(reply.operator_id(), "op-zhang");
  EXPECT_EQ(Say("op-token-0001", "old", &reply).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A bad file is refused and the loaded tokens stay.
  WriteFile("tokens.txt",
            "op-token-0004 op-zhang 654322 operator\n");  // not a digest
  child_->Signal(SIGHUP);
  child_->Signal(SIGHUP);
  EXPECT_TRUE(Say("op-token-0003", "still", &reply).ok());
  ExpectCleanExitOnSigterm();
}

TEST_F(EchoServerTest, TokenFileOthersCanRead_FailsAtStart) {
  chmod(tokens_file_.c_str(), 0644);
  absl::StatusOr<std::unique_ptr<testing::ChildProcess>> child =
      testing::ChildProcess::Start({EchoServerPath(), "--tokens_file=" + tokens_file_});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ((*child)->ReadLine().status().code(), absl::StatusCode::kOutOfRange);
  absl::StatusOr<int> status = (*child)->Wait();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0);
}

TEST_F(EchoServerTest, TakesFlagsFromEnvironment) {
  ASSERT_NO_FATAL_FAILURE(
      StartServer({}, {"LIANXIN_TOKENS_FILE=" + tokens_file_, "LIANXIN_LISTEN=127.0.0.1:0",
                       "LIANXIN_METRICS_ADDRESS=127.0.0.1:0"}));
  v1::EchoReply reply;
  grpc::Status s = Say("ro-token-0002", "只读", &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.operator_id(), "op-li");
  ExpectCleanExitOnSigterm();
}

TEST_F(EchoServerTest, BadTokenFileFailsAtStart) {
  std::string bad = WriteFile("bad_tokens.txt",
                              DigestTokenFile("tok op 654322 operator\ntok2 op2 654322 root\n"));
  absl::StatusOr<std::unique_ptr<testing::ChildProcess>> child =
      testing::ChildProcess::Start({EchoServerPath(), "--tokens_file=" + bad});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ((*child)->ReadLine().status().code(), absl::StatusCode::kOutOfRange);
  absl::StatusOr<int> status = (*child)->Wait();
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
}

}  // namespace
}  // namespace lianxin
