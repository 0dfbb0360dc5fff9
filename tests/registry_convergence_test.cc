// Convergence of the sides' views of shared members (DESIGN.md "The two
// sides must converge"; domain.md R19) across real processes: a seeded
// sequence of commands, counties that share a member again after a while,
// and commands of two counties racing on one member.
#include <algorithm>
#include <random>
#include <set>

#include "gmock/gmock.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

// Deliveries take well under a second here; a view still differing after
// this long does not converge.
constexpr absl::Duration kConvergenceTimeout = absl::Seconds(10);

class RegistryConvergenceTest : public SharedRegistryClusterTest {};

// The test's model of one member, to choose commands the rules allow.
struct ModelMember {
  std::string id;
  std::string home = kFuyun;
  bool away = false;
  std::string destination;
  bool arrived = false;
  bool transfer_pending = false;
  std::string transfer_to;
  std::string certificate;
  int left_offset = 0;
};

bool OnLianxin(const std::string& county) {
  return county == kFuyun || county == kTianshan || county == kNanshan;
}

// The counties that currently share the member and run lianxin.
std::vector<std::string> Sharers(const ModelMember& m) {
  std::set<std::string> s = {m.home};
  if (m.away && OnLianxin(m.destination)) s.insert(m.destination);
  if (m.transfer_pending && OnLianxin(m.transfer_to)) s.insert(m.transfer_to);
  return {s.begin(), s.end()};
}

// Empty if every sharer shows the same view and every county that holds the
// member shows itself the status the sharers say it shows; else the differences.
std::string Disagreement(RegistryCluster& cluster, const ModelMember& m) {
  std::string diff;
  std::optional<v1::Member> first;
  for (const std::string& county : Sharers(m)) {
    absl::StatusOr<v1::Member> view = cluster.Get(county, m.id);
    if (!view.ok()) {
      absl::StrAppend(&diff, county, ": ", view.status().ToString(), "\n");
      continue;
    }
    if (!first.has_value()) {
      first = *view;
    } else if (SharedView(*view) != SharedView(*first)) {
      absl::StrAppend(&diff, "  ", county, ": ", SharedView(*view), "\n  vs ", SharedView(*first),
                      "\n");
    }
  }
  if (!first.has_value()) return diff;
  for (const auto& [county, status] : first->status_by_county()) {
    if (!OnLianxin(county)) continue;
    absl::StatusOr<v1::Member> own = cluster.Get(county, m.id);
    if (own.ok() && own->status() != status) {
      absl::StrAppend(&diff, county, " shows itself ", v1::MemberStatus_Name(own->status()),
                      " but the sharers say ", v1::MemberStatus_Name(status), "\n");
    }
  }
  return diff;
}

bool WaitConverged(RegistryCluster& cluster, const ModelMember& m, std::string* diff) {
  bool ok = WaitFor([&] { return Disagreement(cluster, m).empty(); }, kConvergenceTimeout);
  if (!ok) *diff = absl::StrCat(m.id, ":\n", Disagreement(cluster, m));
  return ok;
}

