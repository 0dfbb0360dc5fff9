// Idempotent mutating RPCs: a command's request_id is the idempotency key of
// its Transaction, and the record kept under it names the RPC and holds its
// first reply.
//
//   ASSIGN_OR_RETURN(bool replayed, ReplayReply(store, method, request.request_id(), reply));
//   if (replayed) return absl::OkStatus();  // the first reply, nothing changed
//   ... decide, fill *reply ...
//   txn.SetIdempotencyKey(request.request_id(), IdempotencyRecord(method, *reply));
#ifndef LIANXIN_LIBS_SERVICE_IDEMPOTENCY_H_
#define LIANXIN_LIBS_SERVICE_IDEMPOTENCY_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

// The record kept under a request_id: the RPC's full name, a newline, then
// its serialized reply.
std::string IdempotencyRecord(const std::string& method, const google::protobuf::Message& reply);

// Returns true (and fills `reply`) if `request_id` was already answered by
// `method`; false if it is new. ALREADY_EXISTS naming request_id if it was
// used for another RPC; DATA_LOSS if the stored reply does not parse.
absl::StatusOr<bool> ReplayReply(const EventStore& store, const std::string& method,
                                 const std::string& request_id, google::protobuf::Message* reply);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_SERVICE_IDEMPOTENCY_H_
