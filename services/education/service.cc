#include "services/education/service.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/runtime/validate.h"
#include "libs/service/idempotency.h"
#include "libs/service/paging.h"
#include "services/education/domain/plan.h"
#include "services/education/domain/planner.h"

namespace lianxin::education {

using lianxin::v1::EducationState;
using lianxin::v1::Event;

namespace {

constexpr int kMaxRaceRetries = 16;
constexpr char kService[] = "/lianxin.v1.EducationScheduling/";
constexpr uint32_t kMaxCapacity = 10000;
constexpr int kMaxWindowDays = 62;

bool ValidTopic(int topic) {
  return lianxin::v1::CourseTopic_IsValid(topic) && topic != lianxin::v1::COURSE_TOPIC_UNSPECIFIED;
}

FieldChecker& CheckTopics(FieldChecker& check, const google::protobuf::RepeatedField<int>& topics) {
  std::set<int> seen;
  for (int topic : topics) {
    check.Require(ValidTopic(topic), "topics", "holds an unknown or unspecified topic");
    check.Require(seen.insert(topic).second, "topics", "repeats a topic");
  }
  return check.Require(topics.size() <= 6, "topics", "has more than 6 topics");
}

int64_t DayStart(absl::CivilDay day) {
  return absl::ToUnixSeconds(absl::FromCivil(day, CountyTimeZone()));
}

// A plan's commit (domain/plan.h) over the command's batch.
class BatchPlanAggregates final : public PlanAggregates {
 public:
  BatchPlanAggregates(Batch& batch, const std::string& jurisdiction)
      : batch_(batch), jurisdiction_(jurisdiction) {}

  absl::StatusOr<const lianxin::v1::EducationState*> State(const std::string& id) override {
    ASSIGN_OR_RETURN(Batch::Pending * pending, batch_.Get(id));
    return &pending->state;
  }
  absl::Status Add(const std::string& id, Event event) override {
    return batch_.Add(id, std::move(event)).status();
  }
  std::string SessionId(const std::string& planned_id) const override {
    return DerivedId(jurisdiction_, "session", planned_id);
  }

