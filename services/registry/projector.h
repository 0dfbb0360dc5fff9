// The registry's Projector (libs/eventstore/projector.h): the member facts and
// index rows of a registry log, rebuilt with the very Evolve and IndexKeysOf
// the service runs. lxaudit replays logs with it.
//
//   std::unique_ptr<Projector> projector = registry::NewProjector("654322", settings);
//   ASSIGN_OR_RETURN(std::string state, projector->Evolve("", member_registered_event));
//   projector->IndexRows(member_id, state);  // {{"st/01/<member_id>", ""}}
#ifndef LIANXIN_SERVICES_REGISTRY_PROJECTOR_H_
#define LIANXIN_SERVICES_REGISTRY_PROJECTOR_H_

#include <memory>
#include <string>

#include "libs/eventstore/projector.h"
#include "services/registry/domain/rules.h"

namespace lianxin::registry {

// The projector of the registry log of `jurisdiction`, whose index rows depend
// on `settings` (the service's --report_after_months, --mail_back_check_months
// and --counties_on_lianxin).
std::unique_ptr<Projector> NewProjector(std::string jurisdiction, Settings settings);

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_PROJECTOR_H_
