// e2e_bench: lianxin end to end on this machine, for docs/benchmarks.md.
//
// Starts its own deployment in a scratch directory (lianxin-broker with three
// brokers, the registries of 654322 and 650102, and echo-server as the bare
// gRPC baseline on the same runtime), then measures:
//
//   1. command throughput and latency through gRPC with N concurrent clients:
//      a realistic mix per member (RegisterMember, RegisterOutflow to 650102,
//      IssueCertificate, GetMember twice), against echo-server's Say with the
//      same clients; the ratio of the two throughputs;
//   2. cross-county lag: an origin commit (a certificate check recorded at
//      654322 for a member away at 650102) until the destination has recorded
//      it in its own log, p50/p99 at a fixed rate; read from both registries'
//      topics (recorded_at of the origin event and of the destination's copy,
//      whose causation_id names it);
//   3. with --members N: the registry's resident size after N registrations.
//
// --trust=off,on measures each mode on a new deployment in one run: "on" gives
// the registries a root, a key per county and a signed directory, so every
// event is signed at commit and verified by the consumer (issue 14).
//
//   e2e_bench --clients=1,16,64 --seconds=10 --lag_rate=1000 --lag_seconds=10
//   e2e_bench --clients= --lag_rate=0 --members=1000000      (memory only)
//   e2e_bench --clients=16 --seconds=10 --lag_rate=200 --lag_seconds=10 --trust=off,on
//
// Binaries are taken from the directory of this executable (--bin_dir).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lianxin/v1/echo.grpc.pb.h"
#include "lianxin/v1/events.pb.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "librdkafka/rdkafka.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/channel.h"
#include "libs/testing/testing.h"
#include "libs/trust/directory.h"
#include "libs/trust/keys.h"
#include "services/registry/domain/rules.h"

ABSL_FLAG(std::string, clients, "1,16,64",
          "Concurrent clients of each throughput run ('' = none).");
ABSL_FLAG(double, seconds, 10, "Length of each throughput run.");
ABSL_FLAG(int, lag_rate, 1000, "Origin commits per second in the lag run (0 = no lag run).");
ABSL_FLAG(double, lag_seconds, 10, "Length of the lag run.");
ABSL_FLAG(int, members, 0, "Register this many members and report the registry's RSS.");
ABSL_FLAG(std::string, dir, "/var/tmp", "Where the scratch deployment goes.");
ABSL_FLAG(std::string, trust, "off",
          "Trust modes to measure, each on a new deployment: off (nothing signed or checked), "
          "on (events signed and verified), or off,on.");
ABSL_FLAG(bool, keep, false, "Keep the scratch deployment's data and logs.");
ABSL_FLAG(std::string, bin_dir, "", "Where lianxin-broker, registry and echo-server are.");
// lianxin-broker (librdkafka's mock cluster) holds a fetch for the whole
// fetch.wait.max.ms even when data arrives meanwhile; a real broker answers
// at once. deploy/local uses the same setting.
ABSL_FLAG(std::string, kafka_config, "fetch.wait.max.ms=5",
          "The registries' --kafka_config (librdkafka properties, k=v,k=v).");

namespace lianxin {
namespace {

namespace v1 = lianxin::v1;
using testing::ChildProcess;
using SteadyClock = std::chrono::steady_clock;

constexpr char kOrigin[] = "654322";
constexpr char kDestination[] = "650102";
constexpr char kToken[] = "bench-token-654322";
constexpr char kDestinationToken[] = "bench-token-650102";

// ---- Latency ---------------------------------------------------------------

struct Latencies {
  std::vector<double> ms;
  uint64_t errors = 0;

