#include "libs/runtime/rpc.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/impl/codegen/server_callback_handlers.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/access_log.h"
#include "libs/runtime/current_rpc.h"
#include "libs/runtime/validate.h"

namespace lianxin {

namespace {

// "R18" for a message citing "(R18)" or "(R12 scheduling: …)"; empty if none.
std::string CitedRule(absl::string_view message) {
  for (size_t at = message.find("(R"); at != absl::string_view::npos;
       at = message.find("(R", at + 1)) {
    size_t end = at + 2;
    while (end < message.size() && absl::ascii_isdigit(static_cast<unsigned char>(message[end]))) {
      ++end;
    }
    if (end > at + 2) return std::string(message.substr(at + 1, end - at - 1));
  }
  return "";
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  google::rpc::Status details;
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& value) {
    google::protobuf::Any* any = details.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(value));
  });
  if (std::string rule = CitedRule(message); !rule.empty() && !status.GetPayload(kErrorInfoType)) {
    google::rpc::ErrorInfo info;
    info.set_reason(rule);
    info.set_domain(kErrorDomain);
    details.add_details()->PackFrom(info);
  }
  if (details.details_size() == 0) return grpc::Status(code, std::move(message));
  details.set_code(static_cast<int32_t>(status.code()));
  details.set_message(message);
  return grpc::Status(code, std::move(message), details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : details.details()) {
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
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

namespace {

thread_local absl::Time current_rpc_deadline = absl::InfiniteFuture();
thread_local const CurrentRpc* current_rpc = nullptr;

// Logs an INTERNAL/UNKNOWN outcome.
void LogFailure(absl::string_view method, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    LogError("rpc failed", {{"method", std::string(method)},
                            {"code", absl::StatusCodeToString(status.code())},
                            {"error", std::string(status.message())}});
  }
}

// Authenticates the caller, runs `handler` guarded, logs an INTERNAL/UNKNOWN
// outcome, and returns the outcome.
absl::Status ServeCall(grpc::CallbackServerContext* context, absl::string_view method,
                       const RpcPlumbing& plumbing,
                       absl::FunctionRef<absl::Status(const Principal&)> handler) {
  absl::Status status = RunGuarded(method, [&]() -> absl::Status {
    absl::StatusOr<Principal> caller = plumbing.authenticator->Authenticate(context);
    if (!caller.ok()) return caller.status();
    return handler(*caller);
  });
  LogFailure(method, status);
  return status;
}

}  // namespace

absl::Time CurrentRpcDeadline() { return current_rpc_deadline; }

const CurrentRpc* CurrentRpcCall() { return current_rpc; }

ScopedCurrentRpc::ScopedCurrentRpc(const CurrentRpc* rpc) : previous_(current_rpc) {
  current_rpc = rpc;
}

ScopedCurrentRpc::~ScopedCurrentRpc() { current_rpc = previous_; }

grpc::ServerUnaryReactor* ServeUnaryRpc(grpc::CallbackServerContext* context,
                                        absl::string_view method, const RpcPlumbing& plumbing,
                                        absl::FunctionRef<absl::Status(const Principal&)> handler) {
  RpcScope scope(plumbing.metrics, std::string(method));
  absl::Status status = ServeCall(context, method, plumbing, handler);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(scope.Finish(status));
  return reactor;
}

// A fixed set of threads taking work from one queue, first in first out.
class HandlerPool {
 public:
  explicit HandlerPool(int threads) {
    for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { Work(); });
  }
  // Runs what is queued, then joins.
  ~HandlerPool() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    for (std::thread& thread : threads_) thread.join();
  }

  size_t Queued() {
    absl::MutexLock lock(&mu_);
    return queue_.size();
  }

  // Queues `work` (moved from only then) unless `max_queued` wait already;
  // returns whether it was queued.
  bool TryRun(absl::AnyInvocable<void()>&& work, size_t max_queued) {
    absl::MutexLock lock(&mu_);
    if (queue_.size() >= max_queued) return false;
    queue_.push_back(std::move(work));
    return true;
  }

 private:
  void Work() {
    for (;;) {
      absl::AnyInvocable<void()> work;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](HandlerPool* pool) ABSL_EXCLUSIVE_LOCKS_REQUIRED(pool->mu_) {
              return pool->stop_ || !pool->queue_.empty();
            },
            this));
        if (queue_.empty()) return;  // stopping, nothing left
        work = std::move(queue_.front());
        queue_.pop_front();
      }
      work();
    }
  }

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

