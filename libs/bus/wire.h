// What lianxin puts on Kafka, shared by the relay, the consumer and the tools
// that read topics directly (lxaudit, tests).
//
// A message's value is the Event serialized with route_version set to the
// delivery's; its key is the delivery's key or the event's aggregate_id; its
// headers are "type" (the payload name), "source" ("<jurisdiction>/<service>")
// and "sequence" (decimal), for tools that route without decoding.
//
// A consumer's applied marker for an event stream is a row of Family::kApplied
// under AppliedMarkerKey, holding the last applied gapless number (BigEndian64).
#ifndef LIANXIN_LIBS_BUS_WIRE_H_
#define LIANXIN_LIBS_BUS_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/common/big_endian.h"       // BigEndian64, ParseBigEndian64
#include "libs/eventstore/event_store.h"  // Event, Delivery, Source

namespace lianxin {

inline constexpr char kHeaderType[] = "type";
inline constexpr char kHeaderSource[] = "source";
inline constexpr char kHeaderSequence[] = "sequence";

// The Kafka value of `event` sent as `delivery`.
std::string EncodeDeliveryValue(const Event& event, const Delivery& delivery);
// The Kafka key of `event` sent as `delivery`.
std::string DeliveryKey(const Event& event, const Delivery& delivery);
// "<jurisdiction>/<service>".
std::string SourceName(const Source& source);

// Which gapless number orders a topic's events for a consumer.
enum class StreamOrder {
  // A service topic: Event.version, gapless per (source, aggregate).
  kVersion,
  // A jurisdiction's inbox: Event.route_version, gapless per (source,
  // destination, aggregate); the destination is the consumer's own county.
  kRouteVersion,
  // Any other topic (e.g. the compacted lx.identity.v1, which carries only some
  // of an aggregate's events): Event.version, increasing but not gapless, so
  // older or repeated events are skipped and nothing waits for a gap.
  kIncreasingVersion,
};

// kRouteVersion for "lx.<j>.inbox.v1", kVersion for other "lx.<j>.<service>.v1",
// kIncreasingVersion for anything else.
StreamOrder StreamOrderOf(absl::string_view topic);

// The applied-marker key of `event`'s stream as read from `topic`:
//   kVersion:           "ver/<j>/<service>/<aggregate>"
//   kRouteVersion:      "route/<j>/<service>/<aggregate>"
//   kIncreasingVersion: "topic/<topic>/<j>/<service>/<aggregate>"
std::string AppliedMarkerKey(StreamOrder order, absl::string_view topic, const Event& event);

// The number `order` uses from `event`.
uint64_t StreamNumber(StreamOrder order, const Event& event);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_WIRE_H_
