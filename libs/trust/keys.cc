#include "libs/trust/keys.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace lianxin::trust {
namespace {

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* pkey) { return {pkey, &EVP_PKEY_free}; }

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

absl::StatusOr<std::string> RawPublic(EVP_PKEY* pkey) {
  unsigned char raw[kPublicKeySize];
  size_t size = sizeof(raw);
  if (EVP_PKEY_get_raw_public_key(pkey, raw, &size) != 1 || size != kPublicKeySize) {
    return absl::InvalidArgumentError("not an Ed25519 key");
  }
  return std::string(reinterpret_cast<const char*>(raw), size);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `bytes` to `path` with `mode` through a temporary file and a rename.
absl::Status WriteFileAtomically(const std::string& path, absl::string_view bytes, mode_t mode) {
  const std::string temporary = absl::StrCat(path, ".tmp.", getpid());
  const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot create ", temporary, ": ", strerror(errno)));
  }
  // The umask may have narrowed the mode; set it exactly.
  bool ok = fchmod(fd, mode) == 0;
  size_t written = 0;
  while (ok && written < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  const int saved = errno;
  close(fd);
  if (!ok || rename(temporary.c_str(), path.c_str()) != 0) {
    unlink(temporary.c_str());
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path, ": ", strerror(ok ? errno : saved)));
  }
  return absl::OkStatus();
}

template <typename Write>
absl::StatusOr<std::string> ToPem(Write&& write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (bio == nullptr || write(bio.get()) != 1) return absl::InternalError(OpenSslError());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

std::string ToHex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

std::string KeyIdOf(absl::string_view public_raw) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(public_raw.data(), public_raw.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    return "";
  }
  return ToHex(absl::string_view(reinterpret_cast<const char*>(digest), 8));
}

// --- PublicKey ---------------------------------------------------------------

absl::StatusOr<PublicKey> PublicKey::FromRaw(absl::string_view raw) {
  if (raw.size() != kPublicKeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("public key: ", raw.size(), " bytes, an Ed25519 key has 32"));
  }
  EVP_PKEY* pkey = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("public key: ", OpenSslError()));
  }
  PublicKey key;
  key.pkey_ = Own(pkey);
  key.raw_ = std::string(raw);
  key.key_id_ = KeyIdOf(raw);
  return key;
}

absl::StatusOr<PublicKey> PublicKey::ReadPem(const std::string& path) {
  absl::StatusOr<std::string> pem = ReadFile(path);
  if (!pem.ok()) return pem.status();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())), &BIO_free);
  EVP_PKEY* pkey = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (pkey == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a PEM public key"));
  }
  std::shared_ptr<EVP_PKEY> owned = Own(pkey);
  if (!EVP_PKEY_is_a(pkey, "ED25519")) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an Ed25519 key"));
  }
  absl::StatusOr<std::string> raw = RawPublic(pkey);
  if (!raw.ok()) return raw.status();
  return FromRaw(*raw);
}

bool PublicKey::Verify(absl::string_view message, absl::string_view signature) const {
  if (pkey_ == nullptr || signature.size() != kSignatureSize) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey_.get()) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) ERR_clear_error();
  return ok;
}

absl::Status PublicKey::WritePem(const std::string& path) const {
  absl::StatusOr<std::string> pem =
      ToPem([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, pkey_.get()); });
  if (!pem.ok()) return pem.status();
  return WriteFileAtomically(path, *pem, 0644);
}

// --- PrivateKey --------------------------------------------------------------

absl::StatusOr<PrivateKey> PrivateKey::Generate() {
  EVP_PKEY* pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (pkey == nullptr) return absl::InternalError(absl::StrCat("keygen: ", OpenSslError()));
  PrivateKey key;
  key.pkey_ = Own(pkey);
  absl::StatusOr<std::string> raw = RawPublic(pkey);
  if (!raw.ok()) return raw.status();
  absl::StatusOr<PublicKey> public_key = PublicKey::FromRaw(*raw);
  if (!public_key.ok()) return public_key.status();
  key.public_key_ = *std::move(public_key);
  return key;
}

absl::StatusOr<PrivateKey> PrivateKey::ReadPem(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", strerror(errno)));
  }
  if ((info.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(path, ": a private key must be readable by its owner only (chmod 600)"));
  }
  absl::StatusOr<std::string> pem = ReadFile(path);
  if (!pem.ok()) return pem.status();
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())), &BIO_free);
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  // Wipe our copy of the key's text.
  OPENSSL_cleanse(pem->data(), pem->size());
  if (pkey == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a PEM private key"));
  }
  PrivateKey key;
  key.pkey_ = Own(pkey);
  if (!EVP_PKEY_is_a(pkey, "ED25519")) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not an Ed25519 key"));
  }
  absl::StatusOr<std::string> raw = RawPublic(pkey);
  if (!raw.ok()) return raw.status();
  absl::StatusOr<PublicKey> public_key = PublicKey::FromRaw(*raw);
  if (!public_key.ok()) return public_key.status();
  key.public_key_ = *std::move(public_key);
  return key;
}

absl::StatusOr<std::string> PrivateKey::Sign(absl::string_view message) const {
  if (pkey_ == nullptr) return absl::FailedPreconditionError("no private key");
  unsigned char signature[kSignatureSize];
  size_t size = sizeof(signature);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, pkey_.get()) == 1 &&
      EVP_DigestSign(ctx, signature, &size, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || size != kSignatureSize) {
    return absl::InternalError(absl::StrCat("sign: ", OpenSslError()));
  }
  return std::string(reinterpret_cast<const char*>(signature), size);
}

absl::Status PrivateKey::WritePem(const std::string& path) const {
  absl::StatusOr<std::string> pem = ToPem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (!pem.ok()) return pem.status();
  absl::Status written = WriteFileAtomically(path, *pem, 0600);
  OPENSSL_cleanse(pem->data(), pem->size());
  return written;
}

}  // namespace lianxin::trust
