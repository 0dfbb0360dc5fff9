// The oversight service across real processes: a lianxin-broker, the
// registries of 654322 (Fuyun, prefecture 654300), 650102 (Tianshan, 650100)
// and 440305 (Nanshan, another province), and oversight instances for the
// province 650000 reading the registries' topics (tests/registry_fixture.h).
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "gmock/gmock.h"
#include "lianxin/v1/oversight.grpc.pb.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

constexpr char kProvince[] = "650000";  // 新疆
constexpr char kAltay[] = "654300";     // 阿勒泰地区
constexpr char kUrumqi[] = "650100";    // 乌鲁木齐市
constexpr char kOtherPrefecture[] = "652300";

std::string AreaToken(const std::string& area) { return "area-token-" + area; }

// The figures Registry.GetStatistics and Oversight.GetFigures have in common.
std::string Common(uint64_t away, uint64_t present, uint64_t within, uint64_t cross,
                   uint64_t certificates, uint64_t pending, uint64_t lost, uint64_t returned,
                   uint64_t expected, uint64_t out, uint64_t in, uint64_t resident,
                   const google::protobuf::RepeatedPtrField<v1::CountByKey>& by_category) {
  std::string text = absl::StrCat(
      "away=", away, " present=", present, " within=", within, " cross=", cross,
      " certificates=", certificates, " pending=", pending, " lost=", lost, " returned=", returned,
      " expected=", expected, " out=", out, " in=", in, " resident=", resident);
  std::map<std::string, uint64_t> sorted;
  for (const auto& c : by_category) sorted[c.key()] = c.count();
  for (const auto& [key, count] : sorted) absl::StrAppend(&text, " ", key, "=", count);
  return text;
}
std::string Common(const v1::GetStatisticsReply& s) {
  return Common(s.outflow_count(), s.inflow_count(), s.within_province_count(),
                s.cross_province_count(), s.certificate_holders(), s.pending_transfer_count(),
                s.lost_contact_count(), s.returned_count(), s.expected_inflow_count(),
                s.transferred_out_count(), s.transferred_in_count(), s.resident_count(),
                s.by_category());
}
std::string Common(const v1::AreaFigures& f) {
  return Common(f.away(), f.present_from_elsewhere(), f.within_province(), f.cross_province(),
                f.certificate_holders(), f.pending_transfers(), f.lost_contact(), f.returned(),
                f.expected_inflow(), f.transferred_out(), f.transferred_in(), f.resident(),
                f.by_category());
}

class OversightTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LX_ASSERT_OK(cluster_.Start());
    // Area principals beside the counties' (auth.h: digests only, 0600).
    std::string text;
    for (const char* area : {kProvince, kAltay, kUrumqi, kOtherPrefecture}) {
      text += AreaToken(area) + " ro-" + area + " " + area + " readonly\n";
    }
    std::ofstream(cluster_.dir().Sub("tokens.txt"), std::ios::app) << DigestTokenFile(text);
  }

  // An oversight instance of the province with its own data dir.
  struct Instance {
    RegistryCluster::ServiceProcess process;
    std::unique_ptr<v1::Oversight::Stub> stub;
  };
  std::unique_ptr<Instance> StartOversight(const std::string& name) {
    absl::StatusOr<RegistryCluster::ServiceProcess> process = cluster_.StartService(
        "oversight", kProvince, {"--data_dir=" + cluster_.dir().Sub("oversight-" + name)});
    if (!process.ok()) {
      ADD_FAILURE() << process.status();
      return nullptr;
    }
    auto instance = std::make_unique<Instance>();
    instance->stub = v1::Oversight::NewStub(cluster_.NewChannel(process->address));
    instance->process = *std::move(process);
    return instance;
  }

  absl::StatusOr<v1::GetFiguresReply> Figures(Instance& instance, const std::string& scope,
                                              const std::string& token,
                                              const std::string& as_of = "") {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    context.AddMetadata("authorization", "Bearer " + token);
    v1::GetFiguresRequest request;
    request.set_scope(scope);
    request.set_as_of(as_of);
    v1::GetFiguresReply reply;
    absl::Status s = FromGrpcStatus(instance.stub->GetFigures(&context, request, &reply));
    if (!s.ok()) return s;
    return reply;
  }
  absl::StatusOr<v1::AreaFigures> Area(Instance& instance, const std::string& code,
                                       const std::string& as_of = "") {
    absl::StatusOr<v1::GetFiguresReply> reply =
        Figures(instance, code, AreaToken(kProvince), as_of);
    if (!reply.ok()) return reply.status();
    return reply->total();
  }

  // Each county's figures at the instance equal its own GetStatistics.
  std::string Differences(Instance& instance) {
    std::string diff;
    for (const char* county : {kFuyun, kTianshan}) {
      absl::StatusOr<v1::GetStatisticsReply> own = cluster_.Statistics(county);
      absl::StatusOr<v1::AreaFigures> seen = Area(instance, county);
      if (!own.ok() || !seen.ok()) return "unreachable";
      if (Common(*own) != Common(*seen)) {
        absl::StrAppend(&diff, county, ":\n  own       ", Common(*own), "\n  oversight ",
                        Common(*seen), "\n");
      }
    }
    return diff;
  }

  RegistryCluster cluster_{{kFuyun, kTianshan, kNanshan}};
};

