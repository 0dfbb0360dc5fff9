// The consumer against a real lianxin-broker process: duplicates are applied
// once, gaps are parked until filled, garbage and bad hashes are quarantined,
// handler refusals move the stream on, inboxes are ordered by route_version,
// streams are applied concurrently yet each in order, no offset is stored
// past a message whose effect is not committed, and offsets committed for
// another cluster are never taken.
#include "tests/bus_fixture.h"

namespace lianxin {
namespace bus_test {
namespace {

TEST_F(BusTest, Consumer_AppliesADuplicateMessageOnce) {
  std::vector<Event> events = Append("m-1", 2);
  RecordingHandler& handler = *NewHandler(reader_.get());
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  Delivery delivery;
  delivery.set_topic(kRegistryTopic);
  for (int i : {0, 0, 1, 0, 1}) {
    ASSERT_TRUE(ProduceRaw(broker_->bootstrap(), kRegistryTopic, "m-1",
                           EncodeDeliveryValue(events[i], delivery))
                    .ok());
  }
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().messages == 5; }));
  EXPECT_EQ(Applied(*reader_, "m-1"), "1,2");
  EXPECT_EQ(consumer.stats().applied, 2u);
  EXPECT_EQ(consumer.stats().duplicates, 3u);
}

TEST_F(BusTest, Consumer_ParksAGapUntilItFillsThenAppliesInOrder) {
  std::vector<Event> events = Append("m-1", 4);
  RecordingHandler& handler = *NewHandler(reader_.get());
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  Delivery delivery;
  delivery.set_topic(kRegistryTopic);
  auto produce = [&](int version) {
    ASSERT_TRUE(ProduceRaw(broker_->bootstrap(), kRegistryTopic, "m-1",
                           EncodeDeliveryValue(events[version - 1], delivery))
                    .ok());
  };
  produce(1);
  produce(4);
  produce(3);
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().parked == 2; }));
  EXPECT_EQ(Applied(*reader_, "m-1"), "1");
  const std::string stream = "ver/654322/registry/m-1";
  EXPECT_TRUE(reader_->Get(Family::kParked, stream + BigEndian64(3)).ok());
  EXPECT_TRUE(reader_->Get(Family::kParked, stream + BigEndian64(4)).ok());

  produce(2);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,2,3,4"; }))
      << Applied(*reader_, "m-1");
  EXPECT_TRUE(absl::IsNotFound(reader_->Get(Family::kParked, stream + BigEndian64(3)).status()));
  EXPECT_TRUE(absl::IsNotFound(reader_->Get(Family::kParked, stream + BigEndian64(4)).status()));
  EXPECT_EQ(consumer.stats().applied, 4u);
}

TEST_F(BusTest, Consumer_QuarantinesGarbageAndBadHashAndKeepsGoing) {
  std::vector<Event> events = Append("m-1", 2);
  RecordingHandler& handler = *NewHandler(reader_.get());
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  std::mt19937 random(42);
  std::string garbage(300, '\0');
  for (char& c : garbage) c = static_cast<char>(random());
  Event tampered = events[0];
  tampered.set_actor("op-evil");  // content changed, hash kept
  Delivery delivery;
  delivery.set_topic(kRegistryTopic);
  const std::string bootstrap = broker_->bootstrap();
  ASSERT_TRUE(ProduceRaw(bootstrap, kRegistryTopic, "m-1", garbage).ok());
  ASSERT_TRUE(ProduceRaw(bootstrap, kRegistryTopic, "m-1", "").ok());
  ASSERT_TRUE(
      ProduceRaw(bootstrap, kRegistryTopic, "m-1", EncodeDeliveryValue(tampered, delivery)).ok());
  ASSERT_TRUE(
      ProduceRaw(bootstrap, kRegistryTopic, "m-1", EncodeDeliveryValue(events[0], delivery)).ok());
  ASSERT_TRUE(
      ProduceRaw(bootstrap, kRegistryTopic, "m-1", EncodeDeliveryValue(events[1], delivery)).ok());

  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,2"; }))
      << Applied(*reader_, "m-1");
  EXPECT_EQ(consumer.stats().quarantined, 3u);
  EXPECT_EQ(MetricValue(metrics_, "lianxin_quarantined_total", kRegistryTopic), 3.0);
  std::vector<std::string> reasons;
  ASSERT_TRUE(reader_
                  ->ScanPrefix(Family::kQuarantine, absl::StrCat(kRegistryTopic, "/"),
                               [&](const std::string&, const std::string& value) {
                                 QuarantineRow row;
                                 EXPECT_TRUE(row.ParseFromString(value));
                                 EXPECT_EQ(row.topic(), kRegistryTopic);
                                 reasons.push_back(row.reason());
                                 return true;
                               })
                  .ok());
  ASSERT_EQ(reasons.size(), 3u);
  EXPECT_EQ(std::count_if(reasons.begin(), reasons.end(),
                          [](const std::string& r) { return absl::StrContains(r, "undecodable"); }),
            2);
  EXPECT_EQ(std::count_if(reasons.begin(), reasons.end(),
                          [](const std::string& r) { return absl::StrContains(r, "hash"); }),
            1);
}

