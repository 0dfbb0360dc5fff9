// lxctl subcommands of the EducationScheduling service: courses, places and
// lecturers, sessions, enrolment, attendance, deliveries, preferences, the
// Spring Festival plan and the yearly records.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "lianxin/v1/education.grpc.pb.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "tools/lxctl/commands.h"

namespace lianxin::lxctl {
namespace {

namespace v1 = ::lianxin::v1;
using Stub = v1::EducationScheduling::Stub;

// Runs one RPC of the --county county's education service.
template <typename Request, typename Reply>
absl::Status CallEducation(const ParsedArgs& args,
                           grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                        Reply*),
                           Request& request, Reply* reply, bool set_jurisdiction = false) {
  ASSIGN_OR_RETURN(ServiceChannel channel, ConnectTo(args, "education"));
  Client<v1::EducationScheduling> client(std::move(channel));
  if constexpr (requires { request.set_jurisdiction(""); }) {
    if (set_jurisdiction) request.set_jurisdiction(client.county().code);
  }
  return client.Call(method, request, reply);
}

// Runs a paged List RPC of the --county county's education service, every
// page (`items`: the reply's paged field).
template <typename Request, typename Reply, typename Item>
absl::Status CallEducationAllPages(const ParsedArgs& args,
                                   grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                const Request&, Reply*),
                                   Request& request, Reply* reply,
                                   google::protobuf::RepeatedPtrField<Item>* (Reply::*items)()) {
  ASSIGN_OR_RETURN(ServiceChannel channel, ConnectTo(args, "education"));
  Client<v1::EducationScheduling> client(std::move(channel));
  request.set_jurisdiction(client.county().code);
  return client.CallAllPages(method, request, reply, items);
}

std::string Label(const google::protobuf::EnumDescriptor& type, int number) {
  return EnumLabel(type, number);
}
std::string TopicLabel(int topic) { return Label(*v1::CourseTopic_descriptor(), topic); }
std::string ModeLabel(int mode) { return Label(*v1::CourseMode_descriptor(), mode); }

// "PARTY_BUILDING,LAW" (labels or full names, any case).
absl::StatusOr<std::vector<v1::CourseTopic>> TopicsFlag(const ParsedArgs& args) {
  std::vector<v1::CourseTopic> topics;
  if (!args.Has("topics")) return topics;
  const google::protobuf::EnumDescriptor& type = *v1::CourseTopic_descriptor();
  for (absl::string_view part : absl::StrSplit(args.Get("topics"), ',', absl::SkipEmpty())) {
    const std::string wanted = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(part));
    const google::protobuf::EnumValueDescriptor* value = type.FindValueByName(wanted);
    if (value == nullptr) value = type.FindValueByName("COURSE_TOPIC_" + wanted);
    if (value == nullptr || value->number() == 0) {
      return UsageError(absl::InvalidArgumentError(
          absl::StrCat("--topics: '", part,
                       "' is not a topic (PARTY_BUILDING, POLITICAL_THEORY, "
                       "LAW, PROFESSIONAL_ETHICS, PRACTICAL_SKILLS, PARTY_DISCIPLINE)")));
    }
    topics.push_back(static_cast<v1::CourseTopic>(value->number()));
  }
  return topics;
}

// "YYYY-MM-DDTHH:MM" in county time (UTC+8).
absl::Status TimeFlag(const ParsedArgs& args, absl::string_view flag,
                      google::protobuf::Timestamp* out) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M", args.Get(flag), CountyTimeZone(), &t, &error)) {
    return UsageError(absl::InvalidArgumentError(absl::StrCat(
        "--", flag, ": '", args.Get(flag), "' is not YYYY-MM-DDTHH:MM (county time)")));
  }
  out->set_seconds(absl::ToUnixSeconds(t));
  return absl::OkStatus();
}

std::string CountyTime(const google::protobuf::Timestamp& at) {
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(at.seconds()), CountyTimeZone());
}

