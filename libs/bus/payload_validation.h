// Field validation of consumed payloads: before a consumer applies an event,
// its payload passes the checks the gRPC edge makes on the request that makes
// that kind (libs/runtime/validate.h FieldChecker, the same bounds), so an
// event from another county or service can hold nothing a command of ours
// could not. The MessageApplier refuses an event that fails (reason
// invalid_payload, no marker moves).
//
// One table, PayloadKinds(), names every kind of Event's `payload` oneof with
// its validator, or none for the kinds no consumer applies (a service's own
// bookkeeping, which other processes ignore). A new kind without an entry
// fails payload_validation_test.
//
//   if (absl::Status valid = ValidatePayload(event); !valid.ok()) { ...quarantine... }
#ifndef LIANXIN_LIBS_BUS_PAYLOAD_VALIDATION_H_
#define LIANXIN_LIBS_BUS_PAYLOAD_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

struct PayloadKind {
  // The field number of the kind in Event's `payload` oneof (= payload_case()).
  int field_number = 0;
  // Checks the payload; null if no consumer applies this kind.
  absl::Status (*validate)(const Event& event) = nullptr;
};

// Every kind of payload, in field-number order.
const std::vector<PayloadKind>& PayloadKinds();

// OK if `event`'s payload passes its kind's validation (or its kind is not
// consumed, or it has none). INVALID_ARGUMENT "<kind>.<field>: what is wrong"
// for the first failure; the message names no field's value.
absl::Status ValidatePayload(const Event& event);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_PAYLOAD_VALIDATION_H_