TEST_F(BusTest, Consumer_HandlerRefusalQuarantinesAndAdvances_TransientErrorRetries) {
  RecordingHandler& handler = *NewHandler(reader_.get(), /*flaky_failures=*/2);
  StartRelay();
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  Append(*origin_, "m-1", {"Noted", "Refused", "Flaky", "Noted"});
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,3,4"; }))
      << Applied(*reader_, "m-1");
  EXPECT_EQ(consumer.stats().quarantined, 1u);
  EXPECT_GE(consumer.stats().retries, 2u);
  EXPECT_EQ(consumer.stats().applied, 3u);
  absl::StatusOr<std::string> marker = reader_->Get(Family::kApplied, "ver/654322/registry/m-1");
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(ParseBigEndian64(*marker), 4u);
}

TEST_F(BusTest, InboxConsumer_OrdersByRouteVersionNotVersion) {
  // v1 and v3 are routed to the destination (route_versions 1 and 2); v2 is not.
  Append(*origin_, "m-1", {"OutflowRegistered", "Noted", "ArrivalRecorded"},
         {{kDestination}, {}, {kDestination}});
  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> rows = origin_->ReadOutbox(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 3u);
  std::vector<std::string> copies;  // inbox copies in route_version order
  for (const auto& [sequence, row] : *rows) {
    for (const Delivery& d : row.deliveries()) {
      if (d.topic() == InboxTopic(kDestination)) {
        EXPECT_EQ(d.route_version(), copies.size() + 1);
        copies.push_back(EncodeDeliveryValue(row.event(), d));
      }
    }
  }
  ASSERT_EQ(copies.size(), 2u);

  EventStore* destination = NewStore("destination", kDestination, "registry");
  Consumer& consumer =
      StartConsumer(destination, NewHandler(destination), {InboxTopic(kDestination)});
  const std::string bootstrap = broker_->bootstrap();
  // Route 2 (version 3) first: parked for route 1, not for version 2.
  ASSERT_TRUE(ProduceRaw(bootstrap, InboxTopic(kDestination), "m-1", copies[1]).ok());
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().parked == 1; }));
  ASSERT_TRUE(ProduceRaw(bootstrap, InboxTopic(kDestination), "m-1", copies[0]).ok());
  ASSERT_TRUE(WaitFor([&] { return Applied(*destination, "m-1") == "1,3"; }))
      << Applied(*destination, "m-1");
  absl::StatusOr<std::string> marker =
      destination->Get(Family::kApplied, "route/654322/registry/m-1");
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(ParseBigEndian64(*marker), 2u);

  // The relay's own copies are now duplicates.
  StartRelay();
  ASSERT_TRUE(WaitFor([&] { return OutboxDepth(*origin_) == 0; }));
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().duplicates == 2; }));
  EXPECT_EQ(Applied(*destination, "m-1"), "1,3");
}

