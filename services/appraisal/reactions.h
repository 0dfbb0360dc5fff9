// What the appraisal service does with consumed events (the consumer's
// EventHandler). Everything it learns is first recorded in its own log, on
// the member's aggregate (same payload, causation_id = the consumed event),
// so its log alone rebuilds its projection:
//
// - lx.<county>.registry.v1: every registry event (members, who is away and
//   where, certificate entries incl. those recorded at a destination, which
//   the registry re-logs, probation facts);
// - lx.<county>.contact.v1: ContactRecorded, LostContact, ContactResumed;
// - lx.<county>.education.v1: AttendanceRecorded, MaterialDelivered;
// - lx.<county>.inbox.v1: another county's AppraisalNoticeSent for a member
//   who is here. Everything else in the inbox is not for appraisal: ignored.
#ifndef LIANXIN_SERVICES_APPRAISAL_REACTIONS_H_
#define LIANXIN_SERVICES_APPRAISAL_REACTIONS_H_

#include <string>
#include <vector>

#include "libs/bus/consumer.h"
#include "services/appraisal/projection.h"

namespace lianxin::appraisal {

class AppraisalReactions : public EventHandler {
 public:
  // Not owned; must outlive the consumer.
  explicit AppraisalReactions(AppraisalProjection* projection);

  absl::Status Apply(const Event& event, const std::string& topic, Transaction& txn) override;

  // The topics this handler consumes for `jurisdiction`.
  static std::vector<std::string> Topics(const std::string& jurisdiction);

 private:
  absl::Status Record(const Event& event, Transaction& txn);

  AppraisalProjection& projection_;
};

}  // namespace lianxin::appraisal

#endif  // LIANXIN_SERVICES_APPRAISAL_REACTIONS_H_
