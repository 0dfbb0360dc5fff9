// The EducationScheduling contract against real processes: bad input answers
// INVALID_ARGUMENT naming the field (invalid UTF-8 included), each conflict
// kind FAILED_PRECONDITION naming the clash, touching sessions accepted,
// idempotency, roles and counties.
#include <algorithm>

#include "gmock/gmock.h"
#include "tests/education_fixture.h"
#include "tests/paging_testing.h"

namespace lianxin::education_test {
namespace {

using ::lianxin::testing::WalkPages;
using ::testing::HasSubstr;

class EducationContractTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new EducationCluster({kFuyun});
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

  // A member of Fuyun known to education.
  std::string Member(const std::string& name) {
    absl::StatusOr<std::string> id = cluster().registry().Register(kFuyun, NewPerson(name));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(cluster().WaitForMember(kFuyun, *id, CountyToday().year()));
    return *id;
  }
  std::string MobileCourse() {
    absl::StatusOr<std::string> course =
        cluster().Course(kFuyun, "流动课堂：党的二十大精神", v1::COURSE_TOPIC_POLITICAL_THEORY,
                         v1::COURSE_MODE_MOBILE_CLASSROOM, 3);
    EXPECT_TRUE(course.ok()) << course.status();
    return *course;
  }
  absl::StatusOr<std::string> Schedule(const v1::ScheduleSessionRequest& request) {
    v1::ScheduleSessionReply reply;
    absl::Status s = cluster().Call(kFuyun, &Stub::ScheduleSession, request, &reply);
    if (!s.ok()) return s;
    return reply.session_id();
  }
  absl::Status Enroll(const std::string& session, const std::string& member) {
    v1::EnrollRequest r;
    r.set_request_id(NewRequestId("enroll"));
    r.set_session_id(session);
    r.set_member_id(member);
    v1::EnrollReply reply;
    return cluster().Call(kFuyun, &Stub::Enroll, r, &reply);
  }

