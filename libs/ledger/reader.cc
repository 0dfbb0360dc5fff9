// Reading ledgers: CSV (RFC 4180, UTF-8 or GB18030) by hand; .xlsx with
// minizip (the zip container, read from memory) and expat (the XML parts).
#include <expat.h>
#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/ledger/ledger.h"
#include "minizip/unzip.h"

namespace lianxin::ledger {
namespace {

// Bounds against hostile files (a ledger of a county is thousands of rows).
constexpr size_t kMaxRows = 1'000'000;
constexpr size_t kMaxColumns = 256;
constexpr uint64_t kMaxPartBytes = 256ull << 20;

bool IsUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = text[i];
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > text.size()) return false;
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

absl::StatusOr<std::string> Gb18030ToUtf8(absl::string_view bytes) {
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return absl::InvalidArgumentError(
        "file: not UTF-8, and GB18030 is not available to convert it");
  }
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in_ptr = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  const size_t result = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (result == static_cast<size_t>(-1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "file: neither UTF-8 nor GB18030 (bad byte at offset ", bytes.size() - in_left, ")"));
  }
  out.resize(out.size() - out_left);
  return out;
}

// ---- Zip in memory (minizip's I/O callbacks over a buffer) --------------------

struct MemoryStream {
  absl::string_view bytes;
  uint64_t position = 0;
};

voidpf ZipOpen(voidpf opaque, const void*, int) {
  auto* stream = static_cast<MemoryStream*>(opaque);
  stream->position = 0;
  return stream;
}
uLong ZipRead(voidpf, voidpf s, void* buf, uLong size) {
  auto* stream = static_cast<MemoryStream*>(s);
  const uint64_t left =
      stream->bytes.size() - std::min<uint64_t>(stream->position, stream->bytes.size());
  const uLong n = static_cast<uLong>(std::min<uint64_t>(size, left));
  std::memcpy(buf, stream->bytes.data() + stream->position, n);
  stream->position += n;
  return n;
}
uLong ZipWrite(voidpf, voidpf, const void*, uLong) { return 0; }
ZPOS64_T ZipTell(voidpf, voidpf s) { return static_cast<MemoryStream*>(s)->position; }
long ZipSeek(voidpf, voidpf s, ZPOS64_T offset, int origin) {
  auto* stream = static_cast<MemoryStream*>(s);
  uint64_t base = 0;
  switch (origin) {
    case ZLIB_FILEFUNC_SEEK_CUR:
      base = stream->position;
      break;
    case ZLIB_FILEFUNC_SEEK_END:
      base = stream->bytes.size();
      break;
    default:
      base = 0;
  }
  if (base + offset > stream->bytes.size()) return -1;
  stream->position = base + offset;
  return 0;
}
int ZipClose(voidpf, voidpf) { return 0; }
int ZipError(voidpf, voidpf) { return 0; }

class ZipArchive {
 public:
  explicit ZipArchive(absl::string_view bytes) : stream_{bytes} {
    zlib_filefunc64_def functions;
    functions.zopen64_file = ZipOpen;
    functions.zread_file = ZipRead;
    functions.zwrite_file = ZipWrite;
    functions.ztell64_file = ZipTell;
    functions.zseek64_file = ZipSeek;
    functions.zclose_file = ZipClose;
    functions.zerror_file = ZipError;
    functions.opaque = &stream_;
    zip_ = unzOpen2_64("memory", &functions);
  }
  ~ZipArchive() {
    if (zip_ != nullptr) unzClose(zip_);
  }
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  bool ok() const { return zip_ != nullptr; }

  // The named member's bytes; NOT_FOUND if absent.
  absl::StatusOr<std::string> Read(const std::string& name) {
    if (unzLocateFile(zip_, name.c_str(), /*case sensitive=*/1) != UNZ_OK) {
      return absl::NotFoundError(absl::StrCat("xlsx: no ", name));
    }
    unz_file_info64 info;
    if (unzGetCurrentFileInfo64(zip_, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK ||
        info.uncompressed_size > kMaxPartBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("xlsx: ", name, " is unreadable or too large"));
    }
    if (unzOpenCurrentFile(zip_) != UNZ_OK) {
      return absl::InvalidArgumentError(absl::StrCat("xlsx: cannot open ", name));
    }
    std::string out;
    char buffer[65536];
    int n;
    while ((n = unzReadCurrentFile(zip_, buffer, sizeof(buffer))) > 0) {
      out.append(buffer, n);
      if (out.size() > kMaxPartBytes) break;
    }
    unzCloseCurrentFile(zip_);
    if (n < 0 || out.size() > kMaxPartBytes) {
      return absl::InvalidArgumentError(absl::StrCat("xlsx: ", name, " is damaged or too large"));
    }
    return out;
  }

