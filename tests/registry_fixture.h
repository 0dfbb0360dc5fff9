// The registry integration tests' fixture: a real lianxin-broker process and
// the registries of two or three counties as real child processes
// (build/bin/registry), each on its own RocksDB under a temp dir, with gRPC
// stubs that carry the bearer token of each county's operator.
//
//   RegistryCluster cluster({kFuyun, kTianshan});
//   ASSERT_OK(cluster.Start());
//   absl::StatusOr<std::string> id = cluster.Register(kFuyun, NewPerson("张三"));
//   ASSERT_OK(cluster.RegisterOutflow(kFuyun, Outflow(*id, kTianshan)));
//   EXPECT_TRUE(cluster.WaitForStatus(kTianshan, *id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
//
// Cross-county delivery is asynchronous: tests wait on a condition with a
// deadline (WaitForMember), never on a fixed sleep.
#ifndef LIANXIN_TESTS_REGISTRY_FIXTURE_H_
#define LIANXIN_TESTS_REGISTRY_FIXTURE_H_

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/rpc.h"
#include "libs/testing/testing.h"
#include "tests/bus_testing.h"

namespace lianxin::registry_test {

namespace v1 = ::lianxin::v1;
using ::lianxin::testing::BinDir;
using ::lianxin::testing::BrokerProcess;
using ::lianxin::testing::ChildProcess;
using ::lianxin::testing::ReadFile;
using ::lianxin::testing::RunProcess;
using ::lianxin::testing::TailOfFile;
using ::lianxin::testing::TempDir;
using ::lianxin::testing::WaitFor;

#define LX_ASSERT_OK(expr)                                       \
  do {                                                           \
    const absl::Status lx_status_ = ::absl::Status(expr);        \
    ASSERT_TRUE(lx_status_.ok()) << #expr << ": " << lx_status_; \
  } while (0)
#define LX_EXPECT_OK(expr)                                       \
  do {                                                           \
    const absl::Status lx_status_ = ::absl::Status(expr);        \
    EXPECT_TRUE(lx_status_.ok()) << #expr << ": " << lx_status_; \
  } while (0)
#define LX_CONCAT_INNER_(a, b) a##b
#define LX_CONCAT_(a, b) LX_CONCAT_INNER_(a, b)
#define LX_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  LX_ASSERT_OK_AND_ASSIGN_IMPL_(LX_CONCAT_(lx_statusor_, __LINE__), lhs, expr)
#define LX_ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)     \
  auto tmp = (expr);                                      \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status(); \
  lhs = *std::move(tmp)

// The counties of the tests. All three run lianxin; kOffSystem does not.
inline constexpr char kFuyun[] = "654322";      // 富蕴县
inline constexpr char kTianshan[] = "650102";   // 乌鲁木齐市天山区
inline constexpr char kNanshan[] = "440305";    // 深圳市南山区
inline constexpr char kOffSystem[] = "510104";  // 成都市锦江区, not on lianxin
inline constexpr char kCountiesOnLianxin[] = "654322,650102,440305";

// The bearer token of each county's operator, and of Fuyun's readonly user.
inline std::string OperatorToken(const std::string& county) { return "op-token-" + county; }
inline constexpr char kReadonlyToken[] = "ro-token-654322";
// Fuyun gateway's member-proxy token (the member page acts for one member).
inline constexpr char kMemberProxyToken[] = "mp-token-654322";

// How long a cross-county event may take to arrive.
inline constexpr absl::Duration kDeliveryTimeout = absl::Seconds(30);

// The county calendar (UTC+8), as the registries compute "today".
inline absl::CivilDay CountyToday() {
  return absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 60 * 60));
}
// "YYYY-MM-DD" of today plus `offset` days, by the county calendar.
inline std::string Day(int offset) { return absl::FormatCivilTime(CountyToday() + offset); }

