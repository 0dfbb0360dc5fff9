#include "tools/lxaudit/services.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/appraisal/projector.h"
#include "services/contact/projector.h"
#include "services/education/projector.h"
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

std::unique_ptr<Projector> NewContactProjector(const ProjectorContext& context) {
  contact::Settings settings;
  // The due dates in the index rows follow these local rules (the service's flags).
  settings.quarterly_report_months = static_cast<int>(
      context.Setting("quarterly_report_months", settings.quarterly_report_months));
  settings.thought_report_months =
      static_cast<int>(context.Setting("thought_report_months", settings.thought_report_months));
  settings.consultation_open_days =
      static_cast<int>(context.Setting("consultation_open_days", settings.consultation_open_days));
  return contact::NewProjector(context.jurisdiction, settings);
}

std::unique_ptr<Projector> NewEducationProjector(const ProjectorContext& context) {
  education::Settings settings;
  settings.floor_hours =
      static_cast<uint32_t>(context.Setting("floor_hours", settings.floor_hours));
  settings.pre_departure_window_days = static_cast<int>(
      context.Setting("pre_departure_window_days", settings.pre_departure_window_days));
  return education::NewProjector(context.jurisdiction, settings);
}

std::unique_ptr<Projector> NewAppraisalProjector(const ProjectorContext& context) {
  appraisal::Settings settings;
  settings.probation_months =
      static_cast<int>(context.Setting("probation_months", settings.probation_months));
  settings.on_system.insert(context.counties_on_lianxin.begin(), context.counties_on_lianxin.end());
  return appraisal::NewProjector(context.jurisdiction, settings);
}

// One row per service (see services.h).
const AuditedService kAuditedServices[] = {
    {"registry", "lianxin.v1.MemberFacts", &NewRegistryProjector},
    {"contact", "lianxin.v1.ContactMemberState", &NewContactProjector},
    {"education", "lianxin.v1.EducationState", &NewEducationProjector},
    {"appraisal", "lianxin.v1.AppraisalMemberFacts", &NewAppraisalProjector},
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
