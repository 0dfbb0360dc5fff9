// The stage histograms of a command over real gRPC: a service on the runtime
// whose handler runs the command kernel on a real event store; each call that
// commits moves the count of every stage (queued, load, decide,
// group_commit_wait, commit, reply) by one; a refused decision moves queued,
// load and none of the commit stages.
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lianxin/v1/echo.grpc.pb.h"
#include "libs/common/metrics.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/rpc.h"
#include "libs/runtime/server.h"
#include "libs/runtime/testing.h"
#include "libs/service/command.h"
#include "libs/testing/testing.h"

namespace lianxin {
namespace {

constexpr char kTokens[] = "op-token-0001 op-zhang 654322 operator\n";

// Echo's Say as a command: appends an event to the aggregate named by the
// text ("refuse" is refused by the decision).
class CommandEcho final : public UnaryService {
 public:
  CommandEcho(RpcPlumbing plumbing, EventStore* store)
      : UnaryService(v1::Echo::service_full_name(), plumbing), kernel_(store, nullptr) {
    kind_.load = [store](const std::string& id) -> absl::StatusOr<Loaded<std::string>> {
      absl::StatusOr<Aggregate> aggregate = store->ReadAggregate(id);
      if (absl::IsNotFound(aggregate.status())) return Loaded<std::string>{};
      if (!aggregate.ok()) return aggregate.status();
      return Loaded<std::string>{aggregate->state, aggregate->version};
    };
    kind_.evolve = [](std::string state, const Event& event) { return state + event.type(); };
    kind_.stage = [](Transaction& txn, const std::string& id, const Loaded<std::string>& before,
                     Events events, const std::string& after) {
      txn.Append(id, before.version, std::move(events), after);
    };
    Serve<v1::EchoRequest, v1::EchoReply>(
        "Say", [this](const Principal&, const v1::EchoRequest& request, v1::EchoReply* reply) {
          return kernel_.Run({.method = "/lianxin.v1.Echo/Say"},
                             [&](UnitOfWork& work) -> absl::Status {
                               auto pending = work.Get(kind_, request.text());
                               if (!pending.ok()) return pending.status();
                               if (request.text() == "refuse") {
                                 return absl::FailedPreconditionError("text: refused");
                               }
                               Event event;
                               event.set_type("Said");
                               return work.Add(kind_, request.text(), event).status();
                             });
        });
  }

 private:
  CommandKernel kernel_;
  AggregateKind<std::string> kind_;
};

class CommandStagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventStoreOptions options;
    options.path = dir_.Sub("store");
    options.source.set_jurisdiction("654322");
    options.source.set_service("registry");
    options.metrics = &metrics_;
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    service_ = std::make_unique<CommandEcho>(RpcPlumbing{&authenticator_, &metrics_}, store_.get());
    absl::StatusOr<std::unique_ptr<RpcServer>> server = RpcServer::Start(
        {"127.0.0.1:0", nullptr, {{v1::Echo::service_full_name(), service_.get()}}});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::Echo::NewStub(*OpenChannel(server_->address(), TlsFiles()));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::Seconds(5));
  }

  grpc::Status Say(const std::string& text) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    context.AddMetadata("authorization", "Bearer op-token-0001");
    v1::EchoRequest request;
    request.set_text(text);
    v1::EchoReply reply;
    return stub_->Say(&context, request, &reply);
  }

  // The sample count of each stage of lianxin_command_stage_seconds.
  std::map<std::string, uint64_t> StageCounts() {
    std::map<std::string, uint64_t> counts;
    for (const prometheus::MetricFamily& family : metrics_.registry()->Collect()) {
      if (family.name != "lianxin_command_stage_seconds") continue;
      for (const prometheus::ClientMetric& metric : family.metric) {
        for (const prometheus::ClientMetric::Label& label : metric.label) {
          if (label.name == "stage") counts[label.value] = metric.histogram.sample_count;
        }
      }
    }
    return counts;
  }

  testing::TempDir dir_;
  Authenticator authenticator_ = *Authenticator::FromText(DigestTokenFile(kTokens), "test tokens");
  Metrics metrics_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<CommandEcho> service_;
  std::unique_ptr<RpcServer> server_;
  std::unique_ptr<v1::Echo::Stub> stub_;
};

TEST_F(CommandStagesTest, ACommittedCommandMovesEveryStageByOne) {
  const std::map<std::string, uint64_t> zero = {{"queued", 0}, {"load", 0},
                                                {"decide", 0}, {"group_commit_wait", 0},
                                                {"commit", 0}, {"reply", 0}};
  EXPECT_EQ(StageCounts(), zero);  // every stage is exported before any command
  ASSERT_TRUE(Say("member-1").ok());
  std::map<std::string, uint64_t> one = zero;
  for (auto& [stage, count] : one) count = 1;
  EXPECT_EQ(StageCounts(), one);
  ASSERT_TRUE(Say("member-1").ok());
  std::map<std::string, uint64_t> two = zero;
  for (auto& [stage, count] : two) count = 2;
  EXPECT_EQ(StageCounts(), two);
  EXPECT_EQ(store_->LastSequence(), 2u);
}

TEST_F(CommandStagesTest, ARefusedDecisionMovesNoCommitStage) {
  ASSERT_EQ(Say("refuse").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const std::map<std::string, uint64_t> expected = {{"queued", 1}, {"load", 1},
                                                    {"decide", 0}, {"group_commit_wait", 0},
                                                    {"commit", 0}, {"reply", 0}};
  EXPECT_EQ(StageCounts(), expected);
  EXPECT_EQ(store_->LastSequence(), 0u);
}

}  // namespace
}  // namespace lianxin
