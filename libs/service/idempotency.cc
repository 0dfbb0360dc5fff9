// Idempotent mutating RPCs (see idempotency.h).
#include "libs/service/idempotency.h"

#include <openssl/sha.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/current_rpc.h"
#include "libs/runtime/validate.h"

namespace lianxin {
namespace {

constexpr size_t kDigestSize = SHA256_DIGEST_LENGTH;

}  // namespace

std::string RequestDigest(const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> content(request.New());
  content->CopyFrom(request);
  const google::protobuf::Descriptor* descriptor = content->GetDescriptor();
  for (const char* name : {"request_id", "validate_only"}) {
    if (const google::protobuf::FieldDescriptor* field = descriptor->FindFieldByName(name)) {
      content->GetReflection()->ClearField(content.get(), field);
    }
  }
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    content->SerializeToCodedStream(&coded);
  }
  std::string digest(kDigestSize, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

IdempotencyKey MakeIdempotencyKey(const Principal& caller, absl::string_view method,
                                  absl::string_view request_id,
                                  const google::protobuf::Message& request) {
  IdempotencyKey key;
  key.request_id = std::string(request_id);
  // The operator id is the one part a caller's credentials choose freely:
  // length-prefixed, so no two principals share a key.
  key.key =
      absl::StrCat(caller.jurisdiction, " ", RoleName(caller.role), " ", caller.operator_id.size(),
                   ":", caller.operator_id, "\n", method, "\n", request_id);
  key.request_digest = RequestDigest(request);
  return key;
}

absl::StatusOr<IdempotencyKey> IdempotencyKeyOfCurrentRpc(absl::string_view method,
                                                          absl::string_view request_id) {
  const CurrentRpc* rpc = CurrentRpcCall();
  if (rpc == nullptr || rpc->caller == nullptr || rpc->request == nullptr) {
    return absl::InternalError(
        absl::StrCat("request_id ", request_id, " outside an RPC: no caller to key it by"));
  }
  return MakeIdempotencyKey(*rpc->caller, method, request_id, *rpc->request);
}

std::string IdempotencyRecord(const IdempotencyKey& key, const google::protobuf::Message& reply) {
  return absl::StrCat(key.request_digest, reply.SerializeAsString());
}

absl::StatusOr<bool> ReplayReply(const EventStore& store, const IdempotencyKey& key,
                                 google::protobuf::Message* reply) {
  absl::StatusOr<std::string> record = store.LookupIdempotency(key.key);
  if (absl::IsNotFound(record.status())) return false;
  if (!record.ok()) return record.status();
  if (record->size() < kDigestSize) {
    return absl::DataLossError(
        absl::StrCat("idempotency record of request_id ", key.request_id, " is too short"));
  }
  if (absl::string_view(*record).substr(0, kDigestSize) != key.request_digest) {
    return FieldChecker()
        .Require(false, "request_id",
                 absl::StrCat(key.request_id,
                              " was already used for a request with other content; send the same "
                              "request again, or a new request_id for a new one"))
        .status();
  }
  if (!reply->ParseFromString(record->substr(kDigestSize))) {
    return absl::DataLossError(
        absl::StrCat("stored reply of request_id ", key.request_id, " does not parse"));
  }
  return true;
}

absl::StatusOr<bool> ReplayReply(const EventStore& store, const std::string& method,
                                 const std::string& request_id, google::protobuf::Message* reply) {
  ASSIGN_OR_RETURN(IdempotencyKey key, IdempotencyKeyOfCurrentRpc(method, request_id));
  return ReplayReply(store, key, reply);
}

}  // namespace lianxin
