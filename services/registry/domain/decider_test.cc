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

// Defect 2, R20: a transfer to a county off lianxin is finished on paper by
// the sender (the receipt) or withdrawn; either frees the member.
TEST_F(TwoSides, TransferOffLianxinEndsByPaperReceiptOrWithdrawal) {
  constexpr char kOff[] = "412822";  // not on lianxin
  sides_[kFuyun] = Registered();
  Decide(kFuyun, "2026-02-01", [&](const MemberFacts& f, const Context& c) {
    return DecideRegisterOutflow(f, Outflow(kTianshan), c, settings_);
  });
  auto request = [&](const char* letter) {
    Decide(kFuyun, "2026-09-01", [&](const MemberFacts& f, const Context& c) {
      lianxin::v1::RequestTransferRequest r;
      r.set_to_jurisdiction(kOff);
      r.set_letter_no(letter);
      return DecideRequestTransfer(f, r, c, settings_);
    });
  };
  request("新组转字101号");
  // The target cannot accept on lianxin; before: nothing else could either.
  lianxin::v1::RecordTransferReceiptRequest receipt;
  receipt.set_received_on("2026-09-20");
  receipt.set_branch("固始县城关镇党支部");
  struct Case {
    const char* name;
    const char* county;
    const char* received_on;
    absl::StatusCode code;
  } cases[] = {
      {"not the home", kTianshan, "2026-09-20", absl::StatusCode::kPermissionDenied},
      {"before the request", kFuyun, "2026-08-31", absl::StatusCode::kInvalidArgument},
      {"in the future", kFuyun, "2026-10-02", absl::StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    receipt.set_received_on(c.received_on);
    EXPECT_EQ(DecideRecordTransferReceipt(sides_[c.county], receipt, At(c.county, "2026-10-01"),
                                          settings_)
                  .status()
                  .code(),
              c.code)
        << c.name;
  }
  // Withdrawn: the member is away again, and a new outflow or return is possible.
  Decide(kFuyun, "2026-10-01", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::WithdrawTransferRequest r;
    r.set_reason("接收方要求重开介绍信");
    return DecideWithdrawTransfer(f, r, c, settings_);
  });
  EXPECT_EQ(Status(kFuyun), lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
  EXPECT_EQ(sides_[kFuyun].transfer_outcome(), "WITHDRAWN");
  EXPECT_TRUE(Equal(kFuyun, kTianshan));
  // Requested again, the paper receipt comes back: transferred out.
  request("新组转字102号");
  Decide(kFuyun, "2026-09-25", [&](const MemberFacts& f, const Context& c) {
    receipt.set_received_on("2026-09-20");
    return DecideRecordTransferReceipt(f, receipt, c, settings_);
  });
  EXPECT_EQ(Status(kFuyun), lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT);
  EXPECT_EQ(Status(kTianshan), lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
  EXPECT_EQ(sides_[kFuyun].home_jurisdiction(), kOff);
  EXPECT_TRUE(sides_[kFuyun].transfer_outcome() == "ACCEPTED");
  EXPECT_TRUE(Equal(kFuyun, kTianshan));
}

TEST(DecideWithdrawTransfer, OnlyForACountyOffLianxin) {
  Settings settings = TestSettings();
  MemberFacts facts = Registered();
  lianxin::v1::RequestTransferRequest r;
  r.set_to_jurisdiction(kTianshan);
  r.set_letter_no("x");
  facts = Apply(facts, *DecideRequestTransfer(facts, r, At(kFuyun, "2026-03-01"), settings));
  lianxin::v1::WithdrawTransferRequest w;
  w.set_reason("r");
  auto refused = DecideWithdrawTransfer(facts, w, At(kFuyun, "2026-03-02"), settings);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("R20"), std::string::npos);
  EXPECT_EQ(
      DecideWithdrawTransfer(Registered(), w, At(kFuyun, "2026-03-02"), settings).status().code(),
      absl::StatusCode::kFailedPrecondition);  // nothing pending
}

// Defect 2, R20: a destination takes a transfer-in from an origin off lianxin.
TEST(DecideRecordTransferIn, OriginOffLianxinBecomesOurs) {
  Settings settings = TestSettings();
  lianxin::v1::RecordTransferInRequest r;
  r.set_jurisdiction(kFuyun);
  r.set_branch("富蕴县矿区联合党支部");
  r.set_letter_no("豫组转字088号");
  r.set_accepted_on("2026-04-01");
  r.set_origin_jurisdiction("412822");
  r.set_name("李四");
  r.set_birth_date("1990-05-05");
  r.set_joined_on("2015-07-01");
  auto events = DecideRecordTransferIn(r, "hash-3", "m", At(kFuyun, "2026-04-02"), settings);
  ASSERT_TRUE(events.ok()) << events.status();
  MemberFacts facts = Apply(MemberFacts(), *events, "654322-3");
  EXPECT_EQ(StatusAsSeenBy(facts, kFuyun), lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN);
  EXPECT_EQ(facts.home_jurisdiction(), kFuyun);
  EXPECT_EQ(facts.registration().branch(), "富蕴县矿区联合党支部");
  EXPECT_EQ(facts.transfer_decided_on(), "2026-04-01");
  // The new home may send the member out.
  EXPECT_TRUE(DecideRegisterOutflow(facts, Outflow(kTianshan, "2026-05-01"),
                                    At(kFuyun, "2026-05-01"), settings)
                  .ok());
  struct Case {
    const char* name;
    void (*mutate)(lianxin::v1::RecordTransferInRequest&);
    absl::StatusCode code;
  } cases[] = {
      {"origin on lianxin", [](auto& q) { q.set_origin_jurisdiction(kTianshan); },
       absl::StatusCode::kFailedPrecondition},
      {"origin is us", [](auto& q) { q.set_origin_jurisdiction(kFuyun); },
       absl::StatusCode::kInvalidArgument},
      {"in the future", [](auto& q) { q.set_accepted_on("2026-04-03"); },
       absl::StatusCode::kInvalidArgument},
      {"before joining", [](auto& q) { q.set_accepted_on("2015-06-30"); },
       absl::StatusCode::kInvalidArgument},
      {"other county", [](auto& q) { q.set_jurisdiction(kTianshan); },
       absl::StatusCode::kPermissionDenied},
  };
  for (const Case& c : cases) {
    auto q = r;
    c.mutate(q);
    EXPECT_EQ(
        DecideRecordTransferIn(q, "h", "m", At(kFuyun, "2026-04-02"), settings).status().code(),
        c.code)
        << c.name;
  }
}

// Defect 4, R4: changes inside the same destination, each by its side.
TEST_F(TwoSides, ChangesInsideTheSameDestination) {
  sides_[kFuyun] = Registered();
  Decide(kFuyun, "2026-02-01", [&](const MemberFacts& f, const Context& c) {
    return DecideRegisterOutflow(f, Outflow(kTianshan), c, settings_);
  });
  // Before: only a change of destination was possible, and this one is refused.
  auto same = DecideRegisterOutflow(sides_[kFuyun], Outflow(kTianshan, "2026-03-01"),
                                    At(kFuyun, "2026-03-01"), settings_);
  EXPECT_EQ(same.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(same.status().message().find("RecordOutflowChange"), std::string::npos);
  Decide(kTianshan, "2026-02-10", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::RecordArrivalRequest r;
    r.set_jurisdiction(kTianshan);
    r.set_branch("解放北路社区党支部");
    r.set_arrived_on("2026-02-09");
    return DecideRecordArrival(f, r, c, settings_);
  });
  Decide(kFuyun, "2026-05-01", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::RecordOutflowChangeRequest r;
    r.set_destination_address("乌鲁木齐市天山区新华南路8号");
    r.set_contact_phone("13900000002");
    r.set_employer("新疆建工集团");
    r.set_expected_return_on("2027-01-20");
    return DecideRecordOutflowChange(f, r, c, settings_);
  });
  Decide(kTianshan, "2026-05-02", [&](const MemberFacts& f, const Context& c) {
    lianxin::v1::RecordOutflowChangeRequest r;
    r.set_destination_branch("新华南路社区党支部");
    return DecideRecordOutflowChange(f, r, c, settings_);
  });
  const MemberFacts& f = sides_[kFuyun];
  EXPECT_EQ(f.outflow().destination_address(), "乌鲁木齐市天山区新华南路8号");
  EXPECT_EQ(f.outflow().contact_phone(), "13900000002");
  EXPECT_EQ(f.outflow().employer(), "新疆建工集团");
  EXPECT_EQ(f.outflow().occupation(), "建筑工人");  // unchanged
  EXPECT_EQ(f.outflow().expected_return_on(), "2027-01-20");
  EXPECT_EQ(f.arrival().branch(), "新华南路社区党支部");
  EXPECT_EQ(Status(kFuyun), lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED);
  EXPECT_TRUE(Equal(kFuyun, kTianshan));

  struct Case {
    const char* name;
    const char* county;
    void (*mutate)(lianxin::v1::RecordOutflowChangeRequest&);
    absl::StatusCode code;
  } cases[] = {
      {"home changes the branch", kFuyun, [](auto& r) { r.set_destination_branch("x"); },
       absl::StatusCode::kPermissionDenied},
      {"destination changes the phone", kTianshan, [](auto& r) { r.set_contact_phone("1390"); },
       absl::StatusCode::kPermissionDenied},
      {"nothing named", kFuyun, [](auto&) {}, absl::StatusCode::kInvalidArgument},
      {"return before leaving", kFuyun, [](auto& r) { r.set_expected_return_on("2026-01-01"); },
       absl::StatusCode::kInvalidArgument},
      {"changed before leaving", kFuyun,
       [](auto& r) {
         r.set_employer("e");
         r.set_changed_on("2026-01-15");
       },
       absl::StatusCode::kInvalidArgument},
      {"another county", kNanshan, [](auto& r) { r.set_employer("e"); },
       absl::StatusCode::kFailedPrecondition},
  };
  for (const Case& c : cases) {
    lianxin::v1::RecordOutflowChangeRequest r;
    c.mutate(r);
    EXPECT_EQ(DecideRecordOutflowChange(sides_[kFuyun], r, At(c.county, "2026-05-03"), settings_)
                  .status()
                  .code(),
              c.code)
        << c.name;
  }
}

