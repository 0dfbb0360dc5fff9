// The county's ledgers and reports as sheets, from the replies of the read
// RPCs: one place that knows the columns, for lxctl export and the gateway's
// export buttons alike.
//
//   ledger::SheetHeader header{"654322", "富蕴县", today};
//   ledger::Sheet sheet = ledger::MemberLedger(header, ledger::Report::kOutflow, members);
//   RETURN_IF_ERROR(ledger::WriteLedgerFile(sheet, "流出党员台账.xlsx"));
//
// Columns follow the registration card (姓名, 性别, 出生年份, 人员类别, 所在支部,
// 流入地, 外出时间, 工作单位, 现居住地址, 联系电话, 联络人, 活动证号, 状态); the ID
// number is only ever the masked text the API returns. The outflow and inflow
// ledgers use exactly the headers the importer reads (schema.h), so an
// exported ledger can be read back.
#ifndef LIANXIN_LIBS_LEDGER_REPORTS_H_
#define LIANXIN_LIBS_LEDGER_REPORTS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/appraisal.pb.h"
#include "lianxin/v1/contact.pb.h"
#include "lianxin/v1/education.pb.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/ledger/ledger.h"

namespace lianxin::ledger {

enum class Report {
  kOutflow,        // 流出党员台账
  kInflow,         // 流入党员台账
  kMembers,        // 党员名册 (every member the county has a part in)
  kOverdue,        // 逾期未联系
  kLostContact,    // 失联党员
  kClassHours,     // 学时未达标 (against the yearly floor, 32 hours by default)
  kAppraisal,      // 民主评议表
  kDuesArrears,    // 党费欠缴
  kLapse,          // 自行脱党候选
  kLostTransfers,  // 接转回执逾期
};

// The report's name in commands ("outflow", "lost-transfers", ...) and back.
std::string ReportName(Report report);
bool ReportByName(absl::string_view name, Report* report);
std::vector<Report> AllReports();
// The Chinese title ("流出党员台账").
std::string ReportTitle(Report report);

struct SheetHeader {
  std::string county_code;
  std::string county_name;
  absl::CivilDay as_of;
};

// Members by id, to add card columns (branch, phone, ...) to the reports that
// carry only a member id and name.
using MemberIndex = std::map<std::string, lianxin::v1::Member>;

// The outflow, inflow or members ledger.
Sheet MemberLedger(const SheetHeader& header, Report report,
                   const std::vector<lianxin::v1::Member>& members);
Sheet OverdueSheet(const SheetHeader& header, const lianxin::v1::ListOverdueReply& reply,
                   const MemberIndex& members);
Sheet LostContactSheet(const SheetHeader& header, const lianxin::v1::ListLostContactReply& reply,
                       const MemberIndex& members);
Sheet ClassHoursSheet(const SheetHeader& header, const lianxin::v1::ListBelowFloorReply& reply,
                      const MemberIndex& members);
Sheet AppraisalSheet(const SheetHeader& header, const lianxin::v1::ListAppraisalSheetReply& reply,
                     const MemberIndex& members);
Sheet DuesArrearsSheet(const SheetHeader& header, const lianxin::v1::ListDuesArrearsReply& reply,
                       const MemberIndex& members);
Sheet LapseSheet(const SheetHeader& header, const lianxin::v1::ListLapseCandidatesReply& reply,
                 const MemberIndex& members);
Sheet LostTransfersSheet(const SheetHeader& header,
                         const lianxin::v1::ListLostTransfersReply& reply,
                         const MemberIndex& members);

// Chinese labels of the API's enums.
std::string StatusLabel(lianxin::v1::MemberStatus status);
// An overdue obligation of ListOverdue ("QUARTERLY_REPORT") in Chinese (季度汇报).
std::string ObligationLabel(absl::string_view obligation);
std::string GenderLabel(lianxin::v1::Gender gender);
std::string GradeLabel(lianxin::v1::AppraisalGrade grade);

}  // namespace lianxin::ledger

#endif  // LIANXIN_LIBS_LEDGER_REPORTS_H_
