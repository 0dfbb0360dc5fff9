#include "libs/runtime/rate_limit.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace lianxin {

MethodKinds KindsOfMethod(absl::string_view method) {
  absl::string_view name = method.substr(method.rfind('/') + 1);
  MethodKinds kinds;
  kinds.write = !(absl::StartsWith(name, "Get") || absl::StartsWith(name, "List") || name == "Say");
  kinds.identity_lookup =
      name == "GetMember" || name == "GetMemberHistory" || name == "RegisterMember";
  return kinds;
}

bool RateLimiter::Take(Bucket& bucket, double rate, double burst, absl::Time now) {
  if (bucket.refilled == absl::InfinitePast()) {
    bucket.tokens = burst;
  } else if (now > bucket.refilled) {
    bucket.tokens =
        std::min(burst, bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) * rate);
  }
  bucket.refilled = std::max(bucket.refilled, now);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

absl::Status RateLimiter::Admit(const Principal& caller, absl::string_view method,
                                std::string* limited_kind, absl::Time now) {
  const MethodKinds kinds = KindsOfMethod(method);
  struct Limit {
    bool applies;
    const char* kind;
    double rate;
    double burst;
  };
  const Limit limits[] = {
      {kinds.write, "writes", limits_.writes_per_second, limits_.write_burst},
      {kinds.identity_lookup, "identity_lookups", limits_.identity_lookups_per_second,
       limits_.identity_lookup_burst},
  };
  const std::string principal =
      absl::StrCat(caller.jurisdiction, "/", RoleName(caller.role), "/", caller.operator_id);
  absl::MutexLock lock(&mu_);
  for (const Limit& limit : limits) {
    if (!limit.applies || limit.rate <= 0) continue;
    Bucket& bucket = buckets_[absl::StrCat(principal, "/", limit.kind)];
    if (!Take(bucket, limit.rate, std::max(limit.burst, 1.0), now)) {
      if (limited_kind != nullptr) *limited_kind = limit.kind;
      return absl::ResourceExhaustedError(absl::StrFormat(
          "operator %s exceeded the limit of %g %s per second; retry in %.1f s", caller.operator_id,
          limit.rate, absl::StrReplaceAll(limit.kind, {{"_", " "}}),
          (1 - bucket.tokens) / limit.rate));
    }
  }
  return absl::OkStatus();
}

}  // namespace lianxin
