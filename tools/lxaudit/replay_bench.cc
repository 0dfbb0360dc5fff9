// replay_bench: lxaudit's replay of a large registry log against the raw
// limit (a RocksDB scan of the same log that only parses each envelope).
// Not a test; results go to docs/benchmarks.md.
//
//   build/release/bin/lxaudit_replay_bench --dir=/tmp/lxbench --events=1000000
//   -> generation rate, then per pass: raw scan+parse, replay (fold), digests,
//      scratch RocksDB write, comparison with the live projection; then
//      `lxaudit verify` (1 and 2 threads) against SHA-256 alone of the same
//      bytes (--verify_only: that alone)
//
// The log is generated once (registry histories decided by the real decider,
// committed through EventStore with sync off) and reused by later runs with
// the same --dir. Each measurement is the best of --passes (warm page cache).
#include <openssl/evp.h>
#include <time.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"
#include "rocksdb/db.h"
#include "tools/lxaudit/audit.h"
#include "tools/lxaudit/registry_history.h"
#include "tools/lxaudit/services.h"

ABSL_FLAG(std::string, dir, "/tmp/lxaudit-bench", "Where the generated county data dir lives.");
ABSL_FLAG(int64_t, events, 1000000, "Events to generate (rounded to whole member histories).");
ABSL_FLAG(int, threads, 0, "Evolve threads for the replay (0 = cores).");
ABSL_FLAG(int, passes, 3, "Passes of each measurement; the best is reported.");
ABSL_FLAG(bool, verify_only, false, "Measure only `lxaudit verify` against SHA-256 alone.");

namespace lianxin::lxaudit {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "replay_bench: %s\n", status.ToString().c_str());
  return 1;
}

double Rate(uint64_t events, absl::Duration d) { return events / absl::ToDoubleSeconds(d); }

// CPU time of the whole process (all threads) so far: on a machine shared
// with other work, the wall clock of a phase says little, its CPU time more.
absl::Duration CpuNow() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return absl::DurationFromTimespec(ts);
}

// Flushes every column family of the RocksDB at `path` to SST files.
absl::Status FlushAll(const std::string& path) {
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  if (!s.ok()) return absl::UnavailableError(s.ToString());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  s = rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &db);
  if (!s.ok()) return absl::UnavailableError(s.ToString());
  s = db->Flush(rocksdb::FlushOptions(), handles);
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  db->Close().PermitUncheckedError();
  delete db;
  return s.ok() ? absl::OkStatus() : absl::UnavailableError(s.ToString());
}

// `lxaudit verify` of the log with 1 and 2 threads against the baseline
// measured in the same run: SHA-256 alone of the same entries' bytes, held in
// memory, on one thread (no scan, no parse, no comparison).
int VerifyFigures(const EventStore& live) {
  std::vector<std::string> entries;
  entries.reserve(live.LastSequence());
  uint64_t bytes = 0;
  absl::Status s = live.ScanLogRaw(1, 0, [&](uint64_t, absl::string_view entry) {
    entries.emplace_back(entry);
    bytes += entry.size();
    return true;
  });
  if (!s.ok()) return Fail(s);
  const uint64_t events = entries.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* sha256 = EVP_sha256();
  absl::Duration sha_best = absl::InfiniteDuration();
  absl::Duration verify_best[2] = {absl::InfiniteDuration(), absl::InfiniteDuration()};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  uint64_t sink = 0;
  for (int pass = 0; pass < absl::GetFlag(FLAGS_passes); ++pass) {
    absl::Time start = absl::Now();
    for (const std::string& entry : entries) {
      if (EVP_DigestInit_ex(ctx, sha256, nullptr) != 1 ||
          EVP_DigestUpdate(ctx, entry.data(), entry.size()) != 1 ||
          EVP_DigestFinal_ex(ctx, digest, &size) != 1) {
        return Fail(absl::InternalError("SHA-256 failed"));
      }
      sink += digest[0];
    }
    sha_best = std::min(sha_best, absl::Now() - start);
    for (int threads : {1, 2}) {
      start = absl::Now();
      absl::StatusOr<VerifyResult> verified = VerifyLog(live, nullptr, threads);
      if (!verified.ok()) return Fail(verified.status());
      if (verified->broken.has_value() || verified->events != events) {
        return Fail(absl::DataLossError("the generated log does not verify"));
      }
      verify_best[threads - 1] = std::min(verify_best[threads - 1], absl::Now() - start);
    }
  }
  EVP_MD_CTX_free(ctx);
  std::printf(
      "SHA-256 alone of the same bytes (1 thread, in memory): %.3f s  %.0f events/s  "
      "(%.0f bytes/event; checksum %llu)\n",
      absl::ToDoubleSeconds(sha_best), Rate(events, sha_best), static_cast<double>(bytes) / events,
      static_cast<unsigned long long>(sink % 10));
  for (int threads : {1, 2}) {
    const absl::Duration d = verify_best[threads - 1];
    std::printf("lxaudit verify, %d thread%s: %.3f s  %.0f events/s  = %.0f %% of SHA-256 alone\n",
                threads, threads == 1 ? " " : "s", absl::ToDoubleSeconds(d), Rate(events, d),
                100.0 * absl::ToDoubleSeconds(sha_best) / absl::ToDoubleSeconds(d));
  }
  return 0;
}

