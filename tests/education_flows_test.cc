// Education across real processes (lianxin-broker, registries, education
// services of two counties): an outflow creates a pre-departure obligation,
// training at the destination counts in the origin's yearly record.
#include <thread>

#include "absl/algorithm/container.h"
#include "gmock/gmock.h"
#include "libs/eventstore/event_store.h"
#include "services/education/projector.h"
#include "tests/education_fixture.h"

namespace lianxin::education_test {
namespace {

using ::testing::HasSubstr;

class EducationFlowsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new EducationCluster({kFuyun, kTianshan});
    start_status_ = new absl::Status(cluster_->Start());
  }
  static void TearDownTestSuite() {
    delete cluster_;
    delete start_status_;
  }
  void SetUp() override { LX_ASSERT_OK(*start_status_); }
  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_->Logs();
  }
  static EducationCluster& cluster() { return *cluster_; }
  static int ThisYear() { return CountyToday().year(); }

  static inline EducationCluster* cluster_ = nullptr;
  static inline absl::Status* start_status_ = nullptr;
};

std::vector<std::string> DueIds(const v1::ListPreDepartureDueReply& reply) {
  std::vector<std::string> ids;
  for (const auto& due : reply.due()) ids.push_back(due.member_id());
  return ids;
}

TEST_F(EducationFlowsTest, Outflow_CreatesPreDepartureObligation_MetByDeliveryBeforeLeaving) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id,
                          cluster().registry().Register(kFuyun, NewPerson("马合木提")));
  ASSERT_TRUE(cluster().WaitForMember(kFuyun, id, ThisYear()));
  // Leaves in two weeks.
  LX_ASSERT_OK(cluster().registry().RegisterOutflow(kFuyun, Outflow(id, kTianshan, 14)));

  v1::ListPreDepartureDueRequest list;
  list.set_jurisdiction(kFuyun);
  v1::ListPreDepartureDueReply due;
  ASSERT_TRUE(WaitFor(
      [&] {
        due.Clear();
        return cluster().Call(kFuyun, &Stub::ListPreDepartureDue, list, &due).ok() &&
               absl::c_linear_search(DueIds(due), id);
      },
      kDeliveryTimeout));
  for (const auto& d : due.due()) {
    if (d.member_id() != id) continue;
    EXPECT_EQ(d.left_on(), Day(14));
    EXPECT_EQ(d.destination_jurisdiction(), kTianshan);
    EXPECT_EQ(d.name(), "马合木提");
    EXPECT_FALSE(d.overdue());
  }
  // As of the departure day it is overdue.
  list.set_as_of(Day(14));
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListPreDepartureDue, list, &due));
  for (const auto& d : due.due()) {
    if (d.member_id() == id) {
      EXPECT_TRUE(d.overdue());
    }
  }
  LX_ASSERT_OK_AND_ASSIGN(v1::GetEducationRecordReply record,
                          cluster().Record(kFuyun, id, (CountyToday() + 14).year()));
  EXPECT_FALSE(record.pre_departure_done());

  // Material mailed today, before the departure: the obligation is met.
  LX_ASSERT_OK_AND_ASSIGN(std::string course, cluster().Course(kFuyun, "外出务工党员行前教育",
                                                               v1::COURSE_TOPIC_PARTY_DISCIPLINE,
                                                               v1::COURSE_MODE_MAIL, 4));
  v1::RecordDeliveryRequest delivery;
  delivery.set_request_id(NewRequestId("delivery"));
  delivery.set_member_id(id);
  delivery.set_course_id(course);
  delivery.set_mode(v1::COURSE_MODE_MAIL);
  delivery.set_delivered_on(Day(0));
  v1::RecordDeliveryReply delivered;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::RecordDelivery, delivery, &delivered));
  list.clear_as_of();
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListPreDepartureDue, list, &due));
  EXPECT_FALSE(absl::c_linear_search(DueIds(due), id));
  LX_ASSERT_OK_AND_ASSIGN(record, cluster().Record(kFuyun, id, (CountyToday() + 14).year()));
  ASSERT_EQ(record.pre_departures_size(), 1);
  EXPECT_EQ(record.pre_departures(0).met_on(), Day(0));
  EXPECT_TRUE(record.pre_departure_done());
}

