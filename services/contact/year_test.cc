// A whole year of contact tracking in seconds: a real on-disk EventStore, the
// gRPC service in process, a ManualClock, the registry's facts fed through the
// reactions as the consumer would, and the sweeper run once a day. Quarterly
// reports made, missed and late; a member lost and restored; hotline tickets;
// then the Projector folds the log and must match the live state and rows.
#include <algorithm>
#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "libs/common/clock.h"
#include "libs/common/time_util.h"
#include "libs/eventstore/event_store.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/server.h"
#include "libs/testing/testing.h"
#include "services/contact/projection.h"
#include "services/contact/projector.h"
#include "services/contact/reactions.h"
#include "services/contact/service.h"
#include "services/contact/sweeper.h"

namespace lianxin::contact {
namespace {

using lianxin::v1::ContactTracking;
using lianxin::v1::Event;

constexpr char kHome[] = "654322";
constexpr char kDestination[] = "650102";

absl::Time At(const char* day, int hour = 10) {
  return absl::FromCivil(absl::CivilHour(*ParseDate(day)) + hour, absl::FixedTimeZone(8 * 3600));
}

class YearTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventStoreOptions options;
    options.path = dir_.Sub("contact");
    options.source.set_jurisdiction(kHome);
    options.source.set_service("contact");
    options.clock = &clock_;
    store_ = *EventStore::Open(options);
    projection_ = std::make_unique<ContactProjection>(store_.get(), kHome, Settings());
    reactions_ = std::make_unique<ContactReactions>(projection_.get(), &clock_,
                                                    std::set<std::string>{kHome, kDestination});
    sweeper_ = std::make_unique<Sweeper>(projection_.get(), &clock_, nullptr);
    auth_ = std::make_unique<Authenticator>(*Authenticator::FromText(
        DigestTokenFile("tok-op op-zhang 654322 operator\ntok-ro viewer 654322 readonly\n"
                        "tok-far op-wang 650102 operator\n"),
        "tokens"));
    service_ = std::make_unique<ContactService>(ContactServiceOptions{
        projection_.get(), &clock_, {auth_.get(), nullptr}, {kHome, kDestination}, nullptr});
    server_ = *RpcServer::Start(
        {"127.0.0.1:0", nullptr, {{"lianxin.v1.ContactTracking", service_.get()}}});
    stub_ = ContactTracking::NewStub(*OpenChannel(server_->address(), TlsFiles()));
  }

  // A registry event of the home county, applied as the consumer would.
  void Registry(const std::string& member_id, uint64_t version, Event event) {
    event.mutable_source()->set_jurisdiction(kHome);
    event.mutable_source()->set_service("registry");
    event.set_aggregate_id(member_id);
    event.set_version(version);
    event.set_event_id(absl::StrCat("654322/registry/", member_id, "/", version));
    ToTimestamp(clock_.Now(), event.mutable_occurred_at());
    Transaction txn;
    ASSERT_TRUE(reactions_->Apply(event, "lx.654322.registry.v1", txn).ok());
    ASSERT_TRUE(store_->Commit(std::move(txn)).ok());
  }

  void Away(const std::string& member_id, const std::string& name, const char* left_on) {
    Event registered;
    registered.set_type("MemberRegistered");
    registered.mutable_member_registered()->set_home_jurisdiction(kHome);
    registered.mutable_member_registered()->set_name(name);
    Registry(member_id, 1, registered);
    Event outflow;
    outflow.set_type("OutflowRegistered");
    outflow.mutable_outflow_registered()->set_destination_jurisdiction(kDestination);
    outflow.mutable_outflow_registered()->set_left_on(left_on);
    outflow.mutable_outflow_registered()->set_destination_on_system(true);
    Registry(member_id, 2, outflow);
  }