 private:
  Batch& batch_;
  const std::string& jurisdiction_;
};

}  // namespace

EducationService::EducationService(EducationServiceOptions options)
    : UnaryService("lianxin.v1.EducationScheduling", options.plumbing),
      options_(std::move(options)),
      projection_(*options_.projection),
      county_(projection_.jurisdiction(), options_.clock, "education service"),
      kernel_(projection_.store(), options_.on_commit),
      aggregates_(Aggregates(&projection_)) {
  Serve("CreateCourse", &EducationService::CreateCourse);
  Serve("ScheduleSession", &EducationService::ScheduleSession);
  Serve("Enroll", &EducationService::Enroll);
  Serve("RecordAttendance", &EducationService::RecordAttendance);
  Serve("RecordDelivery", &EducationService::RecordDelivery);
  Serve("SetPreferences", &EducationService::SetPreferences);
  Serve("PlanSeasonalTraining", &EducationService::PlanSeasonalTraining);
  Serve("CommitPlan", &EducationService::CommitPlan);
  Serve("GetEducationRecord", &EducationService::GetEducationRecord);
  Serve("AddPlace", &EducationService::AddPlace);
  Serve("AddLecturer", &EducationService::AddLecturer);
  Serve("GetSession", &EducationService::GetSession);
  Serve("ListSessions", &EducationService::ListSessions);
  Serve("ListCourses", &EducationService::ListCourses);
  Serve("ListBelowFloor", &EducationService::ListBelowFloor);
  Serve("ListPreDepartureDue", &EducationService::ListPreDepartureDue);
}

absl::StatusOr<Batch::Pending*> EducationService::LoadMember(Batch& batch,
                                                             const std::string& member_id,
                                                             uint64_t expected_version) const {
  ASSIGN_OR_RETURN(Batch::Pending * member, batch.Get(member_id));
  if (member->before.version == 0 || !member->state.has_member()) {
    return absl::NotFoundError(absl::StrCat(
        "member_id: ", member_id, " is not known to education in ", projection_.jurisdiction(),
        " (not registered here, or the registry's event has not arrived yet)"));
  }
  if (expected_version != 0 && expected_version != member->before.version) {
    return absl::AbortedError(absl::StrCat("expected_version: ", expected_version, " but member ",
                                           member_id, " is at version ", member->before.version));
  }
  return member;
}

absl::Status EducationService::Run(
    const char* rpc, const std::string& request_id, bool retry, google::protobuf::Message* reply,
    const std::function<absl::Status(Batch&, const Context&)>& attempt, const Principal& caller) {
  return kernel_.Run({.method = absl::StrCat(kService, rpc),
                      .request_id = request_id,
                      .reply = reply,
                      .retries = retry ? kMaxRaceRetries : 0},
                     [&](UnitOfWork& work) {
                       Batch batch(&work, &aggregates_);
                       return attempt(batch, county_.NewContext(caller, request_id));
                     });
}

// ---- Commands ---------------------------------------------------------------

absl::Status EducationService::CreateCourse(const Principal& caller,
                                            const lianxin::v1::CreateCourseRequest& request,
                                            lianxin::v1::CreateCourseReply* reply) {
  FieldChecker check;
  check.RequestId(request.request_id())
      .Text("title", request.title(), 1, 64)
      .Require(ValidTopic(request.topic()), "topic",
               "is required (PARTY_BUILDING, POLITICAL_THEORY, LAW, ...)")
      .Require(lianxin::v1::CourseMode_IsValid(request.mode()) &&
                   request.mode() != lianxin::v1::COURSE_MODE_UNSPECIFIED,
               "mode", "is required (MOBILE_CLASSROOM, ONLINE, MAIL, ...)")
      .Require(request.hours() >= 1 && request.hours() <= 32, "hours", "must be 1–32");
  RETURN_IF_ERROR(check.status());
  RETURN_IF_ERROR(county_.CheckJurisdiction("jurisdiction", request.jurisdiction()));
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  const std::string course_id =
      DerivedId(projection_.jurisdiction(), "course", request.request_id());
  absl::Status status = Run(
      "CreateCourse", request.request_id(), false, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(Events events, DecideCreateCourse(request, course_id, ctx));
        ASSIGN_OR_RETURN(Batch::Pending * course, batch.Add(course_id, std::move(events[0])));
        reply->set_course_id(course_id);
        reply->set_version(course->version());
        return absl::OkStatus();
      },
      caller);
  if (absl::IsAborted(status)) {
    return absl::AlreadyExistsError(absl::StrCat("course ", course_id, " exists"));
  }
  return status;
}

