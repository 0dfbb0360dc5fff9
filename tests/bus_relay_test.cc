// The outbox relay end to end against a real lianxin-broker process: committed
// events reach a consumer's store; brokers that go down, or come back empty,
// delay events but lose none; kcat reads the topics as an outside client.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "tests/bus_fixture.h"

namespace lianxin {
namespace bus_test {
namespace {

TEST_F(BusTest, RelayToConsumer_AppliesEveryEventInOrderAndDrainsOutbox) {
  RecordingHandler& handler = *NewHandler(reader_.get());
  OutboxRelay& relay = StartRelay();
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  Append("m-1", 3);
  Append("m-2", 2);
  Append("m-1", 2);

  ASSERT_TRUE(WaitFor([&] {
    return Applied(*reader_, "m-1") == "1,2,3,4,5" && Applied(*reader_, "m-2") == "1,2";
  })) << Applied(*reader_, "m-1")
      << " / " << Applied(*reader_, "m-2");
  EXPECT_TRUE(WaitFor([&] { return OutboxDepth(*origin_) == 0; }));
  EXPECT_EQ(relay.stats().rows_delivered, 7u);
  EXPECT_EQ(consumer.stats().applied, 7u);
  EXPECT_EQ(consumer.stats().quarantined, 0u);
  absl::StatusOr<std::string> marker = reader_->Get(Family::kApplied, "ver/654322/registry/m-1");
  ASSERT_TRUE(marker.ok());
  EXPECT_EQ(ParseBigEndian64(*marker), 5u);
  // Consumer lag and outbox depth reach the metrics.
  EXPECT_TRUE(WaitFor([&] {
    return MetricValue(metrics_, "lianxin_consumer_lag_messages", kRegistryTopic) == 0.0 &&
           MetricValue(metrics_, "lianxin_outbox_depth") == 0.0;
  }));
}

// Runs with the relay's usual poll interval, and with one so short that the
// failed deliveries' reports always arrive when a periodic read is due: the
// relay must still retry them after its backoff (it once spun there forever).
class RelayOutageTest : public BusTest, public ::testing::WithParamInterface<int> {};

INSTANTIATE_TEST_SUITE_P(PollIntervalMs, RelayOutageTest, ::testing::Values(200, 1));

TEST_P(RelayOutageTest, Relay_BrokersDown_KeepsRowsAndDeliversAllWhenTheyReturn) {
  RecordingHandler& handler = *NewHandler(reader_.get());
  OutboxRelay& relay = StartRelay({{"message.timeout.ms", "1000"}}, absl::Milliseconds(GetParam()));
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  Append("m-1", 2);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,2"; }));

  broker_->Signal(SIGUSR1);
  Append("m-1", 6);
  Append("m-2", 2);
  ASSERT_TRUE(WaitFor([&] { return relay.stats().delivery_failures > 0; }));
  EXPECT_GT(OutboxDepth(*origin_), 0u);  // failed rows were kept

  broker_->Signal(SIGUSR2);
  ASSERT_TRUE(WaitFor([&] {
    return Applied(*reader_, "m-1") == "1,2,3,4,5,6,7,8" && Applied(*reader_, "m-2") == "1,2";
  })) << Applied(*reader_, "m-1")
      << " / " << Applied(*reader_, "m-2") << "; outbox depth " << OutboxDepth(*origin_)
      << ", relay delivered " << relay.stats().rows_delivered << " failed "
      << relay.stats().delivery_failures << " restarts " << relay.stats().producer_restarts
      << "; consumer messages " << consumer.stats().messages << " applied "
      << consumer.stats().applied << " retries " << consumer.stats().retries;
  EXPECT_TRUE(WaitFor([&] { return OutboxDepth(*origin_) == 0; }));
}

TEST_F(BusTest, Relay_BrokerProcessRestartedOnSamePorts_DeliversTheOutbox) {
  RecordingHandler& handler = *NewHandler(reader_.get());
  OutboxRelay& relay = StartRelay({{"message.timeout.ms", "1000"}});
  {
    Consumer& consumer = StartConsumer(reader_.get(), &handler);
    Append("m-1", 2);
    ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,2"; }));
    // A consumer must not outlive a broker that loses its data: its position
    // would point past the refilled partitions (see consumer.h).
    consumer.Stop().IgnoreError();
  }
  ASSERT_EQ(broker_->Stop(), 0);
  Append("m-1", 3);
  ASSERT_TRUE(WaitFor([&] { return relay.stats().delivery_failures > 0; }));
  EXPECT_EQ(OutboxDepth(*origin_), 3u);

  const std::string ports = broker_->ports();
  absl::StatusOr<std::unique_ptr<BrokerProcess>> broker =
      BrokerProcess::Start({"--ports=" + ports});
  ASSERT_TRUE(broker.ok()) << broker.status();
  broker_ = std::move(*broker);
  // Reconnection and the relay's backoff take seconds, more on a loaded machine.
  ASSERT_TRUE(WaitFor([&] { return OutboxDepth(*origin_) == 0; }, absl::Seconds(120)))
      << "outbox depth " << OutboxDepth(*origin_) << ", relay delivery failures "
      << relay.stats().delivery_failures << ", producer restarts "
      << relay.stats().producer_restarts;
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,2,3,4,5"; }))
      << Applied(*reader_, "m-1");
  EXPECT_EQ(consumer.stats().applied, 3u);
}

// A "broker" that accepts connections and never answers: deliveries get no
// report at all (message.timeout.ms is long), which is how a stalled producer
// looks. The relay rebuilds its producer and keeps the rows.
TEST_F(BusTest, Relay_ProducerSilentPastStallTimeout_IsRebuiltAndKeepsRows) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(listener, 16), 0);
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::atomic<bool> done{false};
  std::vector<int> accepted;
  std::thread acceptor([&] {
    while (!done.load()) {
      const int fd = accept(listener, nullptr, nullptr);
      if (fd < 0) break;
      accepted.push_back(fd);  // read nothing, answer nothing
    }
  });

