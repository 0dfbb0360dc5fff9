// The registry's Projector against live stores: two counties' registry logs,
// built the way the service and its inbox reaction build them (decider +
// RegistryProjection::Stage, RegistryReactions for the inbox), folded with the
// projector must give the very aggregates and index rows the stores hold.
#include "services/registry/projector.h"

#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/time_util.h"
#include "libs/testing/testing.h"
#include "services/registry/domain/decider.h"
#include "services/registry/projection.h"
#include "services/registry/reactions.h"

namespace lianxin::registry {
namespace {

namespace v1 = ::lianxin::v1;

constexpr char kFuyun[] = "654322";
constexpr char kTianshan[] = "650102";

absl::TimeZone Tz() { return absl::FixedTimeZone(8 * 60 * 60); }

// One county's registry: store, projection, reactions.
struct County {
  County(const std::string& code, const std::string& dir, Clock* clock, const Settings& settings) {
    EventStoreOptions options;
    options.path = dir;
    options.source.set_jurisdiction(code);
    options.source.set_service("registry");
    options.clock = clock;
    options.sync = false;
    store = *EventStore::Open(options);
    projection = std::make_unique<RegistryProjection>(store.get(), code, settings);
    reactions = std::make_unique<RegistryReactions>(projection.get(), clock);
  }
  std::unique_ptr<EventStore> store;
  std::unique_ptr<RegistryProjection> projection;
  std::unique_ptr<RegistryReactions> reactions;
};

class ProjectorTest : public ::testing::Test {
 protected:
  ProjectorTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2026, 1, 5, 9, 0, 0), Tz())),
        settings_(MakeSettings()),
        fuyun_(kFuyun, dir_.Sub("fuyun"), &clock_, settings_),
        tianshan_(kTianshan, dir_.Sub("tianshan"), &clock_, settings_) {}

  static Settings MakeSettings() {
    Settings s;
    s.on_system = {kFuyun, kTianshan};
    return s;
  }

  Context Ctx(const std::string& county) {
    return Context{.jurisdiction = county,
                   .now = clock_.Now(),
                   .today = absl::ToCivilDay(clock_.Now(), Tz()),
                   .actor = "op-" + county,
                   .request_id = "rq"};
  }

  // Commits `events` decided in `here` for `member`, then delivers those routed
  // to the other county through its inbox reaction, as the relay would.
  void Commit(County& here, County& there, const std::string& there_code, const std::string& member,
              absl::StatusOr<Events> events) {
    ASSERT_TRUE(events.ok()) << events.status();
    std::optional<LoadedMember> loaded = *here.projection->Load(member);
    v1::MemberFacts before = loaded.has_value() ? loaded->facts : v1::MemberFacts();
    const uint64_t version = loaded.has_value() ? loaded->version : 0;
    v1::MemberFacts after = before;
    for (const Event& e : *events) {
      Event stamped = e;
      stamped.set_aggregate_id(member);
      after = Evolve(std::move(after), stamped);
    }
    Transaction txn;
    here.projection->Stage(txn, member, version, before, *std::move(events), after);
    absl::StatusOr<CommitResult> result = here.store->Commit(std::move(txn));
    ASSERT_TRUE(result.ok()) << result.status();
    for (const Event& e : result->events) {
      if (std::find(e.routed_to().begin(), e.routed_to().end(), there_code) ==
          e.routed_to().end()) {
        continue;
      }
      Transaction inbox;
      ASSERT_TRUE(there.reactions->Apply(e, InboxTopic(there_code), inbox).ok());
      ASSERT_TRUE(there.store->Commit(std::move(inbox)).ok());
    }
    clock_.Advance(absl::Hours(24));
  }

  v1::MemberFacts Facts(County& county, const std::string& member) {
    return (*county.projection->Load(member))->facts;
  }

  // Folds the store's log with the projector and compares with what it holds.
  void ExpectFoldMatches(County& county, const std::string& code) {
    std::unique_ptr<Projector> projector = NewProjector(code, settings_);
    EXPECT_EQ(projector->service(), "registry");
    std::map<std::string, std::pair<uint64_t, std::string>> folded;
    // The same fold with the state kept decoded (what lxaudit replays with).
    std::map<std::string, std::unique_ptr<Projector::Fold>> folds;
    ASSERT_TRUE(county.store
                    ->ScanLog(1,
                              [&](const Event& e) {
                                std::unique_ptr<Projector::Fold>& fold = folds[e.aggregate_id()];
                                if (fold == nullptr) fold = projector->NewFold("");
                                EXPECT_TRUE(fold->Apply(e).ok());
                                auto& [version, state] = folded[e.aggregate_id()];
                                absl::StatusOr<std::string> next = projector->Evolve(state, e);
                                EXPECT_TRUE(next.ok()) << next.status();
                                state = *next;
                                version = e.version();
                                return true;
                              })
                    .ok());
    ASSERT_FALSE(folded.empty());
    std::set<std::pair<std::string, std::string>> expected_rows;
    for (const auto& [id, folded_state] : folded) {
      absl::StatusOr<Aggregate> live = county.store->ReadAggregate(id);
      ASSERT_TRUE(live.ok()) << id;
      EXPECT_EQ(live->version, folded_state.first) << id;
      EXPECT_EQ(live->state, folded_state.second) << id;  // byte for byte
      EXPECT_EQ(folds.at(id)->State(), folded_state.second) << id;
      for (auto& row : projector->IndexRows(id, folded_state.second)) expected_rows.insert(row);
    }
    std::set<std::pair<std::string, std::string>> live_rows;
    std::map<std::string, int64_t> live_counters, expected_counters;
    for (const auto& [id, folded_state] : folded) {
      for (const auto& [key, n] : projector->Counts(id, folded_state.second)) {
        expected_counters[key] += n;
      }
    }
    std::erase_if(expected_counters, [](const auto& c) { return c.second == 0; });
    const std::vector<std::string> unreplayed = projector->UnreplayedIndexPrefixes();
    ASSERT_TRUE(county.store
                    ->ScanPrefix(Family::kIndexes, "",
                                 [&](const std::string& key, const std::string& value) {
                                   for (const std::string& p : unreplayed) {
                                     if (absl::StartsWith(key, p)) return true;
                                   }
                                   if (absl::StartsWith(key, kCounterPrefix)) {
                                     if (DecodeCounter(value) != 0) {
                                       live_counters[key] = DecodeCounter(value);
                                     }
                                     return true;
                                   }
                                   live_rows.emplace(key, value);
                                   return true;
                                 })
                    .ok());
    EXPECT_EQ(live_rows, expected_rows);
    EXPECT_EQ(live_counters, expected_counters);
    EXPECT_FALSE(live_counters.empty());
  }

  testing::TempDir dir_;
  ManualClock clock_;
  Settings settings_;
  County fuyun_;
  County tianshan_;
};

