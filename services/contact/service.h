// The ContactTracking gRPC service: validate, authorize, then the command
// kernel (libs/service/command.h) loads, decides, commits and replies.
//
//   ContactService service({.projection = &projection, .clock = &RealClock(),
//                           .plumbing = {&auth, &metrics},
//                           .on_commit = [&] { relay->Notify(); }});
//   RpcServer::Start({address, credentials, {{"lianxin.v1.ContactTracking", &service}}});
#ifndef LIANXIN_SERVICES_CONTACT_SERVICE_H_
#define LIANXIN_SERVICES_CONTACT_SERVICE_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lianxin/v1/contact.pb.h"
#include "libs/common/clock.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/rpc.h"
#include "libs/service/command.h"
#include "libs/service/county.h"
#include "services/contact/domain/decider.h"
#include "services/contact/projection.h"

namespace lianxin::contact {

struct ContactServiceOptions {
  ContactProjection* projection = nullptr;  // not owned
  Clock* clock = &RealClock();              // not owned
  RpcPlumbing plumbing;
  // Counties that run lianxin (routing of contacts recorded at a destination).
  std::set<std::string> on_system;
  // Called after every commit that wrote events (wakes the outbox relay).
  std::function<void()> on_commit;
};

class ContactService final : public UnaryService {
 public:
  explicit ContactService(ContactServiceOptions options);

 private:
  absl::Status AssignLiaison(const Principal& caller,
                             const lianxin::v1::AssignLiaisonRequest& request,
                             lianxin::v1::ContactMutationReply* reply);
  absl::Status RecordContact(const Principal& caller,
                             const lianxin::v1::RecordContactRequest& request,
                             lianxin::v1::ContactMutationReply* reply);
  absl::Status ListOverdue(const Principal& caller, const lianxin::v1::ListOverdueRequest& request,
                           lianxin::v1::ListOverdueReply* reply);
  absl::Status OpenConsultation(const Principal& caller,
                                const lianxin::v1::OpenConsultationRequest& request,
                                lianxin::v1::OpenConsultationReply* reply);
  absl::Status CloseConsultation(const Principal& caller,
                                 const lianxin::v1::CloseConsultationRequest& request,
                                 lianxin::v1::CloseConsultationReply* reply);
  absl::Status GetContactStatistics(const Principal& caller,
                                    const lianxin::v1::GetContactStatisticsRequest& request,
                                    lianxin::v1::GetContactStatisticsReply* reply);
  absl::Status ListLostContact(const Principal& caller,
                               const lianxin::v1::ListLostContactRequest& request,
                               lianxin::v1::ListLostContactReply* reply);
  absl::Status GetContactHistory(const Principal& caller,
                                 const lianxin::v1::GetContactHistoryRequest& request,
                                 lianxin::v1::GetContactHistoryReply* reply);
  absl::Status ListOpenConsultations(const Principal& caller,
                                     const lianxin::v1::ListOpenConsultationsRequest& request,
                                     lianxin::v1::ListOpenConsultationsReply* reply);

  absl::Status GetLiaisonReport(const Principal& caller,
                                const lianxin::v1::GetLiaisonReportRequest& request,
                                lianxin::v1::GetLiaisonReportReply* reply);
  absl::Status RecordLiaisonReport(const Principal& caller,
                                   const lianxin::v1::RecordLiaisonReportRequest& request,
                                   lianxin::v1::RecordLiaisonReportReply* reply);
  absl::Status ListMissingLiaisonReports(
      const Principal& caller, const lianxin::v1::ListMissingLiaisonReportsRequest& request,
      lianxin::v1::ListMissingLiaisonReportsReply* reply);

  // The members in `liaison_name`'s charge for `period` (InLiaisonCharge),
  // with their states, by member id.
  absl::StatusOr<std::vector<LoadedMember>> MembersInCharge(const std::string& liaison_name,
                                                            const ReportPeriod& period) const;

  using Decision =
      std::function<absl::StatusOr<Events>(const lianxin::v1::ContactMemberState&, const Context&)>;
  // A command on a member, validated and authorized: the kernel loads it,
  // checks expected_version, decides and commits.
  absl::Status MutateMember(const Principal& caller, const char* rpc, const std::string& request_id,
                            const std::string& member_id, uint64_t expected_version,
                            const Decision& decide, lianxin::v1::ContactMutationReply* reply);

  ContactServiceOptions options_;
  ContactProjection& projection_;
  ServiceCounty county_;
  CommandKernel kernel_;
  AggregateKind<lianxin::v1::ContactMemberState> members_;
  AggregateKind<lianxin::v1::ConsultationTicket> tickets_;
  AggregateKind<lianxin::v1::LiaisonReportsState> liaison_reports_;
};

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_SERVICE_H_
