// The appraisal reactions against a real on-disk EventStore: consumed events
// (fed as the consumer would) are recorded in the appraisal's own log, and
// the projection equals the Projector's fold of that log (the replay contract).
#include "services/appraisal/reactions.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/time_util.h"
#include "libs/testing/testing.h"
#include "services/appraisal/projector.h"

namespace lianxin::appraisal {
namespace {

using ::lianxin::testing::TempDir;
using lianxin::v1::Event;

constexpr char kHome[] = "654322";
constexpr char kAway[] = "650102";

class AppraisalReactionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    settings_.on_system = {kHome, kAway};
    EventStoreOptions options;
    options.path = dir_.Sub("appraisal");
    options.source.set_jurisdiction(kHome);
    options.source.set_service("appraisal");
    options.clock = &clock_;
    store_ = *EventStore::Open(options);
    projection_ = std::make_unique<AppraisalProjection>(store_.get(), kHome, settings_);
    reactions_ = std::make_unique<AppraisalReactions>(projection_.get());
  }

  // An event as another service published it.
  Event From(const std::string& jurisdiction, const std::string& service,
             const std::string& member_id, Event e) {
    e.mutable_source()->set_jurisdiction(jurisdiction);
    e.mutable_source()->set_service(service);
    e.set_aggregate_id(member_id);
    e.set_event_id(absl::StrCat(jurisdiction, "/", service, "/", ++sequence_));
    e.set_version(++versions_[jurisdiction + service + member_id]);
    return e;
  }

  absl::Status Consume(const Event& event, const std::string& topic) {
    Transaction txn;
    absl::Status s = reactions_->Apply(event, topic, txn);
    if (!s.ok() || txn.empty()) return s;
    return store_->Commit(std::move(txn)).status();
  }

  std::string Topic(const std::string& service) {
    Source source;
    source.set_jurisdiction(kHome);
    source.set_service(service);
    return ServiceTopic(source);
  }

  void ExpectProjectionIsTheFoldOfTheLog() {
    std::unique_ptr<Projector> projector = NewProjector(kHome, settings_);
    std::map<std::string, std::string> states;
    std::map<std::string, uint64_t> versions;
    ASSERT_TRUE(store_
                    ->ScanLog(1,
                              [&](const Event& e) {
                                absl::StatusOr<std::string> next =
                                    projector->Evolve(states[e.aggregate_id()], e);
                                EXPECT_TRUE(next.ok()) << next.status();
                                states[e.aggregate_id()] = *next;
                                EXPECT_EQ(e.version(), ++versions[e.aggregate_id()]);
                                return true;
                              })
                    .ok());
    std::map<std::string, std::string> expected_rows;
    for (const auto& [id, state] : states) {
      absl::StatusOr<Aggregate> live = store_->ReadAggregate(id);
      ASSERT_TRUE(live.ok()) << id;
      EXPECT_EQ(live->state, state) << id;
      for (auto& [key, value] : projector->IndexRows(id, state)) expected_rows[key] = value;
    }
    std::map<std::string, std::string> live_rows;
    ASSERT_TRUE(store_
                    ->ScanPrefix(Family::kIndexes, "",
                                 [&](const std::string& key, const std::string& value) {
                                   live_rows[key] = value;
                                   return true;
                                 })
                    .ok());
    EXPECT_EQ(live_rows, expected_rows);
  }

  TempDir dir_;
  ManualClock clock_{
      absl::FromCivil(absl::CivilSecond(2026, 12, 20, 10, 0, 0), absl::UTCTimeZone())};
  Settings settings_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<AppraisalProjection> projection_;
  std::unique_ptr<AppraisalReactions> reactions_;
  int sequence_ = 0;
  std::map<std::string, uint64_t> versions_;
};

Event Registered(const char* name) {
  Event e;
  e.set_type("MemberRegistered");
  auto* r = e.mutable_member_registered();
  r->set_home_jurisdiction(kHome);
  r->set_branch("富蕴县城第一支部");
  r->set_name(name);
  r->set_joined_on("2015-07-01");
  return e;
}