absl::StatusOr<int> Done(const ParsedArgs& args, const std::string& what, uint64_t version,
                         const google::protobuf::Message& reply) {
  return PrintMutation(args, what, version, reply);
}

// ---- Commands ---------------------------------------------------------------

absl::StatusOr<int> RunCreateCourse(const ParsedArgs& args) {
  v1::CreateCourseRequest request;
  request.set_request_id(RequestId(args));
  request.set_title(args.Get("title"));
  ASSIGN_OR_RETURN(int topic, EnumFlag(args, "topic", *v1::CourseTopic_descriptor()));
  ASSIGN_OR_RETURN(int mode, EnumFlag(args, "mode", *v1::CourseMode_descriptor()));
  ASSIGN_OR_RETURN(uint64_t hours, UintFlag(args, "hours"));
  request.set_topic(static_cast<v1::CourseTopic>(topic));
  request.set_mode(static_cast<v1::CourseMode>(mode));
  request.set_hours(static_cast<uint32_t>(hours));
  v1::CreateCourseReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::CreateCourse, request, &reply, true));
  return Done(args, reply.course_id(), reply.version(), reply);
}

absl::StatusOr<int> RunAddPlace(const ParsedArgs& args) {
  v1::AddPlaceRequest request;
  request.set_request_id(RequestId(args));
  request.set_name(args.Get("name"));
  ASSIGN_OR_RETURN(uint64_t capacity, UintFlag(args, "capacity"));
  request.set_capacity(static_cast<uint32_t>(capacity));
  v1::AddPlaceReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::AddPlace, request, &reply, true));
  return Done(args, request.name(), reply.version(), reply);
}

absl::StatusOr<int> RunAddLecturer(const ParsedArgs& args) {
  v1::AddLecturerRequest request;
  request.set_request_id(RequestId(args));
  request.set_name(args.Get("name"));
  ASSIGN_OR_RETURN(std::vector<v1::CourseTopic> topics, TopicsFlag(args));
  for (v1::CourseTopic topic : topics) request.add_topics(topic);
  v1::AddLecturerReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::AddLecturer, request, &reply, true));
  return Done(args, request.name(), reply.version(), reply);
}

absl::StatusOr<int> RunScheduleSession(const ParsedArgs& args) {
  v1::ScheduleSessionRequest request;
  request.set_request_id(RequestId(args));
  request.set_course_id(args.Get("course"));
  request.set_location(args.Get("location"));
  request.set_lecturer(args.Get("lecturer"));
  RETURN_IF_ERROR(TimeFlag(args, "starts-at", request.mutable_starts_at()));
  RETURN_IF_ERROR(TimeFlag(args, "ends-at", request.mutable_ends_at()));
  ASSIGN_OR_RETURN(uint64_t capacity, UintFlag(args, "capacity"));
  request.set_capacity(static_cast<uint32_t>(capacity));
  v1::ScheduleSessionReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::ScheduleSession, request, &reply));
  return Done(args, reply.session_id(), reply.version(), reply);
}

absl::StatusOr<int> RunEnroll(const ParsedArgs& args) {
  v1::EnrollRequest request;
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  request.set_session_id(args.Get("session"));
  ASSIGN_OR_RETURN(uint64_t expected, UintFlag(args, "expected-version"));
  request.set_expected_version(expected);
  v1::EnrollReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::Enroll, request, &reply));
  return Done(args, args.member(), reply.version(), reply);
}

absl::StatusOr<int> RunRecordAttendance(const ParsedArgs& args) {
  v1::RecordAttendanceRequest request;
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  request.set_session_id(args.Get("session"));
  request.set_attended(!args.Has("absent"));
  ASSIGN_OR_RETURN(uint64_t hours, UintFlag(args, "hours"));
  request.set_hours(static_cast<uint32_t>(hours));
  ASSIGN_OR_RETURN(uint64_t expected, UintFlag(args, "expected-version"));
  request.set_expected_version(expected);
  v1::RecordAttendanceReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::RecordAttendance, request, &reply));
  return Done(args, args.member(), reply.version(), reply);
}

