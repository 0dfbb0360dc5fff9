#include "tools/scenario/education_plan.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "lianxin/v1/education.grpc.pb.h"
#include "libs/common/time_util.h"
#include "tools/scenario/generator.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/rpc.h"

namespace lianxin::scenario {
namespace {

namespace v1 = ::lianxin::v1;

struct CourseSpec {
  const char* title;
  v1::CourseTopic topic;
  v1::CourseMode mode;
  uint32_t hours;
};
// One course in every mode (R13), topics from the survey.
constexpr CourseSpec kCourses[] = {
    {"流动课堂：党的基本理论", v1::COURSE_TOPIC_POLITICAL_THEORY, v1::COURSE_MODE_MOBILE_CLASSROOM,
     3},
    {"流动课堂：矿区安全生产技能", v1::COURSE_TOPIC_PRACTICAL_SKILLS,
     v1::COURSE_MODE_MOBILE_CLASSROOM, 3},
    {"网上党课：法律法规", v1::COURSE_TOPIC_LAW, v1::COURSE_MODE_ONLINE, 2},
    {"邮寄送学：党章党规", v1::COURSE_TOPIC_PARTY_DISCIPLINE, v1::COURSE_MODE_MAIL, 4},
    {"邮寄送学：职业道德", v1::COURSE_TOPIC_PROFESSIONAL_ETHICS, v1::COURSE_MODE_MAIL, 4},
    {"上门送学：党建知识", v1::COURSE_TOPIC_PARTY_BUILDING, v1::COURSE_MODE_HOME_DELIVERY, 4},
    {"结对帮学：致富技能", v1::COURSE_TOPIC_PRACTICAL_SKILLS, v1::COURSE_MODE_PAIRED_HELP, 2},
    {"文化活动：红色电影放映", v1::COURSE_TOPIC_PARTY_BUILDING, v1::COURSE_MODE_CULTURAL_ACTIVITY,
     2},
};
constexpr struct {
  const char* name;
  uint32_t capacity;
} kPlaces[] = {{"库额尔齐斯镇党员活动室", 60},
               {"可可托海镇文化站", 40},
               {"喀拉通克镇矿区会议室", 30},
               {"杜热乡村委会", 25}};
constexpr struct {
  const char* name;
  v1::CourseTopic topics[2];
} kLecturers[] = {
    {"县委党校王老师", {v1::COURSE_TOPIC_POLITICAL_THEORY, v1::COURSE_TOPIC_PARTY_BUILDING}},
    {"司法局阿依古丽", {v1::COURSE_TOPIC_LAW, v1::COURSE_TOPIC_PARTY_DISCIPLINE}},
    {"矿区技术员马建军", {v1::COURSE_TOPIC_PRACTICAL_SKILLS, v1::COURSE_TOPIC_PROFESSIONAL_ETHICS}},
    {"组织部努尔兰", {v1::COURSE_TOPIC_PARTY_BUILDING, v1::COURSE_TOPIC_PARTY_DISCIPLINE}},
};
// Whether the member is away on `day`, from its registry steps.
bool AwayOn(const Member& member, absl::CivilDay day) {
  bool away = false;
  for (const Step& step : member.steps()) {
    if (step.has_register_outflow()) {
      std::optional<absl::CivilDay> left = ParseDate(step.register_outflow().left_on());
      if (left.has_value() && *left <= day) away = true;
    }
    if (step.has_record_return()) {
      std::optional<absl::CivilDay> back = ParseDate(step.record_return().returned_on());
      if (back.has_value() && *back <= day) away = false;
    }
    if (step.has_accept_transfer()) return false;  // no longer this county's
  }
  return away;
}

}  // namespace

EducationPlan PlanEducation(const Plan& plan, const std::map<std::string, std::string>& member_ids,
                            uint64_t seed, absl::CivilDay today) {
  EducationPlan out;
  out.county = plan.focus_county();
  const std::string prefix = absl::StrCat("edu-", seed, "-");
  for (size_t i = 0; i < std::size(kCourses); ++i) {
    v1::CreateCourseRequest r;
    r.set_request_id(absl::StrCat(prefix, "course-", i));
    r.set_jurisdiction(out.county);
    r.set_title(kCourses[i].title);
    r.set_topic(kCourses[i].topic);
    r.set_mode(kCourses[i].mode);
    r.set_hours(kCourses[i].hours);
    out.courses.push_back(r);
  }
  for (size_t i = 0; i < std::size(kPlaces); ++i) {
    v1::AddPlaceRequest r;
    r.set_request_id(absl::StrCat(prefix, "place-", i));
    r.set_jurisdiction(out.county);
    r.set_name(kPlaces[i].name);
    r.set_capacity(kPlaces[i].capacity);
    out.places.push_back(r);
  }
  for (size_t i = 0; i < std::size(kLecturers); ++i) {
    v1::AddLecturerRequest r;
    r.set_request_id(absl::StrCat(prefix, "lecturer-", i));
    r.set_jurisdiction(out.county);
    r.set_name(kLecturers[i].name);
    for (v1::CourseTopic topic : kLecturers[i].topics) r.add_topics(topic);
    out.lecturers.push_back(r);
  }

  // The focus county's own members, each with a diligence: the share of
  // sessions attended (some end the year below the floor).
  std::mt19937_64 rng(seed * 7919 + 5);
  struct Home {
    const Member* member;
    std::string id;
    double diligence;
  };
  std::vector<Home> homes;
  for (const Member& member : plan.members()) {
    if (member.home_jurisdiction() != out.county || member.registered_by() != out.county) continue;
    auto id = member_ids.find(member.key());
    if (id == member_ids.end()) continue;
    const double diligence = std::uniform_real_distribution<double>(0.15, 1.0)(rng);
    homes.push_back({&member, id->second, diligence});
    out.members.push_back(id->second);
    v1::SetPreferencesRequest prefs;
    prefs.set_request_id(absl::StrCat(prefix, "prefs-", member.key()));
    prefs.set_member_id(id->second);
    const int first = static_cast<int>(rng() % 6) + 1;
    prefs.add_topics(static_cast<v1::CourseTopic>(first));
    if (rng() % 2 == 0) prefs.add_topics(static_cast<v1::CourseTopic>(first % 6 + 1));
    out.preferences.push_back(prefs);
  }

  // A year of sessions: each month a mobile classroom, a cultural activity
  // and an online lecture; paired help every third month.
  const size_t held[] = {0, 1, 7, 2, 6};  // course indices of sessions
  for (int month = 0; month < 12; ++month) {
    const absl::CivilDay day = today - 10 - 30 * month;
    for (size_t k = 0; k < std::size(held); ++k) {
      const size_t course = held[k];
      if (course == 6 && month % 3 != 0) continue;
      if (course == 1 && month % 2 != 0) continue;
      PlannedYearSession session;
      session.course = course;
      auto& r = session.schedule;
      r.set_request_id(absl::StrCat(prefix, "session-", month, "-", k));
      const bool online = kCourses[course].mode == v1::COURSE_MODE_ONLINE;
      const size_t place = (static_cast<size_t>(month) + k) % std::size(kPlaces);
      r.set_location(online ? "富蕴党建云课堂" : kPlaces[place].name);
      const int hour = 9 + 3 * static_cast<int>(k);
      const absl::Time start = absl::FromCivil(
          absl::CivilSecond(day.year(), day.month(), day.day(), hour, 0, 0), CountyTimeZone());
      r.mutable_starts_at()->set_seconds(absl::ToUnixSeconds(start));
      r.mutable_ends_at()->set_seconds(absl::ToUnixSeconds(start) +
                                       int64_t{kCourses[course].hours} * 3600);
      r.set_capacity(online ? 500 : kPlaces[place].capacity);
      for (const auto& lecturer : kLecturers) {
        if (lecturer.topics[0] == kCourses[course].topic ||
            lecturer.topics[1] == kCourses[course].topic) {
          r.set_lecturer(lecturer.name);
          break;
        }
      }
      for (const Home& home : homes) {
        if (session.members.size() >= r.capacity()) break;
        // Members away follow online only.
        if (!online && AwayOn(*home.member, day)) continue;
        if (std::uniform_real_distribution<double>(0, 1)(rng) > home.diligence) continue;
        const bool attended = std::uniform_real_distribution<double>(0, 1)(rng) < 0.9;
        session.members.push_back({home.id, attended});
      }
      out.sessions.push_back(std::move(session));
    }
  }
  // Material mailed or brought home to members away (the mail courses, once a year).
  for (const Home& home : homes) {
    if (!AwayOn(*home.member, today)) continue;
    for (size_t course : {size_t{3}, size_t{4}, size_t{5}}) {
      if (std::uniform_real_distribution<double>(0, 1)(rng) > home.diligence) continue;
      v1::RecordDeliveryRequest r;
      r.set_request_id(absl::StrCat(prefix, "delivery-", home.member->key(), "-", course));
      r.set_member_id(home.id);
      r.set_course_id(absl::StrCat(course));
      r.set_mode(kCourses[course].mode == v1::COURSE_MODE_HOME_DELIVERY
                     ? v1::COURSE_MODE_HOME_DELIVERY
                     : v1::COURSE_MODE_MAIL);
      const int back = static_cast<int>(rng() % 200);
      r.set_delivered_on(FormatDate(std::max(today - back, absl::CivilDay(today.year(), 1, 1))));
      out.deliveries.push_back(r);
    }
  }
  // The next Spring Festival: the week before to the week after.
  const absl::CivilDay festival = NextSpringFestival(today);
  out.festival.set_request_id(absl::StrCat(prefix, "festival-", FormatDate(festival)));
  out.festival.set_jurisdiction(out.county);
  out.festival.set_window_start(FormatDate(festival - 7));
  out.festival.set_window_end(FormatDate(festival + 7));
  out.festival.set_include_residents(true);
  return out;
}

absl::StatusOr<EducationSummary> LoadEducation(const EducationPlan& plan,
                                               const std::string& address, const std::string& token,
                                               const TlsFiles& tls) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(address, tls);
  if (!channel.ok()) return channel.status();
  auto stub = v1::EducationScheduling::NewStub(*channel);
  auto call = [&](auto method, const auto& request, auto* reply) -> absl::Status {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status s = ((*stub).*method)(&context, request, reply);
    if (s.ok()) return absl::OkStatus();
    const absl::Status status = FromGrpcStatus(s);
    return absl::Status(status.code(),
                        absl::StrCat(status.message(), " (", request.GetTypeName(), ")"));
  };
  using Stub = v1::EducationScheduling::Stub;
  EducationSummary summary;

