// What the contact service does with consumed events (the consumer's
// EventHandler):
//
// - from its county's registry topic (lx.<county>.registry.v1), which also
//   carries the facts other counties recorded about shared members (the
//   registry re-logs its inbox): the member's registry facts after the event
//   are recorded in this log as MemberFactsObserved, so who is away, where and
//   since when is rebuilt from this log alone;
// - from its county's inbox: a ContactRecorded of another county's contact
//   service about a member whose home is here is recorded in this log (same
//   payload, causation_id = the destination's event), so it counts here, with
//   ContactResumed if it ends a lost contact (even before the registry topic
//   has brought the member: it counts once the facts arrive). Anything else is
//   ignored.
#ifndef LIANXIN_SERVICES_CONTACT_REACTIONS_H_
#define LIANXIN_SERVICES_CONTACT_REACTIONS_H_

#include <set>
#include <string>
#include <vector>

#include "libs/bus/consumer.h"
#include "libs/common/clock.h"
#include "services/contact/projection.h"

namespace lianxin::contact {

class ContactReactions : public EventHandler {
 public:
  // Neither is owned; both must outlive the consumer.
  ContactReactions(ContactProjection* projection, Clock* clock, std::set<std::string> on_system);

  absl::Status Apply(const lianxin::v1::Event& event, const std::string& topic,
                     Transaction& txn) override;

  // The topics this handler consumes for `jurisdiction`.
  static std::vector<std::string> Topics(const std::string& jurisdiction);

 private:
  absl::Status Observe(const lianxin::v1::Event& event, Transaction& txn);
  absl::Status RecordRouted(const lianxin::v1::Event& event, Transaction& txn);

  ContactProjection& projection_;
  Clock& clock_;
  std::set<std::string> on_system_;
};

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_REACTIONS_H_
