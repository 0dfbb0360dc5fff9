// Idempotent mutating RPCs: a command's idempotency record is keyed by who
// asked (the principal), the RPC and its request_id, and holds a digest of the
// request and the first reply. The same request again gets the first reply; the
// same request_id with other content is refused (INVALID_ARGUMENT naming
// request_id), never answered with the first reply. Records expire after the
// store's retention (EventStoreOptions::idempotency_retention): RocksDB drops
// them in its compactions, and an expired one no longer answers.
//
// The principal and the request are those of the RPC the thread is serving
// (CurrentRpcCall(), set by UnaryService).
//
//   ASSIGN_OR_RETURN(IdempotencyKey key, IdempotencyKeyOfCurrentRpc(method, request_id));
//   ASSIGN_OR_RETURN(bool replayed, ReplayReply(store, key, reply));
//   if (replayed) return absl::OkStatus();  // the first reply, nothing changed
//   ... decide, fill *reply ...
//   txn.SetIdempotencyKey(key.key, IdempotencyRecord(key, *reply));
#ifndef LIANXIN_LIBS_SERVICE_IDEMPOTENCY_H_
#define LIANXIN_LIBS_SERVICE_IDEMPOTENCY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "libs/eventstore/event_store.h"
#include "libs/runtime/auth.h"

namespace lianxin {

struct IdempotencyKey {
  std::string request_id;
  std::string key;             // the store's key: principal, method, request_id
  std::string request_digest;  // SHA-256 of the request (RequestDigest)
};

// SHA-256 of `request` serialized deterministically, with its `request_id`
// and `validate_only` fields cleared: a dry run and the real call, or two
// clients' encodings of the same content, have one digest.
std::string RequestDigest(const google::protobuf::Message& request);

// The key of `request_id` sent by `caller` to `method` for `request`.
IdempotencyKey MakeIdempotencyKey(const Principal& caller, absl::string_view method,
                                  absl::string_view request_id,
                                  const google::protobuf::Message& request);

// As MakeIdempotencyKey, for the RPC the calling thread is serving. INTERNAL if
// it serves none (a command with a request_id runs inside an RPC).
absl::StatusOr<IdempotencyKey> IdempotencyKeyOfCurrentRpc(absl::string_view method,
                                                          absl::string_view request_id);

// The record kept under key.key: the request's digest, then the serialized reply.
std::string IdempotencyRecord(const IdempotencyKey& key, const google::protobuf::Message& reply);

// Returns true (and fills `reply`) if `key` was already answered and has not
// expired; false if it is new. INVALID_ARGUMENT naming request_id if it was
// answered for a request with other content; DATA_LOSS if the record does not parse.
absl::StatusOr<bool> ReplayReply(const EventStore& store, const IdempotencyKey& key,
                                 google::protobuf::Message* reply);

// ReplayReply for the RPC the calling thread is serving (registry's dry runs).
absl::StatusOr<bool> ReplayReply(const EventStore& store, const std::string& method,
                                 const std::string& request_id, google::protobuf::Message* reply);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_SERVICE_IDEMPOTENCY_H_
