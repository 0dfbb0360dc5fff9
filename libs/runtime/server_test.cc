// A real server on 127.0.0.1:0, in process, with a test Echo service on the
// runtime: health, reflection, authentication, metrics, TLS, shutdown.
#include "libs/runtime/server.h"

#include <fstream>
#include <stdexcept>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "lianxin/v1/echo.grpc.pb.h"
#include "libs/common/metrics.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/metrics_endpoint.h"
#include "libs/runtime/rpc.h"
#include "libs/runtime/testing.h"

namespace lianxin {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

constexpr char kTokens[] =
    "op-token-0001 op-zhang 654322 operator\n"
    "ro-token-0002 op-li 654301 readonly\n";

// Echo, plus two test hooks: text "mutate" needs a mutating role; "throw" throws.
class TestEcho final : public v1::Echo::CallbackService {
 public:
  explicit TestEcho(RpcPlumbing plumbing) : plumbing_(plumbing) {}
  grpc::ServerUnaryReactor* Say(grpc::CallbackServerContext* context,
                                const v1::EchoRequest* request, v1::EchoReply* reply) override {
    return ServeUnaryRpc(context, "/lianxin.v1.Echo/Say", plumbing_,
                         [&](const Principal& caller) -> absl::Status {
                           if (request->text() == "mutate") {
                             if (absl::Status s = CheckCanMutate(caller); !s.ok()) return s;
                           }
                           if (request->text() == "throw") throw std::runtime_error("boom");
                           reply->set_text(request->text());
                           reply->set_operator_id(caller.operator_id);
                           reply->set_jurisdiction(caller.jurisdiction);
                           return absl::OkStatus();
                         });
  }

 private:
  RpcPlumbing plumbing_;
};

Authenticator TestAuthenticator() { return *Authenticator::FromText(kTokens, "test tokens"); }

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RpcServer>> server =
        RpcServer::Start({"127.0.0.1:0", nullptr, {{v1::Echo::service_full_name(), &echo_}}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    stub_ = v1::Echo::NewStub(channel_);
  }

  // Calls Say with `token` (none if empty).
  grpc::Status Say(const std::string& token, const std::string& text, v1::EchoReply* reply) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::EchoRequest request;
    request.set_text(text);
    return stub_->Say(&context, request, reply);
  }

  Authenticator authenticator_ = TestAuthenticator();
  Metrics metrics_;
  TestEcho echo_{{&authenticator_, &metrics_}};
  std::unique_ptr<RpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Echo::Stub> stub_;
};

TEST_F(ServerTest, Start_ReportsBoundPort) {
  EXPECT_GT(server_->port(), 0);
  EXPECT_EQ(server_->address(), absl::StrCat("127.0.0.1:", server_->port()));
}