TEST_F(EducationFlowsTest, TrainingAtDestination_AppearsInTheOriginsYearlyRecord) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id,
                          cluster().registry().Register(kFuyun, NewPerson("古丽娜")));
  LX_ASSERT_OK(cluster().registry().RegisterOutflow(kFuyun, Outflow(id, kTianshan)));
  // The destination's education learns the member from its registry's topic.
  ASSERT_TRUE(cluster().WaitForMember(kTianshan, id, ThisYear()));

  LX_ASSERT_OK_AND_ASSIGN(std::string course,
                          cluster().Course(kTianshan, "流动党员法治讲座", v1::COURSE_TOPIC_LAW,
                                           v1::COURSE_MODE_MOBILE_CLASSROOM, 3));
  // Held yesterday (attendance is recorded once a session has started).
  v1::ScheduleSessionRequest schedule =
      SessionAt(course, -24, 3, "天山区流动党员服务站", "阿依古丽");
  v1::ScheduleSessionReply session;
  LX_ASSERT_OK(cluster().Call(kTianshan, &Stub::ScheduleSession, schedule, &session));
  v1::EnrollRequest enroll;
  enroll.set_request_id(NewRequestId("enroll"));
  enroll.set_session_id(session.session_id());
  enroll.set_member_id(id);
  v1::EnrollReply enrolled;
  LX_ASSERT_OK(cluster().Call(kTianshan, &Stub::Enroll, enroll, &enrolled));
  v1::RecordAttendanceRequest attend;
  attend.set_request_id(NewRequestId("attend"));
  attend.set_session_id(session.session_id());
  attend.set_member_id(id);
  attend.set_attended(true);
  v1::RecordAttendanceReply attended;
  LX_ASSERT_OK(cluster().Call(kTianshan, &Stub::RecordAttendance, attend, &attended));

  const int year = absl::ToCivilDay(absl::FromUnixSeconds(schedule.starts_at().seconds()),
                                    absl::FixedTimeZone(8 * 3600))
                       .year();
  v1::GetEducationRecordReply record;
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<v1::GetEducationRecordReply> r = cluster().Record(kFuyun, id, year);
        if (!r.ok()) return false;
        record = *r;
        return record.sessions_attended() == 1;
      },
      kDeliveryTimeout));
  EXPECT_EQ(record.hours(), 3u);
  EXPECT_TRUE(record.below_floor());
  EXPECT_EQ(record.floor_hours(), 32u);
  ASSERT_EQ(record.entries_size(), 1);
  EXPECT_EQ(record.entries(0).recorded_in(), kTianshan);
  EXPECT_EQ(record.entries(0).session_id(), session.session_id());
  EXPECT_EQ(record.entries(0).topic(), v1::COURSE_TOPIC_LAW);

  // Below the floor at home as of today, with the hours from Tianshan. The
  // registry's facts (home, away) and Tianshan's inbox copy come on two topics
  // in no set order, so the member is listed once both have arrived.
  v1::ListBelowFloorRequest below;
  below.set_jurisdiction(kFuyun);
  below.set_as_of(absl::FormatCivilTime(absl::CivilDay(year, 12, 31)));
  v1::BelowFloor listed;
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::ListBelowFloorReply reply;
        if (!cluster().Call(kFuyun, &Stub::ListBelowFloor, below, &reply).ok()) return false;
        for (const auto& m : reply.members()) {
          if (m.member_id() != id) continue;
          listed = m;
          return true;
        }
        return false;
      },
      kDeliveryTimeout));
  EXPECT_EQ(listed.hours(), 3u);
  EXPECT_EQ(listed.missing_hours(), 29u);
  EXPECT_TRUE(listed.away());
  EXPECT_EQ(listed.name(), "古丽娜");
  // The destination's operator may read the member's record at the destination;
  // Fuyun's operator reads it at home.
  EXPECT_EQ(cluster().Record(kTianshan, id, year)->hours(), 3u);
}

TEST_F(EducationFlowsTest, ConcurrentSchedulingOfOneLecturer_OnlyOneSucceeds) {
  LX_ASSERT_OK_AND_ASSIGN(std::string course,
                          cluster().Course(kFuyun, "党课", v1::COURSE_TOPIC_PARTY_BUILDING,
                                           v1::COURSE_MODE_MOBILE_CLASSROOM, 3));
  constexpr int kRacers = 8;
  std::vector<absl::Status> results(kRacers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      // Each at its own place, all with one lecturer at overlapping times.
      v1::ScheduleSessionRequest r =
          SessionAt(course, 24 * 40 + (i % 2), 3, absl::StrCat("村委会", i), "并发讲师");
      v1::ScheduleSessionReply reply;
      results[i] = cluster().Call(kFuyun, &Stub::ScheduleSession, r, &reply);
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (const absl::Status& s : results) {
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
      EXPECT_THAT(s.message(), HasSubstr("lecturer: 并发讲师 already teaches"));
    }
  }
  EXPECT_EQ(ok, 1);
}

