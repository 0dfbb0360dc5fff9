// Crash-test helper: commits forever to the event store at DIR from THREADS
// threads and writes "ack <sequence> <aggregate_id> <version>" on stdout
// (one write(2) per line) after each Commit returns OK. The crash test kills
// it with SIGKILL and checks every acknowledged commit survived.
//
//   event_store_crash_child /tmp/store 4
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {
namespace {

[[noreturn]] void Fail(const std::string& message) {
  std::fprintf(stderr, "event_store_crash_child: %s\n", message.c_str());
  std::exit(2);
}

void CommitForever(EventStore& store, int writer) {
  const std::string aggregate_id = absl::StrCat("member-", writer);
  uint64_t version = 0;
  if (absl::StatusOr<Aggregate> aggregate = store.ReadAggregate(aggregate_id); aggregate.ok()) {
    version = aggregate->version;  // a previous incarnation's progress
  } else if (aggregate.status().code() != absl::StatusCode::kNotFound) {
    Fail(aggregate.status().ToString());
  }
  const std::string payload(300, 'p');
  for (;;) {
    Event event;
    event.set_type("CrashProbe");
    event.set_opaque(payload);
    event.add_routed_to("650102");
    Transaction txn;
    txn.SetIdempotencyKey(absl::StrCat("request-", writer, "-", version + 1), "ok");
    txn.Append(aggregate_id, version, {std::move(event)}, absl::StrCat("state-", version + 1));
    absl::StatusOr<CommitResult> result = store.Commit(std::move(txn));
    if (!result.ok()) Fail(result.status().ToString());
    ++version;
    const std::string line =
        absl::StrCat("ack ", result->events[0].sequence(), " ", aggregate_id, " ", version, "\n");
    if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      Fail("stdout write failed");
    }
  }
}

}  // namespace
}  // namespace lianxin

int main(int argc, char** argv) {
  int threads = 0;
  if (argc != 3 || !absl::SimpleAtoi(argv[2], &threads) || threads < 1) {
    std::fprintf(stderr, "usage: %s DIR THREADS\n", argv[0]);
    return 1;
  }
  lianxin::Source source;
  source.set_jurisdiction("654322");
  source.set_service("registry");
  absl::StatusOr<std::unique_ptr<lianxin::EventStore>> store =
      lianxin::EventStore::Open({.path = argv[1], .source = source});
  if (!store.ok()) lianxin::Fail(store.status().ToString());
  std::vector<std::thread> writers;
  for (int i = 0; i < threads; ++i) {
    writers.emplace_back([&store, i] { lianxin::CommitForever(**store, i); });
  }
  for (std::thread& writer : writers) writer.join();  // never: killed by the test
  return 0;
}
