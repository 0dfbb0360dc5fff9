// Tests of display width, table alignment with Chinese text and enum labels.
#include "tools/lxctl/table.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lianxin/v1/registry.pb.h"

namespace lianxin::lxctl {
namespace {

TEST(CodePointWidth, WideRangesAndTheirBoundaries) {
  struct Case {
    char32_t code_point;
    int width;
  };
  const std::vector<Case> cases = {
      {U'A', 1},   {U'é', 1},   {0x10FF, 1}, {0x1100, 2},  {0x115F, 2},  {0x1160, 1},  {0x2E7F, 1},
      {0x2E80, 2}, {U'张', 2},  {0xA4CF, 2}, {0xA4D0, 1},  {0xABFF, 1},  {0xAC00, 2},  {0xD7A3, 2},
      {0xD7A4, 1}, {0xF8FF, 1}, {0xF900, 2}, {0xFAFF, 2},  {0xFB00, 1},  {0xFE2F, 1},  {0xFE30, 2},
      {0xFE4F, 2}, {0xFE50, 1}, {0xFEFF, 1}, {0xFF00, 2},  {0xFF60, 2},  {0xFF61, 1},  {0xFFDF, 1},
      {0xFFE0, 2}, {0xFFE6, 2}, {0xFFE7, 1}, {0x1FFFF, 1}, {0x20000, 2}, {0x3FFFD, 2}, {0x3FFFE, 1},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CodePointWidth(c.code_point), c.width)
        << "U+" << std::hex << static_cast<uint32_t>(c.code_point);
  }
}

TEST(DisplayWidth, CountsCjkAndFullwidthAsTwoColumns) {
  EXPECT_EQ(DisplayWidth(""), 0);
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("张三"), 4);
  EXPECT_EQ(DisplayWidth("富蕴县abc"), 9);
  EXPECT_EQ(DisplayWidth("654322-1"), 8);
  EXPECT_EQ(DisplayWidth("ＡＢ"), 4);              // fullwidth Latin
  EXPECT_EQ(DisplayWidth("한국"), 4);              // Hangul syllables
  EXPECT_EQ(DisplayWidth("，。"), 4);              // CJK punctuation
  EXPECT_EQ(DisplayWidth("\xF0\xA0\x80\x80"), 2);  // U+20000, CJK extension B
  EXPECT_EQ(DisplayWidth("café"), 4);
}

TEST(DisplayWidth, InvalidUtf8CountsOneColumnPerByte) {
  EXPECT_EQ(DisplayWidth("\xFF\xFE"), 2);
  EXPECT_EQ(DisplayWidth("\xE5\xBC"), 2);  // truncated 张
  EXPECT_EQ(DisplayWidth("a\xE5"
                         "b"),
            3);  // lead byte without continuation
}

TEST(Table, AlignsColumnsByDisplayWidth) {
  Table table({"MEMBER_ID", "NAME", "BRANCH", "STATUS"});
  table.AddRow({"654322-1", "张三", "富蕴县第一支部", "OUTFLOW_RECEIVED"});
  table.AddRow({"654322-22", "欧阳娜娜", "Branch 2", "RESIDENT"});
  table.AddRow({"650102-3", "Li Si", "", "INFLOW_ACTIVE"});
  EXPECT_EQ(table.Render(),
            "MEMBER_ID  NAME      BRANCH          STATUS\n"
            "654322-1   张三      富蕴县第一支部  OUTFLOW_RECEIVED\n"
            "654322-22  欧阳娜娜  Branch 2        RESIDENT\n"
            "650102-3   Li Si     -               INFLOW_ACTIVE\n");
}

TEST(Table, EveryColumnStartsAtTheSameDisplayColumn) {
  Table table({"A", "NAME", "Z"});
  table.AddRow({"1", "乌鲁木齐市天山区", "x"});
  table.AddRow({"22", "ＡＢｃ", "y"});
  table.AddRow({"333", "abc", "z"});
  for (const absl::string_view line : absl::StrSplit(table.Render(), '\n', absl::SkipEmpty())) {
    // The last column starts after the widest NAME (16 columns) and two spaces.
    const size_t last = line.rfind("  ");
    ASSERT_NE(last, absl::string_view::npos) << line;
    EXPECT_EQ(DisplayWidth(line.substr(0, last + 2)), 3 + 2 + 16 + 2) << line;
  }
}

TEST(Table, NoHeaderRaggedRowsNewlinesAndNoTrailingBlanks) {
  Table table;
  table.AddRow({"name", "张三"});
  table.AddRow({"summary", "第一行\n第二行", "extra"});
  table.AddRow({"x"});
  EXPECT_EQ(table.Render(),
            "name     张三           -\n"
            "summary  第一行 第二行  extra\n"
            "x        -              -\n");
  EXPECT_EQ(Table().Render(), "");
  EXPECT_EQ(Table({"ONLY", "HEADER"}).Render(), "ONLY  HEADER\n");
}

TEST(EnumLabel, DropsTheTypePrefix) {
  const auto& status = *lianxin::v1::MemberStatus_descriptor();
  EXPECT_EQ(EnumLabel(status, lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED), "OUTFLOW_RECEIVED");
  EXPECT_EQ(EnumLabel(status, lianxin::v1::MEMBER_STATUS_UNSPECIFIED), "UNSPECIFIED");
  EXPECT_EQ(EnumLabel(status, 99), "99");
  EXPECT_EQ(EnumLabel(*lianxin::v1::MemberCategory_descriptor(),
                      lianxin::v1::MEMBER_CATEGORY_LAID_OFF_WORKER),
            "LAID_OFF_WORKER");
  EXPECT_EQ(EnumLabel(*lianxin::v1::Gender_descriptor(), lianxin::v1::GENDER_FEMALE), "FEMALE");
}

TEST(ScalarFields, ListsScalarsInDeclarationOrderWithLabels) {
  lianxin::v1::Member member;
  member.set_member_id("654322-1");
  member.set_name("张三");
  member.set_status(lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
  member.set_version(3);
  (*member.mutable_status_by_county())["654322"] = lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED;
  const auto fields = ScalarFields(member);
  ASSERT_GE(fields.size(), 5u);
  EXPECT_EQ(fields[0], std::make_pair(std::string("member_id"), std::string("654322-1")));
  EXPECT_EQ(fields[1], std::make_pair(std::string("name"), std::string("张三")));
  EXPECT_EQ(fields[3], std::make_pair(std::string("status"), std::string("INFLOW_ACTIVE")));
  bool saw_lost_contact = false;
  for (const auto& [name, value] : fields) {
    EXPECT_NE(name, "status_by_county");
    if (name == "lost_contact") {
      saw_lost_contact = true;
      EXPECT_EQ(value, "false");
    }
    if (name == "version") {
      EXPECT_EQ(value, "3");
    }
  }
  EXPECT_TRUE(saw_lost_contact);
}

}  // namespace
}  // namespace lianxin::lxctl
