// Tests of the event store against a real RocksDB in a temporary directory:
// atomic and idempotent commits, group commit, the hash chain and its
// verification (including tampering through a raw RocksDB handle), the outbox
// with its route versions, and reopening.
#include "libs/eventstore/event_store.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "libs/common/big_endian.h"
#include "libs/common/time_util.h"
#include "libs/eventstore/chain_watch.h"
#include "libs/eventstore/event_store_internal.h"
#include "libs/eventstore/projector.h"
#include "libs/testing/testing.h"
#include "prometheus/registry.h"
#include "rocksdb/db.h"

namespace lianxin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const absl::Time kStart = absl::FromUnixSeconds(1798761600);  // 2027-01-01T00:00:00Z
const std::string kZeroHash(32, '\0');

using ::lianxin::testing::TempDir;

Source TestSource() {
  Source source;
  source.set_jurisdiction("654322");
  source.set_service("registry");
  return source;
}

// A clock whose first reader blocks until Open(): holds a group's leader while
// the test queues more commits behind it.
class GateClock : public Clock {
 public:
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    ++readers_;
    mu_.Await(absl::Condition(&open_));
    return kStart;
  }
  bool AwaitReader(absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto has_reader = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return readers_ > 0; };
    return mu_.AwaitWithTimeout(absl::Condition(&has_reader), timeout);
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }

 private:
  mutable absl::Mutex mu_;
  mutable int readers_ ABSL_GUARDED_BY(mu_) = 0;
  bool open_ ABSL_GUARDED_BY(mu_) = false;
};

Event MakeEvent(std::string type, std::string payload = "payload") {
  Event event;
  event.set_type(std::move(type));
  event.set_actor("operator-7");
  event.set_correlation_id("request-1");
  event.set_opaque(std::move(payload));
  *event.mutable_occurred_at() = google::protobuf::Timestamp();
  event.mutable_occurred_at()->set_seconds(1798700000);
  return event;
}

Transaction AppendOne(const std::string& aggregate_id, uint64_t expected_version,
                      std::string state = "state") {
  Transaction txn;
  txn.Append(aggregate_id, expected_version, {MakeEvent("MemberRegistered")}, std::move(state));
  return txn;
}

// Verifies the whole log of `store` from sequence 1; returns the events.
std::vector<Event> VerifyWholeLog(const EventStore& store) {
  std::vector<Event> events;
  ChainVerifier verifier(kZeroHash);
  absl::Status chain;
  absl::Status scan = store.ScanLog(1, [&](const Event& event) {
    events.push_back(event);
    chain = verifier.Add(event);
    return chain.ok();
  });
  EXPECT_TRUE(scan.ok()) << scan;
  EXPECT_TRUE(chain.ok()) << chain;
  EXPECT_EQ(verifier.verified(), events.size());
  return events;
}

// Verifies the log of `store` and returns the first chain error (OK if none).
absl::Status FirstChainError(const EventStore& store) {
  ChainVerifier verifier(kZeroHash);
  absl::Status chain;
  absl::Status scan = store.ScanLog(1, [&](const Event& event) {
    chain = verifier.Add(event);
    return chain.ok();
  });
  return scan.ok() ? chain : scan;
}

// Opens the RocksDB under a store directly (every column family) to tamper with it.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
    for (size_t i = 0; i < names.size(); ++i) by_name_[names[i]] = handles_[i];
  }
  ~RawDb() {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      EXPECT_TRUE(db_->DestroyColumnFamilyHandle(handle).ok());
    }
    EXPECT_TRUE(db_->Close().ok());
  }
  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* family(const std::string& name) { return by_name_.at(name); }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

std::string SequenceKey(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, sequence >>= 8) key[i] = static_cast<char>(sequence & 0xff);
  return key;
}

class EventStoreTest : public ::testing::Test {
 protected:
  EventStoreOptions Options(bool read_only = false) {
    return EventStoreOptions{.path = dir_.path(),
                             .source = TestSource(),
                             .clock = &clock_,
                             .metrics = nullptr,
                             .sync = true,
                             .read_only = read_only};
  }
  std::unique_ptr<EventStore> OpenStore(bool read_only = false) {
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(Options(read_only));
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  TempDir dir_;
  ManualClock clock_{kStart};
};

TEST_F(EventStoreTest, Commit_FillsEnvelopeAndChainsFromZeroHash) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastSequence(), 0u);

  Transaction txn;
  txn.Append("member-1", 0, {MakeEvent("MemberRegistered"), MakeEvent("OutflowRegistered")},
             "state-2");
  absl::StatusOr<CommitResult> result = store->Commit(std::move(txn));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->duplicate);
  ASSERT_THAT(result->events, SizeIs(2));

  const Event& first = result->events[0];
  const Event& second = result->events[1];
  EXPECT_EQ(first.source().jurisdiction(), "654322");
  EXPECT_EQ(first.source().service(), "registry");
  EXPECT_EQ(first.aggregate_id(), "member-1");
  EXPECT_EQ(first.version(), 1u);
  EXPECT_EQ(second.version(), 2u);
  EXPECT_EQ(first.sequence(), 1u);
  EXPECT_EQ(second.sequence(), 2u);
  EXPECT_EQ(first.event_id(), "654322-registry-1");
  EXPECT_EQ(second.event_id(), "654322-registry-2");
  EXPECT_EQ(first.recorded_at().seconds(), absl::ToUnixSeconds(kStart));
  EXPECT_EQ(first.schema_version(), 1u);
  EXPECT_EQ(first.type(), "MemberRegistered");
  EXPECT_EQ(first.actor(), "operator-7");
  EXPECT_EQ(first.prev_hash(), kZeroHash);
  EXPECT_EQ(first.hash(), ComputeEventHash(first));
  EXPECT_EQ(second.prev_hash(), first.hash());
  EXPECT_EQ(second.hash(), ComputeEventHash(second));
  EXPECT_EQ(store->LastSequence(), 2u);

  absl::StatusOr<Aggregate> aggregate = store->ReadAggregate("member-1");
  ASSERT_TRUE(aggregate.ok()) << aggregate.status();
  EXPECT_EQ(aggregate->version, 2u);
  EXPECT_EQ(aggregate->state, "state-2");

  std::vector<Event> logged = VerifyWholeLog(*store);
  ASSERT_THAT(logged, SizeIs(2));
  EXPECT_EQ(logged[1].SerializeAsString(), second.SerializeAsString());
}