TEST_F(BusTest, Consumer_AppliesStreamsConcurrentlyEachInOrder) {
  // Four Gate events pass only once all four are being applied at once.
  RecordingHandler& handler = *NewHandler(reader_.get(), 0, /*gate_width=*/4);
  StartRelay();
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  for (int g = 0; g < 4; ++g) Append(*origin_, absl::StrCat("g-", g), {"Gate"});
  for (int g = 0; g < 4; ++g) {
    ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, absl::StrCat("g-", g)) == "1"; }));
  }
  // Then many streams, their events interleaved: each keeps its order.
  constexpr int kStreams = 20, kVersions = 5;
  for (int v = 0; v < kVersions; ++v) {
    for (int m = 0; m < kStreams; ++m) Append(absl::StrCat("m-", m), 1);
  }
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().applied == 4 + kStreams * kVersions; }))
      << consumer.stats().applied;
  for (int m = 0; m < kStreams; ++m) {
    EXPECT_EQ(Applied(*reader_, absl::StrCat("m-", m)), "1,2,3,4,5") << "m-" << m;
  }
  EXPECT_EQ(consumer.stats().duplicates, 0u);
  EXPECT_EQ(consumer.stats().parked, 0u);
}

TEST_F(BusTest, Consumer_EffectsOnOneAggregateFromManyStreamsAllCommit) {
  // Every event appends to the reader's one "counter" aggregate at the version
  // it read: concurrent streams race on it, and a lost race is applied again.
  RecordingHandler& handler = *NewHandler(reader_.get());
  StartRelay();
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  constexpr int kStreams = 40;
  for (int c = 0; c < kStreams; ++c) Append(*origin_, absl::StrCat("c-", c), {"Count"});
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().applied == kStreams; }))
      << consumer.stats().applied;
  absl::StatusOr<Aggregate> counter = reader_->ReadAggregate("counter");
  ASSERT_TRUE(counter.ok()) << counter.status();
  EXPECT_EQ(counter->version, static_cast<uint64_t>(kStreams));
  for (int c = 0; c < kStreams; ++c) EXPECT_EQ(Applied(*reader_, absl::StrCat("c-", c)), "1");
  EXPECT_EQ(consumer.stats().quarantined, 0u);
}

TEST_F(BusTest, Consumer_StoresNoOffsetPastAnUnfinishedMessage) {
  std::vector<Event> held = Append(*origin_, "h-1", {"Held"});
  std::vector<Event> noted = Append("m-1", 1);
  Delivery delivery;
  delivery.set_topic(kRegistryTopic);
  // One partition: the held message first, a message of another stream after.
  const std::string bootstrap = broker_->bootstrap();
  ASSERT_TRUE(ProduceRaw(bootstrap, kRegistryTopic, "h-1", EncodeDeliveryValue(held[0], delivery),
                         /*partition=*/0)
                  .ok());
  ASSERT_TRUE(ProduceRaw(bootstrap, kRegistryTopic, "m-1", EncodeDeliveryValue(noted[0], delivery),
                         /*partition=*/0)
                  .ok());
  RecordingHandler& first_handler = *NewHandler(reader_.get());  // holds "Held"
  Consumer& first = StartConsumer(reader_.get(), &first_handler);
  // The later message is applied while the earlier one keeps failing.
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1"; }));
  ASSERT_TRUE(WaitFor([&] { return first.stats().retries >= 2; }));
  EXPECT_EQ(Applied(*reader_, "h-1"), "");
  ASSERT_TRUE(first.Stop().ok());

  // The group's offset was not moved past the held message: the next member
  // reads both again, applies the held one and skips the other as a duplicate.
  RecordingHandler& second_handler = *NewHandler(reader_.get());
  second_handler.set_held(false);
  Consumer& second = StartConsumer(reader_.get(), &second_handler);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "h-1") == "1"; }));
  ASSERT_TRUE(WaitFor([&] { return second.stats().duplicates == 1; }));
  EXPECT_EQ(second.stats().applied, 1u);
  EXPECT_EQ(Applied(*reader_, "m-1"), "1");
}