// A seeded history of outflows, arrivals, certificates, changes of
// destination and returns; once quiet, the oversight's county figures are
// the counties' own, and every level above adds them up.
TEST_F(OversightTest, CountsAtEveryLevel_EqualTheCountiesOwnStatistics_AfterARandomHistory) {
  std::unique_ptr<Instance> oversight = StartOversight("a");
  ASSERT_NE(oversight, nullptr);
  std::mt19937 random(20261208);
  struct Model {
    std::string id, home, destination;
    bool away = false, arrived = false;
  };
  std::vector<Model> members;
  for (int i = 0; i < 8; ++i) {
    Model m;
    m.home = i % 3 == 2 ? kTianshan : kFuyun;
    LX_ASSERT_OK_AND_ASSIGN(m.id, cluster_.Register(m.home, NewPerson(absl::StrCat("监督", i))));
    members.push_back(m);
  }
  const std::vector<std::string> counties = {kFuyun, kTianshan, kNanshan, kOffSystem};
  int certificates = 0;
  for (int step = 0; step < 30; ++step) {
    Model& m = members[random() % members.size()];
    std::vector<std::string> choices = {"outflow"};
    if (m.away) choices = {"return", "certificate", "outflow"};
    if (m.away && !m.arrived && m.destination != kOffSystem) choices.push_back("arrive");
    const std::string action = choices[random() % choices.size()];
    if (action == "outflow") {
      std::vector<std::string> to;
      for (const auto& c : counties) {
        if (c != m.home && c != m.destination) to.push_back(c);
      }
      const std::string destination = to[random() % to.size()];
      if (cluster_.RegisterOutflow(m.home, Outflow(m.id, destination, m.away ? -20 : -90)).ok()) {
        m.away = true;
        m.arrived = false;
        m.destination = destination;
      }
    } else if (action == "arrive") {
      // The destination records it once the outflow has reached it.
      ASSERT_TRUE(cluster_.WaitForStatus(m.destination, m.id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
      v1::RecordArrivalRequest r = Arrival(m.id, m.destination);
      r.set_arrived_on(Day(-15));
      if (cluster_.RecordArrival(m.destination, r).ok()) m.arrived = true;
    } else if (action == "certificate") {
      cluster_.IssueCertificate(m.home, Certificate(m.id, absl::StrCat("监证", ++certificates)))
          .IgnoreError();
    } else if (cluster_.RecordReturn(m.home, Return(m.id)).ok()) {
      m.away = false;
      m.destination.clear();
    }
  }
  std::string diff;
  EXPECT_TRUE(WaitFor([&] { return (diff = Differences(*oversight)).empty(); }, kDeliveryTimeout))
      << diff << cluster_.Logs();
  // The levels add up: Altay holds Fuyun only, the province both counties.
  LX_ASSERT_OK_AND_ASSIGN(v1::GetStatisticsReply fuyun, cluster_.Statistics(kFuyun));
  LX_ASSERT_OK_AND_ASSIGN(v1::GetStatisticsReply tianshan, cluster_.Statistics(kTianshan));
  LX_ASSERT_OK_AND_ASSIGN(v1::AreaFigures altay, Area(*oversight, kAltay));
  LX_ASSERT_OK_AND_ASSIGN(v1::AreaFigures province, Area(*oversight, kProvince));
  EXPECT_EQ(Common(altay), Common(fuyun));
  EXPECT_EQ(altay.level(), "prefecture");
  EXPECT_EQ(province.away(), fuyun.outflow_count() + tianshan.outflow_count());
  EXPECT_EQ(province.present_from_elsewhere(), fuyun.inflow_count() + tianshan.inflow_count());
  EXPECT_EQ(province.resident(), fuyun.resident_count() + tianshan.resident_count());
  EXPECT_EQ(province.certificate_holders(),
            fuyun.certificate_holders() + tianshan.certificate_holders());
  // The province's reply lists its prefectures then its counties.
  LX_ASSERT_OK_AND_ASSIGN(v1::GetFiguresReply reply,
                          Figures(*oversight, kProvince, AreaToken(kProvince)));
  std::vector<std::string> codes;
  for (const auto& a : reply.areas()) codes.push_back(a.code());
  EXPECT_THAT(codes, ::testing::ElementsAre("650100", "654300", "650102", "654322"));
}

// "As of" a past day: the figures from the events dated up to that day.
TEST_F(OversightTest, AsOfADay_CountsTheEventsDatedUpToIt) {
  std::unique_ptr<Instance> oversight = StartOversight("a");
  ASSERT_NE(oversight, nullptr);
  // Three members of Fuyun: left 90 days ago and arrived 80 days ago; left 40
  // days ago; left 90 days ago and came back 30 days ago.
  LX_ASSERT_OK_AND_ASSIGN(std::string a, cluster_.Register(kFuyun, NewPerson("甲")));
  LX_ASSERT_OK_AND_ASSIGN(std::string b, cluster_.Register(kFuyun, NewPerson("乙")));
  LX_ASSERT_OK_AND_ASSIGN(std::string c, cluster_.Register(kFuyun, NewPerson("丙")));
  LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(a, kTianshan, -90)));
  LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(b, kNanshan, -40)));
  LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(c, kTianshan, -90)));
  ASSERT_TRUE(cluster_.WaitForStatus(kTianshan, a, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  v1::RecordArrivalRequest arrival = Arrival(a, kTianshan);
  arrival.set_arrived_on(Day(-80));
  LX_ASSERT_OK(cluster_.RecordArrival(kTianshan, arrival));
  LX_ASSERT_OK(cluster_.RecordReturn(kFuyun, Return(c, -30)));
  ASSERT_TRUE(cluster_.WaitForStatus(kFuyun, a, v1::MEMBER_STATUS_OUTFLOW_RECEIVED));
  ASSERT_TRUE(WaitFor([&] { return Differences(*oversight).empty(); }, kDeliveryTimeout));
  // day offset -> (Fuyun away, Tianshan present, Fuyun returned); from the history above.
  const struct {
    int offset;
    uint64_t away, present, returned;
  } cases[] = {{-95, 0, 0, 0}, {-90, 2, 0, 0}, {-81, 2, 0, 0}, {-80, 2, 1, 0},
               {-40, 3, 1, 0}, {-31, 3, 1, 0}, {-30, 2, 1, 1}, {0, 2, 1, 1}};
  for (const auto& k : cases) {
    LX_ASSERT_OK_AND_ASSIGN(v1::AreaFigures fuyun, Area(*oversight, kFuyun, Day(k.offset)));
    LX_ASSERT_OK_AND_ASSIGN(v1::AreaFigures tianshan, Area(*oversight, kTianshan, Day(k.offset)));
    EXPECT_EQ(fuyun.away(), k.away) << "as of day " << k.offset;
    EXPECT_EQ(tianshan.present_from_elsewhere(), k.present) << "as of day " << k.offset;
    EXPECT_EQ(fuyun.returned(), k.returned) << "as of day " << k.offset;
  }
  // Today's figures as of today are the live ones.
  LX_ASSERT_OK_AND_ASSIGN(v1::AreaFigures now, Area(*oversight, kProvince));
  LX_ASSERT_OK_AND_ASSIGN(v1::AreaFigures today, Area(*oversight, kProvince, Day(0)));
  EXPECT_EQ(Common(now), Common(today));
}

// A member of Fuyun moving to Tianshan, then on to Nanshan (outside the
// province), then back: at every settled moment counted once as away at
// every level, and present only where it is.
TEST_F(OversightTest, AMemberMovingBetweenCounties_IsCountedOnceAtEveryLevel) {
  std::unique_ptr<Instance> oversight = StartOversight("a");
  ASSERT_NE(oversight, nullptr);
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster_.Register(kFuyun, NewPerson("丁")));
  auto settled = [&](uint64_t away, uint64_t present_province, uint64_t present_urumqi) {
    return WaitFor(
        [&] {
          absl::StatusOr<v1::AreaFigures> province = Area(*oversight, kProvince);
          absl::StatusOr<v1::AreaFigures> altay = Area(*oversight, kAltay);
          absl::StatusOr<v1::AreaFigures> urumqi = Area(*oversight, kUrumqi);
          absl::StatusOr<v1::AreaFigures> fuyun = Area(*oversight, kFuyun);
          return province.ok() && altay.ok() && urumqi.ok() && fuyun.ok() &&
                 province->away() == away && altay->away() == away && fuyun->away() == away &&
                 urumqi->away() == 0 && province->present_from_elsewhere() == present_province &&
                 urumqi->present_from_elsewhere() == present_urumqi &&
                 altay->present_from_elsewhere() == 0 &&
                 province->resident() + province->away() == 1;
        },
        kDeliveryTimeout);
  };
  ASSERT_TRUE(settled(0, 0, 0));
  LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(id, kTianshan, -60)));
  ASSERT_TRUE(cluster_.WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  LX_ASSERT_OK(cluster_.RecordArrival(kTianshan, Arrival(id, kTianshan)));
  EXPECT_TRUE(settled(1, 1, 1));
  LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(id, kNanshan, -10)));
  EXPECT_TRUE(settled(1, 0, 0));
  LX_ASSERT_OK(cluster_.RecordReturn(kFuyun, Return(id)));
  EXPECT_TRUE(settled(0, 0, 0));
}

