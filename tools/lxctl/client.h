// Clients acting as one county: every call carries the county's
// `authorization: Bearer <token>` metadata and a deadline. RegistryClient
// wraps the Registry stub; ServiceChannel serves any service's stub.
//
//   ASSIGN_OR_RETURN(RegistryClient client, RegistryClient::Connect(county, absl::Seconds(30)));
//   RETURN_IF_ERROR(client.Call([&](Stub& stub, grpc::ClientContext* context) {
//     return stub.GetMember(context, request, &reply);
//   }));
#ifndef LIANXIN_TOOLS_LXCTL_CLIENT_H_
#define LIANXIN_TOOLS_LXCTL_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "tools/lxctl/endpoints.h"

namespace lianxin::lxctl {

// The absl status with the same canonical code and message.
absl::Status FromGrpc(const grpc::Status& status);

// A channel to one service of a county.
//
//   ASSIGN_OR_RETURN(ServiceChannel channel, ServiceChannel::Connect(county, "contact", timeout));
//   auto stub = lianxin::v1::ContactTracking::NewStub(channel.channel());
//   RETURN_IF_ERROR(channel.Call([&](grpc::ClientContext* context) {
//     return stub->ListOverdue(context, request, &reply);
//   }));
class ServiceChannel {
 public:
  // FAILED_PRECONDITION if the endpoints file gives the county no address
  // for `service` ("registry", "contact", "education", "appraisal").
  static absl::StatusOr<ServiceChannel> Connect(const County& county, absl::string_view service,
                                                absl::Duration timeout);

  const County& county() const { return county_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Adds the bearer token and the deadline to a fresh context.
  void Prepare(grpc::ClientContext* context) const;
  // Runs one call with a prepared context; its status as an absl::Status.
  absl::Status Call(absl::FunctionRef<grpc::Status(grpc::ClientContext*)> rpc) const;

 private:
  ServiceChannel(County county, absl::Duration timeout, std::shared_ptr<grpc::Channel> channel)
      : county_(std::move(county)), timeout_(timeout), channel_(std::move(channel)) {}

  County county_;
  absl::Duration timeout_;
  std::shared_ptr<grpc::Channel> channel_;
};

class RegistryClient {
 public:
  // A client of `county`'s registry (the channel connects on the first call).
  // FAILED_PRECONDITION if the endpoints file gives the county no registry.
  static absl::StatusOr<RegistryClient> Connect(const County& county, absl::Duration timeout);

  const County& county() const { return channel_.county(); }
  lianxin::v1::Registry::Stub& stub() { return *stub_; }

  // Adds the bearer token and the deadline to a fresh context.
  void Prepare(grpc::ClientContext* context) const { channel_.Prepare(context); }
  // Runs one call with a prepared context; its status as an absl::Status.
  absl::Status Call(
      absl::FunctionRef<grpc::Status(lianxin::v1::Registry::Stub&, grpc::ClientContext*)> rpc);

  // GetMember's member, or the call's error.
  absl::StatusOr<lianxin::v1::Member> GetMember(const std::string& member_id);
  // Every member ListMembers returns for `request`, all pages from its page
  // token on (page size 1000 unless `request` sets one).
  absl::StatusOr<std::vector<lianxin::v1::Member>> ListAllMembers(
      lianxin::v1::ListMembersRequest request);

 private:
  explicit RegistryClient(ServiceChannel channel)
      : channel_(std::move(channel)),
        stub_(lianxin::v1::Registry::NewStub(channel_.channel())) {}

  ServiceChannel channel_;
  std::unique_ptr<lianxin::v1::Registry::Stub> stub_;
};

}  // namespace lianxin::lxctl

#endif  // LIANXIN_TOOLS_LXCTL_CLIENT_H_
