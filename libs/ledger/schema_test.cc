#include "libs/ledger/schema.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/domain/rules.h"

namespace lianxin::ledger {
namespace {

using ::testing::HasSubstr;

std::string Id(const std::string& first17) {
  return first17 + registry::ResidentIdCheckCharacter(first17);
}

RawCell T(std::string text) { return {std::move(text), false}; }
RawCell N(std::string text) { return {std::move(text), true}; }

TEST(CleanText, NormalizesFullWidthSpacesAndTheFormulaGuard) {
  EXPECT_EQ(CleanText("　张　三 "), "张 三");
  EXPECT_EQ(CleanText("１３９００００００００"), "13900000000");
  EXPECT_EQ(CleanText("'-1+1"), "-1+1");
  EXPECT_EQ(CleanText("'abc"), "'abc");
  EXPECT_EQ(CleanText("a\u200Bb"), "ab");
  EXPECT_EQ(CleanText("新华路８号，金山大厦"), "新华路8号，金山大厦");
}

TEST(ParseLedgerDate, ReadsTheFormsLedgersUse) {
  struct Case {
    RawCell cell;
    absl::CivilDay day;
  };
  for (const Case& c : std::vector<Case>{
           {T("2026-03-05"), absl::CivilDay(2026, 3, 5)},
           {T("2026/3/5"), absl::CivilDay(2026, 3, 5)},
           {T("2026.3.5"), absl::CivilDay(2026, 3, 5)},
           {T("2026年3月5日"), absl::CivilDay(2026, 3, 5)},
           {T("２０２６年３月５日"), absl::CivilDay(2026, 3, 5)},
           {T("20260305"), absl::CivilDay(2026, 3, 5)},
           {N("46086"), absl::CivilDay(2026, 3, 5)},
           {T("46086"), absl::CivilDay(2026, 3, 5)},
           {N("61"), absl::CivilDay(1900, 3, 1)},
       }) {
    std::string why;
    std::optional<absl::CivilDay> day = ParseLedgerDate(c.cell, &why);
    ASSERT_TRUE(day.has_value()) << c.cell.text << ": " << why;
    EXPECT_EQ(*day, c.day) << c.cell.text;
  }
}

TEST(ParseLedgerDate, RefusesWhatIsNotADay) {
  for (const RawCell& cell : {T("2026.2.30"), T("2026.3"), T("明年"), N("12"), T("26.3.5")}) {
    std::string why;
    EXPECT_FALSE(ParseLedgerDate(cell, &why).has_value()) << cell.text;
    EXPECT_FALSE(why.empty());
  }
}

TEST(ParseIdNumber, AcceptsLowercaseXAndSpaces) {
  const std::string id = Id("65432219800101003");
  std::string why;
  std::string lower = id;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(ParseIdNumber(T(lower), &why), id) << why;
  EXPECT_EQ(ParseIdNumber(T(id.substr(0, 6) + " " + id.substr(6)), &why), id) << why;
}

TEST(ParseIdNumber, RefusesNumbersBadChecksumsAndWrongLengths) {
  const std::string id = Id("65432219800101001");
  const char wrong = id[17] == '0' ? '1' : '0';
  struct Case {
    RawCell cell;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {N("654322198001010000"), "存成了数字"},
           {T("6.54322198001010E+17"), "存成了数字"},
           {T(id.substr(0, 17) + wrong), "校验位错误"},
           {T("654322800101001"), "15 位"},
           {T("65432219800101"), "18 位"},
           {T(Id("65432219801301001")), "出生日期"},
       }) {
    std::string why;
    EXPECT_EQ(ParseIdNumber(c.cell, &why), "") << c.cell.text;
    EXPECT_THAT(why, HasSubstr(c.message)) << c.cell.text;
  }
}

TEST(IsKnownCountyCode, ChecksProvincePrefectureAndCountyParts) {
  EXPECT_TRUE(IsKnownCountyCode("654322"));
  EXPECT_TRUE(IsKnownCountyCode("110105"));
  EXPECT_FALSE(IsKnownCountyCode("999999"));  // no province 99
  EXPECT_FALSE(IsKnownCountyCode("650000"));  // a province, not a county
  EXPECT_FALSE(IsKnownCountyCode("654300"));  // a prefecture
  EXPECT_FALSE(IsKnownCountyCode("65432"));
}

TEST(CategoryByLabel, AcceptsSeveralSpellings) {
  EXPECT_EQ(CategoryByLabel("农民"), lianxin::v1::MEMBER_CATEGORY_FARMER);
  EXPECT_EQ(CategoryByLabel(CategoryLabel(lianxin::v1::MEMBER_CATEGORY_VETERAN)),
            lianxin::v1::MEMBER_CATEGORY_VETERAN);
  EXPECT_EQ(CategoryByLabel("graduate"), lianxin::v1::MEMBER_CATEGORY_GRADUATE);
  EXPECT_EQ(CategoryByLabel("干部"), lianxin::v1::MEMBER_CATEGORY_UNSPECIFIED);
}

Grid OutflowGrid(std::vector<std::vector<RawCell>> rows) {
  Grid grid = {{T("富蕴县流出党员台账")},
               {T("序号"), T("姓 名"), T("身份证号码"), T("性别"), T("人员类别"), T("入党时间"),
                T("所在党支部"), T("流向"), T("外出时间"), T("预计返回时间"), T("从事职业"),
                T("现居住地址"), T("联系电话"), T("备用列")}};
  for (auto& row : rows) grid.push_back(std::move(row));
  return grid;
}

std::vector<RawCell> GoodRow(const std::string& id) {
  return {T("1"),
          T("张三"),
          T(id),
          T("男"),
          T("农民"),
          T("2005.7.1"),
          T("第一支部"),
          T("乌鲁木齐市天山区"),
          T("2026年3月5日"),
          T("2027-03-05"),
          T("务工"),
          T("光明路8号"),
          N("13900000000"),
          T("x")};
}

ParseOptions Options() {
  return {.kind = LedgerKind::kOutflow, .county = "654322", .today = absl::CivilDay(2026, 12, 7)};
}

TEST(ParseLedger, MapsAliasHeadersAndDerivesGenderAndBirthDate) {
  const std::string id = Id("65432219800101003");
  ParsedLedger parsed = ParseLedger(OutflowGrid({GoodRow(id), {}, {T("")}}), Options());
  ASSERT_TRUE(parsed.errors.empty()) << FormatCellError(parsed.errors[0]);
  EXPECT_EQ(parsed.header_line, 2);
  EXPECT_THAT(parsed.ignored_headers, ::testing::ElementsAre("备用列"));
  ASSERT_EQ(parsed.rows.size(), 1u);
  const LedgerRow& row = parsed.rows[0];
  EXPECT_EQ(row.line, 3);
  EXPECT_EQ(row.birth_date, "1980-01-01");
  EXPECT_EQ(row.gender, lianxin::v1::GENDER_MALE);
  EXPECT_EQ(row.destination_code, "650102");
  EXPECT_EQ(row.left_on, "2026-03-05");
  EXPECT_EQ(row.joined_on, "2005-07-01");
  EXPECT_EQ(row.phone, "13900000000");
}

TEST(ParseLedger, ReportsEveryBadCellByRowAndColumn) {
  const std::string id = Id("65432219800101003");
  std::vector<RawCell> future = GoodRow(Id("65432219900202001"));
  future[8] = T("2027.1.1");
  std::vector<RawCell> unknown = GoodRow(Id("65432219900303001"));
  unknown[7] = T("999999");
  ParsedLedger parsed =
      ParseLedger(OutflowGrid({GoodRow(id), future, unknown, GoodRow(id)}), Options());
  std::vector<std::string> lines;
  for (const CellError& e : parsed.errors) lines.push_back(FormatCellError(e));
  EXPECT_THAT(lines, ::testing::ElementsAre(
                         "第 4 行「外出时间」：2027-01-01 在将来（今天是 2026-12-07）",
                         "第 5 行「流向」：「999999」不是已知的县级行政区划代码（GB/T 2260，6 位）",
                         "第 6 行「身份证号码」：与第 3 行是同一个身份证号（重复登记）"));
  EXPECT_EQ(parsed.rows.size(), 1u);
}

TEST(ParseLedger, AnEmptyCellUnderAHeaderIsNotASecondHeaderRow) {
  Grid grid = OutflowGrid({GoodRow(Id("65432219800101003"))});
  grid.erase(grid.begin());  // the header is the first row
  grid[1].back() = T("");    // nothing under 备用列
  ParsedLedger parsed = ParseLedger(grid, Options());
  EXPECT_EQ(parsed.header_line, 1);
  EXPECT_EQ(parsed.rows.size(), 1u);
  EXPECT_EQ(parsed.data_rows, 1);
}

TEST(ParseLedger, ReadsATwoRowHeaderUnderAMergedGroupTitle) {
  Grid grid = OutflowGrid({});
  std::vector<RawCell>& top = grid[1];
  top[7] = T("流入地");
  top.insert(top.begin() + 8, T("流入地"));  // merged over two columns: filled by the reader
  std::vector<RawCell> sub = top;
  sub[7] = T("代码");
  sub[8] = T("名称");
  grid.push_back(sub);
  std::vector<RawCell> row = GoodRow(Id("65432219800101003"));
  row[7] = N("650102");
  row.insert(row.begin() + 8, T("乌鲁木齐市天山区"));
  grid.push_back(row);
  ParsedLedger parsed = ParseLedger(grid, Options());
  ASSERT_TRUE(parsed.errors.empty()) << FormatCellError(parsed.errors[0]);
  ASSERT_EQ(parsed.rows.size(), 1u);
  EXPECT_EQ(parsed.rows[0].line, 4);
  EXPECT_EQ(parsed.rows[0].destination_code, "650102");
  EXPECT_EQ(parsed.headers[Field::kDestinationName], "流入地名称");
}

TEST(ParseLedger, NamesAMissingRequiredColumn) {
  Grid grid = {{T("姓名"), T("身份证号"), T("性别")}, {T("张三"), T("x"), T("男")}};
  ParsedLedger parsed = ParseLedger(grid, Options());
  ASSERT_FALSE(parsed.errors.empty());
  EXPECT_EQ(parsed.errors[0].line, 0);
  EXPECT_THAT(parsed.errors[0].message, HasSubstr("人员类别"));
  EXPECT_TRUE(parsed.rows.empty());
}

TEST(RowDigest, SameRowSameDigestAnyChangeAnother) {
  LedgerRow a;
  a.name = "张三";
  a.id_number = Id("65432219800101003");
  LedgerRow b = a;
  EXPECT_EQ(RowDigest(LedgerKind::kOutflow, "654322", a),
            RowDigest(LedgerKind::kOutflow, "654322", b));
  b.line = 99;  // the position in the file does not matter
  EXPECT_EQ(RowDigest(LedgerKind::kOutflow, "654322", a),
            RowDigest(LedgerKind::kOutflow, "654322", b));
  b.phone = "13900000000";
  EXPECT_NE(RowDigest(LedgerKind::kOutflow, "654322", a),
            RowDigest(LedgerKind::kOutflow, "654322", b));
  EXPECT_NE(RowDigest(LedgerKind::kOutflow, "654322", a),
            RowDigest(LedgerKind::kInflow, "654322", a));
}

}  // namespace
}  // namespace lianxin::ledger
