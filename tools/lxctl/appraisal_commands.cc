// lxctl's Appraisal subcommands (R6, R7, R10, R11): see main.cc for the CLI.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lianxin/v1/appraisal.grpc.pb.h"
#include "libs/common/status_macros.h"
#include "tools/lxctl/commands.h"

namespace lianxin::lxctl {
namespace {

namespace v1 = lianxin::v1;
using Stub = v1::Appraisal::Stub;

using AppraisalClient = Client<v1::Appraisal>;

absl::StatusOr<AppraisalClient> Connect(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ServiceChannel channel, ConnectTo(args, "appraisal"));
  return AppraisalClient(std::move(channel));
}

absl::StatusOr<int32_t> YearFlag(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int64_t year, IntFlag(args, "year"));
  return static_cast<int32_t>(year);
}

// "2026-01,2026-02" → list; blanks ignored.
std::vector<std::string> ListFlag(const ParsedArgs& args, absl::string_view flag) {
  return absl::StrSplit(args.Get(flag), ',', absl::SkipWhitespace());
}

std::string GradeText(v1::AppraisalGrade grade) {
  switch (grade) {
    case v1::APPRAISAL_GRADE_EXCELLENT:
      return "优秀";
    case v1::APPRAISAL_GRADE_QUALIFIED:
      return "合格";
    case v1::APPRAISAL_GRADE_BASICALLY_QUALIFIED:
      return "基本合格";
    case v1::APPRAISAL_GRADE_UNQUALIFIED:
      return "不合格";
    default:
      return "未评";
  }
}

std::string ConditionText(v1::LapseCondition condition) {
  switch (condition) {
    case v1::LAPSE_CONDITION_NO_ORGANIZATION_LIFE:
      return "未参加组织生活";
    case v1::LAPSE_CONDITION_NO_DUES:
      return "未交纳党费";
    case v1::LAPSE_CONDITION_NO_ASSIGNED_WORK:
      return "未做党分配的工作";
    default:
      return "?";
  }
}

std::string Yuan(int64_t fen) { return absl::StrFormat("%d.%02d", fen / 100, fen % 100); }

template <class Request>
absl::StatusOr<int> Mutate(const ParsedArgs& args, Request request,
                           grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                     v1::MutationReply*)) {
  ASSIGN_OR_RETURN(uint64_t expected_version, UintFlag(args, "expected-version"));
  ASSIGN_OR_RETURN(AppraisalClient client, Connect(args));
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  request.set_expected_version(expected_version);
  v1::MutationReply reply;
  RETURN_IF_ERROR(client.Call(rpc, request, &reply));
  return PrintMutation(args, args.member(), reply.version(), reply);
}

absl::StatusOr<int> RunOpenCycle(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int32_t year, YearFlag(args));
  ASSIGN_OR_RETURN(AppraisalClient client, Connect(args));
  v1::OpenCycleRequest request;
  request.set_request_id(RequestId(args));
  request.set_jurisdiction(client.county().code);
  request.set_year(year);
  v1::OpenCycleReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::OpenCycle, request, &reply));
  return PrintReply(args, reply, [&] {
    Print(absl::StrCat(reply.cycle_id(), " opened: ", reply.members_notified(),
                       " members notified, ", reply.members_away_notified(), " of them away\n"));
  });
}