absl::StatusOr<int> RunRecordDelivery(const ParsedArgs& args) {
  v1::RecordDeliveryRequest request;
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  request.set_course_id(args.Get("course"));
  ASSIGN_OR_RETURN(int mode, EnumFlag(args, "mode", *v1::CourseMode_descriptor()));
  request.set_mode(static_cast<v1::CourseMode>(mode));
  request.set_delivered_on(args.Get("delivered-on"));
  ASSIGN_OR_RETURN(uint64_t expected, UintFlag(args, "expected-version"));
  request.set_expected_version(expected);
  v1::RecordDeliveryReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::RecordDelivery, request, &reply));
  return Done(args, args.member(), reply.version(), reply);
}

absl::StatusOr<int> RunSetPreferences(const ParsedArgs& args) {
  v1::SetPreferencesRequest request;
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  ASSIGN_OR_RETURN(std::vector<v1::CourseTopic> topics, TopicsFlag(args));
  for (v1::CourseTopic topic : topics) request.add_topics(topic);
  ASSIGN_OR_RETURN(uint64_t expected, UintFlag(args, "expected-version"));
  request.set_expected_version(expected);
  v1::SetPreferencesReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::SetPreferences, request, &reply));
  return Done(args, args.member(), reply.version(), reply);
}

void PrintPlannedSessions(const google::protobuf::RepeatedPtrField<v1::PlannedSession>& sessions) {
  Table table({"planned", "starts", "ends", "place", "lecturer", "topic", "course", "assigned"});
  for (const auto& s : sessions) {
    table.AddRow({s.planned_id().substr(s.planned_id().rfind('/') + 1), CountyTime(s.starts_at()),
                  CountyTime(s.ends_at()).substr(11), s.location(), s.lecturer(),
                  TopicLabel(s.topic()), s.title(), absl::StrCat(s.assigned(), "/", s.capacity())});
  }
  Print(table.Render());
}

absl::StatusOr<int> RunPlanSeasonal(const ParsedArgs& args) {
  v1::PlanSeasonalTrainingRequest request;
  request.set_request_id(RequestId(args));
  request.set_window_start(args.Get("from"));
  request.set_window_end(args.Get("to"));
  request.set_include_residents(args.Has("include-residents"));
  ASSIGN_OR_RETURN(uint64_t max_candidates, UintFlag(args, "max-candidates"));
  request.set_max_candidates(static_cast<uint32_t>(max_candidates));
  v1::PlanSeasonalTrainingReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::PlanSeasonalTraining, request, &reply, true));
  return PrintReply(args, reply, [&] {
    int preferred = 0;
    for (const auto& a : reply.assignments()) preferred += a.preferred();
    Print(absl::StrCat("plan ", reply.plan_id(), ": ", reply.members_considered(),
                       " members expected home, ", reply.candidates_considered(),
                       " candidate sessions; ", reply.sessions_size(), " sessions, ",
                       reply.assignments_size(), " placed (", preferred, " on a chosen topic), ",
                       reply.unassigned_size(), " unplaced\n"));
    PrintPlannedSessions(reply.sessions());
    if (reply.unassigned_size() > 0) {
      Table table({"unplaced member", "reason"});
      for (const auto& u : reply.unassigned()) {
        table.AddRow({u.member_id(), u.detail()});
      }
      Print(table.Render());
    }
  });
}

absl::StatusOr<int> RunCommitPlan(const ParsedArgs& args) {
  v1::CommitPlanRequest request;
  request.set_request_id(RequestId(args));
  request.set_plan_id(args.Get("plan"));
  v1::CommitPlanReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::CommitPlan, request, &reply));
  return PrintReply(args, reply, [&] {
    Print(absl::StrCat("plan ", request.plan_id(), ": ", reply.session_ids_size(),
                       " sessions scheduled, ", reply.enrolled(), " members enrolled, ",
                       reply.skipped_size(), " skipped, ", reply.sessions_skipped_size(),
                       " sessions skipped\n"));
  });
}

