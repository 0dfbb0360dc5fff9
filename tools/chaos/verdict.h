// What lxchaos checks after each run, as pure functions over what the driver
// recorded and what the logs hold (table-tested in verdict_test.cc), and the
// reading of those logs.
//
//   Findings f = CheckLog(commands_sent_to_this_log, events_of_this_log);
//   f.lost        // acknowledged, but not in the log
//   f.duplicated  // a command (or a consumed event's effect) in the log twice
#ifndef LIANXIN_TOOLS_CHAOS_VERDICT_H_
#define LIANXIN_TOOLS_CHAOS_VERDICT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/chaos/driver.h"

namespace lianxin::chaos {

// The parts of a logged event the checks need.
struct LoggedEvent {
  uint64_t sequence = 0;
  std::string aggregate_id;
  std::string type;
  std::string correlation_id;  // the request_id of a command
  std::string causation_id;    // the consumed event of a reaction, "" for a command
};

struct Findings {
  // One line each, naming the command or event.
  std::vector<std::string> lost;
  std::vector<std::string> duplicated;
  // Refused commands that wrote something anyway (a half-applied refusal).
  std::vector<std::string> written_though_refused;
};

// Checks one service log against the commands sent to it:
// - an acknowledged command has events (correlation_id = its request_id, no
//   causation) and they were written by one commit: consecutive sequences,
//   no (aggregate, type) twice; else it is lost or duplicated;
// - an unanswered command has at most one such commit;
// - a refused command has none;
// - no consumed event had its effect twice: no (causation_id, aggregate, type)
//   appears twice.
Findings CheckLog(const std::vector<Command>& commands, const std::vector<LoggedEvent>& log);

// A message a consumer quarantined, or one lxchaos injected.
struct QuarantinedMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  bool operator==(const QuarantinedMessage&) const = default;
  auto operator<=>(const QuarantinedMessage&) const = default;
};

// Quarantined messages that were not injected (each named), and injected ones
// that no consumer quarantined.
struct QuarantineFindings {
  std::vector<std::string> unexpected;
  std::vector<std::string> missed;
};
QuarantineFindings CheckQuarantine(const std::vector<QuarantinedMessage>& quarantined,
                                   const std::vector<QuarantinedMessage>& injected);

// A message a consumer holds instead of applying: quarantined (`reason` as
// the QuarantineRow says) or parked (`reason` "parked").
struct HeldMessage {
  QuarantinedMessage where;
  std::string reason;
};

// The refusal a quarantine reason names: "bad_signature", ..., "role",
// "invalid_payload", "parked_cap" (libs/bus/trust.h RefusalName); "parked" for
// a parked row; "other" for anything else (undecodable, a state that forbids it).
std::string RefusalOfReason(const std::string& reason);

// A forged message and what its consumers must make of it (forge.h).
struct ExpectedRefusal {
  QuarantinedMessage where;
  std::string event_id;
  std::string what;
  // A refusal name, or "parked" (a flood: parked, or quarantined as parked_cap).
  std::string expected;
};

struct ForgeryFindings {
  // Forged events with an effect in a log (an event caused by one), each named.
  std::vector<std::string> applied;
  // Forged messages no consumer held with the expected refusal, each named
  // with what they were held as.
  std::vector<std::string> misjudged;
  // How many forged messages were held, by refusal (for the account).
  std::map<std::string, int> held_by_refusal;
};

// Checks that every forgery was held with its refusal by at least one of the
// consumers of its topic (`held`, over every store) and none had an effect
// (`logs`, over every store).
ForgeryFindings CheckForgeries(const std::vector<ExpectedRefusal>& forged,
                               const std::vector<HeldMessage>& held,
                               const std::vector<LoggedEvent>& logs);

// Reads a service's store under `data_dir` (read-only, while it runs): its
// log, its quarantine and the size of its outbox.
struct StoreContents {
  std::vector<LoggedEvent> log;
  std::vector<QuarantinedMessage> quarantined;
  std::vector<HeldMessage> held;  // the quarantined and the parked, with reasons
  uint64_t outbox_rows = 0;
};
absl::StatusOr<StoreContents> ReadStore(const std::string& data_dir, const std::string& county,
                                        const std::string& service, bool with_log);

}  // namespace lianxin::chaos

#endif  // LIANXIN_TOOLS_CHAOS_VERDICT_H_