absl::StatusOr<int> RunEvidence(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int32_t year, YearFlag(args));
  ASSIGN_OR_RETURN(AppraisalClient client, Connect(args));
  v1::GetEvidenceRequest request;
  request.set_member_id(args.member());
  request.set_year(year);
  request.set_as_of(args.Get("as-of"));
  v1::GetEvidenceReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::GetEvidence, request, &reply));
  return PrintReply(args, reply, [&] {
    Table table({"项目", "内容"});
    table.AddRow({"党员", absl::StrCat(reply.name(), " (", reply.member_id(), ")")});
    table.AddRow({"支部", reply.branch()});
    table.AddRow({"年度", absl::StrCat(reply.year())});
    table.AddRow({"流入地", reply.destination_jurisdiction()});
    std::vector<std::string> contacts;
    for (const auto& c : reply.contacts()) {
      contacts.push_back(
          absl::StrCat(absl::StripPrefix(c.kind(), "CONTACT_KIND_"), "×", c.count()));
    }
    table.AddRow({"联系记录", absl::StrCat(absl::StrJoin(contacts, " "), "（流入地记录 ",
                                           reply.destination_contacts(), " 次）")});
    table.AddRow({"组织生活", absl::StrCat(reply.certificate_entries_size(), " 次（流入地 ",
                                           reply.destination_entries_size(), " 次）")});
    table.AddRow({"学习学时", absl::StrCat(reply.education_hours(), "（流入地 ",
                                           reply.destination_education_hours(), "）")});
    table.AddRow({"月缴党费", Yuan(reply.monthly_dues_fen())});
    table.AddRow({"已缴月份", absl::StrJoin(reply.dues_months_paid(), " ")});
    table.AddRow({"欠缴月份", absl::StrJoin(reply.dues_months_unpaid(), " ")});
    table.AddRow({"无组织生活月份", absl::StrJoin(reply.months_without_organization_life(), " ")});
    std::vector<std::string> lost;
    for (const auto& p : reply.lost_contact()) {
      lost.push_back(
          absl::StrCat(p.lost_on(), "～", p.resumed_on().empty() ? "至今" : p.resumed_on()));
    }
    table.AddRow({"失联期间", absl::StrJoin(lost, " ")});
    table.AddRow({"评议通知", reply.notified() ? "已送达" : "未送达"});
    table.AddRow({"评议等次", GradeText(reply.grade())});
    table.AddRow({"评语", reply.remarks()});
    Print(table.Render());
    for (const auto& e : reply.certificate_entries()) {
      Print(absl::StrCat("  ", e.occurred_on(), "  ", e.recorded_in(),
                         e.on_certificate() ? "（活动证）" : "", "  ", e.activity(), "\n"));
    }
  });
}

absl::StatusOr<int> RunAppraise(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int grade, EnumFlag(args, "grade", *v1::AppraisalGrade_descriptor()));
  v1::RecordAppraisalRequest request;
  request.set_cycle_id(args.Get("cycle"));
  request.set_grade(static_cast<v1::AppraisalGrade>(grade));
  request.set_remarks(args.Get("remarks"));
  return Mutate(args, request, &Stub::RecordAppraisal);
}

absl::StatusOr<int> RunCorrectAppraisal(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int grade, EnumFlag(args, "grade", *v1::AppraisalGrade_descriptor()));
  v1::CorrectAppraisalRequest request;
  request.set_cycle_id(args.Get("cycle"));
  request.set_grade(static_cast<v1::AppraisalGrade>(grade));
  request.set_remarks(args.Get("remarks"));
  request.set_reason(args.Get("reason"));
  return Mutate(args, request, &Stub::CorrectAppraisal);
}

