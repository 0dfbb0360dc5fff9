#include "services/appraisal/domain/decider.h"

#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/memberfacts/member_facts.h"

namespace lianxin::appraisal {

using lianxin::v1::Event;

namespace {

absl::Status RequireAppraisedHere(const AppraisalMemberFacts& facts, const Context& ctx) {
  if (IsAppraisedBy(facts, ctx.jurisdiction)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "member_id: the member's organization relationship is in ",
      facts.registry().home_jurisdiction().empty() ? "no county known here"
                                                   : facts.registry().home_jurisdiction(),
      "; appraisal, dues, lapse and probation are decided there, not in ", ctx.jurisdiction));
}

}  // namespace

std::string CycleId(const std::string& jurisdiction, int year) {
  return absl::StrCat("cycle-", jurisdiction, "-", year);
}

bool IsCycleId(const std::string& aggregate_id) { return absl::StartsWith(aggregate_id, "cycle-"); }

bool IsAppraisedBy(const AppraisalMemberFacts& facts, const std::string& jurisdiction) {
  const auto& r = facts.registry();
  if (r.member_id().empty() || r.home_jurisdiction() != jurisdiction) return false;
  if (r.membership_ended()) return false;  // probation cancelled, lapsed: no longer appraised
  return StatusAsSeenBy(r, jurisdiction) != lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT;
}

std::string WhereAway(const AppraisalMemberFacts& facts) {
  if (!facts.registry().away()) return "";
  return facts.registry().outflow().destination_jurisdiction();
}

AppraisalMemberFacts Evolve(AppraisalMemberFacts facts, const Event& event) {
  const std::string recorded_in = event.source().jurisdiction();
  // Registry payloads fold into the registry's own facts.
  if (IsRegistryPayload(event)) {
    *facts.mutable_registry() = FoldMemberFacts(facts.registry(), event);
  }
  switch (event.payload_case()) {
    case Event::kCertificateEntryRecorded: {
      const auto& e = event.certificate_entry_recorded();
      if (e.kind() == lianxin::v1::CERTIFICATE_ENTRY_KIND_ORGANIZATION_LIFE) {
        auto* entry = facts.add_organization_life();
        entry->set_occurred_on(e.occurred_on());
        entry->set_activity(e.activity());
        entry->set_recorded_in(e.recorded_by_jurisdiction());
        entry->set_on_certificate(true);
      } else if (e.kind() == lianxin::v1::CERTIFICATE_ENTRY_KIND_DUES) {
        if (std::optional<absl::CivilMonth> month = MonthOfDate(e.occurred_on())) {
          auto* paid = facts.add_paid_months();
          paid->set_month(FormatMonth(*month));
          paid->set_paid_on(e.occurred_on());
          paid->set_amount_fen(e.amount_fen());
          paid->set_on_certificate(true);
        }
      }
      break;
    }
    case Event::kContactRecorded:
      *facts.add_contacts() = event.contact_recorded();
      break;
    case Event::kLostContact: {
      auto* period = facts.add_lost_contact();
      period->set_lost_on(event.lost_contact().lost_on());
      break;
    }
    case Event::kContactResumed:
      for (auto& period : *facts.mutable_lost_contact()) {
        if (period.lost_on() == event.contact_resumed().lost_on() && period.resumed_on().empty()) {
          period.set_resumed_on(event.contact_resumed().contact_on());
        }
      }
      break;
    case Event::kAttendanceRecorded: {
      const auto& a = event.attendance_recorded();
      if (a.attended()) {
        auto* credit = facts.add_education();
        credit->set_occurred_on(a.occurred_on());
        credit->set_hours(a.hours());
        credit->set_recorded_in(a.recorded_in());
      }
      break;
    }
    case Event::kMaterialDelivered: {
      const auto& d = event.material_delivered();
      auto* credit = facts.add_education();
      credit->set_occurred_on(d.delivered_on());
      credit->set_hours(d.hours());
      credit->set_recorded_in(d.recorded_in());
      break;
    }
    case Event::kAppraisalNoticeSent:
      *facts.add_notices() = event.appraisal_notice_sent();
      break;
    case Event::kAppraisalRecorded: {
      const auto& a = event.appraisal_recorded();
      auto* grade = facts.add_grades();
      grade->set_cycle_id(a.cycle_id());
      grade->set_year(a.year());
      grade->set_grade(a.grade());
      grade->set_remarks(a.remarks());
      break;
    }
    case Event::kAppraisalCorrected: {
      const auto& c = event.appraisal_corrected();
      for (auto& grade : *facts.mutable_grades()) {
        if (grade.cycle_id() != c.cycle_id()) continue;
        grade.set_grade(c.grade());
        grade.set_remarks(c.remarks());
        grade.set_corrected(true);
        grade.set_correction_reason(c.reason());
      }
      break;
    }
    case Event::kDuesBaseSet:
      *facts.add_dues_bases() = event.dues_base_set();
      break;
    case Event::kDuesPaid: {
      const auto& p = event.dues_paid();
      // R10: each month its own year's dues; every fen of the payment kept.
      std::vector<int64_t> by_base;
      for (const std::string& month : p.months()) {
        std::optional<absl::CivilMonth> m = ParseMonth(month);
        const auto* base = m.has_value() ? BaseOfYear(facts, static_cast<int>(m->year())) : nullptr;
        by_base.push_back(base != nullptr ? base->monthly_dues_fen() : 0);
      }
      const std::vector<int64_t> parts = DuesPerMonthFen(by_base, p.amount_fen());
      for (int i = 0; i < p.months_size(); ++i) {
        auto* paid = facts.add_paid_months();
        paid->set_month(p.months(i));
        paid->set_paid_on(p.paid_on());
        paid->set_amount_fen(parts[i]);
      }
      break;
    }
    case Event::kOrganizationLifeRecorded: {
      auto* entry = facts.add_organization_life();
      entry->set_occurred_on(event.organization_life_recorded().occurred_on());
      entry->set_activity(event.organization_life_recorded().activity());
      entry->set_recorded_in(recorded_in);
      break;
    }
    case Event::kAssignedWorkRecorded:
      *facts.add_assigned_work() = event.assigned_work_recorded();
      break;
    case Event::kLegitimateReasonRecorded:
      *facts.add_legitimate_reasons() = event.legitimate_reason_recorded();
      break;
    case Event::kLapseDecisionRecorded:
      *facts.add_lapse_decisions() = event.lapse_decision_recorded();
      break;
    case Event::kProbationOutcomeRecorded:
      *facts.add_probation_outcomes() = event.probation_outcome_recorded();
      break;
    default:
      break;
  }
  return facts;
}

