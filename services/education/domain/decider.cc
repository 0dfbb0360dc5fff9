#include "services/education/domain/decider.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/common/time_util.h"
#include "libs/memberfacts/member_facts.h"

namespace lianxin::education {

using lianxin::v1::CalendarState;
using lianxin::v1::EducationState;
using lianxin::v1::Event;
using lianxin::v1::MemberEducation;

namespace {

std::string When(const google::protobuf::Timestamp& start, const google::protobuf::Timestamp& end) {
  const absl::TimeZone tz = CountyTimeZone();
  return absl::StrCat(absl::FormatTime("%Y-%m-%d %H:%M", FromTimestamp(start), tz), "–",
                      absl::FormatTime("%H:%M", FromTimestamp(end), tz));
}

void MeetObligations(MemberEducation& member, const std::string& occurred_on,
                     const Settings& settings) {
  std::optional<absl::CivilDay> on = ParseDate(occurred_on);
  if (!on.has_value()) return;
  for (auto& departure : *member.mutable_pre_departures()) {
    if (!departure.met_on().empty()) continue;
    std::optional<absl::CivilDay> left_on = ParseDate(departure.left_on());
    if (left_on.has_value() && MeetsPreDeparture(*on, *left_on, settings)) {
      departure.set_met_on(occurred_on);
    }
  }
}

bool Counts(const lianxin::v1::EducationEntry& entry) { return CreditedHours(entry) > 0; }

MemberEducation& MemberOf(EducationState& state, const Event& event) {
  MemberEducation& member = *state.mutable_member();
  if (member.member_id().empty()) member.set_member_id(event.aggregate_id());
  return member;
}

CalendarState& CalendarOf(EducationState& state, const Event& event) {
  CalendarState& calendar = *state.mutable_calendar();
  if (calendar.name().empty()) {
    const std::string& id = event.aggregate_id();
    const size_t slash = id.find('/');
    calendar.set_kind(id.substr(0, slash));
    calendar.set_name(slash == std::string::npos ? id : id.substr(slash + 1));
  }
  return calendar;
}

}  // namespace

const char* CalendarKindName(CalendarKind kind) {
  switch (kind) {
    case CalendarKind::kLecturer:
      return "lecturer";
    case CalendarKind::kPlace:
      return "place";
    case CalendarKind::kUnknown:
      break;
  }
  return "";
}

CalendarKind CalendarKindOf(const lianxin::v1::CalendarState& calendar) {
  for (CalendarKind kind : {CalendarKind::kLecturer, CalendarKind::kPlace}) {
    if (calendar.kind() == CalendarKindName(kind)) return kind;
  }
  return CalendarKind::kUnknown;
}

std::string LecturerCalendarId(const std::string& lecturer) {
  return absl::StrCat(CalendarKindName(CalendarKind::kLecturer), "/", lecturer);
}
std::string PlaceCalendarId(const std::string& place) {
  return absl::StrCat(CalendarKindName(CalendarKind::kPlace), "/", place);
}

bool IsEducationPayload(const Event& event) {
  return PayloadServiceOf(event) == PayloadService::kEducation;
}

EducationState Evolve(EducationState state, const Event& event, const Settings& settings) {
  switch (event.payload_case()) {
    case Event::kCourseCreated:
      *state.mutable_course() = event.course_created().course();
      break;
    case Event::kSessionScheduled:
      *state.mutable_session() = event.session_scheduled().session();
      break;
    case Event::kCalendarBooked: {
      auto* booking = CalendarOf(state, event).add_bookings();
      booking->set_session_id(event.calendar_booked().session_id());
      *booking->mutable_starts_at() = event.calendar_booked().starts_at();
      *booking->mutable_ends_at() = event.calendar_booked().ends_at();
      break;
    }
    case Event::kPlaceAdded: {
      CalendarState& calendar = CalendarOf(state, event);
      calendar.set_registered(true);
      calendar.set_capacity(event.place_added().capacity());
      break;
    }
    case Event::kLecturerAdded: {
      CalendarState& calendar = CalendarOf(state, event);
      calendar.set_registered(true);
      *calendar.mutable_topics() = event.lecturer_added().topics();
      break;
    }
    case Event::kSeatTaken:
      state.mutable_session()->add_enrolled(event.seat_taken().member_id());
      break;
    case Event::kMemberEnrolled: {
      const auto& e = event.member_enrolled();
      auto* enrolment = MemberOf(state, event).add_enrolments();
      enrolment->set_session_id(e.session_id());
      enrolment->set_course_id(e.course_id());
      enrolment->set_topic(e.topic());
      *enrolment->mutable_starts_at() = e.starts_at();
      *enrolment->mutable_ends_at() = e.ends_at();
      break;
    }
    case Event::kPreferencesSet:
      *MemberOf(state, event).mutable_preferences() = event.preferences_set().topics();
      break;
    case Event::kPreDepartureRequired: {
      MemberEducation& member = MemberOf(state, event);
      auto* departure = member.add_pre_departures();
      departure->set_member_id(member.member_id());
      departure->set_left_on(event.pre_departure_required().left_on());
      departure->set_destination_jurisdiction(
          event.pre_departure_required().destination_jurisdiction());
      // Education given before the outflow was registered counts too.
      std::optional<absl::CivilDay> left_on = ParseDate(departure->left_on());
      for (const auto& entry : member.entries()) {
        std::optional<absl::CivilDay> on = ParseDate(entry.occurred_on());
        if (Counts(entry) && on.has_value() && left_on.has_value() &&
            MeetsPreDeparture(*on, *left_on, settings)) {
          departure->set_met_on(entry.occurred_on());
          break;
        }
      }
      break;
    }
    case Event::kRegistryFactsNoted: {
      const auto& facts = event.registry_facts_noted();
      MemberEducation& member = MemberOf(state, event);
      member.set_known_to_registry(true);
      if (!facts.name().empty()) member.set_name(facts.name());
      if (!facts.home_jurisdiction().empty()) {
        member.set_home_jurisdiction(facts.home_jurisdiction());
      }
      if (facts.movement() == lianxin::v1::RegistryFactsNoted::MOVEMENT_LEFT) {
        member.set_away(true);
        member.set_destination_jurisdiction(facts.destination_jurisdiction());
        member.set_left_on(facts.left_on());
        member.set_expected_return_on(facts.expected_return_on());
        member.clear_visit_home_from();
        member.clear_visit_home_until();
      } else if (facts.movement() == lianxin::v1::RegistryFactsNoted::MOVEMENT_RETURNED) {
        member.set_away(false);
        member.set_returned_on(facts.returned_on());
      } else if (facts.movement() == lianxin::v1::RegistryFactsNoted::MOVEMENT_SETTLED) {
        member.set_away(false);
      } else if (member.away()) {
        // Still away: a visit home, or a new expected return.
        if (!facts.visit_home_from().empty()) {
          member.set_visit_home_from(facts.visit_home_from());
          member.set_visit_home_until(facts.visit_home_until());
        }
        if (!facts.expected_return_on().empty()) {
          member.set_expected_return_on(facts.expected_return_on());
        }
      }
      break;
    }
    case Event::kAttendanceRecorded: {
      const auto& a = event.attendance_recorded();
      MemberEducation& member = MemberOf(state, event);
      auto* entry = member.add_entries();
      entry->set_kind("attendance");
      entry->set_occurred_on(a.occurred_on());
      entry->set_course_id(a.course_id());
      entry->set_session_id(a.session_id());
      entry->set_topic(a.topic());
      entry->set_mode(a.mode());
      entry->set_hours(a.hours());
      entry->set_attended(a.attended());
      entry->set_recorded_in(a.recorded_in());
      if (Counts(*entry)) MeetObligations(member, a.occurred_on(), settings);
      break;
    }
    case Event::kMaterialDelivered: {
      const auto& d = event.material_delivered();
      MemberEducation& member = MemberOf(state, event);
      auto* entry = member.add_entries();
      entry->set_kind("delivery");
      entry->set_occurred_on(d.delivered_on());
      entry->set_course_id(d.course_id());
      entry->set_topic(d.topic());
      entry->set_mode(d.mode());
      entry->set_hours(d.hours());
      entry->set_recorded_in(d.recorded_in());
      if (Counts(*entry)) MeetObligations(member, d.delivered_on(), settings);
      break;
    }
    case Event::kPlanRecorded:
      state.mutable_plan()->set_plan_id(event.aggregate_id());
      *state.mutable_plan()->mutable_recorded() = event.plan_recorded();
      break;
    case Event::kPlanCommitted:
      state.mutable_plan()->set_committed(true);
      *state.mutable_plan()->mutable_commit() = event.plan_committed();
      break;
    default:
      break;
  }
  return state;
}

absl::StatusOr<Events> DecideCreateCourse(const lianxin::v1::CreateCourseRequest& request,
                                          const std::string& course_id, const Context& ctx) {
  Event event = NewEvent(ctx, "CourseCreated");
  auto* course = event.mutable_course_created()->mutable_course();
  course->set_course_id(course_id);
  course->set_jurisdiction(ctx.jurisdiction);
  course->set_title(request.title());
  course->set_topic(request.topic());
  course->set_mode(request.mode());
  course->set_hours(request.hours());
  return Events{std::move(event)};
}

absl::StatusOr<Scheduled> DecideScheduleSession(const lianxin::v1::Course& course,
                                                const CalendarState& lecturer,
                                                const CalendarState& place,
                                                const lianxin::v1::ScheduleSessionRequest& request,
                                                const std::string& session_id,
                                                const std::string& plan_id, const Context& ctx) {
  if (!IsSchedulableMode(course.mode())) {
    return absl::FailedPreconditionError(
        absl::StrCat("course_id: course ", course.course_id(), " is taught by ",
                     lianxin::v1::CourseMode_Name(course.mode()),
                     ", which is delivered (RecordDelivery), not held as a session (R13)"));
  }
  const Interval interval{Seconds(request.starts_at()), Seconds(request.ends_at())};
  if (lecturer.registered() && !lecturer.topics().empty() &&
      std::find(lecturer.topics().begin(), lecturer.topics().end(), course.topic()) ==
          lecturer.topics().end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("lecturer: ", request.lecturer(), " does not teach ",
                     lianxin::v1::CourseTopic_Name(course.topic()), " (R13: lecturers by topic)"));
  }
  if (std::optional<lianxin::v1::Booking> clash = CalendarClash(lecturer, interval)) {
    return absl::FailedPreconditionError(
        absl::StrCat("lecturer: ", request.lecturer(), " already teaches session ",
                     clash->session_id(), " (", When(clash->starts_at(), clash->ends_at()),
                     ") which overlaps (R12 scheduling: a lecturer is in one session at a time)"));
  }
  const bool needs_place = NeedsPlace(course.mode());
  if (needs_place) {
    if (std::optional<lianxin::v1::Booking> clash = CalendarClash(place, interval)) {
      return absl::FailedPreconditionError(
          absl::StrCat("location: ", request.location(), " is already booked for session ",
                       clash->session_id(), " (", When(clash->starts_at(), clash->ends_at()),
                       ") which overlaps (R12 scheduling: a place holds one session at a time)"));
    }
    if (place.registered() && place.capacity() > 0 && request.capacity() > place.capacity()) {
      return absl::FailedPreconditionError(
          absl::StrCat("capacity: ", request.capacity(), " seats exceed the ", place.capacity(),
                       " of ", request.location(), " (R12 scheduling)"));
    }
  }
  Scheduled out;
  out.session = NewEvent(ctx, "SessionScheduled");
  auto* session = out.session.mutable_session_scheduled()->mutable_session();
  session->set_session_id(session_id);
  session->set_course_id(course.course_id());
  session->set_title(course.title());
  session->set_topic(course.topic());
  session->set_mode(course.mode());
  session->set_hours(course.hours());
  session->set_location(request.location());
  *session->mutable_starts_at() = request.starts_at();
  *session->mutable_ends_at() = request.ends_at();
  session->set_capacity(request.capacity());
  session->set_lecturer(request.lecturer());
  session->set_plan_id(plan_id);
  Event booked = NewEvent(ctx, "CalendarBooked");
  booked.mutable_calendar_booked()->set_session_id(session_id);
  *booked.mutable_calendar_booked()->mutable_starts_at() = request.starts_at();
  *booked.mutable_calendar_booked()->mutable_ends_at() = request.ends_at();
  out.lecturer = booked;
  if (needs_place) out.place = booked;
  return out;
}