 private:
  MemoryStream stream_;
  unzFile zip_ = nullptr;
};

// ---- XML ----------------------------------------------------------------------

// Local name of an element ("x:row" -> "row"; expat runs without namespaces).
absl::string_view LocalName(const char* name) {
  absl::string_view n(name);
  const size_t colon = n.rfind(':');
  return colon == absl::string_view::npos ? n : n.substr(colon + 1);
}

const char* Attribute(const char** attributes, absl::string_view wanted) {
  for (int i = 0; attributes[i] != nullptr; i += 2) {
    if (LocalName(attributes[i]) == wanted) return attributes[i + 1];
  }
  return nullptr;
}

// Runs expat over `xml` with start/end/text handlers on a handler object.
template <typename Handler>
absl::Status ParseXml(absl::string_view xml, Handler& handler, absl::string_view part) {
  XML_Parser parser = XML_ParserCreate("UTF-8");
  XML_SetUserData(parser, &handler);
  XML_SetElementHandler(
      parser,
      [](void* data, const char* name, const char** attributes) {
        static_cast<Handler*>(data)->Start(LocalName(name), attributes);
      },
      [](void* data, const char* name) { static_cast<Handler*>(data)->End(LocalName(name)); });
  XML_SetCharacterDataHandler(parser, [](void* data, const char* text, int len) {
    static_cast<Handler*>(data)->Text(absl::string_view(text, len));
  });
  const bool ok =
      XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), 1) != XML_STATUS_ERROR;
  std::string error = ok ? "" : XML_ErrorString(XML_GetErrorCode(parser));
  XML_ParserFree(parser);
  if (!ok) return absl::InvalidArgumentError(absl::StrCat("xlsx: ", part, ": ", error));
  if (!handler.error.empty())
    return absl::InvalidArgumentError(absl::StrCat("xlsx: ", handler.error));
  return absl::OkStatus();
}

struct SharedStrings {
  std::vector<std::string> strings;
  std::string error;
  int phonetic_depth = 0;
  bool in_text = false;
  void Start(absl::string_view name, const char**) {
    if (name == "si") strings.emplace_back();
    if (name == "rPh") ++phonetic_depth;
    if (name == "t" && phonetic_depth == 0) in_text = true;
  }
  void End(absl::string_view name) {
    if (name == "rPh") --phonetic_depth;
    if (name == "t") in_text = false;
  }
  void Text(absl::string_view text) {
    if (in_text && !strings.empty()) strings.back().append(text.data(), text.size());
  }
};

struct FirstSheet {
  std::string relationship_id;
  std::string error;
  void Start(absl::string_view name, const char** attributes) {
    if (name == "sheet" && relationship_id.empty()) {
      const char* id = Attribute(attributes, "id");
      if (id != nullptr) relationship_id = id;
    }
  }
  void End(absl::string_view) {}
  void Text(absl::string_view) {}
};

struct Relationships {
  std::map<std::string, std::string> targets;
  std::string error;
  void Start(absl::string_view name, const char** attributes) {
    if (name != "Relationship") return;
    const char* id = Attribute(attributes, "Id");
    const char* target = Attribute(attributes, "Target");
    if (id != nullptr && target != nullptr) targets[id] = target;
  }
  void End(absl::string_view) {}
  void Text(absl::string_view) {}
};

// "B12" -> row 11, column 1 (0-based); false if malformed or out of bounds.
bool ParseCellReference(absl::string_view ref, size_t& row, size_t& column) {
  size_t i = 0;
  column = 0;
  while (i < ref.size() && absl::ascii_isalpha(ref[i])) {
    column = column * 26 + (absl::ascii_toupper(ref[i]) - 'A' + 1);
    if (column > 16384) return false;
    ++i;
  }
  if (i == 0 || i == ref.size()) return false;
  row = 0;
  for (; i < ref.size(); ++i) {
    if (!absl::ascii_isdigit(ref[i])) return false;
    row = row * 10 + (ref[i] - '0');
    if (row > 1'048'576) return false;
  }
  if (row == 0) return false;
  --row;
  --column;
  return true;
}

