// Table tests of the registry decider: every rule it enforces, and the
// cross-county flows (DESIGN.md 1–7) played on two sides' facts in memory.
#include "services/registry/domain/decider.h"

#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace lianxin::registry {
namespace {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;

constexpr char kFuyun[] = "654322";
constexpr char kTianshan[] = "650102";
constexpr char kNanshan[] = "440305";

Settings TestSettings() {
  Settings s;
  s.on_system = {kFuyun, kTianshan, kNanshan};
  return s;
}

Context At(const char* county, const char* today) {
  absl::CivilDay day = *ParseDate(today);
  return Context{county, absl::FromCivil(day, absl::UTCTimeZone()), day, "op-1", "req-1"};
}

lianxin::v1::RegisterMemberRequest Registration() {
  lianxin::v1::RegisterMemberRequest r;
  r.set_jurisdiction(kFuyun);
  r.set_branch("库额尔齐斯镇党支部");
  r.set_name("张三");
  r.set_gender(lianxin::v1::GENDER_MALE);
  r.set_birth_date("1985-03-02");
  r.set_category(lianxin::v1::MEMBER_CATEGORY_FARMER);
  r.set_phone("13800000000");
  r.set_joined_on("2010-07-01");
  return r;
}

// Applies events to facts as their aggregate `id` would.
MemberFacts Apply(MemberFacts facts, const Events& events, const std::string& id = "654322-1") {
  for (Event e : events) {
    e.set_aggregate_id(id);
    facts = Evolve(std::move(facts), e);
  }
  return facts;
}

MemberFacts Registered() {
  auto events = DecideRegisterMember(Registration(), "hash-1", "110105********002X",
                                     At(kFuyun, "2026-01-05"), TestSettings());
  EXPECT_TRUE(events.ok()) << events.status();
  return Apply(MemberFacts(), *events);
}

lianxin::v1::RegisterOutflowRequest Outflow(const char* to, const char* left_on = "2026-02-01",
                                            const char* back = "2026-12-31") {
  lianxin::v1::RegisterOutflowRequest r;
  r.set_destination_jurisdiction(to);
  r.set_destination_address("乌鲁木齐市天山区解放北路1号");
  r.set_occupation("建筑工人");
  r.set_left_on(left_on);
  r.set_expected_return_on(back);
  r.set_contact_phone("13800000001");
  return r;
}

TEST(DecideRegisterMember, ClaimsTheIdentityHashAndRoutesNowhere) {
  auto events =
      DecideRegisterMember(Registration(), "hash-1", "m", At(kFuyun, "2026-01-05"), TestSettings());
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  const Event& e = (*events)[0];
  EXPECT_EQ(e.type(), "MemberRegistered");
  EXPECT_EQ(e.member_registered().name(), "张三");
  ASSERT_EQ(e.also_to_size(), 1);
  EXPECT_EQ(e.also_to(0).topic(), "lx.identity.v1");
  EXPECT_EQ(e.also_to(0).key(), "hash-1");
  EXPECT_EQ(e.routed_to_size(), 0);
  EXPECT_EQ(e.correlation_id(), "req-1");
}

TEST(DecideRegisterMember, RefusesBadDatesAndOtherCounties) {
  struct Case {
    const char* name;
    void (*mutate)(lianxin::v1::RegisterMemberRequest&);
    absl::StatusCode code;
    const char* field;
  } cases[] = {
      {"other county", [](auto& r) { r.set_jurisdiction(kTianshan); },
       absl::StatusCode::kPermissionDenied, "jurisdiction"},
      {"joined before born", [](auto& r) { r.set_joined_on("1980-01-01"); },
       absl::StatusCode::kInvalidArgument, "joined_on"},
      {"born in the future", [](auto& r) { r.set_birth_date("2027-01-01"); },
       absl::StatusCode::kInvalidArgument, "birth_date"},
  };
  for (const Case& c : cases) {
    auto request = Registration();
    c.mutate(request);
    auto events = DecideRegisterMember(request, "h", "m", At(kFuyun, "2026-01-05"), TestSettings());
    EXPECT_EQ(events.status().code(), c.code) << c.name;
    EXPECT_NE(events.status().message().find(c.field), std::string::npos)
        << c.name << ": " << events.status();
  }
}

TEST(DecideRegisterOutflow, RoutesToTheDestinationWithASnapshot) {
  MemberFacts facts = Registered();
  auto events =
      DecideRegisterOutflow(facts, Outflow(kTianshan), At(kFuyun, "2026-02-01"), TestSettings());
  ASSERT_TRUE(events.ok()) << events.status();
  const Event& e = (*events)[0];
  ASSERT_EQ(e.routed_to_size(), 1);
  EXPECT_EQ(e.routed_to(0), kTianshan);
  EXPECT_TRUE(e.outflow_registered().destination_on_system());
  EXPECT_EQ(e.outflow_registered().snapshot().registration().name(), "张三");
  MemberFacts after = Apply(facts, *events);
  EXPECT_EQ(StatusAsSeenBy(after, kFuyun), lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
}

TEST(DecideRegisterOutflow, OffSystemDestinationIsTrackedAlone) {
  auto events = DecideRegisterOutflow(Registered(), Outflow("110105"), At(kFuyun, "2026-02-01"),
                                      TestSettings());
  ASSERT_TRUE(events.ok());
  EXPECT_EQ((*events)[0].routed_to_size(), 0);
  EXPECT_FALSE((*events)[0].outflow_registered().destination_on_system());
}

TEST(DecideRegisterOutflow, RuleTable) {
  struct Case {
    const char* name;
    lianxin::v1::RegisterOutflowRequest request;
    const char* county;
    absl::StatusCode code;
    const char* says;
  } cases[] = {
      {"R1 day before three months", Outflow(kTianshan, "2026-03-01", "2026-05-31"), kFuyun,
       absl::StatusCode::kFailedPrecondition, "R1"},
      {"R1 day of three months", Outflow(kTianshan, "2026-03-01", "2026-06-01"), kFuyun,
       absl::StatusCode::kOk, ""},
      {"return before leaving", Outflow(kTianshan, "2026-03-01", "2026-02-01"), kFuyun,
       absl::StatusCode::kInvalidArgument, "expected_return_on"},
      {"to the home county", Outflow(kFuyun), kFuyun, absl::StatusCode::kInvalidArgument,
       "destination_jurisdiction"},
      {"by another county", Outflow(kNanshan), kTianshan, absl::StatusCode::kPermissionDenied,
       "home county"},
  };
  for (const Case& c : cases) {
    auto events =
        DecideRegisterOutflow(Registered(), c.request, At(c.county, "2026-02-01"), TestSettings());
    EXPECT_EQ(events.status().code(), c.code) << c.name << ": " << events.status();
    EXPECT_NE(std::string(events.status().message()).find(c.says), std::string::npos)
        << c.name << ": " << events.status();
  }
}

// Two registries in memory: each decides on its own facts; every event
// decided on one side is recorded on every side it is routed to (what the bus
// and the registry's consumer do), so both sides' facts must stay equal.
class TwoSides : public ::testing::Test {
 protected:
  void Record(const Events& events, const std::string& decided_by) {
    for (Event e : events) {
      e.set_aggregate_id("654322-1");
      sides_[decided_by] = Evolve(sides_[decided_by], e);
      for (const std::string& county : e.routed_to()) {
        sides_[county] = Evolve(sides_[county], e);
      }
    }
  }
  template <typename F>
  void Decide(const char* county, const char* today, F decide) {
    auto events = decide(sides_[county], At(county, today));
    ASSERT_TRUE(events.ok()) << events.status();
    Record(*events, county);
  }
  lianxin::v1::MemberStatus Status(const char* county) {
    return StatusAsSeenBy(sides_[county], county);
  }
  bool Equal(const char* a, const char* b) {
    google::protobuf::util::MessageDifferencer differencer;
    std::string diff;
    differencer.ReportDifferencesToString(&diff);
    bool equal = differencer.Compare(sides_[a], sides_[b]);
    EXPECT_EQ(diff, "") << a << " vs " << b;
    return equal;
  }

  Settings settings_ = TestSettings();
  std::map<std::string, MemberFacts> sides_;
};

TEST_F(TwoSides, Flows1To5_OutflowArrivalEntriesTransferReturnConverge) {
  sides_[kFuyun] = Registered();
  // 1. Outflow to Tianshan: Tianshan expects the member.
  Decide(kFuyun, "2026-02-01", [&](const MemberFacts& f, const Context& c) {
    return DecideRegisterOutflow(f, Outflow(kTianshan), c, settings_);
  });
  EXPECT_EQ(Status(kTianshan), lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
  EXPECT_TRUE(Equal(kFuyun, kTianshan));
  Decide(kFuyun, "2026-02-02", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::IssueCertificateRequest r;
    r.set_certificate_no("FY-2026-001");
    r.set_valid_until("2027-02-01");
    return DecideIssueCertificate(f, r, c, settings_);
  });
  // 2. Arrival at Tianshan: Fuyun sees "received at Tianshan, branch X".
  Decide(kTianshan, "2026-02-10", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::RecordArrivalRequest r;
    r.set_jurisdiction(kTianshan);
    r.set_branch("解放北路社区党支部");
    r.set_arrived_on("2026-02-09");
    r.set_certificate_no("FY-2026-001");
    return DecideRecordArrival(f, r, c, settings_);
  });
  EXPECT_EQ(Status(kFuyun), lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED);
  EXPECT_EQ(Status(kTianshan), lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
  EXPECT_EQ(sides_[kFuyun].arrival().branch(), "解放北路社区党支部");
  // 3. Organization life at Tianshan counts at Fuyun.
  Decide(kTianshan, "2026-03-01", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::RecordCertificateEntryRequest r;
    r.set_occurred_on("2026-02-28");
    r.set_activity("主题党日");
    return DecideRecordCertificateEntry(f, r, c, settings_);
  });
  EXPECT_EQ(sides_[kFuyun].organization_life_entries(), 1u);
  EXPECT_TRUE(Equal(kFuyun, kTianshan));
  // 4. Transfer requested then rejected, then requested and accepted.
  Decide(kFuyun, "2026-09-01", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::RequestTransferRequest r;
    r.set_to_jurisdiction(kTianshan);
    r.set_letter_no("新组转字001号");
    return DecideRequestTransfer(f, r, c, settings_);
  });
  EXPECT_EQ(Status(kFuyun), lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING);
  Decide(kTianshan, "2026-09-05", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::RejectTransferRequest r;
    r.set_reason("介绍信抬头有误");
    return DecideRejectTransfer(f, r, c, settings_);
  });
  EXPECT_EQ(Status(kFuyun), lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED);
  Decide(kFuyun, "2026-09-06", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::RequestTransferRequest r;
    r.set_to_jurisdiction(kTianshan);
    r.set_letter_no("新组转字002号");
    return DecideRequestTransfer(f, r, c, settings_);
  });
  Decide(kTianshan, "2026-09-10", [&](const MemberFacts& f, const Context& c) {
    return DecideAcceptTransfer(f, lianxin::v1::AcceptTransferRequest(), c, settings_);
  });
  EXPECT_EQ(Status(kFuyun), lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT);
  EXPECT_EQ(Status(kTianshan), lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN);
  EXPECT_EQ(sides_[kTianshan].registration().branch(), "解放北路社区党支部");
  EXPECT_TRUE(Equal(kFuyun, kTianshan));
  // The old home may no longer act on the member.
  auto refused = DecideRecordReturn(sides_[kFuyun], lianxin::v1::RecordReturnRequest(),
                                    At(kFuyun, "2026-10-01"), settings_);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(TwoSides, Flows5And6_ReturnClosesAndMovingOnReachesTheNewDestination) {
  sides_[kFuyun] = Registered();
  Decide(kFuyun, "2026-02-01", [&](const MemberFacts& f, const Context& c) {
    return DecideRegisterOutflow(f, Outflow(kTianshan), c, settings_);
  });
  // 6. Moving on to Nanshan: Tianshan closes, Nanshan expects.
  Decide(kFuyun, "2026-05-01", [&](const MemberFacts& f, const Context& c) {
    return DecideRegisterOutflow(f, Outflow(kNanshan, "2026-04-20"), c, settings_);
  });
  EXPECT_EQ(Status(kTianshan), lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
  EXPECT_EQ(Status(kNanshan), lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
  EXPECT_TRUE(Equal(kFuyun, kNanshan));
  EXPECT_TRUE(Equal(kFuyun, kTianshan));
  // 5. Return: Nanshan closes.
  Decide(kFuyun, "2026-11-01", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::RecordReturnRequest r;
    r.set_returned_on("2026-10-30");
    return DecideRecordReturn(f, r, c, settings_);
  });
  EXPECT_EQ(Status(kFuyun), lianxin::v1::MEMBER_STATUS_RESIDENT);
  EXPECT_EQ(Status(kNanshan), lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
  EXPECT_TRUE(Equal(kFuyun, kNanshan));
}

TEST_F(TwoSides, AnArrivalRecordedAfterTheMemberMovedOnIsStale) {
  sides_[kFuyun] = Registered();
  Decide(kFuyun, "2026-02-01", [&](const MemberFacts& f, const Context& c) {
    return DecideRegisterOutflow(f, Outflow(kTianshan), c, settings_);
  });
  // Tianshan records the arrival while Fuyun, not knowing it yet, moves the
  // member on to Nanshan; the arrival reaches Fuyun last.
  auto arrival = [&] {
    lianxin::v1::RecordArrivalRequest r;
    r.set_jurisdiction(kTianshan);
    r.set_branch("解放北路社区党支部");
    r.set_arrived_on("2026-02-09");
    return DecideRecordArrival(sides_[kTianshan], r, At(kTianshan, "2026-02-10"), settings_);
  }();
  ASSERT_TRUE(arrival.ok()) << arrival.status();
  sides_[kTianshan] = Apply(sides_[kTianshan], *arrival);
  Decide(kFuyun, "2026-02-10", [&](const MemberFacts& f, const Context& c) {
    return DecideRegisterOutflow(f, Outflow(kNanshan, "2026-02-05"), c, settings_);
  });
  sides_[kFuyun] = Apply(sides_[kFuyun], *arrival);
  EXPECT_EQ(Status(kFuyun), lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
  EXPECT_EQ(Status(kNanshan), lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
  EXPECT_EQ(StatusAsSeenBy(sides_[kFuyun], kTianshan), lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
  EXPECT_EQ(Status(kTianshan), lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
  EXPECT_TRUE(Equal(kFuyun, kNanshan));
}

TEST(DecideRecordReturn, RefusesReturnBeforeDeparture) {
  Settings settings = TestSettings();
  MemberFacts facts = Registered();
  facts = Apply(facts, *DecideRegisterOutflow(facts, Outflow(kTianshan, "2026-02-01"),
                                              At(kFuyun, "2026-02-01"), settings));
  lianxin::v1::RecordReturnRequest r;
  r.set_returned_on("2026-01-31");
  auto events = DecideRecordReturn(facts, r, At(kFuyun, "2026-03-01"), settings);
  EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(events.status().message().find("returned_on"), std::string::npos);
}

TEST(DecideIssueCertificate, RefusesAPastValidity) {
  Settings settings = TestSettings();
  MemberFacts facts = Registered();
  facts = Apply(
      facts, *DecideRegisterOutflow(facts, Outflow(kTianshan), At(kFuyun, "2026-02-01"), settings));
  lianxin::v1::IssueCertificateRequest r;
  r.set_certificate_no("FY-1");
  r.set_issued_on("2025-01-01");
  r.set_valid_until("2026-01-31");
  auto events = DecideIssueCertificate(facts, r, At(kFuyun, "2026-02-01"), settings);
  EXPECT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(events.status().message().find("valid_until"), std::string::npos);
  EXPECT_NE(events.status().message().find("has passed"), std::string::npos);
}

TEST(DecideRegisterArrival, OriginOffLianxinRegistersAtTheDestination) {
  Settings settings = TestSettings();
  lianxin::v1::RecordArrivalRequest r;
  r.set_jurisdiction(kFuyun);
  r.set_branch("富蕴县矿区联合党支部");
  r.set_arrived_on("2026-03-01");
  r.set_name("李四");
  r.set_birth_date("1990-05-05");
  r.set_joined_on("2015-07-01");
  r.set_origin_jurisdiction("412822");
  auto events = DecideRegisterArrival(r, "hash-2", "m", At(kFuyun, "2026-03-02"), settings);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  MemberFacts facts = Apply(MemberFacts(), *events, "654322-2");
  EXPECT_EQ(StatusAsSeenBy(facts, kFuyun), lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
  EXPECT_TRUE(facts.registration().origin_off_system());
  EXPECT_EQ(facts.home_jurisdiction(), "412822");

  r.set_origin_jurisdiction(kTianshan);  // runs lianxin: use its member id
  EXPECT_EQ(DecideRegisterArrival(r, "h", "m", At(kFuyun, "2026-03-02"), settings).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(DecideRecordArrival, OnlyTheExpectedDestinationOnceAndNotBeforeLeaving) {
  Settings settings = TestSettings();
  MemberFacts facts = Registered();
  facts = Apply(facts, *DecideRegisterOutflow(facts, Outflow(kTianshan, "2026-02-01"),
                                              At(kFuyun, "2026-02-01"), settings));
  lianxin::v1::RecordArrivalRequest r;
  r.set_branch("b");
  r.set_arrived_on("2026-01-31");
  r.set_jurisdiction(kNanshan);
  EXPECT_EQ(DecideRecordArrival(facts, r, At(kNanshan, "2026-02-05"), settings).status().code(),
            absl::StatusCode::kPermissionDenied);
  r.set_jurisdiction(kTianshan);
  auto early = DecideRecordArrival(facts, r, At(kTianshan, "2026-02-05"), settings);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(early.status().message().find("arrived_on"), std::string::npos);
  r.set_arrived_on("2026-02-03");
  auto ok = DecideRecordArrival(facts, r, At(kTianshan, "2026-02-05"), settings);
  ASSERT_TRUE(ok.ok()) << ok.status();
  facts = Apply(facts, *ok);
  EXPECT_EQ(DecideRecordArrival(facts, r, At(kTianshan, "2026-02-05"), settings).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace lianxin::registry
