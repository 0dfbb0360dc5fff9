#include "libs/ledger/reports.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/ledger/schema.h"

namespace lianxin::ledger {
namespace {

using ::testing::HasSubstr;

const SheetHeader kHeader{"654322", "富蕴县", absl::CivilDay(2026, 12, 7)};

lianxin::v1::Member AwayMember() {
  lianxin::v1::Member m;
  m.set_member_id("654322-00000000000000a1");
  m.set_name("张三");
  m.set_gender(lianxin::v1::GENDER_MALE);
  m.set_birth_date("1980-01-01");
  m.set_id_number_masked("**************003X");
  m.set_category(lianxin::v1::MEMBER_CATEGORY_FARMER);
  m.set_joined_on("2005-07-01");
  m.set_branch("杜热镇党支部");
  m.set_destination_jurisdiction("650102");
  m.set_left_on("2026-03-05");
  m.set_expected_return_on("2027-03-05");
  m.set_occupation("务工");
  m.set_destination_address("=HYPERLINK(\"http://x\")");
  m.set_contact_phone("13900000000");
  m.set_status(lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
  return m;
}

TEST(MemberLedger, TheOutflowLedgerReadsBackThroughTheImportHeaders) {
  const Sheet sheet = MemberLedger(kHeader, Report::kOutflow, {AwayMember()});
  absl::StatusOr<Grid> grid = ReadCsv(WriteCsv(sheet));
  ASSERT_TRUE(grid.ok()) << grid.status();
  ParsedLedger parsed = ParseLedger(*grid, {LedgerKind::kOutflow, "654322", kHeader.as_of});
  EXPECT_EQ(parsed.header_line, 2);
  EXPECT_TRUE(parsed.ignored_headers.empty()) << parsed.ignored_headers[0];
  // Only the ID number stops the row: the export shows it masked, as the API gave it.
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_EQ(parsed.errors[0].column, "身份证号");
}

TEST(MemberLedger, ShowsTheMaskedIdAsGivenAndTheBirthYearOnly) {
  const Sheet sheet = MemberLedger(kHeader, Report::kOutflow, {AwayMember()});
  const std::string csv = WriteCsv(sheet);
  EXPECT_THAT(csv, HasSubstr("**************003X"));
  EXPECT_THAT(csv, HasSubstr(",1980,"));
  EXPECT_THAT(csv, ::testing::Not(HasSubstr("1980-01-01")));
  EXPECT_THAT(csv, HasSubstr("'=HYPERLINK"));
  EXPECT_THAT(csv, HasSubstr("乌鲁木齐市天山区"));
  EXPECT_THAT(csv, HasSubstr("已流出，待流入地接收"));
}

TEST(DuesArrearsSheet, MoneyIsANumberInYuan) {
  lianxin::v1::ListDuesArrearsReply reply;
  auto* m = reply.add_members();
  m->set_member_id("654322-00000000000000a1");
  m->set_name("张三");
  m->set_branch("杜热镇党支部");
  m->add_months_unpaid("2026-10");
  m->add_months_unpaid("2026-11");
  m->set_amount_owed_fen(15005);
  MemberIndex index{{"654322-00000000000000a1", AwayMember()}};
  const Sheet sheet = DuesArrearsSheet(kHeader, reply, index);
  ASSERT_EQ(sheet.rows.size(), 1u);
  const std::vector<Cell>& row = sheet.rows[0];
  ASSERT_EQ(row.size(), sheet.columns.size());
  EXPECT_EQ(sheet.columns[9].header, "欠缴金额（元）");
  EXPECT_EQ(row[9].kind, CellKind::kMoney);
  EXPECT_EQ(row[9].number, 15005);
  EXPECT_THAT(WriteCsv(sheet), HasSubstr(",150.05,"));
  EXPECT_EQ(row[3].number, 1980);  // the card's birth year from the member index
}

TEST(ReportByName, EveryReportHasANameAndATitle) {
  for (Report r : AllReports()) {
    Report back;
    ASSERT_TRUE(ReportByName(ReportName(r), &back)) << ReportName(r);
    EXPECT_EQ(back, r);
    EXPECT_FALSE(ReportTitle(r).empty());
  }
  Report unused;
  EXPECT_FALSE(ReportByName("nope", &unused));
}

TEST(ObligationLabel, TheOverdueObligationsInChinese) {
  const std::pair<const char*, const char*> cases[] = {
      {"QUARTERLY_REPORT", "季度汇报"},
      {"THOUGHT_REPORT", "思想汇报"},
      {"ANNUAL_CONTACT", "年度联系"},
      {"SOMETHING_NEW", "SOMETHING_NEW"},  // an obligation of a newer service, as sent
  };
  for (const auto& [obligation, label] : cases) {
    EXPECT_EQ(ObligationLabel(obligation), label) << obligation;
  }
}

}  // namespace
}  // namespace lianxin::ledger