// Defect 7, R12: a member away comes home for the festival and goes back.
TEST(DecideRecordVisitHome, AShortStayWhileAway) {
  Settings settings = TestSettings();
  MemberFacts facts = Registered();
  facts = Apply(facts, *DecideRegisterOutflow(facts, Outflow(kTianshan, "2026-03-01", "2027-06-30"),
                                              At(kFuyun, "2026-03-01"), settings));
  struct Case {
    const char* from;
    const char* until;
    absl::StatusCode code;
  } cases[] = {
      {"2027-02-10", "2027-02-25", absl::StatusCode::kOk},
      {"2027-02-10", "2027-05-09", absl::StatusCode::kOk},  // the day before 3 months
      {"2027-02-10", "2027-05-10", absl::StatusCode::kFailedPrecondition},  // a return
      {"2027-02-10", "2027-02-09", absl::StatusCode::kInvalidArgument},
      {"2026-03-01", "2026-03-05", absl::StatusCode::kInvalidArgument},  // the day of leaving
  };
  for (const Case& c : cases) {
    lianxin::v1::RecordVisitHomeRequest r;
    r.set_home_from(c.from);
    r.set_home_until(c.until);
    auto events = DecideRecordVisitHome(facts, r, At(kFuyun, "2027-01-10"), settings);
    EXPECT_EQ(events.status().code(), c.code) << c.from << " " << c.until << events.status();
    if (events.ok()) {
      MemberFacts after = Apply(facts, *events);
      EXPECT_EQ(after.visit_home_from(), c.from);
      EXPECT_TRUE(after.away());
      ASSERT_EQ((*events)[0].routed_to_size(), 1);  // the destination learns of it
    }
  }
  lianxin::v1::RecordVisitHomeRequest r;
  r.set_home_from("2027-02-10");
  r.set_home_until("2027-02-25");
  EXPECT_EQ(
      DecideRecordVisitHome(Registered(), r, At(kFuyun, "2027-01-10"), settings).status().code(),
      absl::StatusCode::kFailedPrecondition);  // not away
}