absl::StatusOr<int> RunEducationRecord(const ParsedArgs& args) {
  v1::GetEducationRecordRequest request;
  request.set_member_id(args.member());
  ASSIGN_OR_RETURN(int64_t year, IntFlag(args, "year"));
  request.set_year(static_cast<int32_t>(year));
  v1::GetEducationRecordReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::GetEducationRecord, request, &reply));
  return PrintReply(args, reply, [&] {
    Print(absl::StrCat(reply.member_id(), " in ", reply.year(), ": ", reply.hours(), " of ",
                       reply.floor_hours(), " class hours", reply.below_floor() ? " (BELOW)" : "",
                       ", ", reply.sessions_attended(), " sessions, ", reply.deliveries(),
                       " deliveries, pre-departure ",
                       reply.pre_departure_done() ? "done" : "NOT done", "\n"));
    Table table({"date", "kind", "topic", "mode", "hours", "county", "course"});
    for (const auto& e : reply.entries()) {
      table.AddRow({e.occurred_on(),
                    e.kind() == "attendance" && !e.attended() ? "absent" : e.kind(),
                    TopicLabel(e.topic()), ModeLabel(e.mode()), absl::StrCat(e.hours()),
                    e.recorded_in(), e.course_id()});
    }
    Print(table.Render());
  });
}

void PrintSessions(const google::protobuf::RepeatedPtrField<v1::Session>& sessions) {
  Table table({"session", "starts", "ends", "place", "lecturer", "topic", "mode", "enrolled"});
  for (const auto& s : sessions) {
    table.AddRow({s.session_id(), CountyTime(s.starts_at()), CountyTime(s.ends_at()).substr(11),
                  s.location(), s.lecturer(), TopicLabel(s.topic()), ModeLabel(s.mode()),
                  absl::StrCat(s.enrolled_size(), "/", s.capacity())});
  }
  Print(table.Render());
}

absl::StatusOr<int> RunGetSession(const ParsedArgs& args) {
  v1::GetSessionRequest request;
  request.set_session_id(args.Get("session"));
  v1::GetSessionReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::GetSession, request, &reply));
  return PrintReply(args, reply, [&] {
    Table table = FieldTable(reply.session());
    table.AddRow({"enrolled", absl::StrJoin(reply.session().enrolled(), ", ")});
    Print(table.Render());
  });
}

absl::StatusOr<int> RunListSessions(const ParsedArgs& args) {
  v1::ListSessionsRequest request;
  request.set_from(args.Get("from"));
  request.set_to(args.Get("to"));
  ASSIGN_OR_RETURN(uint64_t page_size, UintFlag(args, "page-size"));
  request.set_page_size(static_cast<uint32_t>(page_size));
  request.set_page_token(args.Get("page-token"));
  v1::ListSessionsReply reply;
  RETURN_IF_ERROR(CallEducation(args, &Stub::ListSessions, request, &reply, true));
  return PrintReply(args, reply, [&] {
    PrintSessions(reply.sessions());
    if (!reply.next_page_token().empty()) {
      Print(absl::StrCat("more: --page-token ", reply.next_page_token(), "\n"));
    }
  });
}

absl::StatusOr<int> RunListCourses(const ParsedArgs& args) {
  v1::ListCoursesRequest request;
  v1::ListCoursesReply reply;
  RETURN_IF_ERROR(CallEducationAllPages(args, &Stub::ListCourses, request, &reply,
                                        &v1::ListCoursesReply::mutable_courses));
  return PrintReply(args, reply, [&] {
    Table table({"course", "title", "topic", "mode", "hours"});
    for (const auto& c : reply.courses()) {
      table.AddRow({c.course_id(), c.title(), TopicLabel(c.topic()), ModeLabel(c.mode()),
                    absl::StrCat(c.hours())});
    }
    Print(table.Render());
  });
}

