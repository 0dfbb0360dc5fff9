// The resident ID number is never stored or sent in clear (R18): only its
// keyed hash travels, HMAC-SHA-256 under one key for the whole deployment.
//
//   ASSIGN_OR_RETURN(IdentityHasher hasher, IdentityHasher::FromKeyFile(path));
//   std::string h = hasher.Hash("11010519491231002X");  // 64 hex characters
#ifndef LIANXIN_SERVICES_REGISTRY_IDENTITY_H_
#define LIANXIN_SERVICES_REGISTRY_IDENTITY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lianxin::registry {

class IdentityHasher {
 public:
  // `key` must be at least 16 bytes.
  static absl::StatusOr<IdentityHasher> FromKey(std::string key);
  // Reads the key from a file (its bytes, a trailing newline dropped).
  static absl::StatusOr<IdentityHasher> FromKeyFile(const std::string& path);

  // Lower-case hex HMAC-SHA-256 of the ID number, its check character upper-cased
  // (so "…002x" and "…002X" hash alike).
  std::string Hash(absl::string_view id_number) const;

 private:
  explicit IdentityHasher(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_IDENTITY_H_