// Two instances in one consumer group (scope 650000) share the partitions;
// their figures add up to those of one instance in a group of its own (scope
// 000000, every county). The history is written first: a partition that
// moves after it was read stays counted at its first owner (not built yet:
// docs/architecture.md), so the group starts on a quiet stream.
TEST_F(OversightTest, TwoInstancesInOneGroup_GiveTheFiguresOfOne) {
  for (int i = 0; i < 6; ++i) {
    LX_ASSERT_OK_AND_ASSIGN(std::string id,
                            cluster_.Register(kFuyun, NewPerson(absl::StrCat("戊", i))));
    LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(id, i % 2 ? kTianshan : kNanshan)));
  }
  absl::StatusOr<RegistryCluster::ServiceProcess> whole = cluster_.StartService(
      "oversight", "000000", {"--data_dir=" + cluster_.dir().Sub("oversight-whole")});
  LX_ASSERT_OK(whole.status());
  Instance one_instance{*std::move(whole), nullptr};
  one_instance.stub = v1::Oversight::NewStub(cluster_.NewChannel(one_instance.process.address));
  Instance* one = &one_instance;
  ASSERT_TRUE(WaitFor([&] { return Differences(*one).empty(); }, kDeliveryTimeout));
  std::unique_ptr<Instance> first = StartOversight("first");
  std::unique_ptr<Instance> second = StartOversight("second");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  LX_ASSERT_OK_AND_ASSIGN(v1::AreaFigures single, Area(*one, kProvince));
  auto sum = [&]() -> std::string {
    absl::StatusOr<v1::AreaFigures> a = Area(*first, kProvince);
    absl::StatusOr<v1::AreaFigures> b = Area(*second, kProvince);
    if (!a.ok() || !b.ok()) return "unreachable";
    v1::AreaFigures total = *a;
    total.clear_by_category();
    for (const auto* part : {&*a, &*b}) {
      if (part != &*a) {
        total.set_away(total.away() + part->away());
        total.set_present_from_elsewhere(total.present_from_elsewhere() +
                                         part->present_from_elsewhere());
        total.set_resident(total.resident() + part->resident());
        total.set_within_province(total.within_province() + part->within_province());
        total.set_cross_province(total.cross_province() + part->cross_province());
        total.set_expected_inflow(total.expected_inflow() + part->expected_inflow());
      }
    }
    return absl::StrCat(total.away(), "/", total.present_from_elsewhere(), "/", total.resident(),
                        "/", total.within_province(), "/", total.cross_province(), "/",
                        total.expected_inflow());
  };
  const std::string expected = absl::StrCat(
      single.away(), "/", single.present_from_elsewhere(), "/", single.resident(), "/",
      single.within_province(), "/", single.cross_province(), "/", single.expected_inflow());
  EXPECT_EQ(single.away(), 6u);
  std::string got;
  EXPECT_TRUE(WaitFor([&] { return (got = sum()) == expected; }, kDeliveryTimeout))
      << got << " vs " << expected;
}

