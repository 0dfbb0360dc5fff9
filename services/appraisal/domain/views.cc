#include "services/appraisal/domain/views.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "libs/common/time_util.h"
#include "libs/memberfacts/member_facts.h"
#include "services/appraisal/domain/decider.h"

namespace lianxin::appraisal {
namespace {

bool InYear(const std::string& date, int year) {
  std::optional<absl::CivilDay> day = ParseDate(date);
  return day.has_value() && day->year() == year;
}

}  // namespace

std::optional<absl::CivilMonth> MonthOfDate(const std::string& date) {
  std::optional<absl::CivilDay> day = ParseDate(date);
  if (!day.has_value()) return std::nullopt;
  return absl::CivilMonth(*day);
}

const lianxin::v1::DuesBaseSet* BaseOfYear(const AppraisalMemberFacts& facts, int year) {
  for (const auto& base : facts.dues_bases()) {
    if (base.year() == year) return &base;
  }
  return nullptr;
}

std::optional<absl::CivilDay> ProbationDueOn(const AppraisalMemberFacts& facts,
                                             const Settings& settings) {
  const auto& registration = facts.registry().registration();
  if (!registration.probationary()) return std::nullopt;
  std::optional<absl::CivilDay> voted_on = ParseDate(registration.joined_on());
  if (!voted_on.has_value()) return std::nullopt;
  int extension = 0;
  for (const auto& o : facts.probation_outcomes()) {
    if (o.outcome() == lianxin::v1::PROBATION_OUTCOME_CONVERTED ||
        o.outcome() == lianxin::v1::PROBATION_OUTCOME_CANCELLED) {
      return std::nullopt;
    }
    if (o.outcome() == lianxin::v1::PROBATION_OUTCOME_EXTENDED) extension = o.extension_months();
  }
  return ProbationEndsOn(*voted_on, extension, settings);
}

std::set<absl::CivilMonth> OrganizationLifeMonths(const AppraisalMemberFacts& facts) {
  std::set<absl::CivilMonth> months;
  for (const auto& e : facts.organization_life()) {
    if (std::optional<absl::CivilMonth> m = MonthOfDate(e.occurred_on())) months.insert(*m);
  }
  return months;
}

std::set<absl::CivilMonth> DuesPaidMonths(const AppraisalMemberFacts& facts, absl::CivilDay as_of) {
  std::set<absl::CivilMonth> months;
  for (const auto& p : facts.paid_months()) {
    std::optional<absl::CivilDay> paid_on = ParseDate(p.paid_on());
    if (paid_on.has_value() && *paid_on > as_of) continue;
    if (std::optional<absl::CivilMonth> m = ParseMonth(p.month())) months.insert(*m);
  }
  return months;
}

std::set<absl::CivilMonth> AssignedWorkMonths(const AppraisalMemberFacts& facts) {
  std::set<absl::CivilMonth> months;
  for (const auto& w : facts.assigned_work()) {
    if (std::optional<absl::CivilMonth> m = MonthOfDate(w.occurred_on())) months.insert(*m);
  }
  return months;
}

std::set<absl::CivilMonth> ExemptMonths(const AppraisalMemberFacts& facts) {
  std::set<absl::CivilMonth> months;
  for (const auto& r : facts.legitimate_reasons()) {
    std::optional<absl::CivilMonth> from = ParseMonth(r.from_month());
    std::optional<absl::CivilMonth> to = ParseMonth(r.to_month());
    if (!from.has_value() || !to.has_value()) continue;
    for (absl::CivilMonth m = *from; m <= *to; ++m) months.insert(m);
  }
  return months;
}

std::optional<absl::CivilMonth> FirstMonthOnRecord(const AppraisalMemberFacts& facts,
                                                   const Settings& settings) {
  std::optional<absl::CivilMonth> first = MonthOfDate(facts.registry().registration().joined_on());
  auto later = [&](std::optional<absl::CivilMonth> month) {
    if (month.has_value()) first = first.has_value() ? std::max(*first, *month) : *month;
  };
  later(settings.records_from);
  // R6: a member transferred in is on record here from the acceptance; the
  // months before were the old home's (defect: they counted as empty here).
  if (facts.registry().transferred_in() &&
      TransferOutcomeOf(facts.registry()) == TransferOutcome::kAccepted) {
    later(MonthOfDate(facts.registry().transfer_decided_on()));
  }
  return first;
}

lianxin::v1::GetEvidenceReply BuildEvidence(const std::string& member_id,
                                            const AppraisalMemberFacts& facts, int year,
                                            absl::CivilDay as_of, const Settings& settings) {
  lianxin::v1::GetEvidenceReply reply;
  reply.set_member_id(member_id);
  reply.set_name(facts.registry().registration().name());
  reply.set_branch(facts.registry().registration().branch());
  reply.set_year(year);
  reply.set_destination_jurisdiction(WhereAway(facts));
  const std::string home = facts.registry().home_jurisdiction();

  std::map<std::string, uint32_t> by_kind;
  for (const auto& c : facts.contacts()) {
    if (!InYear(c.occurred_on(), year)) continue;
    ++by_kind[lianxin::v1::ContactKind_Name(c.kind())];
    if (!c.recorded_in().empty() && c.recorded_in() != home) {
      reply.set_destination_contacts(reply.destination_contacts() + 1);
    }
  }
  for (const auto& [kind, count] : by_kind) {
    auto* c = reply.add_contacts();
    c->set_kind(kind);
    c->set_count(count);
  }
  for (const auto& e : facts.organization_life()) {
    if (!InYear(e.occurred_on(), year)) continue;
    *reply.add_certificate_entries() = e;
    if (!e.recorded_in().empty() && e.recorded_in() != home) *reply.add_destination_entries() = e;
  }
  uint32_t hours = 0;
  for (const auto& credit : facts.education()) {
    if (!InYear(credit.occurred_on(), year)) continue;
    hours += credit.hours();
    if (!credit.recorded_in().empty() && credit.recorded_in() != home) {
      reply.set_destination_education_hours(reply.destination_education_hours() + credit.hours());
    }
  }
  reply.set_education_hours(hours);

  // Complete months of the year on record, up to the month before as_of.
  const absl::CivilMonth year_last = std::min(LastCompleteMonth(as_of), absl::CivilMonth(year, 12));
  absl::CivilMonth year_first(year, 1);
  if (std::optional<absl::CivilMonth> first = FirstMonthOnRecord(facts, settings)) {
    year_first = std::max(year_first, *first);
  }
  const std::set<absl::CivilMonth> life = OrganizationLifeMonths(facts);
  const std::set<absl::CivilMonth> paid = DuesPaidMonths(facts, as_of);
  const std::set<absl::CivilMonth> work = AssignedWorkMonths(facts);
  for (absl::CivilMonth m : paid) {
    if (m.year() == year) reply.add_dues_months_paid(FormatMonth(m));
  }
  for (absl::CivilMonth m : work) {
    if (m.year() == year) reply.add_assigned_work_months(FormatMonth(m));
  }
  const auto* base = BaseOfYear(facts, year);
  if (base != nullptr) reply.set_monthly_dues_fen(base->monthly_dues_fen());
  for (absl::CivilMonth m = year_first; m <= year_last; ++m) {
    if (!life.contains(m)) reply.add_months_without_organization_life(FormatMonth(m));
    if (base != nullptr && !paid.contains(m)) reply.add_dues_months_unpaid(FormatMonth(m));
  }
  const std::string year_start = FormatDate(absl::CivilDay(year, 1, 1));
  const std::string year_end = FormatDate(absl::CivilDay(year, 12, 31));
  for (const auto& period : facts.lost_contact()) {
    // Dates compare as strings (YYYY-MM-DD).
    if (period.lost_on() > year_end) continue;
    if (!period.resumed_on().empty() && period.resumed_on() < year_start) continue;
    *reply.add_lost_contact() = period;
  }
  const std::string cycle_id = CycleId(home, year);
  if (const auto* grade = GradeIn(facts, cycle_id)) {
    reply.set_grade(grade->grade());
    reply.set_remarks(grade->remarks());
  }
  for (const auto& notice : facts.notices()) {
    if (notice.year() == year) reply.set_notified(true);
  }
  return reply;
}

std::optional<lianxin::v1::LapseCandidate> LapseCandidateOf(const std::string& member_id,
                                                            const AppraisalMemberFacts& facts,
                                                            absl::CivilDay as_of,
                                                            const Settings& settings) {
  std::optional<absl::CivilMonth> first = FirstMonthOnRecord(facts, settings);
  if (!first.has_value()) return std::nullopt;
  const absl::CivilMonth last = LastCompleteMonth(as_of);
  const std::set<absl::CivilMonth> exempt = ExemptMonths(facts);
  lianxin::v1::LapseCandidate candidate;
  auto check = [&](lianxin::v1::LapseCondition condition, const std::set<absl::CivilMonth>& done,
                   uint32_t* months_field_setter) {
    std::optional<MonthRun> run = MonthsWithoutRun(done, exempt, *first, last);
    if (!run.has_value()) return;
    *months_field_setter = static_cast<uint32_t>(run->months);
    if (!IsLapseRun(*run, settings)) return;
    auto* r = candidate.add_runs();
    r->set_condition(condition);
    r->set_first_month(FormatMonth(run->first));
    r->set_last_month(FormatMonth(run->last));
    r->set_months(static_cast<uint32_t>(run->months));
  };
  uint32_t life = 0, dues = 0, work = 0;
  check(lianxin::v1::LAPSE_CONDITION_NO_ORGANIZATION_LIFE, OrganizationLifeMonths(facts), &life);
  check(lianxin::v1::LAPSE_CONDITION_NO_DUES, DuesPaidMonths(facts, as_of), &dues);
  check(lianxin::v1::LAPSE_CONDITION_NO_ASSIGNED_WORK, AssignedWorkMonths(facts), &work);
  if (candidate.runs_size() == 0) return std::nullopt;
  candidate.set_member_id(member_id);
  candidate.set_name(facts.registry().registration().name());
  candidate.set_branch(facts.registry().registration().branch());
  candidate.set_months_without_organization_life(life);
  candidate.set_months_without_dues(dues);
  candidate.set_months_without_assigned_work(work);
  if (facts.lapse_decisions_size() > 0) {
    const auto& d = facts.lapse_decisions(facts.lapse_decisions_size() - 1);
    candidate.set_last_decision(d.decision());
    candidate.set_last_decided_on(d.decided_on());
  }
  return candidate;
}

std::optional<lianxin::v1::DuesArrears> ArrearsOf(const std::string& member_id,
                                                  const AppraisalMemberFacts& facts,
                                                  absl::CivilDay as_of, const Settings& settings) {
  std::optional<absl::CivilMonth> first = FirstMonthOnRecord(facts, settings);
  const absl::CivilMonth last = LastCompleteMonth(as_of);
  const std::set<absl::CivilMonth> paid = DuesPaidMonths(facts, as_of);
  lianxin::v1::DuesArrears arrears;
  for (const auto& base : facts.dues_bases()) {
    absl::CivilMonth from(base.year(), 1);
    if (first.has_value()) from = std::max(from, *first);
    const absl::CivilMonth to = std::min(last, absl::CivilMonth(base.year(), 12));
    for (absl::CivilMonth m = from; m <= to; ++m) {
      if (paid.contains(m)) continue;
      arrears.add_months_unpaid(FormatMonth(m));
      arrears.set_amount_owed_fen(arrears.amount_owed_fen() + base.monthly_dues_fen());
      if (IsBackPaymentBeyondLimit(m, as_of, settings)) {
        arrears.add_months_beyond_six(FormatMonth(m));
      }
    }
  }
  if (arrears.months_unpaid_size() == 0) return std::nullopt;
  arrears.set_member_id(member_id);
  arrears.set_name(facts.registry().registration().name());
  arrears.set_branch(facts.registry().registration().branch());
  return arrears;
}

}  // namespace lianxin::appraisal