AppraisalCycleFacts EvolveCycle(AppraisalCycleFacts facts, const Event& event) {
  if (event.has_appraisal_cycle_opened()) *facts.mutable_opened() = event.appraisal_cycle_opened();
  return facts;
}

absl::StatusOr<OpenedCycle> DecideOpenCycle(
    int year, bool already_open,
    const std::vector<std::pair<std::string, AppraisalMemberFacts>>& members, const Context& ctx,
    const Settings& settings) {
  if (already_open) {
    return absl::AlreadyExistsError(absl::StrCat("year: the appraisal cycle of ", year, " in ",
                                                 ctx.jurisdiction,
                                                 " is open already (R7: once a year)"));
  }
  const std::string cycle_id = CycleId(ctx.jurisdiction, year);
  const std::string today = FormatDate(ctx.today);
  OpenedCycle opened;
  for (const auto& [member_id, facts] : members) {
    if (!IsAppraisedBy(facts, ctx.jurisdiction)) continue;
    Event notice = NewEvent(ctx, "AppraisalNoticeSent");
    auto* n = notice.mutable_appraisal_notice_sent();
    n->set_cycle_id(cycle_id);
    n->set_year(year);
    n->set_home_jurisdiction(ctx.jurisdiction);
    n->set_sent_on(today);
    const std::string away = WhereAway(facts);
    if (!away.empty()) {
      n->set_destination_jurisdiction(away);
      ++opened.away;
      if (away != ctx.jurisdiction && (settings.on_system.contains(away) ||
                                       facts.registry().outflow().destination_on_system())) {
        notice.add_routed_to(away);
      }
    }
    opened.notices.emplace_back(member_id, std::move(notice));
  }
  opened.cycle_event = NewEvent(ctx, "AppraisalCycleOpened");
  auto* c = opened.cycle_event.mutable_appraisal_cycle_opened();
  c->set_cycle_id(cycle_id);
  c->set_jurisdiction(ctx.jurisdiction);
  c->set_year(year);
  c->set_opened_on(today);
  c->set_members_notified(static_cast<uint32_t>(opened.notices.size()));
  return opened;
}

const lianxin::v1::GradeFact* GradeIn(const AppraisalMemberFacts& facts,
                                      const std::string& cycle_id) {
  for (const auto& grade : facts.grades()) {
    if (grade.cycle_id() == cycle_id) return &grade;
  }
  return nullptr;
}

