// echo-server: lianxin.v1.Echo on the lianxin runtime. Every Say call needs a
// bearer token; health and reflection need none. The smallest complete lianxin
// service: the runtime's end-to-end probe and the baseline of the benchmark.
//
//   echo-server --tokens_file=tokens.txt --listen=127.0.0.1:0
//   -> stdout: "listening 127.0.0.1:40123" then "metrics 127.0.0.1:40124"
//   runs until SIGTERM/SIGINT, then drains for --shutdown_grace and exits 0.
//
// Flags (and LIANXIN_* environment variables): see libs/runtime/config.h.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "lianxin/v1/echo.grpc.pb.h"
#include "libs/common/log.h"
#include "libs/common/metrics.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/config.h"
#include "libs/runtime/metrics_endpoint.h"
#include "libs/runtime/process_tuning.h"
#include "libs/runtime/rpc.h"
#include "libs/runtime/server.h"
#include "libs/runtime/termination.h"

namespace lianxin {
namespace {

constexpr char kSayMethod[] = "/lianxin.v1.Echo/Say";

class EchoService final : public v1::Echo::CallbackService {
 public:
  explicit EchoService(RpcPlumbing plumbing) : plumbing_(plumbing) {}

  grpc::ServerUnaryReactor* Say(grpc::CallbackServerContext* context,
                                const v1::EchoRequest* request, v1::EchoReply* reply) override {
    return ServeUnaryRpc(context, kSayMethod, plumbing_,
                         [&](const Principal& caller) -> absl::Status {
                           reply->set_text(request->text());
                           reply->set_operator_id(caller.operator_id);
                           reply->set_jurisdiction(caller.jurisdiction);
                           return absl::OkStatus();
                         });
  }

 private:
  RpcPlumbing plumbing_;
};

int Fail(std::string_view what, const absl::Status& status) {
  LogError(what, {{"error", status.ToString()}});
  return 1;
}

int Run(int argc, char** argv) {
  TuneProcess();  // the same runtime as the services
  absl::SetProgramUsageMessage("Serves lianxin.v1.Echo with bearer-token authentication.");
  SetLogComponent("echo-server");
  absl::StatusOr<RuntimeConfig> config = ParseRuntimeFlags(argc, argv);
  if (!config.ok()) return Fail("bad configuration", config.status());
  if (absl::Status s = InstallTerminationHandlers(); !s.ok()) return Fail("signals", s);

  absl::StatusOr<Authenticator> authenticator = Authenticator::FromFile(config->tokens_file);
  if (!authenticator.ok()) return Fail("cannot load tokens", authenticator.status());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      LoadServerCredentials(config->tls);
  if (!credentials.ok()) return Fail("cannot load TLS files", credentials.status());

  Metrics metrics;
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> metrics_endpoint =
      MetricsEndpoint::StartIfConfigured(config->metrics_address, metrics.registry());
  if (!metrics_endpoint.ok()) return Fail("cannot serve metrics", metrics_endpoint.status());

  EchoService echo({&*authenticator, &metrics});
  absl::StatusOr<std::unique_ptr<RpcServer>> server =
      RpcServer::Start({config->listen_address,
                        *credentials,
                        {{v1::Echo::service_full_name(), &echo}},
                        config->insecure_plaintext_off_loopback});
  if (!server.ok()) return Fail("cannot start server", server.status());

  // The first stdout line is the contract with scripts and tests.
  AnnounceAddresses((*server)->address(), metrics_endpoint->get(), config->metrics_address);
  LogInfo("echo-server ready", {{"address", (*server)->address()},
                                {"tokens", absl::StrCat(authenticator->token_count())},
                                {"tls", config->tls.cert_file.empty() ? "off" : "on"}});

  // SIGHUP: the token file again (rotation without a restart; calls go on).
  int signo = WaitForTerminationSignal([&] { authenticator->ReloadAndLog(); });
  LogInfo("termination signal", {{"signal", absl::StrCat(signo)}});
  (*server)->Shutdown(config->shutdown_grace);
  // metrics_endpoint stops last (up to 2 s: civetweb's poll quantum), so the
  // drain stays observable.
  return 0;
}

}  // namespace
}  // namespace lianxin

int main(int argc, char** argv) { return lianxin::Run(argc, argv); }