absl::Status EducationService::ScheduleSession(const Principal& caller,
                                               const lianxin::v1::ScheduleSessionRequest& request,
                                               lianxin::v1::ScheduleSessionReply* reply) {
  FieldChecker check;
  check.RequestId(request.request_id())
      .Text("course_id", request.course_id(), 1, 64)
      .Text("location", request.location(), 1, 64)
      .Require(request.has_starts_at() && request.starts_at().seconds() > 0, "starts_at",
               "is required")
      .Require(request.has_ends_at(), "ends_at", "is required")
      .Require(request.ends_at().seconds() > request.starts_at().seconds(), "ends_at",
               "must be after starts_at")
      .Require(request.ends_at().seconds() - request.starts_at().seconds() <= 12 * 3600, "ends_at",
               "must be at most 12 hours after starts_at")
      .Require(request.capacity() >= 1 && request.capacity() <= kMaxCapacity, "capacity",
               "must be 1–10000 seats")
      .Text("lecturer", request.lecturer(), 1, 32);
  RETURN_IF_ERROR(check.status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  const std::string session_id =
      DerivedId(projection_.jurisdiction(), "session", request.request_id());
  return Run(
      "ScheduleSession", request.request_id(), true, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(Batch::Pending * course, batch.Get(request.course_id()));
        if (!course->state.has_course()) {
          return absl::NotFoundError(
              absl::StrCat("course_id: ", request.course_id(), " is not a course here"));
        }
        ASSIGN_OR_RETURN(Batch::Pending * existing, batch.Get(session_id));
        if (existing->before.version != 0) {
          return absl::AlreadyExistsError(absl::StrCat("session ", session_id, " exists"));
        }
        const std::string lecturer_id = LecturerCalendarId(request.lecturer());
        const std::string place_id = PlaceCalendarId(request.location());
        ASSIGN_OR_RETURN(Batch::Pending * lecturer, batch.Get(lecturer_id));
        ASSIGN_OR_RETURN(Batch::Pending * place, batch.Get(place_id));
        ASSIGN_OR_RETURN(
            Scheduled scheduled,
            DecideScheduleSession(course->state.course(), lecturer->state.calendar(),
                                  place->state.calendar(), request, session_id, "", ctx));
        ASSIGN_OR_RETURN(Batch::Pending * session,
                         batch.Add(session_id, std::move(scheduled.session)));
        RETURN_IF_ERROR(batch.Add(lecturer_id, std::move(scheduled.lecturer)).status());
        if (scheduled.place) RETURN_IF_ERROR(batch.Add(place_id, *scheduled.place).status());
        reply->set_session_id(session_id);
        reply->set_version(session->version());
        return absl::OkStatus();
      },
      caller);
}

absl::Status EducationService::Enroll(const Principal& caller,
                                      const lianxin::v1::EnrollRequest& request,
                                      lianxin::v1::EnrollReply* reply) {
  RETURN_IF_ERROR(FieldChecker()
                      .RequestId(request.request_id())
                      .Text("session_id", request.session_id(), 1, 64)
                      .Text("member_id", request.member_id(), 1, 64)
                      .status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return Run(
      "Enroll", request.request_id(), /*retry=*/true, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(Batch::Pending * session, batch.Get(request.session_id()));
        if (!session->state.has_session()) {
          return absl::NotFoundError(
              absl::StrCat("session_id: ", request.session_id(), " is not a session here"));
        }
        ASSIGN_OR_RETURN(Batch::Pending * member,
                         LoadMember(batch, request.member_id(), request.expected_version()));
        ASSIGN_OR_RETURN(Enrolled enrolled,
                         DecideEnroll(session->state.session(), member->state.member(),
                                      request.member_id(), ctx));
        RETURN_IF_ERROR(batch.Add(request.session_id(), std::move(enrolled.seat)).status());
        RETURN_IF_ERROR(batch.Add(request.member_id(), std::move(enrolled.member)).status());
        reply->set_version(member->version());
        reply->set_session_version(session->version());
        return absl::OkStatus();
      },
      caller);
}

absl::Status EducationService::RecordAttendance(const Principal& caller,
                                                const lianxin::v1::RecordAttendanceRequest& request,
                                                lianxin::v1::RecordAttendanceReply* reply) {
  RETURN_IF_ERROR(
      FieldChecker()
          .RequestId(request.request_id())
          .Text("session_id", request.session_id(), 1, 64)
          .Text("member_id", request.member_id(), 1, 64)
          .Require(request.hours() <= 32, "hours", "must be at most 32")
          .Require(request.attended() || request.hours() == 0, "hours", "must be 0 for an absence")
          .status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return Run(
      "RecordAttendance", request.request_id(), /*retry=*/true, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(Batch::Pending * session, batch.Get(request.session_id()));
        if (!session->state.has_session()) {
          return absl::NotFoundError(
              absl::StrCat("session_id: ", request.session_id(), " is not a session here"));
        }
        ASSIGN_OR_RETURN(Batch::Pending * member,
                         LoadMember(batch, request.member_id(), request.expected_version()));
        ASSIGN_OR_RETURN(Events events,
                         DecideRecordAttendance(session->state.session(), member->state.member(),
                                                request, ctx, projection_.settings()));
        RETURN_IF_ERROR(batch.Add(request.member_id(), std::move(events[0])).status());
        reply->set_version(member->version());
        return absl::OkStatus();
      },
      caller);
}