TEST_F(ProjectorTest, FoldOfEachLogIsTheLiveProjection) {
  std::vector<std::string> members;
  for (int n = 0; n < 3; ++n) {
    v1::RegisterMemberRequest r;
    r.set_jurisdiction(kFuyun);
    r.set_branch("城关镇第一党支部");
    r.set_name(n == 0 ? "张三" : "努尔兰·哈木提");
    r.set_birth_date("1980-01-01");
    r.set_joined_on("2005-07-01");
    const std::string hash = "hash000000000" + std::to_string(n) + "xx";
    const std::string member = std::string(kFuyun) + "-" + hash.substr(0, 16);
    members.push_back(member);
    Commit(fuyun_, tianshan_, kTianshan, member,
           DecideRegisterMember(r, hash, "654322********001X", Ctx(kFuyun), settings_));
    v1::RegisterOutflowRequest o;
    o.set_member_id(member);
    o.set_destination_jurisdiction(kTianshan);
    o.set_destination_address("新华路8号");
    o.set_occupation("建筑工人");
    o.set_left_on(FormatDate(absl::ToCivilDay(clock_.Now(), Tz()) - 20));
    o.set_expected_return_on(FormatDate(absl::ToCivilDay(clock_.Now(), Tz()) + 300));
    Commit(fuyun_, tianshan_, kTianshan, member,
           DecideRegisterOutflow(Facts(fuyun_, member), o, Ctx(kFuyun), settings_));
  }
  // Arrival at the destination, recorded back home through Fuyun's inbox.
  v1::RecordArrivalRequest a;
  a.set_member_id(members[0]);
  a.set_jurisdiction(kTianshan);
  a.set_branch("天山区流动党员党支部");
  a.set_arrived_on(FormatDate(absl::ToCivilDay(clock_.Now(), Tz()) - 1));
  Commit(tianshan_, fuyun_, kFuyun, members[0],
         DecideRecordArrival(Facts(tianshan_, members[0]), a, Ctx(kTianshan), settings_));
  v1::IssueCertificateRequest c;
  c.set_member_id(members[0]);
  c.set_certificate_no("FY-1");
  c.set_valid_until(FormatDate(absl::ToCivilDay(clock_.Now(), Tz()) + 365));
  Commit(fuyun_, tianshan_, kTianshan, members[0],
         DecideIssueCertificate(Facts(fuyun_, members[0]), c, Ctx(kFuyun), settings_));
  // A transfer requested at home and accepted at the destination.
  v1::RequestTransferRequest t;
  t.set_member_id(members[1]);
  t.set_to_jurisdiction(kTianshan);
  t.set_letter_no("L-1");
  Commit(fuyun_, tianshan_, kTianshan, members[1],
         DecideRequestTransfer(Facts(fuyun_, members[1]), t, Ctx(kFuyun), settings_));
  v1::AcceptTransferRequest acc;
  acc.set_member_id(members[1]);
  acc.set_branch("天山区第一党支部");
  Commit(tianshan_, fuyun_, kFuyun, members[1],
         DecideAcceptTransfer(Facts(tianshan_, members[1]), acc, Ctx(kTianshan), settings_));
  // A return.
  v1::RecordReturnRequest ret;
  ret.set_member_id(members[2]);
  ret.set_returned_on(FormatDate(absl::ToCivilDay(clock_.Now(), Tz())));
  Commit(fuyun_, tianshan_, kTianshan, members[2],
         DecideRecordReturn(Facts(fuyun_, members[2]), ret, Ctx(kFuyun), settings_));

  ASSERT_EQ(Facts(fuyun_, members[1]).home_jurisdiction(), kTianshan);
  ExpectFoldMatches(fuyun_, kFuyun);
  ExpectFoldMatches(tianshan_, kTianshan);
}

TEST_F(ProjectorTest, RefusesEventsOfOtherServices) {
  std::unique_ptr<Projector> projector = NewProjector(kFuyun, settings_);
  Event contact;
  contact.set_type("ContactRecorded");
  contact.mutable_contact_recorded();
  EXPECT_EQ(projector->Evolve("", contact).status().code(), absl::StatusCode::kInvalidArgument);
  Event none;
  EXPECT_EQ(projector->Evolve("", none).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(projector->NewFold("")->Apply(contact).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(projector->NewFold("not facts \xff")->Apply(contact).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(projector->IndexRows("654322-x", "").empty());
  EXPECT_EQ(projector->UnreplayedIndexPrefixes(), (std::vector<std::string>{"id/", "pd/"}));
}

}  // namespace
}  // namespace lianxin::registry
