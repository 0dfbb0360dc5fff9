// Writing ledgers: CSV by hand (RFC 4180 with a BOM), .xlsx through libxlsxwriter.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/time_util.h"
#include "libs/ledger/ledger.h"
#include "xlsxwriter.h"

namespace lianxin::ledger {
namespace {

// Decodes one UTF-8 code point at `i` (advancing it); U+FFFD on a bad byte.
char32_t NextCodePoint(absl::string_view text, size_t& i) {
  const unsigned char c = text[i];
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > text.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? c : c & (0x7F >> len);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  i += len;
  return cp;
}

bool IsWide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

std::string YuanText(int64_t fen) {
  const bool negative = fen < 0;
  const uint64_t magnitude = negative ? -static_cast<uint64_t>(fen) : fen;
  return absl::StrFormat("%s%d.%02d", negative ? "-" : "", magnitude / 100, magnitude % 100);
}

// The cell as CSV text (and as the text whose width sizes an .xlsx column).
std::string CellText(const Cell& cell) {
  switch (cell.kind) {
    case CellKind::kText:
      return cell.text;
    case CellKind::kInteger:
      return absl::StrCat(cell.number);
    case CellKind::kMoney:
      return YuanText(cell.number);
    case CellKind::kDate:
      return cell.text == "-" ? "" : FormatDate(cell.day);
  }
  return "";
}

bool IsEmptyDate(const Cell& cell) { return cell.kind == CellKind::kDate && cell.text == "-"; }

void AppendCsvField(std::string& out, absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    out.append(field.data(), field.size());
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendCsvLine(std::string& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCsvField(out, fields[i]);
  }
  out.append("\r\n");
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::Status XlsxError(absl::string_view what, lxw_error error) {
  return absl::InternalError(absl::StrCat("xlsx ", what, ": ", lxw_strerror(error)));
}

}  // namespace

Cell Cell::DateText(absl::string_view yyyy_mm_dd) {
  std::optional<absl::CivilDay> day =
      ParseDate(std::string_view(yyyy_mm_dd.data(), yyyy_mm_dd.size()));
  if (!day.has_value()) return {CellKind::kDate, "-"};
  return Date(*day);
}

std::string TitleText(const Sheet& sheet) {
  return absl::StrCat(
      sheet.county_name, sheet.title, "（", sheet.county_code.empty() ? "" : sheet.county_code,
      sheet.county_code.empty() ? "" : "，", "截至 ", FormatDate(sheet.as_of), "）");
}

int DisplayWidth(absl::string_view text) {
  int width = 0;
  for (size_t i = 0; i < text.size();) width += IsWide(NextCodePoint(text, i)) ? 2 : 1;
  return width;
}

std::string NeutralizeFormula(absl::string_view text) {
  if (!text.empty() && absl::string_view("=+-@\t\r").find(text[0]) != absl::string_view::npos) {
    return absl::StrCat("'", text);
  }
  return std::string(text);
}

std::string WriteCsv(const Sheet& sheet) {
  std::string out = "\xEF\xBB\xBF";
  AppendCsvLine(out, {TitleText(sheet)});
  std::vector<std::string> fields;
  for (const Column& column : sheet.columns) fields.push_back(NeutralizeFormula(column.header));
  AppendCsvLine(out, fields);
  for (const std::vector<Cell>& row : sheet.rows) {
    fields.clear();
    for (const Cell& cell : row) {
      fields.push_back(cell.kind == CellKind::kText ? NeutralizeFormula(cell.text)
                                                    : CellText(cell));
    }
    AppendCsvLine(out, fields);
  }
  return out;
}

absl::StatusOr<std::string> WriteXlsx(const Sheet& sheet) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/ledger-XXXXXX");
  const int fd = mkstemp(path.data());  // 0600
  if (fd < 0) return absl::InternalError("xlsx: cannot create a temporary file");
  close(fd);
  struct Cleanup {
    std::string path;
    ~Cleanup() { unlink(path.c_str()); }
  } cleanup{path};