// A resident ID number (GB 11643): region, birth date, sequence, ISO 7064
// MOD 11-2 check character.
inline std::string ResidentId(const std::string& region, absl::CivilDay birth, int sequence) {
  std::string body = absl::StrFormat("%s%04d%02d%02d%03d", region, birth.year(), birth.month(),
                                     birth.day(), sequence % 1000);
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (body[i] - '0') * kWeights[i];
  return body + "10X98765432"[sum % 11];
}

// A person to register: name, a valid ID number and its birth date.
struct Person {
  std::string name;
  std::string id_number;
  std::string birth_date;
  std::string joined_on;
};

// A new person, with an ID number no other person of this process has.
inline Person NewPerson(const std::string& name, const std::string& region = kFuyun) {
  static std::atomic<int> next{0};
  const int n = next++;
  // Vary the birth date by process too, so parallel test binaries differ.
  const absl::CivilDay birth =
      absl::CivilDay(1960, 1, 1) + (n * 3 + static_cast<int>(getpid() % 1000) * 17) % 12000;
  Person p;
  p.name = name;
  p.id_number = ResidentId(region, birth, 100 + n % 900);
  p.birth_date = absl::FormatCivilTime(birth);
  p.joined_on = absl::FormatCivilTime(absl::CivilDay(birth.year() + 25, 7, 1));
  return p;
}

// A unique request_id for this process.
inline std::string NewRequestId(const std::string& what = "rq") {
  static std::atomic<int> next{0};
  return absl::StrCat(what, "-", getpid(), "-", next++);
}

// Request builders with valid defaults; a test changes what it is about.
inline v1::RegisterMemberRequest Registration(const std::string& county, const Person& p,
                                              const std::string& branch = "城关镇第一党支部") {
  v1::RegisterMemberRequest r;
  r.set_request_id(NewRequestId("reg"));
  r.set_jurisdiction(county);
  r.set_branch(branch);
  r.set_name(p.name);
  r.set_id_number(p.id_number);
  r.set_gender(v1::GENDER_MALE);
  r.set_birth_date(p.birth_date);
  r.set_category(v1::MEMBER_CATEGORY_FARMER);
  r.set_phone("13800138000");
  r.set_joined_on(p.joined_on);
  return r;
}

// An outflow that left 60 days ago, for a year.
inline v1::RegisterOutflowRequest Outflow(const std::string& member_id,
                                          const std::string& destination, int left_offset = -60) {
  v1::RegisterOutflowRequest r;
  r.set_request_id(NewRequestId("out"));
  r.set_member_id(member_id);
  r.set_destination_jurisdiction(destination);
  r.set_destination_address("新华路8号金山大厦12楼");
  r.set_occupation("建筑工人");
  r.set_left_on(Day(left_offset));
  r.set_expected_return_on(Day(left_offset + 365));
  r.set_contact_phone("13900139000");
  r.set_employer("新疆建工集团");
  r.set_liaison_name("王建国");
  r.set_destination_name("目的地");
  return r;
}

inline v1::RecordArrivalRequest Arrival(const std::string& member_id, const std::string& county,
                                        const std::string& branch = "天山区流动党员党支部") {
  v1::RecordArrivalRequest r;
  r.set_request_id(NewRequestId("arr"));
  r.set_member_id(member_id);
  r.set_jurisdiction(county);
  r.set_branch(branch);
  r.set_arrived_on(Day(-50));
  r.set_contact_person("李梅");
  return r;
}

inline v1::IssueCertificateRequest Certificate(const std::string& member_id,
                                               const std::string& number) {
  v1::IssueCertificateRequest r;
  r.set_request_id(NewRequestId("cert"));
  r.set_member_id(member_id);
  r.set_certificate_no(number);
  r.set_valid_until(Day(365));
  return r;
}

inline v1::RecordCertificateEntryRequest OrganizationLife(const std::string& member_id,
                                                          int offset = -10) {
  v1::RecordCertificateEntryRequest r;
  r.set_request_id(NewRequestId("entry"));
  r.set_member_id(member_id);
  r.set_occurred_on(Day(offset));
  r.set_activity("支部主题党日：学习党章");
  r.set_kind(v1::CERTIFICATE_ENTRY_KIND_ORGANIZATION_LIFE);
  return r;
}