TEST_F(EventStoreTest, ScanAggregate_ReturnsOneAggregatesEventsInVersionOrder) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  // Interleave two aggregates, one a prefix of the other's id.
  ASSERT_TRUE(store->Commit(AppendOne("member-1", 0)).ok());
  ASSERT_TRUE(store->Commit(AppendOne("member-10", 0)).ok());
  ASSERT_TRUE(store->Commit(AppendOne("member-1", 1)).ok());
  ASSERT_TRUE(store->Commit(AppendOne("member-1", 2)).ok());
  std::vector<uint64_t> versions, sequences;
  ASSERT_TRUE(store
                  ->ScanAggregate("member-1",
                                  [&](const Event& event) {
                                    EXPECT_EQ(event.aggregate_id(), "member-1");
                                    versions.push_back(event.version());
                                    sequences.push_back(event.sequence());
                                    return true;
                                  })
                  .ok());
  EXPECT_EQ(versions, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(sequences, (std::vector<uint64_t>{1, 3, 4}));
  int unknown = 0;
  ASSERT_TRUE(store->ScanAggregate("member-2", [&](const Event&) { return ++unknown, true; }).ok());
  EXPECT_EQ(unknown, 0);
}

TEST_F(EventStoreTest, ScanAggregates_ReturnsEveryAggregateInIdOrderUntilStopped) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(AppendOne("member-2", 0, "m2-v1")).ok());
  ASSERT_TRUE(store->Commit(AppendOne("member-1", 0, "m1-v1")).ok());
  ASSERT_TRUE(store->Commit(AppendOne("member-1", 1, "m1-v2")).ok());
  std::vector<std::string> seen;
  ASSERT_TRUE(store
                  ->ScanAggregates([&](const std::string& id, const Aggregate& aggregate) {
                    seen.push_back(absl::StrCat(id, "@", aggregate.version, "=", aggregate.state));
                    return true;
                  })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"member-1@2=m1-v2", "member-2@1=m2-v1"}));
  int calls = 0;
  ASSERT_TRUE(
      store->ScanAggregates([&](const std::string&, const Aggregate&) { return ++calls, false; })
          .ok());
  EXPECT_EQ(calls, 1);
}

TEST_F(EventStoreTest, Commit_AbortsOnVersionConflictAndWritesNothing) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(AppendOne("member-2", 0, "m2-v1")).ok());

  // The first append is valid; the second names a stale version of member-2.
  Transaction txn;
  txn.Append("member-1", 0, {MakeEvent("MemberRegistered")}, "m1-v1");
  txn.Append("member-2", 5, {MakeEvent("OutflowRegistered")}, "m2-v6");
  txn.Put(Family::kIndexes, "by-name/zhang", "member-1");
  txn.SetIdempotencyKey("request-9", "reply-9");
  absl::StatusOr<CommitResult> result = store->Commit(std::move(txn));
  ASSERT_EQ(result.status().code(), absl::StatusCode::kAborted) << result.status();
  EXPECT_THAT(result.status().message(), HasSubstr("member-2"));
  EXPECT_THAT(result.status().message(), HasSubstr("expected version 5"));
  EXPECT_THAT(result.status().message(), HasSubstr("actual version 1"));

  EXPECT_EQ(store->ReadAggregate("member-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store->ReadAggregate("member-2")->state, "m2-v1");
  EXPECT_EQ(store->Get(Family::kIndexes, "by-name/zhang").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store->LookupIdempotency("request-9").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store->LastSequence(), 1u);
  EXPECT_THAT(VerifyWholeLog(*store), SizeIs(1));
  EXPECT_THAT(*store->ReadOutbox(0, 100), SizeIs(1));

  // The chain goes on from sequence 2 after the rejected transaction.
  absl::StatusOr<CommitResult> next = store->Commit(AppendOne("member-1", 0));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->events[0].sequence(), 2u);
  EXPECT_THAT(VerifyWholeLog(*store), SizeIs(2));
}

TEST_F(EventStoreTest, Commit_AbortsWhenNewAggregateAlreadyExists) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit(AppendOne("member-1", 0)).ok());
  absl::StatusOr<CommitResult> result = store->Commit(AppendOne("member-1", 0));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(result.status().message(), HasSubstr("expected version 0, actual version 1"));
}

TEST_F(EventStoreTest, Commit_RejectsMalformedTransactionWithInvalidArgument) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);

  EXPECT_EQ(store->Commit(Transaction()).status().code(), absl::StatusCode::kInvalidArgument);

  Transaction no_aggregate;
  no_aggregate.Append("", 0, {MakeEvent("MemberRegistered")}, "state");
  EXPECT_EQ(store->Commit(std::move(no_aggregate)).status().code(),
            absl::StatusCode::kInvalidArgument);

  Transaction no_events;
  no_events.Append("member-1", 0, {}, "state");
  EXPECT_EQ(store->Commit(std::move(no_events)).status().code(),
            absl::StatusCode::kInvalidArgument);

  Transaction empty_key;
  empty_key.SetIdempotencyKey("", "reply");
  EXPECT_EQ(store->Commit(std::move(empty_key)).status().code(),
            absl::StatusCode::kInvalidArgument);

  Transaction empty_destination;
  Event event = MakeEvent("OutflowRegistered");
  event.add_routed_to("");
  empty_destination.Append("member-1", 0, {event}, "state");
  EXPECT_EQ(store->Commit(std::move(empty_destination)).status().code(),
            absl::StatusCode::kInvalidArgument);

  EXPECT_EQ(store->LastSequence(), 0u);
}

TEST_F(EventStoreTest, Commit_RepeatedIdempotencyKeyReturnsFirstReplyAndWritesNothing) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);

  Transaction first = AppendOne("member-1", 0, "first-state");
  first.SetIdempotencyKey("request-1", "reply-first");
  absl::StatusOr<CommitResult> committed = store->Commit(std::move(first));
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_FALSE(committed->duplicate);
  EXPECT_EQ(committed->reply, "reply-first");

  // Same key, different content (even a now-stale expected version): a no-op.
  Transaction again = AppendOne("member-1", 0, "second-state");
  again.Put(Family::kIndexes, "index-key", "value");
  again.SetIdempotencyKey("request-1", "reply-second");
  absl::StatusOr<CommitResult> repeated = store->Commit(std::move(again));
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_TRUE(repeated->duplicate);
  EXPECT_EQ(repeated->reply, "reply-first");
  EXPECT_TRUE(repeated->events.empty());

  EXPECT_EQ(store->LastSequence(), 1u);
  EXPECT_EQ(store->ReadAggregate("member-1")->state, "first-state");
  EXPECT_EQ(store->Get(Family::kIndexes, "index-key").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(*store->LookupIdempotency("request-1"), "reply-first");
}

