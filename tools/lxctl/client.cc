// The clients of lxctl (see client.h).
#include "tools/lxctl/client.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/rpc.h"

namespace lianxin::lxctl {

absl::StatusOr<ServiceChannel> ServiceChannel::Connect(const County& county,
                                                       absl::string_view service,
                                                       absl::Duration timeout) {
  const std::string address = county.Address(service);
  if (address.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("county ", county.code, " has no ", service,
                                                      " in the endpoints file (not deployed?)"));
  }
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, OpenChannel(address, county.tls));
  return ServiceChannel(county, timeout, std::move(channel));
}

void ServiceChannel::Prepare(grpc::ClientContext* context) const {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", county_.token));
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
}

absl::Status ServiceChannel::Call(absl::FunctionRef<grpc::Status(grpc::ClientContext*)> rpc) const {
  grpc::ClientContext context;
  Prepare(&context);
  return FromGrpcStatus(rpc(&context));
}

absl::StatusOr<lianxin::v1::Member> GetMember(RegistryClient& client,
                                              const std::string& member_id) {
  lianxin::v1::GetMemberRequest request;
  request.set_member_id(member_id);
  lianxin::v1::GetMemberReply reply;
  absl::Status status =
      client.Call([&](lianxin::v1::Registry::Stub& stub, grpc::ClientContext* context) {
        return stub.GetMember(context, request, &reply);
      });
  if (!status.ok()) return status;
  return std::move(*reply.mutable_member());
}

absl::StatusOr<std::vector<lianxin::v1::Member>> ListAllMembers(
    RegistryClient& client, lianxin::v1::ListMembersRequest request) {
  if (request.page_size() == 0) request.set_page_size(1000);
  std::vector<lianxin::v1::Member> members;
  while (true) {
    lianxin::v1::ListMembersReply reply;
    absl::Status status =
        client.Call([&](lianxin::v1::Registry::Stub& stub, grpc::ClientContext* context) {
          return stub.ListMembers(context, request, &reply);
        });
    if (!status.ok()) return status;
    for (lianxin::v1::Member& member : *reply.mutable_members()) {
      members.push_back(std::move(member));
    }
    if (reply.next_page_token().empty()) break;
    if (reply.next_page_token() == request.page_token()) {
      return absl::InternalError("ListMembers returned the same page token twice");
    }
    request.set_page_token(reply.next_page_token());
  }
  return members;
}

}  // namespace lianxin::lxctl