absl::StatusOr<int> RunBelowFloor(const ParsedArgs& args) {
  v1::ListBelowFloorRequest request;
  request.set_as_of(args.Get("as-of"));
  v1::ListBelowFloorReply reply;
  RETURN_IF_ERROR(CallEducationAllPages(args, &Stub::ListBelowFloor, request, &reply,
                                        &v1::ListBelowFloorReply::mutable_members));
  return PrintReply(args, reply, [&] {
    Print(absl::StrCat(reply.members_size(), " of ", reply.members_counted(), " members below ",
                       reply.floor_hours(), " class hours as of ", reply.as_of(), "\n"));
    Table table({"member", "name", "hours", "missing", "away"});
    for (const auto& m : reply.members()) {
      table.AddRow({m.member_id(), m.name(), absl::StrCat(m.hours()),
                    absl::StrCat(m.missing_hours()), m.away() ? "away" : ""});
    }
    Print(table.Render());
  });
}

absl::StatusOr<int> RunPreDepartureDue(const ParsedArgs& args) {
  v1::ListPreDepartureDueRequest request;
  request.set_as_of(args.Get("as-of"));
  v1::ListPreDepartureDueReply reply;
  RETURN_IF_ERROR(CallEducationAllPages(args, &Stub::ListPreDepartureDue, request, &reply,
                                        &v1::ListPreDepartureDueReply::mutable_due));
  return PrintReply(args, reply, [&] {
    Table table({"member", "name", "leaves", "to", "overdue"});
    for (const auto& d : reply.due()) {
      table.AddRow({d.member_id(), d.name(), d.left_on(), d.destination_jurisdiction(),
                    d.overdue() ? "OVERDUE" : ""});
    }
    Print(table.Render());
  });
}

FlagSpec Required(std::string name, std::string value_name, std::string help) {
  return {.name = std::move(name),
          .value_name = std::move(value_name),
          .help = std::move(help),
          .required = true};
}
FlagSpec Optional(std::string name, std::string value_name, std::string help) {
  return {.name = std::move(name), .value_name = std::move(value_name), .help = std::move(help)};
}

}  // namespace

