// Display width, aligned tables and enum labels for lxctl (see table.h).
#include "tools/lxctl/table.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/reflection.h"

namespace lianxin::lxctl {
namespace {

// Decodes the code point starting at text[*pos] and advances *pos past it.
// An invalid or truncated sequence yields its first byte and advances by one.
char32_t NextCodePoint(absl::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(*pos);
  size_t length = 1;
  char32_t code_point = lead;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
  }
  if (length == 1 || *pos + length > text.size()) {
    ++*pos;
    return lead;
  }
  for (size_t i = 1; i < length; ++i) {
    const uint8_t next = byte(*pos + i);
    if ((next & 0xC0) != 0x80) {
      ++*pos;
      return lead;
    }
    code_point = (code_point << 6) | (next & 0x3F);
  }
  *pos += length;
  return code_point;
}

std::string CleanCell(absl::string_view cell) {
  if (cell.empty()) return "-";
  std::string clean(cell);
  std::replace_if(
      clean.begin(), clean.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return clean;
}

}  // namespace

int CodePointWidth(char32_t c) {
  const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
                    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
                    (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
                    (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
  return wide ? 2 : 1;
}

int DisplayWidth(absl::string_view text) {
  int width = 0;
  for (size_t pos = 0; pos < text.size();) width += CodePointWidth(NextCodePoint(text, &pos));
  return width;
}

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

std::string Table::Render() const {
  std::vector<std::vector<std::string>> lines;
  if (!header_.empty()) lines.push_back(header_);
  for (const auto& row : rows_) lines.push_back(row);
  size_t columns = 0;
  for (const auto& line : lines) columns = std::max(columns, line.size());
  for (auto& line : lines) {
    line.resize(columns);
    for (std::string& cell : line) cell = CleanCell(cell);
  }
  std::vector<int> widths(columns, 0);
  for (const auto& line : lines) {
    for (size_t i = 0; i < columns; ++i) widths[i] = std::max(widths[i], DisplayWidth(line[i]));
  }
  std::string out;
  for (const auto& line : lines) {
    std::string text;
    for (size_t i = 0; i < columns; ++i) {
      if (i > 0) text.append(2, ' ');
      text += line[i];
      if (i + 1 < columns) text.append(widths[i] - DisplayWidth(line[i]), ' ');
    }
    absl::StrAppend(&out, text, "\n");
  }
  return out;
}

std::string EnumLabel(const google::protobuf::EnumDescriptor& type, int number) {
  const google::protobuf::EnumValueDescriptor* value = type.FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  std::string prefix;
  if (const auto* zero = type.FindValueByNumber(0);
      zero != nullptr && absl::EndsWith(zero->name(), "UNSPECIFIED")) {
    prefix = zero->name().substr(0, zero->name().size() - std::string("UNSPECIFIED").size());
  }
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, prefix);
  return std::string(name);
}

std::vector<std::pair<std::string, std::string>> ScalarFields(
    const google::protobuf::Message& message) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Descriptor& type = *message.GetDescriptor();
  const google::protobuf::Reflection& reflection = *message.GetReflection();
  std::vector<std::pair<std::string, std::string>> fields;
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    if (field.is_repeated()) continue;
    std::string value;
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        value = reflection.GetString(message, &field);
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        value = EnumLabel(*field.enum_type(), reflection.GetEnumValue(message, &field));
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
        value = reflection.GetBool(message, &field) ? "true" : "false";
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        value = absl::StrCat(reflection.GetInt32(message, &field));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        value = absl::StrCat(reflection.GetInt64(message, &field));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        value = absl::StrCat(reflection.GetUInt32(message, &field));
        break;
      case FieldDescriptor::CPPTYPE_UINT64:
        value = absl::StrCat(reflection.GetUInt64(message, &field));
        break;
      default:
        continue;  // messages, floating point: none in the Registry replies shown this way
    }
    fields.emplace_back(field.name(), std::move(value));
  }
  return fields;
}

}  // namespace lianxin::lxctl