TEST_F(EducationFlowsTest, ConcurrentEnrolmentsInALastSeat_OnlyOneSucceeds) {
  LX_ASSERT_OK_AND_ASSIGN(std::string course,
                          cluster().Course(kFuyun, "技能培训", v1::COURSE_TOPIC_PRACTICAL_SKILLS,
                                           v1::COURSE_MODE_MOBILE_CLASSROOM, 3));
  v1::ScheduleSessionReply session;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ScheduleSession,
                              SessionAt(course, 24 * 41, 3, "可可托海镇", "李技师", 1), &session));
  constexpr int kRacers = 6;
  std::vector<std::string> ids;
  for (int i = 0; i < kRacers; ++i) {
    LX_ASSERT_OK_AND_ASSIGN(std::string id,
                            cluster().registry().Register(kFuyun, NewPerson("学员")));
    ids.push_back(id);
  }
  for (const std::string& id : ids) ASSERT_TRUE(cluster().WaitForMember(kFuyun, id, ThisYear()));
  std::vector<absl::Status> results(kRacers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRacers; ++i) {
    threads.emplace_back([&, i] {
      v1::EnrollRequest r;
      r.set_request_id(NewRequestId("seat"));
      r.set_session_id(session.session_id());
      r.set_member_id(ids[i]);
      v1::EnrollReply reply;
      results[i] = cluster().Call(kFuyun, &Stub::Enroll, r, &reply);
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  for (const absl::Status& s : results) {
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
      EXPECT_THAT(s.message(), HasSubstr("is full"));
    }
  }
  EXPECT_EQ(ok, 1);
  v1::GetSessionRequest get;
  get.set_session_id(session.session_id());
  v1::GetSessionReply got;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::GetSession, get, &got));
  EXPECT_EQ(got.session().enrolled_size(), 1);
}

TEST_F(EducationFlowsTest, SpringFestivalPlan_PlacesMembersOnChosenTopics_CommitEnrolsThem) {
  std::vector<std::string> ids;
  for (const char* name : {"哈力木", "玛依拉", "叶尔兰"}) {
    LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().registry().Register(kFuyun, NewPerson(name)));
    ids.push_back(id);
  }
  for (const std::string& id : ids) ASSERT_TRUE(cluster().WaitForMember(kFuyun, id, ThisYear()));
  for (const std::string& id : ids) {
    v1::SetPreferencesRequest prefs;
    prefs.set_request_id(NewRequestId("prefs"));
    prefs.set_member_id(id);
    prefs.add_topics(v1::COURSE_TOPIC_LAW);
    v1::SetPreferencesReply set;
    LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::SetPreferences, prefs, &set));
  }
  LX_ASSERT_OK_AND_ASSIGN(std::string law,
                          cluster().Course(kFuyun, "春节法律讲座", v1::COURSE_TOPIC_LAW,
                                           v1::COURSE_MODE_MOBILE_CLASSROOM, 3));
  v1::AddPlaceRequest place;
  place.set_request_id(NewRequestId("place"));
  place.set_jurisdiction(kFuyun);
  place.set_name("春节培训礼堂");
  place.set_capacity(500);
  v1::AddPlaceReply added;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::AddPlace, place, &added));
  v1::AddLecturerRequest lecturer;
  lecturer.set_request_id(NewRequestId("lecturer"));
  lecturer.set_jurisdiction(kFuyun);
  lecturer.set_name("法律讲师");
  lecturer.add_topics(v1::COURSE_TOPIC_LAW);
  v1::AddLecturerReply lectured;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::AddLecturer, lecturer, &lectured));

  v1::PlanSeasonalTrainingRequest plan;
  plan.set_request_id(NewRequestId("festival"));
  plan.set_jurisdiction(kFuyun);
  plan.set_window_start(Day(70));
  plan.set_window_end(Day(76));
  plan.set_include_residents(true);
  v1::PlanSeasonalTrainingReply planned;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::PlanSeasonalTraining, plan, &planned));
  EXPECT_GT(planned.candidates_considered(), 0u);
  ASSERT_GT(planned.sessions_size(), 0);
  std::map<std::string, v1::Assignment> by_member;
  for (const auto& a : planned.assignments()) by_member[a.member_id()] = a;
  for (const auto& u : planned.unassigned()) {
    EXPECT_FALSE(by_member.contains(u.member_id()));
    EXPECT_NE(u.reason(), v1::UNPLACED_REASON_UNSPECIFIED);
  }
  EXPECT_EQ(planned.assignments_size() + planned.unassigned_size(),
            static_cast<int>(planned.members_considered()));
  for (const std::string& id : ids) {
    ASSERT_TRUE(by_member.contains(id)) << id;
    EXPECT_TRUE(by_member[id].preferred());
    EXPECT_EQ(by_member[id].kind(), v1::EXPECTED_HOME_KIND_RESIDENT);
  }
  // The same request again: the same plan.
  v1::PlanSeasonalTrainingReply again;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::PlanSeasonalTraining, plan, &again));
  EXPECT_EQ(again.SerializeAsString(), planned.SerializeAsString());

  v1::CommitPlanRequest commit;
  commit.set_request_id(NewRequestId("commit"));
  commit.set_plan_id(planned.plan_id());
  v1::CommitPlanReply committed;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::CommitPlan, commit, &committed));
  EXPECT_EQ(committed.enrolled() + committed.skipped_size(),
            static_cast<uint32_t>(planned.assignments_size()));
  for (const std::string& id : ids) {
    const std::string& session_id = committed.session_ids().at(by_member[id].planned_id());
    v1::GetSessionRequest get;
    get.set_session_id(session_id);
    v1::GetSessionReply got;
    LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::GetSession, get, &got));
    EXPECT_THAT(got.session().enrolled(), ::testing::Contains(id));
    EXPECT_EQ(got.session().plan_id(), planned.plan_id());
    EXPECT_EQ(got.session().topic(), v1::COURSE_TOPIC_LAW);
  }
  commit.set_request_id(NewRequestId("commit-again"));
  EXPECT_EQ(cluster().Call(kFuyun, &Stub::CommitPlan, commit, &committed).code(),
            absl::StatusCode::kFailedPrecondition);
  // The sessions are listed in the window.
  v1::ListSessionsRequest list;
  list.set_jurisdiction(kFuyun);
  list.set_from(Day(70));
  list.set_to(Day(76));
  v1::ListSessionsReply sessions;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListSessions, list, &sessions));
  EXPECT_GE(sessions.sessions_size(), static_cast<int>(committed.session_ids_size()));
  (void)law;
}

