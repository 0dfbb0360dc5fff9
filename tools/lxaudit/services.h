// The services lxaudit knows: one row each, naming the service's log, the
// message its aggregate state is, and how to build its Projector
// (libs/eventstore/projector.h) for a county.
//
// Adding a service is one row in kAuditedServices (services.cc), e.g.
//   {"contact", "lianxin.v1.ContactState",
//    [](const ProjectorContext& c) { return contact::NewProjector(c.jurisdiction, {}); }},
// plus its #include there and its library in lxaudit's target_link_libraries.
#ifndef LIANXIN_TOOLS_LXAUDIT_SERVICES_H_
#define LIANXIN_TOOLS_LXAUDIT_SERVICES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/eventstore/projector.h"

namespace lianxin::lxaudit {

// What a factory may take its settings from besides its own defaults.
struct ProjectorContext {
  // The county whose log is replayed.
  std::string jurisdiction;
  // Counties that run lianxin (--counties_on_lianxin, else every county of
  // the endpoints file).
  std::vector<std::string> counties_on_lianxin;
  // Local rules the services run with (--settings name=value,…: the names and
  // values of the services' own flags, e.g. mail_back_check_months=2).
  std::map<std::string, int64_t, std::less<>> settings;

  // The setting `name`, or `fallback` if not given.
  int64_t Setting(absl::string_view name, int64_t fallback) const {
    auto it = settings.find(name);
    return it == settings.end() ? fallback : it->second;
  }
};

using ProjectorFactory = std::unique_ptr<Projector> (*)(const ProjectorContext& context);

struct AuditedService {
  // The service's name: its log is <data_dir>/<name>, its topic lx.<county>.<name>.v1.
  const char* name;
  // Full name of the protobuf message its aggregate state is (for as-of), or
  // "" to show the state as bytes.
  const char* state_message;
  ProjectorFactory new_projector;
};

// Every service lxaudit audits, in the order they are reported.
const std::vector<AuditedService>& AuditedServices();

// The service named `name`, or NOT_FOUND listing the known ones.
absl::StatusOr<const AuditedService*> FindService(absl::string_view name);

}  // namespace lianxin::lxaudit

#endif  // LIANXIN_TOOLS_LXAUDIT_SERVICES_H_
