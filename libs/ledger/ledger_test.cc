#include "libs/ledger/ledger.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lianxin::ledger {
namespace {

using ::testing::ElementsAre;

Sheet SampleSheet() {
  Sheet sheet;
  sheet.county_name = "富蕴县";
  sheet.county_code = "654322";
  sheet.title = "流出党员台账";
  sheet.as_of = absl::CivilDay(2026, 12, 7);
  sheet.columns = {{"姓名"},
                   {"外出时间", CellKind::kDate},
                   {"欠缴金额（元）", CellKind::kMoney},
                   {"出生年份", CellKind::kInteger},
                   {"现居住地址"}};
  sheet.rows.push_back({Cell::Text("张三"), Cell::Date(absl::CivilDay(2026, 3, 5)),
                        Cell::MoneyFen(12345), Cell::Integer(1980),
                        Cell::Text("乌鲁木齐市天山区, \"光明路\" 8 号")});
  sheet.rows.push_back({Cell::Text("=HYPERLINK(\"http://x\")"), Cell::DateText(""),
                        Cell::MoneyFen(5), Cell::Integer(1990), Cell::Text("-1+1")});
  return sheet;
}

std::vector<std::string> Texts(const std::vector<RawCell>& row) {
  std::vector<std::string> texts;
  for (const RawCell& cell : row) texts.push_back(cell.text);
  return texts;
}

TEST(WriteCsv, StartsWithBomTitleThenHeaders) {
  const std::string csv = WriteCsv(SampleSheet());
  ASSERT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(csv.substr(3, csv.find("\r\n") - 3), "富蕴县流出党员台账（654322，截至 2026-12-07）");
}

TEST(WriteCsv, NeutralizesFormulasAndQuotesCommasAndQuotes) {
  absl::StatusOr<Grid> grid = ReadCsv(WriteCsv(SampleSheet()));
  ASSERT_TRUE(grid.ok()) << grid.status();
  ASSERT_EQ(grid->size(), 4u);
  EXPECT_THAT(Texts((*grid)[1]),
              ElementsAre("姓名", "外出时间", "欠缴金额（元）", "出生年份", "现居住地址"));
  EXPECT_THAT(Texts((*grid)[2]), ElementsAre("张三", "2026-03-05", "123.45", "1980",
                                             "乌鲁木齐市天山区, \"光明路\" 8 号"));
  EXPECT_THAT(Texts((*grid)[3]),
              ElementsAre("'=HYPERLINK(\"http://x\")", "", "0.05", "1990", "'-1+1"));
}

TEST(NeutralizeFormula, GuardsEveryFormulaStart) {
  for (const char* text : {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"}) {
    EXPECT_EQ(NeutralizeFormula(text), std::string("'") + text);
  }
  EXPECT_EQ(NeutralizeFormula("张三"), "张三");
  EXPECT_EQ(NeutralizeFormula(""), "");
}

TEST(ReadCsv, HandlesQuotedLineBreaksCrlfAndMissingFinalNewline) {
  absl::StatusOr<Grid> grid = ReadCsv("a,\"b\r\nc\",\"d\"\"e\"\r\n1,,3");
  ASSERT_TRUE(grid.ok()) << grid.status();
  ASSERT_EQ(grid->size(), 2u);
  EXPECT_THAT(Texts((*grid)[0]), ElementsAre("a", "b\r\nc", "d\"e"));
  EXPECT_THAT(Texts((*grid)[1]), ElementsAre("1", "", "3"));
}

TEST(ReadCsv, RefusesAnUnterminatedQuoteNamingItsLine) {
  absl::StatusOr<Grid> grid = ReadCsv("a,b\n\"c,d\n");
  EXPECT_EQ(grid.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(grid.status().message()), ::testing::HasSubstr("line 2"));
}

TEST(ReadCsv, ConvertsGb18030) {
  // "姓名,张三" in GB18030 (what Excel saves as CSV on a Chinese Windows).
  absl::StatusOr<Grid> grid = ReadCsv("\xD0\xD5\xC3\xFB,\xD5\xC5\xC8\xFD\r\n");
  ASSERT_TRUE(grid.ok()) << grid.status();
  EXPECT_THAT(Texts((*grid)[0]), ElementsAre("姓名", "张三"));
}

TEST(Xlsx, WrittenCellsReadBackTheSame) {
  absl::StatusOr<std::string> xlsx = WriteXlsx(SampleSheet());
  ASSERT_TRUE(xlsx.ok()) << xlsx.status();
  absl::StatusOr<Grid> grid = ReadXlsx(*xlsx);
  ASSERT_TRUE(grid.ok()) << grid.status();
  ASSERT_EQ(grid->size(), 4u);
  // The merged title reads the same in every cell it covers.
  EXPECT_EQ((*grid)[0][0].text, "富蕴县流出党员台账（654322，截至 2026-12-07）");
  EXPECT_EQ((*grid)[0][4].text, (*grid)[0][0].text);
  EXPECT_THAT(Texts((*grid)[1]),
              ElementsAre("姓名", "外出时间", "欠缴金额（元）", "出生年份", "现居住地址"));
  const std::vector<RawCell>& row = (*grid)[2];
  EXPECT_EQ(row[0].text, "张三");
  EXPECT_FALSE(row[0].numeric);
  EXPECT_EQ(row[1].text, "46086");  // 2026-03-05 as an Excel date serial
  EXPECT_TRUE(row[1].numeric);
  EXPECT_EQ(row[2].text, "123.45");
  EXPECT_EQ(row[3].text, "1980");
  EXPECT_EQ(row[4].text, "乌鲁木齐市天山区, \"光明路\" 8 号");
  // Text stays text in .xlsx: no formula is written.
  EXPECT_EQ((*grid)[3][0].text, "=HYPERLINK(\"http://x\")");
  EXPECT_FALSE((*grid)[3][0].numeric);
}

TEST(ReadXlsx, RefusesBytesThatAreNotAWorkbook) {
  EXPECT_EQ(ReadXlsx("姓名,张三").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadXlsx(std::string("PK\x03\x04garbage", 11)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DisplayWidth, CountsChineseAndFullWidthAsTwo) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("张三"), 4);
  EXPECT_EQ(DisplayWidth("Ａ1"), 3);
}

}  // namespace
}  // namespace lianxin::ledger
