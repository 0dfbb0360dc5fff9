// commit_bench: durable commits per second and commit latency of
// EventStore::Commit (group commit: one synced WAL write per group) against a
// naive store that does one synced RocksDB Put per command, serialized under
// one mutex as a store must to keep a hash chain without grouping.
//
// Each command appends one ~300-byte event to the writer's own aggregate, with
// an idempotency key and a new state (EventStore); the naive store writes the
// same event, hash-chained, in one Put. Every commit is durable (sync=true).
// The EventStore runs twice per round, unsigned and with an Ed25519 county key
// signing every event in the commit path (libs/trust), and the cost of one
// signature and one verification is measured on its own.
// Prints a Markdown table for docs/benchmarks.md.
//
//   commit_bench --seconds=5 --rounds=3 --threads=1,16,64 --dir=/var/tmp
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "libs/eventstore/event_store.h"
#include "libs/trust/event_signing.h"
#include "rocksdb/db.h"

namespace lianxin {
namespace {

using Clock = std::chrono::steady_clock;

struct Config {
  double seconds = 5;
  int rounds = 3;
  std::vector<int> threads = {1, 16, 64};
  std::string dir = "/var/tmp";
};

struct RunResult {
  uint64_t commits = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::vector<double> latencies_ms;  // sorted
  double commits_per_second() const { return commits / seconds; }

  // Pools another run of the same configuration into this one.
  void Add(const RunResult& other) {
    commits += other.commits;
    seconds += other.seconds;
    std::vector<double> merged;
    std::merge(latencies_ms.begin(), latencies_ms.end(), other.latencies_ms.begin(),
               other.latencies_ms.end(), std::back_inserter(merged));
    latencies_ms = std::move(merged);
    if (!latencies_ms.empty()) {
      p50_ms = latencies_ms[latencies_ms.size() / 2];
      p99_ms = latencies_ms[std::min(latencies_ms.size() - 1, latencies_ms.size() * 99 / 100)];
    }
  }
};

// A realistic command's event: envelope fields plus a ~200-byte payload, about
// 300 bytes once the store fills in ids, times and hashes.
Event CommandEvent(int writer, uint64_t n) {
  Event event;
  event.set_type("ContactReported");
  event.set_actor("operator-0042");
  event.set_correlation_id(absl::StrCat("request-", writer, "-", n));
  event.mutable_occurred_at()->set_seconds(1798761600 + static_cast<int64_t>(n));
  event.set_opaque(std::string(200, 'c'));
  return event;
}

// Runs `commit(writer, n)` from `threads` threads for `seconds`; each call is
// one durable command. Returns throughput and latency percentiles.
template <typename CommitFn>
RunResult Drive(int threads, double seconds, CommitFn commit) {
  std::vector<std::vector<double>> latencies_ms(threads);
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  absl::Notification start;
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      latencies_ms[t].reserve(1 << 16);
      start.WaitForNotification();
      for (uint64_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        const Clock::time_point begin = Clock::now();
        if (!commit(t, n)) {
          failed = true;
          return;
        }
        latencies_ms[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
      }
    });
  }
  const Clock::time_point begin = Clock::now();
  start.Notify();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // the measured window
  stop = true;
  for (std::thread& writer : writers) writer.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  if (failed) {
    std::fprintf(stderr, "commit_bench: a commit failed\n");
    std::exit(1);
  }
  std::vector<double> all;
  for (const std::vector<double>& own : latencies_ms) all.insert(all.end(), own.begin(), own.end());
  std::sort(all.begin(), all.end());
  RunResult run;
  run.commits = all.size();
  run.seconds = elapsed;
  RunResult result;
  result.latencies_ms = std::move(all);
  result.Add(run);  // computes the percentiles
  return result;
}

std::string FreshDir(const std::string& base, const std::string& name) {
  std::string pattern = absl::StrCat(base, "/commit_bench_", name, "_XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(1);
  }
  return pattern;
}

RunResult RunEventStore(const Config& config, int threads, const EventSigner* signer = nullptr) {
  const std::string dir = FreshDir(config.dir, "eventstore");
  Source source;
  source.set_jurisdiction("654322");
  source.set_service("registry");
  absl::StatusOr<std::unique_ptr<EventStore>> store =
      EventStore::Open({.path = dir, .source = source, .sync = true, .signer = signer});
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  const std::string state(100, 's');
  RunResult result = Drive(threads, config.seconds, [&](int writer, uint64_t n) {
    Transaction txn;
    txn.SetIdempotencyKey(absl::StrCat("request-", writer, "-", n), "reply");
    txn.Append(absl::StrCat("member-", writer), n, {CommandEvent(writer, n)}, state);
    absl::StatusOr<CommitResult> committed = (*store)->Commit(std::move(txn));
    if (!committed.ok()) std::fprintf(stderr, "%s\n", committed.status().ToString().c_str());
    return committed.ok();
  });
  store->reset();
  std::filesystem::remove_all(dir);
  return result;
}

std::string EncodeSequence(uint64_t sequence) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, sequence >>= 8) key[i] = static_cast<char>(sequence & 0xff);
  return key;
}

