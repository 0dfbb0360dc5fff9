// The replay contract: folding the education log with NewProjector gives the
// live aggregate states and index rows, for every kind of aggregate.
#include "services/education/projector.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/testing/testing.h"
#include "services/education/domain/decider.h"
#include "services/education/projection.h"
#include "services/education/reactions.h"

namespace lianxin::education {
namespace {

using lianxin::v1::Event;

constexpr int64_t kHour = 3600;

class ProjectorTest : public ::testing::Test {
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
    settings_.on_system = {"654322", "650102"};
    projection_ = std::make_unique<EducationProjection>(store_.get(), "654322", settings_);
  }

  Context Ctx() {
    return {"654322", clock_.Now(), absl::ToCivilDay(clock_.Now(), CountyTimeZone()), "op", "r"};
  }

  // A registry event as the consumer hands it over.
  void Consume(Event event, const std::string& member_id) {
    event.mutable_source()->set_jurisdiction("654322");
    event.mutable_source()->set_service("registry");
    event.set_aggregate_id(member_id);
    event.set_event_id("registry-" + std::to_string(++registry_events_));
    EducationReactions reactions(projection_.get(), &clock_);
    Transaction txn;
    ASSERT_TRUE(reactions.Apply(event, "lx.654322.registry.v1", txn).ok());
    ASSERT_TRUE(store_->Commit(std::move(txn)).ok());
  }

  void Commit(Batch& batch) {
    Transaction txn;
    batch.Stage(txn);
    auto result = store_->Commit(std::move(txn));
    ASSERT_TRUE(result.ok()) << result.status();
  }

