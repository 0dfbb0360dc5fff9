#include "services/appraisal/service.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/memberfacts/member_facts.h"
#include "libs/runtime/validate.h"
#include "libs/service/idempotency.h"
#include "libs/service/paging.h"

namespace lianxin::appraisal {

using lianxin::v1::Event;

namespace {

constexpr char kService[] = "/lianxin.v1.Appraisal/";

std::string Method(const char* rpc) { return absl::StrCat(kService, rpc); }

FieldChecker& Year(FieldChecker& check, int year, bool optional) {
  return check.Require((optional && year == 0) || (year >= 2000 && year <= 2100), "year",
                       "must be 2000–2100");
}

FieldChecker& Month(FieldChecker& check, const char* field, const std::string& value) {
  return check.Require(ParseMonth(value).has_value(), field, "must be a month YYYY-MM");
}

bool IsGrade(lianxin::v1::AppraisalGrade grade) {
  return lianxin::v1::AppraisalGrade_IsValid(grade) &&
         grade != lianxin::v1::APPRAISAL_GRADE_UNSPECIFIED;
}

}  // namespace

AppraisalService::AppraisalService(AppraisalServiceOptions options)
    : UnaryService("lianxin.v1.Appraisal", options.plumbing),
      options_(std::move(options)),
      projection_(*options_.projection),
      county_(projection_.jurisdiction(), options_.clock, "appraisal service"),
      kernel_(projection_.store(), options_.on_commit),
      members_(MemberAggregates(&projection_)),
      cycles_(CycleAggregates(&projection_)) {
  Serve("OpenCycle", &AppraisalService::OpenCycle);
  Serve("GetEvidence", &AppraisalService::GetEvidence);
  Serve("RecordAppraisal", &AppraisalService::RecordAppraisal);
  Serve("CorrectAppraisal", &AppraisalService::CorrectAppraisal);
  Serve("ListAppraisalSheet", &AppraisalService::ListAppraisalSheet);
  Serve("ListNotifications", &AppraisalService::ListNotifications);
  Serve("SetDuesBase", &AppraisalService::SetDuesBase);
  Serve("RecordDuesPayment", &AppraisalService::RecordDuesPayment);
  Serve("ListDuesArrears", &AppraisalService::ListDuesArrears);
  Serve("RecordOrganizationLife", &AppraisalService::RecordOrganizationLife);
  Serve("RecordAssignedWork", &AppraisalService::RecordAssignedWork);
  Serve("RecordLegitimateReason", &AppraisalService::RecordLegitimateReason);
  Serve("ListLapseCandidates", &AppraisalService::ListLapseCandidates);
  Serve("RecordLapseDecision", &AppraisalService::RecordLapseDecision);
  Serve("ListProbationDue", &AppraisalService::ListProbationDue);
  Serve("RecordProbationOutcome", &AppraisalService::RecordProbationOutcome);
}

absl::Status AppraisalService::CheckMember(const Principal& caller, FieldChecker& check,
                                           const std::string& request_id,
                                           const std::string& member_id) const {
  RETURN_IF_ERROR(check.RequestId(request_id).Text("member_id", member_id, 1, 64).status());
  return county_.AuthorizeChange(caller);
}

absl::Status AppraisalService::Mutate(const Principal& caller, const char* rpc,
                                      const std::string& request_id, const std::string& member_id,
                                      uint64_t expected_version, const Decision& decide,
                                      const FillReply& fill, google::protobuf::Message* reply) {
  return kernel_.Run(
      {.method = Method(rpc), .request_id = request_id, .reply = reply},
      [&](UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(auto* member, work.Get(members_, member_id));
        if (!member->exists() || member->state.registry().member_id().empty()) {
          return absl::NotFoundError(absl::StrCat("member_id: ", member_id, " is not known to ",
                                                  projection_.jurisdiction()));
        }
        RETURN_IF_ERROR(CheckExpectedVersion(expected_version, member_id, member->version()));
        ASSIGN_OR_RETURN(Events events,
                         decide(member->state, county_.NewContext(caller, request_id)));
        const Events made = events;
        RETURN_IF_ERROR(work.Add(members_, member_id, std::move(events)).status());
        fill(made, member->version());
        return absl::OkStatus();
      });
}

namespace {

// Fills a MutationReply's version.
std::function<void(const Events&, uint64_t)> VersionOf(lianxin::v1::MutationReply* reply) {
  return [reply](const Events&, uint64_t version) { reply->set_version(version); };
}

}  // namespace

absl::Status AppraisalService::OpenCycle(const Principal& caller,
                                         const lianxin::v1::OpenCycleRequest& request,
                                         lianxin::v1::OpenCycleReply* reply) {
  FieldChecker check;
  check.RequestId(request.request_id());
  RETURN_IF_ERROR(Year(check, request.year(), false).status());
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  if (request.year() > county_.Today().year()) {
    return absl::InvalidArgumentError(
        absl::StrCat("year: ", request.year(), " has not begun; its cycle opens then"));
  }
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  std::lock_guard<std::mutex> lock(cycle_mu_);
  const std::string cycle_id = CycleId(projection_.jurisdiction(), request.year());
  return kernel_.Run(
      {.method = Method("OpenCycle"), .request_id = request.request_id(), .reply = reply},
      [&](UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<LoadedCycle> cycle, projection_.LoadCycle(cycle_id));
        std::vector<LoadedMember> loaded;
        RETURN_IF_ERROR(projection_.ScanAppraised([&](const LoadedMember& m) {
          loaded.push_back(m);
          return true;
        }));
        std::vector<std::pair<std::string, AppraisalMemberFacts>> members;
        members.reserve(loaded.size());
        for (const LoadedMember& m : loaded) members.emplace_back(m.member_id, m.facts);
        ASSIGN_OR_RETURN(OpenedCycle opened,
                         DecideOpenCycle(request.year(), cycle.has_value(), members,
                                         county_.NewContext(caller, request.request_id()),
                                         projection_.settings()));
        reply->set_cycle_id(cycle_id);
        reply->set_members_notified(static_cast<uint32_t>(opened.notices.size()));
        reply->set_members_away_notified(opened.away);
        // The cycle is new: staged at version 0 (one opened meanwhile aborts
        // the commit).
        RETURN_IF_ERROR(work.Seed(cycles_, cycle_id, {}).status());
        RETURN_IF_ERROR(work.Add(cycles_, cycle_id, std::move(opened.cycle_event)).status());
        size_t next = 0;
        for (auto& [member_id, notice] : opened.notices) {
          while (loaded[next].member_id != member_id) ++next;
          RETURN_IF_ERROR(
              work.Seed(members_, member_id, {loaded[next].facts, loaded[next].version}).status());
          RETURN_IF_ERROR(work.Add(members_, member_id, std::move(notice)).status());
        }
        return absl::OkStatus();
      });
}

