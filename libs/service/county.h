// The one place a service asks "which county am I, what day is it here, as
// of when, and may this caller act here". Every handler of every service
// checks a request in the same order: authenticate (UnaryService), validate
// (FieldChecker, Jurisdiction below), authorize (AuthorizeRead /
// AuthorizeChange), then load and decide (CommandKernel).
//
//   ServiceCounty county("654322", context.clock, "registry");
//   FieldChecker check;
//   county.Jurisdiction(check, "jurisdiction", request.jurisdiction());
//   RETURN_IF_ERROR(check.status());
//   RETURN_IF_ERROR(county.AuthorizeChange(caller));
//   Context ctx = county.NewContext(caller, request.request_id());
#ifndef LIANXIN_LIBS_SERVICE_COUNTY_H_
#define LIANXIN_LIBS_SERVICE_COUNTY_H_

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/domain/decision.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/validate.h"

namespace lianxin {

class ServiceCounty {
 public:
  // `clock` is not owned. `service` names the service in messages
  // ("registry", "appraisal service"). `on_system`: the counties that run
  // lianxin, passed on to deciders in every context.
  ServiceCounty(std::string jurisdiction, const Clock* clock, std::string service,
                std::set<std::string> on_system = {});

  const std::string& jurisdiction() const { return jurisdiction_; }
  const Clock& clock() const { return *clock_; }
  absl::Time Now() const { return clock_->Now(); }
  // The county's calendar day now.
  absl::CivilDay Today() const;
  // The day a request's optional date field names, or today when it is empty;
  // INVALID_ARGUMENT naming `field` if it is not a date.
  absl::StatusOr<absl::CivilDay> AsOf(const char* field, const std::string& value) const;

  // Validation: the request's `field` must be a jurisdiction code and name
  // this county (INVALID_ARGUMENT naming the field).
  FieldChecker& Jurisdiction(FieldChecker& check, const char* field,
                             const std::string& value) const;

  // The same as a status.
  absl::Status CheckJurisdiction(const char* field, const std::string& value) const;

  // Authorization. Reading a county's lists: the caller's county is this one.
  absl::Status AuthorizeRead(const Principal& caller) const;
  // Changing a county's records: the caller may mutate, in this county.
  absl::Status AuthorizeChange(const Principal& caller) const;

  // The decision context of a command by `caller` now.
  DecisionContext NewContext(const Principal& caller, const std::string& request_id) const;
  // The decision context of the service itself (reactions, sweeps) at `now`.
  DecisionContext SystemContext(absl::Time now, const std::string& actor,
                                const std::string& correlation_id) const;

 private:
  std::string jurisdiction_;
  const Clock* clock_;
  std::string service_;
  std::set<std::string> on_system_;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_SERVICE_COUNTY_H_