namespace {

// The bytes of a request as they arrived.
absl::StatusOr<std::string> RequestWire(const grpc::ByteBuffer& bytes) {
  std::vector<grpc::Slice> slices;
  if (!bytes.Dump(&slices).ok()) return absl::InvalidArgumentError("request: cannot be read");
  std::string wire;
  for (const grpc::Slice& slice : slices) {
    wire.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return wire;
}

// The dotted path of the first string field (at any depth) whose bytes are not
// UTF-8, read from the wire without protobuf's own UTF-8 check.
std::optional<std::string> FindInvalidUtf8(absl::string_view bytes,
                                           const google::protobuf::Descriptor* type) {
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return std::nullopt;
  for (int i = 0; i < fields.field_count(); ++i) {
    const google::protobuf::UnknownField& field = fields.field(i);
    if (field.type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) continue;
    const google::protobuf::FieldDescriptor* descriptor = type->FindFieldByNumber(field.number());
    if (descriptor == nullptr) continue;
    if (descriptor->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
        !IsValidUtf8(field.length_delimited())) {
      return descriptor->name();
    }
    if (descriptor->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      if (std::optional<std::string> inner =
              FindInvalidUtf8(field.length_delimited(), descriptor->message_type())) {
        return absl::StrCat(descriptor->name(), ".", *inner);
      }
    }
  }
  return std::nullopt;
}

}  // namespace

absl::Status ParseRequest(const grpc::ByteBuffer& bytes, google::protobuf::Message* request) {
  ASSIGN_OR_RETURN(std::string wire, RequestWire(bytes));
  return ParseRequest(wire, request);
}

absl::Status ParseRequest(absl::string_view wire, google::protobuf::Message* request) {
  if (request->ParseFromArray(wire.data(), static_cast<int>(wire.size()))) {
    return absl::OkStatus();
  }
  if (std::optional<std::string> field = FindInvalidUtf8(wire, request->GetDescriptor())) {
    return absl::InvalidArgumentError(absl::StrCat(*field, ": is not valid UTF-8"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("request: does not parse as ", request->GetTypeName()));
}

UnaryService::UnaryService(std::string service_full_name, RpcPlumbing plumbing)
    : service_full_name_(std::move(service_full_name)),
      plumbing_(plumbing),
      pool_(std::make_unique<HandlerPool>(plumbing.handler_threads)) {}

UnaryService::~UnaryService() = default;

size_t UnaryService::TEST_QueuedCalls() const { return pool_->Queued(); }

void UnaryService::AddUnary(const char* method, NewMessage new_request, NewMessage new_reply,
                            Handler handler) {
  ServedMethod& served = methods_.emplace_back(ServedMethod{
      .short_name = method,
      .name = absl::StrCat("/", service_full_name_, "/", method),
      .new_request = std::move(new_request),
      .new_reply = std::move(new_reply),
      .handler = std::move(handler),
  });
  const std::string& name = served.name;
  AddMethod(new grpc::internal::RpcServiceMethod(name.c_str(),
                                                 grpc::internal::RpcMethod::NORMAL_RPC, nullptr));
  MarkMethodRawCallback(
      static_cast<int>(methods_.size()) - 1,
      new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
          [this, &name, &served](grpc::CallbackServerContext* context,
                                 const grpc::ByteBuffer* request_bytes,
                                 grpc::ByteBuffer* reply_bytes) {
            // The context, request and reply stay valid until Finish.
            grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
            // Shared with the queued work, so that a call refused at the
            // queue is recorded here and not as never finished.
            auto scope = std::make_shared<RpcScope>(plumbing_.metrics, name);
            auto reject = [&](const absl::Status& status, const std::string& reason) {
              if (plumbing_.metrics != nullptr && !reason.empty()) {
                plumbing_.metrics->CountRejectedRpc(name, reason);
              }
              LogFailure(name, status);
              reactor->Finish(scope->Finish(status));
              return reactor;
            };
            // Who is calling, and may they now, before anything is queued.
            absl::StatusOr<Principal> caller = absl::UnknownError("not authenticated");
            absl::Status admitted = RunGuarded(name, [&]() -> absl::Status {
              caller = plumbing_.authenticator->Authenticate(context);
              if (!caller.ok()) return caller.status();
              if (plumbing_.rate_limiter == nullptr) return absl::OkStatus();
              std::string limited_kind;
              absl::Status s = plumbing_.rate_limiter->Admit(*caller, name, &limited_kind);
              if (!s.ok() && plumbing_.metrics != nullptr) {
                plumbing_.metrics->CountRejectedRpc(name, "rate_limited_" + limited_kind);
              }
              return s;
            });
            if (!admitted.ok()) return reject(admitted, "");
            absl::AnyInvocable<void()> work = [this, &name, &served, context, request_bytes,
                                               reply_bytes, reactor, scope,
                                               caller = *std::move(caller),
                                               queued_at = absl::Now()]() mutable {
              const absl::Time deadline = absl::FromChrono(context->deadline());
              absl::Status status;
              std::string dropped;
              if (deadline <= absl::Now()) {
                status = absl::DeadlineExceededError("the deadline passed before the call ran");
                dropped = "expired";
              } else if (context->IsCancelled()) {
                status = absl::CancelledError("the client cancelled the call before it ran");
                dropped = "cancelled";
              } else {
                current_rpc_deadline = deadline;
                status = RunGuarded(name, [&]() -> absl::Status {
                  ASSIGN_OR_RETURN(std::string wire, RequestWire(*request_bytes));
                  std::string reply;
                  RETURN_IF_ERROR(RunMethod(served, caller, wire, &reply, absl::Now() - queued_at));
                  grpc::Slice slice(reply);
                  *reply_bytes = grpc::ByteBuffer(&slice, 1);
                  return absl::OkStatus();
                });
                current_rpc_deadline = absl::InfiniteFuture();
                LogFailure(name, status);
              }
              if (!dropped.empty() && plumbing_.metrics != nullptr) {
                plumbing_.metrics->CountRejectedRpc(name, dropped);
              }
              reactor->Finish(scope->Finish(status));
            };
            if (!pool_->TryRun(std::move(work),
                               static_cast<size_t>(std::max(plumbing_.max_queued_calls, 0)))) {
              return reject(absl::ResourceExhaustedError(
                                "the server is busy (its queue is full); retry later"),
                            "queue_full");
            }
            return reactor;
          }));
}

absl::Status UnaryService::RunMethod(const ServedMethod& method, const Principal& caller,
                                     absl::string_view request_wire, std::string* reply_wire,
                                     absl::Duration queued) {
  std::unique_ptr<google::protobuf::Message> request = method.new_request();
  std::unique_ptr<google::protobuf::Message> reply = method.new_reply();
  RETURN_IF_ERROR(ParseRequest(request_wire, request.get()));
  RETURN_IF_ERROR(CheckMemberScope(caller, *request, IsReadRpc(method.name)));
  const CurrentRpc rpc{&caller, method.name, request.get(), plumbing_.metrics, queued};
  ScopedCurrentRpc current(&rpc);
  RETURN_IF_ERROR(method.handler(caller, *request, reply.get()));
  if (plumbing_.access_log != nullptr && IsReadRpc(method.name)) {
    // Who read which members: recorded before they see the reply.
    std::vector<std::string> members = MemberIdsIn(*request);
    for (std::string& member : MemberIdsIn(*reply)) {
      if (std::find(members.begin(), members.end(), member) == members.end()) {
        members.push_back(std::move(member));
      }
    }
    RETURN_IF_ERROR(plumbing_.access_log->Record(caller, method.name, members));
  }
  *reply_wire = reply->SerializeAsString();
  if (plumbing_.metrics != nullptr && rpc.committed_at != absl::InfinitePast()) {
    plumbing_.metrics->ObserveCommandStage(kStageReply, absl::Now() - rpc.committed_at);
  }
  return absl::OkStatus();
}

absl::Status UnaryService::Invoke(absl::string_view method, const Principal& caller,
                                  absl::string_view request_wire, std::string* reply_wire) {
  for (const ServedMethod& served : methods_) {
    if (served.short_name != method) continue;
    return RunGuarded(served.name,
                      [&] { return RunMethod(served, caller, request_wire, reply_wire); });
  }
  return absl::UnimplementedError(
      absl::StrCat("method: ", service_full_name_, " has no method ", method));
}

std::vector<std::string> UnaryService::MethodNames() const {
  std::vector<std::string> names;
  for (const ServedMethod& served : methods_) names.push_back(served.short_name);
  return names;
}

}  // namespace lianxin