  static inline EducationCluster* cluster_ = nullptr;
  static inline absl::Status* start_status_ = nullptr;
};

struct BadInput {
  std::string label;
  std::string field;
};

TEST_F(EducationContractTest, BadInput_InvalidArgumentNamingTheField) {
  const std::string course = MobileCourse();
  {
    struct Case {
      BadInput expect;
      std::function<void(v1::CreateCourseRequest&)> spoil;
    };
    const std::vector<Case> cases = {
        {{"title with invalid UTF-8", "title"}, [](auto& r) { r.set_title("党课\xE5\xAF"); }},
        {{"empty title", "title"}, [](auto& r) { r.set_title(""); }},
        {{"no topic", "topic"}, [](auto& r) { r.set_topic(v1::COURSE_TOPIC_UNSPECIFIED); }},
        {{"unknown topic", "topic"},
         [](auto& r) { r.set_topic(static_cast<v1::CourseTopic>(77)); }},
        {{"no mode", "mode"}, [](auto& r) { r.set_mode(v1::COURSE_MODE_UNSPECIFIED); }},
        {{"zero hours", "hours"}, [](auto& r) { r.set_hours(0); }},
        {{"33 hours", "hours"}, [](auto& r) { r.set_hours(33); }},
        {{"jurisdiction of letters", "jurisdiction"},
         [](auto& r) { r.set_jurisdiction("65432X"); }},
        {{"no request_id", "request_id"}, [](auto& r) { r.set_request_id(""); }},
    };
    for (const Case& c : cases) {
      SCOPED_TRACE(c.expect.label);
      v1::CreateCourseRequest r;
      r.set_request_id(NewRequestId("bad"));
      r.set_jurisdiction(kFuyun);
      r.set_title("法治课");
      r.set_topic(v1::COURSE_TOPIC_LAW);
      r.set_mode(v1::COURSE_MODE_ONLINE);
      r.set_hours(2);
      c.spoil(r);
      v1::CreateCourseReply reply;
      absl::Status s = cluster().Call(kFuyun, &Stub::CreateCourse, r, &reply);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
      EXPECT_THAT(s.message(), HasSubstr(c.expect.field + ":")) << s;
    }
  }
  {
    struct Case {
      BadInput expect;
      std::function<void(v1::ScheduleSessionRequest&)> spoil;
    };
    const std::vector<Case> cases = {
        {{"ends_at before starts_at", "ends_at"},
         [](auto& r) { r.mutable_ends_at()->set_seconds(r.starts_at().seconds() - 60); }},
        {{"ends_at equal to starts_at", "ends_at"},
         [](auto& r) { r.mutable_ends_at()->set_seconds(r.starts_at().seconds()); }},
        {{"13 hours long", "ends_at"},
         [](auto& r) { r.mutable_ends_at()->set_seconds(r.starts_at().seconds() + 13 * 3600); }},
        {{"zero capacity", "capacity"}, [](auto& r) { r.set_capacity(0); }},
        {{"capacity 10001", "capacity"}, [](auto& r) { r.set_capacity(10001); }},
        {{"location with invalid UTF-8", "location"},
         [](auto& r) { r.set_location("村委会\xFF"); }},
        {{"empty lecturer", "lecturer"}, [](auto& r) { r.set_lecturer(""); }},
        {{"lecturer with invalid UTF-8", "lecturer"}, [](auto& r) { r.set_lecturer("\xC3\x28"); }},
        {{"no starts_at", "starts_at"}, [](auto& r) { r.clear_starts_at(); }},
        {{"no course_id", "course_id"}, [](auto& r) { r.set_course_id(""); }},
    };
    for (const Case& c : cases) {
      SCOPED_TRACE(c.expect.label);
      v1::ScheduleSessionRequest r = SessionAt(course, 24 * 30, 3, "杜热乡", "张老师");
      c.spoil(r);
      absl::StatusOr<std::string> s = Schedule(r);
      EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << s.status();
      EXPECT_THAT(s.status().message(), HasSubstr(c.expect.field + ":")) << s.status();
    }
  }
  v1::RecordDeliveryRequest delivery;
  delivery.set_request_id(NewRequestId("d"));
  delivery.set_member_id("654322-x");
  delivery.set_course_id(course);
  delivery.set_mode(v1::COURSE_MODE_MOBILE_CLASSROOM);
  delivery.set_delivered_on(Day(0));
  v1::RecordDeliveryReply delivered;
  absl::Status s = cluster().Call(kFuyun, &Stub::RecordDelivery, delivery, &delivered);
  EXPECT_THAT(s.message(), HasSubstr("mode:"));
  delivery.set_mode(v1::COURSE_MODE_MAIL);
  delivery.set_delivered_on("2026-02-30");
  s = cluster().Call(kFuyun, &Stub::RecordDelivery, delivery, &delivered);
  EXPECT_THAT(s.message(), HasSubstr("delivered_on:"));

  v1::SetPreferencesRequest prefs;
  prefs.set_request_id(NewRequestId("p"));
  prefs.set_member_id("654322-x");
  prefs.add_topics(v1::COURSE_TOPIC_LAW);
  prefs.add_topics(v1::COURSE_TOPIC_LAW);
  v1::SetPreferencesReply set;
  s = cluster().Call(kFuyun, &Stub::SetPreferences, prefs, &set);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("topics:"));

  v1::PlanSeasonalTrainingRequest plan;
  plan.set_request_id(NewRequestId("plan"));
  plan.set_jurisdiction(kFuyun);
  plan.set_window_start("2027-02-11");
  plan.set_window_end("2027-02-01");
  v1::PlanSeasonalTrainingReply planned;
  s = cluster().Call(kFuyun, &Stub::PlanSeasonalTraining, plan, &planned);
  EXPECT_THAT(s.message(), HasSubstr("window_end:"));

  // An unknown member: NOT_FOUND naming it.
  prefs.clear_topics();
  s = cluster().Call(kFuyun, &Stub::SetPreferences, prefs, &set);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << s;
  EXPECT_THAT(s.message(), HasSubstr("member_id: 654322-x"));
}