TEST_F(EventStoreTest, IdempotencyRecord_ExpiresAfterRetention_ThenCompactionDropsIt) {
  EventStoreOptions options = Options();
  options.idempotency_retention = absl::Hours(1);
  absl::StatusOr<std::unique_ptr<EventStore>> opened = EventStore::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EventStore& store = **opened;

  Transaction first = AppendOne("member-1", 0, "first-state");
  first.SetIdempotencyKey("request-1", "reply-first");
  ASSERT_TRUE(store.Commit(std::move(first)).ok());
  Transaction other = AppendOne("member-2", 0, "other-state");
  other.SetIdempotencyKey("request-2", "reply-other");
  ASSERT_TRUE(store.Commit(std::move(other)).ok());

  clock_.Advance(absl::Minutes(59));
  EXPECT_EQ(*store.LookupIdempotency("request-1"), "reply-first");
  ASSERT_TRUE(TEST_CompactIdempotency(store).ok());
  EXPECT_EQ(TEST_CountIdempotencyRecords(store), 2u);  // live records survive compaction

  clock_.Advance(absl::Minutes(1));  // exactly the retention: expired
  EXPECT_EQ(store.LookupIdempotency("request-1").status().code(), absl::StatusCode::kNotFound);
  // The key is free: a commit under it is a new one.
  Transaction again = AppendOne("member-1", 1, "second-state");
  again.SetIdempotencyKey("request-1", "reply-second");
  absl::StatusOr<CommitResult> committed = store.Commit(std::move(again));
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_FALSE(committed->duplicate);
  EXPECT_EQ(*store.LookupIdempotency("request-1"), "reply-second");
  EXPECT_EQ(TEST_CountIdempotencyRecords(store), 2u);  // request-2 expired, not yet dropped

  // RocksDB's compaction drops the expired record, not a scan of ours.
  ASSERT_TRUE(TEST_CompactIdempotency(store).ok());
  EXPECT_EQ(TEST_CountIdempotencyRecords(store), 1u);
  EXPECT_EQ(*store.LookupIdempotency("request-1"), "reply-second");
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(TEST_CompactIdempotency(store).ok());
  EXPECT_EQ(TEST_CountIdempotencyRecords(store), 0u);
}

TEST_F(EventStoreTest, Open_RefusesANonPositiveIdempotencyRetention) {
  EventStoreOptions options = Options();
  options.idempotency_retention = absl::ZeroDuration();
  EXPECT_EQ(EventStore::Open(options).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(EventStoreTest, Commit_ConcurrentSameIdempotencyKeyCommitsOnce) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  absl::Notification start;
  std::vector<absl::StatusOr<CommitResult>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Transaction txn = AppendOne("member-1", 0, absl::StrCat("state-", i));
      txn.SetIdempotencyKey("request-1", absl::StrCat("reply-", i));
      start.WaitForNotification();
      results[i] = store->Commit(std::move(txn));
    });
  }
  start.Notify();
  for (std::thread& thread : threads) thread.join();

  int firsts = 0;
  std::string first_reply;
  for (const absl::StatusOr<CommitResult>& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    if (!result->duplicate) {
      ++firsts;
      first_reply = result->reply;
    }
  }
  EXPECT_EQ(firsts, 1);
  for (const absl::StatusOr<CommitResult>& result : results) {
    EXPECT_EQ(result->reply, first_reply);
  }
  EXPECT_EQ(store->LastSequence(), 1u);
  EXPECT_EQ(store->ReadAggregate("member-1")->version, 1u);
}

