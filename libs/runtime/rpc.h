// Plumbing around every RPC handler: status conversion, an exception guard,
// per-RPC metrics, and one call that does all of it plus authentication.
//
//   grpc::ServerUnaryReactor* Say(grpc::CallbackServerContext* context,
//                                 const EchoRequest* request, EchoReply* reply) override {
//     return ServeUnaryRpc(context, "/lianxin.v1.Echo/Say", plumbing_,
//                          [&](const Principal& caller) -> absl::Status {
//                            reply->set_text(request->text());
//                            return absl::OkStatus();
//                          });
//   }
#ifndef LIANXIN_LIBS_RUNTIME_RPC_H_
#define LIANXIN_LIBS_RUNTIME_RPC_H_

#include <chrono>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "grpcpp/support/status.h"
#include "libs/common/metrics.h"
#include "libs/runtime/auth.h"

namespace lianxin {

// Returns the gRPC status with the same canonical code and message.
grpc::Status ToGrpcStatus(const absl::Status& status);
// Returns the absl status with the same canonical code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

// Runs `fn` and returns its status; an exception escaping `fn` becomes INTERNAL
// (logged with `what`) instead of terminating the process.
absl::Status RunGuarded(absl::string_view what, absl::FunctionRef<absl::Status()> fn);

// Measures one RPC from construction to Finish and records it in `metrics`
// (nullable) as lianxin_rpc_total / lianxin_rpc_latency_seconds{method, code}.
// Not thread-safe; one per RPC. An RPC never finished is recorded as UNKNOWN.
class RpcScope {
 public:
  // `method` is the full name, e.g. "/lianxin.v1.Registry/GetMember".
  RpcScope(Metrics* metrics, std::string method);
  RpcScope(const RpcScope&) = delete;
  RpcScope& operator=(const RpcScope&) = delete;
  ~RpcScope();

  // Records the RPC's outcome (once; later calls only convert) and returns it
  // as a gRPC status, ready for reactor->Finish().
  grpc::Status Finish(const absl::Status& status);

 private:
  Metrics* metrics_;
  std::string method_;
  std::chrono::steady_clock::time_point start_;
  bool finished_ = false;
};

// What every handler of a service shares. Both must outlive the server.
struct RpcPlumbing {
  const Authenticator* authenticator = nullptr;  // required
  Metrics* metrics = nullptr;                    // optional
};

// Serves one unary RPC on the calling thread: authenticates the caller
// (UNAUTHENTICATED without running `handler`), runs `handler` with the
// principal under RunGuarded, records metrics, logs INTERNAL/UNKNOWN outcomes,
// and finishes the context's default reactor, which it returns.
grpc::ServerUnaryReactor* ServeUnaryRpc(grpc::CallbackServerContext* context,
                                        absl::string_view method, const RpcPlumbing& plumbing,
                                        absl::FunctionRef<absl::Status(const Principal&)> handler);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_RPC_H_