  lxw_workbook* workbook = workbook_new(path.c_str());
  if (workbook == nullptr) return absl::InternalError("xlsx: cannot start a workbook");
  std::string sheet_name = sheet.title.empty() ? "台账" : sheet.title;
  lxw_worksheet* worksheet = workbook_add_worksheet(workbook, sheet_name.c_str());
  if (worksheet == nullptr) {
    workbook_close(workbook);
    return absl::InternalError("xlsx: cannot add the worksheet");
  }
  lxw_format* title_format = workbook_add_format(workbook);
  format_set_bold(title_format);
  format_set_font_size(title_format, 14);
  format_set_align(title_format, LXW_ALIGN_CENTER);
  format_set_align(title_format, LXW_ALIGN_VERTICAL_CENTER);
  lxw_format* header_format = workbook_add_format(workbook);
  format_set_bold(header_format);
  format_set_border(header_format, LXW_BORDER_THIN);
  format_set_align(header_format, LXW_ALIGN_CENTER);
  format_set_bg_color(header_format, 0xDDEBF7);
  lxw_format* text_format = workbook_add_format(workbook);
  format_set_border(text_format, LXW_BORDER_THIN);
  format_set_num_format(text_format, "@");
  lxw_format* number_format = workbook_add_format(workbook);
  format_set_border(number_format, LXW_BORDER_THIN);
  lxw_format* date_format = workbook_add_format(workbook);
  format_set_border(date_format, LXW_BORDER_THIN);
  format_set_num_format(date_format, "yyyy-mm-dd");
  lxw_format* money_format = workbook_add_format(workbook);
  format_set_border(money_format, LXW_BORDER_THIN);
  format_set_num_format(money_format, "0.00");

  const lxw_col_t last_col = sheet.columns.empty() ? 0 : sheet.columns.size() - 1;
  lxw_error error =
      sheet.columns.size() > 1
          ? worksheet_merge_range(worksheet, 0, 0, 0, last_col, TitleText(sheet).c_str(),
                                  title_format)
          : worksheet_write_string(worksheet, 0, 0, TitleText(sheet).c_str(), title_format);
  if (error != LXW_NO_ERROR) {
    workbook_close(workbook);
    return XlsxError("title", error);
  }
  worksheet_set_row(worksheet, 0, 24, nullptr);
  std::vector<int> widths(sheet.columns.size(), 4);
  for (size_t c = 0; c < sheet.columns.size(); ++c) {
    worksheet_write_string(worksheet, 1, c, sheet.columns[c].header.c_str(), header_format);
    widths[c] = std::max(widths[c], DisplayWidth(sheet.columns[c].header));
  }
  for (size_t r = 0; r < sheet.rows.size() && error == LXW_NO_ERROR; ++r) {
    const lxw_row_t row = r + 2;
    for (size_t c = 0; c < sheet.rows[r].size() && c < sheet.columns.size(); ++c) {
      const Cell& cell = sheet.rows[r][c];
      switch (cell.kind) {
        case CellKind::kText:
          error = worksheet_write_string(worksheet, row, c, cell.text.c_str(), text_format);
          break;
        case CellKind::kInteger:
          error = worksheet_write_number(worksheet, row, c, static_cast<double>(cell.number),
                                         number_format);
          break;
        case CellKind::kMoney:
          error = worksheet_write_number(worksheet, row, c, cell.number / 100.0, money_format);
          break;
        case CellKind::kDate: {
          if (IsEmptyDate(cell)) {
            error = worksheet_write_blank(worksheet, row, c, date_format);
            break;
          }
          lxw_datetime datetime = {
              static_cast<int>(cell.day.year()), cell.day.month(), cell.day.day(), 0, 0, 0};
          error = worksheet_write_datetime(worksheet, row, c, &datetime, date_format);
          break;
        }
      }
      if (error != LXW_NO_ERROR) break;
      widths[c] = std::max(widths[c], DisplayWidth(CellText(cell)));
    }
  }
  if (error != LXW_NO_ERROR) {
    workbook_close(workbook);
    return XlsxError("cell", error);
  }
  for (size_t c = 0; c < widths.size(); ++c) {
    worksheet_set_column(worksheet, c, c, std::min(widths[c] + 2, 60), nullptr);
  }
  worksheet_freeze_panes(worksheet, 2, 0);
  error = workbook_close(workbook);
  if (error != LXW_NO_ERROR) return XlsxError("close", error);
  return ReadWholeFile(path);
}

absl::Status WriteLedgerFile(const Sheet& sheet, const std::string& path) {
  std::string bytes;
  const std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".xlsx")) {
    absl::StatusOr<std::string> xlsx = WriteXlsx(sheet);
    if (!xlsx.ok()) return xlsx.status();
    bytes = *std::move(xlsx);
  } else if (absl::EndsWith(lower, ".csv")) {
    bytes = WriteCsv(sheet);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("output: '", path, "' must end in .xlsx or .csv"));
  }
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::PermissionDeniedError(absl::StrCat("output: cannot create ", path));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) {
      close(fd);
      return absl::DataLossError(absl::StrCat("output: cannot write ", path));
    }
    written += n;
  }
  if (close(fd) != 0) return absl::DataLossError(absl::StrCat("output: cannot write ", path));
  return absl::OkStatus();
}

}  // namespace lianxin::ledger