// The printable sheet: one table per branch, in Chinese.
absl::StatusOr<int> RunSheet(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int32_t year, YearFlag(args));
  ASSIGN_OR_RETURN(AppraisalClient client, Connect(args));
  v1::ListAppraisalSheetRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_year(year);
  request.set_branch(args.Get("branch"));
  request.set_as_of(args.Get("as-of"));
  v1::ListAppraisalSheetReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListAppraisalSheet, request, &reply,
                                      &v1::ListAppraisalSheetReply::mutable_rows));
  return PrintReply(args, reply, [&] {
    std::map<std::string, std::vector<const v1::AppraisalSheetRow*>> by_branch;
    for (const auto& row : reply.rows()) by_branch[row.branch()].push_back(&row);
    std::string name = client.county().name.empty() ? client.county().code : client.county().name;
    Print(absl::StrCat(name, " ", year, " 年度党员民主评议登记表\n"));
    if (reply.cycle_id().empty()) {
      Print("（本年度评议尚未启动）\n");
    } else {
      Print(absl::StrCat("参评党员 ", reply.members_in_cycle(), " 名，优秀名额 ",
                         reply.excellent_limit(), " 名（不超过三分之一），已评优秀 ",
                         reply.excellent_count(), " 名\n"));
    }
    for (const auto& [branch, rows] : by_branch) {
      Print(absl::StrCat("\n支部：", branch, "（", rows.size(), " 名）\n"));
      Table table({"序号", "姓名", "党员编号", "流入地", "通知", "联系", "组织生活", "学时",
                   "缴费月数", "无组织生活月数", "评议等次", "评语"});
      int n = 0;
      for (const auto* row : rows) {
        table.AddRow(
            {absl::StrCat(++n), row->name(), row->member_id(),
             row->destination_jurisdiction().empty() ? "—" : row->destination_jurisdiction(),
             row->notified() ? "已送达" : "未送达", absl::StrCat(row->contacts()),
             absl::StrCat(row->organization_life_entries()), absl::StrCat(row->education_hours()),
             absl::StrCat(row->dues_months_paid()),
             absl::StrCat(row->months_without_organization_life()),
             absl::StrCat(GradeText(row->grade()), row->corrected() ? "（已更正）" : ""),
             row->remarks()});
      }
      Print(table.Render());
    }
    Print("\n支部书记（签字）：__________    日期：__________\n");
  });
}

absl::StatusOr<int> RunNotifications(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int32_t year, YearFlag(args));
  ASSIGN_OR_RETURN(AppraisalClient client, Connect(args));
  v1::ListNotificationsRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_year(year);
  v1::ListNotificationsReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListNotifications, request, &reply,
                                      &v1::ListNotificationsReply::mutable_notifications));
  return PrintReply(args, reply, [&] {
    Table table({"MEMBER_ID", "NAME", "CYCLE", "HOME", "DESTINATION", "SENT_ON", "DIRECTION"});
    for (const auto& n : reply.notifications()) {
      table.AddRow({n.member_id(), n.name(), n.cycle_id(), n.home_jurisdiction(),
                    n.destination_jurisdiction(), n.sent_on(), n.received() ? "received" : "sent"});
    }
    Print(table.Render());
  });
}

absl::StatusOr<int> RunSetDuesBase(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int basis, EnumFlag(args, "basis", *v1::DuesBasis_descriptor()));
  ASSIGN_OR_RETURN(int64_t income, IntFlag(args, "income-fen"));
  ASSIGN_OR_RETURN(int64_t farmer, IntFlag(args, "farmer-fen"));
  ASSIGN_OR_RETURN(int32_t year, YearFlag(args));
  ASSIGN_OR_RETURN(uint64_t expected_version, UintFlag(args, "expected-version"));
  v1::SetDuesBaseRequest request;
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  request.set_basis(static_cast<v1::DuesBasis>(basis));
  request.set_monthly_income_fen(income);
  request.set_farmer_dues_fen(farmer);
  request.set_year(year);
  request.set_expected_version(expected_version);
  for (const std::string& month : ListFlag(args, "quarter-fen")) {
    int64_t fen = 0;
    if (!absl::SimpleAtoi(month, &fen)) {
      return UsageError(absl::InvalidArgumentError("--quarter-fen: three numbers, e.g. 1,2,3"));
    }
    request.add_previous_quarter_income_fen(fen);
  }
  ASSIGN_OR_RETURN(AppraisalClient client, Connect(args));
  v1::SetDuesBaseReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::SetDuesBase, request, &reply));
  return PrintReply(args, reply, [&] {
    Print(absl::StrCat(args.member(), " version ", reply.version(), ": monthly dues ",
                       reply.monthly_dues_fen(), " fen (", Yuan(reply.monthly_dues_fen()),
                       " 元)\n"));
  });
}

absl::StatusOr<int> RunPayDues(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int64_t amount, IntFlag(args, "amount-fen"));
  v1::RecordDuesPaymentRequest request;
  for (const std::string& month : ListFlag(args, "months")) request.add_months(month);
  request.set_amount_fen(amount);
  request.set_paid_on(args.Get("paid-on"));
  return Mutate(args, request, &Stub::RecordDuesPayment);
}

