// A real server on 127.0.0.1:0, in process, with a test Echo service on the
// runtime: health, reflection, authentication, metrics, TLS, shutdown.
#include "libs/runtime/server.h"

#include <sys/stat.h>

#include <fstream>
#include <functional>
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
#include "libs/runtime/channel.h"
#include "libs/runtime/current_rpc.h"
#include "libs/runtime/metrics_endpoint.h"
#include "libs/runtime/rpc.h"
#include "libs/runtime/testing.h"
#include "libs/testing/testing.h"

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

Authenticator TestAuthenticator() {
  return *Authenticator::FromText(DigestTokenFile(kTokens), "test tokens");
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<RpcServer>> server =
        RpcServer::Start({"127.0.0.1:0", nullptr, {{v1::Echo::service_full_name(), &echo_}}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = *OpenChannel(server_->address(), TlsFiles());
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

// TLS: certificates made at test time, written to files as the flags would
// name them; clients made by OpenChannel, as every lianxin client's are.
class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<testing::SelfSignedCertificate> ca = testing::MakeSelfSignedCertificate();
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = *std::move(ca);
    absl::StatusOr<testing::SelfSignedCertificate> server =
        testing::MakeCertificate("DNS:localhost,IP:127.0.0.1", &ca_);
    ASSERT_TRUE(server.ok()) << server.status();
    dir_ = ::testing::TempDir();
    files_ = {Write("server.pem", server->cert_pem), WriteKey("server.key", server->key_pem), ""};
    ca_file_ = Write("ca.pem", ca_.cert_pem);
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = absl::StrCat(dir_, "/server_test_", name);
    std::ofstream(path) << text;
    return path;
  }
  // A private key file, readable by its owner only.
  std::string WriteKey(const std::string& name, const std::string& text) {
    std::string path = Write(name, text);
    chmod(path.c_str(), 0600);
    return path;
  }
  // The files of a client certificate signed by the CA with `subject_alt_names`.
  TlsFiles ClientFiles(const std::string& subject_alt_names) {
    absl::StatusOr<testing::SelfSignedCertificate> cert =
        testing::MakeCertificate(subject_alt_names, &ca_);
    EXPECT_TRUE(cert.ok()) << cert.status();
    static int n = 0;
    ++n;
    return {Write(absl::StrCat("client", n, ".pem"), cert->cert_pem),
            WriteKey(absl::StrCat("client", n, ".key"), cert->key_pem), ca_file_};
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
  // Says "加密" over a channel made with `client` and `token` (none if empty).
  grpc::Status SayOverTls(int port, const TlsFiles& client, const std::string& token,
                          v1::EchoReply* reply) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        OpenChannel(absl::StrCat("127.0.0.1:", port), client);
    EXPECT_TRUE(channel.ok()) << channel.status();
    if (!channel.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no channel");
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::EchoRequest request;
    request.set_text("加密");
    grpc::Status s = v1::Echo::NewStub(*channel)->Say(&context, request, reply);
    if (s.ok()) {
      EXPECT_EQ(reply->text(), "加密");
    }
    return s;
  }
  grpc::Status SayOverTls(int port, const TlsFiles& client, const std::string& token) {
    v1::EchoReply reply;
    return SayOverTls(port, client, token, &reply);
  }
  TlsFiles CaOnly() const { return {"", "", ca_file_}; }

  testing::SelfSignedCertificate ca_;
  std::string dir_;
  TlsFiles files_;
  std::string ca_file_;
  Authenticator authenticator_ = TestAuthenticator();
  TestEcho echo_{{&authenticator_, nullptr}};
};

TEST_F(TlsServerTest, ServesOverTls) {
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  grpc::Status s = SayOverTls(server->port(), CaOnly(), "op-token-0001");
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(TlsServerTest, ClientTrustingAnotherCa_CannotConnect) {
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  absl::StatusOr<testing::SelfSignedCertificate> other = testing::MakeSelfSignedCertificate();
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(
      SayOverTls(server->port(), {"", "", Write("other-ca.pem", other->cert_pem)}, "op-token-0001")
          .error_code(),
      grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsServerTest, WithCa_RequiresClientCertificate) {
  files_.ca_file = ca_file_;
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  grpc::Status with_cert =
      SayOverTls(server->port(), ClientFiles("DNS:transport-only"), "op-token-0001");
  EXPECT_TRUE(with_cert.ok()) << with_cert.error_message();
  EXPECT_EQ(SayOverTls(server->port(), CaOnly(), "op-token-0001").error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsServerTest, MutualTls_CertificateAloneAuthenticatesItsPrincipal) {
  files_.ca_file = ca_file_;
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  v1::EchoReply reply;
  grpc::Status s =
      SayOverTls(server->port(), ClientFiles("URI:urn:lianxin:principal:650102:operator:gov-hr"),
                 /*token=*/"", &reply);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(reply.operator_id(), "gov-hr");
  EXPECT_EQ(reply.jurisdiction(), "650102");
}

TEST_F(TlsServerTest, MutualTls_TokenAndCertificateMustNameTheSamePrincipal) {
  files_.ca_file = ca_file_;
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  // op-token-0001 is op-zhang, operator of 654322.
  EXPECT_TRUE(SayOverTls(server->port(),
                         ClientFiles("URI:urn:lianxin:principal:654322:operator:op-zhang"),
                         "op-token-0001")
                  .ok());
  grpc::Status other =
      SayOverTls(server->port(), ClientFiles("URI:urn:lianxin:principal:654322:readonly:op-zhang"),
                 "op-token-0001");
  EXPECT_EQ(other.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(other.error_message(), HasSubstr("different principals"));
}

TEST_F(TlsServerTest, MutualTls_TransportOnlyCertificateStillNeedsAToken) {
  files_.ca_file = ca_file_;
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  const TlsFiles client = ClientFiles("DNS:transport-only");
  EXPECT_EQ(SayOverTls(server->port(), client, "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::EchoReply reply;
  ASSERT_TRUE(SayOverTls(server->port(), client, "op-token-0001", &reply).ok());
  EXPECT_EQ(reply.operator_id(), "op-zhang");
}

TEST_F(TlsServerTest, RenewedCertificate_IsServedWithoutARestart) {
  absl::StatusOr<testing::SelfSignedCertificate> other_ca = testing::MakeSelfSignedCertificate();
  ASSERT_TRUE(other_ca.ok()) << other_ca.status();
  absl::StatusOr<testing::SelfSignedCertificate> renewed =
      testing::MakeCertificate("DNS:localhost,IP:127.0.0.1", &*other_ca);
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      LoadServerCredentials(files_, /*recheck=*/absl::Seconds(1));
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  absl::StatusOr<std::unique_ptr<RpcServer>> server =
      RpcServer::Start({"127.0.0.1:0", *credentials, {{v1::Echo::service_full_name(), &echo_}}});
  ASSERT_TRUE(server.ok()) << server.status();
  const int port = (*server)->port();
  const TlsFiles trusting_other_ca{"", "", Write("renewal-ca.pem", other_ca->cert_pem)};
  EXPECT_TRUE(SayOverTls(port, CaOnly(), "op-token-0001").ok());
  EXPECT_EQ(SayOverTls(port, trusting_other_ca, "op-token-0001").error_code(),
            grpc::StatusCode::UNAVAILABLE);

  // The renewal, as an operator (or certbot) writes it: new files renamed over the old.
  auto replace = [&](const std::string& path, const std::string& text) {
    const std::string next = path + ".next";
    std::ofstream(next) << text;
    chmod(next.c_str(), 0600);
    ASSERT_EQ(rename(next.c_str(), path.c_str()), 0);
  };
  replace(files_.key_file, renewed->key_pem);
  replace(files_.cert_file, renewed->cert_pem);
  EXPECT_TRUE(::lianxin::testing::WaitFor(
      [&] { return SayOverTls(port, trusting_other_ca, "op-token-0001").ok(); },
      absl::Seconds(30)));
}

TEST_F(TlsServerTest, CertificateFileWithoutACertificate_IsRefusedAtStart) {
  files_.cert_file = Write("not-a-cert.pem", "-----BEGIN NOTHING-----\n");
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      LoadServerCredentials(files_);
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(credentials.status().message(), ::testing::HasSubstr("--tls_cert"));
}

TEST_F(TlsServerTest, PlaintextClientCannotTalkToTlsServer) {
  std::unique_ptr<RpcServer> server = StartServer();
  ASSERT_NE(server, nullptr);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(server->address(), TlsFiles());
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_FALSE(testing::CheckHealth(*channel, "", absl::Seconds(5)).ok());
}

TEST_F(TlsServerTest, KeyFileOthersCanRead_IsRefused) {
  chmod(files_.key_file.c_str(), 0644);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      LoadServerCredentials(files_);
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(credentials.status().message(), HasSubstr("0644"));
}

TEST(PlaintextTest, Server_RefusesPlaintextOffLoopback_UnlessToldItIsInsecure) {
  Authenticator authenticator = TestAuthenticator();
  TestEcho echo({&authenticator, nullptr});
  absl::StatusOr<std::unique_ptr<RpcServer>> refused =
      RpcServer::Start({"0.0.0.0:0", nullptr, {{v1::Echo::service_full_name(), &echo}}});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("--insecure_plaintext_off_loopback"));
  absl::StatusOr<std::unique_ptr<RpcServer>> allowed =
      RpcServer::Start({"0.0.0.0:0", nullptr, {{v1::Echo::service_full_name(), &echo}}, true});
  EXPECT_TRUE(allowed.ok()) << allowed.status();
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
  auto stub = v1::Echo::NewStub(*OpenChannel((*server)->address(), TlsFiles()));
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

// Echo as a UnaryService whose handler blocks while the test holds its gate,
// counting the calls it ran; with one thread and a small queue, the pool fills.
class GatedEcho final : public UnaryService {
 public:
  explicit GatedEcho(RpcPlumbing plumbing) : UnaryService(v1::Echo::service_full_name(), plumbing) {
    Serve<v1::EchoRequest, v1::EchoReply>(
        "Say", [this](const Principal&, const v1::EchoRequest& request, v1::EchoReply* reply) {
          absl::MutexLock lock(&mu_);
          ++running_;
          mu_.Await(absl::Condition(&open_));
          --running_;
          ++ran_;
          reply->set_text(request.text());
          reply->set_operator_id(
              absl::StrCat(CurrentRpcDeadline() != absl::InfiniteFuture() ? "deadline" : "none"));
          return absl::OkStatus();
        });
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  // Waits until a handler is blocked at the gate.
  bool AwaitRunning() {
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(absl::Condition(
                                    +[](GatedEcho* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
                                      return self->running_ > 0;
                                    },
                                    this),
                                absl::Seconds(20));
  }
  int ran() {
    absl::MutexLock lock(&mu_);
    return ran_;
  }

 private:
  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  int ran_ ABSL_GUARDED_BY(mu_) = 0;
};

// Resident set size of this process in KiB (/proc/self/status VmRSS).
long ResidentKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class BoundedWorkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RpcPlumbing plumbing{&authenticator_, &metrics_, /*handler_threads=*/1};
    plumbing.max_queued_calls = 2;
    service_ = std::make_unique<GatedEcho>(plumbing);
    absl::StatusOr<std::unique_ptr<RpcServer>> server = RpcServer::Start(
        {"127.0.0.1:0", nullptr, {{v1::Echo::service_full_name(), service_.get()}}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::Echo::NewStub(*OpenChannel(server_->address(), TlsFiles()));
  }
  void TearDown() override {
    service_->Open();
    for (std::thread& t : callers_) t.join();
    server_->Shutdown(absl::Seconds(5));
  }
  // Starts a call on its own thread; its status lands in `out`.
  void CallInBackground(const std::string& token, absl::Duration timeout, grpc::Status* out) {
    callers_.emplace_back([this, token, timeout, out] { *out = Say(token, timeout); });
  }
  grpc::Status Say(const std::string& token, absl::Duration timeout = absl::Seconds(20),
                   v1::EchoReply* reply = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    v1::EchoRequest request;
    request.set_text("x");
    v1::EchoReply ignored;
    return stub_->Say(&context, request, reply != nullptr ? reply : &ignored);
  }
  // Fills the one thread and the two queue slots; returns when all are in.
  void FillThePool() {
    CallInBackground("op-token-0001", absl::Seconds(20), &held_[0]);
    ASSERT_TRUE(service_->AwaitRunning());
    CallInBackground("op-token-0001", absl::Seconds(20), &held_[1]);
    CallInBackground("op-token-0001", absl::Seconds(20), &held_[2]);
    ASSERT_TRUE(WaitFor([&] { return service_->TEST_QueuedCalls() == 2; }));
  }
  static bool WaitFor(const std::function<bool()>& condition) {
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (absl::Now() < until) {
      if (condition()) return true;
      std::this_thread::yield();
    }
    return false;
  }

  Authenticator authenticator_ = TestAuthenticator();
  Metrics metrics_;
  std::unique_ptr<GatedEcho> service_;
  std::unique_ptr<RpcServer> server_;
  std::unique_ptr<v1::Echo::Stub> stub_;
  std::vector<std::thread> callers_;
  grpc::Status held_[3];
};

TEST_F(BoundedWorkTest, FullQueue_AnswersResourceExhausted_AndQueuedCallsStillRun) {
  FillThePool();
  grpc::Status refused = Say("op-token-0001", absl::Seconds(5));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("busy"));
  service_->Open();
  for (std::thread& t : callers_) t.join();
  callers_.clear();
  for (const grpc::Status& s : held_) EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(service_->ran(), 3);
}

TEST_F(BoundedWorkTest, UnauthenticatedFlood_IsAnsweredWithoutQueueingOrMemoryGrowth) {
  FillThePool();
  // Every pool thread is busy and the queue is full, yet each unauthenticated
  // call is answered at once: none waits for, or takes, a queue slot.
  const long before = ResidentKib();
  constexpr int kFlood = 3000;
  int unauthenticated = 0;
  for (int i = 0; i < kFlood; ++i) {
    grpc::StatusCode code = Say(i % 2 == 0 ? "" : "forged-token", absl::Seconds(5)).error_code();
    if (code == grpc::StatusCode::UNAUTHENTICATED) ++unauthenticated;
  }
  const long after = ResidentKib();
  EXPECT_EQ(unauthenticated, kFlood);
  // Client and server share this process; a queued request would hold its
  // bytes and a closure, so 3000 of them unbounded would show.
  std::cerr << "RSS before " << before << " KiB, after " << kFlood << " unauthenticated calls "
            << after << " KiB\n";
  EXPECT_LT(after - before, 16 * 1024);
  service_->Open();
  for (std::thread& t : callers_) t.join();
  callers_.clear();
  EXPECT_EQ(service_->ran(), 3);
}

TEST_F(BoundedWorkTest, CallWhoseDeadlinePassedInTheQueue_IsDroppedBeforeItRuns) {
  CallInBackground("op-token-0001", absl::Seconds(20), &held_[0]);
  ASSERT_TRUE(service_->AwaitRunning());
  // Queued behind the blocked call; its deadline passes while it waits.
  const absl::Time sent = absl::Now();
  grpc::Status expired = Say("op-token-0001", absl::Milliseconds(300));
  EXPECT_EQ(expired.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  // The server's copy of the deadline counts from when the call arrived, a
  // little after the client's: the condition is the server's clock passing it.
  ASSERT_TRUE(WaitFor([&] { return absl::Now() > sent + absl::Milliseconds(300 + 200); }));
  service_->Open();
  // FIFO: once a later call has run, the expired one has been taken off the queue.
  v1::EchoReply reply;
  grpc::Status later = Say("op-token-0001", absl::Seconds(20), &reply);
  ASSERT_TRUE(later.ok()) << later.error_message();
  EXPECT_EQ(reply.operator_id(), "deadline");  // the handler saw its deadline
  for (std::thread& t : callers_) t.join();
  callers_.clear();
  EXPECT_EQ(service_->ran(), 2);  // the blocked call and the later one, not the expired one
}

TEST(MaxReceiveMessageTest, LargerRequestIsRefusedBeforeAnyHandler) {
  Authenticator authenticator = TestAuthenticator();
  TestEcho echo({&authenticator, nullptr});
  ServerOptions options{"127.0.0.1:0", nullptr, {{v1::Echo::service_full_name(), &echo}}};
  options.max_receive_message_bytes = 4096;
  absl::StatusOr<std::unique_ptr<RpcServer>> server = RpcServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::Echo::NewStub(*OpenChannel((*server)->address(), TlsFiles()));
  for (size_t size : {size_t{1000}, size_t{8000}}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    context.AddMetadata("authorization", "Bearer op-token-0001");
    v1::EchoRequest request;
    request.set_text(std::string(size, 'a'));
    v1::EchoReply reply;
    grpc::Status s = stub->Say(&context, request, &reply);
    EXPECT_EQ(s.error_code(),
              size < 4096 ? grpc::StatusCode::OK : grpc::StatusCode::RESOURCE_EXHAUSTED)
        << size;
  }
}

// Echo as a UnaryService that answers with what CurrentRpcCall() says.
class InvokedEcho final : public UnaryService {
 public:
  explicit InvokedEcho(RpcPlumbing plumbing)
      : UnaryService(v1::Echo::service_full_name(), plumbing) {
    Serve<v1::EchoRequest, v1::EchoReply>(
        "Say", [](const Principal& caller, const v1::EchoRequest& request, v1::EchoReply* reply) {
          if (request.text() == "throw") throw std::runtime_error("boom");
          reply->set_text(absl::StrCat(request.text(), " via ", CurrentRpcCall()->method));
          reply->set_operator_id(caller.operator_id);
          return absl::OkStatus();
        });
  }
};

TEST(UnaryServiceTest, Invoke_RunsAMethodOnRawBytesAsACallWould) {
  Authenticator authenticator = TestAuthenticator();
  InvokedEcho echo({&authenticator, nullptr});
  EXPECT_EQ(echo.MethodNames(), std::vector<std::string>{"Say"});
  const Principal caller{.operator_id = "op1", .jurisdiction = "654322"};
  v1::EchoRequest request;
  request.set_text("富蕴县");
  std::string wire;
  ASSERT_TRUE(echo.Invoke("Say", caller, request.SerializeAsString(), &wire).ok());
  v1::EchoReply reply;
  ASSERT_TRUE(reply.ParseFromString(wire));
  EXPECT_EQ(reply.text(), "富蕴县 via /lianxin.v1.Echo/Say");
  EXPECT_EQ(reply.operator_id(), "op1");

  request.set_text("\xE5\xAF");  // a truncated UTF-8 sequence, as it may arrive
  absl::Status bad = echo.Invoke("Say", caller, request.SerializePartialAsString(), &wire);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "text: is not valid UTF-8");

  request.set_text("throw");
  EXPECT_EQ(echo.Invoke("Say", caller, request.SerializeAsString(), &wire).code(),
            absl::StatusCode::kInternal);
  absl::Status unknown = echo.Invoke("Shout", caller, "", &wire);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(unknown.message(), "method: lianxin.v1.Echo has no method Shout");
}

TEST(LoadServerCredentialsTest, MissingFileIsNotFound) {
  EXPECT_EQ(
      LoadServerCredentials({"/nonexistent/cert.pem", "/nonexistent/key.pem", ""}).status().code(),
      absl::StatusCode::kNotFound);
  EXPECT_EQ(LoadServerCredentials({"/x/cert.pem", "", ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> plaintext = LoadServerCredentials({});
  ASSERT_TRUE(plaintext.ok());
  EXPECT_EQ(*plaintext, nullptr);
}

// The certificate-expiry alert's input: the served certificate's notAfter
// (the test certificates are valid for a day from now).
TEST(CertificateNotAfter, ReadsTheFirstCertificatesExpiry) {
  absl::StatusOr<testing::SelfSignedCertificate> cert = testing::MakeSelfSignedCertificate();
  ASSERT_TRUE(cert.ok()) << cert.status();
  absl::StatusOr<absl::Time> not_after = CertificateNotAfter(cert->cert_pem);
  ASSERT_TRUE(not_after.ok()) << not_after.status();
  EXPECT_GT(*not_after, absl::Now() + absl::Hours(23));
  EXPECT_LT(*not_after, absl::Now() + absl::Hours(25));

  EXPECT_TRUE(absl::IsInvalidArgument(CertificateNotAfter(cert->key_pem).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(CertificateNotAfter("").status()));

  Metrics metrics;
  metrics.SetCertificateNotAfter(*not_after);
  const std::vector<prometheus::MetricFamily> families = metrics.registry()->Collect();
  bool found = false;
  for (const prometheus::MetricFamily& family : families) {
    if (family.name != "lianxin_tls_certificate_expiry_timestamp_seconds") continue;
    found = true;
    EXPECT_DOUBLE_EQ(family.metric.at(0).gauge.value,
                     absl::ToDoubleSeconds(*not_after - absl::UnixEpoch()));
  }
  EXPECT_TRUE(found);
}

// The expiry gauge's value, or -1 if the registry has none.
double ExpiryGauge(Metrics& metrics) {
  for (const prometheus::MetricFamily& family : metrics.registry()->Collect()) {
    if (family.name == "lianxin_tls_certificate_expiry_timestamp_seconds") {
      return family.metric.at(0).gauge.value;
    }
  }
  return -1;
}

TEST(CertificateExpiryWatch, FollowsARenewedCertificateFile) {
  absl::StatusOr<testing::SelfSignedCertificate> first =
      testing::MakeCertificate("DNS:localhost", nullptr, absl::Hours(24));
  absl::StatusOr<testing::SelfSignedCertificate> renewed =
      testing::MakeCertificate("DNS:localhost", nullptr, absl::Hours(24 * 90));
  ASSERT_TRUE(first.ok() && renewed.ok());
  const std::string path = absl::StrCat(::testing::TempDir(), "/expiry_watch.pem");
  std::ofstream(path) << first->cert_pem;
  Metrics metrics;
  absl::StatusOr<std::unique_ptr<CertificateExpiryWatch>> watch =
      CertificateExpiryWatch::Start(path, &metrics, absl::Milliseconds(50));
  ASSERT_TRUE(watch.ok()) << watch.status();
  const double first_expiry =
      absl::ToDoubleSeconds(*CertificateNotAfter(first->cert_pem) - absl::UnixEpoch());
  EXPECT_DOUBLE_EQ(ExpiryGauge(metrics), first_expiry);

  std::ofstream(path + ".next") << renewed->cert_pem;
  ASSERT_EQ(rename((path + ".next").c_str(), path.c_str()), 0);
  const double renewed_expiry =
      absl::ToDoubleSeconds(*CertificateNotAfter(renewed->cert_pem) - absl::UnixEpoch());
  EXPECT_TRUE(::lianxin::testing::WaitFor([&] { return ExpiryGauge(metrics) == renewed_expiry; },
                                          absl::Seconds(30)));
  watch->reset();  // stops; a second Start on a missing file fails plainly
  EXPECT_TRUE(
      absl::IsNotFound(CertificateExpiryWatch::Start(path + ".missing", &metrics).status()));
}

}  // namespace
}  // namespace lianxin
