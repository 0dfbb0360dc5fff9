// The Registry gRPC service: authorize, validate, load, decide, commit, reply.
//
//   RegistryService service({.projection = &projection, .hasher = &hasher,
//                            .clock = &RealClock(), .plumbing = {&auth, &metrics},
//                            .on_commit = [&] { relay->Notify(); }});
//   RpcServer::Start({address, credentials, {{Registry::service_full_name(), &service}}});
#ifndef LIANXIN_SERVICES_REGISTRY_SERVICE_H_
#define LIANXIN_SERVICES_REGISTRY_SERVICE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/common/clock.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/rpc.h"
#include "services/registry/domain/decider.h"
#include "services/registry/identity.h"
#include "services/registry/projection.h"

namespace lianxin::registry {

// China has one time zone and no daylight saving: the counties' calendar day.
absl::TimeZone CountyTimeZone();

struct RegistryServiceOptions {
  RegistryProjection* projection = nullptr;  // not owned
  const IdentityHasher* hasher = nullptr;    // not owned
  Clock* clock = &RealClock();               // not owned
  RpcPlumbing plumbing;
  // Called after every commit that wrote events (wakes the outbox relay).
  std::function<void()> on_commit;
};

class RegistryService final : public lianxin::v1::Registry::CallbackService {
 public:
  explicit RegistryService(RegistryServiceOptions options);

  grpc::ServerUnaryReactor* RegisterMember(grpc::CallbackServerContext* context,
                                           const lianxin::v1::RegisterMemberRequest* request,
                                           lianxin::v1::RegisterMemberReply* reply) override;
  grpc::ServerUnaryReactor* RegisterOutflow(grpc::CallbackServerContext* context,
                                            const lianxin::v1::RegisterOutflowRequest* request,
                                            lianxin::v1::MutationReply* reply) override;
  grpc::ServerUnaryReactor* IssueCertificate(grpc::CallbackServerContext* context,
                                             const lianxin::v1::IssueCertificateRequest* request,
                                             lianxin::v1::MutationReply* reply) override;
  grpc::ServerUnaryReactor* RecordArrival(grpc::CallbackServerContext* context,
                                          const lianxin::v1::RecordArrivalRequest* request,
                                          lianxin::v1::RecordArrivalReply* reply) override;
  grpc::ServerUnaryReactor* RecordCertificateEntry(
      grpc::CallbackServerContext* context,
      const lianxin::v1::RecordCertificateEntryRequest* request,
      lianxin::v1::MutationReply* reply) override;
  grpc::ServerUnaryReactor* RequestTransfer(grpc::CallbackServerContext* context,
                                            const lianxin::v1::RequestTransferRequest* request,
                                            lianxin::v1::MutationReply* reply) override;
  grpc::ServerUnaryReactor* AcceptTransfer(grpc::CallbackServerContext* context,
                                           const lianxin::v1::AcceptTransferRequest* request,
                                           lianxin::v1::MutationReply* reply) override;
  grpc::ServerUnaryReactor* RejectTransfer(grpc::CallbackServerContext* context,
                                           const lianxin::v1::RejectTransferRequest* request,
                                           lianxin::v1::MutationReply* reply) override;
  grpc::ServerUnaryReactor* RecordReturn(grpc::CallbackServerContext* context,
                                         const lianxin::v1::RecordReturnRequest* request,
                                         lianxin::v1::MutationReply* reply) override;
  grpc::ServerUnaryReactor* GetMember(grpc::CallbackServerContext* context,
                                      const lianxin::v1::GetMemberRequest* request,
                                      lianxin::v1::GetMemberReply* reply) override;
  grpc::ServerUnaryReactor* ListMembers(grpc::CallbackServerContext* context,
                                        const lianxin::v1::ListMembersRequest* request,
                                        lianxin::v1::ListMembersReply* reply) override;
  grpc::ServerUnaryReactor* GetMemberHistory(grpc::CallbackServerContext* context,
                                             const lianxin::v1::GetMemberHistoryRequest* request,
                                             lianxin::v1::GetMemberHistoryReply* reply) override;
  grpc::ServerUnaryReactor* GetStatistics(grpc::CallbackServerContext* context,
                                          const lianxin::v1::GetStatisticsRequest* request,
                                          lianxin::v1::GetStatisticsReply* reply) override;
  grpc::ServerUnaryReactor* ListLostTransfers(
      grpc::CallbackServerContext* context, const lianxin::v1::ListLostTransfersRequest* request,
      lianxin::v1::ListLostTransfersReply* reply) override;
  grpc::ServerUnaryReactor* ListCertificateChecksDue(
      grpc::CallbackServerContext* context,
      const lianxin::v1::ListCertificateChecksDueRequest* request,
      lianxin::v1::ListCertificateChecksDueReply* reply) override;

 private:
  using Decision =
      std::function<absl::StatusOr<Events>(const lianxin::v1::MemberFacts&, const Context&)>;

  // A command on an existing member: idempotency, load, authorize, version
  // check, decide, commit. With expected_version 0 a lost race is retried.
  absl::Status Mutate(const Principal& caller, const char* method, const std::string& request_id,
                      const std::string& member_id, uint64_t expected_version,
                      const Decision& decide, lianxin::v1::MutationReply* reply);
  // A command creating a member (RegisterMember, arrival from off lianxin).
  absl::Status Create(const Principal& caller, const char* method, const std::string& request_id,
                      const std::string& id_number,
                      const std::function<absl::StatusOr<Events>(const std::string& id_hash,
                                                                 const Context&)>& decide,
                      const std::function<void(const std::string& member_id,
                                               uint64_t version)>& fill_reply,
                      google::protobuf::Message* reply);

  Context NewContext(const Principal& caller, const std::string& request_id) const;
  absl::CivilDay Today() const;
  // The member as the caller may see it: NOT_FOUND, or PERMISSION_DENIED when
  // the caller's county has no part in the member.
  absl::StatusOr<LoadedMember> LoadForRead(const Principal& caller,
                                           const std::string& member_id) const;
  absl::Status CheckCounty(const Principal& caller, const std::string& jurisdiction) const;
  absl::StatusOr<absl::CivilDay> AsOf(const std::string& as_of) const;

  RegistryServiceOptions options_;
  RegistryProjection& projection_;
};

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_SERVICE_H_
