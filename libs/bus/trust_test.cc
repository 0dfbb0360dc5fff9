#include "libs/bus/trust.h"

#include <fstream>

#include "gtest/gtest.h"
#include "libs/testing/testing.h"
#include "libs/trust/event_signing.h"

namespace lianxin {
namespace {

using ::lianxin::testing::TempDir;

Event EventOf(const std::string& jurisdiction, const std::string& service) {
  Event event;
  event.mutable_source()->set_jurisdiction(jurisdiction);
  event.mutable_source()->set_service(service);
  event.set_aggregate_id("m-1");
  event.set_version(3);
  return event;
}

Event Routed(const std::string& from, std::vector<std::pair<std::string, uint64_t>> routes,
             uint64_t route_version) {
  Event event = EventOf(from, "registry");
  for (const auto& [county, number] : routes) {
    event.add_routed_to(county);
    event.add_routed_versions(number);
  }
  event.set_route_version(route_version);
  return event;
}

TEST(CountyGateTopic, SourceMustMatchTheTopic) {
  Event identity = EventOf("654323", "registry");
  identity.add_also_to()->set_topic("lx.identity.v1");
  Event contact_claim = EventOf("654323", "contact");
  contact_claim.add_also_to()->set_topic("lx.identity.v1");
  struct Case {
    const char* name;
    Event event;
    std::string topic;
    bool accepted;
  } cases[] = {
      {"own registry on its topic", EventOf("654322", "registry"), "lx.654322.registry.v1", true},
      {"contact posing on the registry topic", EventOf("654322", "contact"),
       "lx.654322.registry.v1", false},
      {"neighbour on our registry topic", EventOf("654323", "registry"), "lx.654322.registry.v1",
       false},
      {"routed to us under its signed number", Routed("654323", {{"654322", 4}}, 4),
       "lx.654322.inbox.v1", true},
      {"second destination's number", Routed("654323", {{"654324", 9}, {"654322", 4}}, 4),
       "lx.654322.inbox.v1", true},
      {"replayed under a bumped route_version", Routed("654323", {{"654322", 4}}, 5),
       "lx.654322.inbox.v1", false},
      {"routed elsewhere, replayed into our inbox", Routed("654323", {{"654324", 4}}, 4),
       "lx.654322.inbox.v1", false},
      {"own event in own inbox", Routed("654322", {{"654322", 1}}, 1), "lx.654322.inbox.v1", false},
      {"another county's inbox", Routed("654323", {{"654324", 1}}, 1), "lx.654324.inbox.v1", false},
      {"routed without a signed number", Routed("654323", {}, 1), "lx.654322.inbox.v1", false},
      {"identity claim of a registry", identity, "lx.identity.v1", true},
      {"identity claim of a contact service", contact_claim, "lx.identity.v1", false},
      {"event not addressed to identity", EventOf("654323", "registry"), "lx.identity.v1", false},
      {"unknown topic", EventOf("654322", "registry"), "lx.654322.registry", false},
  };
  for (const Case& c : cases) {
    std::optional<Refused> refused = CountyGate::CheckTopic(c.event, c.topic, "654322");
    EXPECT_EQ(!refused.has_value(), c.accepted) << c.name;
    if (refused.has_value()) {
      EXPECT_EQ(refused->reason, Refusal::kWrongTopic) << c.name;
    }
  }
}

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

TEST(CountyGate, RefusesWithTheRightReason) {
  TempDir dir;
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  trust::PrivateKey root = *trust::PrivateKey::Generate();
  trust::PrivateKey fuyun = *trust::PrivateKey::Generate();
  trust::PrivateKey revoked = *trust::PrivateKey::Generate();
  trust::PrivateKey rogue = *trust::PrivateKey::Generate();
  trust::KeyDirectory directory;
  for (const trust::PrivateKey* key : {&fuyun, &revoked}) {
    trust::CountyKey* entry = directory.add_keys();
    entry->set_key_id(key->key_id());
    entry->set_jurisdiction("654322");
    entry->set_public_key(key->public_key().raw());
    *entry->mutable_valid_from() = At(t0);
    if (key == &revoked) *entry->mutable_revoked_from() = At(t0 + absl::Hours(1));
  }
  std::ofstream(dir.Sub("directory.bin"), std::ios::binary)
      << trust::SignDirectory(directory, root)->SerializeAsString();
  absl::StatusOr<std::unique_ptr<trust::InstalledDirectory>> installed =
      trust::InstalledDirectory::Open(dir.Sub("directory.bin"), root.public_key());
  ASSERT_TRUE(installed.ok()) << installed.status();
  CountyGate gate("654323", installed->get());

  auto signed_by = [&](const trust::PrivateKey& key, absl::Time at) {
    Event event = Routed("654322", {{"654323", 1}}, 1);
    *event.mutable_recorded_at() = At(at);
    trust::CountySigner(key).Sign(event).IgnoreError();
    return event;
  };
  const std::string inbox = "lx.654323.inbox.v1";
  EXPECT_FALSE(gate.Check(signed_by(fuyun, t0 + absl::Hours(2)), inbox).has_value());
  EXPECT_FALSE(gate.Check(signed_by(revoked, t0 + absl::Minutes(59)), inbox).has_value());
  EXPECT_EQ(gate.Check(signed_by(revoked, t0 + absl::Hours(2)), inbox)->reason,
            Refusal::kRevokedKey);
  EXPECT_EQ(gate.Check(signed_by(rogue, t0 + absl::Hours(2)), inbox)->reason, Refusal::kUnknownKey);
  Event unsigned_event = Routed("654322", {{"654323", 1}}, 1);
  EXPECT_EQ(gate.Check(unsigned_event, inbox)->reason, Refusal::kBadSignature);
  Event tampered = signed_by(fuyun, t0 + absl::Hours(2));
  tampered.set_aggregate_id("m-2");
  EXPECT_EQ(gate.Check(tampered, inbox)->reason, Refusal::kBadSignature);
  EXPECT_EQ(RefusalName(Refusal::kBadSignature), "bad_signature");
}

}  // namespace
}  // namespace lianxin
