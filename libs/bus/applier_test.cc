// The consumer's store half, over a real RocksDB event store and no Kafka:
// markers, parking, quarantine, refusals and retries.
#include "libs/bus/applier.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/bus/wire.h"
#include "libs/testing/testing.h"

namespace lianxin {
namespace {

using ::lianxin::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kHere[] = "654322";
constexpr char kThere[] = "650102";
const std::string kServiceTopic = "lx.650102.registry.v1";
const std::string kInbox = "lx.654322.inbox.v1";
constexpr char kIdentityTopicName[] = "lx.identity.v1";

// The handler of a service: records each event it is given as an index row
// "seen/<aggregate>/<number>", or answers the next status queued instead.
class RecordingHandler : public EventHandler {
 public:
  absl::Status Apply(const Event& event, const std::string& topic, Transaction& txn) override {
    ++calls;
    if (!answers.empty()) {
      absl::Status answer = answers.front();
      answers.pop_front();
      if (!answer.ok()) return answer;
    }
    const uint64_t number = StreamOrderOf(topic) == StreamOrder::kRouteVersion
                                ? event.route_version()
                                : event.version();
    txn.Put(Family::kIndexes, absl::StrCat("seen/", event.aggregate_id(), "/", number), topic);
    return absl::OkStatus();
  }

  int calls = 0;
  std::deque<absl::Status> answers;
};

// An event of county kThere's registry about member `aggregate`, as its store
// writes it (version, hash); `route_version` set for an inbox copy.
Event TheirEvent(const std::string& aggregate, uint64_t version, uint64_t route_version = 0) {
  Event event;
  event.set_event_id(absl::StrCat("e-", aggregate, "-", version));
  event.set_type("ReturnRecorded");
  event.mutable_source()->set_jurisdiction(kThere);
  event.mutable_source()->set_service("registry");
  event.set_aggregate_id(aggregate);
  event.set_version(version);
  event.set_sequence(version);
  event.mutable_return_recorded()->set_returned_on("2026-03-01");
  event.add_routed_to(kHere);
  event.add_routed_versions(route_version);
  event.set_hash(ComputeEventHash(event));
  event.set_route_version(route_version);  // set per delivery, outside the hash
  return event;
}

ConsumedMessage Message(const std::string& topic, const Event& event, int64_t offset = 0) {
  return DecodeMessage(topic, 0, offset, event.SerializeAsString());
}

class ApplierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Source source;
    source.set_jurisdiction(kHere);
    source.set_service("registry");
    absl::StatusOr<std::unique_ptr<EventStore>> store =
        EventStore::Open({.path = dir_.path(), .source = source});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    applier_ =
        std::make_unique<MessageApplier>(ApplierOptions{.store = store_.get(),
                                                        .handler = &handler_,
                                                        .min_backoff = absl::Milliseconds(50),
                                                        .max_backoff = absl::Milliseconds(150)});
  }

  bool Seen(const std::string& aggregate, uint64_t number) const {
    return store_->Get(Family::kIndexes, absl::StrCat("seen/", aggregate, "/", number)).ok();
  }
  uint64_t Marker(const std::string& key) const {
    absl::StatusOr<std::string> bytes = store_->Get(Family::kApplied, key);
    if (!bytes.ok()) return 0;
    return ParseBigEndian64(*bytes).value_or(0);
  }
  std::vector<QuarantineRow> Quarantined() const {
    std::vector<QuarantineRow> rows;
    EXPECT_TRUE(store_
                    ->ScanPrefix(Family::kQuarantine, "",
                                 [&](const std::string&, const std::string& value) {
                                   QuarantineRow row;
                                   EXPECT_TRUE(row.ParseFromString(value));
                                   rows.push_back(row);
                                   return true;
                                 })
                    .ok());
    return rows;
  }
  int ParkedRows() const {
    int rows = 0;
    EXPECT_TRUE(store_
                    ->ScanPrefix(Family::kParked, "",
                                 [&](const std::string&, const std::string&) {
                                   ++rows;
                                   return true;
                                 })
                    .ok());
    return rows;
  }
  static std::string InboxMarker(const std::string& aggregate) {
    return AppliedMarkerKey(StreamOrder::kRouteVersion, kInbox, TheirEvent(aggregate, 1, 1));
  }
  static std::string ServiceMarker(const std::string& aggregate) {
    return AppliedMarkerKey(StreamOrder::kVersion, kServiceTopic, TheirEvent(aggregate, 1));
  }

  TempDir dir_;
  std::unique_ptr<EventStore> store_;
  RecordingHandler handler_;
  std::unique_ptr<MessageApplier> applier_;
};

