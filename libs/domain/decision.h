// What every decider of every service is given: who decides, where and when.
// Deciders are pure: all they know of the world comes in a DecisionContext
// (and the state and settings they are passed); the command kernel
// (libs/service/command.h) and the reactions build one per command or event.
//
//   Event event = NewEvent(ctx, "MemberRegistered");
//   event.mutable_member_registered()->...;
#ifndef LIANXIN_LIBS_DOMAIN_DECISION_H_
#define LIANXIN_LIBS_DOMAIN_DECISION_H_

#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lianxin/v1/events.pb.h"

namespace lianxin {

using Events = std::vector<lianxin::v1::Event>;

struct DecisionContext {
  // The deciding county (the service's).
  std::string jurisdiction;
  // Domain time of the decision (stamped as occurred_at).
  absl::Time now;
  // The county's calendar day at `now`.
  absl::CivilDay today;
  // Operator id of the caller ("system/<service>" for reactions and sweeps).
  std::string actor;
  // The request_id (stamped as correlation_id); for a reaction the consumed
  // event's correlation id, or empty.
  std::string request_id;
  // Counties that run lianxin, where a decider needs to know (contact routes a
  // contact recorded at a destination home only if the home runs lianxin).
  std::set<std::string> on_system;
  // The member records this themselves (the member page, through the
  // gateway's member-proxy principal): events say so.
  bool self_reported = false;
};

// A new event of `type` stamped with the context's time, actor and
// correlation id; the caller sets the payload.
lianxin::v1::Event NewEvent(const DecisionContext& ctx, const char* type);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_DOMAIN_DECISION_H_
