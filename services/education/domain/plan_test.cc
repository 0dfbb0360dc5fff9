// The commit policy of a seasonal training plan (plan.h): what is scheduled,
// enrolled or skipped and why, over in-memory aggregates.
#include "services/education/domain/plan.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/time_util.h"

namespace lianxin::education {
namespace {

using lianxin::v1::EducationState;
using lianxin::v1::Event;
using ::testing::ElementsAre;

constexpr int64_t kHour = 3600;
const int64_t kNine =
    absl::ToUnixSeconds(absl::FromCivil(absl::CivilSecond(2027, 2, 1, 9, 0, 0), CountyTimeZone()));

Context Ctx() {
  const absl::Time t = absl::FromUnixSeconds(kNine - 240 * kHour);
  return {"654322", t, absl::ToCivilDay(t, CountyTimeZone()), "op-1", "req-1"};
}

// The aggregates of one commit, kept in memory and evolved as the kernel would.
class Aggregates final : public PlanAggregates {
 public:
  absl::StatusOr<const EducationState*> State(const std::string& id) override {
    return &states_[id];
  }
  absl::Status Add(const std::string& id, Event event) override {
    event.set_aggregate_id(id);
    states_[id] = Evolve(std::move(states_[id]), event, Settings());
    added_.push_back(event.type());
    return absl::OkStatus();
  }
  std::string SessionId(const std::string& planned_id) const override {
    return "session-" + planned_id;
  }
  std::map<std::string, EducationState> states_;
  std::vector<std::string> added_;
};

lianxin::v1::PlannedSession Planned(const char* planned_id, const char* course_id, int64_t start,
                                    const char* lecturer) {
  lianxin::v1::PlannedSession s;
  s.set_planned_id(planned_id);
  s.set_course_id(course_id);
  s.set_location("库额尔齐斯镇党员活动室");
  s.mutable_starts_at()->set_seconds(start);
  s.mutable_ends_at()->set_seconds(start + 3 * kHour);
  s.set_capacity(30);
  s.set_lecturer(lecturer);
  return s;
}

// A plan "p1": session p1/001 of course c1 (exists), p1/002 of course gone;
// m1 assigned to p1/001, m2 to p1/002, m3 (not known here) to p1/001.
Aggregates PlanToCommit() {
  Aggregates a;
  lianxin::v1::CreateCourseRequest course;
  course.set_title("党章学习");
  course.set_topic(lianxin::v1::COURSE_TOPIC_PARTY_BUILDING);
  course.set_mode(lianxin::v1::COURSE_MODE_MOBILE_CLASSROOM);
  course.set_hours(3);
  absl::StatusOr<Events> created = DecideCreateCourse(course, "c1", Ctx());
  EXPECT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(a.Add("c1", (*created)[0]).ok());
  a.states_["m1"].mutable_member()->set_member_id("m1");
  a.states_["m2"].mutable_member()->set_member_id("m2");
  lianxin::v1::PlanSeasonalTrainingReply plan;
  plan.set_plan_id("p1");
  *plan.add_sessions() = Planned("p1/001", "c1", kNine, "王老师");
  *plan.add_sessions() = Planned("p1/002", "c-gone", kNine + 24 * kHour, "李老师");
  for (const auto& [member, planned] :
       {std::pair<const char*, const char*>{"m1", "p1/001"}, {"m2", "p1/002"}, {"m3", "p1/001"}}) {
    auto* assignment = plan.add_assignments();
    assignment->set_member_id(member);
    assignment->set_planned_id(planned);
  }
  EXPECT_TRUE(a.Add("p1", PlanRecordedEvent("2027-01-25", "2027-02-10", plan, Ctx())).ok());
  a.added_.clear();
  return a;
}

TEST(DecideCommitPlan, SchedulesWhatItCanEnrolsWhoFitsAndSaysWhyTheRestIsSkipped) {
  Aggregates a = PlanToCommit();
  lianxin::v1::CommitPlanReply reply;
  ASSERT_TRUE(DecideCommitPlan("p1", a, Ctx(), &reply).ok());
  EXPECT_THAT(reply.sessions_skipped(), ElementsAre("p1/002"));  // its course is gone
  ASSERT_EQ(reply.session_ids().size(), 1u);
  EXPECT_EQ(reply.session_ids().at("p1/001"), "session-p1/001");
  EXPECT_EQ(reply.enrolled(), 1u);
  ASSERT_EQ(reply.skipped_size(), 2);
  EXPECT_EQ(reply.skipped(0).member_id(), "m2");
  EXPECT_EQ(reply.skipped(0).reason(), lianxin::v1::UNPLACED_REASON_LECTURER_OR_PLACE_TAKEN);
  EXPECT_EQ(reply.skipped(1).member_id(), "m3");
  EXPECT_EQ(reply.skipped(1).reason(), lianxin::v1::UNPLACED_REASON_UNSPECIFIED);
  EXPECT_EQ(a.states_["session-p1/001"].session().enrolled_size(), 1);
  EXPECT_EQ(a.states_["m1"].member().enrolments_size(), 1);
  EXPECT_TRUE(a.states_["p1"].plan().committed());
  EXPECT_EQ(a.added_.back(), "PlanCommitted");
}

TEST(DecideCommitPlan, ASessionWhoseLecturerWasTakenSinceIsSkipped) {
  Aggregates a = PlanToCommit();
  // 王老师 was booked for the same morning after the plan was drafted.
  lianxin::v1::ScheduleSessionRequest other;
  other.set_course_id("c1");
  other.set_location("另一个地方");
  other.mutable_starts_at()->set_seconds(kNine + kHour);
  other.mutable_ends_at()->set_seconds(kNine + 2 * kHour);
  other.set_capacity(10);
  other.set_lecturer("王老师");
  absl::StatusOr<Scheduled> booked =
      DecideScheduleSession(a.states_["c1"].course(), {}, {}, other, "s-other", "", Ctx());
  ASSERT_TRUE(booked.ok()) << booked.status();
  ASSERT_TRUE(a.Add(LecturerCalendarId("王老师"), booked->lecturer).ok());
  lianxin::v1::CommitPlanReply reply;
  ASSERT_TRUE(DecideCommitPlan("p1", a, Ctx(), &reply).ok());
  EXPECT_THAT(reply.sessions_skipped(), ElementsAre("p1/001", "p1/002"));
  EXPECT_EQ(reply.enrolled(), 0u);
  EXPECT_EQ(reply.skipped_size(), 3);
}

TEST(DecideCommitPlan, RefusesAnUnknownPlanAndASecondCommit) {
  Aggregates a = PlanToCommit();
  lianxin::v1::CommitPlanReply reply;
  EXPECT_EQ(DecideCommitPlan("p9", a, Ctx(), &reply).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(DecideCommitPlan("p1", a, Ctx(), &reply).ok());
  lianxin::v1::CommitPlanReply again;
  EXPECT_EQ(DecideCommitPlan("p1", a, Ctx(), &again).code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace lianxin::education