TEST_F(ApplierTest, Apply_NextEventCommitsEffectAndMarkerTogether) {
  EXPECT_EQ(applier_->Apply(Message(kServiceTopic, TheirEvent("m1", 1))), ApplyOutcome::kDone);
  EXPECT_TRUE(Seen("m1", 1));
  EXPECT_EQ(Marker(ServiceMarker("m1")), 1u);
  EXPECT_EQ(applier_->stats().applied, 1u);
}

TEST_F(ApplierTest, Apply_DuplicateIsSkippedWithoutCallingTheHandler) {
  ASSERT_EQ(applier_->Apply(Message(kServiceTopic, TheirEvent("m1", 1))), ApplyOutcome::kDone);
  ASSERT_EQ(applier_->Apply(Message(kServiceTopic, TheirEvent("m1", 2))), ApplyOutcome::kDone);
  EXPECT_EQ(applier_->Apply(Message(kServiceTopic, TheirEvent("m1", 1))), ApplyOutcome::kDone);
  EXPECT_EQ(handler_.calls, 2);
  EXPECT_EQ(Marker(ServiceMarker("m1")), 2u);
  EXPECT_EQ(applier_->stats().duplicates, 1u);
}

TEST_F(ApplierTest, Apply_EventAfterAGapIsParkedThenAppliedWhenTheGapFills) {
  struct Case {
    std::string name;
    std::string topic;
    bool inbox;
  };
  for (const Case& c : {Case{"service topic, by version", kServiceTopic, false},
                        Case{"inbox, by route_version", kInbox, true}}) {
    SCOPED_TRACE(c.name);
    const std::string member = c.inbox ? "in" : "svc";
    // On an inbox, route_version orders the copies, whatever the versions.
    auto event = [&](uint64_t n) {
      return c.inbox ? TheirEvent(member, 10 + n, n) : TheirEvent(member, n);
    };
    const std::string marker = c.inbox ? InboxMarker(member) : ServiceMarker(member);
    ASSERT_EQ(applier_->Apply(Message(c.topic, event(1))), ApplyOutcome::kDone);
    EXPECT_EQ(applier_->Apply(Message(c.topic, event(3))), ApplyOutcome::kDone);
    EXPECT_FALSE(Seen(member, 3));
    EXPECT_EQ(Marker(marker), 1u);
    EXPECT_EQ(ParkedRows(), 1);

    EXPECT_EQ(applier_->Apply(Message(c.topic, event(2))), ApplyOutcome::kDone);
    EXPECT_TRUE(Seen(member, 2));
    EXPECT_TRUE(Seen(member, 3));
    EXPECT_EQ(Marker(marker), 3u);
    EXPECT_EQ(ParkedRows(), 0);
  }
  EXPECT_EQ(applier_->stats().parked, 2u);
  EXPECT_EQ(applier_->stats().applied, 6u);
}

TEST_F(ApplierTest, Apply_OnTheIdentityTopicAnOlderVersionIsSkippedAndNothingWaits) {
  Event claim = TheirEvent("m1", 5);
  claim.add_also_to()->set_topic(kIdentityTopicName);
  claim.set_hash(ComputeEventHash(claim));
  ASSERT_EQ(applier_->Apply(Message(kIdentityTopicName, claim)), ApplyOutcome::kDone);
  Event older = TheirEvent("m1", 3);
  EXPECT_EQ(applier_->Apply(Message(kIdentityTopicName, older)), ApplyOutcome::kDone);
  Event later = TheirEvent("m1", 9);
  EXPECT_EQ(applier_->Apply(Message(kIdentityTopicName, later)), ApplyOutcome::kDone);
  EXPECT_TRUE(Seen("m1", 5));
  EXPECT_FALSE(Seen("m1", 3));
  EXPECT_TRUE(Seen("m1", 9));
  EXPECT_EQ(ParkedRows(), 0);
}

