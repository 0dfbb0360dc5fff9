// The Registry gRPC service: validate, authorize, then the command kernel
// (libs/service/command.h) loads, decides, commits and replies.
//
//   RegistryService service({.projection = &projection, .hasher = &hasher,
//                            .clock = &RealClock(), .plumbing = {&auth, &metrics},
//                            .on_commit = [&] { relay->Notify(); }});
//   RpcServer::Start({address, credentials, {{"lianxin.v1.Registry", &service}}});
#ifndef LIANXIN_SERVICES_REGISTRY_SERVICE_H_
#define LIANXIN_SERVICES_REGISTRY_SERVICE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/common/clock.h"
#include "libs/common/time_util.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/rpc.h"
#include "libs/runtime/validate.h"
#include "libs/service/command.h"
#include "libs/service/county.h"
#include "services/registry/domain/decider.h"
#include "services/registry/identity.h"
#include "services/registry/projection.h"

namespace lianxin::registry {

struct RegistryServiceOptions {
  RegistryProjection* projection = nullptr;  // not owned
  const IdentityHasher* hasher = nullptr;    // not owned
  Clock* clock = &RealClock();               // not owned
  RpcPlumbing plumbing;
  // Called after every commit that wrote events (wakes the outbox relay).
  std::function<void()> on_commit;
};

class RegistryService final : public UnaryService {
 public:
  explicit RegistryService(RegistryServiceOptions options);

 private:
  // The RPCs of registry.proto, in its order.
  absl::Status RegisterMember(const Principal& caller,
                              const lianxin::v1::RegisterMemberRequest& request,
                              lianxin::v1::RegisterMemberReply* reply);
  absl::Status RegisterOutflow(const Principal& caller,
                               const lianxin::v1::RegisterOutflowRequest& request,
                               lianxin::v1::MutationReply* reply);
  absl::Status IssueCertificate(const Principal& caller,
                                const lianxin::v1::IssueCertificateRequest& request,
                                lianxin::v1::MutationReply* reply);
  absl::Status RecordArrival(const Principal& caller,
                             const lianxin::v1::RecordArrivalRequest& request,
                             lianxin::v1::RecordArrivalReply* reply);
  absl::Status RecordCertificateEntry(const Principal& caller,
                                      const lianxin::v1::RecordCertificateEntryRequest& request,
                                      lianxin::v1::MutationReply* reply);
  absl::Status RequestTransfer(const Principal& caller,
                               const lianxin::v1::RequestTransferRequest& request,
                               lianxin::v1::MutationReply* reply);
  absl::Status AcceptTransfer(const Principal& caller,
                              const lianxin::v1::AcceptTransferRequest& request,
                              lianxin::v1::MutationReply* reply);
  absl::Status RejectTransfer(const Principal& caller,
                              const lianxin::v1::RejectTransferRequest& request,
                              lianxin::v1::MutationReply* reply);
  absl::Status RecordReturn(const Principal& caller,
                            const lianxin::v1::RecordReturnRequest& request,
                            lianxin::v1::MutationReply* reply);
  absl::Status GetMember(const Principal& caller, const lianxin::v1::GetMemberRequest& request,
                         lianxin::v1::GetMemberReply* reply);
  absl::Status ListMembers(const Principal& caller, const lianxin::v1::ListMembersRequest& request,
                           lianxin::v1::ListMembersReply* reply);
  absl::Status GetMemberHistory(const Principal& caller,
                                const lianxin::v1::GetMemberHistoryRequest& request,
                                lianxin::v1::GetMemberHistoryReply* reply);
  absl::Status GetStatistics(const Principal& caller,
                             const lianxin::v1::GetStatisticsRequest& request,
                             lianxin::v1::GetStatisticsReply* reply);
  absl::Status ListLostTransfers(const Principal& caller,
                                 const lianxin::v1::ListLostTransfersRequest& request,
                                 lianxin::v1::ListLostTransfersReply* reply);
  absl::Status ListCertificateChecksDue(const Principal& caller,
                                        const lianxin::v1::ListCertificateChecksDueRequest& request,
                                        lianxin::v1::ListCertificateChecksDueReply* reply);
  absl::Status RecordTransferReceipt(const Principal& caller,
                                     const lianxin::v1::RecordTransferReceiptRequest& request,
                                     lianxin::v1::MutationReply* reply);
  absl::Status WithdrawTransfer(const Principal& caller,
                                const lianxin::v1::WithdrawTransferRequest& request,
                                lianxin::v1::MutationReply* reply);
  absl::Status RecordTransferIn(const Principal& caller,
                                const lianxin::v1::RecordTransferInRequest& request,
                                lianxin::v1::RegisterMemberReply* reply);
  absl::Status RecordOutflowChange(const Principal& caller,
                                   const lianxin::v1::RecordOutflowChangeRequest& request,
                                   lianxin::v1::MutationReply* reply);
  absl::Status RecordVisitHome(const Principal& caller,
                               const lianxin::v1::RecordVisitHomeRequest& request,
                               lianxin::v1::MutationReply* reply);
  absl::Status RecordMembershipEnd(const Principal& caller,
                                   const lianxin::v1::RecordMembershipEndRequest& request,
                                   lianxin::v1::MutationReply* reply);
  absl::Status RecordCriticism(const Principal& caller,
                               const lianxin::v1::RecordCriticismRequest& request,
                               lianxin::v1::MutationReply* reply);

  using Decision =
      std::function<absl::StatusOr<Events>(const lianxin::v1::MemberFacts&, const Context&)>;

  // A command on an existing member, after its own fields were checked into
  // `check`: validate request_id and member_id, authorize, then the kernel
  // loads, checks expected_version, decides and commits.
  absl::Status Mutate(const Principal& caller, const char* method, FieldChecker& check,
                      const std::string& request_id, const std::string& member_id,
                      uint64_t expected_version, const Decision& decide,
                      lianxin::v1::MutationReply* reply);
  // A command creating a member (RegisterMember, arrival from off lianxin),
  // validated already: authorize, then the identity claim (R18), decide and
  // commit member and claim together.
  // The full birth date this registry keeps of a member whose home it is
  // ("" elsewhere, or if none is kept).
  absl::StatusOr<std::string> HomeBirthDate(const lianxin::v1::MemberFacts& facts) const;

  absl::Status Create(
      const Principal& caller, const char* method, const std::string& request_id,
      const std::string& id_number, const std::string& birth_date,
      const std::function<absl::StatusOr<Events>(const std::string& id_hash, const Context&)>&
          decide,
      const std::function<void(const std::string& member_id, uint64_t version)>& fill_reply,
      google::protobuf::Message* reply, bool validate_only = false);

  // The member as the caller may see it: NOT_FOUND, or PERMISSION_DENIED when
  // the caller's county has no part in the member.
  absl::StatusOr<LoadedMember> LoadForRead(const Principal& caller,
                                           const std::string& member_id) const;

  RegistryServiceOptions options_;
  RegistryProjection& projection_;
  ServiceCounty county_;
  CommandKernel kernel_;
  AggregateKind<lianxin::v1::MemberFacts> members_;
};

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_SERVICE_H_
