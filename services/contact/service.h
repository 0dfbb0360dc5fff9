// The ContactTracking gRPC service: authorize, validate, load, decide, commit,
// reply.
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

#include "absl/status/statusor.h"
#include "lianxin/v1/contact.pb.h"
#include "libs/common/clock.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/rpc.h"
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

  using Decision =
      std::function<absl::StatusOr<Events>(const lianxin::v1::ContactMemberState&, const Context&)>;
  // A command on a member: idempotency, load, version check, decide, commit.
  // With expected_version 0 a lost race is retried.
  absl::Status MutateMember(const Principal& caller, const char* rpc, const std::string& request_id,
                            const std::string& member_id, uint64_t expected_version,
                            const Decision& decide, lianxin::v1::ContactMutationReply* reply);

  Context NewContext(const Principal& caller, const std::string& request_id) const;
  absl::CivilDay Today() const;
  // The caller reads or acts on the lists of this service's county.
  absl::Status CheckCounty(const Principal& caller, const std::string& jurisdiction) const;
  // The caller is an operator of this service's county (PERMISSION_DENIED otherwise).
  absl::Status CheckOwnCounty(const Principal& caller) const;
  absl::StatusOr<absl::CivilDay> DateOrToday(const char* field, const std::string& value) const;

  ContactServiceOptions options_;
  ContactProjection& projection_;
};

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_SERVICE_H_