// Defect 3, R6/R11: the registry follows the appraisal's decisions.
TEST(DecideFollowAppraisal, ProbationAndLapseDecisionsChangeTheRecord) {
  Settings settings = TestSettings();
  auto request = Registration();
  request.set_probationary(true);
  auto registered = DecideRegisterMember(request, "h", "m", At(kFuyun, "2026-01-05"), settings);
  const MemberFacts probationary = Apply(MemberFacts(), *registered);
  const MemberFacts full = Registered();
  auto probation = [](lianxin::v1::ProbationOutcome outcome) {
    Event e;
    e.set_event_id("apr-1");
    e.mutable_probation_outcome_recorded()->set_outcome(outcome);
    e.mutable_probation_outcome_recorded()->set_decided_on("2026-07-01");
    return e;
  };
  auto lapse = [](lianxin::v1::LapseDecision decision) {
    Event e;
    e.set_event_id("apr-2");
    e.mutable_lapse_decision_recorded()->set_decision(decision);
    e.mutable_lapse_decision_recorded()->set_decided_on("2026-08-01");
    return e;
  };
  struct Case {
    const char* name;
    const MemberFacts* facts;
    Event decision;
    bool changes;
    bool probationary_after;
    lianxin::v1::MemberStatus status_after;
  } cases[] = {
      {"converted", &probationary, probation(lianxin::v1::PROBATION_OUTCOME_CONVERTED), true, false,
       lianxin::v1::MEMBER_STATUS_RESIDENT},
      {"cancelled", &probationary, probation(lianxin::v1::PROBATION_OUTCOME_CANCELLED), true, false,
       lianxin::v1::MEMBER_STATUS_MEMBERSHIP_ENDED},
      {"extended", &probationary, probation(lianxin::v1::PROBATION_OUTCOME_EXTENDED), false, true,
       lianxin::v1::MEMBER_STATUS_RESIDENT},
      {"converted, not probationary", &full, probation(lianxin::v1::PROBATION_OUTCOME_CONVERTED),
       false, false, lianxin::v1::MEMBER_STATUS_RESIDENT},
      {"lapsed", &full, lapse(lianxin::v1::LAPSE_DECISION_TREATED_AS_LAPSED), true, false,
       lianxin::v1::MEMBER_STATUS_MEMBERSHIP_ENDED},
      {"retained", &full, lapse(lianxin::v1::LAPSE_DECISION_RETAINED), false, false,
       lianxin::v1::MEMBER_STATUS_RESIDENT},
      {"deferred", &full, lapse(lianxin::v1::LAPSE_DECISION_DEFERRED), false, false,
       lianxin::v1::MEMBER_STATUS_RESIDENT},
  };
  for (const Case& c : cases) {
    std::optional<Event> e =
        DecideFollowAppraisal(*c.facts, c.decision, At(kFuyun, "2026-08-02"), settings);
    EXPECT_EQ(e.has_value(), c.changes) << c.name;
    MemberFacts after = e.has_value() ? Apply(*c.facts, {*e}) : *c.facts;
    EXPECT_EQ(after.registration().probationary(), c.probationary_after) << c.name;
    EXPECT_EQ(StatusAsSeenBy(after, kFuyun), c.status_after) << c.name;
    if (e.has_value()) {
      EXPECT_EQ(e->causation_id(), c.decision.event_id());
      // Followed once: a second delivery changes nothing more.
      if (after.membership_ended()) {
        EXPECT_FALSE(DecideFollowAppraisal(after, c.decision, At(kFuyun, "2026-08-02"), settings)
                         .has_value());
        EXPECT_EQ(DecideRegisterOutflow(after, Outflow(kTianshan, "2026-08-10"),
                                        At(kFuyun, "2026-08-10"), settings)
                      .status()
                      .code(),
                  absl::StatusCode::kFailedPrecondition);
      }
    }
  }
  // Not ours: another county's member is left alone.
  EXPECT_FALSE(DecideFollowAppraisal(probationary,
                                     probation(lianxin::v1::PROBATION_OUTCOME_CONVERTED),
                                     At(kTianshan, "2026-08-02"), settings)
                   .has_value());
}

