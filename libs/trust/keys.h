// Ed25519 keys of lianxin's counties and of the root that vouches for them.
//
// A county signs every event its services commit (libs/eventstore EventSigner)
// with a PrivateKey; a consumer verifies with the PublicKey that the signed
// county directory (directory.h) gives the event's source county. Keys are
// OpenSSL 3 EVP_PKEYs; private keys live in PEM (PKCS#8) files readable only by
// their owner, public keys travel as 32 raw bytes.
//
//   ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate());
//   RETURN_IF_ERROR(key.WritePem("/etc/lianxin/county.key"));  // mode 0600
//   ASSIGN_OR_RETURN(std::string signature, key.Sign(message));
//   ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromRaw(key.public_raw()));
//   bool ok = pub.Verify(message, signature);
#ifndef LIANXIN_LIBS_TRUST_KEYS_H_
#define LIANXIN_LIBS_TRUST_KEYS_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace lianxin::trust {

// Size of an Ed25519 public key and of a signature, in bytes.
inline constexpr size_t kPublicKeySize = 32;
inline constexpr size_t kSignatureSize = 64;

// The id of a public key: hex of the first 8 bytes of SHA-256(raw key).
std::string KeyIdOf(absl::string_view public_raw);

class PublicKey {
 public:
  // Returns INVALID_ARGUMENT unless `raw` is 32 bytes of an Ed25519 key.
  static absl::StatusOr<PublicKey> FromRaw(absl::string_view raw);
  // Reads a PEM SubjectPublicKeyInfo file (lxkeys writes the root's so).
  static absl::StatusOr<PublicKey> ReadPem(const std::string& path);

  // True if `signature` is this key's signature over `message`. Thread-safe.
  bool Verify(absl::string_view message, absl::string_view signature) const;
  // Writes a PEM SubjectPublicKeyInfo file (mode 0644: it is public).
  absl::Status WritePem(const std::string& path) const;

  const std::string& raw() const { return raw_; }
  const std::string& key_id() const { return key_id_; }

 private:
  std::shared_ptr<EVP_PKEY> pkey_;
  std::string raw_;
  std::string key_id_;
};

class PrivateKey {
 public:
  static absl::StatusOr<PrivateKey> Generate();
  // Reads a PEM PKCS#8 Ed25519 private key. Refuses (PERMISSION_DENIED) a file
  // that group or others may read: a leaked key lets anyone speak for the county.
  static absl::StatusOr<PrivateKey> ReadPem(const std::string& path);

  // Ed25519 signature (64 bytes) over `message`. Thread-safe.
  absl::StatusOr<std::string> Sign(absl::string_view message) const;
  // Writes the key as PEM PKCS#8 to `path` with mode 0600, replacing it
  // atomically (a rename), never leaving a readable copy on the way.
  absl::Status WritePem(const std::string& path) const;

  const PublicKey& public_key() const { return public_key_; }
  const std::string& key_id() const { return public_key_.key_id(); }

 private:
  std::shared_ptr<EVP_PKEY> pkey_;
  PublicKey public_key_;
};

// Hex (lower case) of `bytes`, for key ids and printing.
std::string ToHex(absl::string_view bytes);

}  // namespace lianxin::trust

#endif  // LIANXIN_LIBS_TRUST_KEYS_H_
