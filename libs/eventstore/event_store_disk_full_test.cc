// The event store on a disk that fills up: on a size-limited tmpfs (mounted
// by the test, so it needs root; skipped with a message otherwise; 80 MB, as
// RocksDB resumes only once a memtable's worth, 64 MB, is free), commits
// answer UNAVAILABLE saying the disk is full, reads keep working, and once
// space is freed the same store commits again without a reopen, having lost
// nothing it acknowledged.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/eventstore/event_store.h"
#include "libs/testing/testing.h"

namespace lianxin {
namespace {

using ::testing::HasSubstr;

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a size-limited tmpfs";
    mount_point_ = dir_.Sub("disk");
    std::filesystem::create_directories(mount_point_);
    if (mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=80m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << strerror(errno) << ")";
    }
    mounted_ = true;
  }

  void TearDown() override {
    store_.reset();
    if (mounted_) umount2(mount_point_.c_str(), MNT_DETACH);
  }

  absl::Status OpenStore() {
    EventStoreOptions options;
    options.path = mount_point_ + "/store";
    options.source.set_jurisdiction("654322");
    options.source.set_service("registry");
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    return absl::OkStatus();
  }

  // Commits one event to a new aggregate `m-<n>` with an 8 KB state.
  absl::Status CommitOne(int n) {
    Event event;
    event.set_type("Noted");
    event.set_actor("op-1");
    Transaction txn;
    txn.Append(absl::StrCat("m-", n), 0, {event}, std::string(8192, 'x'));
    return store_->Commit(std::move(txn)).status();
  }

  // Fills the filesystem with one file, leaving `room` bytes free.
  void FillDisk(uint64_t room) {
    struct statvfs fs;
    ASSERT_EQ(statvfs(mount_point_.c_str(), &fs), 0);
    const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    ASSERT_GT(free_bytes, room);
    const std::string path = mount_point_ + "/filler";
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    const std::string chunk(64 << 10, 'f');
    for (uint64_t left = free_bytes - room; left > 0;) {
      const ssize_t n = write(fd, chunk.data(), std::min<uint64_t>(left, chunk.size()));
      if (n <= 0) break;
      left -= static_cast<uint64_t>(n);
    }
    close(fd);
  }

  uint64_t LogLength() {
    uint64_t n = 0;
    absl::Status s = store_->ScanLog(1, [&](const Event&) {
      ++n;
      return true;
    });
    EXPECT_TRUE(s.ok()) << s;
    return n;
  }

  testing::TempDir dir_;
  std::string mount_point_;
  bool mounted_ = false;
  std::unique_ptr<EventStore> store_;
};

TEST_F(DiskFullTest, WritesFailUnavailableReadsWorkAndWritesResumeWhenSpaceReturns) {
  // A few MB left before the store opens (RocksDB's WAL preallocation then
  // fails quietly, and the writes themselves fill the disk).
  FillDisk(4 << 20);
  ASSERT_TRUE(OpenStore().ok());
  int acknowledged = 0;
  for (; acknowledged < 20; ++acknowledged) ASSERT_TRUE(CommitOne(acknowledged).ok());

  // Commits fail once the disk is full (the first few may still fit).
  absl::Status failed;
  for (int i = 0; i < 100000 && failed.ok(); ++i) {
    failed = CommitOne(acknowledged);
    if (failed.ok()) ++acknowledged;
  }
  ASSERT_FALSE(failed.ok()) << "the disk never filled";
  EXPECT_EQ(failed.code(), absl::StatusCode::kUnavailable) << failed;
  EXPECT_THAT(failed.message(), HasSubstr("disk is full"));
  // And keep failing the same way while it stays full.
  absl::Status again = CommitOne(acknowledged);
  EXPECT_EQ(again.code(), absl::StatusCode::kUnavailable) << again;
  EXPECT_THAT(again.message(), HasSubstr("disk is full"));

  // Reads keep working: every acknowledged event is there.
  EXPECT_EQ(LogLength(), static_cast<uint64_t>(acknowledged));
  absl::StatusOr<Aggregate> first = store_->ReadAggregate("m-0");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version, 1u);
  absl::StatusOr<std::pair<uint64_t, absl::Time>> outbox = store_->OutboxStats();
  ASSERT_TRUE(outbox.ok()) << outbox.status();
  EXPECT_EQ(outbox->first, static_cast<uint64_t>(acknowledged));

  // Space returns: the same store commits again by itself, no reopen (a
  // client retrying an UNAVAILABLE answer gets through within seconds).
  ASSERT_EQ(unlink((mount_point_ + "/filler").c_str()), 0);
  const absl::Time freed = absl::Now();
  absl::Status resumed;
  ASSERT_TRUE(
      testing::WaitFor([&] { return (resumed = CommitOne(acknowledged)).ok(); }, absl::Seconds(30)))
      << resumed;
  std::printf("writes resumed %s after space returned\n",
              absl::FormatDuration(absl::Now() - freed).c_str());
  ++acknowledged;
  EXPECT_EQ(LogLength(), static_cast<uint64_t>(acknowledged));
  // The outbox carries on: its rows are there and can be deleted.
  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> rows = store_->ReadOutbox(0, 10000);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size(), static_cast<size_t>(acknowledged));
  std::vector<uint64_t> sequences;
  for (const auto& [sequence, row] : *rows) sequences.push_back(sequence);
  EXPECT_TRUE(store_->DeleteOutbox(sequences).ok());

  // Nothing acknowledged was lost, across a reopen too.
  store_.reset();
  ASSERT_TRUE(OpenStore().ok());
  EXPECT_EQ(LogLength(), static_cast<uint64_t>(acknowledged));
  for (int n = 0; n < acknowledged; ++n) {
    EXPECT_TRUE(store_->ReadAggregate(absl::StrCat("m-", n)).ok()) << n;
  }
}

}  // namespace
}  // namespace lianxin