inline v1::RequestTransferRequest Transfer(const std::string& member_id, const std::string& to,
                                           const std::string& letter_no) {
  v1::RequestTransferRequest r;
  r.set_request_id(NewRequestId("xfer"));
  r.set_member_id(member_id);
  r.set_to_jurisdiction(to);
  r.set_letter_no(letter_no);
  r.set_to_organization("接收地党委");
  return r;
}

inline v1::AcceptTransferRequest Accept(const std::string& member_id,
                                        const std::string& branch = "") {
  v1::AcceptTransferRequest r;
  r.set_request_id(NewRequestId("acc"));
  r.set_member_id(member_id);
  r.set_branch(branch);
  return r;
}

inline v1::RejectTransferRequest Reject(const std::string& member_id) {
  v1::RejectTransferRequest r;
  r.set_request_id(NewRequestId("rej"));
  r.set_member_id(member_id);
  r.set_reason("介绍信抬头有误，请重开");
  return r;
}

inline v1::RecordReturnRequest Return(const std::string& member_id, int offset = -1) {
  v1::RecordReturnRequest r;
  r.set_request_id(NewRequestId("ret"));
  r.set_member_id(member_id);
  r.set_returned_on(Day(offset));
  return r;
}

// The event types of a history, oldest first.
inline std::vector<std::string> Types(const std::vector<v1::HistoryEntry>& events) {
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e.type());
  return types;
}

// The fields both sides of a shared member must agree on (R19), printable.
inline std::string SharedView(const v1::Member& m) {
  std::map<std::string, std::string> by_county;
  for (const auto& [county, status] : m.status_by_county()) {
    by_county[county] = v1::MemberStatus_Name(status);
  }
  return absl::StrCat(
      "home=", m.home_jurisdiction(), " by_county={",
      absl::StrJoin(by_county, ",", absl::PairFormatter("=")),
      "} dest=", m.destination_jurisdiction(), " dest_branch=", m.destination_branch(),
      " cert=", m.certificate_no(), " valid_until=", m.certificate_valid_until(),
      " transfer_to=", m.transfer_to_jurisdiction(), " letter=", m.transfer_letter_no(),
      " transfer_pending=", m.transfer_pending(), " outcome=", m.transfer_outcome(),
      " org_life=", m.organization_life_entries(), " left_on=", m.left_on(),
      " returned_on=", m.returned_on(), " name=", m.name(), " dup_of=", m.suspected_duplicate_of());
}

// Broker + registries of `counties`, in one temp dir.
class RegistryCluster {
 public:
  // `broker_args` go to lianxin-broker (e.g. {"--topics=lx.identity.v1", "--partitions=1"}).
  explicit RegistryCluster(std::vector<std::string> counties,
                           std::vector<std::string> broker_args = {})
      : counties_(std::move(counties)), broker_args_(std::move(broker_args)) {}
  ~RegistryCluster() {
    // Registries first (their relays and consumers talk to the broker), all
    // at once; the stubs' channels are closed first so that no call holds a
    // server's shutdown.
    for (auto& [code, county] : registries_) {
      county.stub.reset();
      county.channel.reset();
      if (county.process != nullptr) county.process->Signal(SIGTERM);
    }
    for (auto& [code, county] : registries_) {
      const absl::Time start = absl::Now();
      county.process.reset();
      if (absl::Now() - start > absl::Seconds(2)) {
        std::cerr << "registry " << code << " took " << absl::Now() - start << " to stop\n";
      }
    }
    broker_.reset();
  }

