#include "libs/trust/anchors.h"

#include "absl/strings/str_cat.h"
#include "libs/common/big_endian.h"

namespace lianxin::trust {
namespace {

constexpr absl::string_view kAnchorTag("lianxin-anchor-v1\0", 18);

std::string SignedBytesOf(absl::string_view anchor) { return absl::StrCat(kAnchorTag, anchor); }

std::string Hex(absl::string_view bytes) { return ToHex(bytes).substr(0, 16); }

}  // namespace

absl::StatusOr<Anchor> HeadOf(const EventStore& store, absl::Time now) {
  const uint64_t last = store.LastSequence();
  if (last == 0) return absl::NotFoundError("the log is empty");
  Anchor anchor;
  anchor.set_jurisdiction(store.source().jurisdiction());
  anchor.set_service(store.source().service());
  absl::Status scanned = store.ScanLog(last, [&](const Event& event) {
    anchor.set_sequence(event.sequence());
    anchor.set_hash(event.hash());
    return false;
  });
  if (!scanned.ok()) return scanned;
  if (anchor.sequence() != last) return absl::DataLossError("the log's head is missing");
  anchor.mutable_taken_at()->set_seconds(absl::ToUnixSeconds(now));
  return anchor;
}

absl::StatusOr<SignedAnchor> SignAnchor(const Anchor& anchor, const CountySigner& signer) {
  SignedAnchor signed_anchor;
  if (!anchor.SerializeToString(signed_anchor.mutable_anchor())) {
    return absl::InternalError("anchor does not serialize");
  }
  absl::StatusOr<std::pair<std::string, std::string>> signature =
      signer.SignBytes(SignedBytesOf(signed_anchor.anchor()));
  if (!signature.ok()) return signature.status();
  signed_anchor.set_signing_key_id(signature->first);
  signed_anchor.set_signature(signature->second);
  return signed_anchor;
}

absl::StatusOr<Anchor> VerifyAnchor(absl::string_view signed_bytes,
                                    const CountyDirectory& directory) {
  SignedAnchor signed_anchor;
  Anchor anchor;
  if (!signed_anchor.ParseFromArray(signed_bytes.data(), static_cast<int>(signed_bytes.size())) ||
      !anchor.ParseFromString(signed_anchor.anchor())) {
    return absl::InvalidArgumentError("anchor does not parse");
  }
  if (anchor.sequence() == 0 || anchor.hash().size() != 32) {
    return absl::InvalidArgumentError("anchor without a sequence or a 32-byte hash");
  }
  const absl::Time taken_at = absl::FromUnixSeconds(anchor.taken_at().seconds());
  absl::StatusOr<const PublicKey*> key = directory.KeyFor(
      signed_anchor.signing_key_id(), anchor.jurisdiction(), anchor.service(), taken_at);
  if (!key.ok()) return key.status();
  if (!(*key)->Verify(SignedBytesOf(signed_anchor.anchor()), signed_anchor.signature())) {
    return absl::UnauthenticatedError("anchor signature does not verify");
  }
  return anchor;
}

std::string AnchorRowPrefix(const std::string& jurisdiction, const std::string& service) {
  return absl::StrCat("anchor/", jurisdiction, "/", service, "/");
}

std::string AnchorRowKey(const std::string& jurisdiction, const std::string& service,
                         uint64_t sequence) {
  return absl::StrCat(AnchorRowPrefix(jurisdiction, service), BigEndian64(sequence));
}

absl::Status CheckAnchors(const EventStore& log, const EventStore& holder,
                          const std::string& jurisdiction, const std::string& service,
                          uint64_t* checked) {
  const std::string prefix = AnchorRowPrefix(jurisdiction, service);
  const uint64_t last = log.LastSequence();
  absl::Status verdict;
  absl::Status scanned = holder.ScanPrefix(
      Family::kApplied, prefix, [&](const std::string& key, const std::string& hash) {
        const uint64_t sequence =
            ParseBigEndian64(absl::string_view(key).substr(prefix.size())).value_or(0);
        if (sequence > last) {
          verdict = absl::DataLossError(absl::StrCat("the log ends at sequence ", last,
                                                     " but sequence ", sequence, " was anchored"));
          return false;
        }
        std::string logged;
        absl::Status read = log.ScanLog(sequence, [&](const Event& event) {
          if (event.sequence() == sequence) logged = event.hash();
          return false;
        });
        if (!read.ok()) {
          verdict = read;
          return false;
        }
        if (logged != hash) {
          verdict =
              absl::DataLossError(absl::StrCat("sequence ", sequence, " has hash ", Hex(logged),
                                               " but ", Hex(hash), " was anchored"));
          return false;
        }
        ++*checked;
        return true;
      });
  if (!scanned.ok()) return scanned;
  return verdict;
}

}  // namespace lianxin::trust
