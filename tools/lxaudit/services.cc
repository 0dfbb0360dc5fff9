#include "tools/lxaudit/services.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/registry/projector.h"

namespace lianxin::lxaudit {
namespace {

std::unique_ptr<Projector> NewRegistryProjector(const ProjectorContext& context) {
  registry::Settings settings;
  // The registry's local rules that shape its index rows (its own flags).
  settings.report_after_months =
      static_cast<int>(context.Setting("report_after_months", settings.report_after_months));
  settings.mail_back_check_months =
      static_cast<int>(context.Setting("mail_back_check_months", settings.mail_back_check_months));
  settings.on_system.insert(context.counties_on_lianxin.begin(), context.counties_on_lianxin.end());
  return registry::NewProjector(context.jurisdiction, std::move(settings));
}

// One row per service (see services.h).
const AuditedService kAuditedServices[] = {
    {"registry", "lianxin.v1.MemberFacts", &NewRegistryProjector},
};

}  // namespace

const std::vector<AuditedService>& AuditedServices() {
  static const auto* const services =
      new std::vector<AuditedService>(std::begin(kAuditedServices), std::end(kAuditedServices));
  return *services;
}

absl::StatusOr<const AuditedService*> FindService(absl::string_view name) {
  std::vector<std::string> names;
  for (const AuditedService& service : AuditedServices()) {
    if (service.name == name) return &service;
    names.push_back(service.name);
  }
  return absl::NotFoundError(
      absl::StrCat("no service \"", name, "\" (known: ", absl::StrJoin(names, ", "), ")"));
}

}  // namespace lianxin::lxaudit