absl::StatusOr<Enrolled> DecideEnroll(const lianxin::v1::Session& session,
                                      const MemberEducation& member, const std::string& member_id,
                                      const Context& ctx) {
  for (const std::string& enrolled : session.enrolled()) {
    if (enrolled == member_id) {
      return absl::FailedPreconditionError(absl::StrCat(
          "member_id: ", member_id, " is already enrolled in session ", session.session_id()));
    }
  }
  if (SessionFull(session)) {
    return absl::FailedPreconditionError(absl::StrCat("session_id: session ", session.session_id(),
                                                      " is full (", session.capacity(),
                                                      " seats taken) (R12 scheduling: capacity)"));
  }
  const Interval interval{Seconds(session.starts_at()), Seconds(session.ends_at())};
  if (std::optional<lianxin::v1::Enrolment> clash = EnrolmentClash(member, interval)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "member_id: ", member_id, " is enrolled in session ", clash->session_id(), " (",
        When(clash->starts_at(), clash->ends_at()), ") which overlaps session ",
        session.session_id(), " (R12 scheduling: a member is in one session at a time)"));
  }
  Enrolled out;
  out.seat = NewEvent(ctx, "SeatTaken");
  out.seat.mutable_seat_taken()->set_session_id(session.session_id());
  out.seat.mutable_seat_taken()->set_member_id(member_id);
  out.member = NewEvent(ctx, "MemberEnrolled");
  auto* e = out.member.mutable_member_enrolled();
  e->set_member_id(member_id);
  e->set_session_id(session.session_id());
  e->set_course_id(session.course_id());
  e->set_topic(session.topic());
  *e->mutable_starts_at() = session.starts_at();
  *e->mutable_ends_at() = session.ends_at();
  return out;
}