struct Worksheet {
  const std::vector<std::string>* shared = nullptr;
  Grid grid;
  std::vector<std::pair<std::string, std::string>> merges;
  std::string error;

  size_t row = 0;
  size_t next_row = 0;
  size_t column = 0;
  size_t next_column = 0;
  std::string type;
  std::string value;
  bool in_value = false;
  bool in_inline_text = false;
  int phonetic_depth = 0;

  void Start(absl::string_view name, const char** attributes) {
    if (name == "row") {
      const char* r = Attribute(attributes, "r");
      row = r != nullptr ? std::strtoul(r, nullptr, 10) - 1 : next_row;
      next_row = row + 1;
      next_column = 0;
    } else if (name == "c") {
      const char* r = Attribute(attributes, "r");
      size_t ref_row = row;
      if (r == nullptr || !ParseCellReference(r, ref_row, column)) column = next_column;
      next_column = column + 1;
      const char* t = Attribute(attributes, "t");
      type = t != nullptr ? t : "n";
      value.clear();
    } else if (name == "v") {
      in_value = true;
    } else if (name == "rPh") {
      ++phonetic_depth;
    } else if (name == "t" && phonetic_depth == 0) {
      in_inline_text = true;
    } else if (name == "mergeCell") {
      const char* ref = Attribute(attributes, "ref");
      if (ref == nullptr) return;
      absl::string_view range(ref);
      const size_t colon = range.find(':');
      if (colon != absl::string_view::npos) {
        merges.emplace_back(std::string(range.substr(0, colon)),
                            std::string(range.substr(colon + 1)));
      }
    }
  }
  void End(absl::string_view name) {
    if (name == "v") {
      in_value = false;
    } else if (name == "t") {
      in_inline_text = false;
    } else if (name == "rPh") {
      --phonetic_depth;
    } else if (name == "c") {
      Store();
    }
  }
  void Text(absl::string_view text) {
    if (in_value || in_inline_text) value.append(text.data(), text.size());
  }
  void Store() {
    if (!error.empty()) return;
    if (row >= kMaxRows || column >= kMaxColumns) {
      error =
          absl::StrCat("the sheet is larger than ", kMaxRows, " rows or ", kMaxColumns, " columns");
      return;
    }
    RawCell cell;
    if (type == "s") {
      char* end = nullptr;
      const unsigned long index = std::strtoul(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || index >= shared->size()) {
        error = absl::StrCat("a shared string index is out of range in row ", row + 1);
        return;
      }
      cell.text = (*shared)[index];
    } else if (type == "n" || type.empty()) {
      cell.text = value;
      cell.numeric = !value.empty();
    } else if (type == "b") {
      cell.text = value == "1" ? "TRUE" : "FALSE";
    } else {  // str, inlineStr, e
      cell.text = value;
    }
    if (cell.text.empty()) return;
    if (grid.size() <= row) grid.resize(row + 1);
    if (grid[row].size() <= column) grid[row].resize(column + 1);
    grid[row][column] = std::move(cell);
  }
};

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

absl::StatusOr<Grid> ReadCsv(absl::string_view bytes) {
  std::string converted;
  if (absl::StartsWith(bytes, "\xEF\xBB\xBF")) {
    bytes.remove_prefix(3);
  } else if (!IsUtf8(bytes)) {
    absl::StatusOr<std::string> utf8 = Gb18030ToUtf8(bytes);
    if (!utf8.ok()) return utf8.status();
    converted = *std::move(utf8);
    bytes = converted;
  }
  if (!IsUtf8(bytes)) return absl::InvalidArgumentError("file: not valid UTF-8");
  Grid grid;
  std::vector<RawCell> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  size_t line = 1;
  size_t quote_line = 0;
  auto end_field = [&] {
    row.push_back({std::move(field), false});
    field.clear();
    field_started = false;
  };
  auto end_row = [&]() -> absl::Status {
    end_field();
    if (row.size() > kMaxColumns) {
      return absl::InvalidArgumentError(
          absl::StrCat("file: line ", line, " has more than ", kMaxColumns, " columns"));
    }
    grid.push_back(std::move(row));
    row.clear();
    if (grid.size() > kMaxRows) return absl::InvalidArgumentError("file: too many rows");
    return absl::OkStatus();
  };
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < bytes.size() && bytes[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
      quote_line = line;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') ++i;
      if (absl::Status s = end_row(); !s.ok()) return s;
      ++line;
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat("file: the quote opened on line ", quote_line, " is never closed"));
  }
  if (field_started || !field.empty() || !row.empty()) {
    if (absl::Status s = end_row(); !s.ok()) return s;
  }
  return grid;
}

