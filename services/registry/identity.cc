#include "services/registry/identity.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace lianxin::registry {

absl::StatusOr<IdentityHasher> IdentityHasher::FromKey(std::string key) {
  if (key.size() < 16) {
    return absl::InvalidArgumentError("identity key: needs at least 16 bytes");
  }
  return IdentityHasher(std::move(key));
}

absl::StatusOr<IdentityHasher> IdentityHasher::FromKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("identity key file ", path, " cannot be read"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string key = buffer.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return FromKey(std::move(key));
}

std::string IdentityHasher::Hash(absl::string_view id_number) const {
  std::string normalized(id_number);
  for (char& c : normalized) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(normalized.data()), normalized.size(), digest,
       &length);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace lianxin::registry