  void Add(const Latencies& other) {
    ms.insert(ms.end(), other.ms.begin(), other.ms.end());
    errors += other.errors;
  }
  double Percentile(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
  }
};

double MsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

// ---- The scratch deployment --------------------------------------------------

class Deployment {
 public:
  absl::Status Start(const std::string& bin, const std::string& dir, bool trusted) {
    dir_ = dir;
    std::filesystem::create_directories(dir);
    if (trusted) {
      if (absl::Status s = WriteKeys(); !s.ok()) return s;
    }
    std::ofstream(dir + "/tokens.txt") << DigestTokenFile(
        absl::StrCat(kToken, " bench-op ", kOrigin, " operator\n", kDestinationToken, " bench-op ",
                     kDestination, " operator\n"));
    std::filesystem::permissions(dir + "/tokens.txt", std::filesystem::perms::owner_read |
                                                          std::filesystem::perms::owner_write);
    std::ofstream(dir + "/identity.key") << "0123456789abcdef0123456789abcdef";
    absl::StatusOr<std::unique_ptr<ChildProcess>> broker =
        ChildProcess::Start({bin + "/lianxin-broker", "--brokers=3"}, dir + "/broker.log");
    if (!broker.ok()) return broker.status();
    broker_ = *std::move(broker);
    absl::StatusOr<std::string> bootstrap = broker_->WaitForLine("127.0.0.1:");
    if (!bootstrap.ok()) return bootstrap.status();
    kafka_ = *bootstrap;
    for (const char* code : {kOrigin, kDestination}) {
      absl::StatusOr<std::unique_ptr<ChildProcess>> registry = ChildProcess::Start(
          {bin + "/registry", absl::StrCat("--jurisdiction=", code),
           absl::StrCat("--data_dir=", dir, "/", code), "--listen=127.0.0.1:0",
           "--metrics_address=", "--tokens_file=" + dir + "/tokens.txt",
           "--kafka_brokers=" + kafka_, "--kafka_config=" + absl::GetFlag(FLAGS_kafka_config),
           "--identity_key_file=" + dir + "/identity.key",
           absl::StrCat("--counties_on_lianxin=", kOrigin, ",", kDestination),
           trusted ? absl::StrCat("--signing_key=", dir, "/", code, ".key") : "--signing_key=",
           trusted ? absl::StrCat("--trust_root=", dir, "/root.pub") : "--trust_root=",
           trusted ? absl::StrCat("--key_directory=", dir, "/directory.bin") : "--key_directory="},
          absl::StrCat(dir, "/registry-", code, ".log"));
      if (!registry.ok()) return registry.status();
      absl::StatusOr<std::string> line = (*registry)->WaitForLine("listening ");
      if (!line.ok()) return line.status();
      addresses_[code] = line->substr(std::string("listening ").size());
      registries_[code] = *std::move(registry);
    }
    absl::StatusOr<std::unique_ptr<ChildProcess>> echo =
        ChildProcess::Start({bin + "/echo-server", "--listen=127.0.0.1:0",
                             "--metrics_address=", "--tokens_file=" + dir + "/tokens.txt"},
                            dir + "/echo.log");
    if (!echo.ok()) return echo.status();
    absl::StatusOr<std::string> line = (*echo)->WaitForLine("listening ");
    if (!line.ok()) return line.status();
    echo_address_ = line->substr(std::string("listening ").size());
    echo_ = *std::move(echo);
    return absl::OkStatus();
  }

  const std::string& kafka() const { return kafka_; }
  const std::string& address(const std::string& code) { return addresses_[code]; }
  const std::string& echo_address() const { return echo_address_; }
  pid_t registry_pid(const std::string& code) { return registries_[code]->pid(); }

 private:
  // A root key, one key per county, the signed directory.
  absl::Status WriteKeys() {
    absl::StatusOr<trust::PrivateKey> root = trust::PrivateKey::Generate();
    if (!root.ok()) return root.status();
    if (absl::Status s = root->public_key().WritePem(dir_ + "/root.pub"); !s.ok()) return s;
    trust::KeyDirectory directory;
    directory.set_serial(1);
    for (const char* code : {kOrigin, kDestination}) {
      absl::StatusOr<trust::PrivateKey> key = trust::PrivateKey::Generate();
      if (!key.ok()) return key.status();
      if (absl::Status s = key->WritePem(absl::StrCat(dir_, "/", code, ".key")); !s.ok()) return s;
      trust::CountyKey* entry = directory.add_keys();
      entry->set_key_id(key->key_id());
      entry->set_jurisdiction(code);
      entry->set_public_key(key->public_key().raw());
    }
    absl::StatusOr<trust::SignedKeyDirectory> signed_directory =
        trust::SignDirectory(directory, *root);
    if (!signed_directory.ok()) return signed_directory.status();
    std::ofstream(dir_ + "/directory.bin", std::ios::binary)
        << signed_directory->SerializeAsString();
    return absl::OkStatus();
  }