std::vector<std::string> RouteTo(const MemberEducation& member, const std::string& jurisdiction,
                                 const Settings& settings) {
  const std::string& home = member.home_jurisdiction();
  if (home.empty() || home == jurisdiction || !settings.on_system.contains(home)) return {};
  return {home};
}

absl::StatusOr<Events> DecideRecordAttendance(const lianxin::v1::Session& session,
                                              const MemberEducation& member,
                                              const lianxin::v1::RecordAttendanceRequest& request,
                                              const Context& ctx, const Settings& settings) {
  if (std::find(session.enrolled().begin(), session.enrolled().end(), request.member_id()) ==
      session.enrolled().end()) {
    return absl::FailedPreconditionError(absl::StrCat("member_id: ", request.member_id(),
                                                      " is not enrolled in session ",
                                                      session.session_id(), " (enrol first)"));
  }
  if (ctx.now < FromTimestamp(session.starts_at())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "session_id: session ", session.session_id(), " has not started yet (",
        When(session.starts_at(), session.ends_at()), "): attendance is recorded afterwards"));
  }
  for (const auto& entry : member.entries()) {
    if (entry.kind() == "attendance" && entry.session_id() == session.session_id()) {
      return absl::FailedPreconditionError(
          absl::StrCat("member_id: attendance of ", request.member_id(), " at session ",
                       session.session_id(), " is already recorded"));
    }
  }
  if (request.hours() > session.hours()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hours: ", request.hours(), " exceeds the course's ", session.hours(), " class hours"));
  }
  Event event = NewEvent(ctx, "AttendanceRecorded");
  auto* a = event.mutable_attendance_recorded();
  a->set_member_id(request.member_id());
  a->set_session_id(session.session_id());
  a->set_course_id(session.course_id());
  a->set_topic(session.topic());
  a->set_mode(session.mode());
  a->set_attended(request.attended());
  a->set_hours(!request.attended() ? 0 : request.hours() == 0 ? session.hours() : request.hours());
  a->set_occurred_on(FormatDate(CountyDay(Seconds(session.starts_at()))));
  a->set_recorded_in(ctx.jurisdiction);
  for (const std::string& county : RouteTo(member, ctx.jurisdiction, settings)) {
    event.add_routed_to(county);
  }
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideRecordDelivery(const lianxin::v1::Course& course,
                                            const MemberEducation& member,
                                            const lianxin::v1::RecordDeliveryRequest& request,
                                            const Context& ctx, const Settings& settings) {
  const absl::CivilDay on = *ParseDate(request.delivered_on());
  if (on > ctx.today) {
    return absl::InvalidArgumentError(absl::StrCat("delivered_on: ", request.delivered_on(),
                                                   " is in the future (today is ",
                                                   FormatDate(ctx.today), ")"));
  }
  for (const auto& entry : member.entries()) {
    std::optional<absl::CivilDay> when = ParseDate(entry.occurred_on());
    if (entry.kind() == "delivery" && entry.course_id() == course.course_id() && when.has_value() &&
        when->year() == on.year()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "course_id: the material of ", course.course_id(), " was delivered to ",
          request.member_id(), " on ", entry.occurred_on(), " already (counted once a year, R12)"));
    }
  }
  Event event = NewEvent(ctx, "MaterialDelivered");
  auto* d = event.mutable_material_delivered();
  d->set_member_id(request.member_id());
  d->set_course_id(course.course_id());
  d->set_topic(course.topic());
  d->set_mode(request.mode());
  d->set_hours(course.hours());
  d->set_delivered_on(request.delivered_on());
  d->set_recorded_in(ctx.jurisdiction);
  for (const std::string& county : RouteTo(member, ctx.jurisdiction, settings)) {
    event.add_routed_to(county);
  }
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideSetPreferences(const MemberEducation& member,
                                            const lianxin::v1::SetPreferencesRequest& request,
                                            const Context& ctx) {
  Event event = NewEvent(ctx, "PreferencesSet");
  event.mutable_preferences_set()->set_member_id(request.member_id());
  *event.mutable_preferences_set()->mutable_topics() = request.topics();
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideAddPlace(const CalendarState& place,
                                      const lianxin::v1::AddPlaceRequest& request,
                                      const Context& ctx) {
  if (place.registered()) {
    return absl::AlreadyExistsError(absl::StrCat("name: place ", request.name(), " exists"));
  }
  Event event = NewEvent(ctx, "PlaceAdded");
  event.mutable_place_added()->set_name(request.name());
  event.mutable_place_added()->set_capacity(request.capacity());
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideAddLecturer(const CalendarState& lecturer,
                                         const lianxin::v1::AddLecturerRequest& request,
                                         const Context& ctx) {
  if (lecturer.registered()) {
    return absl::AlreadyExistsError(absl::StrCat("name: lecturer ", request.name(), " exists"));
  }
  Event event = NewEvent(ctx, "LecturerAdded");
  event.mutable_lecturer_added()->set_name(request.name());
  *event.mutable_lecturer_added()->mutable_topics() = request.topics();
  return Events{std::move(event)};
}

}  // namespace lianxin::education