TEST_F(BusTest, Consumer_ResumesFromItsCommittedOffsets_OnTheSameCluster) {
  RecordingHandler& handler = *NewHandler(reader_.get());
  StartRelay();
  Consumer& first = StartConsumer(reader_.get(), &handler);
  Append("m-1", 3);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,2,3"; }));
  ASSERT_TRUE(first.Stop().ok());

  Append("m-1", 1);
  Consumer& second = StartConsumer(reader_.get(), &handler);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,2,3,4"; }));
  // Only the new message was read: the offsets committed on this cluster held.
  EXPECT_EQ(second.stats().messages, 1u);
  EXPECT_EQ(second.stats().duplicates, 0u);
}

// docs/faults.md: after a broker restarted empty, offsets of the old cluster
// were committed to the new one (librdkafka's commit at the revocation). Once
// the refill passed them, a consumer whose store had already met the new
// cluster (its first assignment there found the partitions empty) took them
// back at the next rebalance and never read what lay before them.
TEST_F(BusTest, Consumer_IgnoresOffsetsNotCommittedForThisCluster_AfterBrokerRestartedEmpty) {
  RecordingHandler& handler = *NewHandler(reader_.get());
  StartRelay();
  Consumer& before = StartConsumer(reader_.get(), &handler);
  Append("m-1", 3);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,2,3"; }));
  ASSERT_TRUE(before.Stop().ok());
  ASSERT_TRUE(relay_->Stop().ok());
  const std::string cluster_key = "consumer/" + group_ + "/cluster_id";
  absl::StatusOr<std::string> old_cluster = reader_->Get(Family::kApplied, cluster_key);
  ASSERT_TRUE(old_cluster.ok()) << old_cluster.status();

  RestartBroker();
  // A first assignment on the new cluster, before any refill.
  Consumer& first = StartConsumer(reader_.get(), &handler);
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<std::string> cluster = reader_->Get(Family::kApplied, cluster_key);
    return cluster.ok() && *cluster != *old_cluster;
  }));
  ASSERT_TRUE(first.Stop().ok());

  // The refill, and two events the reader has not seen.
  OutboxRelay& relay = StartRelay();
  Append("m-2", 2);
  ASSERT_TRUE(WaitFor([&] { return relay.stats().republished == 1 && OutboxDepth(*origin_) == 0; },
                      absl::Seconds(30)));
  absl::StatusOr<int64_t> stale = CommitEndOffsets(broker_->bootstrap(), group_, kRegistryTopic);
  ASSERT_TRUE(stale.ok()) << stale.status();
  // The republished log (five events) and the outbox's two rows.
  ASSERT_GE(*stale, 5);

  Consumer& next = StartConsumer(reader_.get(), &handler);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-2") == "1,2"; }, absl::Seconds(30)))
      << Applied(*reader_, "m-2");
  ASSERT_TRUE(WaitFor([&] { return next.stats().messages == static_cast<uint64_t>(*stale); }));
  EXPECT_EQ(next.stats().applied, 2u);
  EXPECT_EQ(Applied(*reader_, "m-1"), "1,2,3");
}

TEST_F(BusTest, Consumer_StopsPromptlyWhileTheBrokerIsGone) {
  Append("m-1", 1);
  RecordingHandler& handler = *NewHandler(reader_.get());
  StartRelay();
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1"; }));
  ASSERT_EQ(broker_->Stop(), 0);
  const absl::Time start = absl::Now();
  EXPECT_TRUE(consumer.Stop().ok());
  EXPECT_TRUE(relay_->Stop().ok());
  // Bounded by the consumer's session timeout (10 s), not Kafka's default 45 s.
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
}

}  // namespace
}  // namespace bus_test
}  // namespace lianxin
