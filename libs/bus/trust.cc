#include "libs/bus/trust.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/trust/event_signing.h"

namespace lianxin {
namespace {

constexpr absl::string_view kIdentityTopic = "lx.identity.v1";

Refused WrongTopic(std::string detail) { return {Refusal::kWrongTopic, std::move(detail)}; }

}  // namespace

absl::string_view RefusalName(Refusal refusal) {
  switch (refusal) {
    case Refusal::kBadSignature:
      return "bad_signature";
    case Refusal::kUnknownKey:
      return "unknown_key";
    case Refusal::kRevokedKey:
      return "revoked_key";
    case Refusal::kWrongTopic:
      return "wrong_topic";
    case Refusal::kRole:
      return "role";
    case Refusal::kInvalidPayload:
      return "invalid_payload";
    case Refusal::kParkedCap:
      return "parked_cap";
  }
  return "unknown";
}

std::optional<Refusal> RefusalOfHandler(const absl::Status& status) {
  if (absl::IsPermissionDenied(status)) return Refusal::kRole;
  if (absl::IsInvalidArgument(status)) return Refusal::kInvalidPayload;
  return std::nullopt;
}

std::optional<Refused> CountyGate::CheckTopic(const Event& event, absl::string_view topic,
                                              absl::string_view receiver) {
  const Source& source = event.source();
  if (topic == kIdentityTopic) {
    if (source.service() != "registry") return WrongTopic("identity claim not from a registry");
    for (const ExtraTopic& extra : event.also_to()) {
      if (extra.topic() == kIdentityTopic) return std::nullopt;
    }
    return WrongTopic("event not addressed to the identity topic");
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(topic, '.');
  if (parts.size() != 4 || parts[0] != "lx" || parts[3] != "v1") {
    return WrongTopic(absl::StrCat("unknown topic ", topic));
  }
  if (parts[2] == "inbox") {
    if (parts[1] != receiver) return WrongTopic(absl::StrCat("another county's inbox ", topic));
    if (source.jurisdiction() == receiver) return WrongTopic("own event in own inbox");
    for (int i = 0; i < event.routed_to_size(); ++i) {
      if (event.routed_to(i) != receiver) continue;
      if (i >= event.routed_versions_size() || event.routed_versions(i) != event.route_version()) {
        return WrongTopic(absl::StrCat("route_version ", event.route_version(),
                                       " is not the one its source signed for ", receiver));
      }
      return std::nullopt;
    }
    return WrongTopic(absl::StrCat("event not routed to ", receiver));
  }
  if (parts[1] != source.jurisdiction() || parts[2] != source.service()) {
    return WrongTopic(
        absl::StrCat("event of ", source.jurisdiction(), "/", source.service(), " on ", topic));
  }
  return std::nullopt;
}

std::optional<Refused> CountyGate::Check(const Event& event, const std::string& topic) const {
  if (std::optional<Refused> refused = CheckTopic(event, topic, jurisdiction_)) return refused;
  absl::Status signature = trust::VerifyEventSignature(event, *directory_->Current());
  if (absl::IsNotFound(signature) && !event.signing_key_id().empty()) {
    // A key rotated in since the last look: the new edition may be installed.
    signature = trust::VerifyEventSignature(event, *directory_->Refreshed());
  }
  switch (signature.code()) {
    case absl::StatusCode::kOk:
      return std::nullopt;
    case absl::StatusCode::kPermissionDenied:
      return Refused{Refusal::kRevokedKey, std::string(signature.message())};
    case absl::StatusCode::kNotFound:
      if (event.signing_key_id().empty()) {
        return Refused{Refusal::kBadSignature, std::string(signature.message())};
      }
      return Refused{Refusal::kUnknownKey, std::string(signature.message())};
    default:
      return Refused{Refusal::kBadSignature, std::string(signature.message())};
  }
}

}  // namespace lianxin