TEST_F(EventStoreTest, Commit_DuplicateInSameGroupReturnsFirstReply) {
  GateClock gate;
  EventStoreOptions options = Options();
  options.clock = &gate;
  absl::StatusOr<std::unique_ptr<EventStore>> opened = EventStore::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EventStore& store = **opened;

  // The leader of the first group blocks in the clock while two commits with
  // one key queue behind it; they then form the next group together.
  absl::StatusOr<CommitResult> leader_result;
  std::thread leader([&] { leader_result = store.Commit(AppendOne("member-0", 0)); });
  ASSERT_TRUE(gate.AwaitReader(absl::Seconds(30)));
  absl::StatusOr<CommitResult> first_result, second_result;
  std::thread first([&] {
    Transaction txn = AppendOne("member-1", 0, "first");
    txn.SetIdempotencyKey("request-1", "reply-first");
    first_result = store.Commit(std::move(txn));
  });
  ASSERT_TRUE(TEST_AwaitQueuedCommits(store, 2, absl::Seconds(30)));
  std::thread second([&] {
    Transaction txn = AppendOne("member-2", 0, "second");
    txn.SetIdempotencyKey("request-1", "reply-second");
    second_result = store.Commit(std::move(txn));
  });
  ASSERT_TRUE(TEST_AwaitQueuedCommits(store, 3, absl::Seconds(30)));
  gate.Open();
  leader.join();
  first.join();
  second.join();

  ASSERT_TRUE(leader_result.ok()) << leader_result.status();
  ASSERT_TRUE(first_result.ok()) << first_result.status();
  ASSERT_TRUE(second_result.ok()) << second_result.status();
  EXPECT_FALSE(first_result->duplicate);
  EXPECT_TRUE(second_result->duplicate);
  EXPECT_EQ(second_result->reply, "reply-first");
  EXPECT_EQ(store.LastSequence(), 2u);
  EXPECT_EQ(store.ReadAggregate("member-2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(VerifyWholeLog(store), SizeIs(2));
}

TEST_F(EventStoreTest, Commit_FailedGroupWriteFailsEveryTransactionAndLeavesNothing) {
  GateClock gate;
  EventStoreOptions options = Options();
  options.clock = &gate;
  absl::StatusOr<std::unique_ptr<EventStore>> opened = EventStore::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EventStore& store = **opened;
  TEST_FailNextWrites(store, 2);

  // Group 1: the leader alone. Group 2: a valid commit, a same-group duplicate
  // of it, and a version conflict; both group writes fail.
  absl::StatusOr<CommitResult> results[4];
  std::vector<std::thread> threads;
  threads.emplace_back([&] { results[0] = store.Commit(AppendOne("member-0", 0)); });
  ASSERT_TRUE(gate.AwaitReader(absl::Seconds(30)));
  threads.emplace_back([&] {
    Transaction txn = AppendOne("member-1", 0);
    txn.Put(Family::kApplied, "consumer/lx.1.registry.v1/member-1", SequenceKey(1));
    txn.SetIdempotencyKey("request-1", "reply-1");
    results[1] = store.Commit(std::move(txn));
  });
  ASSERT_TRUE(TEST_AwaitQueuedCommits(store, 2, absl::Seconds(30)));
  threads.emplace_back([&] {
    Transaction txn = AppendOne("member-2", 0);
    txn.SetIdempotencyKey("request-1", "reply-other");
    results[2] = store.Commit(std::move(txn));
  });
  ASSERT_TRUE(TEST_AwaitQueuedCommits(store, 3, absl::Seconds(30)));
  threads.emplace_back([&] { results[3] = store.Commit(AppendOne("member-3", 4)); });
  ASSERT_TRUE(TEST_AwaitQueuedCommits(store, 4, absl::Seconds(30)));
  gate.Open();
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(results[0].status().code(), absl::StatusCode::kUnavailable) << results[0].status();
  EXPECT_EQ(results[1].status().code(), absl::StatusCode::kUnavailable) << results[1].status();
  EXPECT_EQ(results[2].status().code(), absl::StatusCode::kUnavailable) << results[2].status();
  EXPECT_EQ(results[3].status().code(), absl::StatusCode::kAborted) << results[3].status();
  EXPECT_EQ(store.LastSequence(), 0u);
  EXPECT_EQ(store.ReadAggregate("member-0").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.ReadAggregate("member-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store.Get(Family::kApplied, "consumer/lx.1.registry.v1/member-1").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store.LookupIdempotency("request-1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(VerifyWholeLog(store), SizeIs(0));
  EXPECT_EQ(store.OutboxStats()->first, 0u);

  // The failed sequences are reused: the chain stays gapless.
  Transaction retry = AppendOne("member-1", 0);
  retry.SetIdempotencyKey("request-1", "reply-1");
  absl::StatusOr<CommitResult> retried = store.Commit(std::move(retry));
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_FALSE(retried->duplicate);
  EXPECT_EQ(retried->events[0].sequence(), 1u);
  EXPECT_EQ(retried->events[0].prev_hash(), kZeroHash);
  EXPECT_THAT(VerifyWholeLog(store), SizeIs(1));
}

TEST_F(EventStoreTest, Commit_WritesAndDeletesCallerRowsInKeyOrder) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  Transaction txn;
  txn.Put(Family::kIndexes, "due/2027-03-31/member-2", "");
  txn.Put(Family::kIndexes, "due/2027-01-31/member-1", "");
  txn.Put(Family::kIndexes, "due/2027-02-28/member-3", "");
  txn.Put(Family::kIndexes, "other/x", "");
  txn.Put(Family::kParked, "lx.1.inbox.v1/member-1/7", "parked");
  txn.Put(Family::kQuarantine, "q1", "bad");
  ASSERT_TRUE(store->Commit(std::move(txn)).ok());

  Transaction remove;
  remove.Delete(Family::kIndexes, "due/2027-02-28/member-3");
  remove.Put(Family::kApplied, "consumer/a", SequenceKey(3));
  ASSERT_TRUE(store->Commit(std::move(remove)).ok());

  std::vector<std::string> keys;
  ASSERT_TRUE(store
                  ->ScanPrefix(Family::kIndexes, "due/",
                               [&](const std::string& key, const std::string&) {
                                 keys.push_back(key);
                                 return true;
                               })
                  .ok());
  EXPECT_THAT(keys, ElementsAre("due/2027-01-31/member-1", "due/2027-03-31/member-2"));

  keys.clear();
  ASSERT_TRUE(store
                  ->ScanPrefix(Family::kIndexes, "",
                               [&](const std::string& key, const std::string&) {
                                 keys.push_back(key);
                                 return false;  // stop after the first
                               })
                  .ok());
  EXPECT_THAT(keys, ElementsAre("due/2027-01-31/member-1"));

  EXPECT_EQ(*store->Get(Family::kParked, "lx.1.inbox.v1/member-1/7"), "parked");
  EXPECT_EQ(*store->Get(Family::kQuarantine, "q1"), "bad");
  EXPECT_EQ(*store->Get(Family::kApplied, "consumer/a"), SequenceKey(3));
  EXPECT_EQ(store->LastSequence(), 0u);  // rows alone append no events
}

TEST_F(EventStoreTest, AddToCounter_SumsConcurrentCommitsAndSurvivesReopen) {
  {
    std::unique_ptr<EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&store, t] {
        for (int i = 0; i < 25; ++i) {
          Transaction txn;
          txn.AddToCounter("cnt/members", 2);
          txn.AddToCounter("cnt/thread", t % 2 == 0 ? 1 : -1);
          ASSERT_TRUE(store->Commit(std::move(txn)).ok());
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(DecodeCounter(*store->Get(Family::kIndexes, "cnt/members")), 200);
    EXPECT_EQ(DecodeCounter(*store->Get(Family::kIndexes, "cnt/thread")), 0);
    Transaction down;
    down.AddToCounter("cnt/members", -201);
    ASSERT_TRUE(store->Commit(std::move(down)).ok());
  }
  std::unique_ptr<EventStore> reopened = OpenStore();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(DecodeCounter(*reopened->Get(Family::kIndexes, "cnt/members")), -1);
  std::vector<std::pair<std::string, int64_t>> scanned;
  ASSERT_TRUE(reopened
                  ->ScanPrefix(Family::kIndexes, kCounterPrefix,
                               [&](const std::string& key, const std::string& value) {
                                 scanned.emplace_back(key, DecodeCounter(value));
                                 return true;
                               })
                  .ok());
  EXPECT_THAT(scanned, ElementsAre(std::make_pair(std::string("cnt/members"), int64_t{-1}),
                                   std::make_pair(std::string("cnt/thread"), int64_t{0})));
}

TEST(CountChangesTest, KeepsOnlyNonZeroDifferencesInKeyOrder) {
  EXPECT_THAT(CountChanges({{"cnt/b", 1}, {"cnt/a", 1}}, {{"cnt/a", 1}, {"cnt/c", 2}}),
              ElementsAre(std::make_pair(std::string("cnt/b"), int64_t{-1}),
                          std::make_pair(std::string("cnt/c"), int64_t{2})));
  EXPECT_THAT(CountChanges({}, {}), SizeIs(0));
}

TEST_F(EventStoreTest, Reopen_KeepsLastSequenceAndHashAndChainVerifies) {
  std::string last_hash;
  {
    std::unique_ptr<EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 5; ++i) {
      absl::StatusOr<CommitResult> result = store->Commit(AppendOne("member-1", i));
      ASSERT_TRUE(result.ok()) << result.status();
      last_hash = result->events[0].hash();
    }
  }
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastSequence(), 5u);
  absl::StatusOr<CommitResult> result = store->Commit(AppendOne("member-1", 5));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->events[0].sequence(), 6u);
  EXPECT_EQ(result->events[0].prev_hash(), last_hash);
  EXPECT_THAT(VerifyWholeLog(*store), SizeIs(6));

  // Verifying from the middle with the hash of the event before.
  std::vector<Event> all = VerifyWholeLog(*store);
  ChainVerifier tail(all[2].hash());
  ASSERT_TRUE(store->ScanLog(4, [&](const Event& event) { return tail.Add(event).ok(); }).ok());
  EXPECT_EQ(tail.verified(), 3u);
}

TEST_F(EventStoreTest, ChainVerifier_DetectsFlippedByteInStoredEvent) {
  {
    std::unique_ptr<EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 5; ++i) {
      Transaction txn;
      txn.Append("member-1", i, {MakeEvent("ContactReported", absl::StrCat("report-", i))}, "s");
      ASSERT_TRUE(store->Commit(std::move(txn)).ok());
    }
  }
  {
    RawDb raw(dir_.path());
    std::string value;
    ASSERT_TRUE(
        raw.db()->Get(rocksdb::ReadOptions(), raw.family("log"), SequenceKey(3), &value).ok());
    const size_t at = value.find("report-2");
    ASSERT_NE(at, std::string::npos);
    value[at] = 'R';  // "Report-2": still a valid Event, different content
    ASSERT_TRUE(
        raw.db()->Put(rocksdb::WriteOptions(), raw.family("log"), SequenceKey(3), value).ok());
  }
  std::unique_ptr<EventStore> store = OpenStore(/*read_only=*/true);
  ASSERT_NE(store, nullptr);
  absl::Status status = FirstChainError(*store);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(status.message(), HasSubstr("sequence 3"));
  EXPECT_THAT(status.message(), HasSubstr("654322-registry-3"));
  EXPECT_THAT(status.message(), HasSubstr("hash does not match"));
}

