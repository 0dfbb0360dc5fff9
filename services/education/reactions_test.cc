// The consumer's reactions: registry facts and pre-departure obligations are
// logged; attendance routed home from a destination is recorded; anything
// else in the inbox is ignored.
#include "services/education/reactions.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/testing/testing.h"

namespace lianxin::education {
namespace {

using lianxin::v1::Event;

class ReactionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventStoreOptions options;
    options.path = dir_.Sub("education");
    options.source.set_jurisdiction("654322");
    options.source.set_service("education");
    options.clock = &clock_;
    auto store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    projection_ = std::make_unique<EducationProjection>(store_.get(), "654322", Settings());
    reactions_ = std::make_unique<EducationReactions>(projection_.get(), &clock_);
  }

  // Applies an event of `source`/`service` about `member` read from `topic`.
  void Apply(Event event, const std::string& source, const std::string& service,
             const std::string& topic, const std::string& member = "654322-m") {
    event.mutable_source()->set_jurisdiction(source);
    event.mutable_source()->set_service(service);
    event.set_aggregate_id(member);
    event.set_event_id(absl::StrCat(source, "/", service, "/", ++n_));
    Transaction txn;
    ASSERT_TRUE(reactions_->Apply(event, topic, txn).ok());
    if (!txn.empty()) {
      ASSERT_TRUE(store_->Commit(std::move(txn)).ok());
    }
  }

  lianxin::v1::MemberEducation Member(const std::string& id = "654322-m") {
    auto loaded = projection_->Load(id);
    EXPECT_TRUE(loaded.ok());
    return loaded->state.member();
  }

  std::vector<std::string> Types(const std::string& id = "654322-m") {
    std::vector<std::string> types;
    EXPECT_TRUE(store_
                    ->ScanAggregate(id,
                                    [&](const Event& e) {
                                      types.push_back(e.type());
                                      return true;
                                    })
                    .ok());
    return types;
  }

  testing::TempDir dir_;
  ManualClock clock_{absl::FromUnixSeconds(1800000000)};
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EducationProjection> projection_;
  std::unique_ptr<EducationReactions> reactions_;
  int n_ = 0;
  const std::string registry_topic_ = "lx.654322.registry.v1";
  const std::string inbox_ = "lx.654322.inbox.v1";
};

TEST_F(ReactionsTest, OutflowOfAMemberOfThisCounty_LogsTheFactsAndAnObligation) {
  Event registered;
  registered.set_type("MemberRegistered");
  registered.mutable_member_registered()->set_name("王芳");
  registered.mutable_member_registered()->set_home_jurisdiction("654322");
  Apply(registered, "654322", "registry", registry_topic_);
  Event outflow;
  outflow.set_type("OutflowRegistered");
  outflow.mutable_outflow_registered()->set_destination_jurisdiction("650102");
  outflow.mutable_outflow_registered()->set_left_on("2027-03-01");
  outflow.mutable_outflow_registered()->set_expected_return_on("2028-01-20");
  Apply(outflow, "654322", "registry", registry_topic_);
  // A change of destination is no new departure.
  outflow.mutable_outflow_registered()->set_previous_destination_jurisdiction("650102");
  outflow.mutable_outflow_registered()->set_destination_jurisdiction("440305");
  Apply(outflow, "654322", "registry", registry_topic_);

  EXPECT_EQ(Types(), (std::vector<std::string>{"RegistryFactsNoted", "RegistryFactsNoted",
                                               "PreDepartureRequired", "RegistryFactsNoted"}));
  const auto member = Member();
  EXPECT_EQ(member.name(), "王芳");
  EXPECT_TRUE(member.away());
  EXPECT_EQ(member.destination_jurisdiction(), "440305");
  ASSERT_EQ(member.pre_departures_size(), 1);
  EXPECT_EQ(member.pre_departures(0).left_on(), "2027-03-01");
  EXPECT_TRUE(store_->Get(Family::kIndexes, "pd/2027-03-01/654322-m").ok());

  Event back;
  back.set_type("ReturnRecorded");
  back.mutable_return_recorded()->set_returned_on("2028-01-18");
  Apply(back, "654322", "registry", registry_topic_);
  EXPECT_FALSE(Member().away());
  EXPECT_EQ(Member().returned_on(), "2028-01-18");
}

TEST_F(ReactionsTest, OutflowOfAnotherCountysMember_NoObligationHere) {
  Event outflow;
  outflow.set_type("OutflowRegistered");
  outflow.mutable_outflow_registered()->set_destination_jurisdiction("654322");
  outflow.mutable_outflow_registered()->set_left_on("2027-03-01");
  outflow.mutable_outflow_registered()->mutable_snapshot()->set_home_jurisdiction("650102");
  outflow.mutable_outflow_registered()->mutable_snapshot()->mutable_registration()->set_name("李");
  Apply(outflow, "654322", "registry", registry_topic_, "650102-m");
  const auto member = Member("650102-m");
  EXPECT_EQ(member.home_jurisdiction(), "650102");
  EXPECT_EQ(member.pre_departures_size(), 0);
  EXPECT_FALSE(store_->Get(Family::kIndexes, "mh/650102-m").ok());
}

TEST_F(ReactionsTest, AttendanceRoutedHomeIsRecordedOtherInboxMailIgnored) {
  Event attended;
  attended.set_type("AttendanceRecorded");
  auto* a = attended.mutable_attendance_recorded();
  a->set_member_id("654322-m");
  a->set_session_id("650102-session-1");
  a->set_attended(true);
  a->set_hours(3);
  a->set_occurred_on("2027-01-05");
  a->set_recorded_in("650102");
  Apply(attended, "650102", "education", inbox_);
  // The registry's mail in the same inbox, and an education event of this
  // county's own: not for this service.
  Event registry;
  registry.set_type("ArrivalRecorded");
  registry.mutable_arrival_recorded()->set_destination_jurisdiction("650102");
  Apply(registry, "650102", "registry", inbox_);
  Apply(attended, "654322", "education", inbox_);
  Event contact;
  contact.set_type("ContactRecorded");
  contact.mutable_contact_recorded()->set_member_id("654322-m");
  Apply(contact, "650102", "contact", inbox_);

  EXPECT_EQ(Types(), std::vector<std::string>{"AttendanceRecorded"});
  const auto member = Member();
  ASSERT_EQ(member.entries_size(), 1);
  EXPECT_EQ(member.entries(0).recorded_in(), "650102");
  EXPECT_EQ(member.entries(0).hours(), 3u);
  store_
      ->ScanAggregate("654322-m",
                      [](const Event& e) {
                        EXPECT_EQ(e.causation_id(), "650102/education/1");
                        EXPECT_TRUE(e.routed_to().empty());
                        return true;
                      })
      .IgnoreError();
}

}  // namespace
}  // namespace lianxin::education