absl::StatusOr<int> RunArrears(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(AppraisalClient client, Connect(args));
  v1::ListDuesArrearsRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_as_of(args.Get("as-of"));
  v1::ListDuesArrearsReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListDuesArrears, request, &reply,
                                      &v1::ListDuesArrearsReply::mutable_members));
  return PrintReply(args, reply, [&] {
    Table table({"MEMBER_ID", "姓名", "支部", "欠缴月数", "欠缴金额(元)", "欠缴月份", "超过6个月"});
    for (const auto& a : reply.members()) {
      table.AddRow({a.member_id(), a.name(), a.branch(), absl::StrCat(a.months_unpaid_size()),
                    Yuan(a.amount_owed_fen()), absl::StrJoin(a.months_unpaid(), " "),
                    absl::StrJoin(a.months_beyond_six(), " ")});
    }
    Print(table.Render());
  });
}

absl::StatusOr<int> RunRecordOrgLife(const ParsedArgs& args) {
  v1::RecordOrganizationLifeRequest request;
  request.set_occurred_on(args.Get("on"));
  request.set_activity(args.Get("activity"));
  return Mutate(args, request, &Stub::RecordOrganizationLife);
}

absl::StatusOr<int> RunRecordWork(const ParsedArgs& args) {
  v1::RecordAssignedWorkRequest request;
  request.set_occurred_on(args.Get("on"));
  request.set_task(args.Get("task"));
  return Mutate(args, request, &Stub::RecordAssignedWork);
}

absl::StatusOr<int> RunRecordReason(const ParsedArgs& args) {
  v1::RecordLegitimateReasonRequest request;
  request.set_from_month(args.Get("from"));
  request.set_to_month(args.Get("to"));
  request.set_reason(args.Get("reason"));
  return Mutate(args, request, &Stub::RecordLegitimateReason);
}

absl::StatusOr<int> RunLapseCandidates(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(AppraisalClient client, Connect(args));
  v1::ListLapseCandidatesRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_as_of(args.Get("as-of"));
  v1::ListLapseCandidatesReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListLapseCandidates, request, &reply,
                                      &v1::ListLapseCandidatesReply::mutable_members));
  return PrintReply(args, reply, [&] {
    Table table({"MEMBER_ID", "姓名", "支部", "情形", "起止月份", "连续月数", "支部决定"});
    for (const auto& c : reply.members()) {
      for (const auto& run : c.runs()) {
        table.AddRow(
            {c.member_id(), c.name(), c.branch(), ConditionText(run.condition()),
             absl::StrCat(run.first_month(), "～", run.last_month()), absl::StrCat(run.months()),
             c.last_decision() == v1::LAPSE_DECISION_UNSPECIFIED
                 ? "待决定"
                 : absl::StrCat(EnumLabel(*v1::LapseDecision_descriptor(), c.last_decision()), " ",
                                c.last_decided_on())});
      }
    }
    Print(table.Render());
  });
}

absl::StatusOr<int> RunLapseDecision(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int decision, EnumFlag(args, "decision", *v1::LapseDecision_descriptor()));
  v1::RecordLapseDecisionRequest request;
  request.set_decision(static_cast<v1::LapseDecision>(decision));
  request.set_remarks(args.Get("remarks"));
  request.set_as_of(args.Get("as-of"));
  return Mutate(args, request, &Stub::RecordLapseDecision);
}

absl::StatusOr<int> RunProbationDue(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(AppraisalClient client, Connect(args));
  v1::ListProbationDueRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_as_of(args.Get("as-of"));
  v1::ListProbationDueReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListProbationDue, request, &reply,
                                      &v1::ListProbationDueReply::mutable_members));
  return PrintReply(args, reply, [&] {
    Table table({"MEMBER_ID", "姓名", "支部", "支部大会通过", "预备期满", "已延长"});
    for (const auto& p : reply.members()) {
      table.AddRow({p.member_id(), p.name(), p.branch(), p.voted_on(), p.due_on(),
                    p.extended() ? "是" : "否"});
    }
    Print(table.Render());
  });
}

