#include "libs/trust/directory.h"

#include <fstream>

#include "gtest/gtest.h"
#include "libs/testing/testing.h"

namespace lianxin::trust {
namespace {

using ::lianxin::testing::TempDir;

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = *PrivateKey::Generate();
    county_ = *PrivateKey::Generate();
    neighbour_ = *PrivateKey::Generate();
  }

  CountyKey Key(const PrivateKey& key, const std::string& jurisdiction) {
    CountyKey entry;
    entry.set_key_id(key.key_id());
    entry.set_jurisdiction(jurisdiction);
    entry.set_public_key(key.public_key().raw());
    *entry.mutable_valid_from() = At(kT0);
    return entry;
  }

  std::string Signed(const KeyDirectory& directory, const PrivateKey& by) {
    return SignDirectory(directory, by)->SerializeAsString();
  }

  PrivateKey root_, county_, neighbour_;
};

TEST_F(DirectoryTest, KeyForGivesACountyOnlyItsOwnKeys) {
  KeyDirectory directory;
  *directory.add_keys() = Key(county_, "654322");
  *directory.add_keys() = Key(neighbour_, "654323");
  absl::StatusOr<CountyDirectory> verified =
      CountyDirectory::FromSigned(Signed(directory, root_), root_.public_key());
  ASSERT_TRUE(verified.ok()) << verified.status();
  const absl::Time at = kT0 + absl::Hours(1);
  EXPECT_TRUE(verified->KeyFor(county_.key_id(), "654322", "registry", at).ok());
  EXPECT_EQ(verified->KeyFor(neighbour_.key_id(), "654322", "registry", at).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(verified->KeyFor("0011223344556677", "654322", "registry", at).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(verified->Counties(), (std::vector<std::string>{"654322", "654323"}));
}

TEST_F(DirectoryTest, RevokedKeyIsRefusedFromTheRevocationOn) {
  KeyDirectory directory;
  CountyKey key = Key(county_, "654322");
  *key.mutable_revoked_from() = At(kT0 + absl::Hours(10));
  *directory.add_keys() = key;
  absl::StatusOr<CountyDirectory> verified =
      CountyDirectory::FromSigned(Signed(directory, root_), root_.public_key());
  ASSERT_TRUE(verified.ok());
  struct Case {
    absl::Time at;
    absl::StatusCode code;
  } cases[] = {
      {kT0 - absl::Seconds(1), absl::StatusCode::kPermissionDenied},  // before valid_from
      {kT0, absl::StatusCode::kOk},
      {kT0 + absl::Hours(10) - absl::Seconds(1), absl::StatusCode::kOk},
      {kT0 + absl::Hours(10), absl::StatusCode::kPermissionDenied},
      {kT0 + absl::Hours(11), absl::StatusCode::kPermissionDenied},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(verified->KeyFor(county_.key_id(), "654322", "contact", c.at).status().code(), c.code)
        << absl::FormatTime(c.at);
  }
}

TEST_F(DirectoryTest, ServiceRestrictedKeySpeaksForThatServiceOnly) {
  KeyDirectory directory;
  CountyKey key = Key(county_, "654322");
  key.set_service("registry");
  *directory.add_keys() = key;
  absl::StatusOr<CountyDirectory> verified =
      CountyDirectory::FromSigned(Signed(directory, root_), root_.public_key());
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->KeyFor(county_.key_id(), "654322", "registry", kT0).ok());
  EXPECT_EQ(verified->KeyFor(county_.key_id(), "654322", "contact", kT0).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DirectoryTest, DirectoryNotSignedByTheRootIsRefused) {
  KeyDirectory directory;
  *directory.add_keys() = Key(county_, "654322");
  // A county signing a directory that gives it its neighbour's code.
  *directory.add_keys() = Key(county_, "654323");
  EXPECT_EQ(
      CountyDirectory::FromSigned(Signed(directory, county_), root_.public_key()).status().code(),
      absl::StatusCode::kPermissionDenied);
  // The root's signature over other bytes.
  SignedKeyDirectory tampered = *SignDirectory(directory, root_);
  KeyDirectory changed;
  *changed.add_keys() = Key(neighbour_, "654322");
  tampered.set_directory(changed.SerializeAsString());
  EXPECT_EQ(
      CountyDirectory::FromSigned(tampered.SerializeAsString(), root_.public_key()).status().code(),
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CountyDirectory::FromSigned("not a directory", root_.public_key()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(DirectoryTest, KeyWhoseIdDoesNotMatchItsBytesIsRefused) {
  KeyDirectory directory;
  CountyKey key = Key(county_, "654322");
  key.set_key_id(neighbour_.key_id());
  *directory.add_keys() = key;
  absl::StatusOr<CountyDirectory> verified =
      CountyDirectory::FromSigned(Signed(directory, root_), root_.public_key());
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(verified.status().message().find("does not match"), std::string::npos);
}

TEST_F(DirectoryTest, InstalledDirectoryPicksUpANewEditionButNeverAnOlderOne) {
  TempDir dir;
  const std::string path = dir.Sub("directory.bin");
  auto install = [&](const KeyDirectory& directory) {
    std::ofstream(path + ".new", std::ios::binary) << Signed(directory, root_);
    std::rename((path + ".new").c_str(), path.c_str());
  };
  KeyDirectory first;
  first.set_serial(1);
  *first.add_keys() = Key(county_, "654322");
  install(first);
  absl::StatusOr<std::unique_ptr<InstalledDirectory>> installed =
      InstalledDirectory::Open(path, root_.public_key());
  ASSERT_TRUE(installed.ok()) << installed.status();
  EXPECT_FALSE(
      (*installed)->Current()->KeyFor(neighbour_.key_id(), "654323", "registry", kT0).ok());

  KeyDirectory second = first;
  second.set_serial(2);
  *second.add_keys() = Key(neighbour_, "654323");
  install(second);
  ASSERT_TRUE((*installed)->Reload().ok());
  EXPECT_TRUE((*installed)->Current()->KeyFor(neighbour_.key_id(), "654323", "registry", kT0).ok());

  install(first);  // an old edition put back
  EXPECT_EQ((*installed)->Reload().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*installed)->Current()->directory().serial(), 2u);
}

}  // namespace
}  // namespace lianxin::trust
