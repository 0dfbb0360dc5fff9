// lxchaos: proof under faults. Starts a real deployment (lianxin-broker with
// three brokers, the four services of each county as processes), drives a
// random mix of commands across the counties, injects a fault while the load
// runs, lets the system settle, then checks:
//   - every acknowledged command is in its service's log exactly once, no
//     refused one is, and no consumed event had its effect twice;
//   - every log verifies and every projection equals its replay (lxaudit);
//   - origin and destination agree on every shared member (lxctl reconcile);
//   - the quarantined messages are exactly the injected poison.
//
//   lxchaos --fault=kill                # one run (the ctest label "fault" runs each fault)
//   lxchaos --fault=random --runs=50    # soak: "50 runs, 0 lost, 0 duplicated, 0 diverged"
//
// Faults: kill (kill -9 of a random service, again and again), broker-restart
// (the broker process stopped, then restarted empty), broker-down (one broker
// of three down, then up), duplicate (copies of delivered messages produced
// again, some late, while every broker answers 100 ms late), poison (garbage,
// an invalid envelope and a tampered event on consumed topics), offsets-lost
// (a service restarted with its consumer group rewound to the beginning),
// forge (with signing on: a rogue holding no key, a revoked key and the last
// county's valid key writes forged events of every kind into every county's
// topics; each must be held with its refusal, none applied; forge.h).
// Exit status: 0 if every run passed, 1 otherwise, 2 on a usage error.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "lianxin/v1/events.pb.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/testing/testing.h"
#include "tools/chaos/cluster.h"
#include "tools/chaos/driver.h"
#include "tools/chaos/forge.h"
#include "tools/chaos/kafka_injector.h"
#include "tools/chaos/verdict.h"

ABSL_FLAG(std::string, fault, "random",
          "kill, broker-restart, broker-down, duplicate, poison, offsets-lost, forge, or random "
          "(one of them per run).");
ABSL_FLAG(int, runs, 1, "Runs, each on a new deployment (soak mode: many).");
ABSL_FLAG(uint64_t, seed, 0, "Seed of the first run (0: from the clock); run i uses seed + i.");
ABSL_FLAG(absl::Duration, seconds, absl::Seconds(20), "How long the load (and the fault) lasts.");
ABSL_FLAG(int, threads, 4, "Client threads of the load driver.");
ABSL_FLAG(std::string, counties, "654322,650102,440305", "The counties of the deployment.");
ABSL_FLAG(absl::Duration, settle_timeout, absl::Seconds(120),
          "How long the system may take to settle after the load.");
ABSL_FLAG(std::string, work_dir, "",
          "Where each run's data and logs go (default: a new dir under $TMPDIR, removed "
          "after a passing run).");
ABSL_FLAG(std::string, bin_dir, "", "Where the lianxin binaries are (default: lxchaos's own dir).");

