// Test hooks of the event store (leveldb's TEST_ convention). Not for
// production code: only tests and the crash-test helper include this header.
//
//   TEST_FailNextWrites(*store, 1);   // the next group write fails as if RocksDB refused it
//   EXPECT_EQ(store->Commit(std::move(txn)).status().code(), absl::StatusCode::kUnavailable);
#ifndef LIANXIN_LIBS_EVENTSTORE_EVENT_STORE_INTERNAL_H_
#define LIANXIN_LIBS_EVENTSTORE_EVENT_STORE_INTERNAL_H_

#include <cstddef>

#include "absl/time/time.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

// Makes the next `count` group writes of `store` (which must come from
// EventStore::Open) fail with an injected RocksDB I/O error instead of writing.
void TEST_FailNextWrites(EventStore& store, int count);

// Waits until at least `count` Commit calls are queued or being committed by
// `store`; returns false if that did not happen within `timeout`.
bool TEST_AwaitQueuedCommits(const EventStore& store, size_t count, absl::Duration timeout);

// Compacts the idempotency records now (RocksDB does on its own schedule),
// which drops the expired ones.
absl::Status TEST_CompactIdempotency(EventStore& store);

// Idempotency records stored, expired ones not yet compacted away included.
size_t TEST_CountIdempotencyRecords(const EventStore& store);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_EVENTSTORE_EVENT_STORE_INTERNAL_H_
