// lxctl reconcile (R19) against live registries: 0 disagreements when the
// counties agree, and an injected disagreement is reported with the field.
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/eventstore/event_store.h"
#include "services/registry/domain/decider.h"
#include "services/registry/projection.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

class RegistryReconcileTest : public RegistryClusterTest {
 protected:
  std::vector<std::string> Counties() const override { return {kFuyun, kTianshan}; }

  // The endpoints file of api-contract.md for this cluster.
  std::string WriteEndpoints() {
    const std::string path = cluster().dir().Sub("endpoints.json");
    std::ofstream out(path);
    out << "{\"kafka\": \"" << cluster().bootstrap() << "\", " << cluster().EndpointsTlsJson()
        << "\"counties\": {";
    const char* sep = "";
    for (const char* county : {kFuyun, kTianshan}) {
      out << sep << "\"" << county << "\": {\"name\": \"县" << county << "\", \"token\": \""
          << OperatorToken(county) << "\", \"registry\": \"" << cluster().address(county)
          << "\", \"data_dir\": \"" << cluster().dir().Sub(county) << "\"}";
      sep = ", ";
    }
    out << "}}\n";
    return path;
  }

  // Runs lxctl reconcile; returns its exit code and leaves its output in `out`.
  int Reconcile(const std::string& endpoints, std::string* out) {
    const std::string path = cluster().dir().Sub("reconcile.out");
    absl::StatusOr<int> rc = RunProcess({BinDir() + "/lxctl", "--endpoints", endpoints, "reconcile",
                                         "--origin", kFuyun, "--destination", kTianshan},
                                        path);
    *out = ReadFile(path) + ReadFile(path + ".err");
    return rc.ok() ? *rc : -1;
  }
};

TEST_F(RegistryReconcileTest, AgreeingCountiesShowNone_AnInjectedDisagreementIsReported) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().RegisterAway(kFuyun, kTianshan));
  LX_ASSERT_OK(cluster().RecordArrival(kTianshan, Arrival(id, kTianshan, "解放北路社区党支部")));
  ASSERT_TRUE(cluster().WaitForStatus(kFuyun, id, v1::MEMBER_STATUS_OUTFLOW_RECEIVED));
  const std::string endpoints = WriteEndpoints();
  std::string out;
  EXPECT_EQ(Reconcile(endpoints, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "0 disagreements")) << out;

  // Tianshan's record is changed behind the registry's back (an edit that
  // never reached Fuyun): its store gets an arrival with another branch.
  ASSERT_EQ(cluster().StopRegistry(kTianshan), 0);
  {
    EventStoreOptions options;
    options.path = cluster().dir().Sub(kTianshan) + "/registry";
    options.source.set_jurisdiction(kTianshan);
    options.source.set_service("registry");
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    registry::RegistryProjection projection(store->get(), kTianshan, registry::Settings());
    absl::StatusOr<std::optional<registry::LoadedMember>> member = projection.Load(id);
    ASSERT_TRUE(member.ok() && member->has_value());
    v1::Event edit;
    edit.set_type("ArrivalRecorded");
    *edit.mutable_arrival_recorded() = (*member)->facts.arrival();
    edit.mutable_arrival_recorded()->set_branch("篡改的支部");
    v1::Event stamped = edit;
    stamped.set_aggregate_id(id);
    v1::MemberFacts after = registry::Evolve((*member)->facts, stamped);
    Transaction txn;
    projection.Stage(txn, id, (*member)->version, (*member)->facts, {edit}, after);
    ASSERT_TRUE((*store)->Commit(std::move(txn)).ok());
  }
  LX_ASSERT_OK(cluster().StartRegistry(kTianshan));
  const std::string restarted = WriteEndpoints();  // the new address

  EXPECT_EQ(Reconcile(restarted, &out), 1) << out;
  EXPECT_TRUE(absl::StrContains(out, "destination_branch")) << out;
  EXPECT_TRUE(absl::StrContains(out, "解放北路社区党支部")) << out;
  EXPECT_TRUE(absl::StrContains(out, "篡改的支部")) << out;
  EXPECT_TRUE(absl::StrContains(out, "1 disagreements")) << out;
}

}  // namespace
}  // namespace lianxin::registry_test