std::string CertificateYearlyCheck(const AppraisalMemberFacts& facts, absl::CivilDay as_of) {
  const lianxin::v1::MemberFacts& r = facts.registry();
  // R8: yearly, a national number (the registry's default setting).
  std::optional<absl::CivilDay> due = YearlyCertificateCheckDue(r, 12);
  if (!due.has_value()) return "";
  if (as_of > *due) return "DUE";
  return r.last_yearly_check_on();
}

bool CountsAsAppraised(const AppraisalMemberFacts& facts, const std::string& cycle_id,
                       const std::string& jurisdiction) {
  if (GradeIn(facts, cycle_id) != nullptr) return true;
  const bool notified =
      std::any_of(facts.notices().begin(), facts.notices().end(),
                  [&](const auto& notice) { return notice.cycle_id() == cycle_id; });
  return notified && IsAppraisedBy(facts, jurisdiction) && !facts.registry().lost_contact();
}

namespace {

absl::Status CheckInCycle(const AppraisalMemberFacts& facts, const AppraisalCycleFacts& cycle,
                          const std::string& cycle_id, const Context& ctx) {
  if (!cycle.has_opened()) {
    return absl::NotFoundError(
        absl::StrCat("cycle_id: ", cycle_id, " is not an open cycle of ", ctx.jurisdiction));
  }
  RETURN_IF_ERROR(RequireAppraisedHere(facts, ctx));
  for (const auto& notice : facts.notices()) {
    if (notice.cycle_id() == cycle_id) return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat("R7: the member was not a member of ", ctx.jurisdiction, " when cycle ",
                   cycle_id, " opened (not notified), so is not appraised in it"));
}

}  // namespace

