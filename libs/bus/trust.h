// The checks every consumed event passes before anything is applied.
//
// Counties trust no one: a message on a county's topics may have been written
// by any process that can reach the broker. Before the consumer looks at a
// marker or calls a handler, the EventGate decides whether the event may be
// applied at all; a refused event is quarantined with its reason, counted in
// lianxin_refused_total{reason}, and changes nothing else (no marker, no parked
// row): a genuine event with the same numbers is still applied when it comes.
//
//   CountyGate gate("654322", directory.get());
//   ConsumerOptions options{..., .gate = &gate};
//
// CountyGate checks, in order:
// - wrong_topic: the event's source matches the topic it came on. On
//   lx.<A>.<service>.v1 only A's <service> writes. On lx.<me>.inbox.v1 any other
//   county writes, but only an event it routed to <me>, under the route_version
//   it signed for <me>. On lx.identity.v1 only a registry's event addressed to it.
// - bad_signature / unknown_key / revoked_key: the signature verifies under a
//   key the county directory gives the source county (and service) at the
//   event's recorded_at.
// Role rules (what a county may say about which member) and payload validation
// are the handler's (services/*/domain/roles.h); a handler's refusal is a
// genuine event of its source and so does advance the stream's marker.
#ifndef LIANXIN_LIBS_BUS_TRUST_H_
#define LIANXIN_LIBS_BUS_TRUST_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/eventstore/event_store.h"
#include "libs/trust/directory.h"

namespace lianxin {

// Why a consumed event was refused; also the metric's `reason` label.
enum class Refusal {
  kBadSignature,    // unsigned, or the signature does not verify
  kUnknownKey,      // the key is not one the directory gives the source county
  kRevokedKey,      // the key was revoked (or not valid yet) when the event was recorded
  kWrongTopic,      // the source may not write on this topic, or not this route_version
  kRole,            // the source county may not say this about this member
  kInvalidPayload,  // the payload fails the edge's field validation
  kParkedCap,       // it would wait for a gap, but its source county has the most parked
};

// "bad_signature", "unknown_key", "revoked_key", "wrong_topic", "role", "invalid_payload",
// "parked_cap".
absl::string_view RefusalName(Refusal refusal);

struct Refused {
  Refusal reason;
  std::string detail;  // names what failed; never personal data
};

// The refusal a handler's status stands for: PERMISSION_DENIED is a role rule
// (role), INVALID_ARGUMENT a payload that fails validation (invalid_payload);
// nullopt for other refusals (FAILED_PRECONDITION: a state that does not allow it).
std::optional<Refusal> RefusalOfHandler(const absl::Status& status);

class EventGate {
 public:
  virtual ~EventGate() = default;
  // nullopt if `event`, read from `topic`, may go on to the handler; else why
  // not. Thread-safe (called from every worker).
  virtual std::optional<Refused> Check(const Event& event, const std::string& topic) const = 0;
};

// The gate of one county's consumers (see the banner).
class CountyGate : public EventGate {
 public:
  // `directory` is not owned and must outlive the gate.
  CountyGate(std::string jurisdiction, trust::InstalledDirectory* directory)
      : jurisdiction_(std::move(jurisdiction)), directory_(directory) {}

  std::optional<Refused> Check(const Event& event, const std::string& topic) const override;

  // The topic check alone (no signature), for tests and tools.
  static std::optional<Refused> CheckTopic(const Event& event, absl::string_view topic,
                                           absl::string_view receiver);

 private:
  const std::string jurisdiction_;
  trust::InstalledDirectory* const directory_;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_TRUST_H_
