// The Appraisal gRPC service: validate, authorize, then the command kernel
// (libs/service/command.h) loads, decides, commits and replies.
//
//   AppraisalService service({.projection = &projection, .clock = &RealClock(),
//                             .plumbing = {&auth, &metrics},
//                             .on_commit = [&] { relay->Notify(); }});
//   RpcServer::Start({address, credentials, {{"lianxin.v1.Appraisal", &service}}});
#ifndef LIANXIN_SERVICES_APPRAISAL_SERVICE_H_
#define LIANXIN_SERVICES_APPRAISAL_SERVICE_H_

#include <functional>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "lianxin/v1/appraisal.pb.h"
#include "libs/common/clock.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/rpc.h"
#include "libs/runtime/validate.h"
#include "libs/service/command.h"
#include "libs/service/county.h"
#include "services/appraisal/domain/decider.h"
#include "services/appraisal/projection.h"

namespace lianxin::appraisal {

struct AppraisalServiceOptions {
  AppraisalProjection* projection = nullptr;  // not owned
  Clock* clock = &RealClock();                // not owned
  RpcPlumbing plumbing;
  // Called after every commit that wrote events (wakes the outbox relay).
  std::function<void()> on_commit;
};

class AppraisalService final : public UnaryService {
 public:
  explicit AppraisalService(AppraisalServiceOptions options);

 private:
  using Decision =
      std::function<absl::StatusOr<Events>(const AppraisalMemberFacts&, const Context&)>;
  using FillReply = std::function<void(const Events&, uint64_t version)>;

  absl::Status OpenCycle(const Principal& caller, const lianxin::v1::OpenCycleRequest& request,
                         lianxin::v1::OpenCycleReply* reply);
  absl::Status GetEvidence(const Principal& caller, const lianxin::v1::GetEvidenceRequest& request,
                           lianxin::v1::GetEvidenceReply* reply);
  absl::Status RecordAppraisal(const Principal& caller,
                               const lianxin::v1::RecordAppraisalRequest& request,
                               lianxin::v1::MutationReply* reply);
  absl::Status CorrectAppraisal(const Principal& caller,
                                const lianxin::v1::CorrectAppraisalRequest& request,
                                lianxin::v1::MutationReply* reply);
  absl::Status ListAppraisalSheet(const Principal& caller,
                                  const lianxin::v1::ListAppraisalSheetRequest& request,
                                  lianxin::v1::ListAppraisalSheetReply* reply);
  absl::Status ListNotifications(const Principal& caller,
                                 const lianxin::v1::ListNotificationsRequest& request,
                                 lianxin::v1::ListNotificationsReply* reply);
  absl::Status SetDuesBase(const Principal& caller, const lianxin::v1::SetDuesBaseRequest& request,
                           lianxin::v1::SetDuesBaseReply* reply);
  absl::Status RecordDuesPayment(const Principal& caller,
                                 const lianxin::v1::RecordDuesPaymentRequest& request,
                                 lianxin::v1::MutationReply* reply);
  absl::Status ListDuesArrears(const Principal& caller,
                               const lianxin::v1::ListDuesArrearsRequest& request,
                               lianxin::v1::ListDuesArrearsReply* reply);
  absl::Status RecordOrganizationLife(const Principal& caller,
                                      const lianxin::v1::RecordOrganizationLifeRequest& request,
                                      lianxin::v1::MutationReply* reply);
  absl::Status RecordAssignedWork(const Principal& caller,
                                  const lianxin::v1::RecordAssignedWorkRequest& request,
                                  lianxin::v1::MutationReply* reply);
  absl::Status RecordLegitimateReason(const Principal& caller,
                                      const lianxin::v1::RecordLegitimateReasonRequest& request,
                                      lianxin::v1::MutationReply* reply);
  absl::Status ListLapseCandidates(const Principal& caller,
                                   const lianxin::v1::ListLapseCandidatesRequest& request,
                                   lianxin::v1::ListLapseCandidatesReply* reply);
  absl::Status RecordLapseDecision(const Principal& caller,
                                   const lianxin::v1::RecordLapseDecisionRequest& request,
                                   lianxin::v1::MutationReply* reply);
  absl::Status ListProbationDue(const Principal& caller,
                                const lianxin::v1::ListProbationDueRequest& request,
                                lianxin::v1::ListProbationDueReply* reply);
  absl::Status RecordProbationOutcome(const Principal& caller,
                                      const lianxin::v1::RecordProbationOutcomeRequest& request,
                                      lianxin::v1::MutationReply* reply);

  // A command on an existing member, validated and authorized: the kernel
  // loads it, checks expected_version, decides and commits.
  absl::Status Mutate(const Principal& caller, const char* rpc, const std::string& request_id,
                      const std::string& member_id, uint64_t expected_version,
                      const Decision& decide, const FillReply& fill,
                      google::protobuf::Message* reply);
  // A grade (record or correction): one at a time per county, so that the
  // one-third count cannot be raced past (R7).
  absl::Status Grade(
      const Principal& caller, const char* rpc, const std::string& request_id,
      const std::string& cycle_id, const std::string& member_id, uint64_t expected_version,
      const std::function<absl::StatusOr<Events>(const AppraisalMemberFacts&,
                                                 const AppraisalCycleFacts&, const CycleGrades&,
                                                 const Context&)>& decide,
      lianxin::v1::MutationReply* reply);

  // Validates request_id and member_id into `check` (which holds the other
  // fields), then authorizes a change by `caller`.
  absl::Status CheckMember(const Principal& caller, FieldChecker& check,
                           const std::string& request_id, const std::string& member_id) const;

  AppraisalServiceOptions options_;
  AppraisalProjection& projection_;
  ServiceCounty county_;
  CommandKernel kernel_;
  AggregateKind<AppraisalMemberFacts> members_;
  AggregateKind<AppraisalCycleFacts> cycles_;
  // Serializes OpenCycle and grading (R7's count is read, then written).
  std::mutex cycle_mu_;
};

}  // namespace lianxin::appraisal

#endif  // LIANXIN_SERVICES_APPRAISAL_SERVICE_H_