  // The members arrive from the registry's topic: wait for each.
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  for (const std::string& id : plan.members) {
    v1::GetEducationRecordRequest request;
    request.set_member_id(id);
    request.set_year(2026);
    for (;;) {
      v1::GetEducationRecordReply reply;
      absl::Status s = call(&Stub::GetEducationRecord, request, &reply);
      if (s.ok()) break;
      if (!absl::IsNotFound(s) && !absl::IsUnavailable(s)) return s;
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(absl::StrCat(
            "education of ", plan.county, " does not know member ", id, ": ", s.message()));
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
  }
  std::vector<std::string> course_ids;
  for (const auto& r : plan.courses) {
    v1::CreateCourseReply reply;
    if (absl::Status s = call(&Stub::CreateCourse, r, &reply); !s.ok()) return s;
    course_ids.push_back(reply.course_id());
  }
  summary.courses = course_ids.size();
  for (const auto& r : plan.places) {
    v1::AddPlaceReply reply;
    if (absl::Status s = call(&Stub::AddPlace, r, &reply); !s.ok() && !absl::IsAlreadyExists(s)) {
      return s;
    }
  }
  for (const auto& r : plan.lecturers) {
    v1::AddLecturerReply reply;
    if (absl::Status s = call(&Stub::AddLecturer, r, &reply);
        !s.ok() && !absl::IsAlreadyExists(s)) {
      return s;
    }
  }
  for (const auto& r : plan.preferences) {
    v1::SetPreferencesReply reply;
    if (absl::Status s = call(&Stub::SetPreferences, r, &reply); !s.ok()) return s;
  }
  for (const PlannedYearSession& session : plan.sessions) {
    v1::ScheduleSessionRequest schedule = session.schedule;
    schedule.set_course_id(course_ids[session.course]);
    v1::ScheduleSessionReply scheduled;
    if (absl::Status s = call(&Stub::ScheduleSession, schedule, &scheduled); !s.ok()) return s;
    ++summary.sessions;
    for (const auto& [member, attended] : session.members) {
      v1::EnrollRequest enroll;
      enroll.set_request_id(absl::StrCat(schedule.request_id(), "-enrol-", member));
      enroll.set_session_id(scheduled.session_id());
      enroll.set_member_id(member);
      v1::EnrollReply enrolled;
      if (absl::Status s = call(&Stub::Enroll, enroll, &enrolled); !s.ok()) return s;
      v1::RecordAttendanceRequest attend;
      attend.set_request_id(absl::StrCat(schedule.request_id(), "-attend-", member));
      attend.set_session_id(scheduled.session_id());
      attend.set_member_id(member);
      attend.set_attended(attended);
      v1::RecordAttendanceReply recorded;
      if (absl::Status s = call(&Stub::RecordAttendance, attend, &recorded); !s.ok()) return s;
      summary.attendances += attended;
    }
  }
  for (v1::RecordDeliveryRequest r : plan.deliveries) {
    r.set_course_id(course_ids[std::stoul(r.course_id())]);
    v1::RecordDeliveryReply reply;
    if (absl::Status s = call(&Stub::RecordDelivery, r, &reply); !s.ok()) return s;
    ++summary.deliveries;
  }
  if (absl::Status s = call(&Stub::PlanSeasonalTraining, plan.festival, &summary.festival);
      !s.ok()) {
    return s;
  }
  v1::CommitPlanRequest commit;
  commit.set_request_id(plan.festival.request_id() + "-commit");
  commit.set_plan_id(summary.festival.plan_id());
  if (absl::Status s = call(&Stub::CommitPlan, commit, &summary.committed); !s.ok()) return s;
  return summary;
}

}  // namespace lianxin::scenario