TEST_F(ApplierTest, Apply_UndecodableOrInvalidMessageIsQuarantinedAndNoMarkerMoves) {
  struct Case {
    std::string name;
    std::string topic;
    std::string value;
    std::string reason;
  };
  auto broken = [](auto change) {
    Event event = TheirEvent("m1", 1, 1);
    change(event);
    return event.SerializeAsString();
  };
  const std::vector<Case> cases = {
      {"not an event", kServiceTopic, "\xff\xff not protobuf", "undecodable event"},
      {"empty", kServiceTopic, "", "undecodable event"},
      {"no source", kServiceTopic,
       broken([](Event& e) { e.mutable_source()->clear_jurisdiction(); }),
       "no source jurisdiction"},
      {"no aggregate", kServiceTopic, broken([](Event& e) { e.clear_aggregate_id(); }),
       "no aggregate_id"},
      {"version 0", kServiceTopic, broken([](Event& e) { e.set_version(0); }), "version 0"},
      {"inbox copy without route_version", kInbox, broken([](Event& e) { e.set_route_version(0); }),
       "without route_version"},
      {"altered payload", kServiceTopic,
       broken([](Event& e) { e.mutable_return_recorded()->set_returned_on("2026-03-02"); }),
       "hash mismatch"},
  };
  int64_t offset = 100;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(applier_->Apply(DecodeMessage(c.topic, 2, offset, c.value)), ApplyOutcome::kDone);
    absl::StatusOr<std::string> bytes =
        store_->Get(Family::kQuarantine, QuarantineKey(c.topic, 2, offset++));
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    QuarantineRow row;
    ASSERT_TRUE(row.ParseFromString(*bytes));
    EXPECT_THAT(row.reason(), HasSubstr(c.reason));
    EXPECT_EQ(row.value(), c.value);
  }
  EXPECT_EQ(Quarantined().size(), cases.size());
  EXPECT_EQ(handler_.calls, 0);
  EXPECT_EQ(Marker(ServiceMarker("m1")), 0u);
  EXPECT_EQ(Marker(InboxMarker("m1")), 0u);
  // The genuine event is still applied when it comes.
  EXPECT_EQ(applier_->Apply(Message(kServiceTopic, TheirEvent("m1", 1))), ApplyOutcome::kDone);
  EXPECT_TRUE(Seen("m1", 1));
}

TEST_F(ApplierTest, Apply_GateRefusalIsQuarantinedAndLeavesTheMarker) {
  // The county gate refuses an event of another county's registry on a topic
  // it may not write (before any signature is looked at).
  CountyGate gate(kHere, /*directory=*/nullptr);
  MessageApplier gated(ApplierOptions{.store = store_.get(), .handler = &handler_, .gate = &gate});
  const std::string wrong_topic = "lx.654322.registry.v1";
  EXPECT_EQ(gated.Apply(Message(wrong_topic, TheirEvent("m1", 1))), ApplyOutcome::kDone);
  ASSERT_EQ(Quarantined().size(), 1u);
  EXPECT_THAT(Quarantined()[0].reason(), HasSubstr("refused (wrong_topic)"));
  EXPECT_EQ(handler_.calls, 0);
  EXPECT_EQ(Marker(AppliedMarkerKey(StreamOrder::kVersion, wrong_topic, TheirEvent("m1", 1))), 0u);
}

TEST_F(ApplierTest, Apply_InvalidPayloadIsQuarantinedBeforeTheHandlerAndSpendsNoNumber) {
  Metrics metrics;
  MessageApplier applier(
      ApplierOptions{.store = store_.get(), .handler = &handler_, .metrics = &metrics});
  Event invalid = TheirEvent("m1", 1, 1);
  invalid.mutable_return_recorded()->set_returned_on("2026-02-30");
  invalid.set_hash(ComputeEventHash(invalid));
  EXPECT_EQ(applier.Apply(Message(kInbox, invalid, 7)), ApplyOutcome::kDone);
  ASSERT_EQ(Quarantined().size(), 1u);
  EXPECT_THAT(Quarantined()[0].reason(),
              HasSubstr("refused (invalid_payload): ReturnRecorded.returned_on"));
  EXPECT_EQ(handler_.calls, 0);
  EXPECT_EQ(Marker(InboxMarker("m1")), 0u);
  // The genuine event with that number is applied when it comes.
  EXPECT_EQ(applier.Apply(Message(kInbox, TheirEvent("m1", 1, 1), 8)), ApplyOutcome::kDone);
  EXPECT_TRUE(Seen("m1", 1));
}