  // Writes the tokens and key files, starts the broker and every registry.
  absl::Status Start() {
    {
      // The token file holds digests and is its owner's only (auth.h).
      std::string text = "# digest operator_id jurisdiction role\n";
      for (const char* county : {kFuyun, kTianshan, kNanshan}) {
        text += OperatorToken(county) + " op-" + county + " " + county + " operator\n";
      }
      text += std::string(kReadonlyToken) + " ro-" + kFuyun + " " + kFuyun + " readonly\n";
      text += std::string(kMemberProxyToken) + " gw-members-" + kFuyun + " " + kFuyun +
              " member-proxy\n";
      // The gateway's credentials file holds the tokens themselves (its
      // --credentials_file); the services' token file only their digests.
      std::ofstream(dir_.Sub("operator-tokens.txt")) << text;
      std::ofstream(dir_.Sub("tokens.txt")) << DigestTokenFile(text);
      for (const char* name : {"tokens.txt", "operator-tokens.txt"}) {
        std::filesystem::permissions(dir_.Sub(name), std::filesystem::perms::owner_read |
                                                         std::filesystem::perms::owner_write);
      }
      std::ofstream key(dir_.Sub("identity.key"));
      key << "00112233445566778899aabbccddeeff\n";
    }
    // Every service of the cluster serves TLS with one self-signed certificate
    // for 127.0.0.1 (made by openssl, as deploy/local does), which the clients
    // trust as their CA.
    absl::StatusOr<int> openssl =
        RunProcess({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", dir_.Sub("tls-key.pem"), "-out", dir_.Sub("tls-cert.pem")},
                   dir_.Sub("openssl.out"));
    if (!openssl.ok()) return openssl.status();
    if (*openssl != 0) {
      return absl::InternalError(
          absl::StrCat("openssl req failed: ", ReadFile(dir_.Sub("openssl.out.err"))));
    }
    std::filesystem::permissions(dir_.Sub("tls-key.pem"), std::filesystem::perms::owner_read |
                                                              std::filesystem::perms::owner_write);
    tls_.ca_file = dir_.Sub("tls-cert.pem");
    absl::StatusOr<std::unique_ptr<BrokerProcess>> broker = BrokerProcess::Start(broker_args_);
    if (!broker.ok()) return broker.status();
    broker_ = *std::move(broker);
    for (const std::string& code : counties_) {
      if (absl::Status s = StartRegistry(code); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  // Starts (or starts again) the registry of `code` on its data dir.
  absl::Status StartRegistry(const std::string& code) {
    County& county = registries_[code];
    county.process.reset();
    std::vector<std::string> args = {
        BinDir() + "/registry",
        "--jurisdiction=" + code,
        "--data_dir=" + dir_.Sub(code),
        "--listen=127.0.0.1:0",
        "--metrics_address=",
        "--tokens_file=" + dir_.Sub("tokens.txt"),
        "--tls_cert=" + dir_.Sub("tls-cert.pem"),
        "--tls_key=" + dir_.Sub("tls-key.pem"),
        "--kafka_brokers=" + broker_->bootstrap(),
        // lianxin-broker holds a fetch for the whole wait even when data
        // arrives; a short wait keeps cross-county hops in milliseconds.
        "--kafka_config=fetch.wait.max.ms=5",
        "--identity_key_file=" + dir_.Sub("identity.key"),
        std::string("--counties_on_lianxin=") + kCountiesOnLianxin,
    };
    if (auto extra = registry_args.find(code); extra != registry_args.end()) {
      args.insert(args.end(), extra->second.begin(), extra->second.end());
    }
    absl::StatusOr<std::unique_ptr<ChildProcess>> child =
        ChildProcess::Start(args, StderrPath(code));
    if (!child.ok()) return child.status();
    absl::StatusOr<std::string> line = (*child)->WaitForLine("listening ", absl::Seconds(30));
    if (!line.ok()) {
      return absl::UnavailableError(absl::StrCat("registry ", code, ": ", line.status().ToString(),
                                                 "\n", TailOfFile(StderrPath(code), 20)));
    }
    county.process = *std::move(child);
    county.address = line->substr(std::string("listening ").size());
    county.channel = NewChannel(county.address);
    county.stub = v1::Registry::NewStub(county.channel);
    if (!county.channel->WaitForConnected(std::chrono::system_clock::now() +
                                          std::chrono::seconds(10))) {
      return absl::UnavailableError(
          absl::StrCat("registry ", code, " at ", county.address, " does not accept connections"));
    }
    return absl::OkStatus();
  }

  // Another service of a county, started by StartService.
  struct ServiceProcess {
    std::unique_ptr<ChildProcess> process;
    std::string address;  // host:port it listens on
  };
  // Starts `service` ("contact", "education", "appraisal": a binary in
  // BinDir()) for county `code` on this cluster's broker, tokens and data dir,
  // with the flags every service takes, then `extra`. Its stderr goes to
  // ServiceStderrPath(service, code).
  absl::StatusOr<ServiceProcess> StartService(const std::string& service, const std::string& code,
                                              std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {
        BinDir() + "/" + service,
        "--jurisdiction=" + code,
        "--data_dir=" + dir_.Sub(code),
        "--listen=127.0.0.1:0",
        "--metrics_address=",
        "--tokens_file=" + dir_.Sub("tokens.txt"),
        "--tls_cert=" + dir_.Sub("tls-cert.pem"),
        "--tls_key=" + dir_.Sub("tls-key.pem"),
        "--kafka_brokers=" + broker_->bootstrap(),
        "--kafka_config=fetch.wait.max.ms=5",  // see StartRegistry
        std::string("--counties_on_lianxin=") + kCountiesOnLianxin,
    };
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string stderr_path = ServiceStderrPath(service, code);
    absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Start(args, stderr_path);
    if (!child.ok()) return child.status();
    absl::StatusOr<std::string> line = (*child)->WaitForLine("listening ", absl::Seconds(30));
    if (!line.ok()) {
      return absl::UnavailableError(absl::StrCat(service, " ", code, ": ", line.status().ToString(),
                                                 "\n", TailOfFile(stderr_path, 20)));
    }
    return ServiceProcess{*std::move(child), line->substr(std::string("listening ").size())};
  }
  std::string ServiceStderrPath(const std::string& service, const std::string& code) const {
    return dir_.Sub(absl::StrCat(service, "-", code, ".stderr"));
  }

  // SIGTERM; returns the exit code.
  int StopRegistry(const std::string& code) { return registries_.at(code).process->Stop(); }
  // SIGKILL: a crash at an arbitrary instant.
  void KillRegistry(const std::string& code) { registries_.at(code).process->Kill(); }
  // Any other signal (SIGUSR1: a backup).
  void SignalRegistry(const std::string& code, int signo) {
    registries_.at(code).process->Signal(signo);
  }
  // More flags for the registry of a county (set before it starts).
  std::map<std::string, std::vector<std::string>> registry_args;

  // Stops the broker (its in-memory topics are lost); relays keep their outboxes.
  int StopBroker() { return broker_->Stop(); }
  // A new broker on the same ports: the registries reconnect by themselves.
  absl::Status RestartBroker() {
    const std::string ports = broker_->ports();
    broker_->Stop();
    broker_.reset();
    std::vector<std::string> args = broker_args_;
    args.push_back("--ports=" + ports);
    absl::StatusOr<std::unique_ptr<BrokerProcess>> broker = BrokerProcess::Start(args);
    if (!broker.ok()) return broker.status();
    broker_ = *std::move(broker);
    return absl::OkStatus();
  }

  // Takes every broker down (connections closed, new ones refused; the
  // topics' data is kept) and back up: nothing travels in between.
  void BrokerDown() { broker_->Signal(SIGUSR1); }
  void BrokerUp() { broker_->Signal(SIGUSR2); }

  const std::string& address(const std::string& code) { return registries_.at(code).address; }
  std::shared_ptr<grpc::Channel> channel(const std::string& code) {
    return registries_.at(code).channel;
  }
  const std::string& bootstrap() const { return broker_->bootstrap(); }
  const TempDir& dir() const { return dir_; }
  // What a client needs to reach the cluster's services (their CA), and a
  // channel to one of them with it; a failure to make one fails the test.
  const TlsFiles& tls() const { return tls_; }
  std::shared_ptr<grpc::Channel> NewChannel(const std::string& address) const {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(address, tls_);
    if (channel.ok()) return *std::move(channel);
    ADD_FAILURE() << "channel to " << address << ": " << channel.status();
    return *OpenChannel(address, TlsFiles());
  }
  // The endpoints file's TLS member for these clients, with a trailing comma.
  std::string EndpointsTlsJson() const { return "\"tls_ca\": \"" + tls_.ca_file + "\", "; }

  // The last lines each registry wrote on stderr (for a failing test's log).
  std::string Logs(int lines = 15) const {
    std::string out;
    for (const std::string& code : counties_) {
      absl::StrAppend(&out, "--- registry ", code, " stderr (tail):\n",
                      TailOfFile(StderrPath(code), lines));
    }
    return out;
  }

  // Calls `method` of the registry of `county` with `token` (default: the
  // county's operator; "" sends no authorization metadata) and `metadata`.
  template <typename Request, typename Reply>
  absl::Status Call(const std::string& county,
                    grpc::Status (v1::Registry::Stub::*method)(grpc::ClientContext*, const Request&,
                                                               Reply*),
                    const Request& request, Reply* reply,
                    std::optional<std::string> token = std::nullopt,
                    const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const std::string bearer = token.value_or(OperatorToken(county));
    if (!bearer.empty()) context.AddMetadata("authorization", "Bearer " + bearer);
    for (const auto& [key, value] : metadata) context.AddMetadata(key, value);
    return FromGrpcStatus((registries_.at(county).stub.get()->*method)(&context, request, reply));
  }

  // RegisterMember at `county`; the new member id.
  absl::StatusOr<std::string> Register(const std::string& county, const Person& person) {
    return Register(Registration(county, person));
  }
  absl::StatusOr<std::string> Register(const v1::RegisterMemberRequest& request) {
    v1::RegisterMemberReply reply;
    absl::Status s =
        Call(request.jurisdiction(), &v1::Registry::Stub::RegisterMember, request, &reply);
    if (!s.ok()) return s;
    return reply.member_id();
  }

  // The mutations, each at `county` with its operator's token.
  absl::Status RegisterOutflow(const std::string& county, const v1::RegisterOutflowRequest& r) {
    v1::MutationReply reply;
    return Call(county, &v1::Registry::Stub::RegisterOutflow, r, &reply);
  }
  absl::Status IssueCertificate(const std::string& county, const v1::IssueCertificateRequest& r) {
    v1::MutationReply reply;
    return Call(county, &v1::Registry::Stub::IssueCertificate, r, &reply);
  }
  absl::Status RecordArrival(const std::string& county, const v1::RecordArrivalRequest& r) {
    v1::RecordArrivalReply reply;
    return Call(county, &v1::Registry::Stub::RecordArrival, r, &reply);
  }
  absl::Status RecordCertificateEntry(const std::string& county,
                                      const v1::RecordCertificateEntryRequest& r) {
    v1::MutationReply reply;
    return Call(county, &v1::Registry::Stub::RecordCertificateEntry, r, &reply);
  }
  absl::Status RequestTransfer(const std::string& county, const v1::RequestTransferRequest& r) {
    v1::MutationReply reply;
    return Call(county, &v1::Registry::Stub::RequestTransfer, r, &reply);
  }
  absl::Status AcceptTransfer(const std::string& county, const v1::AcceptTransferRequest& r) {
    v1::MutationReply reply;
    return Call(county, &v1::Registry::Stub::AcceptTransfer, r, &reply);
  }
  absl::Status RejectTransfer(const std::string& county, const v1::RejectTransferRequest& r) {
    v1::MutationReply reply;
    return Call(county, &v1::Registry::Stub::RejectTransfer, r, &reply);
  }
  absl::Status RecordReturn(const std::string& county, const v1::RecordReturnRequest& r) {
    v1::MutationReply reply;
    return Call(county, &v1::Registry::Stub::RecordReturn, r, &reply);
  }

  // The member as `county` sees it.
  absl::StatusOr<v1::Member> Get(
      const std::string& county, const std::string& member_id,
      std::optional<std::string> token = std::nullopt,
      const std::vector<std::pair<std::string, std::string>>& metadata = {}) {
    v1::GetMemberRequest request;
    request.set_member_id(member_id);
    v1::GetMemberReply reply;
    absl::Status s = Call(county, &v1::Registry::Stub::GetMember, request, &reply, token, metadata);
    if (!s.ok()) return s;
    return reply.member();
  }

  absl::StatusOr<std::vector<v1::HistoryEntry>> History(
      const std::string& county, const std::string& member_id,
      std::optional<std::string> token = std::nullopt) {
    v1::GetMemberHistoryRequest request;
    request.set_member_id(member_id);
    request.set_page_size(1000);
    std::vector<v1::HistoryEntry> events;
    do {
      v1::GetMemberHistoryReply reply;
      absl::Status s = Call(county, &v1::Registry::Stub::GetMemberHistory, request, &reply, token);
      if (!s.ok()) return s;
      events.insert(events.end(), reply.events().begin(), reply.events().end());
      request.set_page_token(reply.next_page_token());
    } while (!request.page_token().empty());
    return events;
  }

  absl::StatusOr<v1::GetStatisticsReply> Statistics(const std::string& county) {
    v1::GetStatisticsRequest request;
    request.set_jurisdiction(county);
    v1::GetStatisticsReply reply;
    absl::Status s = Call(county, &v1::Registry::Stub::GetStatistics, request, &reply);
    if (!s.ok()) return s;
    return reply;
  }

  // Every member `county` holds (ListMembers, DIRECTION_ALL, all pages).
  absl::StatusOr<std::vector<v1::Member>> ListAll(const std::string& county) {
    std::vector<v1::Member> all;
    std::string token;
    do {
      v1::ListMembersRequest request;
      request.set_jurisdiction(county);
      request.set_direction(v1::DIRECTION_ALL);
      request.set_page_size(500);
      request.set_page_token(token);
      v1::ListMembersReply reply;
      absl::Status s = Call(county, &v1::Registry::Stub::ListMembers, request, &reply);
      if (!s.ok()) return s;
      all.insert(all.end(), reply.members().begin(), reply.members().end());
      token = reply.next_page_token();
    } while (!token.empty());
    return all;
  }

  // Waits until `county` holds the member and `condition` holds for it.
  bool WaitForMember(const std::string& county, const std::string& member_id,
                     const std::function<bool(const v1::Member&)>& condition,
                     absl::Duration timeout = kDeliveryTimeout) {
    return WaitFor(
        [&] {
          absl::StatusOr<v1::Member> m = Get(county, member_id);
          return m.ok() && condition(*m);
        },
        timeout);
  }

  bool WaitForStatus(const std::string& county, const std::string& member_id,
                     v1::MemberStatus status, absl::Duration timeout = kDeliveryTimeout) {
    return WaitForMember(
        county, member_id, [&](const v1::Member& m) { return m.status() == status; }, timeout);
  }

  // Registers a new person at `home` and its outflow to `destination` (on
  // lianxin), and waits until the destination expects it; the member id.
  absl::StatusOr<std::string> RegisterAway(const std::string& home, const std::string& destination,
                                           const std::string& name = "张伟") {
    absl::StatusOr<std::string> id = Register(home, NewPerson(name));
    if (!id.ok()) return id;
    if (absl::Status s = RegisterOutflow(home, Outflow(*id, destination)); !s.ok()) return s;
    if (!WaitForStatus(destination, *id, v1::MEMBER_STATUS_INFLOW_EXPECTED)) {
      return absl::DeadlineExceededError(
          absl::StrCat(destination, " never expected ", *id, ": ", StatusAt(destination, *id)));
    }
    return id;
  }

  // Asks `county` whether it knows `person`'s ID number without registering
  // anyone: a registration whose joined_on is in the future is refused by the
  // rules (INVALID_ARGUMENT joined_on), but the registry checks the identity
  // claims first (ALREADY_EXISTS naming the holder) — service.cc, Create().
  absl::Status ProbeIdentity(const std::string& county, const Person& person) {
    v1::RegisterMemberRequest probe = Registration(county, person);
    probe.set_joined_on(Day(30));
    v1::RegisterMemberReply reply;
    return Call(county, &v1::Registry::Stub::RegisterMember, probe, &reply);
  }

  // Waits until `county` answers ALREADY_EXISTS naming `holder` for `person`'s
  // ID number (the identity claim travelled). Any other answer than the
  // refusal of the future joined_on ends the wait with false.
  bool WaitForIdentity(const std::string& county, const Person& person, const std::string& holder,
                       absl::Duration timeout = kDeliveryTimeout) {
    bool unexpected = false;
    const bool known = WaitFor(
        [&] {
          absl::Status s = ProbeIdentity(county, person);
          if (absl::IsAlreadyExists(s)) return absl::StrContains(s.message(), holder);
          if (!absl::IsInvalidArgument(s) || !absl::StrContains(s.message(), "joined_on")) {
            ADD_FAILURE() << "identity probe at " << county << ": " << s;
            unexpected = true;
            return true;
          }
          return false;
        },
        timeout);
    return known && !unexpected;
  }

  // The status `county` shows, or a description of why it cannot be read.
  std::string StatusAt(const std::string& county, const std::string& member_id) {
    absl::StatusOr<v1::Member> m = Get(county, member_id);
    if (!m.ok()) return m.status().ToString();
    return v1::MemberStatus_Name(m->status());
  }

 private:
  struct County {
    std::unique_ptr<ChildProcess> process;
    std::string address;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::Registry::Stub> stub;
  };

  std::string StderrPath(const std::string& code) const {
    return dir_.Sub(absl::StrCat("registry-", code, ".stderr"));
  }

  std::vector<std::string> counties_;
  std::vector<std::string> broker_args_;
  TempDir dir_;
  TlsFiles tls_;  // the clients': the services' certificate as CA
  std::unique_ptr<BrokerProcess> broker_;
  std::map<std::string, County> registries_;
};

// A test with its own cluster of `Counties()`.
class RegistryClusterTest : public ::testing::Test {
 protected:
  virtual std::vector<std::string> Counties() const { return {kFuyun, kTianshan, kNanshan}; }

  void SetUp() override {
    cluster_ = std::make_unique<RegistryCluster>(Counties());
    LX_ASSERT_OK(cluster_->Start());
  }
  void TearDown() override {
    if (HasFailure() && cluster_ != nullptr) std::cerr << cluster_->Logs();
    cluster_.reset();
  }

  RegistryCluster& cluster() { return *cluster_; }

 private:
  std::unique_ptr<RegistryCluster> cluster_;
};

// Tests of a suite sharing one cluster of the three counties (each test uses
// its own new people, so tests do not see each other's members).
class SharedRegistryClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new RegistryCluster({kFuyun, kTianshan, kNanshan});
    start_status_ = new absl::Status(cluster_->Start());
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
    delete start_status_;
    start_status_ = nullptr;
  }
  void SetUp() override { LX_ASSERT_OK(*start_status_); }
  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_->Logs();
  }

  static RegistryCluster& cluster() { return *cluster_; }

 private:
  static inline RegistryCluster* cluster_ = nullptr;
  static inline absl::Status* start_status_ = nullptr;
};

}  // namespace lianxin::registry_test

#endif  // LIANXIN_TESTS_REGISTRY_FIXTURE_H_