// The deterministic serialization of `event`, as the store writes entries.
std::string Stored(const Event& event) {
  std::string bytes;
  google::protobuf::io::StringOutputStream out(&bytes);
  google::protobuf::io::CodedOutputStream coded(&out);
  coded.SetSerializationDeterministic(true);
  event.ByteSizeLong();  // fills the cached sizes
  event.SerializeWithCachedSizes(&coded);
  coded.Trim();
  return bytes;
}

// The county's clock jumps (a step of its time service, a wrong hand): back an
// hour, forward a day, back again, across a restart. The log's recorded times
// never go backwards, and the chain holds.
TEST_F(EventStoreTest, Commit_RecordedTimesNeverGoBackWhenTheClockDoes) {
  std::vector<absl::Time> recorded;
  auto commit = [&](EventStore& store, uint64_t version) {
    absl::StatusOr<CommitResult> result = store.Commit(AppendOne("member-1", version));
    ASSERT_TRUE(result.ok()) << result.status();
    recorded.push_back(FromTimestamp(result->events[0].recorded_at()));
  };
  {
    std::unique_ptr<EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    commit(*store, 0);                    // kStart
    clock_.Advance(-absl::Hours(1));      // back an hour
    commit(*store, 1);                    // still kStart
    clock_.Advance(absl::Hours(1 + 24));  // forward a day
    commit(*store, 2);                    // kStart + 1 day
    clock_.Advance(-absl::Hours(2));
  }
  std::unique_ptr<EventStore> store = OpenStore();  // reopened while still behind
  ASSERT_NE(store, nullptr);
  commit(*store, 3);  // kStart + 1 day
  clock_.Advance(absl::Hours(3));
  commit(*store, 4);  // the clock again
  EXPECT_THAT(recorded, ElementsAre(kStart, kStart, kStart + absl::Hours(24),
                                    kStart + absl::Hours(24), kStart + absl::Hours(25)));
  EXPECT_THAT(VerifyWholeLog(*store), SizeIs(5));
}

TEST_F(EventStoreTest, StoredEntryChecker_VouchesForStoredEntriesFromTheirBytes) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(store->Commit(AppendOne("member-1", i)).ok());
  StoredEntryChecker checker;
  int checked = 0;
  ASSERT_TRUE(store
                  ->ScanLogRaw(1, 0,
                               [&](uint64_t key, absl::string_view bytes) {
                                 Event event;
                                 EXPECT_TRUE(event.ParseFromArray(bytes.data(), bytes.size()));
                                 StoredEntry entry;
                                 EXPECT_TRUE(checker.Check(bytes, &entry)) << key;
                                 EXPECT_EQ(entry.sequence, key);
                                 EXPECT_EQ(entry.jurisdiction, "654322");
                                 EXPECT_EQ(entry.service, "registry");
                                 EXPECT_EQ(entry.prev_hash, event.prev_hash());
                                 EXPECT_EQ(entry.hash, event.hash());
                                 ++checked;
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(checked, 4);

  // A bounded scan stops before to_sequence.
  std::vector<uint64_t> keys;
  ASSERT_TRUE(store
                  ->ScanLogRaw(2, 4,
                               [&](uint64_t key, absl::string_view) {
                                 keys.push_back(key);
                                 return true;
                               })
                  .ok());
  EXPECT_THAT(keys, ElementsAre(2, 3));
}

TEST_F(EventStoreTest, StoredEntryChecker_DeclinesWhatItCannotVouchFor) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<CommitResult> committed = store->Commit(AppendOne("member-1", 0));
  ASSERT_TRUE(committed.ok()) << committed.status();
  const Event event = committed->events[0];
  const std::string good = Stored(event);

  // The fields the hash leaves out may change: route_version and signature.
  Event relayed = event;
  relayed.set_route_version(7);
  relayed.set_signature("a signature");
  StoredEntryChecker checker;
  StoredEntry entry;
  EXPECT_TRUE(checker.Check(good, &entry));
  EXPECT_TRUE(checker.Check(Stored(relayed), &entry));

  Event renamed = event;
  renamed.set_actor("operator-8");
  std::string flipped_hash = good;
  flipped_hash[flipped_hash.find(event.hash()) + 5] ^= 0x01;
  // The same Event with its sequence written twice: it parses to the same
  // message, and ChainVerifier (which re-serializes) accepts it; the bytes
  // differ, so the fast path declines and leaves it to ChainVerifier.
  std::string twice = good;
  twice.push_back(static_cast<char>(5 << 3));
  twice.push_back(static_cast<char>(event.sequence()));
  struct Case {
    const char* name;
    std::string bytes;
  } cases[] = {
      {"content changed, hash kept", Stored(renamed)},   {"hash flipped", flipped_hash},
      {"cut short", good.substr(0, good.size() - 3)},    {"empty", ""},
      {"not a message", std::string("\xff\xff\xff", 3)}, {"a field written twice", twice},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(checker.Check(c.bytes, &entry)) << c.name;
  }
  Event reparsed;
  ASSERT_TRUE(reparsed.ParseFromString(twice));
  EXPECT_TRUE(ChainVerifier(kZeroHash).Add(reparsed).ok());
}

TEST_F(EventStoreTest, ChainVerifier_DetectsDeletedEventAsSequenceGap) {
  {
    std::unique_ptr<EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(store->Commit(AppendOne("member-1", i)).ok());
  }
  {
    RawDb raw(dir_.path());
    ASSERT_TRUE(raw.db()->Delete(rocksdb::WriteOptions(), raw.family("log"), SequenceKey(3)).ok());
  }
  std::unique_ptr<EventStore> store = OpenStore(/*read_only=*/true);
  ASSERT_NE(store, nullptr);
  absl::Status status = FirstChainError(*store);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(status.message(), HasSubstr("sequence 3: missing"));
  EXPECT_THAT(status.message(), HasSubstr("654322-registry-4"));
}

TEST_F(EventStoreTest, ChainVerifier_DetectsReplacedPrevHash) {
  std::vector<Event> events;
  {
    std::unique_ptr<EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->Commit(AppendOne("member-1", i)).ok());
    events = VerifyWholeLog(*store);
  }
  // A forger who rehashes event 2 over a made-up predecessor is caught by the link.
  Event forged = events[1];
  forged.set_prev_hash(std::string(32, 'x'));
  forged.set_hash(ComputeEventHash(forged));
  ChainVerifier verifier(kZeroHash);
  EXPECT_TRUE(verifier.Add(events[0]).ok());
  absl::Status status = verifier.Add(forged);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("sequence 2"));
  EXPECT_THAT(status.message(), HasSubstr("prev_hash"));
  EXPECT_EQ(verifier.verified(), 1u);
}

