// A backup of a running store (backup.h) over a real RocksDB: a consistent
// copy, owner-only, naming its head, and marked so that a service started on
// it catches up before serving and its consumers read their topics again.
#include "libs/service/backup.h"

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/testing.h"

namespace lianxin {
namespace {

using ::lianxin::testing::ReadFile;
using ::lianxin::testing::TempDir;
using ::testing::HasSubstr;

std::unique_ptr<EventStore> OpenAt(const std::string& path) {
  EventStoreOptions options;
  options.path = path;
  options.source.set_jurisdiction("654322");
  options.source.set_service("registry");
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

void CommitOne(EventStore& store, const std::string& aggregate, uint64_t version) {
  Event event;
  event.set_type("MemberRegistered");
  event.set_opaque(absl::StrCat(aggregate, version));
  Transaction txn;
  txn.Append(aggregate, version, {event}, "state");
  ASSERT_TRUE(store.Commit(std::move(txn)).ok());
}

TEST(WriteBackupTest, CopiesTheStoreAtItsHead_OwnerOnly_MarkedForCatchUp) {
  TempDir dir;
  std::unique_ptr<EventStore> live = OpenAt(dir.Sub("registry"));
  ASSERT_NE(live, nullptr);
  CommitOne(*live, "m1", 0);
  CommitOne(*live, "m2", 0);
  {
    Transaction recorded;  // what a consumer records of the cluster it reads
    recorded.Put(Family::kApplied, "consumer/654322.registry/cluster_id", "cluster-A");
    ASSERT_TRUE(live->Commit(std::move(recorded)).ok());
  }
  ManualClock clock(absl::FromUnixSeconds(1796000000));
  absl::StatusOr<BackupInfo> backup =
      WriteBackup(*live, dir.Sub("backups/registry"), "654322.registry", clock);
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_EQ(backup->head.sequence, 2u);
  EXPECT_EQ(backup->head.hash, live->Head().hash);
  EXPECT_THAT(backup->path, HasSubstr("-seq2"));
  CommitOne(*live, "m3", 0);  // the live store goes on; the copy does not see it

  namespace fs = std::filesystem;
  EXPECT_EQ(fs::status(dir.Sub("backups/registry")).permissions() & fs::perms::all,
            fs::perms::owner_all);
  EXPECT_EQ(fs::status(backup->path).permissions() & fs::perms::all, fs::perms::owner_all);
  const std::string manifest = ReadFile(backup->path + "/backup.json");
  EXPECT_THAT(manifest, HasSubstr("\"sequence\": 2"));
  EXPECT_THAT(manifest, HasSubstr(absl::BytesToHexString(backup->head.hash)));
  EXPECT_EQ(fs::status(backup->path + "/backup.json").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);

  absl::StatusOr<std::optional<LogHead>> live_pending = PendingRestore(*live);
  ASSERT_TRUE(live_pending.ok());
  EXPECT_FALSE(live_pending->has_value());

  std::unique_ptr<EventStore> copy = OpenAt(backup->path);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(copy->Head().sequence, 2u);
  EXPECT_TRUE(copy->ReadAggregate("m2").ok());
  EXPECT_TRUE(absl::IsNotFound(copy->ReadAggregate("m3").status()));
  absl::StatusOr<std::optional<LogHead>> pending = PendingRestore(*copy);
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_TRUE(pending->has_value());
  EXPECT_EQ((*pending)->sequence, 2u);
  EXPECT_EQ((*pending)->hash, backup->head.hash);
  // Its consumers will find another cluster recorded, and read again.
  absl::StatusOr<std::string> cluster =
      copy->Get(Family::kApplied, "consumer/654322.registry/cluster_id");
  ASSERT_TRUE(cluster.ok());
  EXPECT_NE(*cluster, "cluster-A");
}

}  // namespace
}  // namespace lianxin