std::vector<Command> EducationCommands() {
  const std::string topics = "PARTY_BUILDING|POLITICAL_THEORY|LAW|PROFESSIONAL_ETHICS|...";
  return {
      {{.name = "create-course",
        .summary = "Creates a course: topic, mode, class hours (CreateCourse).",
        .flags = MutationFlags(
            {Required("title", "TITLE", "course title"), Required("topic", "TOPIC", topics),
             Required("mode", "MODE",
                      "MOBILE_CLASSROOM|ONLINE|MAIL|HOME_DELIVERY|PAIRED_HELP|"
                      "CULTURAL_ACTIVITY"),
             Required("hours", "N", "class hours, 1-32")},
            /*on_member=*/false)},
       RunCreateCourse},
      {{.name = "add-place",
        .summary = "Registers a place where sessions are held (AddPlace).",
        .flags = MutationFlags(
            {Required("name", "NAME", "place name"), Required("capacity", "N", "seats")}, false)},
       RunAddPlace},
      {{.name = "add-lecturer",
        .summary = "Registers a lecturer and the topics taught (AddLecturer).",
        .flags = MutationFlags({Required("name", "NAME", "lecturer"),
                                Optional("topics", "T1,T2", "topics taught (default: all)")},
                               false)},
       RunAddLecturer},
      {{.name = "schedule-session",
        .summary = "Schedules a session; refused on a lecturer or place clash (ScheduleSession).",
        .flags = MutationFlags(
            {Required("course", "COURSE_ID", "the course"), Required("location", "PLACE", "where"),
             Required("starts-at", "YYYY-MM-DDTHH:MM", "start, county time"),
             Required("ends-at", "YYYY-MM-DDTHH:MM", "end, county time"),
             Required("capacity", "N", "seats"), Required("lecturer", "NAME", "lecturer")},
            false)},
       RunScheduleSession},
      {{.name = "enroll",
        .positional = Positional::kMember,
        .summary = "Enrols a member; refused when full or overlapping (Enroll).",
        .flags = MutationFlags({Required("session", "SESSION_ID", "the session")})},
       RunEnroll},
      {{.name = "record-attendance",
        .positional = Positional::kMember,
        .summary = "Records attendance (or --absent) at a session (RecordAttendance).",
        .flags = MutationFlags({Required("session", "SESSION_ID", "the session"),
                                Optional("hours", "N", "hours credited (default: the course's)"),
                                {.name = "absent", .help = "record an absence"}})},
       RunRecordAttendance},
      {{.name = "record-delivery",
        .positional = Positional::kMember,
        .summary = "Records material mailed, home-delivered or online (RecordDelivery).",
        .flags = MutationFlags({Required("course", "COURSE_ID", "the course"),
                                Required("mode", "MAIL|HOME_DELIVERY|ONLINE", "how"),
                                Required("delivered-on", "YYYY-MM-DD", "when")})},
       RunRecordDelivery},
      {{.name = "set-preferences",
        .positional = Positional::kMember,
        .summary = "Sets the topics a member chooses, most wanted first (SetPreferences).",
        .flags = MutationFlags({Optional("topics", "T1,T2", "topics (none: clear)")})},
       RunSetPreferences},
      {{.name = "plan-seasonal",
        .summary = "Plans Spring Festival training for members home in a window "
                   "(PlanSeasonalTraining).",
        .flags = MutationFlags(
            {Required("from", "YYYY-MM-DD", "first day"),
             Required("to", "YYYY-MM-DD", "last day"),
             {.name = "include-residents", .help = "plan for members living at home too"},
             Optional("max-candidates", "N", "candidate sessions (500)")},
            false)},
       RunPlanSeasonal},
      {{.name = "commit-plan",
        .summary = "Schedules a plan's sessions and enrols its members (CommitPlan).",
        .flags = MutationFlags({Required("plan", "PLAN_ID", "the plan")}, false)},
       RunCommitPlan},
      {{.name = "education-record",
        .positional = Positional::kMember,
        .summary = "A member's yearly education against the floor (GetEducationRecord).",
        .flags = WithGlobalFlags({Required("year", "YYYY", "calendar year")})},
       RunEducationRecord},
      {{.name = "get-session",
        .summary = "One session with its enrolments (GetSession).",
        .flags = WithGlobalFlags({Required("session", "SESSION_ID", "the session")})},
       RunGetSession},
      {{.name = "list-sessions",
        .summary = "Sessions by start (ListSessions).",
        .flags = WithGlobalFlags({Optional("from", "YYYY-MM-DD", "first day"),
                                  Optional("to", "YYYY-MM-DD", "last day"),
                                  Optional("page-size", "N", "per page (100)"),
                                  Optional("page-token", "TOKEN", "next page")})},
       RunListSessions},
      {{.name = "list-courses",
        .summary = "The county's courses (ListCourses).",
        .flags = WithGlobalFlags({})},
       RunListCourses},
      {{.name = "below-floor",
        .summary = "Members below the yearly class-hour floor as of a date (ListBelowFloor).",
        .flags = WithGlobalFlags({Optional("as-of", "YYYY-MM-DD", "default today")})},
       RunBelowFloor},
      {{.name = "pre-departure-due",
        .summary = "Departures still owed their pre-departure education (ListPreDepartureDue).",
        .flags = WithGlobalFlags({Optional("as-of", "YYYY-MM-DD", "default today")})},
       RunPreDepartureDue},
  };
}

}  // namespace lianxin::lxctl
