// What the education service does with consumed events (the consumer's
// EventHandler). Facts are first recorded in the education log, so the log
// alone rebuilds the projection:
//
// - its county's registry topic (lx.<county>.registry.v1): a member's name,
//   home and movements (RegistryFactsNoted); an outflow of a member of this
//   county creates a pre-departure obligation (PreDepartureRequired, R12);
// - its county's inbox: attendance and deliveries of this county's members
//   recorded at a destination are recorded here (same payload, causation_id =
//   the destination's event), so they count in the member's yearly record.
//   Anything else in the inbox is someone else's: ignored.
#ifndef LIANXIN_SERVICES_EDUCATION_REACTIONS_H_
#define LIANXIN_SERVICES_EDUCATION_REACTIONS_H_

#include <string>
#include <vector>

#include "libs/bus/consumer.h"
#include "libs/common/clock.h"
#include "services/education/projection.h"

namespace lianxin::education {

class EducationReactions : public EventHandler {
 public:
  // Neither is owned; both must outlive the consumer.
  EducationReactions(EducationProjection* projection, Clock* clock);

  absl::Status Apply(const lianxin::v1::Event& event, const std::string& topic,
                     Transaction& txn) override;

  // The topics consumed for `jurisdiction`.
  static std::vector<std::string> Topics(const std::string& jurisdiction);

 private:
  absl::Status NoteRegistryFacts(const lianxin::v1::Event& event, Transaction& txn);
  absl::Status RecordFromDestination(const lianxin::v1::Event& event, Transaction& txn);

  EducationProjection& projection_;
  Clock& clock_;
};

}  // namespace lianxin::education

#endif  // LIANXIN_SERVICES_EDUCATION_REACTIONS_H_