absl::StatusOr<Events> DecideRecordAppraisal(const AppraisalMemberFacts& facts,
                                             const AppraisalCycleFacts& cycle,
                                             const lianxin::v1::RecordAppraisalRequest& request,
                                             const CycleGrades& others, const Context& ctx,
                                             const Settings& settings) {
  RETURN_IF_ERROR(CheckInCycle(facts, cycle, request.cycle_id(), ctx));
  if (CertificateYearlyCheck(facts, ctx.today) == "DUE") {
    return absl::FailedPreconditionError(absl::StrCat(
        "R8: the activity certificate ", facts.registry().certificate().certificate_no(),
        " is checked yearly with the appraisal, and its check is overdue; record the "
        "YEARLY_CHECK on the certificate first"));
  }
  if (const auto* given = GradeIn(facts, request.cycle_id())) {
    return absl::FailedPreconditionError(
        absl::StrCat("R7: the member was graded already in ", request.cycle_id(), " (",
                     lianxin::v1::AppraisalGrade_Name(given->grade()),
                     "); a grade is given once, changed only by CorrectAppraisal with a reason"));
  }
  if (request.grade() == lianxin::v1::APPRAISAL_GRADE_EXCELLENT) {
    RETURN_IF_ERROR(CheckExcellentShare(others.excellent + 1, others.appraised + 1, settings));
  }
  Event event = NewEvent(ctx, "AppraisalRecorded");
  auto* a = event.mutable_appraisal_recorded();
  a->set_cycle_id(request.cycle_id());
  a->set_year(cycle.opened().year());
  a->set_grade(request.grade());
  a->set_remarks(request.remarks());
  a->set_recorded_on(FormatDate(ctx.today));
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideCorrectAppraisal(const AppraisalMemberFacts& facts,
                                              const AppraisalCycleFacts& cycle,
                                              const lianxin::v1::CorrectAppraisalRequest& request,
                                              const CycleGrades& others, const Context& ctx,
                                              const Settings& settings) {
  RETURN_IF_ERROR(CheckInCycle(facts, cycle, request.cycle_id(), ctx));
  const auto* given = GradeIn(facts, request.cycle_id());
  if (given == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "R7: the member has no grade in ", request.cycle_id(), " to correct; use RecordAppraisal"));
  }
  if (given->grade() == request.grade() && given->remarks() == request.remarks()) {
    return absl::FailedPreconditionError("R7: the correction changes neither grade nor remarks");
  }
  if (request.grade() == lianxin::v1::APPRAISAL_GRADE_EXCELLENT &&
      given->grade() != lianxin::v1::APPRAISAL_GRADE_EXCELLENT) {
    RETURN_IF_ERROR(CheckExcellentShare(others.excellent + 1, others.appraised + 1, settings));
  }
  Event event = NewEvent(ctx, "AppraisalCorrected");
  auto* c = event.mutable_appraisal_corrected();
  c->set_cycle_id(request.cycle_id());
  c->set_year(cycle.opened().year());
  c->set_previous_grade(given->grade());
  c->set_grade(request.grade());
  c->set_remarks(request.remarks());
  c->set_reason(request.reason());
  c->set_corrected_on(FormatDate(ctx.today));
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideSetDuesBase(const AppraisalMemberFacts& facts,
                                         const lianxin::v1::SetDuesBaseRequest& request,
                                         const Context& ctx, const Settings&) {
  RETURN_IF_ERROR(RequireAppraisedHere(facts, ctx));
  const int year = request.year() == 0 ? ctx.today.year() : request.year();
  if (const auto* base = BaseOfYear(facts, year)) {
    return absl::FailedPreconditionError(absl::StrCat("R10: the dues base is fixed for the year; ",
                                                      year, "'s was set on ", base->set_on(), " (",
                                                      base->monthly_dues_fen(), " fen a month)"));
  }
  DuesInput input{
      request.basis(),
      request.monthly_income_fen(),
      request.farmer_dues_fen(),
      {request.previous_quarter_income_fen().begin(), request.previous_quarter_income_fen().end()}};
  ASSIGN_OR_RETURN(DuesBase base, MonthlyDuesFen(input));
  Event event = NewEvent(ctx, "DuesBaseSet");
  auto* d = event.mutable_dues_base_set();
  d->set_year(year);
  d->set_basis(request.basis());
  d->set_monthly_income_fen(base.monthly_income_fen);
  d->set_monthly_dues_fen(base.monthly_dues_fen);
  d->set_set_on(FormatDate(ctx.today));
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideRecordDuesPayment(const AppraisalMemberFacts& facts,
                                               const lianxin::v1::RecordDuesPaymentRequest& request,
                                               const Context& ctx, const Settings& settings) {
  RETURN_IF_ERROR(RequireAppraisedHere(facts, ctx));
  const absl::CivilDay paid_on =
      request.paid_on().empty() ? ctx.today : *ParseDate(request.paid_on());
  if (paid_on > ctx.today) {
    return absl::InvalidArgumentError(
        absl::StrCat("paid_on: ", FormatDate(paid_on), " is after today"));
  }
  std::set<absl::CivilMonth> paid;
  for (const auto& p : facts.paid_months()) {
    if (std::optional<absl::CivilMonth> m = ParseMonth(p.month())) paid.insert(*m);
  }
  int64_t expected = 0;
  Event event = NewEvent(ctx, "DuesPaid");
  auto* d = event.mutable_dues_paid();
  std::set<absl::CivilMonth> seen;
  for (const std::string& text : request.months()) {
    const absl::CivilMonth month = *ParseMonth(text);
    if (!seen.insert(month).second) {
      return absl::InvalidArgumentError(absl::StrCat("months: ", text, " is listed twice"));
    }
    if (paid.contains(month)) {
      return absl::FailedPreconditionError(
          absl::StrCat("R10: the dues of ", text, " are paid already"));
    }
    if (month.year() > ctx.today.year()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "R10: ", text, " is in a year whose dues base is not fixed yet; pay it then"));
    }
    const auto* base = BaseOfYear(facts, static_cast<int>(month.year()));
    if (base == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("R10: no dues base for ", month.year(), "; SetDuesBase first"));
    }
    expected += base->monthly_dues_fen();
    d->add_months(text);
    if (IsBackPaymentBeyondLimit(month, paid_on, settings)) {
      d->add_back_paid_beyond_six_months(text);
    }
  }
  if (request.amount_fen() != expected) {
    return absl::InvalidArgumentError(
        absl::StrCat("amount_fen: ", request.amount_fen(),
                     " fen does not match the dues of the months listed (", expected, " fen)"));
  }
  d->set_amount_fen(request.amount_fen());
  d->set_paid_on(FormatDate(paid_on));
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideRecordOrganizationLife(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordOrganizationLifeRequest& request,
    const Context& ctx) {
  RETURN_IF_ERROR(RequireAppraisedHere(facts, ctx));
  if (*ParseDate(request.occurred_on()) > ctx.today) {
    return absl::InvalidArgumentError("occurred_on: is after today");
  }
  Event event = NewEvent(ctx, "OrganizationLifeRecorded");
  event.mutable_organization_life_recorded()->set_occurred_on(request.occurred_on());
  event.mutable_organization_life_recorded()->set_activity(request.activity());
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideRecordAssignedWork(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordAssignedWorkRequest& request,
    const Context& ctx) {
  RETURN_IF_ERROR(RequireAppraisedHere(facts, ctx));
  if (*ParseDate(request.occurred_on()) > ctx.today) {
    return absl::InvalidArgumentError("occurred_on: is after today");
  }
  Event event = NewEvent(ctx, "AssignedWorkRecorded");
  event.mutable_assigned_work_recorded()->set_occurred_on(request.occurred_on());
  event.mutable_assigned_work_recorded()->set_task(request.task());
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideRecordLegitimateReason(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordLegitimateReasonRequest& request,
    const Context& ctx) {
  RETURN_IF_ERROR(RequireAppraisedHere(facts, ctx));
  if (*ParseMonth(request.to_month()) < *ParseMonth(request.from_month())) {
    return absl::InvalidArgumentError(absl::StrCat("to_month: ", request.to_month(),
                                                   " is before from_month ", request.from_month()));
  }
  Event event = NewEvent(ctx, "LegitimateReasonRecorded");
  auto* r = event.mutable_legitimate_reason_recorded();
  r->set_from_month(request.from_month());
  r->set_to_month(request.to_month());
  r->set_reason(request.reason());
  r->set_recorded_on(FormatDate(ctx.today));
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideRecordLapseDecision(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordLapseDecisionRequest& request,
    const Context& ctx, const Settings& settings) {
  RETURN_IF_ERROR(RequireAppraisedHere(facts, ctx));
  const absl::CivilDay as_of = request.as_of().empty() ? ctx.today : *ParseDate(request.as_of());
  std::optional<lianxin::v1::LapseCandidate> candidate =
      LapseCandidateOf(facts.registry().member_id(), facts, as_of, settings);
  if (!candidate.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "R6: the member is not a lapse candidate as of ", FormatDate(as_of),
        " (no 6 consecutive months without organization life, dues or assigned work)"));
  }
  Event event = NewEvent(ctx, "LapseDecisionRecorded");
  auto* d = event.mutable_lapse_decision_recorded();
  d->set_decision(request.decision());
  d->set_remarks(request.remarks());
  d->set_as_of(FormatDate(as_of));
  d->set_decided_on(FormatDate(ctx.today));
  for (const auto& run : candidate->runs()) {
    auto* r = d->add_runs();
    r->set_condition(run.condition());
    r->set_first_month(run.first_month());
    r->set_last_month(run.last_month());
  }
  return Events{std::move(event)};
}

absl::StatusOr<Events> DecideRecordProbationOutcome(
    const AppraisalMemberFacts& facts, const lianxin::v1::RecordProbationOutcomeRequest& request,
    const Context& ctx, const Settings& settings) {
  RETURN_IF_ERROR(RequireAppraisedHere(facts, ctx));
  const auto& registration = facts.registry().registration();
  std::optional<absl::CivilDay> voted_on = ParseDate(registration.joined_on());
  if (!registration.probationary() || !voted_on.has_value()) {
    return absl::FailedPreconditionError(
        "R11: the member was registered as a full member, not on probation");
  }
  const absl::CivilDay decided_on =
      request.decided_on().empty() ? ctx.today : *ParseDate(request.decided_on());
  if (decided_on > ctx.today) return absl::InvalidArgumentError("decided_on: is after today");
  int extension = 0;
  for (const auto& o : facts.probation_outcomes()) {
    if (o.outcome() == lianxin::v1::PROBATION_OUTCOME_EXTENDED) extension = o.extension_months();
  }
  const absl::CivilDay ends_on = ProbationEndsOn(*voted_on, extension, settings);
  RETURN_IF_ERROR(CheckProbationOutcome(
      {facts.probation_outcomes().begin(), facts.probation_outcomes().end()}, request.outcome(),
      request.extension_months(), ends_on, decided_on, settings));
  Event event = NewEvent(ctx, "ProbationOutcomeRecorded");
  auto* o = event.mutable_probation_outcome_recorded();
  o->set_outcome(request.outcome());
  o->set_decided_on(FormatDate(decided_on));
  o->set_remarks(request.remarks());
  if (request.outcome() == lianxin::v1::PROBATION_OUTCOME_EXTENDED) {
    o->set_extension_months(request.extension_months());
    o->set_extended_until(
        FormatDate(ProbationEndsOn(*voted_on, request.extension_months(), settings)));
  }
  return Events{std::move(event)};
}

}  // namespace lianxin::appraisal
