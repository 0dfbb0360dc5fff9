// The education log's Projector (libs/eventstore/projector.h): the very
// Evolve and index code the service runs, for lxaudit to replay.
//
//   std::unique_ptr<Projector> projector = education::NewProjector("654322", settings);
//
// `settings` must be the service's: Evolve of a pre-departure obligation reads
// pre_departure_window_days (main.cc's --pre_departure_window_days, default 90),
// and the member index rows depend on `jurisdiction`.
#ifndef LIANXIN_SERVICES_EDUCATION_PROJECTOR_H_
#define LIANXIN_SERVICES_EDUCATION_PROJECTOR_H_

#include <memory>
#include <string>

#include "libs/eventstore/projector.h"
#include "services/education/domain/rules.h"

namespace lianxin::education {

std::unique_ptr<Projector> NewProjector(const std::string& jurisdiction, const Settings& settings);

}  // namespace lianxin::education

#endif  // LIANXIN_SERVICES_EDUCATION_PROJECTOR_H_