absl::Status EducationService::RecordDelivery(const Principal& caller,
                                              const lianxin::v1::RecordDeliveryRequest& request,
                                              lianxin::v1::RecordDeliveryReply* reply) {
  RETURN_IF_ERROR(
      FieldChecker()
          .RequestId(request.request_id())
          .Text("member_id", request.member_id(), 1, 64)
          .Text("course_id", request.course_id(), 1, 64)
          .Require(IsDeliveryMode(request.mode()), "mode", "must be MAIL, HOME_DELIVERY or ONLINE")
          .Date("delivered_on", request.delivered_on())
          .status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return Run(
      "RecordDelivery", request.request_id(), /*retry=*/true, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(Batch::Pending * course, batch.Get(request.course_id()));
        if (!course->state.has_course()) {
          return absl::NotFoundError(
              absl::StrCat("course_id: ", request.course_id(), " is not a course here"));
        }
        ASSIGN_OR_RETURN(Batch::Pending * member,
                         LoadMember(batch, request.member_id(), request.expected_version()));
        ASSIGN_OR_RETURN(Events events,
                         DecideRecordDelivery(course->state.course(), member->state.member(),
                                              request, ctx, projection_.settings()));
        RETURN_IF_ERROR(batch.Add(request.member_id(), std::move(events[0])).status());
        reply->set_version(member->version());
        return absl::OkStatus();
      },
      caller);
}

absl::Status EducationService::SetPreferences(const Principal& caller,
                                              const lianxin::v1::SetPreferencesRequest& request,
                                              lianxin::v1::SetPreferencesReply* reply) {
  FieldChecker check;
  check.RequestId(request.request_id()).Text("member_id", request.member_id(), 1, 64);
  RETURN_IF_ERROR(CheckTopics(check, request.topics()).status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return Run(
      "SetPreferences", request.request_id(), /*retry=*/true, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(Batch::Pending * member,
                         LoadMember(batch, request.member_id(), request.expected_version()));
        ASSIGN_OR_RETURN(Events events, DecideSetPreferences(member->state.member(), request, ctx));
        RETURN_IF_ERROR(batch.Add(request.member_id(), std::move(events[0])).status());
        reply->set_version(member->version());
        return absl::OkStatus();
      },
      caller);
}

absl::Status EducationService::AddPlace(const Principal& caller,
                                        const lianxin::v1::AddPlaceRequest& request,
                                        lianxin::v1::AddPlaceReply* reply) {
  RETURN_IF_ERROR(FieldChecker()
                      .RequestId(request.request_id())
                      .Text("name", request.name(), 1, 64)
                      .Require(request.capacity() >= 1 && request.capacity() <= kMaxCapacity,
                               "capacity", "must be 1–10000 seats")
                      .status());
  RETURN_IF_ERROR(county_.CheckJurisdiction("jurisdiction", request.jurisdiction()));
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  const std::string id = PlaceCalendarId(request.name());
  return Run(
      "AddPlace", request.request_id(), true, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(Batch::Pending * place, batch.Get(id));
        ASSIGN_OR_RETURN(Events events, DecideAddPlace(place->state.calendar(), request, ctx));
        RETURN_IF_ERROR(batch.Add(id, std::move(events[0])).status());
        reply->set_version(place->version());
        return absl::OkStatus();
      },
      caller);
}