TEST_F(EducationContractTest, EachConflictKind_FailedPreconditionNamingTheClash) {
  const std::string course = MobileCourse();
  LX_ASSERT_OK_AND_ASSIGN(std::string first,
                          Schedule(SessionAt(course, 24 * 50, 3, "恰库尔图镇文化站", "周老师", 1)));
  // The lecturer in an overlapping session elsewhere.
  absl::StatusOr<std::string> s =
      Schedule(SessionAt(course, 24 * 50 + 2, 3, "喀拉通克镇", "周老师"));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("lecturer: 周老师 already teaches session " + first));
  // The place double-booked by another lecturer.
  s = Schedule(SessionAt(course, 24 * 50 + 1, 1, "恰库尔图镇文化站", "吴老师"));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(),
              HasSubstr("location: 恰库尔图镇文化站 is already booked for session " + first));
  // Touching (starts when the first ends), same lecturer, same place: accepted.
  LX_ASSERT_OK_AND_ASSIGN(std::string touching, Schedule(SessionAt(course, 24 * 50 + 3, 2,
                                                                   "恰库尔图镇文化站", "周老师")));
  // An overlapping session with another lecturer and place, for the member clash.
  LX_ASSERT_OK_AND_ASSIGN(std::string overlapping,
                          Schedule(SessionAt(course, 24 * 50 + 2, 2, "喀拉通克镇", "吴老师")));

  const std::string a = Member("努尔兰");
  const std::string b = Member("巴合提");
  LX_ASSERT_OK(Enroll(first, a));
  // Full session (capacity 1).
  absl::Status full = Enroll(first, b);
  EXPECT_EQ(full.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(full.message(), HasSubstr("session " + first + " is full"));
  // The member in two overlapping sessions.
  absl::Status clash = Enroll(overlapping, a);
  EXPECT_EQ(clash.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(clash.message(), HasSubstr("member_id: " + a + " is enrolled in session " + first));
  // Touching: fine.
  LX_EXPECT_OK(Enroll(touching, a));
  // Nothing half-applied: the refused enrolments left the sessions unchanged.
  v1::GetSessionRequest get;
  get.set_session_id(overlapping);
  v1::GetSessionReply got;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::GetSession, get, &got));
  EXPECT_EQ(got.session().enrolled_size(), 0);
  EXPECT_EQ(got.session().location(), "喀拉通克镇");

  // A mailed course is delivered, not held.
  LX_ASSERT_OK_AND_ASSIGN(
      std::string mailed,
      cluster().Course(kFuyun, "邮寄送学", v1::COURSE_TOPIC_LAW, v1::COURSE_MODE_MAIL, 2));
  s = Schedule(SessionAt(mailed, 24 * 60, 2, "邮局", "郑老师"));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("R13"));
}

TEST_F(EducationContractTest, SameRequestIdAgain_FirstReply_RolesAndCounties) {
  v1::CreateCourseRequest r;
  r.set_request_id(NewRequestId("idem"));
  r.set_jurisdiction(kFuyun);
  r.set_title("职业道德");
  r.set_topic(v1::COURSE_TOPIC_PROFESSIONAL_ETHICS);
  r.set_mode(v1::COURSE_MODE_CULTURAL_ACTIVITY);
  r.set_hours(2);
  v1::CreateCourseReply first, again;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::CreateCourse, r, &first));
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::CreateCourse, r, &again));
  EXPECT_EQ(again.course_id(), first.course_id());
  // The same request_id with other content is refused, naming request_id.
  r.set_title("另一个标题");
  absl::Status other = cluster().Call(kFuyun, &Stub::CreateCourse, r, &again);
  EXPECT_EQ(other.code(), absl::StatusCode::kInvalidArgument) << other;
  EXPECT_THAT(std::string(other.message()), HasSubstr("request_id: "));
  v1::ListCoursesRequest list;
  list.set_jurisdiction(kFuyun);
  list.set_page_size(1000);
  v1::ListCoursesReply courses;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListCourses, list, &courses));
  int matching = 0;
  for (const auto& c : courses.courses()) {
    if (c.course_id() == first.course_id()) {
      ++matching;
      EXPECT_EQ(c.title(), "职业道德");
    }
  }
  EXPECT_EQ(matching, 1);

  r.set_request_id(NewRequestId("role"));
  v1::CreateCourseReply reply;
  EXPECT_EQ(cluster().Call(kFuyun, &Stub::CreateCourse, r, &reply, kReadonlyToken).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(cluster().Call(kFuyun, &Stub::CreateCourse, r, &reply, OperatorToken(kTianshan)).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(cluster().Call(kFuyun, &Stub::CreateCourse, r, &reply, std::string()).code(),
            absl::StatusCode::kUnauthenticated);
  // The readonly user reads.
  LX_EXPECT_OK(cluster().Call(kFuyun, &Stub::ListCourses, list, &courses, kReadonlyToken));
}

TEST_F(EducationContractTest, WrongExpectedVersion_Aborted_AndOtherCountiesMayNotRead) {
  const std::string member = Member("阿依江");
  v1::SetPreferencesRequest prefs;
  prefs.set_request_id(NewRequestId("prefs"));
  prefs.set_member_id(member);
  prefs.add_topics(v1::COURSE_TOPIC_PARTY_BUILDING);
  v1::SetPreferencesReply set;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::SetPreferences, prefs, &set));
  // The member's version after the registry fact and the preferences.
  EXPECT_EQ(set.version(), 2u);
  prefs.set_request_id(NewRequestId("prefs"));
  prefs.set_expected_version(1);
  absl::Status stale = cluster().Call(kFuyun, &Stub::SetPreferences, prefs, &set);
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted) << stale;
  EXPECT_THAT(stale.message(), HasSubstr("expected_version"));
  prefs.set_expected_version(2);
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::SetPreferences, prefs, &set));
  EXPECT_EQ(set.version(), 3u);

  v1::GetEducationRecordRequest read;
  read.set_member_id(member);
  read.set_year(2026);
  v1::GetEducationRecordReply record;
  EXPECT_EQ(cluster()
                .Call(kFuyun, &Stub::GetEducationRecord, read, &record, OperatorToken(kNanshan))
                .code(),
            absl::StatusCode::kPermissionDenied);
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::GetEducationRecord, read, &record, kReadonlyToken));
  ASSERT_EQ(record.preferences_size(), 1);
  EXPECT_EQ(record.preferences(0), v1::COURSE_TOPIC_PARTY_BUILDING);
  EXPECT_EQ(record.version(), 3u);
}

