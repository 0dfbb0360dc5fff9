// Generated registry histories for lxaudit's tests and benchmark: members of
// one county go through registration, outflow, certificate, certificate
// checks and a transfer, decided by the registry's real decider and committed
// through EventStore with RegistryProjection::Stage, as the service does
// (the destination's decisions recorded as the inbox reaction records them).
//
//   ManualClock clock(absl::FromCivil(absl::CivilSecond(2025, 1, 1, 9, 0, 0), tz));
//   HistoryOptions options{.members = 100, .checks_per_member = 5};
//   ASSIGN_OR_RETURN(HistoryStats stats, GenerateRegistryHistory(store.get(), clock, options));
#ifndef LIANXIN_TOOLS_LXAUDIT_REGISTRY_HISTORY_H_
#define LIANXIN_TOOLS_LXAUDIT_REGISTRY_HISTORY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"

namespace lianxin::lxaudit {

struct HistoryOptions {
  // The store's county (home) and the destination of outflows and transfers.
  std::string home = "654322";
  std::string destination = "650102";
  int members = 100;
  // Certificate checks (mail-back) recorded per member while away.
  int checks_per_member = 5;
  // Members advanced together, one Transaction per step of the wave.
  int wave = 500;
  // The clock advances this much after each step of a wave.
  absl::Duration step = absl::Hours(24);
  // Called after each commit with the number of events committed so far.
  std::function<void(uint64_t)> on_progress;
};

struct HistoryStats {
  uint64_t events = 0;
  std::vector<std::string> member_ids;
};

// Events per member: register, outflow, certificate, checks, transfer
// requested, transfer accepted.
inline int EventsPerMember(const HistoryOptions& options) { return 5 + options.checks_per_member; }

// Appends the histories to `store` (whose source is options.home's registry).
absl::StatusOr<HistoryStats> GenerateRegistryHistory(EventStore* store, ManualClock& clock,
                                                     const HistoryOptions& options);

}  // namespace lianxin::lxaudit

#endif  // LIANXIN_TOOLS_LXAUDIT_REGISTRY_HISTORY_H_
