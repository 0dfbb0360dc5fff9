// How lxaudit shows events and states: JSON lines with the payload decoded,
// one readable timeline line per event, a state message as JSON.
#ifndef LIANXIN_TOOLS_LXAUDIT_RENDER_H_
#define LIANXIN_TOOLS_LXAUDIT_RENDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/common/time_util.h"
#include "libs/eventstore/event_store.h"

namespace lianxin::lxaudit {

// The event as one line of JSON (proto field names; the payload decoded under
// its field name, e.g. "outflow_registered"; bytes base64).
absl::StatusOr<std::string> EventJson(const Event& event);

// The payload's fields as "name=value" pairs, scalars only, at most `limit`
// characters (for one readable line).
std::string PayloadSummary(const Event& event, size_t limit = 100);

// One event of a member's timeline, with the other logs that recorded it too
// ("<county>/<service>" each).
struct TimelineEntry {
  Event event;
  std::vector<std::string> also_recorded_in;
};

// Puts the events of one member read from several logs in domain-time order
// (occurred_at, then recorded_at, log, sequence), folding into one entry an
// event another county recorded from it (causation_id = its event_id, same type).
std::vector<TimelineEntry> BuildTimeline(std::vector<Event> events);

// "2026-03-01 10:00 +08  654322 registry  OutflowRegistered  by op-1  (recorded
// 2026-03-01T02:00:03Z, seq 12; also 650102/registry)  destination_jurisdiction=…"
// Domain time is shown in the county calendar (UTC+8).
std::string TimelineLine(const TimelineEntry& entry);
absl::StatusOr<std::string> TimelineJson(const TimelineEntry& entry);

// The serialized message `state` of type `message_name` as one line of JSON;
// INVALID_ARGUMENT if the type is unknown or the bytes do not parse.
absl::StatusOr<std::string> StateJson(const std::string& message_name, const std::string& state);

absl::Time EndOfCountyDay(absl::CivilDay day);

}  // namespace lianxin::lxaudit

#endif  // LIANXIN_TOOLS_LXAUDIT_RENDER_H_