// A seeded sequence of commands on several members, each issued once the
// sharers agree (commands never race here); then every shared member's views
// agree, and each county's own status is what the others say it is.
TEST_F(RegistryConvergenceTest, RandomCommands_OnceQuiet_BothSidesAgree) {
  std::mt19937 random(20260514);
  const std::vector<std::string> counties = {kFuyun, kTianshan, kNanshan, kOffSystem};
  std::vector<ModelMember> members(6);
  for (size_t i = 0; i < members.size(); ++i) {
    members[i].home = i % 3 == 2 ? kTianshan : kFuyun;
    LX_ASSERT_OK_AND_ASSIGN(
        members[i].id, cluster().Register(members[i].home, NewPerson("随机" + std::to_string(i))));
  }
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(random)];
  };
  std::vector<std::string> log;
  int certificates = 0;
  for (int step = 0; step < 36; ++step) {
    ModelMember& m = members[std::uniform_int_distribution<size_t>(0, members.size() - 1)(random)];
    std::string diff;
    ASSERT_TRUE(WaitConverged(cluster(), m, &diff)) << "before step " << step << ":\n"
                                                    << diff << absl::StrJoin(log, "\n");
    std::vector<std::string> choices;
    if (m.transfer_pending) {
      choices = {"accept", "reject"};
    } else if (!m.away) {
      choices = {"outflow", "outflow", "transfer"};
    } else {
      choices = {"return", "change", "certificate", "transfer"};
      if (OnLianxin(m.destination) && !m.arrived) choices.push_back("arrive");
      if (OnLianxin(m.destination) && !m.arrived) choices.push_back("arrive");
      if (m.arrived && !m.certificate.empty()) choices.push_back("entry");
    }
    const std::string action = pick(choices);
    std::vector<std::string> others;
    for (const std::string& c : counties) {
      if (c != m.home && c != m.destination) others.push_back(c);
    }
    absl::Status s;
    std::string what = absl::StrCat(step, " ", m.id, " ", action);
    if (action == "outflow" || action == "change") {
      const std::string to = pick(others);
      m.left_offset = action == "outflow" ? -90 : std::min(m.left_offset + 5, -1);
      s = cluster().RegisterOutflow(m.home, Outflow(m.id, to, m.left_offset));
      absl::StrAppend(&what, " ", to);
      if (s.ok()) {
        m.away = true;
        m.destination = to;
        m.arrived = false;
      }
    } else if (action == "arrive") {
      v1::RecordArrivalRequest r = Arrival(m.id, m.destination);
      r.set_arrived_on(Day(m.left_offset + 1));
      r.set_certificate_no(m.certificate);
      s = cluster().RecordArrival(m.destination, r);
      if (s.ok()) m.arrived = true;
    } else if (action == "certificate") {
      m.certificate = absl::StrCat("随机证", ++certificates);
      s = cluster().IssueCertificate(m.home, Certificate(m.id, m.certificate));
    } else if (action == "entry") {
      s = cluster().RecordCertificateEntry(m.destination, OrganizationLife(m.id, -1));
    } else if (action == "return") {
      s = cluster().RecordReturn(m.home, Return(m.id, -1));
      if (s.ok()) m.away = false;
    } else if (action == "transfer") {
      std::vector<std::string> targets;
      for (const char* c : {kFuyun, kTianshan, kNanshan}) {
        if (c != m.home) targets.push_back(c);
      }
      m.transfer_to = m.away && OnLianxin(m.destination) ? m.destination : pick(targets);
      s = cluster().RequestTransfer(
          m.home, Transfer(m.id, m.transfer_to, "随机转字" + std::to_string(step)));
      absl::StrAppend(&what, " ", m.transfer_to);
      if (s.ok()) m.transfer_pending = true;
    } else if (action == "accept") {
      s = cluster().AcceptTransfer(m.transfer_to, Accept(m.id, "接收党支部"));
      if (s.ok()) {
        m.transfer_pending = false;
        m.home = m.transfer_to;
        m.away = false;
        m.destination.clear();
        m.arrived = false;
      }
    } else if (action == "reject") {
      s = cluster().RejectTransfer(m.transfer_to, Reject(m.id));
      if (s.ok()) m.transfer_pending = false;
    }
    log.push_back(absl::StrCat(what, " -> ", s.ToString()));
    ASSERT_TRUE(s.ok()) << absl::StrJoin(log, "\n");
  }
  for (const ModelMember& m : members) {
    std::string diff;
    EXPECT_TRUE(WaitConverged(cluster(), m, &diff)) << diff << absl::StrJoin(log, "\n");
  }
}