// The naive store: per command, under one mutex, stamp the next sequence and
// the previous hash, hash the event, and Put it with sync=true.
RunResult RunNaive(const Config& config, int threads) {
  const std::string dir = FreshDir(config.dir, "naive");
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "open: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  absl::Mutex mu;
  uint64_t last_sequence = 0;
  std::string last_hash(32, '\0');
  RunResult result = Drive(threads, config.seconds, [&](int writer, uint64_t n) {
    Event event = CommandEvent(writer, n);
    event.set_aggregate_id(absl::StrCat("member-", writer));
    event.set_version(n + 1);
    absl::MutexLock lock(&mu);
    event.set_sequence(++last_sequence);
    event.set_prev_hash(last_hash);
    event.set_hash(ComputeEventHash(event));
    last_hash = event.hash();
    return db->Put(write_options, EncodeSequence(last_sequence), event.SerializeAsString()).ok();
  });
  db->Close().PermitUncheckedError();
  db.reset();
  std::filesystem::remove_all(dir);
  return result;
}

// Microseconds per signature and per verification of one command's event.
std::pair<double, double> SignAndVerifyMicros(const trust::CountySigner& signer,
                                              const trust::PublicKey& key) {
  constexpr int kEvents = 2000;
  std::vector<Event> events;
  for (int i = 0; i < kEvents; ++i) events.push_back(CommandEvent(0, static_cast<uint64_t>(i)));
  const Clock::time_point sign_begin = Clock::now();
  for (Event& event : events) {
    if (!signer.Sign(event).ok()) std::exit(1);
  }
  const double sign_us =
      std::chrono::duration<double, std::micro>(Clock::now() - sign_begin).count() / kEvents;
  const Clock::time_point verify_begin = Clock::now();
  for (const Event& event : events) {
    if (!key.Verify(CanonicalBytes(event), event.signature())) std::exit(1);
  }
  const double verify_us =
      std::chrono::duration<double, std::micro>(Clock::now() - verify_begin).count() / kEvents;
  return {sign_us, verify_us};
}

bool ParseArgs(int argc, char** argv, Config* config) {
  for (int i = 1; i < argc; ++i) {
    if (absl::string_view rest = argv[i]; absl::ConsumePrefix(&rest, "--rounds=")) {
      if (!absl::SimpleAtoi(rest, &config->rounds) || config->rounds < 1) return false;
    } else if (absl::string_view rest = argv[i]; absl::ConsumePrefix(&rest, "--seconds=")) {
      if (!absl::SimpleAtod(rest, &config->seconds) || config->seconds <= 0) return false;
    } else if (absl::string_view rest = argv[i]; absl::ConsumePrefix(&rest, "--threads=")) {
      config->threads.clear();
      for (absl::string_view part : absl::StrSplit(rest, ',')) {
        int n = 0;
        if (!absl::SimpleAtoi(part, &n) || n < 1) return false;
        config->threads.push_back(n);
      }
    } else if (absl::string_view rest = argv[i]; absl::ConsumePrefix(&rest, "--dir=")) {
      config->dir = std::string(rest);
    } else {
      return false;
    }
  }
  return true;
}

std::string LoadAverage() {
  std::FILE* file = std::fopen("/proc/loadavg", "r");
  if (file == nullptr) return "?";
  char line[128] = {0};
  const bool read = std::fgets(line, sizeof(line), file) != nullptr;
  std::fclose(file);
  return read ? std::string(absl::StripTrailingAsciiWhitespace(line)) : "?";
}

}  // namespace
}  // namespace lianxin

int main(int argc, char** argv) {
  lianxin::Config config;
  if (!lianxin::ParseArgs(argc, argv, &config)) {
    std::fprintf(stderr,
                 "usage: %s [--seconds=5] [--rounds=3] [--threads=1,16,64] [--dir=/var/tmp]\n",
                 argv[0]);
    return 1;
  }
  std::printf(
      "<!-- %d round(s) of %.1f s per store and writer count, interleaved; "
      "loadavg at start: %s -->\n",
      config.rounds, config.seconds, lianxin::LoadAverage().c_str());
  std::printf("| writers | store | commits/s | p50 ms | p99 ms | speed-up |\n");
  std::printf("|--------:|-------|----------:|-------:|-------:|---------:|\n");
  absl::StatusOr<lianxin::trust::PrivateKey> key = lianxin::trust::PrivateKey::Generate();
  if (!key.ok()) return 1;
  const lianxin::trust::CountySigner signer(*key);
  for (int threads : config.threads) {
    // Rounds alternate the stores so all see the same machine load.
    lianxin::RunResult naive, grouped, signed_grouped;
    for (int round = 0; round < config.rounds; ++round) {
      naive.Add(lianxin::RunNaive(config, threads));
      grouped.Add(lianxin::RunEventStore(config, threads));
      signed_grouped.Add(lianxin::RunEventStore(config, threads, &signer));
    }
    std::printf("| %d | naive (Put sync per command, one mutex) | %.0f | %.3f | %.3f | 1.0x |\n",
                threads, naive.commits_per_second(), naive.p50_ms, naive.p99_ms);
    std::printf("| %d | EventStore::Commit (group commit) | %.0f | %.3f | %.3f | %.1fx |\n",
                threads, grouped.commits_per_second(), grouped.p50_ms, grouped.p99_ms,
                grouped.commits_per_second() / naive.commits_per_second());
    std::printf(
        "| %d | EventStore::Commit, every event signed (Ed25519) | %.0f | %.3f | %.3f | %.1fx |\n",
        threads, signed_grouped.commits_per_second(), signed_grouped.p50_ms, signed_grouped.p99_ms,
        signed_grouped.commits_per_second() / naive.commits_per_second());
    std::fflush(stdout);
  }
  const auto [sign_us, verify_us] = lianxin::SignAndVerifyMicros(signer, key->public_key());
  std::printf("<!-- Ed25519 over one event's canonical bytes: sign %.1f us, verify %.1f us -->\n",
              sign_us, verify_us);
  std::printf("<!-- loadavg at end: %s -->\n", lianxin::LoadAverage().c_str());
  return 0;
}
