// The trust gate in front of a real consumer: events forged on an inbox (no
// key, a revoked key, another county's key, a genuine event replayed under a
// bumped route_version) are quarantined with their reasons and counted, move
// no marker, and the genuine events behind them are all applied in order.
#include <algorithm>
#include <fstream>
#include <iterator>

#include "libs/bus/trust.h"
#include "libs/trust/event_signing.h"
#include "tests/bus_fixture.h"

namespace lianxin::bus_test {
namespace {

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

class BusTrustTest : public BusTest {
 protected:
  void SetUp() override {
    BusTest::SetUp();
    root_ = *trust::PrivateKey::Generate();
    origin_key_ = *trust::PrivateKey::Generate();
    revoked_key_ = *trust::PrivateKey::Generate();
    neighbour_key_ = *trust::PrivateKey::Generate();
    rogue_key_ = *trust::PrivateKey::Generate();
    trust::KeyDirectory directory;
    auto add = [&](const trust::PrivateKey& key, const std::string& county) {
      trust::CountyKey* entry = directory.add_keys();
      entry->set_key_id(key.key_id());
      entry->set_jurisdiction(county);
      entry->set_public_key(key.public_key().raw());
      return entry;
    };
    add(origin_key_, kOrigin);
    *add(revoked_key_, kOrigin)->mutable_revoked_from() = At(absl::Now() - absl::Hours(1));
    add(neighbour_key_, "440305");
    std::ofstream(dir_.Sub("directory.bin"), std::ios::binary)
        << trust::SignDirectory(directory, root_)->SerializeAsString();
    directory_ = *trust::InstalledDirectory::Open(dir_.Sub("directory.bin"), root_.public_key());
    gate_ = std::make_unique<CountyGate>(kDestination, directory_.get());

    signer_ = std::make_unique<trust::CountySigner>(origin_key_);
    EventStoreOptions options;
    options.path = dir_.Sub("signed-origin");
    options.source.set_jurisdiction(kOrigin);
    options.source.set_service("registry");
    options.signer = signer_.get();
    origin_ = *EventStore::Open(options);
  }

  Consumer& StartGatedConsumer(EventStore* store, EventHandler* handler) {
    ConsumerOptions options;
    options.kafka = Kafka();
    options.group_id = group_;
    options.topics = {InboxTopic(kDestination)};
    options.store = store;
    options.handler = handler;
    options.gate = gate_.get();
    options.metrics = &metrics_;
    options.max_backoff = absl::Milliseconds(200);
    absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Start(std::move(options));
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    consumers_.push_back(std::move(*consumer));
    return *consumers_.back();
  }

  // An inbox copy of a forged event about m-1 with `route_version`, signed by `key` (if any).
  std::string Forged(const trust::PrivateKey* key, uint64_t route_version,
                     const std::string& source = kOrigin,
                     const std::string& routed_to = kDestination) {
    Event event;
    event.mutable_source()->set_jurisdiction(source);
    event.mutable_source()->set_service("registry");
    event.set_aggregate_id("m-1");
    event.set_version(route_version);
    event.set_sequence(route_version);
    event.set_type("TransferAccepted");
    event.add_routed_to(routed_to);
    event.add_routed_versions(route_version);
    *event.mutable_recorded_at() = At(absl::Now());
    if (key != nullptr) trust::CountySigner(*key).Sign(event).IgnoreError();
    event.set_hash(ComputeEventHash(event));
    event.set_route_version(route_version);
    return event.SerializeAsString();
  }

  std::optional<double> Refused(const std::string& reason) {
    std::optional<double> sum;
    for (const prometheus::MetricFamily& family : metrics_.registry()->Collect()) {
      if (family.name != "lianxin_refused_total") continue;
      for (const prometheus::ClientMetric& m : family.metric) {
        for (const prometheus::ClientMetric::Label& l : m.label) {
          if (l.name == "reason" && l.value == reason) sum = sum.value_or(0) + m.counter.value;
        }
      }
    }
    return sum;
  }

  trust::PrivateKey root_, origin_key_, revoked_key_, neighbour_key_, rogue_key_;
  std::unique_ptr<trust::InstalledDirectory> directory_;
  std::unique_ptr<CountyGate> gate_;
  std::unique_ptr<trust::CountySigner> signer_;
};

TEST_F(BusTrustTest, ForgedInboxEventsAreQuarantinedAndGenuineOnesAllApplied) {
  // Two genuine events of the origin routed to the destination (route 1, 2).
  std::vector<Event> genuine = Append(*origin_, "m-1", {"OutflowRegistered", "ArrivalRecorded"},
                                      {{kDestination}, {kDestination}});
  ASSERT_EQ(genuine.size(), 2u);
  ASSERT_EQ(genuine[0].routed_versions(0), 1u);
  // The first genuine event, replayed under route_version 2 (the slot the
  // second genuine event needs).
  Event replay = genuine[0];
  replay.set_route_version(2);

  EventStore* destination = NewStore("destination", kDestination, "registry");
  Consumer& consumer = StartGatedConsumer(destination, NewHandler(destination));
  const std::string bootstrap = broker_->bootstrap();
  const std::string inbox = InboxTopic(kDestination);
  struct Forgery {
    std::string value;
    const char* reason;
  } forgeries[] = {
      {Forged(nullptr, 1), "bad_signature"},
      {Forged(&rogue_key_, 1), "unknown_key"},
      {Forged(&revoked_key_, 1), "revoked_key"},
      {Forged(&neighbour_key_, 1), "unknown_key"},  // another county's key, our code
      // The neighbour's genuinely signed event, routed to another county.
      {Forged(&neighbour_key_, 1, "440305", "654324"), "wrong_topic"},
      {replay.SerializeAsString(), "wrong_topic"},
  };
  for (const Forgery& f : forgeries) {
    ASSERT_TRUE(ProduceRaw(bootstrap, inbox, "m-1", f.value).ok());
  }
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().quarantined == std::size(forgeries); }))
      << consumer.stats().quarantined;
  EXPECT_EQ(Applied(*destination, "m-1"), "");
  EXPECT_TRUE(
      absl::IsNotFound(destination->Get(Family::kApplied, "route/654322/registry/m-1").status()));
  EXPECT_EQ(consumer.stats().parked, 0u);

  StartRelay();
  ASSERT_TRUE(WaitFor([&] { return Applied(*destination, "m-1") == "1,2"; }))
      << Applied(*destination, "m-1");
  EXPECT_EQ(Refused("bad_signature").value_or(0), 1);
  EXPECT_EQ(Refused("unknown_key").value_or(0), 2);
  EXPECT_EQ(Refused("revoked_key").value_or(0), 1);
  EXPECT_EQ(Refused("wrong_topic").value_or(0), 2);
  // Each forgery is quarantined with its own reason.
  std::vector<std::string> expected, quarantined;
  for (const Forgery& f : forgeries) expected.push_back(absl::StrCat("refused (", f.reason, ")"));
  ASSERT_TRUE(destination
                  ->ScanPrefix(Family::kQuarantine, inbox,
                               [&](const std::string&, const std::string& value) {
                                 QuarantineRow row;
                                 EXPECT_TRUE(row.ParseFromString(value));
                                 quarantined.push_back(
                                     row.reason().substr(0, row.reason().find(')') + 1));
                                 return true;
                               })
                  .ok());
  std::sort(expected.begin(), expected.end());
  std::sort(quarantined.begin(), quarantined.end());
  EXPECT_EQ(quarantined, expected);
}

}  // namespace
}  // namespace lianxin::bus_test
