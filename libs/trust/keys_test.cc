#include "libs/trust/keys.h"

#include <sys/stat.h>

#include "gtest/gtest.h"
#include "libs/testing/testing.h"

namespace lianxin::trust {
namespace {

using ::lianxin::testing::TempDir;

TEST(Keys, SignatureVerifiesUnderItsKeyOnly) {
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate();
  absl::StatusOr<PrivateKey> other = PrivateKey::Generate();
  ASSERT_TRUE(key.ok() && other.ok());
  absl::StatusOr<std::string> signature = key->Sign("the canonical bytes");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(signature->size(), kSignatureSize);
  EXPECT_TRUE(key->public_key().Verify("the canonical bytes", *signature));
  EXPECT_FALSE(key->public_key().Verify("the canonical bytes!", *signature));
  EXPECT_FALSE(other->public_key().Verify("the canonical bytes", *signature));
  std::string flipped = *signature;
  flipped[10] ^= 1;
  EXPECT_FALSE(key->public_key().Verify("the canonical bytes", flipped));
  EXPECT_FALSE(key->public_key().Verify("the canonical bytes", ""));
}

TEST(Keys, KeyIdIsDerivedFromThePublicKey) {
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->key_id().size(), 16u);
  EXPECT_EQ(key->key_id(), KeyIdOf(key->public_key().raw()));
  absl::StatusOr<PublicKey> from_raw = PublicKey::FromRaw(key->public_key().raw());
  ASSERT_TRUE(from_raw.ok());
  EXPECT_EQ(from_raw->key_id(), key->key_id());
}

TEST(Keys, PrivateKeyFileIsOwnerOnlyAndRoundTrips) {
  TempDir dir;
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->WritePem(dir.Sub("county.key")).ok());
  struct stat info;
  ASSERT_EQ(stat(dir.Sub("county.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  absl::StatusOr<PrivateKey> read = PrivateKey::ReadPem(dir.Sub("county.key"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->key_id(), key->key_id());
  absl::StatusOr<std::string> signature = read->Sign("m");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(key->public_key().Verify("m", *signature));
}

TEST(Keys, ReadPemRefusesAKeyOthersMayRead) {
  TempDir dir;
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->WritePem(dir.Sub("county.key")).ok());
  ASSERT_EQ(chmod(dir.Sub("county.key").c_str(), 0640), 0);
  absl::StatusOr<PrivateKey> read = PrivateKey::ReadPem(dir.Sub("county.key"));
  EXPECT_EQ(read.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST(Keys, PublicKeyPemRoundTrips) {
  TempDir dir;
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->public_key().WritePem(dir.Sub("root.pub")).ok());
  absl::StatusOr<PublicKey> read = PublicKey::ReadPem(dir.Sub("root.pub"));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->raw(), key->public_key().raw());
}

TEST(Keys, FromRawRejectsWrongSize) {
  EXPECT_EQ(PublicKey::FromRaw("short").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lianxin::trust
