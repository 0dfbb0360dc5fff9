#include "tools/scenario/appraisal_plan.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "lianxin/v1/appraisal.grpc.pb.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/rpc.h"
#include "services/appraisal/domain/rules.h"

namespace lianxin::scenario {

namespace v1 = lianxin::v1;

namespace {

std::string Month(absl::CivilMonth m) { return absl::StrFormat("%04d-%02d", m.year(), m.month()); }
std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

bool AppraisedAtFocus(const Member& member, const std::string& focus) {
  for (const ExpectedStatus& s : member.expected_status()) {
    if (s.county() != focus) continue;
    switch (s.status()) {
      case v1::MEMBER_STATUS_RESIDENT:
      case v1::MEMBER_STATUS_OUTFLOW_PENDING:
      case v1::MEMBER_STATUS_OUTFLOW_RECEIVED:
      case v1::MEMBER_STATUS_TRANSFER_PENDING:
      case v1::MEMBER_STATUS_TRANSFERRED_IN:
        return true;
      default:
        return false;
    }
  }
  return false;
}

bool IsAway(const Member& member, const std::string& focus) {
  for (const ExpectedStatus& s : member.expected_status()) {
    if (s.county() == focus) {
      return s.status() == v1::MEMBER_STATUS_OUTFLOW_PENDING ||
             s.status() == v1::MEMBER_STATUS_OUTFLOW_RECEIVED ||
             s.status() == v1::MEMBER_STATUS_TRANSFER_PENDING;
    }
  }
  return false;
}

// R10: the member's dues basis from the registry category, with a
// deterministic income.
void SetBasis(const Member& member, size_t i, v1::SetDuesBaseRequest* r) {
  const int64_t step = static_cast<int64_t>(i % 7) * 25000;
  switch (member.category()) {
    case v1::MEMBER_CATEGORY_FARMER:
      r->set_basis(v1::DUES_BASIS_FARMER);
      r->set_farmer_dues_fen(20 + static_cast<int64_t>(i % 5) * 20);
      break;
    case v1::MEMBER_CATEGORY_RETIREE:
      r->set_basis(v1::DUES_BASIS_RETIRED);
      r->set_monthly_income_fen(420000 + step);
      break;
    case v1::MEMBER_CATEGORY_LAID_OFF_WORKER:
      r->set_basis(v1::DUES_BASIS_UNEMPLOYED);
      break;
    case v1::MEMBER_CATEGORY_OTHER:
      r->set_basis(v1::DUES_BASIS_SELF_EMPLOYED);
      r->add_previous_quarter_income_fen(280000 + step);
      r->add_previous_quarter_income_fen(350000);
      r->add_previous_quarter_income_fen(310000 + step);
      break;
    case v1::MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE:
      r->set_basis(v1::DUES_BASIS_SALARIED);
      r->set_monthly_income_fen(620000 + step);
      break;
    default:  // graduates, veterans
      r->set_basis(v1::DUES_BASIS_SALARIED);
      r->set_monthly_income_fen(290000 + step);
      break;
  }
}

int64_t MonthlyDues(const v1::SetDuesBaseRequest& r) {
  absl::StatusOr<appraisal::DuesBase> base = appraisal::MonthlyDuesFen(
      {r.basis(),
       r.monthly_income_fen(),
       r.farmer_dues_fen(),
       {r.previous_quarter_income_fen().begin(), r.previous_quarter_income_fen().end()}});
  return base.ok() ? base->monthly_dues_fen : 0;
}

}  // namespace

AppraisalPlan PlanAppraisal(const Plan& plan, absl::CivilDay today) {
  AppraisalPlan out;
  out.county = plan.focus_county();
  out.year = static_cast<int>(today.year());
  const std::string prefix = absl::StrCat("apr-", out.county, "-", out.year, "-");
  out.open_cycle.set_request_id(absl::StrCat(prefix, "open"));
  out.open_cycle.set_jurisdiction(out.county);
  out.open_cycle.set_year(out.year);
  const absl::CivilMonth first(out.year, 1);
  const absl::CivilMonth last = absl::CivilMonth(today) - 1;  // last complete month

  std::vector<const Member*> members;
  for (const Member& m : plan.members()) {
    if (AppraisedAtFocus(m, out.county)) members.push_back(&m);
  }
  // Two lapse candidates: the first two members away at the mines (or away).
  std::vector<size_t> candidates;
  for (const char* fate : {"away-mine", ""}) {
    for (size_t i = 0; i < members.size() && candidates.size() < 2; ++i) {
      if ((*fate == 0 ? IsAway(*members[i], out.county) : members[i]->fate() == fate) &&
          std::find(candidates.begin(), candidates.end(), i) == candidates.end()) {
        candidates.push_back(i);
      }
    }
  }
  const size_t excellent = std::min<size_t>(3, members.size() / 3);
  size_t graded_excellent = 0;
  bool corrected = false;
  size_t arrears = 0;
  for (size_t i = 0; i < members.size(); ++i) {
    const Member& member = *members[i];
    AppraisalMemberPlan p;
    p.key = member.key();
    const std::string id = absl::StrCat(prefix, member.key(), "-");
    const bool candidate = std::find(candidates.begin(), candidates.end(), i) != candidates.end();
    const bool in_arrears = !candidate && i % 6 == 5;
    p.story = candidate ? "lapse-candidate" : in_arrears ? "arrears" : "regular";
    // A candidate's last active month: 6 complete months before the list (R6).
    const absl::CivilMonth active_until = candidate ? last - 6 : last;

    p.dues_base.set_request_id(absl::StrCat(id, "base"));
    p.dues_base.set_year(out.year);
    SetBasis(member, i, &p.dues_base);
    const int64_t dues = MonthlyDues(p.dues_base);

    // Dues by quarter, several months at once, paid the month after.
    std::vector<absl::CivilMonth> unpaid;
    if (in_arrears) {
      // The last two months; the second in arrears also March and April (> 6 months back).
      unpaid = {last, last - 1};
      if (arrears++ % 2 == 1)
        unpaid.insert(unpaid.end(), {absl::CivilMonth(out.year, 3), absl::CivilMonth(out.year, 4)});
    }
    // Months whose dues the destination recorded on the certificate are paid there (R8).
    for (const Step& step : member.steps()) {
      if (!step.has_record_certificate_entry() ||
          step.record_certificate_entry().kind() != v1::CERTIFICATE_ENTRY_KIND_DUES) {
        continue;
      }
      const std::string& on = step.record_certificate_entry().occurred_on();
      absl::CivilDay day;
      if (absl::ParseCivilTime(on, &day)) unpaid.push_back(absl::CivilMonth(day));
    }
    std::vector<absl::CivilMonth> chunk;
    auto flush = [&] {
      if (chunk.empty()) return;
      v1::RecordDuesPaymentRequest pay;
      pay.set_request_id(absl::StrCat(id, "pay-", Month(chunk.front())));
      for (absl::CivilMonth m : chunk) pay.add_months(Month(m));
      pay.set_amount_fen(dues * static_cast<int64_t>(chunk.size()));
      pay.set_paid_on(Day(absl::CivilDay(chunk.back() + 1)));
      p.payments.push_back(pay);
      chunk.clear();
    };
    for (absl::CivilMonth m = first; m <= active_until; ++m) {
      if (std::find(unpaid.begin(), unpaid.end(), m) != unpaid.end()) {
        flush();
        continue;
      }
      chunk.push_back(m);
      if (m.month() % 3 == 0) flush();
    }
    flush();

    // Organization life each month (online for members away); work every other month.
    for (absl::CivilMonth m = first; m <= active_until; ++m) {
      v1::RecordOrganizationLifeRequest life;
      life.set_request_id(absl::StrCat(id, "life-", Month(m)));
      life.set_occurred_on(Day(absl::CivilDay(m.year(), m.month(), 15)));
      life.set_activity(IsAway(member, out.county) ? "参加支部线上组织生活会"
                                                   : "参加支部主题党日活动");
      p.organization_life.push_back(life);
      if (m.month() % 2 == 1) {
        v1::RecordAssignedWorkRequest work;
        work.set_request_id(absl::StrCat(id, "work-", Month(m)));
        work.set_occurred_on(Day(absl::CivilDay(m.year(), m.month(), 20)));
        work.set_task(m.month() % 4 == 1 ? "走访联系困难群众" : "参与村（社区）环境整治志愿服务");
        p.assigned_work.push_back(work);
      }
    }

    // Grades: a few EXCELLENT (within one third), arrears BASICALLY_QUALIFIED,
    // candidates not yet graded; one grade corrected.
    p.appraisal.set_request_id(absl::StrCat(id, "grade"));
    p.appraisal.set_cycle_id(absl::StrCat("cycle-", out.county, "-", out.year));
    if (candidate) {
      p.appraisal.set_grade(v1::APPRAISAL_GRADE_UNSPECIFIED);
      if (candidates.front() == i) {
        p.lapse_decided = true;
        p.lapse_decision.set_request_id(absl::StrCat(id, "lapse"));
        p.lapse_decision.set_decision(v1::LAPSE_DECISION_DEFERRED);
        p.lapse_decision.set_remarks("支部正在通过家属联系本人，核实情况后再议");
        p.lapse_decision.set_as_of(Day(today));
      }
    } else if (in_arrears) {
      p.appraisal.set_grade(v1::APPRAISAL_GRADE_BASICALLY_QUALIFIED);
      p.appraisal.set_remarks("能参加组织生活，但未按月交纳党费");
    } else if (graded_excellent < excellent && i % 4 == 0) {
      ++graded_excellent;
      p.appraisal.set_grade(v1::APPRAISAL_GRADE_EXCELLENT);
      p.appraisal.set_remarks("按时汇报思想，积极参加组织生活，带动群众致富");
    } else {
      p.appraisal.set_grade(v1::APPRAISAL_GRADE_QUALIFIED);
      p.appraisal.set_remarks("按时参加组织生活，按月交纳党费");
      if (!corrected && IsAway(member, out.county)) {
        corrected = true;
        p.corrected = true;
        p.correction.set_request_id(absl::StrCat(id, "correct"));
        p.correction.set_cycle_id(p.appraisal.cycle_id());
        p.correction.set_grade(v1::APPRAISAL_GRADE_BASICALLY_QUALIFIED);
        p.correction.set_remarks("流入地反映半年未参加当地组织生活");
        p.correction.set_reason("流入地党组织复核意见送达，支部委员会复议更正");
      }
    }
    out.members.push_back(std::move(p));
  }
  return out;
}

namespace {

class AppraisalSender {
 public:
  // The channels to the county's appraisal and registry (TLS as its endpoints say).
  static absl::StatusOr<AppraisalSender> Connect(const lxctl::County& county) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> appraisal =
        OpenChannel(county.appraisal, county.tls);
    if (!appraisal.ok()) return appraisal.status();
    absl::StatusOr<std::shared_ptr<grpc::Channel>> registry =
        OpenChannel(county.registry, county.tls);
    if (!registry.ok()) return registry.status();
    return AppraisalSender(county, v1::Appraisal::NewStub(*appraisal),
                           v1::Registry::NewStub(*registry));
  }