  std::string dir_;
  std::string kafka_;
  std::string echo_address_;
  std::unique_ptr<ChildProcess> broker_;
  std::map<std::string, std::unique_ptr<ChildProcess>> registries_;
  std::map<std::string, std::string> addresses_;
  std::unique_ptr<ChildProcess> echo_;
};

// ---- Clients ---------------------------------------------------------------

// Registration of bench member `n`: a unique, valid resident ID number (R18's
// checksum) and the birth date it encodes.
v1::RegisterMemberRequest Registration(uint64_t n) {
  const absl::CivilDay birth = absl::CivilDay(1960, 1, 1) + static_cast<int>(n / 1000);
  const std::string first17 = absl::StrFormat("654322%04d%02d%02d%03d", birth.year(), birth.month(),
                                              birth.day(), static_cast<int>(n % 1000));
  v1::RegisterMemberRequest registration;
  registration.set_request_id(absl::StrCat("bench-register-", n));
  registration.set_jurisdiction(kOrigin);
  registration.set_branch("富蕴县城镇第一党支部");
  registration.set_name(absl::StrCat("测试党员", n));
  registration.set_id_number(first17 + registry::ResidentIdCheckCharacter(first17));
  registration.set_gender(n % 2 == 0 ? v1::GENDER_MALE : v1::GENDER_FEMALE);
  registration.set_birth_date(
      absl::StrFormat("%04d-%02d-%02d", birth.year(), birth.month(), birth.day()));
  registration.set_category(v1::MEMBER_CATEGORY_FARMER);
  registration.set_phone("13900000000");
  registration.set_joined_on("2005-07-01");
  return registration;
}

template <class Service>
std::vector<std::unique_ptr<typename Service::Stub>> Stubs(const std::string& address, int count) {
  std::vector<std::unique_ptr<typename Service::Stub>> stubs;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("lianxin.bench.channel", i);  // distinct channels, distinct connections
    // The benchmark's services listen on loopback in plaintext.
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(address, TlsFiles(), args);
    if (!channel.ok()) {
      std::fprintf(stderr, "e2e_bench: %s\n", channel.status().ToString().c_str());
      std::exit(1);
    }
    stubs.push_back(Service::NewStub(*channel));
  }
  return stubs;
}

void Prepare(grpc::ClientContext* context, const char* token) {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
}

// Calls `rpc` and records its latency (or an error).
template <class Fn>
bool Timed(Latencies& latencies, Fn rpc) {
  const SteadyClock::time_point start = SteadyClock::now();
  grpc::Status status = rpc();
  if (!status.ok()) {
    if (latencies.errors++ == 0) {
      std::fprintf(stderr, "e2e_bench: %s\n", status.error_message().c_str());
    }
    return false;
  }
  latencies.ms.push_back(MsSince(start));
  return true;
}

std::atomic<uint64_t> next_member{0};

// One member's commands: register, outflow to the destination, certificate,
// and two reads. Returns the member id (empty if a command failed).
std::string MemberCycle(v1::Registry::Stub& stub, Latencies& latencies) {
  const uint64_t n = next_member.fetch_add(1);
  const v1::RegisterMemberRequest registration = Registration(n);
  v1::RegisterMemberReply registered;
  if (!Timed(latencies, [&] {
        grpc::ClientContext context;
        Prepare(&context, kToken);
        return stub.RegisterMember(&context, registration, &registered);
      })) {
    return "";
  }
  v1::RegisterOutflowRequest outflow;
  outflow.set_request_id(absl::StrCat("bench-outflow-", n));
  outflow.set_member_id(registered.member_id());
  outflow.set_destination_jurisdiction(kDestination);
  outflow.set_destination_address("乌鲁木齐市天山区解放北路1号");
  outflow.set_occupation("建筑工人");
  outflow.set_left_on("2026-03-01");
  outflow.set_expected_return_on("2027-01-20");
  outflow.set_contact_phone("13900000001");
  v1::MutationReply reply;
  if (!Timed(latencies, [&] {
        grpc::ClientContext context;
        Prepare(&context, kToken);
        return stub.RegisterOutflow(&context, outflow, &reply);
      })) {
    return "";
  }
  v1::IssueCertificateRequest certificate;
  certificate.set_request_id(absl::StrCat("bench-certificate-", n));
  certificate.set_member_id(registered.member_id());
  certificate.set_certificate_no(absl::StrCat("FY", n));
  certificate.set_valid_until("2027-12-31");
  if (!Timed(latencies, [&] {
        grpc::ClientContext context;
        Prepare(&context, kToken);
        return stub.IssueCertificate(&context, certificate, &reply);
      })) {
    return "";
  }
  for (int i = 0; i < 2; ++i) {
    v1::GetMemberRequest get;
    get.set_member_id(registered.member_id());
    v1::GetMemberReply member;
    Timed(latencies, [&] {
      grpc::ClientContext context;
      Prepare(&context, kToken);
      return stub.GetMember(&context, get, &member);
    });
  }
  return registered.member_id();
}

struct RunResult {
  uint64_t calls = 0;
  double seconds = 0;
  Latencies latencies;
  double per_second() const { return calls / seconds; }
};

// Runs `clients` threads calling `step(client, latencies)` until `seconds` pass.
template <class Step>
RunResult RunClients(int clients, double seconds, Step step) {
  std::vector<Latencies> per_client(clients);
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const SteadyClock::time_point start = SteadyClock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      while (!stop.load()) step(c, per_client[c]);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (std::thread& thread : threads) thread.join();
  RunResult result;
  result.seconds = MsSince(start) / 1000;
  for (Latencies& l : per_client) result.latencies.Add(l);
  result.calls = result.latencies.ms.size();
  return result;
}

// ---- Lag -------------------------------------------------------------------

// Reads both registries' topics from the beginning and pairs each origin
// event with the destination's copy of it.
class LagReader {
 public:
  absl::Status Start(const std::string& kafka) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    for (const auto& [key, value] :
         std::map<std::string, std::string>{{"bootstrap.servers", kafka},
                                            {"group.id", absl::StrCat("e2e-bench-", getpid())},
                                            {"auto.offset.reset", "earliest"},
                                            {"enable.auto.commit", "false"}}) {
      if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), error, sizeof(error)) !=
          RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return absl::InvalidArgumentError(error);
      }
    }
    consumer_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof(error));
    if (consumer_ == nullptr) return absl::InternalError(error);
    rd_kafka_poll_set_consumer(consumer_);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(2);
    for (const char* code : {kOrigin, kDestination}) {
      rd_kafka_topic_partition_list_add(topics, absl::StrCat("lx.", code, ".registry.v1").c_str(),
                                        RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return absl::InternalError(rd_kafka_err2str(err));
    thread_ = std::thread([this] { Run(); });
    return absl::OkStatus();
  }

  ~LagReader() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    if (consumer_ != nullptr) {
      rd_kafka_consumer_close(consumer_);
      rd_kafka_destroy(consumer_);
    }
  }

  // The lags (ms) of the origin's certificate entries recorded at or after
  // `since` that the destination has recorded too, once `expected` of them
  // are paired or `timeout` passes.
  Latencies Collect(absl::Time since, size_t expected, absl::Duration timeout) {
    testing::WaitFor(
        [&] {
          absl::MutexLock lock(&mu_);
          return Paired(since).ms.size() >= expected;
        },
        timeout);
    absl::MutexLock lock(&mu_);
    return Paired(since);
  }

 private:
  Latencies Paired(absl::Time since) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    Latencies lags;
    for (const auto& [event_id, at_destination] : copies_) {
      auto origin = origin_recorded_.find(event_id);
      if (origin == origin_recorded_.end() || origin->second < since) continue;
      lags.ms.push_back(absl::ToDoubleMilliseconds(at_destination - origin->second));
    }
    return lags;
  }

  void Run() {
    while (!stop_.load()) {
      rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer_, 100);
      if (message == nullptr) continue;
      if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        v1::Event event;
        if (event.ParseFromArray(message->payload, static_cast<int>(message->len)) &&
            event.type() == "CertificateEntryRecorded") {
          const absl::Time recorded = absl::FromUnixSeconds(event.recorded_at().seconds()) +
                                      absl::Nanoseconds(event.recorded_at().nanos());
          absl::MutexLock lock(&mu_);
          if (event.source().jurisdiction() == kOrigin) {
            origin_recorded_[event.event_id()] = recorded;
            // The broker's append time (CreateTime set by the producer = when
            // the relay handed it over): the relay's share of the lag.
            const int64_t produced_ms = rd_kafka_message_timestamp(message, nullptr);
            if (produced_ms > 0) {
              relay_ms_.push_back(
                  absl::ToDoubleMilliseconds(absl::FromUnixMillis(produced_ms) - recorded));
            }
          } else if (!event.causation_id().empty()) {
            copies_[event.causation_id()] = recorded;
          }
        }
      }
      rd_kafka_message_destroy(message);
    }
  }

  rd_kafka_t* consumer_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::map<std::string, absl::Time> origin_recorded_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Time> copies_ ABSL_GUARDED_BY(mu_);
  std::vector<double> relay_ms_ ABSL_GUARDED_BY(mu_);

 public:
  // Origin commit → handed to Kafka by the origin's relay, per event (ms).
  Latencies RelayLags() {
    absl::MutexLock lock(&mu_);
    return Latencies{relay_ms_, 0};
  }
};

