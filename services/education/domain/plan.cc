#include "services/education/domain/plan.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/status_macros.h"

namespace lianxin::education {

using lianxin::v1::EducationState;
using lianxin::v1::Event;

lianxin::v1::PlanSeasonalTrainingReply PlanOf(const std::string& plan_id,
                                              const CandidateSpace& space,
                                              const std::vector<Candidate>& candidates,
                                              const PlanResult& result) {
  lianxin::v1::PlanSeasonalTrainingReply plan;
  std::map<size_t, std::string> planned_ids;
  for (size_t i = 0; i < result.opened.size(); ++i) {
    const size_t c = result.opened[i];
    const Candidate& candidate = candidates[c];
    planned_ids[c] = absl::StrFormat("%s/%03d", plan_id, i + 1);
    auto* session = plan.add_sessions();
    session->set_planned_id(planned_ids[c]);
    session->set_course_id(candidate.course_id);
    session->set_title(candidate.title);
    session->set_topic(candidate.topic);
    session->set_mode(candidate.mode);
    session->set_hours(candidate.hours);
    session->set_location(candidate.place.empty() ? "online" : candidate.place);
    session->mutable_starts_at()->set_seconds(candidate.time.start);
    session->mutable_ends_at()->set_seconds(candidate.time.end);
    session->set_capacity(candidate.capacity);
    session->set_lecturer(candidate.lecturer);
    session->set_assigned(result.assigned[c]);
  }
  for (const PlannedAssignment& a : result.assignments) {
    auto* assignment = plan.add_assignments();
    assignment->set_member_id(space.members[a.member].member_id);
    assignment->set_planned_id(planned_ids[a.candidate]);
    assignment->set_preferred(a.preferred);
    assignment->set_kind(space.members[a.member].kind);
  }
  for (const PlannedUnplaced& u : result.unplaced) {
    auto* unassigned = plan.add_unassigned();
    unassigned->set_member_id(space.members[u.member].member_id);
    unassigned->set_reason(u.reason);
    unassigned->set_detail(UnplacedDetail(u.reason));
    unassigned->set_kind(space.members[u.member].kind);
  }
  plan.set_plan_id(plan_id);
  plan.set_members_considered(space.members.size());
  plan.set_candidates_considered(candidates.size());
  plan.set_version(1);
  return plan;
}

Event PlanRecordedEvent(const std::string& window_start, const std::string& window_end,
                        const lianxin::v1::PlanSeasonalTrainingReply& plan, const Context& ctx) {
  Event recorded = NewEvent(ctx, "PlanRecorded");
  recorded.mutable_plan_recorded()->set_window_start(window_start);
  recorded.mutable_plan_recorded()->set_window_end(window_end);
  *recorded.mutable_plan_recorded()->mutable_plan() = plan;
  return recorded;
}

absl::Status DecideCommitPlan(const std::string& plan_id, PlanAggregates& aggregates,
                              const Context& ctx, lianxin::v1::CommitPlanReply* reply) {
  ASSIGN_OR_RETURN(const EducationState* plan, aggregates.State(plan_id));
  if (!plan->has_plan()) {
    return absl::NotFoundError(absl::StrCat("plan_id: ", plan_id, " is not a plan here"));
  }
  if (plan->plan().committed()) {
    return absl::FailedPreconditionError(
        absl::StrCat("plan_id: plan ", plan_id, " is committed already"));
  }
  // A copy: adding events below may move the plan's state.
  const lianxin::v1::PlanSeasonalTrainingReply planned = plan->plan().recorded().plan();
  std::map<std::string, std::string> session_ids;
  for (const auto& s : planned.sessions()) {
    const std::string session_id = aggregates.SessionId(s.planned_id());
    ASSIGN_OR_RETURN(const EducationState* course, aggregates.State(s.course_id()));
    if (!course->has_course()) {
      reply->add_sessions_skipped(s.planned_id());
      continue;
    }
    lianxin::v1::ScheduleSessionRequest schedule;
    schedule.set_course_id(s.course_id());
    schedule.set_location(s.location());
    *schedule.mutable_starts_at() = s.starts_at();
    *schedule.mutable_ends_at() = s.ends_at();
    schedule.set_capacity(s.capacity());
    schedule.set_lecturer(s.lecturer());
    const std::string lecturer_id = LecturerCalendarId(s.lecturer());
    const std::string place_id = PlaceCalendarId(s.location());
    ASSIGN_OR_RETURN(const EducationState* lecturer, aggregates.State(lecturer_id));
    ASSIGN_OR_RETURN(const EducationState* place, aggregates.State(place_id));
    absl::StatusOr<Scheduled> scheduled =
        DecideScheduleSession(course->course(), lecturer->calendar(), place->calendar(), schedule,
                              session_id, plan_id, ctx);
    // Taken since the plan was drafted: skipped, the rest still committed.
    if (absl::IsFailedPrecondition(scheduled.status())) {
      reply->add_sessions_skipped(s.planned_id());
      continue;
    }
    RETURN_IF_ERROR(scheduled.status());
    RETURN_IF_ERROR(aggregates.Add(session_id, std::move(scheduled->session)));
    RETURN_IF_ERROR(aggregates.Add(lecturer_id, std::move(scheduled->lecturer)));
    if (scheduled->place) RETURN_IF_ERROR(aggregates.Add(place_id, *scheduled->place));
    session_ids[s.planned_id()] = session_id;
  }
  uint32_t enrolled = 0;
  for (const auto& a : planned.assignments()) {
    auto session_id = session_ids.find(a.planned_id());
    auto skip = [&](lianxin::v1::UnplacedReason reason, const std::string& detail) {
      auto* skipped = reply->add_skipped();
      skipped->set_member_id(a.member_id());
      skipped->set_reason(reason);
      skipped->set_detail(detail);
      skipped->set_kind(a.kind());
    };
    if (session_id == session_ids.end()) {
      skip(lianxin::v1::UNPLACED_REASON_LECTURER_OR_PLACE_TAKEN,
           "the planned session could not be scheduled");
      continue;
    }
    ASSIGN_OR_RETURN(const EducationState* member, aggregates.State(a.member_id()));
    if (!member->has_member()) {
      skip(lianxin::v1::UNPLACED_REASON_UNSPECIFIED, "the member is no longer known here");
      continue;
    }
    ASSIGN_OR_RETURN(const EducationState* session, aggregates.State(session_id->second));
    absl::StatusOr<Enrolled> decided =
        DecideEnroll(session->session(), member->member(), a.member_id(), ctx);
    if (!decided.ok()) {
      if (!absl::IsFailedPrecondition(decided.status())) return decided.status();
      skip(SessionFull(session->session()) ? lianxin::v1::UNPLACED_REASON_SESSIONS_FULL
                                           : lianxin::v1::UNPLACED_REASON_OVERLAPS_ENROLMENT,
           std::string(decided.status().message()));
      continue;
    }
    RETURN_IF_ERROR(aggregates.Add(session_id->second, std::move(decided->seat)));
    RETURN_IF_ERROR(aggregates.Add(a.member_id(), std::move(decided->member)));
    ++enrolled;
  }
  Event committed = NewEvent(ctx, "PlanCommitted");
  committed.mutable_plan_committed()->mutable_session_ids()->insert(session_ids.begin(),
                                                                    session_ids.end());
  committed.mutable_plan_committed()->set_enrolled(enrolled);
  RETURN_IF_ERROR(aggregates.Add(plan_id, std::move(committed)));
  reply->mutable_session_ids()->insert(session_ids.begin(), session_ids.end());
  reply->set_enrolled(enrolled);
  return absl::OkStatus();
}

}  // namespace lianxin::education