// A member sent back to a county that shared it before (B, closed when the
// member moved on to C) must be seen there with the current facts, not with
// what B knew when it closed (the certificate was issued while at C).
TEST_F(RegistryConvergenceTest, ChangeOfDestination_BackToFormerDestination_SeesCurrentFacts) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().RegisterAway(kFuyun, kTianshan));
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kNanshan, -50)));
  ASSERT_TRUE(cluster().WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_CLOSED));
  LX_ASSERT_OK(cluster().IssueCertificate(kFuyun, Certificate(id, "富流证2026-0900")));
  ASSERT_TRUE(cluster().WaitForMember(
      kNanshan, id, [](const v1::Member& m) { return m.certificate_no() == "富流证2026-0900"; }));
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kTianshan, -40)));
  ASSERT_TRUE(cluster().WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  ModelMember m{.id = id, .home = kFuyun, .away = true, .destination = kTianshan};
  std::string diff;
  EXPECT_TRUE(WaitConverged(cluster(), m, &diff)) << diff;
}

// After a transfer to C, the new home C sends the member to A, its former
// home: A must see C as home and itself as the destination.
TEST_F(RegistryConvergenceTest, OutflowToFormerHome_AfterTransfer_SeesNewHome) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, NewPerson("张伟")));
  LX_ASSERT_OK(cluster().RequestTransfer(kFuyun, Transfer(id, kNanshan, "新组转字第100号")));
  ASSERT_TRUE(cluster().WaitForMember(kNanshan, id,
                                      [](const v1::Member& m) { return m.transfer_pending(); }));
  LX_ASSERT_OK(cluster().AcceptTransfer(kNanshan, Accept(id, "南山区粤海街道党支部")));
  ASSERT_TRUE(cluster().WaitForStatus(kFuyun, id, v1::MEMBER_STATUS_TRANSFERRED_OUT));
  LX_ASSERT_OK(cluster().RegisterOutflow(kNanshan, Outflow(id, kFuyun, -30)));
  ASSERT_TRUE(cluster().WaitForMember(kFuyun, id, [](const v1::Member& m) {
    return m.destination_jurisdiction() == kFuyun;
  })) << cluster().Get(kFuyun, id)->DebugString();
  ModelMember m{.id = id, .home = kNanshan, .away = true, .destination = kFuyun};
  std::string diff;
  EXPECT_TRUE(WaitConverged(cluster(), m, &diff)) << diff;
  EXPECT_EQ(cluster().StatusAt(kFuyun, id), "MEMBER_STATUS_INFLOW_EXPECTED");
  // And A can record the arrival (after the member left C, 30 days ago).
  v1::RecordArrivalRequest arrival = Arrival(id, kFuyun, "富蕴县城关镇流动党员党支部");
  arrival.set_arrived_on(Day(-20));
  LX_EXPECT_OK(cluster().RecordArrival(kFuyun, arrival));
}

// Commands that race (B records the arrival while A, not yet knowing it,
// moves the member on to C): once the stream is quiet, the sides agree.
TEST_F(RegistryConvergenceTest, ArrivalRacingChangeOfDestination_OnceQuiet_SidesAgree) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().RegisterAway(kFuyun, kTianshan));
  cluster().BrokerDown();
  LX_EXPECT_OK(cluster().RecordArrival(kTianshan, Arrival(id, kTianshan)));
  LX_EXPECT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kNanshan, -20)));
  cluster().BrokerUp();
  ASSERT_TRUE(cluster().WaitForStatus(kNanshan, id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  // Quiet: B has learnt A's change.
  ASSERT_TRUE(cluster().WaitForMember(kTianshan, id, [](const v1::Member& m) {
    return m.destination_jurisdiction() != kTianshan;
  }));
  ModelMember m{.id = id, .home = kFuyun, .away = true, .destination = kNanshan};
  std::string diff;
  EXPECT_TRUE(WaitConverged(cluster(), m, &diff)) << diff;
  // B's arrival reached A after B stopped being the destination: A
  // acknowledged it without effect (only the current destination reports an
  // arrival).
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> home, cluster().History(kFuyun, id));
  EXPECT_THAT(Types(home), ::testing::Not(::testing::Contains("ArrivalRecorded")));
}

}  // namespace
}  // namespace lianxin::registry_test
