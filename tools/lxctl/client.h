// Clients acting as one county: every call carries the county's
// `authorization: Bearer <token>` metadata and a deadline. Client<Service> is
// the one client type, for any service; ServiceChannel is its channel.
//
//   ASSIGN_OR_RETURN(RegistryClient client,
//                    RegistryClient::Connect(county, "registry", absl::Seconds(30)));
//   RETURN_IF_ERROR(client.Call(&v1::Registry::Stub::GetMember, request, &reply));
#ifndef LIANXIN_TOOLS_LXCTL_CLIENT_H_
#define LIANXIN_TOOLS_LXCTL_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/common/all_pages.h"
#include "tools/lxctl/endpoints.h"

namespace lianxin::lxctl {

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

// The one client type of lxctl: a client of one service of a county, whose
// calls carry the county's bearer token and the deadline. `Service` is the
// generated service class (lianxin::v1::Registry, ContactTracking, ...).
//
//   ASSIGN_OR_RETURN(auto client, Client<v1::ContactTracking>::Connect(county, "contact",
//   timeout)); RETURN_IF_ERROR(client.Call(&v1::ContactTracking::Stub::ListOverdue, request,
//   &reply));
template <typename Service>
class Client {
 public:
  using Stub = typename Service::Stub;

  // A client of `county`'s `service` (the channel connects on the first
  // call). FAILED_PRECONDITION if the endpoints file gives the county no
  // address for it.
  static absl::StatusOr<Client> Connect(const County& county, absl::string_view service,
                                        absl::Duration timeout) {
    absl::StatusOr<ServiceChannel> channel = ServiceChannel::Connect(county, service, timeout);
    if (!channel.ok()) return channel.status();
    return Client(*std::move(channel));
  }
  explicit Client(ServiceChannel channel)
      : channel_(std::move(channel)), stub_(Service::NewStub(channel_.channel())) {}

  const County& county() const { return channel_.county(); }
  Stub& stub() { return *stub_; }

  // Adds the bearer token and the deadline to a fresh context.
  void Prepare(grpc::ClientContext* context) const { channel_.Prepare(context); }
  // Runs one call with a prepared context; its status as an absl::Status.
  absl::Status Call(absl::FunctionRef<grpc::Status(Stub&, grpc::ClientContext*)> rpc) {
    return channel_.Call([&](grpc::ClientContext* context) { return rpc(*stub_, context); });
  }
  // Runs the unary `rpc` of the stub with `request`, filling `reply`.
  template <typename Request, typename Reply>
  absl::Status Call(grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Reply*),
                    const Request& request, Reply* reply) {
    return channel_.Call(
        [&](grpc::ClientContext* context) { return (stub_.get()->*rpc)(context, request, reply); });
  }
  // Runs the paged `rpc` page after page to the last (ReadAllPages): `reply`
  // holds every item of the paged field `items` (e.g.
  // &ListOverdueReply::mutable_members).
  template <typename Request, typename Reply, typename Item>
  absl::Status CallAllPages(grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&, Reply*),
                            const Request& request, Reply* reply,
                            google::protobuf::RepeatedPtrField<Item>* (Reply::*items)()) {
    return ReadAllPages(
        request, [&](const Request& r, Reply* page) { return Call(rpc, r, page); }, items, reply);
  }

 private:
  ServiceChannel channel_;
  std::unique_ptr<Stub> stub_;
};

using RegistryClient = Client<lianxin::v1::Registry>;

// GetMember's member, or the call's error.
absl::StatusOr<lianxin::v1::Member> GetMember(RegistryClient& client, const std::string& member_id);
// Every member ListMembers returns for `request`, all pages from its page
// token on (page size 1000 unless `request` sets one).
absl::StatusOr<std::vector<lianxin::v1::Member>> ListAllMembers(
    RegistryClient& client, lianxin::v1::ListMembersRequest request);

}  // namespace lianxin::lxctl

#endif  // LIANXIN_TOOLS_LXCTL_CLIENT_H_
