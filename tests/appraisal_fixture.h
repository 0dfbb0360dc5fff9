// The appraisal integration tests' fixture: the registries of two counties
// (tests/registry_fixture.h: a real lianxin-broker and build/bin/registry
// processes) plus each county's appraisal service as a real child process
// (build/bin/appraisal) on its own RocksDB, with gRPC stubs carrying each
// county's operator token.
//
// The contact and education services are built by other issues; until the
// branches merge, a test that needs their events publishes them with a
// StandInService: a real EventStore (source <county>/contact or
// <county>/education) and a real OutboxRelay onto the real topics, exactly
// as that service's relay would. The true cross-service test replaces it.
//
//   AppraisalCluster cluster({kFuyun, kTianshan});
//   ASSERT_OK(cluster.Start());
//   cluster.registries().Register(kFuyun, NewPerson("张三"));
//   cluster.Call(kFuyun, &v1::Appraisal::Stub::OpenCycle, request, &reply);
#ifndef LIANXIN_TESTS_APPRAISAL_FIXTURE_H_
#define LIANXIN_TESTS_APPRAISAL_FIXTURE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lianxin/v1/appraisal.grpc.pb.h"
#include "lianxin/v1/events.pb.h"
#include "libs/bus/outbox_relay.h"
#include "libs/common/time_util.h"
#include "libs/eventstore/event_store.h"
#include "tests/registry_fixture.h"

namespace lianxin::appraisal_test {

using namespace ::lianxin::registry_test;  // NOLINT: the registry fixture's vocabulary

// Publishes events onto lx.<county>.<service>.v1 as that service would: its
// own EventStore and OutboxRelay. Clearly a stand-in for contact/education.
class StandInService {
 public:
  static absl::StatusOr<std::unique_ptr<StandInService>> Start(const std::string& dir,
                                                               const std::string& county,
                                                               const std::string& service,
                                                               const std::string& bootstrap) {
    auto standin = std::unique_ptr<StandInService>(new StandInService());
    EventStoreOptions options;
    options.path = dir;
    options.source.set_jurisdiction(county);
    options.source.set_service(service);
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    if (!store.ok()) return store.status();
    standin->store_ = *std::move(store);
    OutboxRelayOptions relay;
    relay.kafka.bootstrap_servers = bootstrap;
    relay.store = standin->store_.get();
    absl::StatusOr<std::unique_ptr<OutboxRelay>> started = OutboxRelay::Start(relay);
    if (!started.ok()) return started.status();
    standin->relay_ = *std::move(started);
    return standin;
  }
  ~StandInService() {
    if (relay_ != nullptr) relay_->Stop().IgnoreError();
  }

  // Appends `event` to the member's aggregate and publishes it.
  absl::Status Publish(const std::string& member_id, v1::Event event) {
    ToTimestamp(absl::Now(), event.mutable_occurred_at());
    event.set_actor("stand-in");
    Transaction txn;
    txn.Append(member_id, versions_[member_id], {std::move(event)}, "");
    absl::StatusOr<CommitResult> result = store_->Commit(std::move(txn));
    if (!result.ok()) return result.status();
    ++versions_[member_id];
    relay_->Notify();
    return absl::OkStatus();
  }

 private:
  StandInService() = default;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<OutboxRelay> relay_;
  std::map<std::string, uint64_t> versions_;
};

// Broker + registries + appraisal services of `counties`.
class AppraisalCluster {
 public:
  explicit AppraisalCluster(std::vector<std::string> counties)
      : counties_(counties), registries_(std::move(counties)) {}
  ~AppraisalCluster() {
    for (auto& [code, county] : appraisals_) {
      county.stub.reset();
      county.channel.reset();
      if (county.process != nullptr) county.process->Signal(SIGTERM);
    }
    standins_.clear();
    for (auto& [code, county] : appraisals_) county.process.reset();
  }

