// Ledgers (台账): tables of a county's members to and from Excel (.xlsx) and
// CSV. One library for every writer and reader of spreadsheets (lxctl export
// and import, the gateway's export buttons).
//
// Out: rows in, bytes or a file out.
//
//   ledger::Sheet sheet{.county_name = "富蕴县", .title = "流出党员台账",
//                       .as_of = absl::CivilDay(2026, 12, 7),
//                       .columns = {{"姓名"}, {"外出时间", ledger::CellKind::kDate}}};
//   sheet.rows.push_back({ledger::Cell::Text("张三"), ledger::Cell::Date({2026, 3, 5})});
//   absl::StatusOr<std::string> xlsx = ledger::WriteXlsx(sheet);
//   std::string csv = ledger::WriteCsv(sheet);
//
// In: bytes in, a grid of cells out (ReadCsv, ReadXlsx, ReadLedgerFile); then
// schema.h maps a grid to ledger rows with per-cell errors.
#ifndef LIANXIN_LIBS_LEDGER_LEDGER_H_
#define LIANXIN_LIBS_LEDGER_LEDGER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace lianxin::ledger {

// What a column holds; decides how a cell is written.
enum class CellKind {
  kText,     // a string cell (never a formula)
  kInteger,  // a whole number (counts, years, hours)
  kDate,     // a calendar day: a real date cell in .xlsx, YYYY-MM-DD in .csv
  kMoney,    // an amount in fen, shown in yuan with two decimals, a number cell
};

// One cell of an outgoing sheet. An empty cell is Text("").
struct Cell {
  CellKind kind = CellKind::kText;
  std::string text;
  int64_t number = 0;  // kInteger: the value; kMoney: fen
  absl::CivilDay day;  // kDate

  static Cell Text(std::string text) { return {CellKind::kText, std::move(text)}; }
  static Cell Integer(int64_t value) { return {CellKind::kInteger, "", value}; }
  static Cell MoneyFen(int64_t fen) { return {CellKind::kMoney, "", fen}; }
  static Cell Date(absl::CivilDay day) { return {CellKind::kDate, "", 0, day}; }
  // A date, or an empty cell when `yyyy_mm_dd` is empty or not a date.
  static Cell DateText(absl::string_view yyyy_mm_dd);
};

struct Column {
  std::string header;  // Chinese header, e.g. "外出时间"
  CellKind kind = CellKind::kText;
};

// An outgoing ledger: a title row ("<county_name>流出党员台账（截至 2026-12-07）"),
// the header row, then the rows.
struct Sheet {
  std::string county_name;  // e.g. "富蕴县"
  std::string county_code;  // e.g. "654322"
  std::string title;        // e.g. "流出党员台账"
  absl::CivilDay as_of;
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;  // each as long as `columns`
};

// The title row's text.
std::string TitleText(const Sheet& sheet);

// UTF-8 CSV with a byte-order mark (Excel and WPS open it right), CRLF line
// ends, RFC 4180 quoting. The first line is the title, the second the headers.
// Text cells starting with = + - @ (or tab, CR) are neutralized with a
// leading apostrophe so no spreadsheet runs them as formulas.
std::string WriteCsv(const Sheet& sheet);

// The .xlsx file's bytes: one worksheet named after the title, title row
// merged across the columns, bold headers, column widths that fit the
// widest Chinese text, dates as date cells (yyyy-mm-dd), money as number cells
// in yuan (0.00). INTERNAL if libxlsxwriter fails.
absl::StatusOr<std::string> WriteXlsx(const Sheet& sheet);

// Writes .xlsx or .csv by the path's extension (INVALID_ARGUMENT otherwise);
// the file is created with mode 0600 (ledgers hold personal data).
absl::Status WriteLedgerFile(const Sheet& sheet, const std::string& path);

// Display width of UTF-8 text in spreadsheet column units: 2 per CJK or
// full-width character, 1 otherwise.
int DisplayWidth(absl::string_view text);
// CSV-injection guard: `text` with a leading apostrophe if it starts with
// = + - @ tab or CR.
std::string NeutralizeFormula(absl::string_view text);

// ---- Reading -------------------------------------------------------------------

// One cell as read. `numeric` is true for an .xlsx number cell: `text` is then
// the number as stored (e.g. "46086" for a date, "6.5432219800101E+17" for an
// ID number Excel turned into a number).
struct RawCell {
  std::string text;
  bool numeric = false;
};

// Rows of cells, as in the file (row 0 = the file's first row); rows may be of
// different lengths.
using Grid = std::vector<std::vector<RawCell>>;

// RFC 4180 CSV: fields in double quotes may hold commas, quotes ("") and line
// breaks; CRLF or LF line ends; a UTF-8 byte-order mark is skipped; a file that
// is not UTF-8 is taken as GB18030 (what Excel writes on a Chinese Windows) and
// converted. INVALID_ARGUMENT for an unterminated quote (naming the line).
absl::StatusOr<Grid> ReadCsv(absl::string_view bytes);

// The first worksheet of an .xlsx file: shared and inline strings, number
// cells, merged ranges filled with their top-left value (so a merged header or
// branch cell reads the same in every cell it covers). INVALID_ARGUMENT when
// the bytes are not an .xlsx workbook.
absl::StatusOr<Grid> ReadXlsx(absl::string_view bytes);

// Reads .xlsx or .csv by the path's extension (or, failing that, by the
// bytes: a zip is .xlsx).
absl::StatusOr<Grid> ReadLedgerFile(const std::string& path);

}  // namespace lianxin::ledger

#endif  // LIANXIN_LIBS_LEDGER_LEDGER_H_
