// Terminal output for lxctl: the display width of UTF-8 text (CJK and
// fullwidth characters take two columns), aligned tables, and enum values shown
// without their type prefix.
//
//   Table table({"MEMBER_ID", "NAME", "STATUS"});
//   table.AddRow({"654322-1", "张三", EnumLabel(*MemberStatus_descriptor(), 3)});
//   std::fputs(table.Render().c_str(), stdout);
//   // MEMBER_ID  NAME  STATUS
//   // 654322-1   张三  OUTFLOW_RECEIVED
#ifndef LIANXIN_TOOLS_LXCTL_TABLE_H_
#define LIANXIN_TOOLS_LXCTL_TABLE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace lianxin::lxctl {

// Terminal columns of one code point: 2 for East Asian Wide and Fullwidth
// characters (U+1100–115F, U+2E80–A4CF, U+AC00–D7A3, U+F900–FAFF,
// U+FE30–FE4F, U+FF00–FF60, U+FFE0–FFE6, U+20000–3FFFD), else 1.
int CodePointWidth(char32_t code_point);
// Terminal columns of UTF-8 text; a byte that is not valid UTF-8 counts 1.
int DisplayWidth(absl::string_view text);

// Rows of cells printed as left-aligned columns, two spaces apart, aligned by
// display width. An empty cell shows as "-"; a newline or tab in a cell shows
// as a space; lines have no trailing blanks.
class Table {
 public:
  // An empty `header` means no header line.
  explicit Table(std::vector<std::string> header = {});

  // Adds a row; missing cells are empty, extra cells widen the table.
  void AddRow(std::vector<std::string> cells);
  size_t row_count() const { return rows_.size(); }

  // The table, each line ending in '\n'; "" when there are no lines at all.
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// The name of enum value `number` without the type's prefix (the part before
// "UNSPECIFIED" in the zero value): MEMBER_STATUS_OUTFLOW_RECEIVED →
// "OUTFLOW_RECEIVED". An unknown number shows as the number.
std::string EnumLabel(const google::protobuf::EnumDescriptor& type, int number);

// The scalar fields of `message` in declaration order, as (proto field name,
// shown value): strings as they are, enums by EnumLabel, bools "true"/"false".
// Repeated, map and message fields are left to the caller.
std::vector<std::pair<std::string, std::string>> ScalarFields(
    const google::protobuf::Message& message);

}  // namespace lianxin::lxctl

#endif  // LIANXIN_TOOLS_LXCTL_TABLE_H_