// R22: the other ends of membership, each a branch decision with grounds and
// the committee above; criticism is recorded and kept.
TEST(DecideRecordMembershipEnd, BranchDecisionsWithGrounds) {
  Settings settings = TestSettings();
  const MemberFacts facts = Registered();
  struct Case {
    lianxin::v1::MembershipChange change;
    const char* decided_on;
    absl::StatusCode code;
  } cases[] = {
      {lianxin::v1::MEMBERSHIP_CHANGE_PERSUADED_TO_WITHDRAW, "2026-05-01", absl::StatusCode::kOk},
      {lianxin::v1::MEMBERSHIP_CHANGE_REMOVED, "2026-05-01", absl::StatusCode::kOk},
      {lianxin::v1::MEMBERSHIP_CHANGE_EXPELLED, "2026-05-02", absl::StatusCode::kOk},
      {lianxin::v1::MEMBERSHIP_CHANGE_EXPELLED, "2026-05-03", absl::StatusCode::kInvalidArgument},
      {lianxin::v1::MEMBERSHIP_CHANGE_LAPSED, "2026-05-01", absl::StatusCode::kInvalidArgument},
      {lianxin::v1::MEMBERSHIP_CHANGE_PROBATION_CONVERTED, "2026-05-01",
       absl::StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    lianxin::v1::RecordMembershipEndRequest r;
    r.set_change(c.change);
    r.set_grounds("经支部大会讨论，本人申请退党");
    r.set_decided_on(c.decided_on);
    r.set_approved_by("中共富蕴县委组织部");
    auto events = DecideRecordMembershipEnd(facts, r, At(kFuyun, "2026-05-02"), settings);
    EXPECT_EQ(events.status().code(), c.code)
        << lianxin::v1::MembershipChange_Name(c.change) << " " << events.status();
    if (!events.ok()) continue;
    MemberFacts after = Apply(facts, *events);
    EXPECT_EQ(StatusAsSeenBy(after, kFuyun), lianxin::v1::MEMBER_STATUS_MEMBERSHIP_ENDED);
    EXPECT_EQ((*events)[0].membership_standing_changed().approved_by(), "中共富蕴县委组织部");
    EXPECT_EQ(
        DecideRecordMembershipEnd(after, r, At(kFuyun, "2026-05-02"), settings).status().code(),
        absl::StatusCode::kFailedPrecondition);  // ended already
  }
  lianxin::v1::RecordMembershipEndRequest r;
  r.set_change(lianxin::v1::MEMBERSHIP_CHANGE_EXPELLED);
  r.set_decided_on("2026-05-01");
  EXPECT_EQ(
      DecideRecordMembershipEnd(facts, r, At(kTianshan, "2026-05-02"), settings).status().code(),
      absl::StatusCode::kPermissionDenied);

  lianxin::v1::RecordCriticismRequest criticism;
  criticism.set_grounds("无正当理由不办理组织关系转接");
  auto criticized = DecideRecordCriticism(facts, criticism, At(kFuyun, "2026-05-02"), settings);
  ASSERT_TRUE(criticized.ok()) << criticized.status();
  MemberFacts after = Apply(facts, *criticized);
  ASSERT_EQ(after.criticisms_size(), 1);
  EXPECT_EQ(after.criticisms(0), "2026-05-02 无正当理由不办理组织关系转接");
}

// R21: the certificate handed back and audited on return; the letter signed
// at departure settled; R8: the member votes at home while away.
TEST(DecideRecordReturn, CertificateHandedBackAndLetterSettled) {
  Settings settings = TestSettings();
  MemberFacts facts = Registered();
  auto outflow = Outflow(kTianshan, "2026-02-01");
  outflow.set_responsibility_terms("每季度汇报一次；按时交纳党费；参加流入地组织生活");
  facts = Apply(facts, *DecideRegisterOutflow(facts, outflow, At(kFuyun, "2026-02-01"), settings));
  EXPECT_EQ(VotesIn(facts), kFuyun);
  lianxin::v1::RecordReturnRequest r;
  r.set_returned_on("2026-10-01");
  r.set_certificate_handed_back(true);
  EXPECT_EQ(DecideRecordReturn(facts, r, At(kFuyun, "2026-10-02"), settings).status().code(),
            absl::StatusCode::kFailedPrecondition);  // no certificate to hand back
  lianxin::v1::IssueCertificateRequest certificate;
  certificate.set_certificate_no("FY-2026-009");
  certificate.set_valid_until("2027-02-01");
  facts =
      Apply(facts, *DecideIssueCertificate(facts, certificate, At(kFuyun, "2026-02-02"), settings));
  r.set_certificate_audit("组织生活记载6次，党费记载齐全");
  r.set_responsibility_settlement("按季汇报，党费交齐，兑现");
  r.set_responsibility_met(true);
  auto returned = DecideRecordReturn(facts, r, At(kFuyun, "2026-10-02"), settings);
  ASSERT_TRUE(returned.ok()) << returned.status();
  MemberFacts after = Apply(facts, *returned);
  EXPECT_TRUE(after.last_return().certificate_handed_back());
  EXPECT_EQ(after.last_return().certificate_audit(), "组织生活记载6次，党费记载齐全");
  EXPECT_TRUE(after.last_return().responsibility_met());
  // A settlement without a letter signed is refused.
  MemberFacts no_letter = Registered();
  no_letter = Apply(no_letter, *DecideRegisterOutflow(no_letter, Outflow(kTianshan, "2026-02-01"),
                                                      At(kFuyun, "2026-02-01"), settings));
  lianxin::v1::RecordReturnRequest settle;
  settle.set_returned_on("2026-10-01");
  settle.set_responsibility_settlement("兑现");
  EXPECT_EQ(
      DecideRecordReturn(no_letter, settle, At(kFuyun, "2026-10-02"), settings).status().code(),
      absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace lianxin::registry
