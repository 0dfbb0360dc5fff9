#include "tools/chaos/cluster.h"

#include <signal.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/runtime/auth.h"
#include "libs/trust/directory.h"
#include "libs/trust/keys.h"

namespace lianxin::chaos {
namespace {

using testing::ChildProcess;

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

}  // namespace

const std::vector<std::string>& Services() {
  static const auto* services =
      new std::vector<std::string>{"registry", "contact", "education", "appraisal"};
  return *services;
}

std::string ChaosCluster::Token(const std::string& county) { return "op-token-" + county; }

std::string ChaosCluster::GroupId(const std::string& county, const std::string& service) {
  return absl::StrCat(county, ".", service);
}

absl::StatusOr<std::unique_ptr<ChaosCluster>> ChaosCluster::Start(ChaosOptions options) {
  std::unique_ptr<ChaosCluster> cluster(new ChaosCluster(std::move(options)));
  {
    std::string text = "# digest operator_id jurisdiction role\n";
    for (const std::string& county : cluster->counties()) {
      text += Token(county) + " op-" + county + " " + county + " operator\n";
    }
    std::ofstream tokens(cluster->Path("tokens.txt"));
    tokens << DigestTokenFile(text);
    std::filesystem::permissions(
        cluster->Path("tokens.txt"),
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::ofstream key(cluster->Path("identity.key"));
    key << "00112233445566778899aabbccddeeff\n";
    if (!tokens.flush() || !key.flush()) {
      return absl::InternalError(absl::StrCat("cannot write in ", cluster->options_.work_dir));
    }
  }
  if (cluster->options_.trust) {
    if (absl::Status s = cluster->WriteKeys(); !s.ok()) return s;
  }
  {
    absl::MutexLock lock(&cluster->mu_);
    if (absl::Status s = cluster->StartBrokerLocked(""); !s.ok()) return s;
  }
  for (const std::string& county : cluster->counties()) {
    for (const std::string& service : Services()) {
      if (absl::Status s = cluster->StartService(county, service); !s.ok()) return s;
    }
  }
  return cluster;
}

absl::Status ChaosCluster::WriteKeys() const {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(Path("keys"), error);
  fs::permissions(Path("keys"), fs::perms::owner_all, error);
  if (error) return absl::InternalError(absl::StrCat("cannot make ", Path("keys")));
  const absl::Time now = absl::Now();
  absl::StatusOr<trust::PrivateKey> root = trust::PrivateKey::Generate();
  if (!root.ok()) return root.status();
  if (absl::Status s = root->public_key().WritePem(KeyPath("root.pub")); !s.ok()) return s;
  trust::KeyDirectory directory;
  directory.set_serial(1);
  directory.set_issuer("lxchaos root");
  *directory.mutable_issued_at() = ToProto(now);
  auto add = [&](const std::string& file, const std::string& county) -> absl::Status {
    absl::StatusOr<trust::PrivateKey> key = trust::PrivateKey::Generate();
    if (!key.ok()) return key.status();
    if (absl::Status s = key->WritePem(KeyPath(file)); !s.ok()) return s;
    trust::CountyKey* entry = directory.add_keys();
    entry->set_key_id(key->key_id());
    entry->set_jurisdiction(county);
    entry->set_public_key(key->public_key().raw());
    *entry->mutable_valid_from() = ToProto(now - absl::Hours(1));
    if (file == "revoked.key") *entry->mutable_revoked_from() = ToProto(now - absl::Minutes(1));
    return absl::OkStatus();
  };
  for (const std::string& county : options_.counties) {
    if (absl::Status s = add(county + ".key", county); !s.ok()) return s;
  }
  if (absl::Status s = add("revoked.key", options_.counties.back()); !s.ok()) return s;
  absl::StatusOr<trust::SignedKeyDirectory> signed_directory =
      trust::SignDirectory(directory, *root);
  if (!signed_directory.ok()) return signed_directory.status();
  std::ofstream out(KeyPath("directory.bin"), std::ios::binary | std::ios::trunc);
  out << signed_directory->SerializeAsString();
  if (!out.flush()) return absl::InternalError("cannot write the key directory");
  return absl::OkStatus();
}

ChaosCluster::~ChaosCluster() {
  absl::MutexLock lock(&mu_);
  for (auto& [key, running] : services_) {
    if (running.process != nullptr) running.process->Signal(SIGTERM);
  }
  services_.clear();  // waits for each
  broker_.reset();
}

std::string ChaosCluster::Address(const std::string& county, const std::string& service) const {
  absl::MutexLock lock(&mu_);
  auto it = services_.find({county, service});
  return it == services_.end() ? "" : it->second.address;
}

std::string ChaosCluster::DataDir(const std::string& county) const { return Path(county); }

std::string ChaosCluster::EndpointsPath() const { return Path("endpoints.json"); }

std::string ChaosCluster::Bootstrap() const {
  absl::MutexLock lock(&mu_);
  return bootstrap_;
}

absl::Status ChaosCluster::StartBrokerLocked(const std::string& ports) {
  std::vector<std::string> args = {options_.bin_dir + "/lianxin-broker",
                                   absl::StrCat("--brokers=", options_.brokers),
                                   "--control_fifo=" + Path("broker.control")};
  if (!ports.empty()) args.push_back("--ports=" + ports);
  absl::StatusOr<std::unique_ptr<ChildProcess>> broker =
      ChildProcess::Start(args, Path("broker.stderr"));
  if (!broker.ok()) return broker.status();
  absl::StatusOr<std::string> line = (*broker)->WaitForLine("127.0.0.1:", absl::Seconds(20));
  if (!line.ok()) {
    return absl::UnavailableError(
        absl::StrCat("lianxin-broker did not start: ", line.status().ToString(), "\n",
                     testing::TailOfFile(Path("broker.stderr"), 10)));
  }
  broker_ = *std::move(broker);
  bootstrap_ = *line;
  std::vector<std::string> port_list;
  for (absl::string_view hostport : absl::StrSplit(bootstrap_, ',')) {
    port_list.emplace_back(hostport.substr(hostport.rfind(':') + 1));
  }
  broker_ports_ = absl::StrJoin(port_list, ",");
  return absl::OkStatus();
}

void ChaosCluster::StopBroker() {
  absl::MutexLock lock(&mu_);
  if (broker_ != nullptr) broker_->Stop();
  broker_.reset();
}

absl::Status ChaosCluster::StartBroker() {
  absl::MutexLock lock(&mu_);
  if (broker_ != nullptr) return absl::FailedPreconditionError("the broker is running");
  return StartBrokerLocked(broker_ports_);
}

absl::Status ChaosCluster::BrokerControl(const std::string& command) {
  std::ofstream fifo(Path("broker.control"), std::ios::app);
  fifo << command << "\n";
  if (!fifo.flush()) return absl::UnavailableError("cannot write to the broker's control FIFO");
  return absl::OkStatus();
}

absl::Status ChaosCluster::StartService(const std::string& county, const std::string& service) {
  std::vector<std::string> args = {
      options_.bin_dir + "/" + service,
      "--jurisdiction=" + county,
      "--data_dir=" + DataDir(county),
      "--listen=127.0.0.1:0",
      "--metrics_address=",
      "--tokens_file=" + Path("tokens.txt"),
      "--kafka_brokers=" + Bootstrap(),
      // lianxin-broker holds a fetch for the whole wait (docs/architecture.md).
      "--kafka_config=fetch.wait.max.ms=5",
      "--counties_on_lianxin=" + absl::StrJoin(options_.counties, ","),
  };
  if (service == "registry") args.push_back("--identity_key_file=" + Path("identity.key"));
  if (service == "contact") args.push_back("--sweep_interval=2s");
  if (options_.trust) {
    args.push_back("--signing_key=" + KeyPath(county + ".key"));
    args.push_back("--trust_root=" + KeyPath("root.pub"));
    args.push_back("--key_directory=" + KeyPath("directory.bin"));
    args.push_back("--anchor_interval=2s");
  }
  if (options_.max_parked_per_source > 0) {
    args.push_back(absl::StrCat("--max_parked_per_source=", options_.max_parked_per_source));
  }
  const std::string stderr_path = StderrPath(county, service);
  absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Start(args, stderr_path);
  if (!child.ok()) return child.status();
  absl::StatusOr<std::string> line = (*child)->WaitForLine("listening ", absl::Seconds(30));
  if (!line.ok()) {
    return absl::UnavailableError(absl::StrCat(service, " ", county, ": ", line.status().ToString(),
                                               "\n", testing::TailOfFile(stderr_path, 20)));
  }
  absl::MutexLock lock(&mu_);
  Running& running = services_[{county, service}];
  running.process = *std::move(child);
  running.address = line->substr(std::string("listening ").size());
  WriteEndpoints();
  return absl::OkStatus();
}

std::unique_ptr<ChildProcess> ChaosCluster::TakeProcess(const std::string& county,
                                                        const std::string& service) {
  absl::MutexLock lock(&mu_);
  Running& running = services_[{county, service}];
  running.address.clear();
  return std::move(running.process);
}

void ChaosCluster::Kill(const std::string& county, const std::string& service) {
  if (std::unique_ptr<ChildProcess> process = TakeProcess(county, service)) process->Kill();
}

void ChaosCluster::Stop(const std::string& county, const std::string& service) {
  if (std::unique_ptr<ChildProcess> process = TakeProcess(county, service)) process->Stop();
}

absl::Status ChaosCluster::Restart(const std::string& county, const std::string& service) {
  {
    absl::MutexLock lock(&mu_);
    if (services_[{county, service}].process != nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(service, " ", county, " is running"));
    }
  }
  return StartService(county, service);
}

void ChaosCluster::WriteEndpoints() const {
  const std::string tmp = EndpointsPath() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "{\"kafka\": \"" << bootstrap_ << "\", \"counties\": {";
    const char* sep = "";
    for (const std::string& county : options_.counties) {
      out << sep << "\"" << county << "\": {\"name\": \"" << county << "\", \"token\": \""
          << Token(county) << "\", \"data_dir\": \"" << DataDir(county) << "\"";
      for (const std::string& service : Services()) {
        auto it = services_.find({county, service});
        if (it != services_.end() && !it->second.address.empty()) {
          out << ", \"" << service << "\": \"" << it->second.address << "\"";
        }
      }
      out << "}";
      sep = ", ";
    }
    out << "}}\n";
  }
  std::rename(tmp.c_str(), EndpointsPath().c_str());
}

std::string ChaosCluster::LogTails(int lines) const {
  std::string out = absl::StrCat("--- broker stderr (tail):\n",
                                 testing::TailOfFile(Path("broker.stderr"), lines), "\n");
  for (const std::string& county : options_.counties) {
    for (const std::string& service : Services()) {
      absl::StrAppend(&out, "--- ", service, " ", county, " stderr (tail):\n",
                      testing::TailOfFile(StderrPath(county, service), lines), "\n");
    }
  }
  return out;
}

}  // namespace lianxin::chaos
