// The ledgers and reports as sheets (see reports.h).
#include "libs/ledger/reports.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/ledger/schema.h"

namespace lianxin::ledger {
namespace {

using lianxin::v1::Member;

Column Text(std::string header) { return {std::move(header), CellKind::kText}; }
Column Date(std::string header) { return {std::move(header), CellKind::kDate}; }
Column Integer(std::string header) { return {std::move(header), CellKind::kInteger}; }
Column Money(std::string header) { return {std::move(header), CellKind::kMoney}; }

Sheet NewSheet(const SheetHeader& header, Report report, std::vector<Column> columns) {
  Sheet sheet;
  sheet.county_code = header.county_code;
  sheet.county_name = header.county_name;
  sheet.as_of = header.as_of;
  sheet.title = ReportTitle(report);
  sheet.columns = std::move(columns);
  return sheet;
}

Cell BirthYear(const Member& m) {
  int year;
  if (m.birth_date().size() >= 4 && absl::SimpleAtoi(m.birth_date().substr(0, 4), &year)) {
    return Cell::Integer(year);
  }
  return Cell::Text("");
}

std::string PlaceName(const std::string& code, const std::string& name) {
  if (!name.empty()) return name;
  return CountyNameByCode(code);
}

std::string Phone(const Member& m) {
  return m.contact_phone().empty() ? m.phone() : m.contact_phone();
}

// The card columns shared by the reports that list members.
std::vector<Column> CardColumns() {
  return {Integer("序号"),  Text("姓名"),   Text("性别"),     Integer("出生年份"),
          Text("所在支部"), Text("流入地"), Text("联系电话"), Text("联络人")};
}

std::vector<Cell> CardCells(size_t number, const std::string& member_id, const std::string& name,
                            const MemberIndex& members) {
  auto it = members.find(member_id);
  if (it == members.end()) {
    return {Cell::Integer(number), Cell::Text(name), Cell::Text(""), Cell::Text(""),
            Cell::Text(""),        Cell::Text(""),   Cell::Text(""), Cell::Text("")};
  }
  const Member& m = it->second;
  return {Cell::Integer(number),
          Cell::Text(name.empty() ? m.name() : name),
          Cell::Text(GenderLabel(m.gender())),
          BirthYear(m),
          Cell::Text(m.branch()),
          Cell::Text(PlaceName(m.destination_jurisdiction(), m.destination_name())),
          Cell::Text(Phone(m)),
          Cell::Text(m.liaison_name())};
}

void Append(std::vector<Cell>& row, std::vector<Cell> more) {
  for (Cell& cell : more) row.push_back(std::move(cell));
}

}  // namespace

std::string ReportName(Report report) {
  switch (report) {
    case Report::kOutflow:
      return "outflow";
    case Report::kInflow:
      return "inflow";
    case Report::kMembers:
      return "members";
    case Report::kOverdue:
      return "overdue";
    case Report::kLostContact:
      return "lost-contact";
    case Report::kClassHours:
      return "class-hours";
    case Report::kAppraisal:
      return "appraisal";
    case Report::kDuesArrears:
      return "dues-arrears";
    case Report::kLapse:
      return "lapse";
    case Report::kLostTransfers:
      return "lost-transfers";
  }
  return "";
}

std::vector<Report> AllReports() {
  return {Report::kOutflow,     Report::kInflow,       Report::kMembers,   Report::kOverdue,
          Report::kLostContact, Report::kClassHours,   Report::kAppraisal, Report::kDuesArrears,
          Report::kLapse,       Report::kLostTransfers};
}

bool ReportByName(absl::string_view name, Report* report) {
  for (Report r : AllReports()) {
    if (ReportName(r) == name) {
      *report = r;
      return true;
    }
  }
  return false;
}

std::string ReportTitle(Report report) {
  switch (report) {
    case Report::kOutflow:
      return "流出党员台账";
    case Report::kInflow:
      return "流入党员台账";
    case Report::kMembers:
      return "党员名册";
    case Report::kOverdue:
      return "逾期未联系党员";
    case Report::kLostContact:
      return "失联党员";
    case Report::kClassHours:
      return "学时未达标党员";
    case Report::kAppraisal:
      return "民主评议表";
    case Report::kDuesArrears:
      return "党费欠缴";
    case Report::kLapse:
      return "自行脱党候选";
    case Report::kLostTransfers:
      return "接转回执逾期";
  }
  return "";
}

std::string ObligationLabel(absl::string_view obligation) {
  if (obligation == "QUARTERLY_REPORT") return "季度汇报";
  if (obligation == "THOUGHT_REPORT") return "思想汇报";
  if (obligation == "ANNUAL_CONTACT") return "年度联系";
  return std::string(obligation);
}

std::string StatusLabel(lianxin::v1::MemberStatus status) {
  switch (status) {
    case lianxin::v1::MEMBER_STATUS_RESIDENT:
      return "在本地";
    case lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING:
      return "已流出，待流入地接收";
    case lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED:
      return "已流出，流入地已接收";
    case lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING:
      return "组织关系转接中";
    case lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT:
      return "组织关系已转出";
    case lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED:
      return "待报到";
    case lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE:
      return "已报到";
    case lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED:
      return "已离开";
    case lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN:
      return "组织关系已转入";
    default:
      return "";
  }
}

std::string GenderLabel(lianxin::v1::Gender gender) {
  switch (gender) {
    case lianxin::v1::GENDER_MALE:
      return "男";
    case lianxin::v1::GENDER_FEMALE:
      return "女";
    default:
      return "";
  }
}

std::string GradeLabel(lianxin::v1::AppraisalGrade grade) {
  switch (grade) {
    case lianxin::v1::APPRAISAL_GRADE_EXCELLENT:
      return "优秀";
    case lianxin::v1::APPRAISAL_GRADE_QUALIFIED:
      return "合格";
    case lianxin::v1::APPRAISAL_GRADE_BASICALLY_QUALIFIED:
      return "基本合格";
    case lianxin::v1::APPRAISAL_GRADE_UNQUALIFIED:
      return "不合格";
    default:
      return "未评";
  }
}

Sheet MemberLedger(const SheetHeader& header, Report report, const std::vector<Member>& members) {
  if (report == Report::kOutflow) {
    Sheet sheet =
        NewSheet(header, report, {Integer("序号"),      Text("姓名"),           Text("性别"),
                                  Integer("出生年份"),  Text("身份证号"),       Text("人员类别"),
                                  Text("预备党员"),     Date("入党时间"),       Text("所在支部"),
                                  Text("流入地代码"),   Text("流入地"),         Date("外出时间"),
                                  Date("预计返回时间"), Text("工作单位"),       Text("从事职业"),
                                  Text("现居住地址"),   Text("联系电话"),       Text("联络人"),
                                  Text("活动证号"),     Date("活动证有效期至"), Text("状态")});
    for (const Member& m : members) {
      sheet.rows.push_back(
          {Cell::Integer(sheet.rows.size() + 1),
           Cell::Text(m.name()),
           Cell::Text(GenderLabel(m.gender())),
           BirthYear(m),
           Cell::Text(m.id_number_masked()),
           Cell::Text(CategoryLabel(m.category())),
           Cell::Text(m.probationary() ? "是" : "否"),
           Cell::DateText(m.joined_on()),
           Cell::Text(m.branch()),
           Cell::Text(m.destination_jurisdiction()),
           Cell::Text(PlaceName(m.destination_jurisdiction(), m.destination_name())),
           Cell::DateText(m.left_on()),
           Cell::DateText(m.expected_return_on()),
           Cell::Text(m.employer()),
           Cell::Text(m.occupation()),
           Cell::Text(m.destination_address()),
           Cell::Text(Phone(m)),
           Cell::Text(m.liaison_name()),
           Cell::Text(m.certificate_no()),
           Cell::DateText(m.certificate_valid_until()),
           Cell::Text(StatusLabel(m.status()))});
    }
    return sheet;
  }
  if (report == Report::kInflow) {
    Sheet sheet =
        NewSheet(header, report,
                 {Integer("序号"), Text("姓名"), Text("性别"), Integer("出生年份"),
                  Text("身份证号"), Text("人员类别"), Text("预备党员"), Date("入党时间"),
                  Text("流出地代码"), Text("流出地"), Text("原所在支部"), Text("所在支部"),
                  Date("流入时间"), Text("联系电话"), Text("活动证号"), Text("状态")});
    for (const Member& m : members) {
      sheet.rows.push_back(
          {Cell::Integer(sheet.rows.size() + 1), Cell::Text(m.name()),
           Cell::Text(GenderLabel(m.gender())), BirthYear(m), Cell::Text(m.id_number_masked()),
           Cell::Text(CategoryLabel(m.category())), Cell::Text(m.probationary() ? "是" : "否"),
           Cell::DateText(m.joined_on()), Cell::Text(m.home_jurisdiction()),
           Cell::Text(CountyNameByCode(m.home_jurisdiction())), Cell::Text(m.branch()),
           Cell::Text(m.destination_branch()), Cell::DateText(m.arrived_on()), Cell::Text(Phone(m)),
           Cell::Text(m.certificate_no()), Cell::Text(StatusLabel(m.status()))});
    }
    return sheet;
  }
  Sheet sheet = NewSheet(header, Report::kMembers,
                         {Integer("序号"), Text("姓名"), Text("性别"), Integer("出生年份"),
                          Text("身份证号"), Text("人员类别"), Text("所在支部"), Text("户籍县"),
                          Text("流入地"), Date("外出时间"), Text("工作单位"), Text("现居住地址"),
                          Text("联系电话"), Text("联络人"), Text("活动证号"), Text("状态")});
  for (const Member& m : members) {
    sheet.rows.push_back({Cell::Integer(sheet.rows.size() + 1), Cell::Text(m.name()),
                          Cell::Text(GenderLabel(m.gender())), BirthYear(m),
                          Cell::Text(m.id_number_masked()), Cell::Text(CategoryLabel(m.category())),
                          Cell::Text(m.branch()), Cell::Text(PlaceName(m.home_jurisdiction(), "")),
                          Cell::Text(PlaceName(m.destination_jurisdiction(), m.destination_name())),
                          Cell::DateText(m.left_on()), Cell::Text(m.employer()),
                          Cell::Text(m.destination_address()), Cell::Text(Phone(m)),
                          Cell::Text(m.liaison_name()), Cell::Text(m.certificate_no()),
                          Cell::Text(StatusLabel(m.status()))});
  }
  return sheet;
}

Sheet OverdueSheet(const SheetHeader& header, const lianxin::v1::ListOverdueReply& reply,
                   const MemberIndex& members) {
  std::vector<Column> columns = CardColumns();
  for (Column c :
       {Date("最近联系"), Text("应尽事项"), Date("应于"), Integer("逾期天数"), Text("失联")}) {
    columns.push_back(std::move(c));
  }
  Sheet sheet = NewSheet(header, Report::kOverdue, std::move(columns));
  for (const auto& m : reply.members()) {
    std::vector<Cell> row = CardCells(sheet.rows.size() + 1, m.member_id(), m.name(), members);
    if (row[7].text.empty()) row[7] = Cell::Text(m.liaison_name());
    Append(row, {Cell::DateText(m.last_contact_on()), Cell::Text(ObligationLabel(m.obligation())),
                 Cell::DateText(m.due_on()), Cell::Integer(m.days_overdue()),
                 Cell::Text(m.lost_contact() ? "是" : "否")});
    sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

Sheet LostContactSheet(const SheetHeader& header, const lianxin::v1::ListLostContactReply& reply,
                       const MemberIndex& members) {
  std::vector<Column> columns = CardColumns();
  for (Column c : {Date("最近联系"), Date("失联日期"), Text("联络人电话")})
    columns.push_back(std::move(c));
  Sheet sheet = NewSheet(header, Report::kLostContact, std::move(columns));
  for (const auto& m : reply.members()) {
    std::vector<Cell> row = CardCells(sheet.rows.size() + 1, m.member_id(), m.name(), members);
    if (row[7].text.empty()) row[7] = Cell::Text(m.liaison_name());
    Append(row, {Cell::DateText(m.last_contact_on()), Cell::DateText(m.lost_on()),
                 Cell::Text(m.liaison_phone())});
    sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

Sheet ClassHoursSheet(const SheetHeader& header, const lianxin::v1::ListBelowFloorReply& reply,
                      const MemberIndex& members) {
  std::vector<Column> columns = CardColumns();
  for (Column c : {Integer("已修学时"), Integer("应修学时"), Integer("差额学时"), Text("在外")}) {
    columns.push_back(std::move(c));
  }
  Sheet sheet = NewSheet(header, Report::kClassHours, std::move(columns));
  for (const auto& m : reply.members()) {
    std::vector<Cell> row = CardCells(sheet.rows.size() + 1, m.member_id(), m.name(), members);
    Append(row, {Cell::Integer(m.hours()), Cell::Integer(reply.floor_hours()),
                 Cell::Integer(m.missing_hours()), Cell::Text(m.away() ? "是" : "否")});
    sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

Sheet AppraisalSheet(const SheetHeader& header, const lianxin::v1::ListAppraisalSheetReply& reply,
                     const MemberIndex& members) {
  std::vector<Column> columns = CardColumns();
  for (Column c :
       {Text("已通知"), Integer("联系次数"), Integer("组织生活次数"), Integer("学时"),
        Integer("已缴党费月数"), Integer("未过组织生活月数"), Text("评议等次"), Text("备注")}) {
    columns.push_back(std::move(c));
  }
  Sheet sheet = NewSheet(header, Report::kAppraisal, std::move(columns));
  for (const auto& r : reply.rows()) {
    std::vector<Cell> row = CardCells(sheet.rows.size() + 1, r.member_id(), r.name(), members);
    if (row[4].text.empty()) row[4] = Cell::Text(r.branch());
    Append(row, {Cell::Text(r.notified() ? "是" : "否"), Cell::Integer(r.contacts()),
                 Cell::Integer(r.organization_life_entries()), Cell::Integer(r.education_hours()),
                 Cell::Integer(r.dues_months_paid()),
                 Cell::Integer(r.months_without_organization_life()),
                 Cell::Text(GradeLabel(r.grade())), Cell::Text(r.remarks())});
    sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

Sheet DuesArrearsSheet(const SheetHeader& header, const lianxin::v1::ListDuesArrearsReply& reply,
                       const MemberIndex& members) {
  std::vector<Column> columns = CardColumns();
  for (Column c :
       {Integer("欠缴月数"), Money("欠缴金额（元）"), Text("欠缴月份"), Text("超过六个月的月份")}) {
    columns.push_back(std::move(c));
  }
  Sheet sheet = NewSheet(header, Report::kDuesArrears, std::move(columns));
  for (const auto& m : reply.members()) {
    std::vector<Cell> row = CardCells(sheet.rows.size() + 1, m.member_id(), m.name(), members);
    if (row[4].text.empty()) row[4] = Cell::Text(m.branch());
    Append(row, {Cell::Integer(m.months_unpaid_size()), Cell::MoneyFen(m.amount_owed_fen()),
                 Cell::Text(absl::StrJoin(m.months_unpaid(), "、")),
                 Cell::Text(absl::StrJoin(m.months_beyond_six(), "、"))});
    sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

Sheet LapseSheet(const SheetHeader& header, const lianxin::v1::ListLapseCandidatesReply& reply,
                 const MemberIndex& members) {
  std::vector<Column> columns = CardColumns();
  for (Column c : {Integer("未过组织生活月数"), Integer("未缴党费月数"),
                   Integer("未做规定工作月数"), Text("最近决定"), Date("决定日期")}) {
    columns.push_back(std::move(c));
  }
  Sheet sheet = NewSheet(header, Report::kLapse, std::move(columns));
  for (const auto& m : reply.members()) {
    std::vector<Cell> row = CardCells(sheet.rows.size() + 1, m.member_id(), m.name(), members);
    if (row[4].text.empty()) row[4] = Cell::Text(m.branch());
    const std::string decision =
        m.last_decision() == 0 ? "" : lianxin::v1::LapseDecision_Name(m.last_decision());
    Append(row,
           {Cell::Integer(m.months_without_organization_life()),
            Cell::Integer(m.months_without_dues()), Cell::Integer(m.months_without_assigned_work()),
            Cell::Text(decision), Cell::DateText(m.last_decided_on())});
    sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

Sheet LostTransfersSheet(const SheetHeader& header,
                         const lianxin::v1::ListLostTransfersReply& reply,
                         const MemberIndex& members) {
  std::vector<Column> columns = CardColumns();
  for (Column c : {Text("转出县"), Text("转入县"), Text("介绍信编号"), Date("申请日期"),
                   Integer("逾期天数")}) {
    columns.push_back(std::move(c));
  }
  Sheet sheet = NewSheet(header, Report::kLostTransfers, std::move(columns));
  for (const auto& t : reply.transfers()) {
    std::vector<Cell> row = CardCells(sheet.rows.size() + 1, t.member_id(), t.name(), members);
    Append(row, {Cell::Text(PlaceName(t.from_jurisdiction(), "").empty()
                                ? t.from_jurisdiction()
                                : PlaceName(t.from_jurisdiction(), "")),
                 Cell::Text(PlaceName(t.to_jurisdiction(), "").empty()
                                ? t.to_jurisdiction()
                                : PlaceName(t.to_jurisdiction(), "")),
                 Cell::Text(t.letter_no()), Cell::DateText(t.requested_on()),
                 Cell::Integer(t.days_overdue())});
    sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

}  // namespace lianxin::ledger
