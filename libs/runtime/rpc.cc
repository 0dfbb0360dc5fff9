#include "libs/runtime/rpc.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/common/log.h"

namespace lianxin {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

absl::Status RunGuarded(absl::string_view what, absl::FunctionRef<absl::Status()> fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    LogError("exception escaped", {{"where", std::string(what)}, {"exception", e.what()}});
    return absl::InternalError(absl::StrCat(what, ": internal error"));
  } catch (...) {
    LogError("exception escaped",
             {{"where", std::string(what)}, {"exception", "(not std::exception)"}});
    return absl::InternalError(absl::StrCat(what, ": internal error"));
  }
}

RpcScope::RpcScope(Metrics* metrics, std::string method)
    : metrics_(metrics), method_(std::move(method)), start_(std::chrono::steady_clock::now()) {}

RpcScope::~RpcScope() {
  if (!finished_) Finish(absl::UnknownError("RPC never finished"));
}

grpc::Status RpcScope::Finish(const absl::Status& status) {
  if (!finished_) {
    finished_ = true;
    if (metrics_ != nullptr) {
      absl::Duration latency = absl::FromChrono(std::chrono::steady_clock::now() - start_);
      metrics_->ObserveRpc(method_, absl::StatusCodeToString(status.code()), latency);
    }
  }
  return ToGrpcStatus(status);
}

grpc::ServerUnaryReactor* ServeUnaryRpc(grpc::CallbackServerContext* context,
                                        absl::string_view method, const RpcPlumbing& plumbing,
                                        absl::FunctionRef<absl::Status(const Principal&)> handler) {
  RpcScope scope(plumbing.metrics, std::string(method));
  absl::Status status = RunGuarded(method, [&]() -> absl::Status {
    absl::StatusOr<Principal> caller = plumbing.authenticator->Authenticate(context);
    if (!caller.ok()) return caller.status();
    return handler(*caller);
  });
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    LogError("rpc failed", {{"method", std::string(method)},
                            {"code", absl::StatusCodeToString(status.code())},
                            {"error", std::string(status.message())}});
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(scope.Finish(status));
  return reactor;
}

}  // namespace lianxin
