#include "libs/trust/directory.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/log.h"

namespace lianxin::trust {
namespace {

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

bool IsCountyCode(const std::string& code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string FileStamp(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return "";
  return absl::StrCat(info.st_mtim.tv_sec, ".", info.st_mtim.tv_nsec, "/", info.st_size, "/",
                      info.st_ino);
}

}  // namespace

absl::StatusOr<CountyDirectory> CountyDirectory::FromSigned(absl::string_view signed_bytes,
                                                            const PublicKey& root) {
  SignedKeyDirectory signed_directory;
  if (!signed_directory.ParseFromArray(signed_bytes.data(),
                                       static_cast<int>(signed_bytes.size()))) {
    return absl::InvalidArgumentError("key directory: does not parse");
  }
  if (signed_directory.root_key_id() != root.key_id() ||
      !root.Verify(signed_directory.directory(), signed_directory.signature())) {
    return absl::PermissionDeniedError(
        "key directory: not signed by the root key this service trusts");
  }
  CountyDirectory result;
  if (!result.directory_.ParseFromString(signed_directory.directory())) {
    return absl::InvalidArgumentError("key directory: signed bytes do not parse");
  }
  for (const CountyKey& key : result.directory_.keys()) {
    absl::StatusOr<PublicKey> public_key = PublicKey::FromRaw(key.public_key());
    if (!public_key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("key directory: key ", key.key_id(), ": ", public_key.status().message()));
    }
    if (public_key->key_id() != key.key_id()) {
      return absl::InvalidArgumentError(
          absl::StrCat("key directory: key_id ", key.key_id(), " does not match its public key"));
    }
    if (!IsCountyCode(key.jurisdiction())) {
      return absl::InvalidArgumentError(absl::StrCat("key directory: key ", key.key_id(),
                                                     ": jurisdiction is not a 6-digit code"));
    }
    if (!result.by_id_.emplace(key.key_id(), Entry{key, *std::move(public_key)}).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("key directory: key ", key.key_id(), " appears twice"));
    }
  }
  return result;
}

absl::StatusOr<CountyDirectory> CountyDirectory::ReadFile(const std::string& path,
                                                          const PublicKey& root) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  absl::StatusOr<CountyDirectory> directory = FromSigned(bytes.str(), root);
  if (!directory.ok()) {
    return absl::Status(directory.status().code(),
                        absl::StrCat(path, ": ", directory.status().message()));
  }
  return directory;
}

absl::StatusOr<const PublicKey*> CountyDirectory::KeyFor(const std::string& key_id,
                                                         const std::string& jurisdiction,
                                                         const std::string& service,
                                                         absl::Time at) const {
  auto it = by_id_.find(key_id);
  if (it == by_id_.end()) return absl::NotFoundError(absl::StrCat("unknown key ", key_id));
  const CountyKey& key = it->second.key;
  if (key.jurisdiction() != jurisdiction || (!key.service().empty() && key.service() != service)) {
    return absl::NotFoundError(
        absl::StrCat("key ", key_id, " is not ", jurisdiction, "'s ", service, " key"));
  }
  if (key.has_valid_from() && at < TimeOf(key.valid_from())) {
    return absl::PermissionDeniedError(absl::StrCat("key ", key_id, " is not valid yet"));
  }
  if (key.has_revoked_from() && at >= TimeOf(key.revoked_from())) {
    return absl::PermissionDeniedError(absl::StrCat("key ", key_id, " is revoked"));
  }
  return &it->second.public_key;
}

std::vector<std::string> CountyDirectory::Counties() const {
  std::vector<std::string> counties;
  for (const CountyKey& key : directory_.keys()) {
    if (key.has_revoked_from()) continue;
    counties.push_back(key.jurisdiction());
  }
  std::sort(counties.begin(), counties.end());
  counties.erase(std::unique(counties.begin(), counties.end()), counties.end());
  return counties;
}

absl::StatusOr<SignedKeyDirectory> SignDirectory(const KeyDirectory& directory,
                                                 const PrivateKey& root) {
  SignedKeyDirectory signed_directory;
  if (!directory.SerializeToString(signed_directory.mutable_directory())) {
    return absl::InternalError("key directory does not serialize");
  }
  absl::StatusOr<std::string> signature = root.Sign(signed_directory.directory());
  if (!signature.ok()) return signature.status();
  signed_directory.set_root_key_id(root.key_id());
  signed_directory.set_signature(*std::move(signature));
  return signed_directory;
}

// --- InstalledDirectory ------------------------------------------------------

absl::StatusOr<std::unique_ptr<InstalledDirectory>> InstalledDirectory::Open(std::string path,
                                                                             PublicKey root) {
  std::unique_ptr<InstalledDirectory> installed(new InstalledDirectory(std::move(path), root));
  absl::MutexLock lock(&installed->mu_);
  if (absl::Status s = installed->ReloadLocked(); !s.ok()) return s;
  return installed;
}

std::shared_ptr<const CountyDirectory> InstalledDirectory::Current() {
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  if (now - last_look_ >= recheck_) {
    last_look_ = now;
    if (FileStamp(path_) != file_stamp_) ReloadLocked().IgnoreError();  // logged
  }
  return current_;
}

std::shared_ptr<const CountyDirectory> InstalledDirectory::Refreshed() {
  absl::MutexLock lock(&mu_);
  last_look_ = absl::Now();
  if (FileStamp(path_) != file_stamp_) ReloadLocked().IgnoreError();  // logged
  return current_;
}

absl::Status InstalledDirectory::Reload() {
  absl::MutexLock lock(&mu_);
  return ReloadLocked();
}

absl::Status InstalledDirectory::ReloadLocked() {
  const std::string stamp = FileStamp(path_);
  absl::StatusOr<CountyDirectory> read = CountyDirectory::ReadFile(path_, root_);
  if (read.ok() && current_ != nullptr &&
      read->directory().serial() < current_->directory().serial()) {
    read = absl::FailedPreconditionError(
        absl::StrCat(path_, ": edition ", read->directory().serial(),
                     " is older than the one in force (", current_->directory().serial(), ")"));
  }
  file_stamp_ = stamp;  // an edition refused is not read again until the file changes
  if (!read.ok()) {
    LogError("key directory refused, keeping the one in force",
             {{"path", path_}, {"error", read.status().ToString()}});
    return read.status();
  }
  current_ = std::make_shared<const CountyDirectory>(*std::move(read));
  LogInfo("key directory installed",
          {{"path", path_}, {"serial", absl::StrCat(current_->directory().serial())}});
  return absl::OkStatus();
}

}  // namespace lianxin::trust
