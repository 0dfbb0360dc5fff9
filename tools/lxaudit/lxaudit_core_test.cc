// lxaudit's pure parts: progress lines, putting topic events back in log
// order, timelines, digests, replay on threads.
#include <memory>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/common/time_util.h"
#include "services/registry/projector.h"
#include "tools/lxaudit/audit.h"
#include "tools/lxaudit/progress.h"
#include "tools/lxaudit/render.h"
#include "tools/lxaudit/services.h"

namespace lianxin::lxaudit {
namespace {

Source Registry(const std::string& county) {
  Source source;
  source.set_jurisdiction(county);
  source.set_service("registry");
  return source;
}

Event Logged(const std::string& county, uint64_t sequence, const std::string& aggregate,
             uint64_t version) {
  Event e;
  *e.mutable_source() = Registry(county);
  e.set_event_id(absl::StrCat(county, "-registry-", sequence));
  e.set_sequence(sequence);
  e.set_aggregate_id(aggregate);
  e.set_version(version);
  e.set_hash(absl::StrCat("h", sequence));
  return e;
}

TEST(ProgressTest, LineShowsDoneRateAndTimeLeft) {
  EXPECT_EQ(Grouped(0), "0");
  EXPECT_EQ(Grouped(999), "999");
  EXPECT_EQ(Grouped(1000), "1,000");
  EXPECT_EQ(Grouped(1234567), "1,234,567");
  EXPECT_EQ(Progress::Line("replay", 250000, 1000000, absl::Seconds(1)),
            "replay: 250,000/1,000,000 events  250,000/s  0:03 left");
  EXPECT_EQ(Progress::Line("read", 10, 0, absl::Seconds(2)), "read: 10 events  5/s");
  Progress quiet("x", 10, /*force=*/0);  // not a terminal: draws nothing
  quiet.Add(10);
  EXPECT_EQ(quiet.done(), 10u);
}

TEST(LogOrderTest, SortsAndDropsRepublishedCopies) {
  std::vector<Event> read = {Logged("654322", 3, "a", 2), Logged("654322", 1, "a", 1),
                             Logged("654322", 2, "b", 1), Logged("654322", 1, "a", 1)};
  read[0].set_route_version(7);
  absl::StatusOr<std::vector<Event>> ordered = LogOrder(read, Registry("654322"));
  ASSERT_TRUE(ordered.ok()) << ordered.status();
  ASSERT_EQ(ordered->size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) EXPECT_EQ((*ordered)[i].sequence(), i + 1);
  EXPECT_EQ((*ordered)[2].route_version(), 0u);
}

TEST(LogOrderTest, RefusesGapsForeignEventsAndTwoEventsWithOneSequence) {
  EXPECT_TRUE(absl::StrContains(
      LogOrder({Logged("654322", 1, "a", 1), Logged("654322", 3, "a", 2)}, Registry("654322"))
          .status()
          .message(),
      "lacks sequences 2–2"));
  EXPECT_FALSE(LogOrder({Logged("650102", 1, "a", 1)}, Registry("654322")).ok());
  Event other = Logged("654322", 1, "a", 1);
  other.set_hash("different");
  EXPECT_FALSE(LogOrder({Logged("654322", 1, "a", 1), other}, Registry("654322")).ok());
  EXPECT_TRUE(LogOrder({}, Registry("654322"))->empty());
}

TEST(TimelineTest, DomainOrderWithCopiesFoldedIntoTheirOriginal) {
  Event registered = Logged("654322", 1, "m", 1);
  registered.set_type("MemberRegistered");
  ToTimestamp(absl::FromUnixSeconds(1000), registered.mutable_occurred_at());
  ToTimestamp(absl::FromUnixSeconds(1000), registered.mutable_recorded_at());
  Event outflow = Logged("654322", 2, "m", 2);
  outflow.set_type("OutflowRegistered");
  outflow.mutable_outflow_registered()->set_destination_jurisdiction("650102");
  ToTimestamp(absl::FromUnixSeconds(2000), outflow.mutable_occurred_at());
  ToTimestamp(absl::FromUnixSeconds(2000), outflow.mutable_recorded_at());
  Event copy = outflow;  // recorded in Tianshan from Fuyun's event
  *copy.mutable_source() = Registry("650102");
  copy.set_event_id("650102-registry-1");
  copy.set_sequence(1);
  copy.set_causation_id(outflow.event_id());
  ToTimestamp(absl::FromUnixSeconds(2005), copy.mutable_recorded_at());
  std::vector<TimelineEntry> timeline = BuildTimeline({copy, outflow, registered});
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(timeline[0].event.type(), "MemberRegistered");
  EXPECT_EQ(timeline[1].event.source().jurisdiction(), "654322");
  EXPECT_EQ(timeline[1].also_recorded_in, std::vector<std::string>{"650102/registry"});
  const std::string line = TimelineLine(timeline[1]);
  EXPECT_TRUE(absl::StartsWith(line, "1970-01-01 08:33:20 +08  654322 registry  OutflowRegistered"))
      << line;
  EXPECT_TRUE(absl::StrContains(line, "also 650102/registry")) << line;
  EXPECT_TRUE(absl::StrContains(line, "destination_jurisdiction=650102")) << line;
}

TEST(DigestTest, EveryPartOfAnAggregateCounts) {
  const std::string base = AggregateDigest("m", 1, "state", {{"st/01/m", ""}});
  EXPECT_EQ(base.size(), 32u);
  EXPECT_EQ(base, AggregateDigest("m", 1, "state", {{"st/01/m", ""}}));
  EXPECT_NE(base, AggregateDigest("n", 1, "state", {{"st/01/m", ""}}));
  EXPECT_NE(base, AggregateDigest("m", 2, "state", {{"st/01/m", ""}}));
  EXPECT_NE(base, AggregateDigest("m", 1, "statf", {{"st/01/m", ""}}));
  EXPECT_NE(base, AggregateDigest("m", 1, "state", {{"st/02/m", ""}}));
  EXPECT_NE(base, AggregateDigest("m", 1, "state", {}));
  EXPECT_NE(AggregateDigest("m", 1, "ab", {}), AggregateDigest("m", 1, "a", {{"b", ""}}));
}

TEST(ReplayEventsTest, SameResultOnOneThreadAndOnMany) {
  absl::StatusOr<const AuditedService*> registry = FindService("registry");
  ASSERT_TRUE(registry.ok());
  EXPECT_FALSE(FindService("nonesuch").ok());
  std::unique_ptr<Projector> projector = (*registry)->new_projector({.jurisdiction = "654322"});
  std::vector<Event> log;
  for (int n = 0; n < 50; ++n) {
    Event e = Logged("654322", n + 1, absl::StrCat("654322-", n % 7), n / 7 + 1);
    e.mutable_member_registered()->set_name(absl::StrCat("成员", n));
    e.mutable_member_registered()->set_home_jurisdiction("654322");
    log.push_back(e);
  }
  absl::StatusOr<Rebuilt> one = ReplayEvents(log, *projector, {.threads = 1});
  absl::StatusOr<Rebuilt> three = ReplayEvents(log, *projector, {.threads = 3});
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(three.ok()) << three.status();
  ASSERT_EQ(one->size(), 7u);
  EXPECT_EQ(StoreRebuilt(*one, *projector, "")->Total(),
            StoreRebuilt(*three, *projector, "")->Total());
  EXPECT_EQ(one->at("654322-0").version, 8u);
  // A version out of order is refused.
  log[10].set_version(5);
  EXPECT_EQ(ReplayEvents(log, *projector, {.threads = 2}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// The row a service adds to kAuditedServices (services.h) is one line.
TEST(ServicesTest, ARowIsANameAStateMessageAndAOneLineFactory) {
  const AuditedService row = {"registry", "lianxin.v1.MemberFacts", [](const ProjectorContext& c) {
                                return registry::NewProjector(c.jurisdiction, {});
                              }};
  std::unique_ptr<Projector> projector = row.new_projector({.jurisdiction = "654322"});
  EXPECT_EQ(projector->service(), "registry");
  for (const AuditedService& service : AuditedServices()) {
    EXPECT_EQ(service.new_projector({.jurisdiction = "654322"})->service(), service.name);
  }
}

}  // namespace
}  // namespace lianxin::lxaudit
