// The oversight's own RocksDB view of the counties under its scope, and the
// handler that builds it from their registry topics.
//
// Per (county, member), from lx.<county>.registry.v1 in log order (the
// consumer applies one stream at a time, in order, after the CountyGate's
// signature and topic checks and the payload validation):
//   ov/f/<county>/<member>              the member's facts as that county has them now
//   ov/e/<county>/<member>/<version>    the county's event, dated (EventDay), without
//                                       personal data: a past day is folded again from these
// A county's figures are then the same as its own Registry.GetStatistics.
//
//   OversightProjection projection(store, "654300");
//   ConsumerOptions options{..., .topics = OversightProjection::Topics("654300", counties),
//                           .handler = &projection};
//   projection.ForEachCounty(as_of, [](county, member, facts) { ... });
#ifndef LIANXIN_SERVICES_OVERSIGHT_PROJECTION_H_
#define LIANXIN_SERVICES_OVERSIGHT_PROJECTION_H_

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/events.pb.h"
#include "libs/bus/applier.h"
#include "libs/eventstore/event_store.h"

namespace lianxin::oversight {

class OversightProjection : public EventHandler {
 public:
  // `store` is not owned. `scope`: the 6-digit code of the prefecture or
  // province this instance oversees.
  OversightProjection(EventStore* store, std::string scope);

  // The registry topics of the counties under `scope` among `counties` (the
  // deployment's counties on lianxin); codes above the county are left out.
  static std::vector<std::string> Topics(const std::string& scope,
                                         const std::set<std::string>& counties);

  // Records a registry event of a county under the scope. INVALID_ARGUMENT
  // (quarantined) for an event of a county outside the scope or not from a
  // registry; other services' events are ignored.
  absl::Status Apply(const Event& event, const std::string& topic, Transaction& txn) override;

  // Calls fn(county, member_id, facts) for every member of every county
  // whose code lies within `area`, as each county had it at the end of
  // `as_of` (nullopt: now), in (county, member) order.
  using Visit = std::function<void(const std::string& county, const std::string& member_id,
                                   const lianxin::v1::MemberFacts& facts)>;
  absl::Status ForEachMember(const std::string& area, std::optional<absl::CivilDay> as_of,
                             const Visit& fn) const;

  const std::string& scope() const { return scope_; }

 private:
  EventStore* const store_;
  const std::string scope_;
};

}  // namespace lianxin::oversight

#endif  // LIANXIN_SERVICES_OVERSIGHT_PROJECTION_H_
