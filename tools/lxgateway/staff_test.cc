#include "tools/lxgateway/staff.h"

#include <string>

#include "gtest/gtest.h"

namespace lianxin::gateway {
namespace {

TEST(HashPassword, VerifiesTheSamePassword_NotAnother_AndSaltsEachHash) {
  const std::string hash = HashPassword("正确的口令 1");
  EXPECT_TRUE(VerifyPassword("正确的口令 1", hash));
  EXPECT_FALSE(VerifyPassword("正确的口令 2", hash));
  EXPECT_FALSE(VerifyPassword("", hash));
  EXPECT_NE(HashPassword("正确的口令 1"), hash);
  EXPECT_EQ(hash.rfind("scrypt$16384$8$1$", 0), 0u);
  EXPECT_EQ(hash.find("正确"), std::string::npos);
}

TEST(VerifyPassword, RejectsMalformedOrWeakenedHashes) {
  std::string hash = HashPassword("pw");
  EXPECT_FALSE(VerifyPassword("pw", "plain"));
  EXPECT_FALSE(VerifyPassword("pw", "scrypt$2$8$1$AAAAAAAAAAAAAAAA$AAAA"));
  hash.replace(hash.find("16384"), 5, "1024");  // a cheaper cost no longer matches
  EXPECT_FALSE(VerifyPassword("pw", hash));
}

TEST(StaffAccounts, ParsesAccountsWithChineseNames_AndCertificatePrincipals) {
  const std::string text =
      "# username role jurisdiction hash name\n"
      "lina operator 654322 " +
      HashPassword("a") +
      " 组织部 李娜\n"
      "wang readonly 654322 " +
      HashPassword("b") +
      "\n"
      "cert:social-insurance readonly 654322 -  社保系统\n";
  absl::StatusOr<StaffAccounts> accounts = StaffAccounts::FromText(text, "staff.txt");
  ASSERT_TRUE(accounts.ok()) << accounts.status();
  EXPECT_EQ(accounts->size(), 3u);
  ASSERT_NE(accounts->Find("lina"), nullptr);
  EXPECT_EQ(accounts->Find("lina")->display_name, "组织部 李娜");
  EXPECT_EQ(accounts->Find("wang")->display_name, "wang");
  EXPECT_EQ(accounts->Find("cert:social-insurance")->role, "readonly");
  EXPECT_EQ(accounts->Find("nobody"), nullptr);
}

TEST(StaffAccounts, RejectsBadLines_NamingFileAndLine) {
  const std::string good = HashPassword("a");
  const struct {
    std::string line;
    std::string why;
  } cases[] = {
      {"lina operator 654322", "want"},
      {"lina admin 654322 " + good, "role"},
      {"lina operator 65432 " + good, "6 digits"},
      {"lina operator 654322 plaintext", "hash"},
      {"cert:x readonly 654322 " + good, "'-'"},
      {"lina operator 654322 " + good + "\nlina readonly 654322 " + good, "twice"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<StaffAccounts> accounts = StaffAccounts::FromText(c.line, "staff.txt");
    ASSERT_FALSE(accounts.ok()) << c.line;
    EXPECT_NE(accounts.status().message().find("staff.txt:"), std::string::npos);
    EXPECT_NE(accounts.status().message().find(c.why), std::string::npos)
        << accounts.status().message();
  }
}

TEST(SessionStore, FindsALiveSession_ForgetsItAtExpiryAndOnRemove) {
  SessionStore store(absl::Hours(8));
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  StaffAccount account{"lina", "operator", "654322", "scrypt$secret", "李娜"};
  Session session = store.Create(account, t0);
  EXPECT_EQ(session.id.size(), 64u);
  EXPECT_NE(session.id, session.csrf_token);
  ASSERT_TRUE(store.Find(session.id, t0 + absl::Hours(8) - absl::Seconds(1)).has_value());
  EXPECT_TRUE(store.Find(session.id, t0)->account.password_hash.empty());
  EXPECT_FALSE(store.Find(session.id + "0", t0).has_value());
  EXPECT_FALSE(store.Find(session.id, t0 + absl::Hours(8)).has_value());
  EXPECT_EQ(store.size(), 0u);
  Session other = store.Create(account, t0);
  store.Remove(other.id);
  EXPECT_FALSE(store.Find(other.id, t0).has_value());
}

TEST(SignInLimiter, RefusesAfterMaxFailuresInTheWindow_AndAllowsOnceTheyAge) {
  SignInLimiter limiter(3, absl::Minutes(15));
  const absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.Allowed("user:lina", t0 + absl::Seconds(i)));
    limiter.RecordFailure("user:lina", t0 + absl::Seconds(i));
  }
  EXPECT_FALSE(limiter.Allowed("user:lina", t0 + absl::Minutes(1)));
  EXPECT_TRUE(limiter.Allowed("user:wang", t0 + absl::Minutes(1)));
  EXPECT_FALSE(limiter.Allowed("user:lina", t0 + absl::Minutes(15) - absl::Seconds(1)));
  EXPECT_TRUE(limiter.Allowed("user:lina", t0 + absl::Minutes(15)));  // the first aged out
}

}  // namespace
}  // namespace lianxin::gateway