// Last in the suite: the live log of each county's education service, written
// by the tests above (commands, registry facts, attendance routed through the
// inbox), folded with NewProjector gives the live states and index rows.
TEST_F(EducationFlowsTest, ZZ_ReplayOfTheLiveLogs_MatchesTheLiveStatesAndIndexRows) {
  for (const char* county : {kFuyun, kTianshan}) {
    SCOPED_TRACE(county);
    EventStoreOptions options;
    options.path = cluster().StorePath(county);
    options.source.set_jurisdiction(county);
    options.source.set_service("education");
    options.read_only = true;
    LX_ASSERT_OK_AND_ASSIGN(std::unique_ptr<EventStore> store, EventStore::Open(options));
    education::Settings settings;
    std::unique_ptr<Projector> projector = education::NewProjector(county, settings);
    std::map<std::string, std::string> folded;
    absl::Status failure;
    LX_ASSERT_OK(store->ScanLog(1, [&](const v1::Event& event) {
      absl::StatusOr<std::string> next = projector->Evolve(folded[event.aggregate_id()], event);
      if (!next.ok()) {
        failure = next.status();
        return false;
      }
      folded[event.aggregate_id()] = *next;
      return true;
    }));
    LX_ASSERT_OK(failure);
    ASSERT_FALSE(folded.empty());
    std::set<std::pair<std::string, std::string>> expected;
    for (const auto& [id, state] : folded) {
      LX_ASSERT_OK_AND_ASSIGN(Aggregate live, store->ReadAggregate(id));
      v1::EducationState replayed, stored;
      ASSERT_TRUE(replayed.ParseFromString(state));
      ASSERT_TRUE(stored.ParseFromString(live.state));
      EXPECT_EQ(replayed.DebugString(), stored.DebugString()) << id;
      for (auto& row : projector->IndexRows(id, state)) expected.insert(row);
    }
    std::set<std::pair<std::string, std::string>> live_rows;
    LX_ASSERT_OK(store->ScanPrefix(Family::kIndexes, "",
                                   [&](const std::string& key, const std::string& value) {
                                     live_rows.insert({key, value});
                                     return true;
                                   }));
    EXPECT_EQ(expected, live_rows);
  }
}

}  // namespace
}  // namespace lianxin::education_test