absl::Status AppraisalService::GetEvidence(const Principal& caller,
                                           const lianxin::v1::GetEvidenceRequest& request,
                                           lianxin::v1::GetEvidenceReply* reply) {
  FieldChecker check;
  check.Text("member_id", request.member_id(), 1, 64);
  RETURN_IF_ERROR(Year(check, request.year(), true).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.Load(request.member_id()));
  if (!member.has_value() || member->facts.registry().member_id().empty()) {
    return absl::NotFoundError(absl::StrCat("member_id: ", request.member_id(), " is not known to ",
                                            projection_.jurisdiction()));
  }
  const int year = request.year() == 0 ? static_cast<int>(as_of.year()) : request.year();
  *reply = BuildEvidence(member->member_id, member->facts, year, as_of, projection_.settings());
  reply->set_version(member->version);
  return absl::OkStatus();
}

absl::Status AppraisalService::Grade(
    const Principal& caller, const char* rpc, const std::string& request_id,
    const std::string& cycle_id, const std::string& member_id, uint64_t expected_version,
    const std::function<absl::StatusOr<Events>(const AppraisalMemberFacts&,
                                               const AppraisalCycleFacts&, const CycleGrades&,
                                               const Context&)>& decide,
    lianxin::v1::MutationReply* reply) {
  std::lock_guard<std::mutex> lock(cycle_mu_);
  ASSIGN_OR_RETURN(std::optional<LoadedCycle> cycle, projection_.LoadCycle(cycle_id));
  const AppraisalCycleFacts cycle_facts = cycle.has_value() ? cycle->facts : AppraisalCycleFacts();
  ASSIGN_OR_RETURN(CycleGrades others,
                   projection_.CountGrades(cycle_id, cycle_facts.opened().year(), member_id));
  return Mutate(
      caller, rpc, request_id, member_id, expected_version,
      [&](const AppraisalMemberFacts& facts, const Context& ctx) {
        return decide(facts, cycle_facts, others, ctx);
      },
      VersionOf(reply), reply);
}

