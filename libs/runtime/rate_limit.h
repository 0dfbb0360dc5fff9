// Per-principal rate limits on writes and identity lookups: a token bucket per
// (principal, kind), so one operator (or one stolen token) cannot flood a
// county with changes or probe who is registered by ID number.
//
//   RateLimiter limiter({.writes_per_second = 20, .write_burst = 100});
//   if (absl::Status s = limiter.Admit(caller, "/lianxin.v1.Registry/RegisterMember"); !s.ok())
//     return s;  // RESOURCE_EXHAUSTED
#ifndef LIANXIN_LIBS_RUNTIME_RATE_LIMIT_H_
#define LIANXIN_LIBS_RUNTIME_RATE_LIMIT_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/runtime/auth.h"

namespace lianxin {

// What an RPC does, for its limits.
enum class RpcKind {
  kRead,            // Get*, List*: not limited here
  kWrite,           // every other method
  kIdentityLookup,  // reads or writes that reveal who a person is (see KindsOfMethod)
};

// The limited kinds `method` ("/lianxin.v1.Registry/RegisterMember") counts
// against: writes are every method not named Get*/List*/Say; identity lookups
// are GetMember, GetMemberHistory and RegisterMember (whose ALREADY_EXISTS
// names the member an ID number belongs to).
struct MethodKinds {
  bool write = false;
  bool identity_lookup = false;
};
MethodKinds KindsOfMethod(absl::string_view method);

struct RateLimits {
  // Sustained rate and burst per principal; a rate of 0 disables the limit.
  double writes_per_second = 50;
  double write_burst = 200;
  double identity_lookups_per_second = 20;
  double identity_lookup_burst = 100;
};

// Thread-safe. Memory grows with the number of distinct principals, which
// only the token file and the CA can create.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimits limits) : limits_(limits) {}

  // OK if `caller` may make one more call of `method` now (and takes it from
  // the buckets), else RESOURCE_EXHAUSTED naming the limit and when to retry;
  // `limited_kind`, if not null, is set to "writes" or "identity_lookups".
  absl::Status Admit(const Principal& caller, absl::string_view method,
                     std::string* limited_kind = nullptr, absl::Time now = absl::Now());

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled = absl::InfinitePast();
  };
  // Takes one token if there is one, after refilling at `rate` up to `burst`.
  static bool Take(Bucket& bucket, double rate, double burst, absl::Time now);

  const RateLimits limits_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_RATE_LIMIT_H_