TEST_F(ApplierTest, Apply_PastItsSourcesParkedCapAnEventIsQuarantinedAndTheGapStillFills) {
  MessageApplier capped(ApplierOptions{
      .store = store_.get(), .handler = &handler_, .limits = {.max_parked_per_source = 2}});
  // Far-future route_versions of one source, over two members: two are parked,
  // the rest quarantined as parked_cap, and no marker moves.
  for (const auto& [member, number] :
       std::vector<std::pair<std::string, uint64_t>>{{"a", 3}, {"b", 900}, {"a", 4}, {"b", 901}}) {
    EXPECT_EQ(capped.Apply(Message(kInbox, TheirEvent(member, number, number), number)),
              ApplyOutcome::kDone);
  }
  EXPECT_EQ(ParkedRows(), 2);
  ASSERT_EQ(Quarantined().size(), 2u);
  for (const QuarantineRow& row : Quarantined()) {
    EXPECT_THAT(row.reason(), HasSubstr("refused (parked_cap)"));
  }
  EXPECT_EQ(Marker(InboxMarker("a")), 0u);
  // The genuine events fill a's gap: 1, 2, then 3 from the park; a's 4,
  // refused while the places were taken, is applied when it comes again.
  for (uint64_t n : {1, 2}) {
    EXPECT_EQ(capped.Apply(Message(kInbox, TheirEvent("a", n, n), n)), ApplyOutcome::kDone);
  }
  EXPECT_EQ(Marker(InboxMarker("a")), 3u);
  EXPECT_EQ(capped.Apply(Message(kInbox, TheirEvent("a", 4, 4), 40)), ApplyOutcome::kDone);
  EXPECT_EQ(Marker(InboxMarker("a")), 4u);
  EXPECT_TRUE(Seen("a", 4));
  EXPECT_EQ(ParkedRows(), 1);  // b's 900 still waits
}

TEST_F(ApplierTest, Apply_ParkedCapCountsRowsAlreadyInTheStoreAndIsPerSourceCounty) {
  MessageApplier first(ApplierOptions{.store = store_.get(), .handler = &handler_});
  ASSERT_EQ(first.Apply(Message(kInbox, TheirEvent("a", 5, 5))), ApplyOutcome::kDone);
  ASSERT_EQ(ParkedRows(), 1);
  // A restarted consumer counts what is parked: the cap of 1 is reached.
  MessageApplier restarted(ApplierOptions{
      .store = store_.get(), .handler = &handler_, .limits = {.max_parked_per_source = 1}});
  EXPECT_EQ(restarted.Apply(Message(kInbox, TheirEvent("b", 7, 7), 2)), ApplyOutcome::kDone);
  EXPECT_EQ(ParkedRows(), 1);
  EXPECT_EQ(Quarantined().size(), 1u);
  // Another source county has its own places.
  Event other = TheirEvent("c", 3, 3);
  other.mutable_source()->set_jurisdiction("440305");
  other.set_hash(ComputeEventHash(other));
  EXPECT_EQ(restarted.Apply(Message(kInbox, other, 3)), ApplyOutcome::kDone);
  EXPECT_EQ(ParkedRows(), 2);
  // A copy of an event already parked takes no second place.
  EXPECT_EQ(restarted.Apply(Message(kInbox, TheirEvent("a", 5, 5), 4)), ApplyOutcome::kDone);
  EXPECT_EQ(ParkedRows(), 2);
  EXPECT_EQ(Quarantined().size(), 1u);
}

