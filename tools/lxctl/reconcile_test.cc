// Table tests of the R19 comparison: equal views agree; every compared field,
// status and missing side is named.
#include "tools/lxctl/reconcile.h"

#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace lianxin::lxctl {
namespace {

using lianxin::v1::Member;

constexpr char kA[] = "654322";  // origin, 富蕴县
constexpr char kB[] = "650102";  // destination, 乌鲁木齐市天山区

// A member of A who is away at B and received there, with a certificate, as
// A sees her.
Member AtOrigin() {
  Member m;
  m.set_member_id("654322-00ab");
  m.set_name("张三");
  m.set_home_jurisdiction(kA);
  m.set_status(lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED);
  m.set_destination_jurisdiction(kB);
  m.set_destination_branch("天山区第一支部");
  m.set_certificate_no("LX-2026-001");
  m.set_certificate_valid_until("2027-01-31");
  m.set_organization_life_entries(2);
  m.set_version(5);
  m.set_branch("富蕴县第一支部");
  (*m.mutable_status_by_county())[kA] = lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED;
  (*m.mutable_status_by_county())[kB] = lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE;
  return m;
}

// The same member as B sees her (version and other uncompared fields differ).
Member AtDestination() {
  Member m = AtOrigin();
  m.set_status(lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
  m.set_version(3);
  m.set_phone("13900000000");
  return m;
}

TEST(CompareMembers, EqualViewsAgree) {
  const Member a = AtOrigin();
  const Member b = AtDestination();
  EXPECT_TRUE(CompareMembers(kA, kB, &a, &b).empty());
}

TEST(CompareMembers, AfterTheDestinationClosedOnlyStatusesCount) {
  // The member moved on to 440305 and was received there: A knows the new
  // branch, B (closed, no longer told) does not. That is no disagreement.
  Member a = AtOrigin();
  a.set_destination_jurisdiction("440305");
  a.set_destination_branch("南山区第二支部");
  (*a.mutable_status_by_county())[kB] = lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED;
  Member b = AtDestination();
  b.set_status(lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
  b.set_destination_jurisdiction("440305");
  b.clear_destination_branch();
  (*b.mutable_status_by_county())[kB] = lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED;
  EXPECT_TRUE(CompareMembers(kA, kB, &a, &b).empty());
  // What B derives for A stops where B's part ended: A has moved on since
  // (received at 440305, or transferred in then away again), unseen by B.
  (*b.mutable_status_by_county())[kA] = lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING;
  EXPECT_TRUE(CompareMembers(kA, kB, &a, &b).empty());
  // But B's own status still counts.
  (*a.mutable_status_by_county())[kB] = lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE;
  bool named = false;
  for (const Disagreement& d : CompareMembers(kA, kB, &a, &b)) {
    named = named || d.field == "status_by_county[650102]";
  }
  EXPECT_TRUE(named);
}

TEST(CompareMembers, UncomparedCountiesAndFieldsAreIgnored) {
  Member a = AtOrigin();
  Member b = AtDestination();
  // A third county (a previous destination) known to one side only.
  (*a.mutable_status_by_county())["440305"] = lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED;
  b.set_occupation("务工");
  EXPECT_TRUE(CompareMembers(kA, kB, &a, &b).empty());
}

TEST(CompareMembers, EachDifferingFieldIsNamed) {
  struct Case {
    std::string field;
    std::function<void(Member&)> change_at_b;
    std::string at_a;
    std::string at_b;
  };
  using S = lianxin::v1::MemberStatus;
  auto status_at = [](const std::string& county, S status) {
    return [county, status](Member& m) { (*m.mutable_status_by_county())[county] = status; };
  };
  const std::vector<Case> cases = {
      {"home_jurisdiction", [](Member& m) { m.set_home_jurisdiction(kB); }, kA, kB},
      {"destination_jurisdiction", [](Member& m) { m.set_destination_jurisdiction("440305"); }, kB,
       "440305"},
      {"destination_branch", [](Member& m) { m.clear_destination_branch(); }, "天山区第一支部", ""},
      {"certificate_no", [](Member& m) { m.set_certificate_no("LX-2026-002"); }, "LX-2026-001",
       "LX-2026-002"},
      {"certificate_valid_until", [](Member& m) { m.set_certificate_valid_until("2026-12-31"); },
       "2027-01-31", "2026-12-31"},
      {"transfer_to_jurisdiction", [](Member& m) { m.set_transfer_to_jurisdiction(kB); }, "", kB},
      {"transfer_letter_no", [](Member& m) { m.set_transfer_letter_no("介字001号"); }, "",
       "介字001号"},
      {"transfer_pending", [](Member& m) { m.set_transfer_pending(true); }, "false", "true"},
      {"transfer_outcome", [](Member& m) { m.set_transfer_outcome("REJECTED"); }, "", "REJECTED"},
      {"organization_life_entries", [](Member& m) { m.set_organization_life_entries(3); }, "2",
       "3"},
      {"returned_on", [](Member& m) { m.set_returned_on("2026-02-01"); }, "", "2026-02-01"},
      {"lost_contact", [](Member& m) { m.set_lost_contact(true); }, "false", "true"},
  };
  for (const Case& c : cases) {
    const Member a = AtOrigin();
    Member b = AtDestination();
    c.change_at_b(b);
    const std::vector<Disagreement> found = CompareMembers(kA, kB, &a, &b);
    ASSERT_EQ(found.size(), 1u) << c.field;
    EXPECT_EQ(found[0], (Disagreement{"654322-00ab", "张三", c.field, c.at_a, c.at_b}));
  }

  // Statuses: B derives another status for A (status_by_county[A] and A's own
  // status disagree with it), or B's own status disagrees with A's view of B.
  struct StatusCase {
    std::function<void(Member&)> change_at_b;
    std::vector<Disagreement> expected;
  };
  const std::vector<StatusCase> status_cases = {
      {status_at(kA, lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING),
       {{"654322-00ab", "张三", "status_by_county[654322]", "OUTFLOW_RECEIVED", "OUTFLOW_PENDING"},
        {"654322-00ab", "张三", "status[654322]", "OUTFLOW_RECEIVED", "OUTFLOW_PENDING"}}},
      {[](Member& m) {
         (*m.mutable_status_by_county())[kB] = lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED;
         m.set_status(lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
       },
       {{"654322-00ab", "张三", "status_by_county[650102]", "INFLOW_ACTIVE", "INFLOW_EXPECTED"},
        {"654322-00ab", "张三", "status[650102]", "INFLOW_ACTIVE", "INFLOW_EXPECTED"}}},
      // B's own status disagrees with what B itself derives: only status[B].
      {[](Member& m) { m.set_status(lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED); },
       {{"654322-00ab", "张三", "status[650102]", "INFLOW_ACTIVE", "INFLOW_CLOSED"}}},
      // B does not know A has a part in the member.
      {[](Member& m) { m.mutable_status_by_county()->erase(kA); },
       {{"654322-00ab", "张三", "status_by_county[654322]", "OUTFLOW_RECEIVED", "(absent)"},
        {"654322-00ab", "张三", "status[654322]", "OUTFLOW_RECEIVED", "(absent)"}}},
  };
  for (size_t i = 0; i < status_cases.size(); ++i) {
    const Member a = AtOrigin();
    Member b = AtDestination();
    status_cases[i].change_at_b(b);
    EXPECT_EQ(CompareMembers(kA, kB, &a, &b), status_cases[i].expected) << "status case " << i;
  }
}

TEST(CompareMembers, OwnStatusAtOriginIsCheckedAgainstTheDestination) {
  Member a = AtOrigin();
  a.set_status(lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
  const Member b = AtDestination();
  EXPECT_EQ(CompareMembers(kA, kB, &a, &b),
            (std::vector<Disagreement>{
                {"654322-00ab", "张三", "status[654322]", "OUTFLOW_PENDING", "OUTFLOW_RECEIVED"}}));
}

TEST(CompareMembers, SeveralDifferencesAreAllListedInFieldOrder) {
  const Member a = AtOrigin();
  Member b = AtDestination();
  b.set_lost_contact(true);
  b.set_certificate_no("");
  const std::vector<Disagreement> found = CompareMembers(kA, kB, &a, &b);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].field, "certificate_no");
  EXPECT_EQ(found[1].field, "lost_contact");
}

TEST(CompareMembers, MissingSideIsOneDisagreement) {
  const Member a = AtOrigin();
  const Member b = AtDestination();
  EXPECT_EQ(CompareMembers(kA, kB, &a, nullptr),
            (std::vector<Disagreement>{
                {"654322-00ab", "张三", "member", "present", "missing at 650102"}}));
  EXPECT_EQ(CompareMembers(kA, kB, nullptr, &b),
            (std::vector<Disagreement>{
                {"654322-00ab", "张三", "member", "missing at 654322", "present"}}));
  EXPECT_TRUE(CompareMembers(kA, kB, nullptr, nullptr).empty());
}

TEST(SharesWith, UsesStatusByCounty) {
  const Member a = AtOrigin();
  EXPECT_TRUE(SharesWith(a, kB));
  EXPECT_TRUE(SharesWith(a, kA));
  EXPECT_FALSE(SharesWith(a, "440305"));
  EXPECT_FALSE(SharesWith(Member(), kB));
}

TEST(MemberIdLess, OrdersByCountyThenNumber) {
  EXPECT_TRUE(MemberIdLess("654322-2", "654322-10"));
  EXPECT_FALSE(MemberIdLess("654322-10", "654322-2"));
  EXPECT_TRUE(MemberIdLess("650102-99", "654322-1"));
  EXPECT_TRUE(MemberIdLess("654322-00ab", "654322-00ac"));
  EXPECT_FALSE(MemberIdLess("654322-1", "654322-1"));
  EXPECT_TRUE(MemberIdLess("abc", "abd"));
}

}  // namespace
}  // namespace lianxin::lxctl