int Run() {
  const std::string county_dir = absl::StrCat(absl::GetFlag(FLAGS_dir), "/654322");
  const std::string path = county_dir + "/registry";
  Source source;
  source.set_jurisdiction("654322");
  source.set_service("registry");
  HistoryOptions history{.members = 0, .checks_per_member = 5, .wave = 1000};
  history.members = static_cast<int>((absl::GetFlag(FLAGS_events) + EventsPerMember(history) - 1) /
                                     EventsPerMember(history));
  if (!std::filesystem::exists(path + "/CURRENT")) {
    ManualClock clock(
        absl::FromCivil(absl::CivilSecond(2020, 1, 1, 9, 0, 0), absl::FixedTimeZone(8 * 3600)));
    EventStoreOptions options{.path = path, .source = source, .clock = &clock, .sync = false};
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    if (!store.ok()) return Fail(store.status());
    const absl::Time start = absl::Now();
    history.on_progress = [&](uint64_t done) {
      if (done % 100000 < static_cast<uint64_t>(history.wave)) {
        std::fprintf(stderr, "\rgenerated %llu events", static_cast<unsigned long long>(done));
      }
    };
    absl::StatusOr<HistoryStats> stats = GenerateRegistryHistory(store->get(), clock, history);
    if (!stats.ok()) return Fail(stats.status());
    const absl::Duration took = absl::Now() - start;
    std::printf("\ngenerated %llu events of %d members in %.1f s (%.0f events/s)\n",
                static_cast<unsigned long long>(stats->events), history.members,
                absl::ToDoubleSeconds(took), Rate(stats->events, took));
    store->reset();
    // As a long-running service's log is: in SST files, not only in the WAL
    // (which a read-only open would replay into a memtable).
    if (absl::Status s = FlushAll(path); !s.ok()) return Fail(s);
  }

  absl::StatusOr<std::unique_ptr<EventStore>> live = OpenLog(path, source);
  if (!live.ok()) return Fail(live.status());
  const uint64_t events = (*live)->LastSequence();
  absl::StatusOr<const AuditedService*> service = FindService("registry");
  if (!service.ok()) return Fail(service.status());
  std::unique_ptr<Projector> projector = (*service)->new_projector({.jurisdiction = "654322"});
  if (absl::GetFlag(FLAGS_verify_only)) return VerifyFigures(**live);
  const int threads = absl::GetFlag(FLAGS_threads);
  std::printf("log: %llu events at %s; %u cores; evolve threads %d\n",
              static_cast<unsigned long long>(events), path.c_str(),
              std::thread::hardware_concurrency(),
              threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency()));

  absl::Duration scan_best = absl::InfiniteDuration();
  absl::Duration raw_cpu = absl::InfiniteDuration(), replay_cpu = absl::InfiniteDuration();
  absl::Duration raw_best = absl::InfiniteDuration(), replay_best = absl::InfiniteDuration();
  absl::Duration digest_best = absl::InfiniteDuration(), scratch_best = absl::InfiniteDuration();
  absl::Duration compare_best = absl::InfiniteDuration();
  size_t aggregates = 0;
  uint64_t bytes_read_total = 0;
  for (int pass = 0; pass < absl::GetFlag(FLAGS_passes); ++pass) {
    // The scan alone: RocksDB iteration and the copy of each entry.
    absl::Time start = absl::Now();
    uint64_t bytes_read = 0;
    absl::Status s = (*live)->ScanLogRaw(1, 0, [&](uint64_t, absl::string_view bytes) {
      bytes_read += bytes.size();
      return true;
    });
    if (!s.ok()) return Fail(s);
    bytes_read_total = bytes_read;
    scan_best = std::min(scan_best, absl::Now() - start);

    // Raw limit: scan the log and parse each envelope, nothing else (one
    // Event reused, as the replay does).
    start = absl::Now();
    absl::Duration cpu = CpuNow();
    uint64_t parsed = 0;
    Event event;
    s = (*live)->ScanLogRaw(1, 0, [&](uint64_t, absl::string_view bytes) {
      if (event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) ++parsed;
      return true;
    });
    if (!s.ok()) return Fail(s);
    raw_best = std::min(raw_best, absl::Now() - start);
    raw_cpu = std::min(raw_cpu, CpuNow() - cpu);
    if (parsed != events) return Fail(absl::DataLossError("raw scan parsed fewer events"));

    start = absl::Now();
    cpu = CpuNow();
    absl::StatusOr<Rebuilt> rebuilt = ReplayLocalLog(**live, *projector, {.threads = threads});
    if (!rebuilt.ok()) return Fail(rebuilt.status());
    replay_best = std::min(replay_best, absl::Now() - start);
    replay_cpu = std::min(replay_cpu, CpuNow() - cpu);
    aggregates = rebuilt->size();

    start = absl::Now();
    absl::StatusOr<ProjectionDigests> digests = StoreRebuilt(*rebuilt, *projector, "");
    if (!digests.ok()) return Fail(digests.status());
    digest_best = std::min(digest_best, absl::Now() - start);

    start = absl::Now();
    digests = StoreRebuilt(*rebuilt, *projector, absl::GetFlag(FLAGS_dir) + "/scratch");
    if (!digests.ok()) return Fail(digests.status());
    scratch_best = std::min(scratch_best, absl::Now() - start);

    start = absl::Now();
    absl::StatusOr<Comparison> comparison = CompareWithLive(**live, *rebuilt, *projector);
    if (!comparison.ok()) return Fail(comparison.status());
    compare_best = std::min(compare_best, absl::Now() - start);
    if (!comparison->differences.empty()) {
      return Fail(absl::InternalError(
          absl::StrCat(comparison->differences.size(),
                       " aggregates differ: ", comparison->differences[0].what)));
    }
  }
  std::printf("scan only (no parse):              %.3f s  %.0f events/s  (%.0f bytes/event)\n",
              absl::ToDoubleSeconds(scan_best), Rate(events, scan_best),
              static_cast<double>(bytes_read_total) / events);
  {
    // Where a replay's time goes: the fold alone, over events parsed beforehand.
    std::vector<Event> all;
    all.reserve(events);
    absl::Status s = (*live)->ScanLog(1, [&](const Event& e) {
      all.push_back(e);
      return true;
    });
    if (!s.ok()) return Fail(s);
    const absl::Time start = absl::Now();
    absl::StatusOr<Rebuilt> rebuilt = ReplayEvents(all, *projector, {.threads = 1});
    if (!rebuilt.ok()) return Fail(rebuilt.status());
    std::printf("fold alone (1 thread, events in memory): %.3f s  %.0f events/s\n",
                absl::ToDoubleSeconds(absl::Now() - start), Rate(events, absl::Now() - start));
  }
  std::printf("raw limit (scan + parse envelope): %.3f s  %.0f events/s\n",
              absl::ToDoubleSeconds(raw_best), Rate(events, raw_best));
  std::printf("replay (scan + parse + Evolve):    %.3f s  %.0f events/s  = %.0f %% of raw\n",
              absl::ToDoubleSeconds(replay_best), Rate(events, replay_best),
              100.0 * absl::ToDoubleSeconds(raw_best) / absl::ToDoubleSeconds(replay_best));
  std::printf("CPU time: raw limit %.3f s, replay %.3f s (all threads) = %.0f %%\n",
              absl::ToDoubleSeconds(raw_cpu), absl::ToDoubleSeconds(replay_cpu),
              100.0 * absl::ToDoubleSeconds(raw_cpu) / absl::ToDoubleSeconds(replay_cpu));
  std::printf("digests of %zu aggregates:      %.3f s\n", aggregates,
              absl::ToDoubleSeconds(digest_best));
  std::printf("digests + scratch RocksDB write:   %.3f s\n", absl::ToDoubleSeconds(scratch_best));
  std::printf("comparison with the live projection: %.3f s (0 differences)\n",
              absl::ToDoubleSeconds(compare_best));
  const absl::Duration total = replay_best + scratch_best + compare_best;
  std::printf("whole `lxaudit replay` work: %.3f s  %.0f events/s\n", absl::ToDoubleSeconds(total),
              Rate(events, total));
  return VerifyFigures(**live);
}

}  // namespace
}  // namespace lianxin::lxaudit

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return lianxin::lxaudit::Run();
}
