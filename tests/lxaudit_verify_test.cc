// lxaudit verify against tampered logs: a registry process writes a real log,
// stops, and the test changes the stored RocksDB behind its back — one byte of
// an event, one byte of a hash, one event deleted. verify names the first
// broken link (sequence and event id) and exits 1 each time.
#include <filesystem>
#include <memory>

#include "gtest/gtest.h"
#include "libs/eventstore/event_store.h"
#include "rocksdb/db.h"
#include "tests/lxaudit_fixture.h"
#include "tests/registry_fixture.h"

namespace lianxin::lxaudit_test {
namespace {

using namespace ::lianxin::registry_test;  // NOLINT: the fixture's vocabulary

std::string BigEndian(uint64_t n) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
  return out;
}

// The log column family of a stopped store, opened for writing.
class RawLog {
 public:
  explicit RawLog(const std::string& path) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "log") log_ = handles_[i];
    }
  }
  ~RawLog() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }
  std::string Get(uint64_t sequence) {
    std::string value;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), log_, BigEndian(sequence), &value).ok());
    return value;
  }
  void Put(uint64_t sequence, const std::string& value) {
    EXPECT_TRUE(db_->Put(rocksdb::WriteOptions(), log_, BigEndian(sequence), value).ok());
  }
  void Delete(uint64_t sequence) {
    EXPECT_TRUE(db_->Delete(rocksdb::WriteOptions(), log_, BigEndian(sequence)).ok());
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* log_ = nullptr;
};

class LxauditVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<RegistryCluster>(std::vector<std::string>{kFuyun});
    LX_ASSERT_OK(cluster_->Start());
    for (const char* name : {"张三", "李四", "王五", "赵六", "孙七"}) {
      LX_ASSERT_OK(cluster_->Register(kFuyun, NewPerson(name)).status());
    }
    // Verify passes on the live, untouched log.
    WriteEndpoints(cluster_->dir().Sub("live.json"), cluster_->bootstrap(),
                   {{kFuyun, cluster_->dir().Sub(kFuyun)}});
    LxauditRun live = RunLxaudit(cluster_->dir().path(),
                                 {"verify", "--endpoints", cluster_->dir().Sub("live.json")});
    ASSERT_EQ(live.code, 0) << live.out << live.err;
    ASSERT_EQ(live.LinesWith("654322 registry: 5 events, chain intact").size(), 1u) << live.out;
    ASSERT_EQ(cluster_->StopRegistry(kFuyun), 0);
  }

  // A copy of the stopped county's data dir, and an endpoints file naming it.
  std::string Copy(const std::string& name) {
    const std::string dir = cluster_->dir().Sub(name);
    std::filesystem::copy(cluster_->dir().Sub(kFuyun), dir,
                          std::filesystem::copy_options::recursive);
    WriteEndpoints(dir + ".json", cluster_->bootstrap(), {{kFuyun, dir}});
    return dir;
  }

  LxauditRun Verify(const std::string& dir) {
    return RunLxaudit(cluster_->dir().path(), {"verify", "--endpoints", dir + ".json"});
  }

  static Event Parse(const std::string& bytes) {
    Event event;
    EXPECT_TRUE(event.ParseFromString(bytes));
    return event;
  }

  std::unique_ptr<RegistryCluster> cluster_;
};

TEST_F(LxauditVerifyTest, FindsAByteFlippedInAStoredEvent) {
  const std::string dir = Copy("flipped-event");
  std::string event_id;
  {
    RawLog log(dir + "/registry");
    std::string bytes = log.Get(3);
    event_id = Parse(bytes).event_id();
    const size_t at = bytes.find("王五");
    ASSERT_NE(at, std::string::npos);
    bytes[at + 2] ^= 0x01;  // 王 -> another character: the name changed
    log.Put(3, bytes);
  }
  LxauditRun run = Verify(dir);
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  ASSERT_EQ(run.LinesWith("BROKEN").size(), 1u) << run.out;
  EXPECT_TRUE(
      absl::StrContains(run.out, absl::StrCat("BROKEN at sequence 3 (event_id ", event_id, ")")))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "hash does not match the event's content")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "2 events before it are intact")) << run.out;
}