absl::StatusOr<Grid> ReadXlsx(absl::string_view bytes) {
  ZipArchive zip(bytes);
  if (!zip.ok()) return absl::InvalidArgumentError("file: not an .xlsx workbook (not a zip)");
  std::vector<std::string> shared;
  if (absl::StatusOr<std::string> xml = zip.Read("xl/sharedStrings.xml"); xml.ok()) {
    SharedStrings handler;
    if (absl::Status s = ParseXml(*xml, handler, "sharedStrings.xml"); !s.ok()) return s;
    shared = std::move(handler.strings);
  } else if (!absl::IsNotFound(xml.status())) {
    return xml.status();
  }
  std::string sheet_path = "xl/worksheets/sheet1.xml";
  absl::StatusOr<std::string> workbook = zip.Read("xl/workbook.xml");
  absl::StatusOr<std::string> rels = zip.Read("xl/_rels/workbook.xml.rels");
  if (!workbook.ok())
    return absl::InvalidArgumentError("file: not an .xlsx workbook (no xl/workbook.xml)");
  if (rels.ok()) {
    FirstSheet first;
    Relationships relationships;
    if (absl::Status s = ParseXml(*workbook, first, "workbook.xml"); !s.ok()) return s;
    if (absl::Status s = ParseXml(*rels, relationships, "workbook.xml.rels"); !s.ok()) return s;
    auto it = relationships.targets.find(first.relationship_id);
    if (it != relationships.targets.end()) {
      sheet_path = absl::StartsWith(it->second, "/") ? it->second.substr(1)
                                                     : absl::StrCat("xl/", it->second);
    }
  }
  absl::StatusOr<std::string> sheet_xml = zip.Read(sheet_path);
  if (!sheet_xml.ok()) return sheet_xml.status();
  Worksheet sheet;
  sheet.shared = &shared;
  if (absl::Status s = ParseXml(*sheet_xml, sheet, sheet_path); !s.ok()) return s;
  for (const auto& [from, to] : sheet.merges) {
    size_t r0, c0, r1, c1;
    if (!ParseCellReference(from, r0, c0) || !ParseCellReference(to, r1, c1) || r1 < r0 ||
        c1 < c0 || r1 >= kMaxRows || c1 >= kMaxColumns || (r1 - r0 + 1) * (c1 - c0 + 1) > 100000) {
      continue;
    }
    RawCell top_left;
    if (r0 < sheet.grid.size() && c0 < sheet.grid[r0].size()) top_left = sheet.grid[r0][c0];
    if (top_left.text.empty()) continue;
    if (sheet.grid.size() <= r1) sheet.grid.resize(r1 + 1);
    for (size_t r = r0; r <= r1; ++r) {
      if (sheet.grid[r].size() <= c1) sheet.grid[r].resize(c1 + 1);
      for (size_t c = c0; c <= c1; ++c) sheet.grid[r][c] = top_left;
    }
  }
  return std::move(sheet.grid);
}

absl::StatusOr<Grid> ReadLedgerFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  const std::string lower = absl::AsciiStrToLower(path);
  if (absl::EndsWith(lower, ".xlsx") || absl::StartsWith(*bytes, "PK\x03\x04"))
    return ReadXlsx(*bytes);
  if (absl::EndsWith(lower, ".xls")) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": the old .xls format is not read; save it as .xlsx or .csv"));
  }
  return ReadCsv(*bytes);
}

}  // namespace lianxin::ledger