absl::Status AppraisalService::RecordAppraisal(const Principal& caller,
                                               const lianxin::v1::RecordAppraisalRequest& request,
                                               lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Text("cycle_id", request.cycle_id(), 1, 64)
      .Require(IsGrade(request.grade()), "grade",
               "is required (EXCELLENT, QUALIFIED, BASICALLY_QUALIFIED, UNQUALIFIED)")
      .Paragraph("remarks", request.remarks(), 0, 500);
  RETURN_IF_ERROR(CheckMember(caller, check, request.request_id(), request.member_id()));
  return Grade(
      caller, "RecordAppraisal", request.request_id(), request.cycle_id(), request.member_id(),
      request.expected_version(),
      [&](const AppraisalMemberFacts& facts, const AppraisalCycleFacts& cycle,
          const CycleGrades& others, const Context& ctx) {
        return DecideRecordAppraisal(facts, cycle, request, others, ctx, projection_.settings());
      },
      reply);
}

absl::Status AppraisalService::CorrectAppraisal(const Principal& caller,
                                                const lianxin::v1::CorrectAppraisalRequest& request,
                                                lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Text("cycle_id", request.cycle_id(), 1, 64)
      .Require(IsGrade(request.grade()), "grade",
               "is required (EXCELLENT, QUALIFIED, BASICALLY_QUALIFIED, UNQUALIFIED)")
      .Paragraph("remarks", request.remarks(), 0, 500)
      .Paragraph("reason", request.reason(), 1, 500);
  RETURN_IF_ERROR(CheckMember(caller, check, request.request_id(), request.member_id()));
  return Grade(
      caller, "CorrectAppraisal", request.request_id(), request.cycle_id(), request.member_id(),
      request.expected_version(),
      [&](const AppraisalMemberFacts& facts, const AppraisalCycleFacts& cycle,
          const CycleGrades& others, const Context& ctx) {
        return DecideCorrectAppraisal(facts, cycle, request, others, ctx, projection_.settings());
      },
      reply);
}