// verify checks a log in parts at once (--threads); the parts change
// nothing: the same first break, and an entry whose bytes differ from their
// canonical form but whose content hashes right is intact.
TEST_F(LxauditVerifyTest, FindsTheSameBreakWhateverThePartsOfTheLog) {
  const std::string dir = Copy("parts");
  const std::string intact = Copy("sequence-twice");
  std::string event_id;
  {
    RawLog log(dir + "/registry");
    std::string bytes = log.Get(4);
    event_id = Parse(bytes).event_id();
    const size_t at = bytes.find("赵六");
    ASSERT_NE(at, std::string::npos);
    bytes[at + 2] ^= 0x01;
    log.Put(4, bytes);
  }
  {
    RawLog log(intact + "/registry");
    std::string bytes = log.Get(3);
    bytes.push_back(static_cast<char>(5 << 3));  // sequence 3 again: the same Event
    bytes.push_back(3);
    log.Put(3, bytes);
  }
  for (const char* threads : {"1", "2", "3", "5", "9"}) {
    LxauditRun run = RunLxaudit(cluster_->dir().path(),
                                {"verify", "--endpoints", dir + ".json", "--threads", threads});
    EXPECT_EQ(run.code, 1) << threads << run.out << run.err;
    EXPECT_TRUE(
        absl::StrContains(run.out, absl::StrCat("BROKEN at sequence 4 (event_id ", event_id, ")")))
        << threads << run.out;
    EXPECT_TRUE(absl::StrContains(run.out, "3 events before it are intact")) << threads << run.out;

    run = RunLxaudit(cluster_->dir().path(),
                     {"verify", "--endpoints", intact + ".json", "--threads", threads});
    EXPECT_EQ(run.code, 0) << threads << run.out << run.err;
    EXPECT_EQ(run.LinesWith("654322 registry: 5 events, chain intact").size(), 1u)
        << threads << run.out;
  }
}

TEST_F(LxauditVerifyTest, FindsAByteFlippedInAHash) {
  const std::string dir = Copy("flipped-hash");
  std::string event_id;
  {
    RawLog log(dir + "/registry");
    std::string bytes = log.Get(4);
    const Event event = Parse(bytes);
    event_id = event.event_id();
    const size_t at = bytes.find(event.hash());
    ASSERT_NE(at, std::string::npos);
    bytes[at + 7] ^= 0x80;
    log.Put(4, bytes);
  }
  LxauditRun run = Verify(dir);
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_TRUE(
      absl::StrContains(run.out, absl::StrCat("BROKEN at sequence 4 (event_id ", event_id, ")")))
      << run.out;
}

TEST_F(LxauditVerifyTest, FindsADeletedEvent) {
  const std::string dir = Copy("deleted");
  std::string next_id;
  {
    RawLog log(dir + "/registry");
    next_id = Parse(log.Get(3)).event_id();
    log.Delete(2);
  }
  LxauditRun run = Verify(dir);
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(
      run.out, absl::StrCat("BROKEN at sequence 2 (event_id ", next_id, "): missing")))
      << run.out;
}

TEST_F(LxauditVerifyTest, FindsTheLastEventDeletedAndTheFirst) {
  const std::string last = Copy("deleted-last");
  { RawLog(last + "/registry").Delete(5); }
  LxauditRun run = Verify(last);
  EXPECT_EQ(run.code, 1) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "BROKEN at sequence 5")) << run.out;

  const std::string first = Copy("deleted-first");
  { RawLog(first + "/registry").Delete(1); }
  run = Verify(first);
  EXPECT_EQ(run.code, 1) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "BROKEN at sequence 1")) << run.out;
}

}  // namespace
}  // namespace lianxin::lxaudit_test
