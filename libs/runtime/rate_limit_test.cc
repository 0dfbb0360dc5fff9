#include "libs/runtime/rate_limit.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lianxin {
namespace {

using ::testing::HasSubstr;

const Principal kZhang{"op-zhang", "654322", Role::kOperator};
const Principal kLi{"op-li", "654322", Role::kOperator};

TEST(KindsOfMethodTest, ReadsAreFreeWritesAndIdentityLookupsCount) {
  struct Case {
    const char* method;
    bool write;
    bool identity_lookup;
  };
  const Case cases[] = {
      {"/lianxin.v1.Registry/ListMembers", false, false},
      {"/lianxin.v1.Registry/GetStatistics", false, false},
      {"/lianxin.v1.Registry/GetMember", false, true},
      {"/lianxin.v1.Registry/GetMemberHistory", false, true},
      {"/lianxin.v1.Registry/RegisterMember", true, true},
      {"/lianxin.v1.Registry/RegisterOutflow", true, false},
      {"/lianxin.v1.ContactTracking/RecordContact", true, false},
  };
  for (const Case& c : cases) {
    MethodKinds kinds = KindsOfMethod(c.method);
    EXPECT_EQ(kinds.write, c.write) << c.method;
    EXPECT_EQ(kinds.identity_lookup, c.identity_lookup) << c.method;
  }
}

TEST(RateLimiterTest, BurstThenRefillsAtTheRate_PerPrincipal) {
  RateLimiter limiter({.writes_per_second = 2, .write_burst = 3});
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  const char* kWrite = "/lianxin.v1.Registry/RegisterOutflow";
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit(kZhang, kWrite, nullptr, t0).ok()) << i;
  std::string kind;
  absl::Status limited = limiter.Admit(kZhang, kWrite, &kind, t0);
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(limited.message(), HasSubstr("op-zhang"));
  EXPECT_EQ(kind, "writes");
  // Another principal has a bucket of its own; reads are not limited.
  EXPECT_TRUE(limiter.Admit(kLi, kWrite, nullptr, t0).ok());
  EXPECT_TRUE(limiter.Admit(kZhang, "/lianxin.v1.Registry/ListMembers", nullptr, t0).ok());
  // 0.5 s at 2 per second: one more.
  EXPECT_TRUE(limiter.Admit(kZhang, kWrite, nullptr, t0 + absl::Milliseconds(500)).ok());
  EXPECT_FALSE(limiter.Admit(kZhang, kWrite, nullptr, t0 + absl::Milliseconds(500)).ok());
}

TEST(RateLimiterTest, IdentityLookupsHaveTheirOwnLimit) {
  RateLimiter limiter({.writes_per_second = 100,
                       .write_burst = 100,
                       .identity_lookups_per_second = 1,
                       .identity_lookup_burst = 2});
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  EXPECT_TRUE(limiter.Admit(kZhang, "/lianxin.v1.Registry/GetMember", nullptr, t0).ok());
  EXPECT_TRUE(limiter.Admit(kZhang, "/lianxin.v1.Registry/RegisterMember", nullptr, t0).ok());
  std::string kind;
  EXPECT_EQ(limiter.Admit(kZhang, "/lianxin.v1.Registry/GetMember", &kind, t0).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(kind, "identity_lookups");
}

TEST(RateLimiterTest, ZeroRateIsUnlimited) {
  RateLimiter limiter({.writes_per_second = 0, .write_burst = 0});
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(limiter.Admit(kZhang, "/lianxin.v1.Registry/RegisterOutflow").ok());
  }
}

}  // namespace
}  // namespace lianxin