  testing::TempDir dir_;
  ManualClock clock_{absl::FromCivil(absl::CivilSecond(2027, 1, 20, 8, 0, 0), CountyTimeZone())};
  Settings settings_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<EducationProjection> projection_;
  int registry_events_ = 0;
};

// A committed plan's map of session ids, filled in two orders, is stored as
// the same bytes (a map's wire order otherwise follows its hash table).
TEST(SerializeStateTest, PlanStateBytesDoNotDependOnInsertionOrder) {
  lianxin::v1::EducationState forward, backward;
  auto* forward_ids = forward.mutable_plan()->mutable_commit()->mutable_session_ids();
  auto* backward_ids = backward.mutable_plan()->mutable_commit()->mutable_session_ids();
  for (int i = 0; i < 64; ++i) {
    (*forward_ids)[absl::StrCat("candidate-", i)] = absl::StrCat("654322-session-", i);
    (*backward_ids)[absl::StrCat("candidate-", 63 - i)] = absl::StrCat("654322-session-", 63 - i);
  }
  EXPECT_EQ(SerializeState(forward), SerializeState(backward));
  lianxin::v1::EducationState parsed;
  ASSERT_TRUE(parsed.ParseFromString(SerializeState(forward)));
  EXPECT_EQ(parsed.plan().commit().session_ids_size(), 64);
}

TEST_F(ProjectorTest, FoldOfTheLogMatchesTheLiveStateAndIndexes) {
  // Two members from the registry; one leaves (pre-departure obligation).
  Event registered;
  registered.set_type("MemberRegistered");
  registered.mutable_member_registered()->set_name("张三");
  registered.mutable_member_registered()->set_home_jurisdiction("654322");
  Consume(registered, "654322-a");
  registered.mutable_member_registered()->set_name("李四");
  Consume(registered, "654322-b");
  Event outflow;
  outflow.set_type("OutflowRegistered");
  outflow.mutable_outflow_registered()->set_destination_jurisdiction("650102");
  outflow.mutable_outflow_registered()->set_left_on("2027-03-01");
  outflow.mutable_outflow_registered()->set_expected_return_on("2028-01-25");
  Consume(outflow, "654322-b");

  // A course, a session, enrolments, attendance, a delivery, preferences, a place.
  Batch batch(*projection_);
  lianxin::v1::CreateCourseRequest create;
  create.set_title("党章学习");
  create.set_topic(lianxin::v1::COURSE_TOPIC_PARTY_BUILDING);
  create.set_mode(lianxin::v1::COURSE_MODE_MOBILE_CLASSROOM);
  create.set_hours(3);
  auto course = DecideCreateCourse(create, "654322-course-1", Ctx());
  ASSERT_TRUE(course.ok());
  ASSERT_TRUE(batch.Add("654322-course-1", (*course)[0]).ok());
  lianxin::v1::AddPlaceRequest place;
  place.set_name("镇活动室");
  place.set_capacity(40);
  ASSERT_TRUE(batch.Add(PlaceCalendarId("镇活动室"), (*DecideAddPlace({}, place, Ctx()))[0]).ok());
  Commit(batch);

  lianxin::v1::ScheduleSessionRequest schedule;
  schedule.set_course_id("654322-course-1");
  schedule.set_location("镇活动室");
  const int64_t start = absl::ToUnixSeconds(clock_.Now()) + kHour;
  schedule.mutable_starts_at()->set_seconds(start);
  schedule.mutable_ends_at()->set_seconds(start + 3 * kHour);
  schedule.set_capacity(30);
  schedule.set_lecturer("王老师");
  auto c = projection_->Load("654322-course-1");
  auto p = projection_->Load(PlaceCalendarId("镇活动室"));
  auto scheduled = DecideScheduleSession(c->state.course(), {}, p->state.calendar(), schedule,
                                         "654322-session-1", "", Ctx());
  ASSERT_TRUE(scheduled.ok()) << scheduled.status();
  ASSERT_TRUE(batch.Add("654322-session-1", scheduled->session).ok());
  ASSERT_TRUE(batch.Add(LecturerCalendarId("王老师"), scheduled->lecturer).ok());
  ASSERT_TRUE(batch.Add(PlaceCalendarId("镇活动室"), *scheduled->place).ok());
  Commit(batch);

  for (const char* member_id : {"654322-a", "654322-b"}) {
    auto session = projection_->Load("654322-session-1");
    auto member = projection_->Load(member_id);
    auto enrolled =
        DecideEnroll(session->state.session(), member->state.member(), member_id, Ctx());
    ASSERT_TRUE(enrolled.ok()) << enrolled.status();
    ASSERT_TRUE(batch.Add("654322-session-1", enrolled->seat).ok());
    ASSERT_TRUE(batch.Add(member_id, enrolled->member).ok());
    Commit(batch);
  }
  clock_.Advance(absl::Hours(2));
  {
    auto session = projection_->Load("654322-session-1");
    auto member = projection_->Load("654322-b");
    lianxin::v1::RecordAttendanceRequest attend;
    attend.set_member_id("654322-b");
    attend.set_attended(true);
    auto attended = DecideRecordAttendance(session->state.session(), member->state.member(), attend,
                                           Ctx(), settings_);
    ASSERT_TRUE(attended.ok()) << attended.status();
    ASSERT_TRUE(batch.Add("654322-b", (*attended)[0]).ok());
    lianxin::v1::SetPreferencesRequest prefs;
    prefs.add_topics(lianxin::v1::COURSE_TOPIC_LAW);
    ASSERT_TRUE(
        batch.Add("654322-a", (*DecideSetPreferences(member->state.member(), prefs, Ctx()))[0])
            .ok());
    Commit(batch);
  }

  // Replay: fold each aggregate's events, compare state and index rows.
  std::unique_ptr<Projector> projector = NewProjector("654322", settings_);
  EXPECT_EQ(projector->service(), "education");
  std::map<std::string, std::string> folded;
  ASSERT_TRUE(store_
                  ->ScanLog(1,
                            [&](const Event& event) {
                              auto next = projector->Evolve(folded[event.aggregate_id()], event);
                              EXPECT_TRUE(next.ok()) << next.status();
                              folded[event.aggregate_id()] = *next;
                              return true;
                            })
                  .ok());
  EXPECT_EQ(folded.size(), 6u);  // 2 members, a course, a session, a lecturer, a place
  std::set<std::pair<std::string, std::string>> expected_rows;
  for (const auto& [id, state] : folded) {
    auto live = store_->ReadAggregate(id);
    ASSERT_TRUE(live.ok()) << id;
    lianxin::v1::EducationState a, b;
    ASSERT_TRUE(a.ParseFromString(state));
    ASSERT_TRUE(b.ParseFromString(live->state));
    EXPECT_EQ(a.DebugString(), b.DebugString()) << id;
    for (auto& row : projector->IndexRows(id, state)) expected_rows.insert(row);
  }
  std::set<std::pair<std::string, std::string>> live_rows;
  ASSERT_TRUE(store_
                  ->ScanPrefix(Family::kIndexes, "",
                               [&](const std::string& key, const std::string& value) {
                                 live_rows.insert({key, value});
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(expected_rows, live_rows);
  // The unmet obligation of 654322-b was met by the attendance: no pd/ row.
  bool has_obligation_row = false;
  for (const auto& [key, value] : live_rows) has_obligation_row |= key.rfind("pd/", 0) == 0;
  EXPECT_FALSE(has_obligation_row);
  EXPECT_TRUE(live_rows.contains({"mh/654322-a", ""}));

  Event foreign;
  foreign.set_type("OutflowRegistered");
  *foreign.mutable_outflow_registered() = outflow.outflow_registered();
  EXPECT_EQ(projector->Evolve("", foreign).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lianxin::education