// A prefecture sees its own subtree only; a county its own figures and rank.
TEST_F(OversightTest, APrefecturePrincipal_CannotSeeAnotherPrefecture) {
  std::unique_ptr<Instance> oversight = StartOversight("a");
  ASSERT_NE(oversight, nullptr);
  const struct {
    std::string token, scope;
    absl::StatusCode code;
  } cases[] = {
      {AreaToken(kAltay), kAltay, absl::StatusCode::kOk},
      {AreaToken(kAltay), kFuyun, absl::StatusCode::kOk},
      {AreaToken(kAltay), kUrumqi, absl::StatusCode::kPermissionDenied},
      {AreaToken(kAltay), kTianshan, absl::StatusCode::kPermissionDenied},
      {AreaToken(kAltay), kProvince, absl::StatusCode::kPermissionDenied},
      {AreaToken(kOtherPrefecture), kAltay, absl::StatusCode::kPermissionDenied},
      {AreaToken(kProvince), kAltay, absl::StatusCode::kOk},
      {OperatorToken(kFuyun), kFuyun, absl::StatusCode::kOk},
      {OperatorToken(kFuyun), kAltay, absl::StatusCode::kPermissionDenied},
      {OperatorToken(kFuyun), kTianshan, absl::StatusCode::kPermissionDenied},
      {AreaToken(kProvince), kNanshan, absl::StatusCode::kNotFound},
      {AreaToken(kProvince), "65430", absl::StatusCode::kInvalidArgument},
      {AreaToken(kProvince), "000000", absl::StatusCode::kNotFound},
      {"no-such-token", kAltay, absl::StatusCode::kUnauthenticated},
  };
  for (const auto& c : cases) {
    absl::StatusOr<v1::GetFiguresReply> reply = Figures(*oversight, c.scope, c.token);
    EXPECT_EQ(reply.status().code(), c.code)
        << c.token << " asks for " << c.scope << ": " << reply.status();
  }
  LX_ASSERT_OK_AND_ASSIGN(v1::GetFiguresReply own,
                          Figures(*oversight, kFuyun, OperatorToken(kFuyun)));
  EXPECT_TRUE(own.areas().empty());
  EXPECT_EQ(own.total().code(), kFuyun);
}