absl::StatusOr<int> RunProbationOutcome(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int outcome, EnumFlag(args, "outcome", *v1::ProbationOutcome_descriptor()));
  ASSIGN_OR_RETURN(int64_t months, IntFlag(args, "extension-months"));
  v1::RecordProbationOutcomeRequest request;
  request.set_outcome(static_cast<v1::ProbationOutcome>(outcome));
  request.set_extension_months(static_cast<int32_t>(months));
  request.set_remarks(args.Get("remarks"));
  request.set_decided_on(args.Get("decided-on"));
  return Mutate(args, request, &Stub::RecordProbationOutcome);
}

FlagSpec YearSpec(bool required) {
  return {.name = "year", .value_name = "YYYY", .help = "the year", .required = required};
}
FlagSpec AsOfSpec() {
  return {.name = "as-of", .value_name = "YYYY-MM-DD", .help = "(default: today)"};
}

}  // namespace

std::vector<Command> AppraisalCommands() {
  return {
      {{.name = "open-cycle",
        .summary = "Opens the county's appraisal of a year and notifies every member (OpenCycle).",
        .flags = MutationFlags({YearSpec(true)}, /*on_member=*/false)},
       RunOpenCycle},
      {{.name = "evidence",
        .positional = Positional::kMember,
        .summary = "Shows a member's appraisal evidence for a year (GetEvidence).",
        .flags = WithGlobalFlags({YearSpec(false), AsOfSpec()})},
       RunEvidence},
      {{.name = "appraise",
        .positional = Positional::kMember,
        .summary = "Grades a member in a cycle, once (RecordAppraisal).",
        .flags = MutationFlags({
            {.name = "cycle",
             .value_name = "CYCLE_ID",
             .help = "cycle-<county>-<year>",
             .required = true},
            {.name = "grade",
             .value_name = "GRADE",
             .help = "EXCELLENT|QUALIFIED|BASICALLY_QUALIFIED|UNQUALIFIED",
             .required = true},
            {.name = "remarks", .value_name = "TEXT", .help = "the branch's remarks"},
        })},
       RunAppraise},
      {{.name = "correct-appraisal",
        .positional = Positional::kMember,
        .summary = "Corrects a recorded grade, with a reason (CorrectAppraisal).",
        .flags = MutationFlags({
            {.name = "cycle",
             .value_name = "CYCLE_ID",
             .help = "cycle-<county>-<year>",
             .required = true},
            {.name = "grade",
             .value_name = "GRADE",
             .help = "the corrected grade",
             .required = true},
            {.name = "reason", .value_name = "TEXT", .help = "why", .required = true},
            {.name = "remarks", .value_name = "TEXT", .help = "the remarks after correction"},
        })},
       RunCorrectAppraisal},
      {{.name = "appraisal-sheet",
        .summary = "Prints the appraisal sheet, one table per branch (ListAppraisalSheet).",
        .flags =
            WithGlobalFlags({YearSpec(true),
                             {.name = "branch", .value_name = "NAME", .help = "one branch only"},
                             AsOfSpec()})},
       RunSheet},
      {{.name = "appraisal-notices",
        .summary =
            "Lists appraisal notices sent from and received in the county (ListNotifications).",
        .flags = WithGlobalFlags({YearSpec(true)})},
       RunNotifications},
      {{.name = "set-dues-base",
        .positional = Positional::kMember,
        .summary = "Sets a member's monthly dues for a year (SetDuesBase, R10).",
        .flags = MutationFlags({
            {.name = "basis",
             .value_name = "BASIS",
             .help = "SALARIED|RETIRED|FARMER|UNEMPLOYED|STUDENT|OTHER|RELIEF|SELF_EMPLOYED",
             .required = true},
            {.name = "income-fen", .value_name = "FEN", .help = "after-tax monthly income in fen"},
            {.name = "farmer-fen", .value_name = "FEN", .help = "farmers: 20-100 fen a month"},
            {.name = "quarter-fen",
             .value_name = "A,B,C",
             .help = "self-employed: last quarter's 3 months"},
            YearSpec(false),
        })},
       RunSetDuesBase},
      {{.name = "pay-dues",
        .positional = Positional::kMember,
        .summary = "Records dues paid for one or several months (RecordDuesPayment).",
        .flags = MutationFlags({
            {.name = "months",
             .value_name = "YYYY-MM,...",
             .help = "months paid",
             .required = true},
            {.name = "amount-fen", .value_name = "FEN", .help = "total paid", .required = true},
            {.name = "paid-on", .value_name = "YYYY-MM-DD", .help = "(default: today)"},
        })},
       RunPayDues},
      {{.name = "dues-arrears",
        .summary = "Lists members with unpaid dues months (ListDuesArrears).",
        .flags = WithGlobalFlags({AsOfSpec()})},
       RunArrears},
      {{.name = "record-org-life",
        .positional = Positional::kMember,
        .summary =
            "Records organization life attended at the home branch (RecordOrganizationLife).",
        .flags = MutationFlags({
            {.name = "on", .value_name = "YYYY-MM-DD", .help = "date", .required = true},
            {.name = "activity", .value_name = "TEXT", .help = "what it was", .required = true},
        })},
       RunRecordOrgLife},
      {{.name = "record-work",
        .positional = Positional::kMember,
        .summary = "Records work assigned by the branch and done (RecordAssignedWork).",
        .flags = MutationFlags({
            {.name = "on", .value_name = "YYYY-MM-DD", .help = "date", .required = true},
            {.name = "task", .value_name = "TEXT", .help = "the work", .required = true},
        })},
       RunRecordWork},
      {{.name = "record-reason",
        .positional = Positional::kMember,
        .summary = "Records a legitimate reason covering months (RecordLegitimateReason, R6).",
        .flags = MutationFlags({
            {.name = "from", .value_name = "YYYY-MM", .help = "first month", .required = true},
            {.name = "to", .value_name = "YYYY-MM", .help = "last month", .required = true},
            {.name = "reason", .value_name = "TEXT", .help = "e.g. 住院治疗", .required = true},
        })},
       RunRecordReason},
      {{.name = "lapse-candidates",
        .summary = "Lists members with 6 months without organization life, dues or work (R6).",
        .flags = WithGlobalFlags({AsOfSpec()})},
       RunLapseCandidates},
      {{.name = "lapse-decision",
        .positional = Positional::kMember,
        .summary = "Records the branch's decision on a lapse candidate (RecordLapseDecision).",
        .flags = MutationFlags({
            {.name = "decision",
             .value_name = "DECISION",
             .help = "RETAINED|TREATED_AS_LAPSED|DEFERRED",
             .required = true},
            {.name = "remarks", .value_name = "TEXT", .help = "minutes, reasons"},
            AsOfSpec(),
        })},
       RunLapseDecision},
      {{.name = "probation-due",
        .summary = "Lists probations ending by a date (ListProbationDue, R11).",
        .flags = WithGlobalFlags({AsOfSpec()})},
       RunProbationDue},
      {{.name = "probation-outcome",
        .positional = Positional::kMember,
        .summary = "Records a probation's outcome (RecordProbationOutcome, R11).",
        .flags = MutationFlags({
            {.name = "outcome",
             .value_name = "OUTCOME",
             .help = "CONVERTED|EXTENDED|CANCELLED",
             .required = true},
            {.name = "extension-months", .value_name = "N", .help = "EXTENDED: 6-12"},
            {.name = "remarks", .value_name = "TEXT", .help = "remarks"},
            {.name = "decided-on", .value_name = "YYYY-MM-DD", .help = "(default: today)"},
        })},
       RunProbationOutcome},
  };
}

}  // namespace lianxin::lxctl