TEST_F(ServerTest, Health_ServingForServerAndEachService) {
  EXPECT_EQ(testing::CheckHealth(channel_, "").value_or(-1), testing::kHealthServing);
  EXPECT_EQ(testing::CheckHealth(channel_, "lianxin.v1.Echo").value_or(-1),
            testing::kHealthServing);
  EXPECT_EQ(testing::CheckHealth(channel_, "lianxin.v1.Nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ServerTest, Health_NeedsNoToken_ButEchoDoes) {
  v1::EchoReply reply;
  grpc::Status s = Say("", "你好", &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("missing authorization"));
  EXPECT_TRUE(testing::CheckHealth(channel_, "").ok());
}

TEST_F(ServerTest, Say_UnknownTokenIsUnauthenticated) {
  v1::EchoReply reply;
  grpc::Status s = Say("op-token-9999", "x", &reply);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("unknown bearer token"));
}

TEST_F(ServerTest, Say_ValidTokenRepliesWithPrincipalAndChineseTextRoundTrips) {
  v1::EchoReply reply;
  grpc::Status s = Say("op-token-0001", "富蕴县 张三", &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.text(), "富蕴县 张三");
  EXPECT_EQ(reply.operator_id(), "op-zhang");
  EXPECT_EQ(reply.jurisdiction(), "654322");
}

TEST_F(ServerTest, Say_ReadonlyPrincipalCannotMutate) {
  v1::EchoReply reply;
  EXPECT_TRUE(Say("ro-token-0002", "read", &reply).ok());
  EXPECT_EQ(reply.operator_id(), "op-li");
  EXPECT_EQ(Say("ro-token-0002", "mutate", &reply).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Say("op-token-0001", "mutate", &reply).ok());
}

TEST_F(ServerTest, Say_HandlerExceptionBecomesInternalAndServerLives) {
  v1::EchoReply reply;
  EXPECT_EQ(Say("op-token-0001", "throw", &reply).error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_TRUE(Say("op-token-0001", "still here", &reply).ok());
}

TEST_F(ServerTest, Reflection_ListsEchoAndHealth) {
  absl::StatusOr<std::vector<std::string>> services = testing::ListServicesByReflection(channel_);
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_THAT(*services, IsSupersetOf({"lianxin.v1.Echo", "grpc.health.v1.Health"}));
}

TEST_F(ServerTest, MetricsEndpoint_ServesRpcCountsAfterCalls) {
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
      MetricsEndpoint::Start("127.0.0.1:0", metrics_.registry());
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  ASSERT_GT((*endpoint)->port(), 0);
  v1::EchoReply reply;
  ASSERT_TRUE(Say("op-token-0001", "count me", &reply).ok());
  ASSERT_FALSE(Say("", "and me", &reply).ok());

  absl::StatusOr<std::string> page = testing::HttpGet((*endpoint)->port(), "/metrics");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(*page, HasSubstr("200 OK"));
  EXPECT_THAT(*page, HasSubstr("lianxin_rpc_total{"));
  EXPECT_THAT(*page, HasSubstr("code=\"OK\""));
  EXPECT_THAT(*page, HasSubstr("code=\"UNAUTHENTICATED\""));
  EXPECT_THAT(*page, HasSubstr("method=\"/lianxin.v1.Echo/Say\""));
  EXPECT_THAT(*page, HasSubstr("lianxin_rpc_latency_seconds_bucket"));
}

TEST_F(ServerTest, MetricsEndpoint_BusyPortIsUnavailable) {
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> first =
      MetricsEndpoint::Start("127.0.0.1:0", metrics_.registry());
  ASSERT_TRUE(first.ok()) << first.status();
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> second =
      MetricsEndpoint::Start(absl::StrCat("127.0.0.1:", (*first)->port()), metrics_.registry());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ServerTest, Start_BusyPortIsUnavailable) {
  absl::StatusOr<std::unique_ptr<RpcServer>> second =
      RpcServer::Start({server_->address(), nullptr, {}});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ServerTest, Shutdown_StopsServingAndIsIdempotent) {
  server_->Shutdown(absl::Seconds(5));
  server_->Shutdown(absl::Seconds(5));
  v1::EchoReply reply;
  EXPECT_EQ(Say("op-token-0001", "x", &reply).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(ServerTest, Shutdown_WithNothingInFlightReturnsBeforeGrace) {
  v1::EchoReply reply;
  ASSERT_TRUE(Say("op-token-0001", "x", &reply).ok());
  absl::Time start = absl::Now();
  server_->Shutdown(absl::Seconds(30));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

// TLS: a certificate made at test time, written to files as the flags would name them.
class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<testing::SelfSignedCertificate> cert = testing::MakeSelfSignedCertificate();
    ASSERT_TRUE(cert.ok()) << cert.status();
    cert_ = *std::move(cert);
    dir_ = ::testing::TempDir();
    files_ = {Write("cert.pem", cert_.cert_pem), Write("key.pem", cert_.key_pem), ""};
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = absl::StrCat(dir_, "/server_test_", name);
    std::ofstream(path) << text;
    return path;
  }
  std::unique_ptr<RpcServer> StartServer() {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        LoadServerCredentials(files_);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    absl::StatusOr<std::unique_ptr<RpcServer>> server =
        RpcServer::Start({"127.0.0.1:0", *credentials, {{v1::Echo::service_full_name(), &echo_}}});
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }
  // Says hello over TLS, presenting the client certificate iff `with_client_cert`.
  grpc::Status SayOverTls(int port, bool with_client_cert) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = cert_.cert_pem;
    if (with_client_cert) {
      options.pem_private_key = cert_.key_pem;
      options.pem_cert_chain = cert_.cert_pem;
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port),
                                             grpc::SslCredentials(options), args);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    context.AddMetadata("authorization", "Bearer op-token-0001");
    v1::EchoRequest request;
    request.set_text("加密");
    v1::EchoReply reply;
    grpc::Status s = v1::Echo::NewStub(channel)->Say(&context, request, &reply);
    if (s.ok()) {
      EXPECT_EQ(reply.text(), "加密");
    }
    return s;
  }

  testing::SelfSignedCertificate cert_;
  std::string dir_;
  TlsFiles files_;
  Authenticator authenticator_ = TestAuthenticator();
  TestEcho echo_{{&authenticator_, nullptr}};
};

TEST_F(TlsServerTest, ServesOverTls) {
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  grpc::Status s = SayOverTls(server->port(), /*with_client_cert=*/false);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(TlsServerTest, WithCa_RequiresClientCertificate) {
  files_.ca_file = Write("ca.pem", cert_.cert_pem);
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  grpc::Status with_cert = SayOverTls(server->port(), /*with_client_cert=*/true);
  EXPECT_TRUE(with_cert.ok()) << with_cert.error_message();
  EXPECT_EQ(SayOverTls(server->port(), /*with_client_cert=*/false).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsServerTest, PlaintextClientCannotTalkToTlsServer) {
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  auto channel = grpc::CreateChannel(server->address(), grpc::InsecureChannelCredentials());
  EXPECT_FALSE(testing::CheckHealth(channel, "", absl::Seconds(5)).ok());
}

// Echo as a UnaryService whose handler blocks until `expected` calls are
// inside it at once (as commits wait for one shared WAL sync), or 20 s pass.
class GatheringEcho final : public UnaryService {
 public:
  GatheringEcho(RpcPlumbing plumbing, int expected)
      : UnaryService(v1::Echo::service_full_name(), plumbing), expected_(expected) {
    Serve<v1::EchoRequest, v1::EchoReply>(
        "Say", [this](const Principal&, const v1::EchoRequest&, v1::EchoReply* reply) {
          absl::MutexLock lock(&mu_);
          ++inside_;
          const bool together =
              mu_.AwaitWithTimeout(absl::Condition(
                                       +[](GatheringEcho* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                                            self->mu_) { return self->inside_ >= self->expected_; },
                                       this),
                                   absl::Seconds(20));
          reply->set_text(together ? "together" : "alone");
          return absl::OkStatus();
        });
  }

 private:
  const int expected_;
  absl::Mutex mu_;
  int inside_ ABSL_GUARDED_BY(mu_) = 0;
};

TEST(UnaryServiceTest, BlockingHandlersRunConcurrentlyOnTheHandlerPool) {
  constexpr int kCalls = 24;
  Authenticator authenticator = TestAuthenticator();
  GatheringEcho service({&authenticator, nullptr, /*handler_threads=*/kCalls}, kCalls);
  absl::StatusOr<std::unique_ptr<RpcServer>> server =
      RpcServer::Start({"127.0.0.1:0", nullptr, {{v1::Echo::service_full_name(), &service}}});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::Echo::NewStub(
      grpc::CreateChannel((*server)->address(), grpc::InsecureChannelCredentials()));
  std::vector<std::string> replies(kCalls);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCalls; ++i) {
    callers.emplace_back([&, i] {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
      context.AddMetadata("authorization", "Bearer op-token-0001");
      v1::EchoRequest request;
      v1::EchoReply reply;
      grpc::Status status = stub->Say(&context, request, &reply);
      replies[i] = status.ok() ? reply.text() : status.error_message();
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_THAT(replies, ::testing::Each("together"));
  (*server)->Shutdown(absl::Seconds(1));
}

TEST(LoadServerCredentialsTest, MissingFileIsNotFound) {
  EXPECT_EQ(
      LoadServerCredentials({"/nonexistent/cert.pem", "/nonexistent/key.pem", ""}).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(LoadServerCredentials({"/x/cert.pem", "", ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(LoadServerCredentials({}).ok());
}

}  // namespace
}  // namespace lianxin