  OutboxRelayOptions options;
  options.kafka = KafkaConfig{absl::StrCat("127.0.0.1:", ntohs(address.sin_port)),
                              {{"message.timeout.ms", "600000"}}};
  options.store = origin_.get();
  options.max_backoff = absl::Milliseconds(200);
  options.stall_timeout = absl::Seconds(2);
  absl::StatusOr<std::unique_ptr<OutboxRelay>> relay = OutboxRelay::Start(std::move(options));
  ASSERT_TRUE(relay.ok()) << relay.status();
  Append("m-1", 2);
  EXPECT_TRUE(WaitFor([&] { return (*relay)->stats().producer_restarts >= 1; }));
  EXPECT_EQ(OutboxDepth(*origin_), 2u);
  (*relay)->Stop().IgnoreError();

  done.store(true);
  shutdown(listener, SHUT_RDWR);
  close(listener);
  acceptor.join();
  for (int fd : accepted) close(fd);
}

// librdkafka raises a fatal error when the idempotent producer can no longer
// keep its guarantees (e.g. OUT_OF_ORDER_SEQUENCE_NUMBER); the producer is
// then unusable. The relay rebuilds it: what was in flight stays in the
// outbox and is sent again, so nothing is lost and nothing applied twice.
TEST_F(BusTest, Relay_FatalProducerErrorWhileDelivering_RebuildsProducerAndLosesNothing) {
  RecordingHandler& handler = *NewHandler(reader_.get());
  OutboxRelay& relay = StartRelay({}, absl::Milliseconds(20));
  Consumer& consumer = StartConsumer(reader_.get(), &handler);
  constexpr int kEvents = 60;
  std::string expected;
  for (int i = 1; i <= kEvents; ++i) {
    Append("m-1", 1);
    absl::StrAppend(&expected, i == 1 ? "" : ",", i);
    if (i == kEvents / 2) relay.TEST_RaiseFatalProducerError();
  }
  ASSERT_TRUE(WaitFor([&] { return relay.stats().producer_restarts == 1; }))
      << relay.stats().producer_restarts;
  Append("m-2", 1);  // through the new producer
  ASSERT_TRUE(WaitFor(
      [&] { return Applied(*reader_, "m-1") == expected && Applied(*reader_, "m-2") == "1"; },
      absl::Seconds(30)))
      << Applied(*reader_, "m-1");
  EXPECT_TRUE(WaitFor([&] { return OutboxDepth(*origin_) == 0; }));
  EXPECT_EQ(consumer.stats().applied, static_cast<uint64_t>(kEvents + 1));
  EXPECT_EQ(consumer.stats().quarantined, 0u);
  EXPECT_EQ(relay.stats().producer_restarts, 1u);
}

TEST_F(BusTest, BrokerRestartedEmpty_RelayRepublishesByItself_ConsumersApplyEachEventOnce) {
  RecordingHandler& handler = *NewHandler(reader_.get());
  OutboxRelay& relay = StartRelay();
  {
    Consumer& consumer = StartConsumer(reader_.get(), &handler);
    Append("m-1", 3);
    Append("m-2", 2);
    ASSERT_TRUE(WaitFor(
        [&] { return Applied(*reader_, "m-1") == "1,2,3" && Applied(*reader_, "m-2") == "1,2"; }));
    consumer.Stop().IgnoreError();
  }
  ASSERT_TRUE(WaitFor([&] { return OutboxDepth(*origin_) == 0; }));
  const uint64_t produced = relay.stats().messages_produced;
  RestartBroker();

  // Nothing is left in the outbox: only the relay noticing the new cluster
  // brings the five events back.
  ASSERT_TRUE(WaitFor([&] { return relay.stats().republished == 1; }, absl::Seconds(30)));
  EXPECT_EQ(relay.stats().messages_produced, produced + 5);
  Append("m-1", 1);

  // The same store and group (its offsets died with the broker): all duplicates but one.
  Consumer& again = StartConsumer(reader_.get(), &handler);
  ASSERT_TRUE(WaitFor([&] { return Applied(*reader_, "m-1") == "1,2,3,4"; }))
      << Applied(*reader_, "m-1");
  ASSERT_TRUE(WaitFor([&] { return again.stats().messages == 6; }));
  EXPECT_EQ(again.stats().duplicates, 5u);
  EXPECT_EQ(again.stats().applied, 1u);
  EXPECT_EQ(Applied(*reader_, "m-2"), "1,2");

  // A new reader in a new group gets everything, once.
  EventStore* fresh = NewStore("fresh", kOrigin, "education");
  Consumer& newcomer = StartConsumer(fresh, NewHandler(fresh), {kRegistryTopic}, ".fresh");
  ASSERT_TRUE(WaitFor([&] {
    return Applied(*fresh, "m-1") == "1,2,3,4" && Applied(*fresh, "m-2") == "1,2";
  })) << Applied(*fresh, "m-1")
      << " / " << Applied(*fresh, "m-2");
  EXPECT_EQ(newcomer.stats().applied, 6u);
  EXPECT_EQ(newcomer.stats().duplicates, 0u);
}

// One message as kcat printed it with -f '%k\t%h\t%S\t%s'.
struct KcatMessage {
  std::string key;
  std::string headers;
  std::string value;
};

std::vector<KcatMessage> ParseKcat(const std::string& out) {
  std::vector<KcatMessage> messages;
  size_t pos = 0;
  while (pos < out.size()) {
    KcatMessage m;
    size_t tab = out.find('\t', pos);
    if (tab == std::string::npos) break;
    m.key = out.substr(pos, tab - pos);
    pos = tab + 1;
    tab = out.find('\t', pos);
    if (tab == std::string::npos) break;
    m.headers = out.substr(pos, tab - pos);
    pos = tab + 1;
    tab = out.find('\t', pos);
    if (tab == std::string::npos) break;
    size_t size = 0;
    if (!absl::SimpleAtoi(out.substr(pos, tab - pos), &size)) break;
    pos = tab + 1;
    m.value = out.substr(pos, size);
    pos += size;
    messages.push_back(std::move(m));
  }
  return messages;
}

TEST_F(BusTest, Kcat_ReadsTheRelayTopicAsAnOutsideClient) {
  StartRelay();
  std::vector<Event> appended = Append("m-7", 2);
  std::vector<Event> more = Append("m-8", 1);
  appended.insert(appended.end(), more.begin(), more.end());
  ASSERT_TRUE(WaitFor([&] { return OutboxDepth(*origin_) == 0; }));

  const std::string out = dir_.Sub("kcat.out");
  absl::StatusOr<int> rc =
      RunProcess({"kcat", "-C", "-b", broker_->bootstrap(), "-t", kRegistryTopic, "-o", "beginning",
                  "-e", "-f", "%k\t%h\t%S\t%s"},
                 out);
  ASSERT_TRUE(rc.ok()) << rc.status();
  ASSERT_EQ(*rc, 0) << ReadFile(out + ".err");
  std::vector<KcatMessage> messages = ParseKcat(ReadFile(out));
  ASSERT_EQ(messages.size(), 3u) << ReadFile(out);
  std::map<uint64_t, Event> by_sequence;
  for (const KcatMessage& m : messages) {
    Event event;
    ASSERT_TRUE(event.ParseFromString(m.value));
    EXPECT_EQ(m.key, event.aggregate_id());
    EXPECT_EQ(event.hash(), ComputeEventHash(event));
    EXPECT_TRUE(absl::StrContains(m.headers, absl::StrCat("sequence=", event.sequence())))
        << m.headers;
    EXPECT_TRUE(absl::StrContains(m.headers, "source=654322/registry")) << m.headers;
    EXPECT_TRUE(absl::StrContains(m.headers, "type=Noted")) << m.headers;
    by_sequence[event.sequence()] = event;
  }
  for (const Event& e : appended) {
    ASSERT_EQ(by_sequence.count(e.sequence()), 1u);
    EXPECT_EQ(by_sequence[e.sequence()].aggregate_id(), e.aggregate_id());
    EXPECT_EQ(by_sequence[e.sequence()].version(), e.version());
  }
}

}  // namespace
}  // namespace bus_test
}  // namespace lianxin
