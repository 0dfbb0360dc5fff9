#include "libs/trust/event_signing.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "libs/common/log.h"

namespace lianxin::trust {
namespace {

// How often the signer looks whether its key file was replaced (a rotation).
constexpr absl::Duration kKeyRecheck = absl::Seconds(2);

std::string FileStamp(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return "";
  return absl::StrCat(info.st_mtim.tv_sec, ".", info.st_mtim.tv_nsec, "/", info.st_size, "/",
                      info.st_ino);
}

}  // namespace

absl::StatusOr<std::unique_ptr<CountySigner>> CountySigner::Open(std::string key_path) {
  const std::string stamp = FileStamp(key_path);
  absl::StatusOr<PrivateKey> key = PrivateKey::ReadPem(key_path);
  if (!key.ok()) return key.status();
  std::unique_ptr<CountySigner> signer(new CountySigner(std::move(key_path), *std::move(key)));
  absl::MutexLock lock(&signer->mu_);
  signer->file_stamp_ = stamp;
  return signer;
}

CountySigner::CountySigner(PrivateKey key) : CountySigner("", std::move(key)) {}

CountySigner::CountySigner(std::string key_path, PrivateKey key)
    : key_path_(std::move(key_path)),
      key_(std::make_shared<const PrivateKey>(std::move(key))),
      last_look_(absl::Now()) {}

std::shared_ptr<const PrivateKey> CountySigner::CurrentKey() const {
  absl::MutexLock lock(&mu_);
  if (key_path_.empty()) return key_;
  const absl::Time now = absl::Now();
  if (now - last_look_ < kKeyRecheck) return key_;
  last_look_ = now;
  const std::string stamp = FileStamp(key_path_);
  if (stamp == file_stamp_) return key_;
  file_stamp_ = stamp;
  absl::StatusOr<PrivateKey> key = PrivateKey::ReadPem(key_path_);
  if (!key.ok()) {
    LogError("signing key file refused, signing with the key in use",
             {{"path", key_path_}, {"error", key.status().ToString()}});
    return key_;
  }
  if (key->key_id() != key_->key_id()) {
    LogInfo("signing key rotated", {{"from", key_->key_id()}, {"to", key->key_id()}});
  }
  key_ = std::make_shared<const PrivateKey>(*std::move(key));
  return key_;
}

std::string CountySigner::key_id() const { return CurrentKey()->key_id(); }

absl::StatusOr<std::pair<std::string, std::string>> CountySigner::SignBytes(
    absl::string_view message) const {
  std::shared_ptr<const PrivateKey> key = CurrentKey();
  absl::StatusOr<std::string> signature = key->Sign(message);
  if (!signature.ok()) return signature.status();
  return std::make_pair(key->key_id(), *std::move(signature));
}

absl::StatusOr<std::string> CountySigner::Sign(Event& event) const {
  std::shared_ptr<const PrivateKey> key = CurrentKey();
  event.set_signing_key_id(key->key_id());
  event.clear_signature();
  std::string canonical = CanonicalBytes(event);
  absl::StatusOr<std::string> signature = key->Sign(canonical);
  if (!signature.ok()) return signature.status();
  event.set_signature(*std::move(signature));
  return canonical;
}

absl::Status VerifyEventSignature(const Event& event, const CountyDirectory& directory) {
  if (event.signing_key_id().empty() || event.signature().empty()) {
    return absl::NotFoundError("event is not signed");
  }
  const absl::Time recorded_at = absl::FromUnixSeconds(event.recorded_at().seconds()) +
                                 absl::Nanoseconds(event.recorded_at().nanos());
  absl::StatusOr<const PublicKey*> key = directory.KeyFor(
      event.signing_key_id(), event.source().jurisdiction(), event.source().service(), recorded_at);
  if (!key.ok()) return key.status();
  if (!(*key)->Verify(CanonicalBytes(event), event.signature())) {
    return absl::UnauthenticatedError(
        absl::StrCat("signature does not verify under key ", event.signing_key_id()));
  }
  return absl::OkStatus();
}

}  // namespace lianxin::trust