// ---- Memory ----------------------------------------------------------------

uint64_t ResidentKb(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    uint64_t kb = 0;
    if (line.rfind("VmRSS:", 0) == 0 &&
        absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")),
                         &kb)) {
      return kb;
    }
  }
  return 0;
}

// ---- Main ------------------------------------------------------------------

std::string BinDirOfSelf() {
  const std::string flag = absl::GetFlag(FLAGS_bin_dir);
  if (!flag.empty()) return flag;
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
}

int Measure(const std::string& dir, bool trusted) {
  Deployment deployment;
  if (absl::Status s = deployment.Start(BinDirOfSelf(), dir, trusted); !s.ok()) {
    std::fprintf(stderr, "e2e_bench: cannot start the deployment: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("### trust %s (events %s)\n\ndeployment in %s; kafka %s\n\n", trusted ? "on" : "off",
              trusted ? "signed and verified" : "unsigned", dir.c_str(),
              deployment.kafka().c_str());

  std::vector<int> client_counts;
  for (absl::string_view item :
       absl::StrSplit(absl::GetFlag(FLAGS_clients), ',', absl::SkipWhitespace())) {
    int n = 0;
    if (absl::SimpleAtoi(item, &n) && n > 0) client_counts.push_back(n);
  }
  const double seconds = absl::GetFlag(FLAGS_seconds);
  if (!client_counts.empty()) {
    std::printf(
        "| clients | registry mix calls/s | p50 ms | p99 ms | echo "
        "calls/s | p50 ms | p99 ms | "
        "ratio |\n|---|---|---|---|---|---|---|---|\n");
  }
  for (int clients : client_counts) {
    const int channels = std::min(clients, 8);
    auto registry = Stubs<v1::Registry>(deployment.address(kOrigin), channels);
    auto echo = Stubs<v1::Echo>(deployment.echo_address(), channels);
    RunResult mix = RunClients(clients, seconds, [&](int c, Latencies& latencies) {
      MemberCycle(*registry[c % channels], latencies);
    });
    RunResult bare = RunClients(clients, seconds, [&](int c, Latencies& latencies) {
      v1::EchoRequest request;
      request.set_text("连心");
      v1::EchoReply reply;
      Timed(latencies, [&] {
        grpc::ClientContext context;
        Prepare(&context, kToken);
        return echo[c % channels]->Say(&context, request, &reply);
      });
    });
    std::printf("| %d | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f |\n", clients,
                mix.per_second(), mix.latencies.Percentile(0.5), mix.latencies.Percentile(0.99),
                bare.per_second(), bare.latencies.Percentile(0.5), bare.latencies.Percentile(0.99),
                mix.per_second() / bare.per_second());
    if (mix.latencies.errors + bare.latencies.errors > 0) {
      std::printf("(errors: registry %lu, echo %lu)\n", mix.latencies.errors,
                  bare.latencies.errors);
    }
    std::fflush(stdout);
  }

  const int lag_rate = absl::GetFlag(FLAGS_lag_rate);
  if (lag_rate > 0) {
    // Members away at the destination with a certificate, to record checks on.
    auto stubs = Stubs<v1::Registry>(deployment.address(kOrigin), 8);
    std::vector<std::string> members;
    Latencies setup;
    for (int i = 0; i < 64; ++i) {
      std::string id = MemberCycle(*stubs[i % 8], setup);
      if (!id.empty()) members.push_back(id);
    }
    // Warm-up: the destination has subscribed before its inbox topic existed
    // and finds it within seconds; measure only once it has every member.
    auto at_destination = Stubs<v1::Registry>(deployment.address(kDestination), 1);
    const bool warm = testing::WaitFor(
        [&] {
          for (const std::string& id : members) {
            v1::GetMemberRequest get;
            get.set_member_id(id);
            v1::GetMemberReply reply;
            grpc::ClientContext context;
            Prepare(&context, kDestinationToken);
            if (!at_destination[0]->GetMember(&context, get, &reply).ok()) return false;
          }
          return true;
        },
        absl::Seconds(120));
    if (!warm) std::fprintf(stderr, "e2e_bench: the destination never saw every member\n");
    LagReader reader;
    if (absl::Status s = reader.Start(deployment.kafka()); !s.ok()) {
      std::fprintf(stderr, "e2e_bench: %s\n", s.ToString().c_str());
      return 1;
    }
    const absl::Time since = absl::Now();
    const int threads = 8;
    const int total = static_cast<int>(lag_rate * absl::GetFlag(FLAGS_lag_seconds));
    std::atomic<int> issued{0};
    std::vector<Latencies> per_thread(threads);
    std::vector<std::thread> workers;
    const SteadyClock::time_point start = SteadyClock::now();
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (;;) {
          const int n = issued.fetch_add(1);
          if (n >= total) return;
          // Paced: command n starts at n / rate seconds.
          std::this_thread::sleep_until(
              start + std::chrono::duration<double>(static_cast<double>(n) / lag_rate));
          v1::RecordCertificateEntryRequest entry;
          entry.set_request_id(absl::StrCat("bench-check-", getpid(), "-", n));
          entry.set_member_id(members[n % members.size()]);
          entry.set_kind(v1::CERTIFICATE_ENTRY_KIND_MAIL_BACK_CHECK);
          entry.set_occurred_on("2026-06-01");
          entry.set_activity("活动证寄回查验");
          v1::MutationReply reply;
          Timed(per_thread[t], [&] {
            grpc::ClientContext context;
            Prepare(&context, kToken);
            return stubs[t]->RecordCertificateEntry(&context, entry, &reply);
          });
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    const double achieved = total / (MsSince(start) / 1000);
    Latencies commits;
    for (Latencies& l : per_thread) commits.Add(l);
    Latencies lags = reader.Collect(since, commits.ms.size(), absl::Seconds(60));
    Latencies relay = reader.RelayLags();
    std::printf(
        "\n| origin commits/s (target %d) | commit p50 ms | commit p99 ms | "
        "paired | lag p50 ms "
        "| lag p99 ms | lag max ms | of which origin relay p50 ms | p99 ms |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
        "| %.0f | %.2f | %.2f | %zu of %zu | %.1f | %.1f | %.1f | %.1f | %.1f "
        "|\n",
        lag_rate, achieved, commits.Percentile(0.5), commits.Percentile(0.99), lags.ms.size(),
        commits.ms.size(), lags.Percentile(0.5), lags.Percentile(0.99), lags.Percentile(1.0),
        relay.Percentile(0.5), relay.Percentile(0.99));
    std::fflush(stdout);
  }

  const int members = absl::GetFlag(FLAGS_members);
  if (members > 0) {
    const uint64_t before = ResidentKb(deployment.registry_pid(kOrigin));
    auto stubs = Stubs<v1::Registry>(deployment.address(kOrigin), 8);
    std::atomic<int> done{0};
    std::vector<std::thread> workers;
    const SteadyClock::time_point start = SteadyClock::now();
    for (int t = 0; t < 64; ++t) {
      workers.emplace_back([&, t] {
        Latencies latencies;
        while (done.fetch_add(1) < members) {
          const v1::RegisterMemberRequest registration = Registration(next_member.fetch_add(1));
          v1::RegisterMemberReply reply;
          Timed(latencies, [&] {
            grpc::ClientContext context;
            Prepare(&context, kToken);
            return stubs[t % 8]->RegisterMember(&context, registration, &reply);
          });
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    const double elapsed = MsSince(start) / 1000;
    const uint64_t after = ResidentKb(deployment.registry_pid(kOrigin));
    std::printf(
        "\n| members registered | seconds | registrations/s | registry RSS "
        "before MB | after MB "
        "|\n|---|---|---|---|---|\n| %d | %.0f | %.0f | %.1f | %.1f |\n",
        members, elapsed, members / elapsed, before / 1024.0, after / 1024.0);
  }
  return 0;
}

int Run() {
  int exit_code = 0;
  for (absl::string_view mode :
       absl::StrSplit(absl::GetFlag(FLAGS_trust), ',', absl::SkipWhitespace())) {
    if (mode != "off" && mode != "on") {
      std::fprintf(stderr, "e2e_bench: --trust: off, on or off,on\n");
      return 2;
    }
    const std::string dir =
        absl::StrCat(absl::GetFlag(FLAGS_dir), "/lianxin-e2e-bench-", getpid(), "-", mode);
    exit_code |= Measure(dir, mode == "on");  // the deployment has stopped on return
    if (!absl::GetFlag(FLAGS_keep)) {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
    std::printf("\n");
  }
  return exit_code;
}

}  // namespace
}  // namespace lianxin

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("lianxin end-to-end benchmark (see the file's comment)");
  absl::ParseCommandLine(argc, argv);
  return lianxin::Run();
}