  grpc::Status Contact(const std::string& request_id, const std::string& member_id,
                       lianxin::v1::ContactKind kind, const char* on,
                       const char* token = "tok-op") {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    lianxin::v1::RecordContactRequest request;
    request.set_request_id(request_id);
    request.set_member_id(member_id);
    request.set_channel(lianxin::v1::CONTACT_CHANNEL_PHONE);
    request.set_kind(kind);
    request.set_occurred_on(on);
    request.set_summary("季度汇报：在乌鲁木齐务工，思想稳定");
    lianxin::v1::ContactMutationReply reply;
    return stub_->RecordContact(&context, request, &reply);
  }

  lianxin::v1::ListOverdueReply Overdue(const char* as_of = "") {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-ro");
    lianxin::v1::ListOverdueRequest request;
    request.set_jurisdiction(kHome);
    request.set_as_of(as_of);
    lianxin::v1::ListOverdueReply reply;
    EXPECT_TRUE(stub_->ListOverdue(&context, request, &reply).ok());
    return reply;
  }

  lianxin::v1::ListLostContactReply Lost() {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-ro");
    lianxin::v1::ListLostContactRequest request;
    request.set_jurisdiction(kHome);
    lianxin::v1::ListLostContactReply reply;
    EXPECT_TRUE(stub_->ListLostContact(&context, request, &reply).ok());
    return reply;
  }

  // Advances the clock day by day to `day`, sweeping each morning; returns
  // the members flagged.
  int SweepUntil(const char* day) {
    int flagged = 0;
    while (clock_.Now() < At(day, 6)) {
      clock_.Advance(absl::Hours(24));
      flagged += *sweeper_->RunOnce(clock_.Now());
    }
    return flagged;
  }

  std::vector<std::string> Types(const std::string& member_id) {
    std::vector<std::string> types;
    EXPECT_TRUE(store_
                    ->ScanAggregate(member_id,
                                    [&](const Event& e) {
                                      types.push_back(e.type());
                                      return true;
                                    })
                    .ok());
    return types;
  }

  testing::TempDir dir_;
  ManualClock clock_{At("2026-01-01", 6)};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<ContactProjection> projection_;
  std::unique_ptr<ContactReactions> reactions_;
  std::unique_ptr<Sweeper> sweeper_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<ContactService> service_;
  std::unique_ptr<RpcServer> server_;
  std::unique_ptr<ContactTracking::Stub> stub_;
};