// Away without an arrival for more than 30 days: on the list, with both counties.
TEST_F(OversightTest, AwayWithoutArrival_IsOnTheNobodyManagesList) {
  std::unique_ptr<Instance> oversight = StartOversight("a");
  ASSERT_NE(oversight, nullptr);
  LX_ASSERT_OK_AND_ASSIGN(std::string late, cluster_.Register(kFuyun, NewPerson("己")));
  LX_ASSERT_OK_AND_ASSIGN(std::string recent, cluster_.Register(kFuyun, NewPerson("庚")));
  LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(late, kTianshan, -45)));
  LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(recent, kTianshan, -10)));
  v1::ListUnmanagedReply reply;
  ASSERT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext context;
        context.AddMetadata("authorization", "Bearer " + AreaToken(kAltay));
        v1::ListUnmanagedRequest request;
        request.set_scope(kAltay);
        reply.Clear();
        return oversight->stub->ListUnmanaged(&context, request, &reply).ok() && reply.total() >= 1;
      },
      kDeliveryTimeout));
  ASSERT_EQ(reply.members_size(), 1);
  EXPECT_EQ(reply.members(0).member_id(), late);
  EXPECT_EQ(reply.members(0).kind(), v1::UNMANAGED_KIND_NO_ARRIVAL);
  EXPECT_EQ(reply.members(0).home_jurisdiction(), kFuyun);
  EXPECT_EQ(reply.members(0).other_jurisdiction(), kTianshan);
  EXPECT_EQ(reply.members(0).since(), Day(-45));
  LX_ASSERT_OK_AND_ASSIGN(v1::AreaFigures fuyun, Area(*oversight, kFuyun));
  EXPECT_EQ(fuyun.unmanaged(), 1u);
}

}  // namespace
}  // namespace lianxin::registry_test
