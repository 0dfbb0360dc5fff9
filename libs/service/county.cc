#include "libs/service/county.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"

namespace lianxin {

ServiceCounty::ServiceCounty(std::string jurisdiction, const Clock* clock, std::string service,
                             std::set<std::string> on_system)
    : jurisdiction_(std::move(jurisdiction)),
      clock_(clock),
      service_(std::move(service)),
      on_system_(std::move(on_system)) {}

absl::CivilDay ServiceCounty::Today() const {
  return absl::ToCivilDay(clock_->Now(), CountyTimeZone());
}

absl::StatusOr<absl::CivilDay> ServiceCounty::AsOf(const char* field,
                                                   const std::string& value) const {
  RETURN_IF_ERROR(FieldChecker().Date(field, value, /*optional=*/true).status());
  return value.empty() ? Today() : *ParseDate(value);
}

FieldChecker& ServiceCounty::Jurisdiction(FieldChecker& check, const char* field,
                                          const std::string& value) const {
  check.Jurisdiction(field, value);
  if (!check.status().ok()) return check;
  return check.Require(value == jurisdiction_, field,
                       absl::StrCat("this ", service_, " serves ", jurisdiction_, ", not ", value));
}

absl::Status ServiceCounty::CheckJurisdiction(const char* field, const std::string& value) const {
  FieldChecker check;
  return Jurisdiction(check, field, value).status();
}

absl::Status ServiceCounty::AuthorizeRead(const Principal& caller) const {
  if (caller.jurisdiction != jurisdiction_) {
    return absl::PermissionDeniedError(
        absl::StrCat("operator of ", caller.jurisdiction, " may not read ", jurisdiction_, "'s ",
                     service_, " records; ask your own county's ", service_));
  }
  return absl::OkStatus();
}

absl::Status ServiceCounty::AuthorizeChange(const Principal& caller) const {
  RETURN_IF_ERROR(CheckCanMutate(caller));
  if (caller.jurisdiction != jurisdiction_) {
    return absl::PermissionDeniedError(
        absl::StrCat("operator of ", caller.jurisdiction, " may not change records in ",
                     jurisdiction_, "'s ", service_, "; act through your own county's ", service_));
  }
  return absl::OkStatus();
}

DecisionContext ServiceCounty::NewContext(const Principal& caller,
                                          const std::string& request_id) const {
  DecisionContext ctx = SystemContext(clock_->Now(), caller.operator_id, request_id);
  ctx.self_reported = caller.SelfReported();
  return ctx;
}

DecisionContext ServiceCounty::SystemContext(absl::Time now, const std::string& actor,
                                             const std::string& correlation_id) const {
  return DecisionContext{jurisdiction_,  now,       absl::ToCivilDay(now, CountyTimeZone()), actor,
                         correlation_id, on_system_};
}

}  // namespace lianxin