// Paging: courses and the members below the floor come page by page, every
// item once in id order, the whole list's counts on every page; a token that
// is garbage or another list's is INVALID_ARGUMENT naming page_token.
TEST_F(EducationContractTest, ListsPageEveryItemOnceInIdOrder) {
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) created.push_back(MobileCourse());
  v1::ListCoursesRequest courses;
  courses.set_jurisdiction(kFuyun);
  courses.set_page_size(1000);
  v1::ListCoursesReply whole;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListCourses, courses, &whole));
  EXPECT_EQ(whole.total_size(), static_cast<uint32_t>(whole.courses_size()));
  for (int32_t page_size : {1, 2, 3}) {
    SCOPED_TRACE(page_size);
    std::vector<v1::Course> all;
    int pages = 0;
    LX_ASSERT_OK(WalkPages<v1::ListCoursesReply>(
        courses, page_size,
        [&](const auto& r, auto* reply) {
          return cluster().Call(kFuyun, &Stub::ListCourses, r, reply);
        },
        [](const auto& reply) { return reply.courses(); }, &all, &pages));
    ASSERT_EQ(all.size(), static_cast<size_t>(whole.courses_size()));
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(all[i].course_id(), whole.courses(i).course_id()) << i;
      if (i > 0) {
        EXPECT_LT(all[i - 1].course_id(), all[i].course_id()) << i;
      }
    }
    for (const std::string& id : created) {
      EXPECT_EQ(std::count_if(all.begin(), all.end(),
                              [&](const v1::Course& c) { return c.course_id() == id; }),
                1)
          << id;
    }
  }

  for (const char* name : {"翻页甲", "翻页乙", "翻页丙"}) Member(name);
  v1::ListBelowFloorRequest below;
  below.set_jurisdiction(kFuyun);
  v1::ListBelowFloorReply below_whole;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListBelowFloor, below, &below_whole));
  ASSERT_GE(below_whole.members_size(), 3);
  std::vector<v1::BelowFloor> members;
  int pages = 0;
  LX_ASSERT_OK(WalkPages<v1::ListBelowFloorReply>(
      below, 2,
      [&](const auto& r, auto* reply) {
        absl::Status s = cluster().Call(kFuyun, &Stub::ListBelowFloor, r, reply);
        if (s.ok() && reply->members_counted() != below_whole.members_counted()) {
          return absl::InternalError("members_counted is not the whole county's");
        }
        return s;
      },
      [](const auto& reply) { return reply.members(); }, &members, &pages));
  ASSERT_EQ(members.size(), static_cast<size_t>(below_whole.members_size()));
  for (size_t i = 1; i < members.size(); ++i) {
    EXPECT_LT(members[i - 1].member_id(), members[i].member_id()) << i;
  }

  v1::ListCoursesRequest one = courses;
  one.set_page_size(1);
  v1::ListCoursesReply first;
  LX_ASSERT_OK(cluster().Call(kFuyun, &Stub::ListCourses, one, &first));
  ASSERT_FALSE(first.next_page_token().empty());
  below.set_page_token(first.next_page_token());  // ListCourses' token
  absl::Status s = cluster().Call(kFuyun, &Stub::ListBelowFloor, below, &below_whole);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr("page_token"));
  courses.set_page_token("garbage");
  s = cluster().Call(kFuyun, &Stub::ListCourses, courses, &whole);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr("page_token"));
  v1::ListPreDepartureDueRequest due;
  due.set_jurisdiction(kFuyun);
  due.set_page_size(1001);
  v1::ListPreDepartureDueReply due_reply;
  s = cluster().Call(kFuyun, &Stub::ListPreDepartureDue, due, &due_reply);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr("page_size"));
}

}  // namespace
}  // namespace lianxin::education_test