absl::Status EducationService::AddLecturer(const Principal& caller,
                                           const lianxin::v1::AddLecturerRequest& request,
                                           lianxin::v1::AddLecturerReply* reply) {
  FieldChecker check;
  check.RequestId(request.request_id()).Text("name", request.name(), 1, 32);
  RETURN_IF_ERROR(CheckTopics(check, request.topics()).status());
  RETURN_IF_ERROR(county_.CheckJurisdiction("jurisdiction", request.jurisdiction()));
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  const std::string id = LecturerCalendarId(request.name());
  return Run(
      "AddLecturer", request.request_id(), true, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        ASSIGN_OR_RETURN(Batch::Pending * lecturer, batch.Get(id));
        ASSIGN_OR_RETURN(Events events,
                         DecideAddLecturer(lecturer->state.calendar(), request, ctx));
        RETURN_IF_ERROR(batch.Add(id, std::move(events[0])).status());
        reply->set_version(lecturer->version());
        return absl::OkStatus();
      },
      caller);
}

// ---- Planning ---------------------------------------------------------------

absl::Status EducationService::PlanSeasonalTraining(
    const Principal& caller, const lianxin::v1::PlanSeasonalTrainingRequest& request,
    lianxin::v1::PlanSeasonalTrainingReply* reply) {
  RETURN_IF_ERROR(
      FieldChecker()
          .RequestId(request.request_id())
          .Date("window_start", request.window_start())
          .Date("window_end", request.window_end())
          .Require(request.max_candidates() <= 5000, "max_candidates", "must be at most 5000")
          .status());
  RETURN_IF_ERROR(county_.CheckJurisdiction("jurisdiction", request.jurisdiction()));
  const absl::CivilDay start = *ParseDate(request.window_start());
  const absl::CivilDay end = *ParseDate(request.window_end());
  if (end < start) {
    return absl::InvalidArgumentError("window_end: must not be before window_start");
  }
  if (end - start >= kMaxWindowDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("window_end: the window is at most ", kMaxWindowDays, " days"));
  }
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  const std::string plan_id = DerivedId(projection_.jurisdiction(), "plan", request.request_id());
  const Interval window{DayStart(start), DayStart(end + 1)};

  return Run(
      "PlanSeasonalTraining", request.request_id(), false, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        CandidateSpace space;
        space.window_start = start;
        space.window_end = end;
        space.slots = projection_.settings().slots;
        space.max_candidates = request.max_candidates() == 0 ? 500 : request.max_candidates();
        absl::Status failure;
        // Index keys name the aggregate: "co/<course>", "mh/<member>", and
        // "pl/<name>", "le/<name>" for the calendars "place/<name>", "lecturer/<name>".
        auto load_each = [&](const std::string& prefix,
                             const std::function<void(const std::string&, const Loaded&)>& fn) {
          return projection_.ScanIndex(prefix, "", [&](const std::string& key) {
            const std::string name = key.substr(prefix.size());
            absl::StatusOr<Loaded> loaded =
                projection_.Load(prefix == "pl/"   ? PlaceCalendarId(name)
                                 : prefix == "le/" ? LecturerCalendarId(name)
                                                   : name);
            if (!loaded.ok()) {
              failure = loaded.status();
              return false;
            }
            fn(name, *loaded);
            return true;
          });
        };
        auto busy_in_window = [&](const lianxin::v1::CalendarState& calendar) {
          std::vector<Interval> busy;
          for (const auto& booking : calendar.bookings()) {
            const Interval interval{Seconds(booking.starts_at()), Seconds(booking.ends_at())};
            if (Overlaps(interval, window)) busy.push_back(interval);
          }
          return busy;
        };
        RETURN_IF_ERROR(load_each("co/", [&](const std::string&, const Loaded& loaded) {
          const auto& c = loaded.state.course();
          space.courses.push_back({c.course_id(), c.title(), c.topic(), c.mode(), c.hours()});
        }));
        RETURN_IF_ERROR(load_each("pl/", [&](const std::string&, const Loaded& loaded) {
          const auto& calendar = loaded.state.calendar();
          space.places.push_back({calendar.name(), calendar.capacity()});
          space.busy.places[calendar.name()] = busy_in_window(calendar);
        }));
        RETURN_IF_ERROR(load_each("le/", [&](const std::string&, const Loaded& loaded) {
          const auto& calendar = loaded.state.calendar();
          PlanLecturer lecturer{calendar.name(), {}};
          for (int topic : calendar.topics()) {
            lecturer.topics.push_back(static_cast<lianxin::v1::CourseTopic>(topic));
          }
          space.lecturers.push_back(std::move(lecturer));
          space.busy.lecturers[calendar.name()] = busy_in_window(calendar);
        }));
        RETURN_IF_ERROR(load_each("mh/", [&](const std::string& id, const Loaded& loaded) {
          const auto& member = loaded.state.member();
          std::optional<ExpectedHome> home = ExpectedHomeIn(
              member, start, end, request.include_residents(), projection_.settings());
          if (!home.has_value()) return;
          PlanMember planned;
          planned.member_id = id;
          planned.kind = home->kind;
          planned.available = {DayStart(home->from), window.end};
          for (int topic : member.preferences()) {
            planned.preferences.push_back(static_cast<lianxin::v1::CourseTopic>(topic));
          }
          for (const auto& enrolment : member.enrolments()) {
            const Interval interval{Seconds(enrolment.starts_at()), Seconds(enrolment.ends_at())};
            if (Overlaps(interval, window)) planned.busy.push_back(interval);
          }
          space.members.push_back(std::move(planned));
        }));
        RETURN_IF_ERROR(failure);

        const std::vector<Candidate> candidates = GenerateCandidates(space);
        *reply =
            PlanOf(plan_id, space, candidates, PlanSessions(space.members, candidates, space.busy));
        Event recorded =
            PlanRecordedEvent(request.window_start(), request.window_end(), *reply, ctx);
        return batch.Add(plan_id, std::move(recorded)).status();
      },
      caller);
}