  void Prepare(grpc::ClientContext* context) const {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", county_.token));
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  }

  template <class Request, class Reply>
  absl::Status Call(grpc::Status (v1::Appraisal::Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                             Reply*),
                    const Request& request, Reply* reply) {
    grpc::ClientContext context;
    Prepare(&context);
    grpc::Status s = (appraisal_.get()->*rpc)(&context, request, reply);
    if (s.ok()) return absl::OkStatus();
    absl::Status status = FromGrpcStatus(s);
    return absl::Status(status.code(), absl::StrCat(request.GetTypeName(), ": ", status.message()));
  }

  // Registry history length of a member, or -1.
  int RegistryEvents(const std::string& member_id) {
    grpc::ClientContext context;
    Prepare(&context);
    v1::GetMemberHistoryRequest request;
    request.set_member_id(member_id);
    request.set_page_size(1);  // the count is total_size, over every page
    v1::GetMemberHistoryReply reply;
    if (!registry_->GetMemberHistory(&context, request, &reply).ok()) return -1;
    return static_cast<int>(reply.total_size());
  }

 private:
  AppraisalSender(const lxctl::County& county, std::unique_ptr<v1::Appraisal::Stub> appraisal,
                  std::unique_ptr<v1::Registry::Stub> registry)
      : county_(county), appraisal_(std::move(appraisal)), registry_(std::move(registry)) {}