TEST_F(EventStoreTest, Open_RejectsLogThatEndsBeforeMeta) {
  {
    std::unique_ptr<EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(store->Commit(AppendOne("member-1", i)).ok());
  }
  {
    RawDb raw(dir_.path());
    ASSERT_TRUE(raw.db()->Delete(rocksdb::WriteOptions(), raw.family("log"), SequenceKey(3)).ok());
  }
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(Options());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
}

TEST_F(EventStoreTest, ReadOnlyOpen_ReadsWhileWriterIsOpenAndRefusesCommit) {
  std::unique_ptr<EventStore> writer = OpenStore();
  ASSERT_NE(writer, nullptr);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(writer->Commit(AppendOne("member-1", i)).ok());

  std::unique_ptr<EventStore> reader = OpenStore(/*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(reader->LastSequence(), 3u);
  EXPECT_EQ(reader->ReadAggregate("member-1")->version, 3u);
  EXPECT_THAT(VerifyWholeLog(*reader), SizeIs(3));
  EXPECT_EQ(reader->Commit(AppendOne("member-2", 0)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->DeleteOutbox({1}).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(EventStoreTest, ReadOnlyOpen_FailsWhenNoStoreExists) {
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(EventStoreOptions{
      .path = dir_.path() + "/missing", .source = TestSource(), .read_only = true});
  EXPECT_FALSE(store.ok());
}

// Routed deliveries of one outbox row: (topic, route_version, key) triples.
std::vector<std::string> Deliveries(const OutboxRow& row) {
  std::vector<std::string> out;
  for (const Delivery& delivery : row.deliveries()) {
    out.push_back(
        absl::StrCat(delivery.topic(), "#", delivery.route_version(), "@", delivery.key()));
  }
  return out;
}

Event RoutedEvent(std::vector<std::string> destinations, std::vector<ExtraTopic> extra = {}) {
  Event event = MakeEvent("OutflowRegistered");
  for (std::string& destination : destinations) event.add_routed_to(std::move(destination));
  for (ExtraTopic& topic : extra) *event.add_also_to() = std::move(topic);
  return event;
}

TEST_F(EventStoreTest, Outbox_RouteVersionsAreGaplessPerDestinationAndAggregate) {
  ExtraTopic identity;
  identity.set_topic("lx.identity.v1");
  identity.set_key("idhash-1");
  {
    std::unique_ptr<EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    Transaction first;
    first.Append(
        "member-1", 0,
        {RoutedEvent({"650102"}, {identity}), RoutedEvent({}), RoutedEvent({"650102", "650203"})},
        "s");
    first.Append("member-2", 0, {RoutedEvent({"650102"})}, "s");
    ASSERT_TRUE(store->Commit(std::move(first)).ok());
  }
  std::unique_ptr<EventStore> store = OpenStore();  // counters survive a reopen
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store
                  ->Commit([] {
                    Transaction txn;
                    txn.Append("member-1", 3, {RoutedEvent({"650203", "650102"})}, "s");
                    return txn;
                  }())
                  .ok());

  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> rows = store->ReadOutbox(0, 100);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_THAT(*rows, SizeIs(5));
  EXPECT_EQ((*rows)[0].first, 1u);
  EXPECT_THAT(Deliveries((*rows)[0].second),
              ElementsAre("lx.654322.registry.v1#0@", "lx.650102.inbox.v1#1@",
                          "lx.identity.v1#0@idhash-1"));
  EXPECT_THAT(Deliveries((*rows)[1].second), ElementsAre("lx.654322.registry.v1#0@"));
  EXPECT_THAT(
      Deliveries((*rows)[2].second),
      ElementsAre("lx.654322.registry.v1#0@", "lx.650102.inbox.v1#2@", "lx.650203.inbox.v1#1@"));
  EXPECT_THAT(Deliveries((*rows)[3].second),  // member-2 counts on its own
              ElementsAre("lx.654322.registry.v1#0@", "lx.650102.inbox.v1#1@"));
  EXPECT_THAT(
      Deliveries((*rows)[4].second),
      ElementsAre("lx.654322.registry.v1#0@", "lx.650203.inbox.v1#2@", "lx.650102.inbox.v1#3@"));
  EXPECT_EQ((*rows)[4].second.event().sequence(), 5u);
  EXPECT_EQ((*rows)[4].second.event().route_version(), 0u);
  EXPECT_EQ((*rows)[4].second.event().hash(), ComputeEventHash((*rows)[4].second.event()));
  EXPECT_EQ(ServiceTopic(TestSource()), "lx.654322.registry.v1");
  EXPECT_EQ(InboxTopic("650102"), "lx.650102.inbox.v1");
}

TEST_F(EventStoreTest, RouteReplayer_ReproducesCommittedDeliveries) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  const std::vector<std::string> destinations[] = {
      {"650102"}, {}, {"650203", "650102"}, {"650102"}};
  for (int i = 0; i < 40; ++i) {
    Transaction txn;
    const std::string member = absl::StrCat("member-", i % 3);
    const uint64_t version = i / 3;
    txn.Append(member, version, {RoutedEvent(destinations[i % 4])}, "s");
    ASSERT_TRUE(store->Commit(std::move(txn)).ok());
  }
  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> rows = store->ReadOutbox(0, 1000);
  ASSERT_TRUE(rows.ok());
  ASSERT_THAT(*rows, SizeIs(40));

  std::unique_ptr<EventStore::RouteReplayer> replayer = store->NewRouteReplayer();
  size_t i = 0;
  ASSERT_TRUE(
      store
          ->ScanLog(1,
                    [&](const Event& event) {
                      OutboxRow replayed = replayer->Next(event);
                      EXPECT_EQ(replayed.SerializeAsString(), (*rows)[i].second.SerializeAsString())
                          << "sequence " << event.sequence();
                      ++i;
                      return true;
                    })
          .ok());
  EXPECT_EQ(i, 40u);
}

TEST_F(EventStoreTest, Outbox_ReadDeleteAndStatsTrackPendingRows) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  absl::StatusOr<std::pair<uint64_t, absl::Time>> stats = store->OutboxStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->first, 0u);

  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store->Commit(AppendOne("member-1", i)).ok());
    clock_.Advance(absl::Minutes(1));
  }
  stats = store->OutboxStats();
  EXPECT_EQ(stats->first, 10u);
  EXPECT_EQ(stats->second, kStart);

  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> page = store->ReadOutbox(0, 4);
  ASSERT_TRUE(page.ok());
  ASSERT_THAT(*page, SizeIs(4));
  EXPECT_EQ(page->back().first, 4u);
  page = store->ReadOutbox(4, 100);
  ASSERT_THAT(*page, SizeIs(6));
  EXPECT_EQ(page->front().first, 5u);

  ASSERT_TRUE(store->DeleteOutbox({1, 2, 3}).ok());
  ASSERT_TRUE(store->DeleteOutbox({3, 5, 99}).ok());  // 3 is gone, 99 never existed
  stats = store->OutboxStats();
  EXPECT_EQ(stats->first, 6u);
  EXPECT_EQ(stats->second, kStart + absl::Minutes(3));  // sequence 4
  page = store->ReadOutbox(0, 100);
  ASSERT_THAT(*page, SizeIs(6));
  EXPECT_EQ(page->front().first, 4u);
  EXPECT_EQ((*page)[1].first, 6u);

  store.reset();
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  stats = store->OutboxStats();
  EXPECT_EQ(stats->first, 6u);
  EXPECT_EQ(stats->second, kStart + absl::Minutes(3));
  ASSERT_TRUE(store->DeleteOutbox({4, 6, 7, 8, 9, 10}).ok());
  stats = store->OutboxStats();
  EXPECT_EQ(stats->first, 0u);
  EXPECT_THAT(*store->ReadOutbox(0, 100), SizeIs(0));
  // The log keeps every event; only the outbox shrank.
  EXPECT_THAT(VerifyWholeLog(*store), SizeIs(10));
}

TEST_F(EventStoreTest, Commit_ConcurrentWritersGetDistinctGaplessSequencesAndChainVerifies) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 16;
  constexpr int kCommitsPerThread = 40;
  std::vector<std::vector<uint64_t>> sequences(kThreads);
  std::vector<std::thread> threads;
  absl::Notification start;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.WaitForNotification();
      const std::string member = absl::StrCat("member-", t);
      for (int i = 0; i < kCommitsPerThread; ++i) {
        Transaction txn;
        txn.Append(member, i, {RoutedEvent({"650102"})}, absl::StrCat("state-", i + 1));
        txn.SetIdempotencyKey(absl::StrCat("request-", t, "-", i), "ok");
        absl::StatusOr<CommitResult> result = store->Commit(std::move(txn));
        ASSERT_TRUE(result.ok()) << result.status();
        sequences[t].push_back(result->events[0].sequence());
      }
    });
  }
  start.Notify();
  for (std::thread& thread : threads) thread.join();

  std::set<uint64_t> all;
  for (const std::vector<uint64_t>& own : sequences) {
    for (size_t i = 1; i < own.size(); ++i) EXPECT_LT(own[i - 1], own[i]);
    all.insert(own.begin(), own.end());
  }
  constexpr uint64_t kTotal = kThreads * kCommitsPerThread;
  ASSERT_EQ(all.size(), kTotal);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), kTotal);
  EXPECT_EQ(store->LastSequence(), kTotal);
  EXPECT_THAT(VerifyWholeLog(*store), SizeIs(kTotal));
  for (int t = 0; t < kThreads; ++t) {
    absl::StatusOr<Aggregate> aggregate = store->ReadAggregate(absl::StrCat("member-", t));
    ASSERT_TRUE(aggregate.ok());
    EXPECT_EQ(aggregate->version, static_cast<uint64_t>(kCommitsPerThread));
    EXPECT_EQ(aggregate->state, absl::StrCat("state-", kCommitsPerThread));
  }
  // Route versions stay gapless per aggregate under concurrency.
  std::map<std::string, uint64_t> last_route_version;
  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> rows = store->ReadOutbox(0, kTotal);
  ASSERT_TRUE(rows.ok());
  for (const auto& [sequence, row] : *rows) {
    uint64_t& last = last_route_version[row.event().aggregate_id()];
    EXPECT_EQ(row.deliveries(1).route_version(), last + 1) << "sequence " << sequence;
    last = row.deliveries(1).route_version();
  }
}

TEST_F(EventStoreTest, Commit_RecordsLatencyInMetrics) {
  Metrics metrics;
  EventStoreOptions options = Options();
  options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Commit(AppendOne("member-1", 0)).ok());
  ASSERT_TRUE((*store)->Commit(AppendOne("member-1", 1)).ok());
  uint64_t observed = 0;
  for (const prometheus::MetricFamily& family : metrics.registry()->Collect()) {
    if (family.name == "lianxin_commit_latency_seconds") {
      for (const prometheus::ClientMetric& metric : family.metric) {
        observed += metric.histogram.sample_count;
      }
    }
  }
  EXPECT_EQ(observed, 2u);
}

// --- Backups, restores and the running chain check -----------------------------

// A projector of the test's events: the state is the events' opaque bytes
// joined by '|', with one index row naming it.
class ConcatProjector : public Projector {
 public:
  std::string service() const override { return "registry"; }
  absl::StatusOr<std::string> Evolve(const std::string& state, const Event& event) const override {
    return state.empty() ? event.opaque() : absl::StrCat(state, "|", event.opaque());
  }
  std::vector<std::pair<std::string, std::string>> IndexRows(
      const std::string& aggregate_id, const std::string& state) const override {
    return {{absl::StrCat("row/", aggregate_id, "/", state.size()), state}};
  }
  std::vector<std::string> UnreplayedIndexPrefixes() const override { return {}; }
};

// Commits one event with `opaque` on `aggregate`, with its projection as
// ConcatProjector computes it; `marker` (if not empty) as a consumer would.
void CommitConcat(EventStore& store, const std::string& aggregate, const std::string& opaque,
                  const std::vector<std::string>& routed_to = {}, const std::string& marker = "") {
  const ConcatProjector projector;
  uint64_t version = 0;
  std::string state;
  if (absl::StatusOr<Aggregate> stored = store.ReadAggregate(aggregate); stored.ok()) {
    version = stored->version;
    state = stored->state;
  }
  Event event = MakeEvent("MemberRegistered");
  event.set_opaque(opaque);
  for (const std::string& destination : routed_to) event.add_routed_to(destination);
  const std::string next = *projector.Evolve(state, event);
  Transaction txn;
  txn.Append(aggregate, version, {event}, next);
  for (const auto& [key, value] : projector.IndexRows(aggregate, state)) {
    txn.Delete(Family::kIndexes, key);
  }
  for (const auto& [key, value] : projector.IndexRows(aggregate, next)) {
    txn.Put(Family::kIndexes, key, value);
  }
  if (!marker.empty()) txn.Put(Family::kApplied, marker, BigEndian64(version + 1));
  ASSERT_TRUE(store.Commit(std::move(txn)).ok());
}

std::map<std::string, std::string> Rows(const EventStore& store, Family family) {
  std::map<std::string, std::string> rows;
  EXPECT_TRUE(store
                  .ScanPrefix(family, "",
                              [&](const std::string& key, const std::string& value) {
                                rows[key] = value;
                                return true;
                              })
                  .ok());
  return rows;
}

TEST_F(EventStoreTest, Checkpoint_ThenAppendRecorded_RebuildsWhatTheLiveStoreHas) {
  std::unique_ptr<EventStore> live = OpenStore();
  ASSERT_NE(live, nullptr);
  CommitConcat(*live, "m1", "a");
  CommitConcat(*live, "m2", "b", {"650102"});
  TempDir backups;
  const std::string backup = absl::StrCat(backups.path(), "/copy");
  ASSERT_TRUE(live->Checkpoint(backup).ok());
  // After the backup: commands, a routed event and a consumed event's effect.
  CommitConcat(*live, "m1", "c", {"650102"});
  CommitConcat(*live, "m2", "d", {"650102"}, "ver/650102/registry/m2");
  CommitConcat(*live, "m3", "e");

  EventStoreOptions options = Options();
  options.path = backup;
  absl::StatusOr<std::unique_ptr<EventStore>> restored = EventStore::Open(options);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ((*restored)->Head().sequence, 2u);
  std::vector<Event> tail;
  ASSERT_TRUE(live->ScanLog(3,
                            [&](const Event& event) {
                              tail.push_back(event);
                              return true;
                            })
                  .ok());
  ASSERT_THAT(tail, SizeIs(3));
  EXPECT_EQ(tail[1].applied_markers_size(), 1);  // the consumed event's marker rode along

  // A tail that does not start at the head changes nothing.
  const ConcatProjector projector;
  absl::Status skipped = (*restored)->AppendRecorded({tail[1], tail[2]}, projector);
  EXPECT_EQ(skipped.code(), absl::StatusCode::kDataLoss) << skipped;
  EXPECT_EQ((*restored)->Head().sequence, 2u);

  ASSERT_TRUE((*restored)->AppendRecorded(tail, projector).ok());
  EXPECT_EQ((*restored)->Head().sequence, live->Head().sequence);
  EXPECT_EQ((*restored)->Head().hash, live->Head().hash);
  for (const char* id : {"m1", "m2", "m3"}) {
    absl::StatusOr<Aggregate> want = live->ReadAggregate(id);
    absl::StatusOr<Aggregate> got = (*restored)->ReadAggregate(id);
    ASSERT_TRUE(want.ok() && got.ok()) << id;
    EXPECT_EQ(got->version, want->version) << id;
    EXPECT_EQ(got->state, want->state) << id;
  }
  EXPECT_EQ(Rows(**restored, Family::kIndexes), Rows(*live, Family::kIndexes));
  EXPECT_EQ(Rows(**restored, Family::kApplied), Rows(*live, Family::kApplied));
  EXPECT_EQ(FirstChainError(**restored), absl::OkStatus());
  // The re-ingested events are published again (consumers skip duplicates)...
  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> outbox =
      (*restored)->ReadOutbox(2, 10);
  ASSERT_TRUE(outbox.ok());
  ASSERT_THAT(*outbox, SizeIs(3));
  EXPECT_EQ((*outbox)[1].second.deliveries(1).route_version(), 2u);
  // ...and the next routed event takes the next route_version, on both stores.
  CommitConcat(*live, "m2", "f", {"650102"});
  CommitConcat(**restored, "m2", "f", {"650102"});
  Event from_live, from_restored;
  ASSERT_TRUE(live->ScanLog(6, [&](const Event& e) { return from_live = e, false; }).ok());
  ASSERT_TRUE(
      (*restored)->ScanLog(6, [&](const Event& e) { return from_restored = e, false; }).ok());
  EXPECT_EQ(from_restored.routed_versions(0), from_live.routed_versions(0));
  EXPECT_EQ(from_restored.routed_versions(0), 3u);
}

double GaugeValue(const Metrics& metrics, const std::string& name) {
  for (const prometheus::MetricFamily& family : metrics.registry()->Collect()) {
    if (family.name == name && !family.metric.empty()) return family.metric[0].gauge.value;
  }
  return -1;
}

TEST_F(EventStoreTest, ChainWatch_ReportsACorruptedLogEntryInItsGauges) {
  {
    std::unique_ptr<EventStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 5; ++i) CommitConcat(*store, absl::StrCat("m", i % 2), absl::StrCat(i));
    Metrics metrics;
    ChainWatch watch({.store = store.get(), .metrics = &metrics});
    EXPECT_TRUE(watch.CheckOnce(/*full=*/true).ok());
    EXPECT_EQ(GaugeValue(metrics, "lianxin_log_chain_verified_sequence"), 5);
    EXPECT_EQ(GaugeValue(metrics, "lianxin_log_chain_broken_sequence"), 0);
  }
  {
    // Sequence 3 altered on disk, its stored hash kept.
    RawDb raw(dir_.path());
    std::string bytes;
    ASSERT_TRUE(
        raw.db()->Get(rocksdb::ReadOptions(), raw.family("log"), SequenceKey(3), &bytes).ok());
    Event event;
    ASSERT_TRUE(event.ParseFromString(bytes));
    event.set_opaque("altered");
    ASSERT_TRUE(raw.db()
                    ->Put(rocksdb::WriteOptions(), raw.family("log"), SequenceKey(3),
                          event.SerializeAsString())
                    .ok());
  }
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  Metrics metrics;
  ChainWatch watch({.store = store.get(), .metrics = &metrics});
  absl::Status status = watch.CheckOnce(/*full=*/true);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("sequence 3"));
  EXPECT_EQ(GaugeValue(metrics, "lianxin_log_chain_verified_sequence"), 2);
  EXPECT_EQ(GaugeValue(metrics, "lianxin_log_chain_broken_sequence"), 3);
  // New commits do not hide it: the incremental passes keep saying so.
  CommitConcat(*store, "m9", "later");
  EXPECT_EQ(watch.CheckOnce(/*full=*/false).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(GaugeValue(metrics, "lianxin_log_chain_broken_sequence"), 3);
}

TEST_F(EventStoreTest, ChainWatch_IncrementalPassesFollowTheLog) {
  std::unique_ptr<EventStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  Metrics metrics;
  ChainWatch watch({.store = store.get(), .metrics = &metrics});
  EXPECT_TRUE(watch.CheckOnce(/*full=*/true).ok());
  EXPECT_EQ(GaugeValue(metrics, "lianxin_log_chain_verified_sequence"), 0);
  for (int i = 0; i < 3; ++i) CommitConcat(*store, "m", absl::StrCat(i));
  EXPECT_TRUE(watch.CheckOnce(/*full=*/false).ok());
  EXPECT_EQ(GaugeValue(metrics, "lianxin_log_chain_verified_sequence"), 3);
  CommitConcat(*store, "m", "3");
  EXPECT_TRUE(watch.CheckOnce(/*full=*/false).ok());
  EXPECT_EQ(GaugeValue(metrics, "lianxin_log_chain_verified_sequence"), 4);
}

}  // namespace
}  // namespace lianxin