TEST_F(AppraisalReactionsTest, RecordsConsumedEvidenceInItsOwnLogAndReplaysToTheSameProjection) {
  ASSERT_TRUE(
      Consume(From(kHome, "registry", "m1", Registered("阿依古丽")), Topic("registry")).ok());
  ASSERT_TRUE(Consume(From(kHome, "registry", "m2", Registered("马建国")), Topic("registry")).ok());
  Event outflow;
  outflow.mutable_outflow_registered()->set_destination_jurisdiction(kAway);
  outflow.mutable_outflow_registered()->set_left_on("2026-03-01");
  outflow.mutable_outflow_registered()->set_destination_on_system(true);
  ASSERT_TRUE(Consume(From(kHome, "registry", "m2", outflow), Topic("registry")).ok());
  // An entry the destination recorded, re-logged by the home registry.
  Event entry;
  entry.mutable_certificate_entry_recorded()->set_kind(
      lianxin::v1::CERTIFICATE_ENTRY_KIND_ORGANIZATION_LIFE);
  entry.mutable_certificate_entry_recorded()->set_occurred_on("2026-05-12");
  entry.mutable_certificate_entry_recorded()->set_activity("乌鲁木齐流入党员支部学习");
  entry.mutable_certificate_entry_recorded()->set_recorded_by_jurisdiction(kAway);
  ASSERT_TRUE(Consume(From(kHome, "registry", "m2", entry), Topic("registry")).ok());
  Event contact;
  contact.mutable_contact_recorded()->set_member_id("m2");
  contact.mutable_contact_recorded()->set_kind(lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT);
  contact.mutable_contact_recorded()->set_occurred_on("2026-06-30");
  contact.mutable_contact_recorded()->set_recorded_in(kAway);
  ASSERT_TRUE(Consume(From(kHome, "contact", "m2", contact), Topic("contact")).ok());
  Event attendance;
  attendance.mutable_attendance_recorded()->set_member_id("m2");
  attendance.mutable_attendance_recorded()->set_attended(true);
  attendance.mutable_attendance_recorded()->set_hours(6);
  attendance.mutable_attendance_recorded()->set_occurred_on("2026-02-10");
  ASSERT_TRUE(Consume(From(kHome, "education", "m2", attendance), Topic("education")).ok());
  // Not for appraisal: ignored without effect.
  const uint64_t before = store_->LastSequence();
  ASSERT_TRUE(Consume(From(kAway, "registry", "m2", entry), InboxTopic(kHome)).ok());
  ASSERT_TRUE(Consume(From(kHome, "contact", "m2", Registered("x")), Topic("contact")).ok());
  EXPECT_EQ(store_->LastSequence(), before);

  absl::StatusOr<std::optional<LoadedMember>> m2 = projection_->Load("m2");
  ASSERT_TRUE(m2.ok() && m2->has_value());
  const AppraisalMemberFacts& facts = (*m2)->facts;
  EXPECT_EQ(facts.registry().registration().name(), "马建国");
  EXPECT_EQ(WhereAway(facts), kAway);
  lianxin::v1::GetEvidenceReply evidence =
      BuildEvidence("m2", facts, 2026, absl::CivilDay(2026, 12, 20), settings_);
  ASSERT_EQ(evidence.destination_entries_size(), 1);
  EXPECT_EQ(evidence.destination_entries(0).activity(), "乌鲁木齐流入党员支部学习");
  EXPECT_EQ(evidence.education_hours(), 6u);
  ASSERT_EQ(evidence.contacts_size(), 1);
  // The recorded event names its cause.
  bool caused = false;
  ASSERT_TRUE(store_
                  ->ScanAggregate("m2",
                                  [&](const Event& e) {
                                    if (e.has_contact_recorded())
                                      caused =
                                          absl::StartsWith(e.causation_id(), "654322/contact/");
                                    return true;
                                  })
                  .ok());
  EXPECT_TRUE(caused);

  // Opening the cycle (as the service does) notifies both, routing m2's notice.
  std::vector<std::pair<std::string, AppraisalMemberFacts>> members;
  std::vector<LoadedMember> loaded;
  ASSERT_TRUE(projection_
                  ->ScanAppraised([&](const LoadedMember& m) {
                    loaded.push_back(m);
                    members.emplace_back(m.member_id, m.facts);
                    return true;
                  })
                  .ok());
  ASSERT_EQ(loaded.size(), 2u);
  Context ctx{kHome, clock_.Now(), absl::CivilDay(2026, 12, 20), "op-1", "open-2026"};
  absl::StatusOr<OpenedCycle> opened = DecideOpenCycle(2026, false, members, ctx, settings_);
  ASSERT_TRUE(opened.ok());
  Transaction txn;
  projection_->StageCycle(txn, CycleId(kHome, 2026), {}, {opened->cycle_event});
  for (size_t i = 0; i < loaded.size(); ++i)
    projection_->Stage(txn, loaded[i], {opened->notices[i].second});
  absl::StatusOr<CommitResult> committed = store_->Commit(std::move(txn));
  ASSERT_TRUE(committed.ok()) << committed.status();
  int routed = 0;
  for (const Event& e : committed->events) routed += e.routed_to_size();
  EXPECT_EQ(routed, 1);
  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> outbox = store_->ReadOutbox(0, 100);
  ASSERT_TRUE(outbox.ok());
  bool to_inbox = false;
  for (const auto& [seq, row] : *outbox) {
    for (const auto& d : row.deliveries()) to_inbox |= d.topic() == InboxTopic(kAway);
  }
  EXPECT_TRUE(to_inbox);

  // Decisions as the service stages them: dues, organization life, a grade
  // and its correction, a legitimate reason.
  auto decide = [&](const std::string& member_id, auto decision) {
    absl::StatusOr<std::optional<LoadedMember>> m = projection_->Load(member_id);
    ASSERT_TRUE(m.ok() && m->has_value());
    absl::StatusOr<Events> events = decision((*m)->facts);
    ASSERT_TRUE(events.ok()) << events.status();
    Transaction decided;
    projection_->Stage(decided, **m, *std::move(events));
    ASSERT_TRUE(store_->Commit(std::move(decided)).ok());
  };
  lianxin::v1::SetDuesBaseRequest base;
  base.set_basis(lianxin::v1::DUES_BASIS_RETIRED);
  base.set_monthly_income_fen(500001);
  decide("m1",
         [&](const AppraisalMemberFacts& f) { return DecideSetDuesBase(f, base, ctx, settings_); });
  lianxin::v1::RecordDuesPaymentRequest pay;
  pay.add_months("2026-10");
  pay.add_months("2026-11");
  pay.set_amount_fen(10000);
  decide("m1", [&](const AppraisalMemberFacts& f) {
    return DecideRecordDuesPayment(f, pay, ctx, settings_);
  });
  lianxin::v1::RecordOrganizationLifeRequest life;
  life.set_occurred_on("2026-11-15");
  life.set_activity("支部主题党日");
  decide("m1",
         [&](const AppraisalMemberFacts& f) { return DecideRecordOrganizationLife(f, life, ctx); });
  absl::StatusOr<std::optional<LoadedCycle>> cycle = projection_->LoadCycle(CycleId(kHome, 2026));
  ASSERT_TRUE(cycle.ok() && cycle->has_value());
  lianxin::v1::RecordAppraisalRequest grade;
  grade.set_cycle_id(CycleId(kHome, 2026));
  grade.set_grade(lianxin::v1::APPRAISAL_GRADE_QUALIFIED);
  decide("m2", [&](const AppraisalMemberFacts& f) {
    return DecideRecordAppraisal(f, (*cycle)->facts, grade, CycleGrades{}, ctx, settings_);
  });
  lianxin::v1::CorrectAppraisalRequest correction;
  correction.set_cycle_id(CycleId(kHome, 2026));
  correction.set_grade(lianxin::v1::APPRAISAL_GRADE_BASICALLY_QUALIFIED);
  correction.set_reason("流入地复核意见");
  decide("m2", [&](const AppraisalMemberFacts& f) {
    return DecideCorrectAppraisal(f, (*cycle)->facts, correction, CycleGrades{}, ctx, settings_);
  });
  EXPECT_EQ(*store_->Get(Family::kIndexes, "gr/cycle-654322-2026/m2"), "3");
  ExpectProjectionIsTheFoldOfTheLog();
}