namespace lianxin::chaos {
namespace {

namespace v1 = ::lianxin::v1;

// The forge fault: far-future events per inbox, and the parked cap of every
// service, below it, so that the flood is partly parked, partly refused.
constexpr int kFlood = 60;
constexpr uint64_t kParkedCap = 20;

const std::vector<std::string>& AllFaults() {
  static const auto* faults = new std::vector<std::string>{
      "kill", "broker-restart", "broker-down", "duplicate", "poison", "offsets-lost", "forge"};
  return *faults;
}

void Say(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

// One run's randomness and its account of the faults it injected.
class Run {
 public:
  Run(ChaosCluster* cluster, uint64_t seed) : cluster_(cluster), rng_(seed) {}

  absl::Duration Between(double min_seconds, double max_seconds) {
    return absl::Seconds(std::uniform_real_distribution<double>(min_seconds, max_seconds)(rng_));
  }
  template <class T>
  const T& Any(const std::vector<T>& items) {
    return items[rng_() % items.size()];
  }
  void Note(const std::string& what) {
    Say(absl::StrCat("  ", what));
    faults_.push_back(what);
  }

  // Injects `fault` for about `window` while the load runs.
  absl::Status Inject(const std::string& fault, absl::Duration window) {
    const absl::Time end = absl::Now() + window;
    KafkaInjector kafka(cluster_->Bootstrap());
    if (fault == "kill") {
      while (absl::Now() + absl::Seconds(3) < end) {
        absl::SleepFor(Between(0.5, 2.5));
        const std::string& county = Any(cluster_->counties());
        const std::string& service = Any(Services());
        cluster_->Kill(county, service);
        Note(absl::StrCat("kill -9 ", service, " ", county));
        absl::SleepFor(Between(0.1, 1.5));
        RETURN_IF_ERROR(cluster_->Restart(county, service));
      }
    } else if (fault == "broker-restart") {
      absl::SleepFor(Between(1, 3));
      cluster_->StopBroker();
      Note("broker stopped (its topics, offsets and groups are gone)");
      absl::SleepFor(Between(2, 4));
      RETURN_IF_ERROR(cluster_->StartBroker());
      Note("broker restarted empty");
    } else if (fault == "broker-down") {
      absl::SleepFor(Between(1, 3));
      const std::string broker = absl::StrCat(1 + rng_() % 3);
      RETURN_IF_ERROR(cluster_->BrokerControl("down " + broker));
      Note(absl::StrCat("broker ", broker, " of 3 down"));
      absl::SleepFor(Between(3, 6));
      RETURN_IF_ERROR(cluster_->BrokerControl("up " + broker));
      Note(absl::StrCat("broker ", broker, " up"));
    } else if (fault == "duplicate") {
      RETURN_IF_ERROR(cluster_->BrokerControl("rtt all 100"));
      Note("every broker answers 100 ms late");
      absl::SleepFor(Between(2, 4));
      ASSIGN_OR_RETURN(std::vector<KafkaMessage> copies, kafka.ReadAll(Topics()));
      std::shuffle(copies.begin(), copies.end(), rng_);
      copies.resize(copies.size() / 4);
      const auto half = copies.begin() + static_cast<ptrdiff_t>(copies.size() / 2);
      RETURN_IF_ERROR(kafka.Produce(std::vector<KafkaMessage>(copies.begin(), half)).status());
      Note(absl::StrCat(half - copies.begin(), " delivered messages produced again, shuffled"));
      absl::SleepFor(Between(1, 3));
      RETURN_IF_ERROR(kafka.Produce(std::vector<KafkaMessage>(half, copies.end())).status());
      Note(absl::StrCat(copies.end() - half, " more, later"));
      absl::SleepFor(std::max(absl::ZeroDuration(), end - absl::Now() - absl::Seconds(2)));
      RETURN_IF_ERROR(cluster_->BrokerControl("rtt all 0"));
    } else if (fault == "poison") {
      absl::SleepFor(Between(1, 4));
      ASSIGN_OR_RETURN(std::vector<KafkaMessage> poison, Poison(kafka));
      ASSIGN_OR_RETURN(std::vector<QuarantinedMessage> landed, kafka.Produce(poison));
      for (const QuarantinedMessage& m : landed) {
        Note(absl::StrCat("poison on ", m.topic, "/", m.partition, "@", m.offset));
        injected_.push_back(m);
      }
    } else if (fault == "forge") {
      absl::SleepFor(Between(2, 4));
      RETURN_IF_ERROR(InjectForgeries(kafka));
    } else if (fault == "offsets-lost") {
      absl::SleepFor(Between(1, 3));
      const std::string& county = Any(cluster_->counties());
      const std::string& service = Any(Services());
      cluster_->Stop(county, service);
      RETURN_IF_ERROR(kafka.RewindGroup(ChaosCluster::GroupId(county, service)));
      Note(absl::StrCat(service, " ", county, " stopped, its consumer offsets rewound to 0"));
      RETURN_IF_ERROR(cluster_->Restart(county, service));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("--fault: unknown fault ", fault));
    }
    absl::SleepFor(std::max(absl::ZeroDuration(), end - absl::Now()));
    return absl::OkStatus();
  }

  const std::vector<QuarantinedMessage>& injected() const { return injected_; }
  const std::vector<ExpectedRefusal>& forged() const { return forged_; }

 private:
  // The service topics and inboxes of the deployment's counties.
  std::vector<std::string> Topics() const {
    std::vector<std::string> topics;
    for (const std::string& county : cluster_->counties()) {
      for (const std::string& service : Services()) {
        topics.push_back(absl::StrCat("lx.", county, ".", service, ".v1"));
      }
      topics.push_back(absl::StrCat("lx.", county, ".inbox.v1"));
    }
    return topics;
  }

  // The forge fault's messages (forge.h), produced at once; each noted by
  // where it landed and what its consumers must make of it.
  absl::Status InjectForgeries(const KafkaInjector& kafka) {
    std::vector<std::string> topics = Topics();
    topics.push_back("lx.identity.v1");
    ASSIGN_OR_RETURN(std::vector<KafkaMessage> genuine, kafka.ReadAll(topics));
    RogueKeys keys;
    keys.county = cluster_->counties().back();
    ASSIGN_OR_RETURN(keys.valid,
                     trust::PrivateKey::ReadPem(cluster_->KeyPath(keys.county + ".key")));
    ASSIGN_OR_RETURN(keys.revoked, trust::PrivateKey::ReadPem(cluster_->KeyPath("revoked.key")));
    ASSIGN_OR_RETURN(keys.own, trust::PrivateKey::Generate());
    std::vector<ForgedMessage> forged =
        Forge(genuine, cluster_->counties(), keys, absl::Now(), kFlood);
    std::vector<KafkaMessage> messages;
    std::map<std::string, int> by_expected;
    for (const ForgedMessage& f : forged) {
      messages.push_back(f.message);
      ++by_expected[f.expected];
    }
    ASSIGN_OR_RETURN(std::vector<QuarantinedMessage> landed, kafka.Produce(messages));
    for (size_t i = 0; i < forged.size() && i < landed.size(); ++i) {
      forged_.push_back({landed[i], forged[i].event_id, forged[i].what, forged[i].expected});
    }
    std::vector<std::string> counts;
    for (const auto& [expected, n] : by_expected) counts.push_back(absl::StrCat(n, " ", expected));
    Note(absl::StrCat(forged_.size(), " forged messages from ", genuine.size(),
                      " genuine ones (rogue county ", keys.county,
                      "), to be held as: ", absl::StrJoin(counts, ", ")));
    return absl::OkStatus();
  }

  // Garbage, an envelope without an aggregate, and a real event with its
  // actor changed (its hash no longer matches), on topics services consume.
  absl::StatusOr<std::vector<KafkaMessage>> Poison(const KafkaInjector& kafka) {
    const std::string& county = Any(cluster_->counties());
    const std::string registry_topic = absl::StrCat("lx.", county, ".registry.v1");
    const std::string inbox = absl::StrCat("lx.", county, ".inbox.v1");
    ASSIGN_OR_RETURN(std::vector<KafkaMessage> real, kafka.ReadAll({registry_topic, inbox}));
    if (real.empty()) return absl::FailedPreconditionError("no event to tamper with yet");
    std::vector<KafkaMessage> poison;
    poison.push_back({.topic = registry_topic,
                      .partition = -1,
                      .key = "poison-1",
                      .value = "\xff\xfe not an event \x01\x02"});
    v1::Event invalid;
    invalid.set_event_id("poison-2");
    invalid.mutable_source()->set_jurisdiction(county);
    invalid.mutable_source()->set_service("registry");
    invalid.set_version(1);
    invalid.set_type("MemberRegistered");
    poison.push_back(
        {.topic = inbox, .partition = -1, .key = "poison-2", .value = invalid.SerializeAsString()});
    for (int i = 0; i < 2; ++i) {
      KafkaMessage tampered = Any(real);
      v1::Event event;
      if (!event.ParseFromString(tampered.value)) continue;
      event.set_actor("someone-else");
      tampered.value = event.SerializeAsString();
      poison.push_back(std::move(tampered));
    }
    return poison;
  }

  ChaosCluster* const cluster_;
  std::mt19937_64 rng_;
  std::vector<std::string> faults_;
  std::vector<QuarantinedMessage> injected_;
  std::vector<ExpectedRefusal> forged_;
};

// Runs a tool (lxctl, lxaudit) on the deployment; its exit code and output.
struct ToolRun {
  int code = -1;
  std::string out;
};
ToolRun RunTool(const std::string& bin_dir, const std::string& work_dir,
                std::vector<std::string> args) {
  static int next = 0;
  const std::string out_path = absl::StrCat(work_dir, "/tool-", next++, ".out");
  args[0] = bin_dir + "/" + args[0];
  absl::StatusOr<int> code = testing::RunProcess(args, out_path, absl::Seconds(120));
  ToolRun run;
  run.code = code.ok() ? *code : -1;
  run.out = testing::ReadFile(out_path) + testing::ReadFile(out_path + ".err");
  if (!code.ok()) run.out += code.status().ToString();
  return run;
}

// Every command and its fate, one a line, for the post-mortem of a failed run.
void WriteLedger(const std::vector<Command>& commands, const std::string& path) {
  std::ofstream out(path);
  out << "county\tservice\trpc\trequest_id\toutcome\tattempts\tdetail\n";
  for (const Command& c : commands) {
    const char* outcome = c.outcome == Command::Outcome::kAcked     ? "acked"
                          : c.outcome == Command::Outcome::kRefused ? "refused"
                                                                    : "unanswered";
    out << c.county << '\t' << c.service << '\t' << c.rpc << '\t' << c.request_id << '\t' << outcome
        << '\t' << c.attempts << '\t' << c.detail << '\n';
  }
}

struct Tally {
  int lost = 0;
  int duplicated = 0;
  int diverged = 0;
  bool ok() const { return lost == 0 && duplicated == 0 && diverged == 0; }
};

void Problem(const std::string& what, int* counter) {
  Say("  FAIL " + what);
  ++*counter;
}

// Reads the store of every service of every county (read-only, while they
// run) and passes it to `fn` with its name ("registry 654322"); a store that
// cannot be read goes to `on_error` instead.
void ForEachStore(const ChaosCluster& cluster, bool with_log,
                  const std::function<void(const std::string&, const StoreContents&)>& fn,
                  const std::function<void(const std::string&)>& on_error) {
  for (const std::string& county : cluster.counties()) {
    for (const std::string& service : Services()) {
      const std::string name = absl::StrCat(service, " ", county);
      absl::StatusOr<StoreContents> store =
          ReadStore(cluster.DataDir(county), county, service, with_log);
      if (store.ok()) {
        fn(name, *store);
      } else {
        on_error(absl::StrCat(name, ": ", store.status().ToString()));
      }
    }
  }
}

// Waits until every outbox is empty, every injected poison is quarantined
// and every pair of counties reconciles; returns the disagreements left.
std::vector<std::string> Settle(ChaosCluster& cluster, const std::string& bin_dir,
                                const std::string& work_dir,
                                const std::vector<QuarantinedMessage>& injected,
                                const std::vector<ExpectedRefusal>& forged,
                                absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<std::string> problems;
  for (;;) {
    problems.clear();
    std::vector<QuarantinedMessage> quarantined;
    std::vector<HeldMessage> held;
    ForEachStore(
        cluster, /*with_log=*/false,
        [&](const std::string& name, const StoreContents& store) {
          if (store.outbox_rows > 0) {
            problems.push_back(absl::StrCat(name, ": ", store.outbox_rows, " rows in its outbox"));
          }
          quarantined.insert(quarantined.end(), store.quarantined.begin(), store.quarantined.end());
          held.insert(held.end(), store.held.begin(), store.held.end());
        },
        [&](const std::string& error) { problems.push_back(error); });
    for (const std::string& missed : CheckQuarantine(quarantined, injected).missed) {
      problems.push_back("poison not quarantined yet: " + missed);
    }
    for (const std::string& misjudged : CheckForgeries(forged, held, {}).misjudged) {
      problems.push_back("forgery not held yet: " + misjudged);
    }
    if (problems.empty()) {
      const std::vector<std::string>& counties = cluster.counties();
      for (size_t a = 0; a < counties.size(); ++a) {
        for (size_t b = a + 1; b < counties.size(); ++b) {
          ToolRun r = RunTool(bin_dir, work_dir,
                              {"lxctl", "reconcile", "--origin", counties[a], "--destination",
                               counties[b], "--endpoints", cluster.EndpointsPath()});
          if (r.code != 0) {
            problems.push_back(
                absl::StrCat("reconcile ", counties[a], " ", counties[b], ":\n", r.out));
          }
        }
      }
    }
    if (problems.empty() || absl::Now() > deadline) return problems;
    absl::SleepFor(absl::Seconds(1));
  }
}

// The checks after the run has settled; adds what they find to `tally`.
void Check(ChaosCluster& cluster, const LoadDriver& driver, const std::string& bin_dir,
           const std::string& work_dir, const std::vector<QuarantinedMessage>& injected,
           const std::vector<ExpectedRefusal>& forged, bool anchors, Tally* tally) {
  const std::vector<Command> commands = driver.Commands();
  std::vector<QuarantinedMessage> quarantined;
  std::vector<HeldMessage> held;
  std::vector<LoggedEvent> logs;
  ForEachStore(
      cluster, /*with_log=*/true,
      [&](const std::string& name, const StoreContents& store) {
        std::vector<Command> mine;
        for (const Command& c : commands) {
          if (absl::StrCat(c.service, " ", c.county) == name) mine.push_back(c);
        }
        const Findings f = CheckLog(mine, store.log);
        for (const std::string& s : f.lost) Problem("lost: " + s, &tally->lost);
        for (const std::string& s : f.duplicated) Problem("duplicated: " + s, &tally->duplicated);
        for (const std::string& s : f.written_though_refused) Problem(s, &tally->diverged);
        quarantined.insert(quarantined.end(), store.quarantined.begin(), store.quarantined.end());
        held.insert(held.end(), store.held.begin(), store.held.end());
        logs.insert(logs.end(), store.log.begin(), store.log.end());
      },
      [&](const std::string& error) { Problem(error, &tally->diverged); });
  std::vector<QuarantinedMessage> expected = injected;
  for (const ExpectedRefusal& f : forged) expected.push_back(f.where);
  for (const std::string& s : CheckQuarantine(quarantined, expected).unexpected)
    Problem("quarantined, not injected: " + s, &tally->diverged);
  for (const std::string& s : CheckQuarantine(quarantined, injected).missed)
    Problem("injected, never quarantined: " + s, &tally->diverged);
  if (!forged.empty()) {
    const ForgeryFindings f = CheckForgeries(forged, held, logs);
    for (const std::string& s : f.applied) Problem("forgery applied: " + s, &tally->diverged);
    for (const std::string& s : f.misjudged) Problem("forgery misjudged: " + s, &tally->diverged);
    std::vector<std::string> counts;
    for (const auto& [refusal, n] : f.held_by_refusal) {
      counts.push_back(absl::StrCat(n, " ", refusal));
    }
    Say(absl::StrCat("  forged: ", forged.size(), ", applied ", f.applied.size(), ", held as ",
                     absl::StrJoin(counts, ", ")));
  }
  for (const std::string& county : cluster.counties()) {
    for (const char* command : {"verify", "replay"}) {
      std::vector<std::string> args = {"lxaudit",  command, "--endpoints", cluster.EndpointsPath(),
                                       "--county", county};
      if (anchors && std::string(command) == "verify") args.push_back("--anchors");
      ToolRun r = RunTool(bin_dir, work_dir, args);
      if (r.code != 0) {
        Problem(absl::StrCat("lxaudit ", command, " ", county, ":\n", r.out), &tally->diverged);
      }
    }
  }
}

// One run on a new deployment in `work_dir`; prints its account.
absl::StatusOr<Tally> OneRun(const std::string& fault, uint64_t seed, const std::string& bin_dir,
                             const std::string& work_dir) {
  std::vector<std::string> counties = absl::StrSplit(absl::GetFlag(FLAGS_counties), ',');
  // The forge fault runs with trust on, and a small parked cap so that its
  // flood of far-future versions reaches it.
  const bool trust = fault == "forge";
  ASSIGN_OR_RETURN(std::unique_ptr<ChaosCluster> cluster,
                   ChaosCluster::Start({.counties = counties,
                                        .work_dir = work_dir,
                                        .bin_dir = bin_dir,
                                        .trust = trust,
                                        .max_parked_per_source = trust ? kParkedCap : 0}));
  LoadDriver driver(
      {.cluster = cluster.get(), .threads = absl::GetFlag(FLAGS_threads), .seed = seed});
  RETURN_IF_ERROR(driver.Prepare());
  Run run(cluster.get(), seed);
  driver.Start();
  absl::SleepFor(absl::Seconds(2));  // traffic first, so that topics exist
  absl::Status injected = run.Inject(fault, absl::GetFlag(FLAGS_seconds));
  driver.Stop();
  if (!injected.ok()) return injected;
  Say("  load: " + driver.Summary());
  WriteLedger(driver.Commands(), work_dir + "/commands.tsv");

  const absl::Time settling = absl::Now();
  std::vector<std::string> unsettled = Settle(*cluster, bin_dir, work_dir, run.injected(),
                                              run.forged(), absl::GetFlag(FLAGS_settle_timeout));
  Tally tally;
  for (const std::string& s : unsettled) Problem("did not settle: " + s, &tally.diverged);
  if (unsettled.empty()) {
    Say(absl::StrCat("  settled in ", absl::FormatDuration(absl::Trunc(absl::Now() - settling,
                                                                       absl::Milliseconds(100)))));
  }
  Check(*cluster, driver, bin_dir, work_dir, run.injected(), run.forged(), trust, &tally);
  if (!tally.ok()) Say(cluster->LogTails(8));
  return tally;
}

std::string DefaultBinDir() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? "build/bin" : self.parent_path().string();
}

int Main() {
  const std::string fault_flag = absl::GetFlag(FLAGS_fault);
  if (fault_flag != "random" &&
      std::find(AllFaults().begin(), AllFaults().end(), fault_flag) == AllFaults().end()) {
    std::fprintf(stderr, "--fault: unknown fault %s (one of %s, random)\n", fault_flag.c_str(),
                 absl::StrJoin(AllFaults(), ", ").c_str());
    return 2;
  }
  const int runs = absl::GetFlag(FLAGS_runs);
  uint64_t seed = absl::GetFlag(FLAGS_seed);
  if (seed == 0) seed = static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  const std::string bin_dir =
      absl::GetFlag(FLAGS_bin_dir).empty() ? DefaultBinDir() : absl::GetFlag(FLAGS_bin_dir);

  Tally total;
  int failed_runs = 0;
  for (int i = 0; i < runs; ++i) {
    const uint64_t run_seed = seed + i;
    std::mt19937_64 pick(run_seed);
    const std::string fault =
        fault_flag == "random" ? AllFaults()[pick() % AllFaults().size()] : fault_flag;
    std::string work_dir = absl::GetFlag(FLAGS_work_dir);
    std::unique_ptr<testing::TempDir> temp;
    if (work_dir.empty()) {
      temp = std::make_unique<testing::TempDir>();
      work_dir = temp->path();
    } else {
      work_dir = absl::StrCat(work_dir, "/run-", i + 1);
      std::filesystem::create_directories(work_dir);
    }
    Say(absl::StrCat("run ", i + 1, "/", runs, ": ", fault, " (seed ", run_seed, ", in ", work_dir,
                     ")"));
    absl::StatusOr<Tally> tally = OneRun(fault, run_seed, bin_dir, work_dir);
    if (!tally.ok()) {
      Say("  FAIL the run could not be carried out: " + tally.status().ToString());
      ++total.diverged;
      ++failed_runs;
      continue;
    }
    total.lost += tally->lost;
    total.duplicated += tally->duplicated;
    total.diverged += tally->diverged;
    if (!tally->ok()) ++failed_runs;
    Say(absl::StrCat("  ", tally->lost, " lost, ", tally->duplicated, " duplicated, ",
                     tally->diverged, " diverged"));
    if (!tally->ok() && temp != nullptr) {
      Say("  (data and logs kept in " + work_dir + ")");
      temp.release();  // NOLINT: keep the evidence of a failure
    }
  }
  Say(absl::StrCat(runs, " runs, ", total.lost, " lost, ", total.duplicated, " duplicated, ",
                   total.diverged, " diverged"));
  return failed_runs == 0 ? 0 : 1;
}

}  // namespace
}  // namespace lianxin::chaos

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Runs the deployment under load and faults, then checks that nothing acknowledged was "
      "lost or applied twice and that the counties converged. See tools/chaos/main.cc.");
  absl::ParseCommandLine(argc, argv);
  lianxin::SetLogComponent("lxchaos");
  return lianxin::chaos::Main();
}