absl::Status AppraisalService::ListAppraisalSheet(
    const Principal& caller, const lianxin::v1::ListAppraisalSheetRequest& request,
    lianxin::v1::ListAppraisalSheetReply* reply) {
  FieldChecker check;
  Pager pager("ListAppraisalSheet", request.page_size(), request.page_token(), check);
  county_.Jurisdiction(check, "jurisdiction", request.jurisdiction())
      .Text("branch", request.branch(), 0, 64);
  RETURN_IF_ERROR(Year(check, request.year(), false).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  const std::string cycle_id = CycleId(projection_.jurisdiction(), request.year());
  ASSIGN_OR_RETURN(std::optional<LoadedCycle> cycle, projection_.LoadCycle(cycle_id));
  if (cycle.has_value()) {
    reply->set_cycle_id(cycle_id);
    reply->set_members_in_cycle(cycle->facts.opened().members_notified());
    ASSIGN_OR_RETURN(CycleGrades grades, projection_.CountGrades(cycle_id, request.year(), ""));
    reply->set_excellent_limit(
        static_cast<uint32_t>(ExcellentLimit(grades.appraised, projection_.settings())));
    reply->set_excellent_count(static_cast<uint32_t>(grades.excellent));
  }
  RETURN_IF_ERROR(projection_.ScanAppraised([&](const LoadedMember& m) {
    const auto& registration = m.facts.registry().registration();
    if (!request.branch().empty() && registration.branch() != request.branch()) return true;
    lianxin::v1::GetEvidenceReply evidence =
        BuildEvidence(m.member_id, m.facts, request.year(), as_of, projection_.settings());
    auto* row = reply->add_rows();
    row->set_member_id(m.member_id);
    row->set_name(registration.name());
    row->set_branch(registration.branch());
    row->set_destination_jurisdiction(evidence.destination_jurisdiction());
    row->set_notified(evidence.notified());
    uint32_t contacts = 0;
    for (const auto& c : evidence.contacts()) contacts += c.count();
    row->set_contacts(contacts);
    row->set_organization_life_entries(static_cast<uint32_t>(evidence.certificate_entries_size()));
    row->set_education_hours(evidence.education_hours());
    row->set_dues_months_paid(static_cast<uint32_t>(evidence.dues_months_paid_size()));
    row->set_months_without_organization_life(
        static_cast<uint32_t>(evidence.months_without_organization_life_size()));
    row->set_votes_in(VotesIn(m.facts.registry()));
    row->set_certificate_yearly_check(CertificateYearlyCheck(m.facts, as_of));
    if (const auto* grade = GradeIn(m.facts, cycle_id)) {
      row->set_grade(grade->grade());
      row->set_remarks(grade->remarks());
      row->set_corrected(grade->corrected());
    }
    return true;
  }));
  reply->set_total_size(
      pager.Fill([](const lianxin::v1::AppraisalSheetRow& r) { return r.member_id(); },
                 reply->mutable_rows(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status AppraisalService::ListNotifications(
    const Principal& caller, const lianxin::v1::ListNotificationsRequest& request,
    lianxin::v1::ListNotificationsReply* reply) {
  FieldChecker check;
  Pager pager("ListNotifications", request.page_size(), request.page_token(), check);
  county_.Jurisdiction(check, "jurisdiction", request.jurisdiction());
  RETURN_IF_ERROR(Year(check, request.year(), false).status());
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  RETURN_IF_ERROR(projection_.ScanNoticed(request.year(), [&](const LoadedMember& m) {
    for (const auto& notice : m.facts.notices()) {
      if (notice.year() != request.year()) continue;
      auto* n = reply->add_notifications();
      n->set_member_id(m.member_id);
      n->set_name(m.facts.registry().registration().name());
      n->set_cycle_id(notice.cycle_id());
      n->set_year(notice.year());
      n->set_home_jurisdiction(notice.home_jurisdiction());
      n->set_destination_jurisdiction(notice.destination_jurisdiction());
      n->set_sent_on(notice.sent_on());
      n->set_received(notice.home_jurisdiction() != projection_.jurisdiction());
    }
    return true;
  }));
  reply->set_total_size(pager.Fill(
      [](const lianxin::v1::AppraisalNotification& n) {
        return OrderKey({n.member_id(), n.cycle_id(), n.sent_on()});
      },
      reply->mutable_notifications(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status AppraisalService::SetDuesBase(const Principal& caller,
                                           const lianxin::v1::SetDuesBaseRequest& request,
                                           lianxin::v1::SetDuesBaseReply* reply) {
  FieldChecker check;
  check
      .Require(lianxin::v1::DuesBasis_IsValid(request.basis()) &&
                   request.basis() != lianxin::v1::DUES_BASIS_UNSPECIFIED,
               "basis", "is required (SALARIED, RETIRED, FARMER, UNEMPLOYED, STUDENT, OTHER, ...)")
      .Require(request.monthly_income_fen() >= 0, "monthly_income_fen", "must not be negative");
  Year(check, request.year(), true);
  RETURN_IF_ERROR(CheckMember(caller, check, request.request_id(), request.member_id()));
  return Mutate(
      caller, "SetDuesBase", request.request_id(), request.member_id(), request.expected_version(),
      [&](const AppraisalMemberFacts& facts, const Context& ctx) {
        return DecideSetDuesBase(facts, request, ctx, projection_.settings());
      },
      [reply](const Events& events, uint64_t version) {
        reply->set_version(version);
        for (const Event& e : events) {
          if (e.has_dues_base_set())
            reply->set_monthly_dues_fen(e.dues_base_set().monthly_dues_fen());
        }
      },
      reply);
}

absl::Status AppraisalService::RecordDuesPayment(
    const Principal& caller, const lianxin::v1::RecordDuesPaymentRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Require(request.months_size() >= 1 && request.months_size() <= 120, "months",
                "must list 1–120 months YYYY-MM");
  for (const std::string& month : request.months()) Month(check, "months", month);
  check.Require(request.amount_fen() > 0, "amount_fen", "must be positive")
      .Date("paid_on", request.paid_on(), /*optional=*/true);
  RETURN_IF_ERROR(CheckMember(caller, check, request.request_id(), request.member_id()));
  return Mutate(
      caller, "RecordDuesPayment", request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const AppraisalMemberFacts& facts, const Context& ctx) {
        return DecideRecordDuesPayment(facts, request, ctx, projection_.settings());
      },
      VersionOf(reply), reply);
}

absl::Status AppraisalService::ListDuesArrears(const Principal& caller,
                                               const lianxin::v1::ListDuesArrearsRequest& request,
                                               lianxin::v1::ListDuesArrearsReply* reply) {
  FieldChecker check;
  Pager pager("ListDuesArrears", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  RETURN_IF_ERROR(projection_.ScanAppraised([&](const LoadedMember& m) {
    if (auto arrears = ArrearsOf(m.member_id, m.facts, as_of, projection_.settings())) {
      *reply->add_members() = *std::move(arrears);
    }
    return true;
  }));
  reply->set_total_size(pager.Fill([](const lianxin::v1::DuesArrears& a) { return a.member_id(); },
                                   reply->mutable_members(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status AppraisalService::RecordOrganizationLife(
    const Principal& caller, const lianxin::v1::RecordOrganizationLifeRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Date("occurred_on", request.occurred_on()).Text("activity", request.activity(), 1, 200);
  RETURN_IF_ERROR(CheckMember(caller, check, request.request_id(), request.member_id()));
  return Mutate(
      caller, "RecordOrganizationLife", request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const AppraisalMemberFacts& facts, const Context& ctx) {
        return DecideRecordOrganizationLife(facts, request, ctx);
      },
      VersionOf(reply), reply);
}

absl::Status AppraisalService::RecordAssignedWork(
    const Principal& caller, const lianxin::v1::RecordAssignedWorkRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Date("occurred_on", request.occurred_on()).Text("task", request.task(), 1, 200);
  RETURN_IF_ERROR(CheckMember(caller, check, request.request_id(), request.member_id()));
  return Mutate(
      caller, "RecordAssignedWork", request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const AppraisalMemberFacts& facts, const Context& ctx) {
        return DecideRecordAssignedWork(facts, request, ctx);
      },
      VersionOf(reply), reply);
}

absl::Status AppraisalService::RecordLegitimateReason(
    const Principal& caller, const lianxin::v1::RecordLegitimateReasonRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  Month(check, "from_month", request.from_month());
  Month(check, "to_month", request.to_month());
  check.Text("reason", request.reason(), 1, 200);
  RETURN_IF_ERROR(CheckMember(caller, check, request.request_id(), request.member_id()));
  return Mutate(
      caller, "RecordLegitimateReason", request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const AppraisalMemberFacts& facts, const Context& ctx) {
        return DecideRecordLegitimateReason(facts, request, ctx);
      },
      VersionOf(reply), reply);
}

absl::Status AppraisalService::ListLapseCandidates(
    const Principal& caller, const lianxin::v1::ListLapseCandidatesRequest& request,
    lianxin::v1::ListLapseCandidatesReply* reply) {
  FieldChecker check;
  Pager pager("ListLapseCandidates", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  RETURN_IF_ERROR(projection_.ScanAppraised([&](const LoadedMember& m) {
    if (auto candidate = LapseCandidateOf(m.member_id, m.facts, as_of, projection_.settings())) {
      *reply->add_members() = *std::move(candidate);
    }
    return true;
  }));
  reply->set_total_size(
      pager.Fill([](const lianxin::v1::LapseCandidate& c) { return c.member_id(); },
                 reply->mutable_members(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status AppraisalService::RecordLapseDecision(
    const Principal& caller, const lianxin::v1::RecordLapseDecisionRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check
      .Require(lianxin::v1::LapseDecision_IsValid(request.decision()) &&
                   request.decision() != lianxin::v1::LAPSE_DECISION_UNSPECIFIED,
               "decision", "is required (RETAINED, TREATED_AS_LAPSED, DEFERRED)")
      .Paragraph("remarks", request.remarks(), 0, 500)
      .Date("as_of", request.as_of(), /*optional=*/true);
  RETURN_IF_ERROR(CheckMember(caller, check, request.request_id(), request.member_id()));
  return Mutate(
      caller, "RecordLapseDecision", request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const AppraisalMemberFacts& facts, const Context& ctx) {
        return DecideRecordLapseDecision(facts, request, ctx, projection_.settings());
      },
      VersionOf(reply), reply);
}

absl::Status AppraisalService::ListProbationDue(const Principal& caller,
                                                const lianxin::v1::ListProbationDueRequest& request,
                                                lianxin::v1::ListProbationDueReply* reply) {
  FieldChecker check;
  Pager pager("ListProbationDue", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  RETURN_IF_ERROR(projection_.ScanProbationDue(as_of, [&](const LoadedMember& m) {
    std::optional<absl::CivilDay> due = ProbationDueOn(m.facts, projection_.settings());
    if (!due.has_value() || *due > as_of) return true;
    auto* p = reply->add_members();
    p->set_member_id(m.member_id);
    p->set_name(m.facts.registry().registration().name());
    p->set_branch(m.facts.registry().registration().branch());
    p->set_voted_on(m.facts.registry().registration().joined_on());
    p->set_due_on(FormatDate(*due));
    p->set_extended(m.facts.probation_outcomes_size() > 0);
    return true;
  }));
  reply->set_total_size(pager.Fill(
      [](const lianxin::v1::ProbationDue& p) {
        return OrderKey({p.due_on(), p.member_id()});
      },
      reply->mutable_members(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status AppraisalService::RecordProbationOutcome(
    const Principal& caller, const lianxin::v1::RecordProbationOutcomeRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check
      .Require(lianxin::v1::ProbationOutcome_IsValid(request.outcome()) &&
                   request.outcome() != lianxin::v1::PROBATION_OUTCOME_UNSPECIFIED,
               "outcome", "is required (CONVERTED, EXTENDED, CANCELLED)")
      .Require(request.outcome() == lianxin::v1::PROBATION_OUTCOME_EXTENDED ||
                   request.extension_months() == 0,
               "extension_months", "is only for EXTENDED")
      .Paragraph("remarks", request.remarks(), 0, 500)
      .Date("decided_on", request.decided_on(), /*optional=*/true);
  RETURN_IF_ERROR(CheckMember(caller, check, request.request_id(), request.member_id()));
  return Mutate(
      caller, "RecordProbationOutcome", request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const AppraisalMemberFacts& facts, const Context& ctx) {
        return DecideRecordProbationOutcome(facts, request, ctx, projection_.settings());
      },
      VersionOf(reply), reply);
}

}  // namespace lianxin::appraisal
