// The appraisal service's projection as a pure function of its own log
// (libs/eventstore/projector.h), for lxaudit: the very Evolve and index code
// the service runs.
//
//   std::unique_ptr<Projector> projector = appraisal::NewProjector("654322", settings);
#ifndef LIANXIN_SERVICES_APPRAISAL_PROJECTOR_H_
#define LIANXIN_SERVICES_APPRAISAL_PROJECTOR_H_

#include <memory>
#include <string>

#include "libs/eventstore/projector.h"
#include "services/appraisal/domain/rules.h"

namespace lianxin::appraisal {

// `jurisdiction` is the county whose appraisal log is replayed.
std::unique_ptr<Projector> NewProjector(const std::string& jurisdiction, const Settings& settings);

}  // namespace lianxin::appraisal

#endif  // LIANXIN_SERVICES_APPRAISAL_PROJECTOR_H_