  lxctl::County county_;
  std::unique_ptr<v1::Appraisal::Stub> appraisal_;
  std::unique_ptr<v1::Registry::Stub> registry_;
};

}  // namespace

absl::StatusOr<AppraisalLoadReport> LoadAppraisal(
    const AppraisalPlan& plan, const std::map<std::string, std::string>& member_ids,
    const lxctl::County& county, absl::Duration deadline) {
  if (county.appraisal.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("county ", county.code, " has no appraisal service in the endpoints file"));
  }
  absl::StatusOr<AppraisalSender> connected = AppraisalSender::Connect(county);
  if (!connected.ok()) return connected.status();
  AppraisalSender& sender = *connected;
  std::vector<std::pair<const AppraisalMemberPlan*, std::string>> members;
  for (const AppraisalMemberPlan& p : plan.members) {
    auto it = member_ids.find(p.key);
    if (it == member_ids.end()) {
      return absl::FailedPreconditionError(absl::StrCat("member ", p.key, " was not loaded"));
    }
    members.emplace_back(&p, it->second);
  }
  // The appraisal service learns members from the registry topic: wait until
  // it has recorded every registry event of every member.
  const absl::Time until = absl::Now() + deadline;
  for (const auto& [p, member_id] : members) {
    for (;;) {
      const int events = sender.RegistryEvents(member_id);
      v1::GetEvidenceRequest request;
      request.set_member_id(member_id);
      v1::GetEvidenceReply evidence;
      absl::Status s = sender.Call(&v1::Appraisal::Stub::GetEvidence, request, &evidence);
      if (events > 0 && s.ok() && evidence.version() >= static_cast<uint64_t>(events)) break;
      if (absl::Now() > until) {
        return absl::DeadlineExceededError(absl::StrCat(
            "the appraisal service of ", county.code, " has not recorded member ", member_id,
            "'s registry events (", events, ") yet: ", s.ok() ? "" : s.ToString()));
      }
      absl::SleepFor(absl::Milliseconds(100));  // polling another process, with a deadline
    }
  }
  AppraisalLoadReport report;
  auto fill = [](auto request, const std::string& member_id) {
    request.set_member_id(member_id);
    return request;
  };
  for (const auto& [p, member_id] : members) {
    v1::SetDuesBaseReply base;
    if (absl::Status s =
            sender.Call(&v1::Appraisal::Stub::SetDuesBase, fill(p->dues_base, member_id), &base);
        !s.ok()) {
      return s;
    }
    ++report.commands;
    v1::MutationReply reply;
    for (const auto& pay : p->payments) {
      if (absl::Status s =
              sender.Call(&v1::Appraisal::Stub::RecordDuesPayment, fill(pay, member_id), &reply);
          !s.ok()) {
        return s;
      }
      ++report.commands;
    }
    for (const auto& life : p->organization_life) {
      if (absl::Status s = sender.Call(&v1::Appraisal::Stub::RecordOrganizationLife,
                                       fill(life, member_id), &reply);
          !s.ok()) {
        return s;
      }
      ++report.commands;
    }
    for (const auto& work : p->assigned_work) {
      if (absl::Status s =
              sender.Call(&v1::Appraisal::Stub::RecordAssignedWork, fill(work, member_id), &reply);
          !s.ok()) {
        return s;
      }
      ++report.commands;
    }
    if (p->story == "arrears") ++report.in_arrears;
    if (p->story == "lapse-candidate") ++report.lapse_candidates;
  }
  if (absl::Status s = sender.Call(&v1::Appraisal::Stub::OpenCycle, plan.open_cycle, &report.cycle);
      !s.ok()) {
    return s;
  }
  ++report.commands;
  for (const auto& [p, member_id] : members) {
    v1::MutationReply reply;
    if (p->appraisal.grade() != v1::APPRAISAL_GRADE_UNSPECIFIED) {
      if (absl::Status s = sender.Call(&v1::Appraisal::Stub::RecordAppraisal,
                                       fill(p->appraisal, member_id), &reply);
          !s.ok()) {
        return s;
      }
      ++report.commands;
    }
    if (p->corrected) {
      if (absl::Status s = sender.Call(&v1::Appraisal::Stub::CorrectAppraisal,
                                       fill(p->correction, member_id), &reply);
          !s.ok()) {
        return s;
      }
      ++report.commands;
    }
    if (p->lapse_decided) {
      if (absl::Status s = sender.Call(&v1::Appraisal::Stub::RecordLapseDecision,
                                       fill(p->lapse_decision, member_id), &reply);
          !s.ok()) {
        return s;
      }
      ++report.commands;
    }
  }
  return report;
}

}  // namespace lianxin::scenario
