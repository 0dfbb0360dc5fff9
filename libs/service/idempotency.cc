// Idempotent mutating RPCs (see idempotency.h).
#include "libs/service/idempotency.h"

#include "absl/strings/str_cat.h"

namespace lianxin {

std::string IdempotencyRecord(const std::string& method, const google::protobuf::Message& reply) {
  return absl::StrCat(method, "\n", reply.SerializeAsString());
}

absl::StatusOr<bool> ReplayReply(const EventStore& store, const std::string& method,
                                 const std::string& request_id, google::protobuf::Message* reply) {
  absl::StatusOr<std::string> record = store.LookupIdempotency(request_id);
  if (absl::IsNotFound(record.status())) return false;
  if (!record.ok()) return record.status();
  const size_t newline = record->find('\n');
  const std::string first_method = record->substr(0, newline);
  if (newline == std::string::npos || first_method != method) {
    return absl::AlreadyExistsError(
        absl::StrCat("request_id: ", request_id, " was already used for ", first_method));
  }
  if (!reply->ParseFromString(record->substr(newline + 1))) {
    return absl::DataLossError(absl::StrCat("stored reply of ", request_id, " does not parse"));
  }
  return true;
}

}  // namespace lianxin
