// The outflow and inflow ledgers (流出/流入党员台账) as a county office keeps
// them: which Chinese headers name which field, how dirty cells are read
// (full-width digits, 2026.3.5 / 2026年3月5日 / Excel serial dates, ID numbers
// with a lowercase x or turned into numbers), and the per-cell errors, in
// Chinese, of rows that cannot be imported.
//
//   absl::StatusOr<ledger::Grid> grid = ledger::ReadLedgerFile("流出台账.xlsx");
//   ledger::ParsedLedger parsed = ledger::ParseLedger(*grid, {.kind = ledger::LedgerKind::kOutflow,
//                                                             .county = "654322", .today = today});
//   for (const ledger::CellError& e : parsed.errors) ...  // 第 5 行「身份证号」：校验位错误
//   for (const ledger::LedgerRow& row : parsed.rows) ...  // ready for RegisterMember +
//   RegisterOutflow
//
// The accepted header names are listed by HeaderNames() (and in the README).
#ifndef LIANXIN_LIBS_LEDGER_SCHEMA_H_
#define LIANXIN_LIBS_LEDGER_SCHEMA_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/ledger/ledger.h"

namespace lianxin::ledger {

enum class LedgerKind { kOutflow, kInflow };

// The fields a ledger column may hold.
enum class Field {
  kIgnored,  // 序号, 状态, ...: read past
  kName,
  kGender,
  kBirthYear,
  kIdNumber,
  kCategory,
  kProbationary,
  kJoinedOn,
  kBranch,
  kDestinationCode,
  kDestinationName,
  kLeftOn,
  kExpectedReturnOn,
  kEmployer,
  kOccupation,
  kAddress,
  kPhone,
  kLiaison,
  kCertificateNo,
  kCertificateValidUntil,
  kOriginCode,
  kOriginName,
  kOriginBranch,
  kArrivedOn,
  kContactPerson,
  kStatus,
};

// One field's headers: the canonical one (what export writes) first.
struct FieldHeaders {
  Field field;
  std::vector<std::string> names;
  bool required;  // for import of this ledger kind
};
// The fields of a ledger kind, in export order, with every accepted header.
const std::vector<FieldHeaders>& HeaderNames(LedgerKind kind);
// The canonical header of a field ("身份证号").
std::string CanonicalHeader(Field field);

// A row ready for the API. Dates are YYYY-MM-DD; the ID number is upper-case,
// checked; gender and birth date come from it when the ledger has none.
struct LedgerRow {
  int line = 0;  // the row number a spreadsheet shows (1-based)
  std::string name;
  std::string id_number;
  lianxin::v1::Gender gender = lianxin::v1::GENDER_UNSPECIFIED;
  std::string birth_date;
  lianxin::v1::MemberCategory category = lianxin::v1::MEMBER_CATEGORY_UNSPECIFIED;
  bool probationary = false;
  std::string joined_on;
  std::string branch;
  std::string phone;
  std::string certificate_no;
  std::string certificate_valid_until;
  // Outflow.
  std::string destination_code;
  std::string destination_name;
  std::string left_on;
  std::string expected_return_on;
  std::string employer;
  std::string occupation;
  std::string address;
  std::string liaison;
  // Inflow.
  std::string origin_code;
  std::string origin_name;
  std::string origin_branch;
  std::string arrived_on;
  std::string contact_person;
};

// Why one cell (or row, when column is empty) cannot be imported.
struct CellError {
  int line = 0;         // 1-based row number
  std::string column;   // the header as written in the file, or the canonical one
  std::string message;  // Chinese
};
// "第 5 行「身份证号」：校验位错误（应为 X）".
std::string FormatCellError(const CellError& error);

struct ParseOptions {
  LedgerKind kind = LedgerKind::kOutflow;
  // The importing county's code (an outflow cannot go to it, an inflow cannot come from it).
  std::string county;
  // Dates after this day are refused where they must be in the past.
  absl::CivilDay today;
};

struct ParsedLedger {
  int header_line = 0;  // 1-based; 0 when no header row was found
  // Headers of the file that map to no field (read past), in column order.
  std::vector<std::string> ignored_headers;
  // The header each mapped field has in the file (for errors found later, by the API).
  std::map<Field, std::string> headers;
  std::vector<LedgerRow> rows;    // rows without errors
  std::vector<CellError> errors;  // by row, then column
  int data_rows = 0;              // rows read (blank and note rows excluded)
};

// Maps a grid to ledger rows. A file-level problem (no header row, a required
// column missing) is one error with line = 0.
ParsedLedger ParseLedger(const Grid& grid, const ParseOptions& options);

// ---- Cell readers (exposed for tests and for other ledgers) --------------------

// Full-width digits, letters and + - . / to ASCII (Chinese punctuation such as
// ，stays), the ideographic space to a space, zero-width
// characters dropped, whitespace runs collapsed, trimmed; a leading apostrophe
// before = + - @ (the CSV-injection guard) removed.
std::string CleanText(absl::string_view text);
// A date as ledgers write it: 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日,
// 20260305, or an Excel serial number (numeric cell, or text of 5 digits).
// nullopt with `why` set (Chinese) when not a date.
std::optional<absl::CivilDay> ParseLedgerDate(const RawCell& cell, std::string* why);
// The ID number in a cell, upper-cased and checked (length, digits, birth
// date, GB 11643 checksum); "" with `why` set (Chinese) when unusable,
// including an ID number stored as a number (digits lost).
std::string ParseIdNumber(const RawCell& cell, std::string* why);
// True for a 6-digit county-level code that can exist in GB/T 2260: a real
// province, a prefecture part and a county part that are not 00.
bool IsKnownCountyCode(absl::string_view code);
// The code of a county by its name ("乌鲁木齐市天山区" -> "650102") from a
// small built-in list; "" if unknown.
std::string CountyCodeByName(absl::string_view name);
// The county's name by code from the same list; "" if unknown.
std::string CountyNameByCode(absl::string_view code);
// Chinese label of a category ("农民") and back (several spellings accepted).
std::string CategoryLabel(lianxin::v1::MemberCategory category);
lianxin::v1::MemberCategory CategoryByLabel(absl::string_view label);

// A digest of the row's content (hex, 32 characters): the same row gives the
// same digest, so request ids made from it make an import idempotent.
std::string RowDigest(LedgerKind kind, absl::string_view county, const LedgerRow& row);

}  // namespace lianxin::ledger

#endif  // LIANXIN_LIBS_LEDGER_SCHEMA_H_