TEST_F(AppraisalReactionsTest, ANoticeFromTheHomeCountyIsRecordedAtTheDestination) {
  // Here is 654322; a member of 650102 is here (its registry topic told us).
  Event registered = Registered("李明");
  registered.mutable_member_registered()->set_home_jurisdiction(kAway);
  ASSERT_TRUE(Consume(From(kHome, "registry", "a1", registered), Topic("registry")).ok());
  Event notice;
  notice.set_type("AppraisalNoticeSent");
  notice.add_routed_to(kHome);
  auto* n = notice.mutable_appraisal_notice_sent();
  n->set_cycle_id("cycle-650102-2026");
  n->set_year(2026);
  n->set_home_jurisdiction(kAway);
  n->set_destination_jurisdiction(kHome);
  n->set_sent_on("2026-12-01");
  ASSERT_TRUE(Consume(From(kAway, "appraisal", "a1", notice), InboxTopic(kHome)).ok());
  int noticed = 0;
  ASSERT_TRUE(projection_
                  ->ScanNoticed(2026,
                                [&](const LoadedMember& m) {
                                  ++noticed;
                                  EXPECT_EQ(m.member_id, "a1");
                                  EXPECT_EQ(m.facts.notices(0).home_jurisdiction(), kAway);
                                  EXPECT_FALSE(IsAppraisedBy(m.facts, kHome));
                                  return true;
                                })
                  .ok());
  EXPECT_EQ(noticed, 1);
  // Recorded here, not routed again.
  absl::StatusOr<std::vector<std::pair<uint64_t, OutboxRow>>> outbox = store_->ReadOutbox(0, 100);
  for (const auto& [seq, row] : *outbox) {
    for (const auto& d : row.deliveries()) EXPECT_NE(d.topic(), InboxTopic(kAway));
  }
  ExpectProjectionIsTheFoldOfTheLog();
}

}  // namespace
}  // namespace lianxin::appraisal