absl::Status EducationService::CommitPlan(const Principal& caller,
                                          const lianxin::v1::CommitPlanRequest& request,
                                          lianxin::v1::CommitPlanReply* reply) {
  RETURN_IF_ERROR(FieldChecker()
                      .RequestId(request.request_id())
                      .Text("plan_id", request.plan_id(), 1, 64)
                      .status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return Run(
      "CommitPlan", request.request_id(), true, reply,
      [&](Batch& batch, const Context& ctx) -> absl::Status {
        BatchPlanAggregates aggregates(batch, projection_.jurisdiction());
        RETURN_IF_ERROR(DecideCommitPlan(request.plan_id(), aggregates, ctx, reply));
        ASSIGN_OR_RETURN(Batch::Pending * plan, batch.Get(request.plan_id()));
        reply->set_version(plan->version());
        return absl::OkStatus();
      },
      caller);
}

// ---- Queries ----------------------------------------------------------------

absl::Status EducationService::GetEducationRecord(
    const Principal& caller, const lianxin::v1::GetEducationRecordRequest& request,
    lianxin::v1::GetEducationRecordReply* reply) {
  RETURN_IF_ERROR(
      FieldChecker()
          .Text("member_id", request.member_id(), 1, 64)
          .Require(request.year() >= 2000 && request.year() <= 2100, "year", "must be 2000–2100")
          .status());
  Batch batch(projection_);
  ASSIGN_OR_RETURN(Batch::Pending * loaded, LoadMember(batch, request.member_id(), 0));
  const auto& member = loaded->state.member();
  if (caller.jurisdiction != projection_.jurisdiction() &&
      caller.jurisdiction != member.home_jurisdiction()) {
    return absl::PermissionDeniedError(
        absl::StrCat("member_id: ", request.member_id(), " has no part in ", caller.jurisdiction));
  }
  const absl::CivilDay year_end(request.year(), 12, 31);
  const YearlyRecord record =
      RecordOfYear(member, request.year(), year_end, projection_.settings());
  reply->set_member_id(request.member_id());
  reply->set_year(request.year());
  reply->set_hours(record.hours);
  reply->set_sessions_attended(record.sessions_attended);
  reply->set_deliveries(record.deliveries);
  reply->set_pre_departure_done(record.pre_departure_done);
  reply->set_floor_hours(projection_.settings().floor_hours);
  reply->set_below_floor(record.below_floor);
  for (const auto& entry : member.entries()) {
    if (entry.occurred_on().substr(0, 4) == absl::StrCat(request.year())) {
      *reply->add_entries() = entry;
    }
  }
  *reply->mutable_preferences() = member.preferences();
  for (const auto& departure : member.pre_departures()) {
    if (departure.left_on().substr(0, 4) == absl::StrCat(request.year())) {
      *reply->add_pre_departures() = departure;
    }
  }
  reply->set_version(loaded->before.version);
  return absl::OkStatus();
}

absl::Status EducationService::GetSession(const Principal& caller,
                                          const lianxin::v1::GetSessionRequest& request,
                                          lianxin::v1::GetSessionReply* reply) {
  RETURN_IF_ERROR(FieldChecker().Text("session_id", request.session_id(), 1, 64).status());
  ASSIGN_OR_RETURN(Loaded loaded, projection_.Load(request.session_id()));
  if (!loaded.state.has_session()) {
    return absl::NotFoundError(
        absl::StrCat("session_id: ", request.session_id(), " is not a session here"));
  }
  *reply->mutable_session() = loaded.state.session();
  reply->mutable_session()->set_version(loaded.version);
  return absl::OkStatus();
}

absl::Status EducationService::ListSessions(const Principal& caller,
                                            const lianxin::v1::ListSessionsRequest& request,
                                            lianxin::v1::ListSessionsReply* reply) {
  RETURN_IF_ERROR(FieldChecker()
                      .Date("from", request.from(), /*optional=*/true)
                      .Date("to", request.to(), /*optional=*/true)
                      .Require(request.page_size() <= 1000, "page_size", "must be at most 1000")
                      .Text("page_token", request.page_token(), 0, 200)
                      .status());
  RETURN_IF_ERROR(county_.CheckJurisdiction("jurisdiction", request.jurisdiction()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  const std::string prefix = "se/";
  std::string start = request.from().empty()
                          ? prefix
                          : absl::StrFormat("se/%012d", DayStart(*ParseDate(request.from())));
  if (!request.page_token().empty()) {
    if (request.page_token().rfind(prefix, 0) != 0) {
      return absl::InvalidArgumentError("page_token: is not one this service gave");
    }
    start = std::max(start, request.page_token() + '\0');
  }
  const std::string limit =
      request.to().empty() ? ""
                           : absl::StrFormat("se/%012d", DayStart(*ParseDate(request.to()) + 1));
  const size_t page_size = request.page_size() == 0 ? 100 : request.page_size();
  absl::Status failure;
  std::string last_key;
  RETURN_IF_ERROR(projection_.ScanIndex(prefix, start, [&](const std::string& key) {
    if (!limit.empty() && key >= limit) return false;
    if (static_cast<size_t>(reply->sessions_size()) == page_size) {
      reply->set_next_page_token(last_key);
      return false;
    }
    last_key = key;
    absl::StatusOr<Loaded> loaded = projection_.Load(key.substr(key.rfind('/') + 1));
    if (!loaded.ok()) {
      failure = loaded.status();
      return false;
    }
    auto* session = reply->add_sessions();
    *session = loaded->state.session();
    session->set_version(loaded->version);
    return true;
  }));
  return failure;
}

absl::Status EducationService::ListCourses(const Principal& caller,
                                           const lianxin::v1::ListCoursesRequest& request,
                                           lianxin::v1::ListCoursesReply* reply) {
  FieldChecker check;
  Pager pager("ListCourses", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  absl::Status failure;
  RETURN_IF_ERROR(projection_.ScanIndex("co/", "", [&](const std::string& key) {
    absl::StatusOr<Loaded> loaded = projection_.Load(key.substr(3));
    if (!loaded.ok()) {
      failure = loaded.status();
      return false;
    }
    *reply->add_courses() = loaded->state.course();
    return true;
  }));
  RETURN_IF_ERROR(failure);
  reply->set_total_size(pager.Fill([](const lianxin::v1::Course& c) { return c.course_id(); },
                                   reply->mutable_courses(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status EducationService::ListBelowFloor(const Principal& caller,
                                              const lianxin::v1::ListBelowFloorRequest& request,
                                              lianxin::v1::ListBelowFloorReply* reply) {
  FieldChecker check;
  check.Date("as_of", request.as_of(), /*optional=*/true);
  Pager pager("ListBelowFloor", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  const absl::CivilDay as_of = *county_.AsOf("as_of", request.as_of());
  const Settings& settings = projection_.settings();
  reply->set_as_of(FormatDate(as_of));
  reply->set_floor_hours(settings.floor_hours);
  absl::Status failure;
  uint32_t counted = 0;
  RETURN_IF_ERROR(projection_.ScanIndex("mh/", "", [&](const std::string& key) {
    absl::StatusOr<Loaded> loaded = projection_.Load(key.substr(3));
    if (!loaded.ok()) {
      failure = loaded.status();
      return false;
    }
    ++counted;
    const auto& member = loaded->state.member();
    const YearlyRecord record = RecordOfYear(member, as_of.year(), as_of, settings);
    if (!record.below_floor) return true;
    auto* below = reply->add_members();
    below->set_member_id(member.member_id());
    below->set_name(member.name());
    below->set_hours(record.hours);
    below->set_missing_hours(settings.floor_hours - record.hours);
    below->set_away(member.away());
    return true;
  }));
  reply->set_members_counted(counted);
  RETURN_IF_ERROR(failure);
  reply->set_total_size(pager.Fill([](const lianxin::v1::BelowFloor& b) { return b.member_id(); },
                                   reply->mutable_members(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status EducationService::ListPreDepartureDue(
    const Principal& caller, const lianxin::v1::ListPreDepartureDueRequest& request,
    lianxin::v1::ListPreDepartureDueReply* reply) {
  FieldChecker check;
  check.Date("as_of", request.as_of(), /*optional=*/true);
  Pager pager("ListPreDepartureDue", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  const absl::CivilDay as_of = *county_.AsOf("as_of", request.as_of());
  absl::Status failure;
  RETURN_IF_ERROR(projection_.ScanIndex("pd/", "", [&](const std::string& key) {
    const size_t slash = key.find('/', 3);
    const std::string left_on = key.substr(3, slash - 3);
    absl::StatusOr<Loaded> loaded = projection_.Load(key.substr(slash + 1));
    if (!loaded.ok()) {
      failure = loaded.status();
      return false;
    }
    const auto& member = loaded->state.member();
    for (const auto& departure : member.pre_departures()) {
      if (departure.left_on() != left_on || !departure.met_on().empty()) continue;
      auto* due = reply->add_due();
      *due = departure;
      due->set_name(member.name());
      due->set_overdue(*ParseDate(left_on) <= as_of);
      break;
    }
    return true;
  }));
  RETURN_IF_ERROR(failure);
  reply->set_total_size(pager.Fill(
      [](const lianxin::v1::PreDeparture& d) {
        return OrderKey({d.left_on(), d.member_id()});
      },
      reply->mutable_due(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

}  // namespace lianxin::education
