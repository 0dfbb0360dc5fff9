// Staff accounts and browser sessions of the gateway.
//
// An accounts file has one account a line, `username role jurisdiction hash
// display name…`, separated by blanks; `#` starts a comment. Roles are the
// services' (`operator`, `readonly`); the hash is HashPassword's
// (`scrypt$N$r$p$salt$key`, base64), so the file holds no password. A line whose
// username is `cert:<common name>` and whose hash is `-` is a client
// certificate's principal (mutual TLS), which signs in with no password.
//
//   ASSIGN_OR_RETURN(StaffAccounts accounts, StaffAccounts::FromFile(path));
//   const StaffAccount* who = accounts.Find("zhangli");
//   if (who && VerifyPassword(password, who->password_hash)) session = store.Create(*who, now);
#ifndef LIANXIN_TOOLS_LXGATEWAY_STAFF_H_
#define LIANXIN_TOOLS_LXGATEWAY_STAFF_H_

#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace lianxin::gateway {

struct StaffAccount {
  std::string username;
  std::string role;          // "operator" or "readonly"
  std::string jurisdiction;  // 6-digit county code
  std::string password_hash;
  std::string display_name;
};

class StaffAccounts {
 public:
  // Loads an accounts file. NOT_FOUND if it cannot be read; INVALID_ARGUMENT
  // naming the file and line for a malformed line, an unknown role, a
  // jurisdiction that is not 6 digits, a hash not made by HashPassword, or a
  // username given twice.
  static absl::StatusOr<StaffAccounts> FromFile(const std::string& path);
  static absl::StatusOr<StaffAccounts> FromText(absl::string_view text, absl::string_view source);

  // The account, or nullptr.
  const StaffAccount* Find(absl::string_view username) const;
  size_t size() const { return accounts_.size(); }

 private:
  std::map<std::string, StaffAccount, std::less<>> accounts_;
};

// Hashes `password` with scrypt (N=16384, r=8, p=1) and a random 16-byte salt.
std::string HashPassword(absl::string_view password);
// Returns true iff `password` hashes to `encoded` (compared in constant time).
bool VerifyPassword(absl::string_view password, absl::string_view encoded);

// A signed-in staff member. `id` goes in the cookie, `csrf_token` in the
// X-CSRF-Token header of every call the session makes.
struct Session {
  std::string id;
  std::string csrf_token;
  StaffAccount account;  // password_hash left empty
  absl::Time expires;
};

// Sessions in memory, by a digest of their id. Thread-safe.
class SessionStore {
 public:
  explicit SessionStore(absl::Duration ttl) : ttl_(ttl) {}

  // A new session for `account`, expiring `ttl` after `now`.
  Session Create(const StaffAccount& account, absl::Time now);
  // The session with this id if it has not expired at `now` (an expired one is
  // forgotten).
  std::optional<Session> Find(absl::string_view id, absl::Time now);
  void Remove(absl::string_view id);
  size_t size() const;

 private:
  const absl::Duration ttl_;
  mutable absl::Mutex mu_;
  std::map<std::string, Session> by_digest_ ABSL_GUARDED_BY(mu_);
};

// Counts failed sign-ins per key (a username, an address): more than
// `max_failures` within `window` refuses further attempts until the oldest
// failure leaves the window. Thread-safe.
class SignInLimiter {
 public:
  SignInLimiter(int max_failures, absl::Duration window)
      : max_failures_(max_failures), window_(window) {}

  // Returns true if `key` may try to sign in at `now`.
  bool Allowed(const std::string& key, absl::Time now);
  void RecordFailure(const std::string& key, absl::Time now);

 private:
  const int max_failures_;
  const absl::Duration window_;
  absl::Mutex mu_;
  std::map<std::string, std::vector<absl::Time>> failures_ ABSL_GUARDED_BY(mu_);
};

// 32 random bytes, hex.
std::string RandomToken();

}  // namespace lianxin::gateway

#endif  // LIANXIN_TOOLS_LXGATEWAY_STAFF_H_
