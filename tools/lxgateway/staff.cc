#include "tools/lxgateway/staff.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace lianxin::gateway {
namespace {

constexpr uint64_t kScryptN = 16384;
constexpr uint64_t kScryptR = 8;
constexpr uint64_t kScryptP = 1;
constexpr size_t kKeyBytes = 32;

bool Scrypt(absl::string_view password, absl::string_view salt, uint64_t n, uint64_t r, uint64_t p,
            std::string* key) {
  key->assign(kKeyBytes, '\0');
  return EVP_PBE_scrypt(password.data(), password.size(),
                        reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,
                        /*maxmem=*/64 * 1024 * 1024, reinterpret_cast<unsigned char*>(key->data()),
                        key->size()) == 1;
}

struct ParsedHash {
  uint64_t n = 0, r = 0, p = 0;
  std::string salt, key;
};

std::optional<ParsedHash> ParseHash(absl::string_view encoded) {
  std::vector<absl::string_view> parts = absl::StrSplit(encoded, '$');
  ParsedHash out;
  if (parts.size() != 6 || parts[0] != "scrypt" || !absl::SimpleAtoi(parts[1], &out.n) ||
      !absl::SimpleAtoi(parts[2], &out.r) || !absl::SimpleAtoi(parts[3], &out.p) ||
      !absl::Base64Unescape(parts[4], &out.salt) || !absl::Base64Unescape(parts[5], &out.key) ||
      out.n < 1024 || (out.n & (out.n - 1)) != 0 || out.n > (1u << 20) || out.r < 1 || out.r > 32 ||
      out.p < 1 || out.p > 16 || out.salt.size() < 8 || out.key.size() != kKeyBytes) {
    return std::nullopt;
  }
  return out;
}

std::string Digest(absl::string_view id) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(id.data()), id.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool IsJurisdiction(absl::string_view s) {
  return s.size() == 6 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string RandomToken() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no entropy: nothing is safe
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

std::string HashPassword(absl::string_view password) {
  unsigned char salt[16];
  if (RAND_bytes(salt, sizeof salt) != 1) std::abort();
  const std::string salt_bytes(reinterpret_cast<char*>(salt), sizeof salt);
  std::string key;
  if (!Scrypt(password, salt_bytes, kScryptN, kScryptR, kScryptP, &key)) std::abort();
  return absl::StrCat("scrypt$", kScryptN, "$", kScryptR, "$", kScryptP, "$",
                      absl::Base64Escape(salt_bytes), "$", absl::Base64Escape(key));
}

bool VerifyPassword(absl::string_view password, absl::string_view encoded) {
  std::optional<ParsedHash> hash = ParseHash(encoded);
  if (!hash.has_value()) return false;
  std::string key;
  if (!Scrypt(password, hash->salt, hash->n, hash->r, hash->p, &key)) return false;
  return CRYPTO_memcmp(key.data(), hash->key.data(), kKeyBytes) == 0;
}

absl::StatusOr<StaffAccounts> StaffAccounts::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("accounts file ", path, " cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  return FromText(text.str(), path);
}

absl::StatusOr<StaffAccounts> StaffAccounts::FromText(absl::string_view text,
                                                      absl::string_view source) {
  StaffAccounts out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.empty()) continue;
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", line_no, ": ", why));
    };
    if (words.size() < 4) return bad("want: username role jurisdiction hash [display name]");
    StaffAccount account;
    account.username = std::string(words[0]);
    account.role = std::string(words[1]);
    account.jurisdiction = std::string(words[2]);
    account.password_hash = std::string(words[3]);
    account.display_name = absl::StrJoin(words.begin() + 4, words.end(), " ");
    if (account.display_name.empty()) account.display_name = account.username;
    if (account.role != "operator" && account.role != "readonly") {
      return bad(absl::StrCat("role '", account.role, "' is not operator or readonly"));
    }
    if (account.username.size() > 128 ||
        !absl::c_all_of(account.username, [](char c) { return c > ' ' && c < 0x7f; })) {
      return bad(
          "username: printable ASCII, at most 128 bytes (the services' access log names it)");
    }
    if (!IsJurisdiction(account.jurisdiction)) return bad("jurisdiction is not 6 digits");
    const bool certificate = absl::StartsWith(account.username, "cert:");
    if (certificate ? account.password_hash != "-" : !ParseHash(account.password_hash)) {
      return bad(certificate ? "a certificate's account has '-' for its hash"
                             : "hash is not one `lxgateway --hash_password` made");
    }
    if (out.accounts_.count(account.username) > 0) return bad("username given twice");
    out.accounts_.emplace(account.username, std::move(account));
  }
  return out;
}

const StaffAccount* StaffAccounts::Find(absl::string_view username) const {
  auto it = accounts_.find(username);
  return it == accounts_.end() ? nullptr : &it->second;
}

Session SessionStore::Create(const StaffAccount& account, absl::Time now) {
  Session session;
  session.id = RandomToken();
  session.csrf_token = RandomToken();
  session.account = account;
  session.account.password_hash.clear();
  session.expires = now + ttl_;
  absl::MutexLock lock(&mu_);
  // Forget expired sessions as new ones come, so the map stays bounded by use.
  for (auto it = by_digest_.begin(); it != by_digest_.end();) {
    it = it->second.expires <= now ? by_digest_.erase(it) : std::next(it);
  }
  by_digest_[Digest(session.id)] = session;
  return session;
}

std::optional<Session> SessionStore::Find(absl::string_view id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = by_digest_.find(Digest(id));
  if (it == by_digest_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    by_digest_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionStore::Remove(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  by_digest_.erase(Digest(id));
}

size_t SessionStore::size() const {
  absl::MutexLock lock(&mu_);
  return by_digest_.size();
}

bool SignInLimiter::Allowed(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return true;
  std::vector<absl::Time>& times = it->second;
  times.erase(
      std::remove_if(times.begin(), times.end(), [&](absl::Time t) { return t <= now - window_; }),
      times.end());
  if (times.empty()) {
    failures_.erase(it);
    return true;
  }
  return static_cast<int>(times.size()) < max_failures_;
}

void SignInLimiter::RecordFailure(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  failures_[key].push_back(now);
}

}  // namespace lianxin::gateway
