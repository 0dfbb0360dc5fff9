// Forwards Connect unary calls to the county's gRPC services, generically: the
// routes come from the generated service descriptors (every unary RPC of every
// service given), the request is parsed with protobuf's JSON mapping into the
// method's input type, sent as bytes over gRPC with the caller's credentials,
// and the reply printed back with the same mapping. No RPC is written by hand.
//
//   ASSIGN_OR_RETURN(auto dispatcher, Dispatcher::Create({{"lianxin.v1.Registry", channel}}));
//   const Route* route = dispatcher->Find("/lianxin.v1.Registry/GetMember");
//   ForwardResult result = dispatcher->Forward(*route, {.json_body = "{\"memberId\": \"…\"}",
//                                                       .authorization = "Bearer …"});
#ifndef LIANXIN_TOOLS_LXGATEWAY_DISPATCHER_H_
#define LIANXIN_TOOLS_LXGATEWAY_DISPATCHER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "grpcpp/channel.h"

namespace lianxin::gateway {

// One RPC the gateway serves.
struct Route {
  std::string path;  // "/lianxin.v1.Registry/GetMember"
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::shared_ptr<grpc::ChannelInterface> channel;
};

// One call to forward.
struct ForwardedCall {
  std::string json_body;      // the request in protobuf's JSON mapping ("" = {})
  std::string authorization;  // the authorization metadata to send ("Bearer …")
  absl::Duration timeout = absl::Seconds(30);
  // More metadata to send (e.g. lianxin-member for the member page).
  std::vector<std::pair<std::string, std::string>> metadata;
  // Applied to the parsed request before it is sent (a member session's
  // allow-list, member.h); an error is the reply, with a google.rpc.BadRequest
  // naming the field of a "field: why" message.
  std::function<absl::Status(google::protobuf::Message*)> scope;
};

// The outcome: the status with the service's google.rpc.Status details
// (serialized, possibly empty), or the reply in protobuf's JSON mapping.
struct ForwardResult {
  absl::Status status;
  std::string status_details_bin;
  std::string json;
};

class Dispatcher {
 public:
  // Routes every unary method of each named service (full names, e.g.
  // "lianxin.v1.Registry") to its channel. INVALID_ARGUMENT if a service is not
  // in the generated descriptor pool.
  static absl::StatusOr<std::unique_ptr<Dispatcher>> Create(
      const std::map<std::string, std::shared_ptr<grpc::ChannelInterface>>& services);

  // The route of an HTTP path, or nullptr.
  const Route* Find(absl::string_view path) const;
  // Every route, by path.
  const std::map<std::string, Route, std::less<>>& routes() const { return routes_; }

  // Parses the body (INVALID_ARGUMENT with a google.rpc.BadRequest naming the
  // field if it does not fit the method's input), calls the service, and
  // returns its reply or its status and details. Thread-safe.
  ForwardResult Forward(const Route& route, const ForwardedCall& call) const;

 private:
  Dispatcher() = default;
  std::map<std::string, Route, std::less<>> routes_;
};

// The field a protobuf JSON parse error names ("category" for
// "(category): invalid value …"), or "" when it names none.
std::string FieldOfJsonError(absl::string_view message);

}  // namespace lianxin::gateway

#endif  // LIANXIN_TOOLS_LXGATEWAY_DISPATCHER_H_
