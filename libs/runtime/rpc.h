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
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/server_callback.h"
#include "grpcpp/support/status.h"
#include "libs/common/metrics.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/rate_limit.h"

namespace lianxin {

class AccessLog;

// The one conversion between gRPC and absl statuses in lianxin.
//
// ToGrpcStatus keeps code and message and sends the details a program can act
// on as a google.rpc.Status in the standard `grpc-status-details-bin` trailer:
// every absl payload (a FieldChecker's BadRequest with every invalid field),
// and an ErrorInfo {reason: the rule, domain: "lianxin.v1"} when the message
// cites a rule ("… (R18)"). FromGrpcStatus turns such details back into
// payloads under their type URLs.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

// The absl::Status payload type URL of a serialized google.rpc.ErrorInfo.
inline constexpr char kErrorInfoType[] = "type.googleapis.com/google.rpc.ErrorInfo";
// ErrorInfo's domain for lianxin's rules.
inline constexpr char kErrorDomain[] = "lianxin.v1";

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

// What every handler of a service shares. Both pointers must outlive the server.
struct RpcPlumbing {
  const Authenticator* authenticator = nullptr;  // required
  Metrics* metrics = nullptr;                    // optional
  // UnaryService runs handlers on a pool of this many threads, so a handler
  // waiting for its commit's WAL sync holds a pool thread, not one of gRPC's
  // few callback threads, and concurrent commits can share one sync.
  int handler_threads = 64;
  // Authenticated calls waiting for a pool thread; a call beyond them is
  // answered RESOURCE_EXHAUSTED at once (the client retries later).
  int max_queued_calls = 256;
  // Per-principal limits on writes and identity lookups; null = none.
  RateLimiter* rate_limiter = nullptr;
  // Where UnaryService records each successful read of members (access_log.h);
  // null = none (tests, tools).
  AccessLog* access_log = nullptr;
};

// The deadline of the RPC the calling thread is handling for UnaryService
// (absl::InfiniteFuture() if it has none or the thread handles no RPC), so
// handlers and what they call can stop retrying when the client stopped waiting.
absl::Time CurrentRpcDeadline();

class HandlerPool;

// Serves one unary RPC on the calling thread: authenticates the caller
// (UNAUTHENTICATED without running `handler`), runs `handler` with the
// principal under RunGuarded, records metrics, logs INTERNAL/UNKNOWN outcomes,
// and finishes the context's default reactor, which it returns.
grpc::ServerUnaryReactor* ServeUnaryRpc(grpc::CallbackServerContext* context,
                                        absl::string_view method, const RpcPlumbing& plumbing,
                                        absl::FunctionRef<absl::Status(const Principal&)> handler);

// Parses a request that arrived as raw bytes into `request`. A string field
// holding invalid UTF-8 answers INVALID_ARGUMENT naming the field ("name: is
// not valid UTF-8"); gRPC's own parser would answer INTERNAL for it before the
// service could say anything.
absl::Status ParseRequest(const grpc::ByteBuffer& bytes, google::protobuf::Message* request);
absl::Status ParseRequest(absl::string_view wire, google::protobuf::Message* request);

// A gRPC service whose unary methods are plain functions of (caller, request,
// reply). Requests arrive as raw bytes and are parsed with ParseRequest, so bad
// input always gets a canonical code naming the field; each call is served as
// ServeUnaryRpc does (authentication, exception guard, metrics), on the
// service's handler pool (RpcPlumbing::handler_threads), so handlers may block.
//
// Bounded work: the caller is authenticated and rate-limited on gRPC's thread
// before anything is queued (an unknown caller costs a digest, not a queue
// slot); at most RpcPlumbing::max_queued_calls wait for the pool, beyond that
// RESOURCE_EXHAUSTED; a call whose client cancelled or whose deadline passed
// while it waited is dropped (CANCELLED / DEADLINE_EXCEEDED) before it runs;
// a running handler finds its deadline in CurrentRpcDeadline().
//
//   class RegistryService : public UnaryService {
//     RegistryService(...) : UnaryService(v1::Registry::service_full_name(), plumbing) {
//       Serve("GetMember", &RegistryService::GetMember);
//     }
//   };
class UnaryService : public grpc::Service {
 public:
  // Finishes the calls still queued, then joins the handler threads. The
  // server must be shut down first.
  ~UnaryService() override;

  // Calls waiting for a handler thread.
  size_t TEST_QueuedCalls() const;

  // Runs `method` ("GetMember") on the calling thread as a call of `caller`
  // whose request arrived as `request_wire`: parsed with ParseRequest, the
  // handler inside the exception guard, the read recorded in the access log,
  // the reply serialized into `reply_wire`. No transport, authentication, rate
  // limit or queue: for fuzzing the handlers with raw requests, and for tools.
  // UNIMPLEMENTED for a method the service does not serve.
  absl::Status Invoke(absl::string_view method, const Principal& caller,
                      absl::string_view request_wire, std::string* reply_wire);
  // The methods served ("GetMember", …), in the order they were registered.
  std::vector<std::string> MethodNames() const;

 protected:
  // `service_full_name` as in the proto ("lianxin.v1.Registry").
  UnaryService(std::string service_full_name, RpcPlumbing plumbing);

  // Serves `method` with a member function of the derived service; the
  // request and reply types are the function's. The one way services
  // register their handlers:
  //   Serve("GetMember", &RegistryService::GetMember);
  template <class Self, class Request, class Reply>
  void Serve(const char* method,
             absl::Status (Self::*handler)(const Principal&, const Request&, Reply*)) {
    Self* self = static_cast<Self*>(this);
    Serve<Request, Reply>(
        method, [self, handler](const Principal& caller, const Request& request, Reply* reply) {
          return (self->*handler)(caller, request, reply);
        });
  }

  template <class Request, class Reply>
  void Serve(const char* method,
             std::function<absl::Status(const Principal&, const Request&, Reply*)> handler) {
    AddUnary(
        method, [] { return std::unique_ptr<google::protobuf::Message>(new Request()); },
        [] { return std::unique_ptr<google::protobuf::Message>(new Reply()); },
        [handler = std::move(handler)](const Principal& caller,
                                       const google::protobuf::Message& request,
                                       google::protobuf::Message* reply) {
          return handler(caller, static_cast<const Request&>(request), static_cast<Reply*>(reply));
        });
  }

 private:
  using NewMessage = std::function<std::unique_ptr<google::protobuf::Message>()>;
  using Handler = std::function<absl::Status(const Principal&, const google::protobuf::Message&,
                                             google::protobuf::Message*)>;
  void AddUnary(const char* method, NewMessage new_request, NewMessage new_reply, Handler handler);

  struct ServedMethod {
    std::string short_name;  // "GetMember"
    std::string name;        // "/lianxin.v1.Registry/GetMember"; gRPC keeps a pointer to it
    NewMessage new_request;
    NewMessage new_reply;
    Handler handler;
  };
  absl::Status RunMethod(const ServedMethod& method, const Principal& caller,
                         absl::string_view request_wire, std::string* reply_wire,
                         absl::Duration queued = absl::ZeroDuration());

  std::string service_full_name_;
  RpcPlumbing plumbing_;
  std::deque<ServedMethod> methods_;  // the method callbacks refer to them
  std::unique_ptr<HandlerPool> pool_;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_RPC_H_