TEST_F(ApplierTest, Quarantine_KeepsAtMostTheCapAndNothingPastTheAgeDroppingTheOldest) {
  ManualClock clock(absl::FromUnixSeconds(1'800'000'000));
  MessageApplier applier(ApplierOptions{
      .store = store_.get(),
      .handler = &handler_,
      .clock = &clock,
      .limits = {.max_quarantined = 3, .quarantine_retention = absl::Hours(24 * 30)}});
  auto offsets = [&] {
    std::vector<int64_t> kept;
    for (const QuarantineRow& row : Quarantined()) kept.push_back(row.offset());
    return kept;
  };
  for (int64_t offset = 1; offset <= 5; ++offset) {
    ASSERT_EQ(applier.Apply(DecodeMessage(kServiceTopic, 0, offset, "garbage")),
              ApplyOutcome::kDone);
    clock.Advance(absl::Seconds(1));
  }
  EXPECT_THAT(offsets(), ElementsAre(3, 4, 5));
  EXPECT_EQ(applier.stats().quarantine_dropped, 2u);
  // Past the age, the old rows go at the next quarantine, below the cap too.
  clock.Advance(absl::Hours(24 * 31));
  ASSERT_EQ(applier.Apply(DecodeMessage(kServiceTopic, 0, 6, "garbage")), ApplyOutcome::kDone);
  EXPECT_THAT(offsets(), ElementsAre(6));
  EXPECT_EQ(applier.stats().quarantine_dropped, 5u);
}

TEST(SourceOfMarkerKeyTest, NamesTheSourceCountyOfAStream) {
  struct Case {
    std::string key;
    std::string source;
  };
  for (const Case& c : std::vector<Case>{{"route/650102/registry/m-1", "650102"},
                                         {"ver/654322/contact/a/b", "654322"},
                                         {"topic/lx.identity.v1/650102/registry/m", ""},
                                         {"route/650102", ""}}) {
    EXPECT_EQ(SourceOfMarkerKey(c.key), c.source) << c.key;
  }
}

TEST_F(ApplierTest, Apply_HandlerRefusalIsQuarantinedAndTheStreamGoesOn) {
  const std::vector<absl::Status> refusals = {
      absl::InvalidArgumentError("returned_on: not a date"),
      absl::FailedPreconditionError("R9: no transfer pending"),
      absl::PermissionDeniedError("role: only the home records a return"),
  };
  uint64_t version = 0;
  for (const absl::Status& refusal : refusals) {
    SCOPED_TRACE(refusal.ToString());
    ++version;
    handler_.answers.push_back(refusal);
    EXPECT_EQ(applier_->Apply(Message(kServiceTopic, TheirEvent("m1", version), version)),
              ApplyOutcome::kDone);
    EXPECT_FALSE(Seen("m1", version));
    EXPECT_EQ(Marker(ServiceMarker("m1")), version);
    EXPECT_THAT(Quarantined().back().reason(), HasSubstr(refusal.message()));
  }
  EXPECT_EQ(applier_->Apply(Message(kServiceTopic, TheirEvent("m1", version + 1))),
            ApplyOutcome::kDone);
  EXPECT_TRUE(Seen("m1", version + 1));
}

TEST_F(ApplierTest, Apply_TransientHandlerErrorCommitsNothingAndAsksForARetry) {
  handler_.answers.push_back(absl::UnavailableError("projection busy"));
  EXPECT_EQ(applier_->Apply(Message(kServiceTopic, TheirEvent("m1", 1))), ApplyOutcome::kRetry);
  handler_.answers.push_back(absl::AbortedError("version moved"));
  EXPECT_EQ(applier_->Apply(Message(kServiceTopic, TheirEvent("m1", 1))), ApplyOutcome::kConflict);
  EXPECT_EQ(Marker(ServiceMarker("m1")), 0u);
  EXPECT_TRUE(Quarantined().empty());
}

// Records the backoffs asked for instead of waiting.
struct RecordedWaits {
  std::vector<absl::Duration> waits;
  bool stop = false;
  RetryControl Control() {
    return {.stopping = [this] { return stop; },
            .wait = [this](absl::Duration d) { waits.push_back(d); }};
  }
};

TEST_F(ApplierTest, ApplyUntilDone_TransientErrorsWaitADoublingCappedBackoff) {
  for (int i = 0; i < 4; ++i) handler_.answers.push_back(absl::UnavailableError("busy"));
  RecordedWaits recorded;
  EXPECT_TRUE(
      applier_->ApplyUntilDone(Message(kServiceTopic, TheirEvent("m1", 1)), recorded.Control()));
  EXPECT_THAT(recorded.waits, ElementsAre(absl::Milliseconds(50), absl::Milliseconds(100),
                                          absl::Milliseconds(150), absl::Milliseconds(150)));
  EXPECT_TRUE(Seen("m1", 1));
  EXPECT_EQ(applier_->stats().retries, 4u);
  EXPECT_EQ(applier_->stats().messages, 5u);
}

TEST_F(ApplierTest, ApplyUntilDone_ConflictsAreRetriedAtOnceThreeTimesBeforeWaiting) {
  for (int i = 0; i < 4; ++i) handler_.answers.push_back(absl::AbortedError("version moved"));
  RecordedWaits recorded;
  EXPECT_TRUE(
      applier_->ApplyUntilDone(Message(kServiceTopic, TheirEvent("m1", 1)), recorded.Control()));
  EXPECT_THAT(recorded.waits, ElementsAre(absl::Milliseconds(50)));
  EXPECT_EQ(handler_.calls, 5);
  EXPECT_TRUE(Seen("m1", 1));
}

TEST_F(ApplierTest, ApplyUntilDone_StoppingAfterAFailedAttemptGivesUpWithNothingCommitted) {
  handler_.answers.push_back(absl::UnavailableError("busy"));
  RecordedWaits recorded;
  recorded.stop = true;
  EXPECT_FALSE(
      applier_->ApplyUntilDone(Message(kServiceTopic, TheirEvent("m1", 1)), recorded.Control()));
  EXPECT_TRUE(recorded.waits.empty());
  EXPECT_EQ(Marker(ServiceMarker("m1")), 0u);
  EXPECT_FALSE(Seen("m1", 1));
}

}  // namespace
}  // namespace lianxin
