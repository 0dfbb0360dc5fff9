#include "services/oversight/figures.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "libs/memberfacts/member_facts.h"

namespace lianxin::oversight {
namespace {

using lianxin::v1::AreaFigures;
using lianxin::v1::Event;
using lianxin::v1::MemberFacts;

Event Registered(const std::string& home, lianxin::v1::MemberCategory category,
                 const std::string& joined_on) {
  Event e;
  e.set_aggregate_id("m1");
  auto* r = e.mutable_member_registered();
  r->set_home_jurisdiction(home);
  r->set_branch("一支部");
  r->set_name("张三");
  r->set_phone("13800000000");
  r->set_birth_date("1980-01-02");
  r->set_category(category);
  r->set_joined_on(joined_on);
  return e;
}

Event Outflow(const std::string& destination, const std::string& left_on) {
  Event e;
  e.set_aggregate_id("m1");
  auto* o = e.mutable_outflow_registered();
  o->set_destination_jurisdiction(destination);
  o->set_destination_on_system(true);
  o->set_left_on(left_on);
  o->set_contact_phone("13900000000");
  o->set_destination_address("某街 1 号");
  return e;
}

Event Arrival(const std::string& destination, const std::string& arrived_on) {
  Event e;
  e.set_aggregate_id("m1");
  auto* a = e.mutable_arrival_recorded();
  a->set_destination_jurisdiction(destination);
  a->set_branch("流入支部");
  a->set_arrived_on(arrived_on);
  return e;
}

Event Returned(const std::string& returned_on) {
  Event e;
  e.set_aggregate_id("m1");
  e.mutable_return_recorded()->set_returned_on(returned_on);
  return e;
}

MemberFacts Fold(const std::vector<Event>& events) {
  MemberFacts facts;
  for (const Event& e : events) facts = FoldMemberFacts(std::move(facts), e);
  return facts;
}

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

TEST(LevelOfTest, NamesTheLevelOfADivisionCode) {
  const struct {
    std::string code, level, prefix;
  } cases[] = {
      {"000000", "country", ""},        {"650000", "province", "65"},
      {"654300", "prefecture", "6543"}, {"654322", "county", "654322"},
      {"65432", "", "65432"},           {"65432x", "", "65432x"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(LevelOf(c.code), c.level) << c.code;
    EXPECT_EQ(ScopePrefix(c.code), c.prefix) << c.code;
  }
}

TEST(WithinTest, AnAreaLiesWithinItsPrefectureAndProvinceOnly) {
  const struct {
    std::string inner, outer;
    bool within;
  } cases[] = {
      {"654322", "654300", true},  {"654322", "650000", true},  {"654322", "654322", true},
      {"654300", "650000", true},  {"652301", "654300", false}, {"440305", "650000", false},
      {"650000", "654300", false}, {"440305", "000000", true},  {"000000", "650000", false},
      {"654322", "654321", false}, {"bad", "650000", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(Within(c.inner, c.outer), c.within) << c.inner << " in " << c.outer;
  EXPECT_EQ(PrefectureOf("654322"), "654300");
  EXPECT_EQ(ProvinceOf("654322"), "650000");
}

TEST(EventDayTest, ThePayloadsOwnDateElseTheDayRecorded) {
  EXPECT_EQ(EventDay(Outflow("650102", "2026-02-01")), Day(2026, 2, 1));
  EXPECT_EQ(EventDay(Arrival("650102", "2026-02-10")), Day(2026, 2, 10));
  EXPECT_EQ(EventDay(Registered("654322", lianxin::v1::MEMBER_CATEGORY_FARMER, "2010-07-01")),
            Day(2010, 7, 1));
  Event undated;
  undated.mutable_duplicate_suspected()->set_existing_member_id("x");
  EXPECT_EQ(EventDay(undated), std::nullopt);
  // 2026-03-01 17:00 UTC is already 2026-03-02 in the counties' time zone (UTC+8).
  undated.mutable_recorded_at()->set_seconds(absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(2026, 3, 1, 17, 0, 0), absl::UTCTimeZone())));
  EXPECT_EQ(EventDay(undated), Day(2026, 3, 2));
}

TEST(FactsAsOfTest, FoldsTheEventsDatedUpToTheDay) {
  const std::vector<Event> log = {
      Registered("654322", lianxin::v1::MEMBER_CATEGORY_FARMER, "2010-07-01"),
      Outflow("650102", "2026-02-01"), Arrival("650102", "2026-02-10"), Returned("2026-06-30")};
  EXPECT_EQ(FactsAsOf(log, Day(2010, 6, 30)), std::nullopt);
  const struct {
    absl::CivilDay day;
    lianxin::v1::MemberStatus status;
  } cases[] = {
      {Day(2010, 7, 1), lianxin::v1::MEMBER_STATUS_RESIDENT},
      {Day(2026, 1, 31), lianxin::v1::MEMBER_STATUS_RESIDENT},
      {Day(2026, 2, 1), lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING},
      {Day(2026, 2, 9), lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING},
      {Day(2026, 2, 10), lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED},
      {Day(2026, 6, 29), lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED},
      {Day(2026, 6, 30), lianxin::v1::MEMBER_STATUS_RESIDENT},
  };
  for (const auto& c : cases) {
    std::optional<MemberFacts> facts = FactsAsOf(log, c.day);
    ASSERT_TRUE(facts.has_value()) << c.day;
    EXPECT_EQ(StatusAsSeenBy(*facts, "654322"), c.status) << c.day;
  }
}

TEST(WithoutPersonalDataTest, KeepsWhatIsCountedAndDropsNamesPhonesAndAddresses) {
  Event r =
      WithoutPersonalData(Registered("654322", lianxin::v1::MEMBER_CATEGORY_FARMER, "2010-07-01"));
  EXPECT_EQ(r.member_registered().name(), "");
  EXPECT_EQ(r.member_registered().phone(), "");
  EXPECT_EQ(r.member_registered().birth_date(), "");
  EXPECT_EQ(r.member_registered().category(), lianxin::v1::MEMBER_CATEGORY_FARMER);
  EXPECT_EQ(r.member_registered().home_jurisdiction(), "654322");
  Event o = WithoutPersonalData(Outflow("650102", "2026-02-01"));
  EXPECT_EQ(o.outflow_registered().contact_phone(), "");
  EXPECT_EQ(o.outflow_registered().destination_address(), "");
  EXPECT_EQ(o.outflow_registered().destination_jurisdiction(), "650102");
}

TEST(CountMemberTest, HomeCountsAwayAndDestinationCountsPresent) {
  const MemberFacts facts =
      Fold({Registered("654322", lianxin::v1::MEMBER_CATEGORY_FARMER, "2010-07-01"),
            Outflow("650102", "2026-02-01"), Arrival("650102", "2026-02-10")});
  AreaFigures home = NewArea("654322");
  AreaFigures destination = NewArea("650102");
  CountMember(facts, "654322", Day(2026, 3, 1), &home);
  CountMember(facts, "650102", Day(2026, 3, 1), &destination);
  EXPECT_EQ(home.away(), 1u);
  EXPECT_EQ(home.within_province(), 1u);
  EXPECT_EQ(home.present_from_elsewhere(), 0u);
  ASSERT_EQ(home.by_category_size(), 1);
  EXPECT_EQ(home.by_category(0).key(), "MEMBER_CATEGORY_FARMER");
  EXPECT_EQ(destination.away(), 0u);
  EXPECT_EQ(destination.present_from_elsewhere(), 1u);
  // The province adds both: the member once away and once present.
  AreaFigures province = NewArea("650000");
  AddFigures(home, &province);
  AddFigures(destination, &province);
  EXPECT_EQ(province.level(), "province");
  EXPECT_EQ(province.away(), 1u);
  EXPECT_EQ(province.present_from_elsewhere(), 1u);
  EXPECT_EQ(province.by_category(0).count(), 1u);
}

TEST(CountMemberTest, ACertificateCountsWhileValidOnTheDay) {
  MemberFacts facts = Fold({Registered("654322", lianxin::v1::MEMBER_CATEGORY_FARMER, "2010-07-01"),
                            Outflow("440305", "2026-02-01")});
  facts.mutable_certificate()->set_valid_until("2026-12-31");
  const struct {
    absl::CivilDay day;
    uint64_t holders;
  } cases[] = {{Day(2026, 12, 31), 1}, {Day(2027, 1, 1), 0}};
  for (const auto& c : cases) {
    AreaFigures county = NewArea("654322");
    CountMember(facts, "654322", c.day, &county);
    EXPECT_EQ(county.certificate_holders(), c.holders) << c.day;
    EXPECT_EQ(county.cross_province(), 1u);
  }
}

TEST(FindUnmanagedTest, NoArrivalWithinThirtyDays) {
  const MemberFacts home =
      Fold({Registered("654322", lianxin::v1::MEMBER_CATEGORY_FARMER, "2010-07-01"),
            Outflow("650102", "2026-02-01")});
  const struct {
    absl::CivilDay day;
    size_t found;
  } cases[] = {{Day(2026, 3, 3), 0}, {Day(2026, 3, 4), 1}};  // day 30 vs day 31
  for (const auto& c : cases) {
    auto found = FindUnmanaged("m1", {{"654322", home}}, c.day);
    ASSERT_EQ(found.size(), c.found) << c.day;
    if (c.found == 0) continue;
    EXPECT_EQ(found[0].kind(), lianxin::v1::UNMANAGED_KIND_NO_ARRIVAL);
    EXPECT_EQ(found[0].home_jurisdiction(), "654322");
    EXPECT_EQ(found[0].other_jurisdiction(), "650102");
    EXPECT_EQ(found[0].since(), "2026-02-01");
  }
}

TEST(FindUnmanagedTest, LostAtOneSideAndViewsThatDisagree) {
  const std::vector<Event> events = {
      Registered("654322", lianxin::v1::MEMBER_CATEGORY_FARMER, "2010-07-01"),
      Outflow("650102", "2026-02-01"), Arrival("650102", "2026-02-10")};
  MemberFacts home = Fold(events);
  MemberFacts destination = Fold(events);
  EXPECT_TRUE(
      FindUnmanaged("m1", {{"654322", home}, {"650102", destination}}, Day(2026, 9, 1)).empty());
  home.set_lost_contact(true);
  destination.mutable_arrival()->set_branch("另一支部");
  auto found = FindUnmanaged("m1", {{"654322", home}, {"650102", destination}}, Day(2026, 9, 1));
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].kind(), lianxin::v1::UNMANAGED_KIND_LOST_AT_ONE_SIDE);
  EXPECT_EQ(found[1].kind(), lianxin::v1::UNMANAGED_KIND_VIEWS_DISAGREE);
  EXPECT_NE(found[1].detail().find("destination_branch"), std::string::npos);
  EXPECT_EQ(found[1].other_jurisdiction(), "650102");
}

TEST(FindUnmanagedTest, TransferReceiptOverdueAfterAMonth) {
  MemberFacts home =
      Fold({Registered("654322", lianxin::v1::MEMBER_CATEGORY_FARMER, "2010-07-01")});
  home.set_transfer_pending(true);
  home.mutable_transfer()->set_to_jurisdiction("650102");
  home.mutable_transfer()->set_requested_on("2026-02-01");
  EXPECT_TRUE(FindUnmanaged("m1", {{"654322", home}}, Day(2026, 3, 1)).empty());
  auto found = FindUnmanaged("m1", {{"654322", home}}, Day(2026, 3, 2));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind(), lianxin::v1::UNMANAGED_KIND_TRANSFER_RECEIPT_OVERDUE);
  EXPECT_EQ(found[0].other_jurisdiction(), "650102");
}

}  // namespace
}  // namespace lianxin::oversight