  absl::Status Start() {
    if (absl::Status s = registries_.Start(); !s.ok()) return s;
    for (const std::string& code : counties_) {
      if (absl::Status s = StartAppraisal(code); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status StartAppraisal(const std::string& code) {
    County& county = appraisals_[code];
    county.process.reset();
    absl::StatusOr<RegistryCluster::ServiceProcess> started =
        registries_.StartService("appraisal", code);
    if (!started.ok()) return started.status();
    county.process = std::move(started->process);
    county.address = started->address;
    county.channel = registries_.NewChannel(county.address);
    county.stub = v1::Appraisal::NewStub(county.channel);
    return absl::OkStatus();
  }

  RegistryCluster& registries() { return registries_; }
  const std::string& address(const std::string& code) { return appraisals_.at(code).address; }

  // The endpoints file of api-contract.md for this cluster (registry and appraisal).
  std::string WriteEndpoints() {
    const std::string path = registries_.dir().Sub("endpoints.json");
    std::ofstream out(path);
    out << "{\"kafka\": \"" << registries_.bootstrap() << "\", " << registries_.EndpointsTlsJson()
        << "\"counties\": {";
    const char* sep = "";
    for (const std::string& county : counties_) {
      out << sep << "\"" << county << "\": {\"name\": \"" << (county == kFuyun ? "富蕴县" : county)
          << "\", \"token\": \"" << OperatorToken(county) << "\", \"registry\": \""
          << registries_.address(county) << "\", \"appraisal\": \"" << address(county)
          << "\", \"data_dir\": \"" << registries_.dir().Sub(county) << "\"}";
      sep = ", ";
    }
    out << "}}\n";
    return path;
  }

  // Calls `method` of the appraisal service of `county` with `token`
  // (default: the county's operator).
  template <typename Request, typename Reply>
  absl::Status Call(const std::string& county,
                    grpc::Status (v1::Appraisal::Stub::*method)(grpc::ClientContext*,
                                                                const Request&, Reply*),
                    const Request& request, Reply* reply,
                    std::optional<std::string> token = std::nullopt) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    const std::string bearer = token.value_or(OperatorToken(county));
    if (!bearer.empty()) context.AddMetadata("authorization", "Bearer " + bearer);
    return FromGrpcStatus((appraisals_.at(county).stub.get()->*method)(&context, request, reply));
  }

  absl::StatusOr<v1::GetEvidenceReply> Evidence(const std::string& county,
                                                const std::string& member_id, int year = 0) {
    v1::GetEvidenceRequest request;
    request.set_member_id(member_id);
    request.set_year(year);
    v1::GetEvidenceReply reply;
    absl::Status s = Call(county, &v1::Appraisal::Stub::GetEvidence, request, &reply);
    if (!s.ok()) return s;
    return reply;
  }

  // Waits until the county's appraisal evidence of the member satisfies `condition`.
  bool WaitForEvidence(const std::string& county, const std::string& member_id,
                       const std::function<bool(const v1::GetEvidenceReply&)>& condition) {
    return WaitFor(
        [&] {
          absl::StatusOr<v1::GetEvidenceReply> e = Evidence(county, member_id);
          return e.ok() && condition(*e);
        },
        kDeliveryTimeout);
  }

  // The stand-in contact or education service of `county` (started on first use).
  absl::StatusOr<StandInService*> StandIn(const std::string& county, const std::string& service) {
    const std::string key = county + "/" + service;
    if (!standins_.contains(key)) {
      absl::StatusOr<std::unique_ptr<StandInService>> s =
          StandInService::Start(registries_.dir().Sub("standin-" + county + "-" + service), county,
                                service, registries_.bootstrap());
      if (!s.ok()) return s.status();
      standins_[key] = *std::move(s);
    }
    return standins_[key].get();
  }

  std::string Logs() {
    std::string out = registries_.Logs();
    for (const std::string& code : counties_) {
      absl::StrAppend(&out, "--- appraisal ", code, " stderr:\n",
                      ReadFile(registries_.ServiceStderrPath("appraisal", code)));
    }
    return out;
  }

 private:
  struct County {
    std::unique_ptr<ChildProcess> process;
    std::string address;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::Appraisal::Stub> stub;
  };
  std::vector<std::string> counties_;
  RegistryCluster registries_;
  std::map<std::string, County> appraisals_;
  std::map<std::string, std::unique_ptr<StandInService>> standins_;
};

}  // namespace lianxin::appraisal_test

#endif  // LIANXIN_TESTS_APPRAISAL_FIXTURE_H_
