// The contact service's projection as a pure function of its own log (the
// Projector contract, libs/eventstore/projector.h), with the very Evolve and
// index code the service runs. lxaudit calls NewProjector.
//
//   std::unique_ptr<Projector> p = contact::NewProjector("654322", contact::Settings());
#ifndef LIANXIN_SERVICES_CONTACT_PROJECTOR_H_
#define LIANXIN_SERVICES_CONTACT_PROJECTOR_H_

#include <memory>
#include <string>

#include "libs/eventstore/projector.h"
#include "services/contact/domain/rules.h"

namespace lianxin::contact {

std::unique_ptr<Projector> NewProjector(const std::string& jurisdiction, const Settings& settings);

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_PROJECTOR_H_