TEST_F(YearTest, QuarterlyReportsLostAndRestoredHotlineAndReplay) {
  using lianxin::v1::CONTACT_KIND_FAMILY_CONTACT;
  using lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT;
  using lianxin::v1::CONTACT_KIND_THOUGHT_REPORT;
  Away("654322-a", "王建国", "2026-01-10");  // reports every quarter, one late
  Away("654322-b", "李秀兰", "2026-01-10");  // goes silent, lost, restored

  // Q1: A reports, B does not.
  EXPECT_EQ(SweepUntil("2026-03-15"), 0);
  ASSERT_TRUE(Contact("a-q1", "654322-a", CONTACT_KIND_QUARTERLY_REPORT, "2026-03-15").ok());
  // A retry with the same request_id changes nothing.
  ASSERT_TRUE(Contact("a-q1", "654322-a", CONTACT_KIND_QUARTERLY_REPORT, "2026-03-15").ok());
  ASSERT_TRUE(Contact("b-fam", "654322-b", CONTACT_KIND_FAMILY_CONTACT, "2026-03-14").ok());
  EXPECT_EQ(SweepUntil("2026-04-01"), 0);
  lianxin::v1::ListOverdueReply overdue = Overdue();
  ASSERT_EQ(overdue.members_size(), 1);
  EXPECT_EQ(overdue.members(0).member_id(), "654322-b");
  EXPECT_EQ(overdue.members(0).name(), "李秀兰");
  EXPECT_EQ(overdue.members(0).obligation(), "QUARTERLY_REPORT");
  EXPECT_EQ(overdue.members(0).due_on(), "2026-03-31");
  EXPECT_EQ(overdue.members(0).days_overdue(), 1);
  EXPECT_EQ(Overdue("2026-03-31").members_size(), 0);  // the due day itself

  // Q2: A reports and sends a thought report.
  EXPECT_EQ(SweepUntil("2026-06-10"), 0);
  ASSERT_TRUE(Contact("a-q2", "654322-a", CONTACT_KIND_QUARTERLY_REPORT, "2026-06-10").ok());
  ASSERT_TRUE(Contact("a-t1", "654322-a", CONTACT_KIND_THOUGHT_REPORT, "2026-06-10").ok());

  // B silent since leaving on 2026-01-10: lost on 2026-07-11, not a day before.
  EXPECT_EQ(SweepUntil("2026-07-10"), 0);
  EXPECT_EQ(Lost().members_size(), 0);
  EXPECT_EQ(SweepUntil("2026-07-11"), 1);
  lianxin::v1::ListLostContactReply lost = Lost();
  ASSERT_EQ(lost.members_size(), 1);
  EXPECT_EQ(lost.members(0).member_id(), "654322-b");
  EXPECT_EQ(lost.members(0).last_contact_on(), "2026-01-10");
  EXPECT_EQ(lost.members(0).lost_on(), "2026-07-11");
  EXPECT_EQ(SweepUntil("2026-07-20"), 0);  // flagged once

  // Q3: A's report is late: recorded on 2026-10-05, back-dated to 2026-09-28.
  EXPECT_EQ(SweepUntil("2026-10-02"), 0);
  overdue = Overdue();
  ASSERT_EQ(overdue.members_size(), 2);
  EXPECT_EQ(overdue.members(0).member_id(), "654322-b");  // most overdue first
  EXPECT_TRUE(overdue.members(0).lost_contact());
  EXPECT_EQ(overdue.members(1).member_id(), "654322-a");
  EXPECT_EQ(overdue.members(1).due_on(), "2026-09-30");
  EXPECT_EQ(SweepUntil("2026-10-05"), 0);
  ASSERT_TRUE(Contact("a-q3", "654322-a", CONTACT_KIND_QUARTERLY_REPORT, "2026-09-28").ok());
  EXPECT_EQ(Overdue().members_size(), 1);

  // B calls in November: the lost contact ends.
  EXPECT_EQ(SweepUntil("2026-11-03"), 0);
  ASSERT_TRUE(Contact("b-call", "654322-b", lianxin::v1::CONTACT_KIND_OTHER, "2026-11-03").ok());
  EXPECT_EQ(Lost().members_size(), 0);
  EXPECT_EQ(Types("654322-b"), (std::vector<std::string>{
                                   "MemberFactsObserved", "MemberFactsObserved", "ContactRecorded",
                                   "LostContact", "ContactRecorded", "ContactResumed"}));
  // A future date and an unknown member are refused, naming the field.
  grpc::Status future =
      Contact("a-future", "654322-a", CONTACT_KIND_QUARTERLY_REPORT, "2026-11-04");
  EXPECT_EQ(future.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(future.error_message().find("occurred_on"), std::string::npos);
  EXPECT_EQ(Contact("x", "654322-none", CONTACT_KIND_QUARTERLY_REPORT, "2026-11-01").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(
      Contact("ro", "654322-a", CONTACT_KIND_QUARTERLY_REPORT, "2026-11-01", "tok-ro").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);

  // Liaisons: reassignment keeps the history; a stale expected_version is ABORTED.
  auto assign = [&](const std::string& id, const char* name, uint64_t expected_version) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-op");
    lianxin::v1::AssignLiaisonRequest request;
    request.set_request_id(id);
    request.set_member_id("654322-a");
    request.set_expected_version(expected_version);
    request.set_liaison_name(name);
    request.set_liaison_phone("13909061101");
    lianxin::v1::ContactMutationReply reply;
    return stub_->AssignLiaison(&context, request, &reply);
  };
  EXPECT_TRUE(assign("l1", "马国庆", 0).ok());
  EXPECT_EQ(assign("l2", "张春梅", 1).error_code(), grpc::StatusCode::ABORTED);
  EXPECT_TRUE(assign("l3", "张春梅", 0).ok());
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-ro");
    lianxin::v1::GetContactHistoryRequest request;
    request.set_member_id("654322-a");
    lianxin::v1::GetContactHistoryReply reply;
    ASSERT_TRUE(stub_->GetContactHistory(&context, request, &reply).ok());
    ASSERT_EQ(reply.liaisons_size(), 2);
    EXPECT_EQ(reply.liaisons(0).liaison_name(), "张春梅");  // current first
    EXPECT_EQ(reply.liaisons(1).liaison_name(), "马国庆");
    EXPECT_EQ(reply.contacts_size(), 4);
    EXPECT_EQ(reply.quarterly_report_due_on(), "2026-12-31");
    EXPECT_EQ(reply.thought_report_due_on(), "2026-12-31");
  }

  // Q4: A reports; B's silence starts again from 2026-11-03.
  ASSERT_TRUE(Contact("a-q4", "654322-a", CONTACT_KIND_QUARTERLY_REPORT, "2026-11-03").ok());
  EXPECT_EQ(SweepUntil("2026-12-31"), 0);

  // Hotline tickets in the year; one left open.
  auto open_ticket = [&](const std::string& id, const char* day) {
    clock_.Set(At(day, 9));
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-op");
    lianxin::v1::OpenConsultationRequest request;
    request.set_request_id(id);
    request.set_jurisdiction(kHome);
    request.set_caller_name("张伟");
    request.set_caller_phone("0906-8721234");
    request.set_topic("务工求职");
    request.set_question("在外务工，想咨询就业信息");
    lianxin::v1::OpenConsultationReply reply;
    EXPECT_TRUE(stub_->OpenConsultation(&context, request, &reply).ok());
    return reply.ticket_id();
  };
  auto close_ticket = [&](const std::string& ticket, lianxin::v1::ConsultationResolution r) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-op");
    lianxin::v1::CloseConsultationRequest request;
    request.set_request_id(absl::StrCat("close-", ticket));
    request.set_ticket_id(ticket);
    request.set_answer("已推荐到县人社局招聘会");
    request.set_resolution(r);
    lianxin::v1::CloseConsultationReply reply;
    return stub_->CloseConsultation(&context, request, &reply);
  };
  const std::string t1 = open_ticket("t1", "2027-01-04");
  EXPECT_TRUE(close_ticket(t1, lianxin::v1::CONSULTATION_RESOLUTION_JOB_REFERRED).ok());
  EXPECT_EQ(close_ticket(t1, lianxin::v1::CONSULTATION_RESOLUTION_JOB_REFERRED).error_code(),
            grpc::StatusCode::OK);  // the same request_id: the first reply
  const std::string t2 = open_ticket("t2", "2027-01-05");
  EXPECT_TRUE(close_ticket(t2, lianxin::v1::CONSULTATION_RESOLUTION_DIFFICULTY_RESOLVED).ok());
  const std::string t3 = open_ticket("t3", "2027-01-06");
  EXPECT_EQ(open_ticket("t3", "2027-01-06"), t3);
  clock_.Set(At("2027-01-14"));
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-ro");
    lianxin::v1::ListOpenConsultationsRequest request;
    request.set_jurisdiction(kHome);
    lianxin::v1::ListOpenConsultationsReply reply;
    ASSERT_TRUE(stub_->ListOpenConsultations(&context, request, &reply).ok());
    ASSERT_EQ(reply.tickets_size(), 1);
    EXPECT_EQ(reply.tickets(0).ticket_id(), t3);
    EXPECT_EQ(reply.tickets(0).days_open(), 8);
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer tok-ro");
    lianxin::v1::GetContactStatisticsRequest request;
    request.set_jurisdiction(kHome);
    request.set_from("2026-01-01");
    request.set_to("2027-01-31");
    lianxin::v1::GetContactStatisticsReply reply;
    ASSERT_TRUE(stub_->GetContactStatistics(&context, request, &reply).ok());
    EXPECT_EQ(reply.consultations(), 3u);
    EXPECT_EQ(reply.consultations_open(), 1u);
    EXPECT_EQ(reply.jobs_referred(), 1u);
    EXPECT_EQ(reply.difficulties_resolved(), 1u);
    EXPECT_EQ(reply.lost_contact_count(), 1u);
    EXPECT_EQ(reply.contacts(), 7u);
    EXPECT_EQ(reply.quarterly_reports(), 4u);
    EXPECT_EQ(reply.thought_reports(), 1u);
    EXPECT_EQ(reply.family_contacts(), 1u);
    EXPECT_EQ(reply.tracked_members(), 2u);
    EXPECT_EQ(reply.lost_contact_now(), 0u);
  }

  // Replay: the Projector's fold of each aggregate's own log events equals the
  // live state, and its index rows are exactly the live rows.
  std::unique_ptr<Projector> projector = NewProjector(kHome, Settings());
  std::map<std::string, std::string> folded;
  std::map<std::string, std::string> expected_rows;
  ASSERT_TRUE(store_
                  ->ScanLog(1,
                            [&](const Event& e) {
                              absl::StatusOr<std::string> next =
                                  projector->Evolve(folded[e.aggregate_id()], e);
                              EXPECT_TRUE(next.ok()) << next.status();
                              folded[e.aggregate_id()] = *next;
                              return true;
                            })
                  .ok());
  EXPECT_EQ(folded.size(), 5u);  // two members, three tickets
  for (const auto& [id, state] : folded) {
    absl::StatusOr<Aggregate> live = store_->ReadAggregate(id);
    ASSERT_TRUE(live.ok());
    EXPECT_EQ(live->state, state) << id;
    for (const auto& [key, value] : projector->IndexRows(id, state)) expected_rows[key] = value;
  }
  std::map<std::string, std::string> live_rows;
  ASSERT_TRUE(store_
                  ->ScanPrefix(Family::kIndexes, "",
                               [&](const std::string& k, const std::string& v) {
                                 live_rows[k] = v;
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(live_rows, expected_rows);
}

// The county's clock jumps back an hour and forward a day around the days two
// members become lost: each is flagged once, on its day or the jump's, none
// twice, none skipped; a contact taken while the clock is behind is recorded
// no earlier than what the log already holds.
TEST_F(YearTest, ClockJumpsNeitherRepeatNorSkipALostContactFlag) {
  Away("654322-c", "赵一", "2026-01-10");  // lost on 2026-07-11
  Away("654322-d", "赵二", "2026-01-11");  // lost on 2026-07-12
  EXPECT_EQ(SweepUntil("2026-07-11"), 1);  // 2026-07-11 06:00: c
  clock_.Advance(-absl::Hours(1));         // back an hour
  EXPECT_EQ(*sweeper_->RunOnce(clock_.Now()), 0);
  ASSERT_TRUE(
      Contact("c-back", "654322-c", lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT, "2026-07-11").ok());
  clock_.Advance(absl::Hours(24));                 // forward a day: 2026-07-12 05:00
  EXPECT_EQ(*sweeper_->RunOnce(clock_.Now()), 1);  // d, not skipped
  clock_.Advance(-absl::Hours(1));
  EXPECT_EQ(*sweeper_->RunOnce(clock_.Now()), 0);
  EXPECT_EQ(SweepUntil("2026-07-20"), 0);

  for (const char* member : {"654322-c", "654322-d"}) {
    const std::vector<std::string> types = Types(member);
    EXPECT_EQ(std::count(types.begin(), types.end(), "LostContact"), 1) << member;
  }
  absl::Time previous = absl::InfinitePast();
  ASSERT_TRUE(store_
                  ->ScanLog(1,
                            [&](const Event& e) {
                              const absl::Time at = FromTimestamp(e.recorded_at());
                              EXPECT_GE(at, previous) << e.sequence() << " " << e.type();
                              previous = at;
                              return true;
                            })
                  .ok());
}

}  // namespace
}  // namespace lianxin::contact
