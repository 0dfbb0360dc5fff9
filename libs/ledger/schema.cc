// The outflow and inflow ledgers: headers, dirty cells, per-cell errors.
#include "libs/ledger/schema.h"

#include <openssl/sha.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "libs/common/time_util.h"
#include "services/registry/domain/rules.h"

namespace lianxin::ledger {
namespace {

using lianxin::v1::Gender;
using lianxin::v1::MemberCategory;

// ---- UTF-8 -------------------------------------------------------------------

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

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string RemoveSpaces(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ') out.push_back(c);
  }
  return out;
}

// A header as compared: clean, no spaces, no "*" marks, no parenthesised notes
// ("出生日期（年月日）" -> "出生日期"), no trailing colon.
std::string HeaderKey(absl::string_view header) {
  std::string text = RemoveSpaces(CleanText(header));
  text = absl::StrReplaceAll(text, {{"*", ""}, {"：", ""}, {":", ""}, {"\n", ""}});
  for (const auto& [open, close] : {std::pair<std::string, std::string>{"（", "）"}, {"(", ")"}}) {
    size_t start;
    while ((start = text.find(open)) != std::string::npos) {
      const size_t end = text.find(close, start);
      if (end == std::string::npos) break;
      text.erase(start, end + close.size() - start);
    }
  }
  return text;
}

// ---- Places ------------------------------------------------------------------

struct Place {
  const char* code;
  const char* name;
};
// Counties a Fuyun ledger names often (destinations of its members, origins of
// those who come); any other place is written by its 6-digit code.
constexpr Place kPlaces[] = {
    {"110105", "北京市朝阳区"}, {"130423", "临漳县"},           {"310115", "上海市浦东新区"},
    {"320505", "苏州市虎丘区"}, {"330106", "杭州市西湖区"},     {"370212", "青岛市崂山区"},
    {"371321", "沂南县"},       {"411522", "光山县"},           {"411723", "平舆县"},
    {"440106", "广州市天河区"}, {"440305", "深圳市南山区"},     {"500235", "云阳县"},
    {"500236", "奉节县"},       {"510107", "成都市武侯区"},     {"510623", "中江县"},
    {"510722", "三台县"},       {"511321", "南部县"},           {"511621", "岳池县"},
    {"610113", "西安市雁塔区"}, {"620421", "靖远县"},           {"620521", "清水县"},
    {"621121", "通渭县"},       {"650102", "乌鲁木齐市天山区"}, {"652301", "昌吉市"},
    {"652302", "阜康市"},       {"654002", "伊宁市"},           {"654301", "阿勒泰市"},
    {"654321", "布尔津县"},     {"654322", "富蕴县"},           {"654323", "福海县"},
    {"654324", "哈巴河县"},     {"654325", "青河县"},           {"654326", "吉木乃县"},
};

// ---- Headers -----------------------------------------------------------------

const std::vector<FieldHeaders>& OutflowHeaders() {
  static const auto* const headers = new std::vector<FieldHeaders>{
      {Field::kName, {"姓名", "党员姓名"}, true},
      {Field::kGender, {"性别"}, false},
      {Field::kBirthYear, {"出生年份", "出生年月", "出生日期", "出生年"}, false},
      {Field::kIdNumber,
       {"身份证号", "身份证号码", "公民身份号码", "身份证", "身份证件号码"},
       true},
      {Field::kCategory, {"人员类别", "类别", "党员类别", "人员类型", "身份"}, true},
      {Field::kProbationary, {"预备党员", "是否预备党员"}, false},
      {Field::kJoinedOn, {"入党时间", "入党日期", "入党年月"}, true},
      {Field::kBranch, {"所在支部", "所在党支部", "支部", "党支部", "支部名称"}, true},
      {Field::kDestinationCode, {"流入地代码", "流向地代码", "去向代码", "外出地代码"}, false},
      {Field::kDestinationName,
       {"流入地", "流入地名称", "流向", "流向地", "去向", "外出地点", "外出地", "流入地区"},
       false},
      {Field::kLeftOn, {"外出时间", "流出时间", "外出日期", "离开时间"}, true},
      {Field::kExpectedReturnOn, {"预计返回时间", "预计返回日期", "预计返乡时间"}, true},
      {Field::kEmployer, {"工作单位", "务工单位", "单位"}, false},
      {Field::kOccupation, {"从事职业", "职业", "从事工作", "外出从事职业"}, true},
      {Field::kAddress, {"现居住地址", "居住地址", "现住址", "外出地址", "详细地址", "地址"}, true},
      {Field::kPhone, {"联系电话", "电话", "手机", "手机号码", "联系方式"}, true},
      {Field::kLiaison, {"联络人", "联系人", "党组织联系人"}, false},
      {Field::kCertificateNo, {"活动证号", "流动党员活动证号", "活动证编号", "活动证"}, false},
      {Field::kCertificateValidUntil, {"活动证有效期至", "活动证有效期", "有效期至"}, false},
      {Field::kStatus, {"状态", "当前状态"}, false},
  };
  return *headers;
}

const std::vector<FieldHeaders>& InflowHeaders() {
  static const auto* const headers = new std::vector<FieldHeaders>{
      {Field::kName, {"姓名", "党员姓名"}, true},
      {Field::kGender, {"性别"}, false},
      {Field::kBirthYear, {"出生年份", "出生年月", "出生日期", "出生年"}, false},
      {Field::kIdNumber,
       {"身份证号", "身份证号码", "公民身份号码", "身份证", "身份证件号码"},
       true},
      {Field::kCategory, {"人员类别", "类别", "党员类别", "人员类型", "身份"}, true},
      {Field::kProbationary, {"预备党员", "是否预备党员"}, false},
      {Field::kJoinedOn, {"入党时间", "入党日期", "入党年月"}, true},
      {Field::kOriginCode, {"流出地代码", "来源地代码", "户籍地代码", "原籍代码"}, false},
      {Field::kOriginName, {"流出地", "流出地名称", "来源地", "户籍地", "原籍", "来自"}, false},
      {Field::kOriginBranch, {"原所在支部", "原支部", "原党组织", "组织关系所在支部"}, false},
      {Field::kBranch,
       {"所在支部", "现所在支部", "所在党支部", "支部", "党支部", "编入支部"},
       true},
      {Field::kArrivedOn, {"流入时间", "到达时间", "来本地时间", "报到时间"}, true},
      {Field::kPhone, {"联系电话", "电话", "手机", "手机号码", "联系方式"}, false},
      {Field::kContactPerson, {"联络人", "联系人", "本地联系人"}, false},
      {Field::kCertificateNo, {"活动证号", "流动党员活动证号", "活动证编号", "活动证"}, false},
      {Field::kStatus, {"状态", "当前状态"}, false},
  };
  return *headers;
}

// Header key -> field, for a kind.
const std::map<std::string, Field>& HeaderIndex(LedgerKind kind) {
  static const auto* const outflow = [] {
    auto* index =
        new std::map<std::string, Field>{{"序号", Field::kIgnored}, {"编号", Field::kIgnored}};
    for (const FieldHeaders& f : OutflowHeaders()) {
      for (const std::string& name : f.names) (*index)[HeaderKey(name)] = f.field;
    }
    return index;
  }();
  static const auto* const inflow = [] {
    auto* index =
        new std::map<std::string, Field>{{"序号", Field::kIgnored}, {"编号", Field::kIgnored}};
    for (const FieldHeaders& f : InflowHeaders()) {
      for (const std::string& name : f.names) (*index)[HeaderKey(name)] = f.field;
    }
    return index;
  }();
  return kind == LedgerKind::kOutflow ? *outflow : *inflow;
}

// ---- Cells -------------------------------------------------------------------

// A number cell's value as an integer when it is one exactly (13900000000.0).
std::optional<int64_t> ExactInteger(absl::string_view text) {
  double value;
  if (!absl::SimpleAtod(text, &value) || !std::isfinite(value) || std::fabs(value) > 9.0e15 ||
      value != std::floor(value)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(value);
}

bool LooksScientific(absl::string_view text) {
  return (absl::StrContains(text, "E+") || absl::StrContains(text, "e+")) &&
         absl::ascii_isdigit(text.empty() ? 'x' : text[0]);
}

std::optional<absl::CivilDay> ExcelSerialDay(double serial) {
  // The 1900 date system: serial 1 = 1900-01-01, with Excel's phantom 1900-02-29
  // (serial 60); serials from 61 on count from 1899-12-30.
  if (serial < 61 || serial > 2958465) return std::nullopt;
  return absl::CivilDay(1899, 12, 30) + static_cast<int64_t>(std::floor(serial));
}

struct DateParts {
  int year = 0, month = 0, day = 0;
};

// Splits "2026.3.5", "2026-03-05", "2026/3/5", "2026年3月5日" into numbers.
std::optional<DateParts> SplitDate(absl::string_view text) {
  std::string t = absl::StrReplaceAll(
      text, {{"年", "-"}, {"月", "-"}, {"日", ""}, {"号", ""}, {".", "-"}, {"/", "-"}, {" ", ""}});
  while (!t.empty() && t.back() == '-') t.pop_back();
  std::vector<std::string> parts = absl::StrSplit(t, '-');
  if (parts.size() == 1 && parts[0].size() == 8) {  // 20260305
    parts = {parts[0].substr(0, 4), parts[0].substr(4, 2), parts[0].substr(6, 2)};
  }
  if (parts.size() < 2 || parts.size() > 3) return std::nullopt;
  DateParts d;
  if (!absl::SimpleAtoi(parts[0], &d.year) || !absl::SimpleAtoi(parts[1], &d.month))
    return std::nullopt;
  if (parts.size() == 3 && !absl::SimpleAtoi(parts[2], &d.day)) return std::nullopt;
  if (parts[0].size() != 4) return std::nullopt;
  return d;
}

std::string Quote(absl::string_view text) { return absl::StrCat("「", text, "」"); }

}  // namespace

std::string CleanText(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = NextCodePoint(text, i);
    // Full-width digits, letters and the signs of numbers and dates; Chinese
    // punctuation (，。（）) stays as written.
    if ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
        (cp >= 0xFF41 && cp <= 0xFF5A) || cp == 0xFF0B || cp == 0xFF0D || cp == 0xFF0E ||
        cp == 0xFF0F) {
      cp -= 0xFEE0;
    }
    if (cp == 0x3000 || cp == 0xA0 || cp == '\t' || cp == '\r' || cp == '\n') cp = ' ';
    if (cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0xFEFF) continue;
    if (cp == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    AppendUtf8(out, cp);
  }
  if (out.size() >= 2 && out[0] == '\'' &&
      absl::string_view("=+-@").find(out[1]) != absl::string_view::npos) {
    out.erase(0, 1);
  }
  return out;
}

std::optional<absl::CivilDay> ParseLedgerDate(const RawCell& cell, std::string* why) {
  const std::string text = CleanText(cell.text);
  double serial;
  if ((cell.numeric || (text.size() == 5 && absl::SimpleAtod(text, &serial))) &&
      absl::SimpleAtod(text, &serial)) {
    if (text.size() == 8 && !cell.numeric) {
      // 20260305 typed as text falls through to the split below.
    } else if (std::optional<absl::CivilDay> day = ExcelSerialDay(serial); day.has_value()) {
      return day;
    } else if (!(text.size() == 8)) {
      *why = absl::StrCat(Quote(text), "不是日期（Excel 日期序号超出范围）");
      return std::nullopt;
    }
  }
  std::optional<DateParts> parts = SplitDate(text);
  if (!parts.has_value()) {
    *why = absl::StrCat(Quote(text), "不是日期（应写作 2026-03-05、2026.3.5 或 2026年3月5日）");
    return std::nullopt;
  }
  if (parts->day == 0) {
    *why = absl::StrCat(Quote(text), "只有年月，缺少日");
    return std::nullopt;
  }
  const absl::CivilDay day(parts->year, parts->month, parts->day);
  if (day.year() != parts->year || day.month() != parts->month || day.day() != parts->day ||
      parts->year < 1900) {
    *why = absl::StrCat(Quote(text), "不是真实的日期");
    return std::nullopt;
  }
  return day;
}

std::string ParseIdNumber(const RawCell& cell, std::string* why) {
  std::string text = RemoveSpaces(CleanText(cell.text));
  if (cell.numeric || LooksScientific(text)) {
    *why = absl::StrCat("身份证号被存成了数字（", text,
                        "），Excel 只保留 15 位有效数字，末几位已丢失；请把该列设为文本后重新填写");
    return "";
  }
  text = absl::AsciiStrToUpper(text);
  if (text.size() == 15 && std::all_of(text.begin(), text.end(), absl::ascii_isdigit)) {
    *why = "15 位旧身份证号，请换成 18 位身份证号";
    return "";
  }
  if (text.size() != 18) {
    size_t length = 0;
    for (unsigned char c : text) length += (c & 0xC0) != 0x80;
    *why = absl::StrCat("身份证号应为 18 位，这里是 ", length, " 位");
    return "";
  }
  for (size_t i = 0; i < 17; ++i) {
    if (!absl::ascii_isdigit(text[i])) {
      *why = "身份证号前 17 位应全是数字";
      return "";
    }
  }
  if (!absl::ascii_isdigit(text[17]) && text[17] != 'X') {
    *why = "身份证号最后一位应是数字或 X";
    return "";
  }
  const char expected = registry::ResidentIdCheckCharacter(text.substr(0, 17));
  if (expected != text[17]) {
    *why = absl::StrCat("身份证号校验位错误（末位应为 ", std::string(1, expected), "）");
    return "";
  }
  if (!registry::IsValidResidentIdNumber(text)) {
    *why = "身份证号中的出生日期不是真实的日期";
    return "";
  }
  return text;
}

bool IsKnownCountyCode(absl::string_view code) {
  if (code.size() != 6 || !std::all_of(code.begin(), code.end(), absl::ascii_isdigit)) return false;
  static constexpr int kProvinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
                                       35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
                                       53, 54, 61, 62, 63, 64, 65, 71, 81, 82};
  const int province = (code[0] - '0') * 10 + (code[1] - '0');
  if (std::find(std::begin(kProvinces), std::end(kProvinces), province) == std::end(kProvinces)) {
    return false;
  }
  if (province == 71 || province == 81 || province == 82) return code.substr(2) == "0000";
  return code.substr(2, 2) != "00" && code.substr(4, 2) != "00";
}

std::string CountyCodeByName(absl::string_view name) {
  const std::string key = RemoveSpaces(CleanText(name));
  for (const Place& place : kPlaces) {
    if (key == place.name) return place.code;
  }
  return "";
}

std::string CountyNameByCode(absl::string_view code) {
  for (const Place& place : kPlaces) {
    if (code == place.code) return place.name;
  }
  return "";
}

std::string CategoryLabel(MemberCategory category) {
  switch (category) {
    case lianxin::v1::MEMBER_CATEGORY_FARMER:
      return "农牧民";
    case lianxin::v1::MEMBER_CATEGORY_LAID_OFF_WORKER:
      return "下岗失业人员";
    case lianxin::v1::MEMBER_CATEGORY_VETERAN:
      return "退役军人";
    case lianxin::v1::MEMBER_CATEGORY_GRADUATE:
      return "高校毕业生";
    case lianxin::v1::MEMBER_CATEGORY_RETIREE:
      return "退休人员";
    case lianxin::v1::MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE:
      return "企业职工";
    case lianxin::v1::MEMBER_CATEGORY_OTHER:
      return "其他";
    default:
      return "";
  }
}

MemberCategory CategoryByLabel(absl::string_view label) {
  static const auto* const labels = new std::map<std::string, MemberCategory>{
      {"农牧民", lianxin::v1::MEMBER_CATEGORY_FARMER},
      {"农民", lianxin::v1::MEMBER_CATEGORY_FARMER},
      {"牧民", lianxin::v1::MEMBER_CATEGORY_FARMER},
      {"农民工", lianxin::v1::MEMBER_CATEGORY_FARMER},
      {"下岗失业人员", lianxin::v1::MEMBER_CATEGORY_LAID_OFF_WORKER},
      {"下岗职工", lianxin::v1::MEMBER_CATEGORY_LAID_OFF_WORKER},
      {"失业人员", lianxin::v1::MEMBER_CATEGORY_LAID_OFF_WORKER},
      {"退役军人", lianxin::v1::MEMBER_CATEGORY_VETERAN},
      {"复员退伍军人", lianxin::v1::MEMBER_CATEGORY_VETERAN},
      {"退伍军人", lianxin::v1::MEMBER_CATEGORY_VETERAN},
      {"高校毕业生", lianxin::v1::MEMBER_CATEGORY_GRADUATE},
      {"毕业生", lianxin::v1::MEMBER_CATEGORY_GRADUATE},
      {"大学生", lianxin::v1::MEMBER_CATEGORY_GRADUATE},
      {"退休人员", lianxin::v1::MEMBER_CATEGORY_RETIREE},
      {"离退休人员", lianxin::v1::MEMBER_CATEGORY_RETIREE},
      {"退休", lianxin::v1::MEMBER_CATEGORY_RETIREE},
      {"企业职工", lianxin::v1::MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE},
      {"企业员工", lianxin::v1::MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE},
      {"职工", lianxin::v1::MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE},
      {"其他", lianxin::v1::MEMBER_CATEGORY_OTHER},
      {"其它", lianxin::v1::MEMBER_CATEGORY_OTHER},
  };
  const std::string key = RemoveSpaces(CleanText(label));
  auto it = labels->find(key);
  if (it != labels->end()) return it->second;
  MemberCategory by_name;
  if (lianxin::v1::MemberCategory_Parse(
          absl::StrCat("MEMBER_CATEGORY_", absl::AsciiStrToUpper(key)), &by_name)) {
    return by_name;
  }
  return lianxin::v1::MEMBER_CATEGORY_UNSPECIFIED;
}

const std::vector<FieldHeaders>& HeaderNames(LedgerKind kind) {
  return kind == LedgerKind::kOutflow ? OutflowHeaders() : InflowHeaders();
}

std::string CanonicalHeader(Field field) {
  for (LedgerKind kind : {LedgerKind::kOutflow, LedgerKind::kInflow}) {
    for (const FieldHeaders& f : HeaderNames(kind)) {
      if (f.field == field) return f.names.front();
    }
  }
  return "";
}

std::string FormatCellError(const CellError& error) {
  if (error.line == 0) return absl::StrCat("文件：", error.message);
  if (error.column.empty()) return absl::StrCat("第 ", error.line, " 行：", error.message);
  return absl::StrCat("第 ", error.line, " 行", Quote(error.column), "：", error.message);
}

std::string RowDigest(LedgerKind kind, absl::string_view county, const LedgerRow& row) {
  const std::string canonical = absl::StrJoin(
      std::vector<std::string>{std::string(kind == LedgerKind::kOutflow ? "outflow" : "inflow"),
                               std::string(county),
                               row.name,
                               row.id_number,
                               absl::StrCat(static_cast<int>(row.gender)),
                               row.birth_date,
                               absl::StrCat(static_cast<int>(row.category)),
                               row.probationary ? "1" : "0",
                               row.joined_on,
                               row.branch,
                               row.phone,
                               row.certificate_no,
                               row.certificate_valid_until,
                               row.destination_code,
                               row.destination_name,
                               row.left_on,
                               row.expected_return_on,
                               row.employer,
                               row.occupation,
                               row.address,
                               row.liaison,
                               row.origin_code,
                               row.origin_name,
                               row.origin_branch,
                               row.arrived_on,
                               row.contact_person},
      std::string(1, '\x1f'));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

// ---- The parse ---------------------------------------------------------------

namespace {

struct ColumnMap {
  std::map<Field, size_t> column;       // field -> column index
  std::map<Field, std::string> header;  // field -> header as written
  std::vector<std::string> ignored;
  int matched = 0;
};

ColumnMap MapHeaders(const std::vector<RawCell>& row, const std::vector<RawCell>* below,
                     LedgerKind kind, bool* used_below) {
  ColumnMap map;
  const auto& index = HeaderIndex(kind);
  const size_t width = std::max(row.size(), below != nullptr ? below->size() : 0);
  for (size_t c = 0; c < width; ++c) {
    const std::string written = c < row.size() ? CleanText(row[c].text) : "";
    auto it = index.find(HeaderKey(written));
    std::string header = written;
    const std::string sub =
        below != nullptr && c < below->size() ? CleanText((*below)[c].text) : "";
    if (!written.empty() && !sub.empty() && sub != written) {
      // A two-row header: a merged group title above ("流入地") and the
      // column's own name below ("代码"/"名称"), or a name merged down.
      auto sub_it = index.find(HeaderKey(sub));
      auto joined_it = index.find(HeaderKey(absl::StrCat(written, sub)));
      if (joined_it != index.end()) {
        it = joined_it;
        header = absl::StrCat(written, sub);
        *used_below = true;
      } else if (sub_it != index.end() && it == index.end()) {
        it = sub_it;
        header = sub;
        *used_below = true;
      }
    }
    if (it == index.end()) {
      if (!header.empty()) map.ignored.push_back(header);
      continue;
    }
    if (it->second == Field::kIgnored || map.column.count(it->second) > 0) continue;
    map.column[it->second] = c;
    map.header[it->second] = header;
    ++map.matched;
  }
  return map;
}

// A title ("富蕴县流出党员台账"): one text, in one cell or merged across many.
bool IsTitleRow(const std::vector<RawCell>& row) {
  std::string text;
  for (const RawCell& cell : row) {
    const std::string t = CleanText(cell.text);
    if (t.empty()) continue;
    if (!text.empty() && t != text) return false;
    text = t;
  }
  return true;
}

bool RowIsBlank(const std::vector<RawCell>& row) {
  for (const RawCell& cell : row) {
    if (!CleanText(cell.text).empty()) return false;
  }
  return true;
}

// "填表人：…", "注：…", "合计" rows under a ledger.
bool RowIsNote(const std::vector<RawCell>& row) {
  for (const RawCell& cell : row) {
    const std::string text = RemoveSpaces(CleanText(cell.text));
    if (text.empty()) continue;
    for (absl::string_view prefix :
         {"注", "备注", "填表人", "制表人", "审核人", "填报单位", "合计", "说明"}) {
      if (absl::StartsWith(text, prefix)) return true;
    }
    return false;
  }
  return false;
}

class RowReader {
 public:
  RowReader(const std::vector<RawCell>& cells, const ColumnMap& map, int line,
            const ParseOptions& options, std::vector<CellError>& errors)
      : cells_(cells), map_(map), line_(line), options_(options), errors_(errors) {}

  bool has(Field field) const { return map_.column.count(field) > 0; }
  RawCell Raw(Field field) const {
    auto it = map_.column.find(field);
    if (it == map_.column.end() || it->second >= cells_.size()) return {};
    return cells_[it->second];
  }
  std::string Text(Field field) const { return CleanText(Raw(field).text); }
  void Fail(Field field, std::string message) {
    auto it = map_.header.find(field);
    errors_.push_back(
        {line_, it != map_.header.end() ? it->second : CanonicalHeader(field), std::move(message)});
    ok_ = false;
  }
  bool ok() const { return ok_; }

  // A required or optional one-line text of at most `max` characters.
  std::string Line(Field field, bool required, size_t max, bool remove_spaces = false) {
    std::string text = Text(field);
    if (remove_spaces) text = RemoveSpaces(text);
    if (text.empty()) {
      if (required) Fail(field, "不能为空");
      return "";
    }
    size_t length = 0;
    for (unsigned char c : text) length += (c & 0xC0) != 0x80;
    if (length > max) {
      Fail(field, absl::StrCat("太长（", length, " 个字，最多 ", max, " 个）"));
      return "";
    }
    return text;
  }

  // A date; `past` refuses days after today.
  std::string Date(Field field, bool required, bool past) {
    const RawCell raw = Raw(field);
    if (CleanText(raw.text).empty()) {
      if (required) Fail(field, "不能为空");
      return "";
    }
    std::string why;
    std::optional<absl::CivilDay> day = ParseLedgerDate(raw, &why);
    if (!day.has_value()) {
      Fail(field, why);
      return "";
    }
    if (past && *day > options_.today) {
      Fail(field,
           absl::StrCat(FormatDate(*day), " 在将来（今天是 ", FormatDate(options_.today), "）"));
      return "";
    }
    return FormatDate(*day);
  }

  std::string Phone(Field field, bool required) {
    const RawCell raw = Raw(field);
    std::string text = RemoveSpaces(CleanText(raw.text));
    if (raw.numeric) {
      if (std::optional<int64_t> n = ExactInteger(text); n.has_value()) text = absl::StrCat(*n);
    }
    if (text.empty()) {
      if (required) Fail(field, "不能为空");
      return "";
    }
    size_t digits = 0;
    bool ok = text.size() >= 5 && text.size() <= 20;
    for (size_t i = 0; ok && i < text.size(); ++i) {
      if (absl::ascii_isdigit(text[i])) {
        ++digits;
      } else if (!(text[i] == '-' || (text[i] == '+' && i == 0))) {
        ok = false;
      }
    }
    if (!ok || digits < 5) {
      Fail(field, absl::StrCat(Quote(text), "不是电话号码（5–20 位数字，可带 + 和 -）"));
      return "";
    }
    return text;
  }

  // A county by code column, else by name column.
  std::string County(Field code_field, Field name_field, bool required, std::string* name_out) {
    const RawCell raw = Raw(code_field);
    std::string code = RemoveSpaces(CleanText(raw.text));
    if (raw.numeric) {
      if (std::optional<int64_t> n = ExactInteger(code); n.has_value()) code = absl::StrCat(*n);
    }
    *name_out = Line(name_field, false, 64);
    if (!code.empty()) {
      if (!IsKnownCountyCode(code)) {
        Fail(code_field,
             absl::StrCat(Quote(code), "不是已知的县级行政区划代码（GB/T 2260，6 位）"));
        return "";
      }
      if (name_out->empty()) *name_out = CountyNameByCode(code);
      return code;
    }
    if (name_out->empty()) {
      if (required) {
        Fail(has(code_field) || !has(name_field) ? code_field : name_field, "不能为空");
      }
      return "";
    }
    // A six-digit code written in the name column.
    if (name_out->size() == 6 &&
        std::all_of(name_out->begin(), name_out->end(), absl::ascii_isdigit)) {
      if (!IsKnownCountyCode(*name_out)) {
        Fail(name_field,
             absl::StrCat(Quote(*name_out), "不是已知的县级行政区划代码（GB/T 2260，6 位）"));
        return "";
      }
      code = *name_out;
      *name_out = CountyNameByCode(code);
      return code;
    }
    code = CountyCodeByName(*name_out);
    if (code.empty()) {
      Fail(name_field, absl::StrCat(Quote(*name_out), "不是已知地名，请在「",
                                    CanonicalHeader(code_field), "」列填写 6 位县级行政区划代码"));
    }
    return code;
  }

 private:
  const std::vector<RawCell>& cells_;
  const ColumnMap& map_;
  int line_;
  const ParseOptions& options_;
  std::vector<CellError>& errors_;
  bool ok_ = true;
};

}  // namespace

ParsedLedger ParseLedger(const Grid& grid, const ParseOptions& options) {
  ParsedLedger parsed;
  // The header row: the one of the first 20 that names the most fields.
  ColumnMap best;
  size_t header_row = 0;
  bool best_used_below = false;
  for (size_t r = 0; r < grid.size() && r < 20; ++r) {
    if (IsTitleRow(grid[r])) continue;
    bool used_below = false;
    ColumnMap map = MapHeaders(grid[r], r + 1 < grid.size() ? &grid[r + 1] : nullptr, options.kind,
                               &used_below);
    if (map.matched > best.matched) {
      best = std::move(map);
      header_row = r;
      best_used_below = used_below;
    }
  }
  if (best.matched < 3 || best.column.count(Field::kName) == 0 ||
      best.column.count(Field::kIdNumber) == 0) {
    parsed.errors.push_back(
        {0, "", "找不到表头行（前 20 行中没有一行同时含「姓名」「身份证号」等列名）"});
    return parsed;
  }
  parsed.header_line = static_cast<int>(header_row) + 1;
  parsed.ignored_headers = best.ignored;
  parsed.headers = best.header;
  const bool outflow = options.kind == LedgerKind::kOutflow;
  for (const FieldHeaders& f : HeaderNames(options.kind)) {
    if (!f.required || best.column.count(f.field) > 0) continue;
    if (f.field == Field::kDestinationCode || f.field == Field::kOriginCode) continue;
    parsed.errors.push_back({0, "",
                             absl::StrCat("缺少必需的列", Quote(f.names.front()), "（可用列名：",
                                          absl::StrJoin(f.names, "、"), "）")});
  }
  if (outflow && best.column.count(Field::kDestinationCode) == 0 &&
      best.column.count(Field::kDestinationName) == 0) {
    parsed.errors.push_back({0, "", "缺少必需的列「流入地代码」或「流入地」"});
  }
  if (!parsed.errors.empty()) return parsed;

  std::map<std::string, int> first_line_of_id;
  for (size_t r = header_row + (best_used_below ? 2 : 1); r < grid.size(); ++r) {
    const std::vector<RawCell>& cells = grid[r];
    const int line = static_cast<int>(r) + 1;
    if (RowIsBlank(cells) || RowIsNote(cells)) continue;
    RowReader reader(cells, best, line, options, parsed.errors);
    // A repeated header row (a ledger pasted from several sheets).
    if (HeaderKey(reader.Text(Field::kName)) == "姓名") continue;
    ++parsed.data_rows;
    LedgerRow row;
    row.line = line;
    row.name = reader.Line(Field::kName, true, 32, /*remove_spaces=*/true);
    std::string why;
    const RawCell id_cell = reader.Raw(Field::kIdNumber);
    if (CleanText(id_cell.text).empty()) {
      reader.Fail(Field::kIdNumber, "不能为空");
    } else {
      row.id_number = ParseIdNumber(id_cell, &why);
      if (row.id_number.empty()) reader.Fail(Field::kIdNumber, why);
    }
    if (!row.id_number.empty()) {
      row.birth_date = absl::StrCat(row.id_number.substr(6, 4), "-", row.id_number.substr(10, 2),
                                    "-", row.id_number.substr(12, 2));
      row.gender = (row.id_number[16] - '0') % 2 == 1 ? lianxin::v1::GENDER_MALE
                                                      : lianxin::v1::GENDER_FEMALE;
      auto [it, inserted] = first_line_of_id.emplace(row.id_number, line);
      if (!inserted) {
        reader.Fail(Field::kIdNumber,
                    absl::StrCat("与第 ", it->second, " 行是同一个身份证号（重复登记）"));
      }
    }
    const std::string gender = reader.Text(Field::kGender);
    if (!gender.empty()) {
      Gender written = gender == "男" || gender == "男性" || absl::EqualsIgnoreCase(gender, "M") ||
                               absl::EqualsIgnoreCase(gender, "MALE")
                           ? lianxin::v1::GENDER_MALE
                       : gender == "女" || gender == "女性" ||
                               absl::EqualsIgnoreCase(gender, "F") ||
                               absl::EqualsIgnoreCase(gender, "FEMALE")
                           ? lianxin::v1::GENDER_FEMALE
                           : lianxin::v1::GENDER_UNSPECIFIED;
      if (written == lianxin::v1::GENDER_UNSPECIFIED) {
        reader.Fail(Field::kGender, absl::StrCat(Quote(gender), "应为「男」或「女」"));
      } else if (!row.id_number.empty() && written != row.gender) {
        reader.Fail(Field::kGender, absl::StrCat("「", gender, "」与身份证号不符"));
      }
    }
    const RawCell birth = reader.Raw(Field::kBirthYear);
    const std::string birth_text = CleanText(birth.text);
    if (!birth_text.empty() && !row.id_number.empty()) {
      int year = 0;
      std::string digits = absl::StrReplaceAll(birth_text, {{"年", ""}});
      if (!(digits.size() == 4 && absl::SimpleAtoi(digits, &year))) {
        std::string ignored;
        if (std::optional<absl::CivilDay> day = ParseLedgerDate(birth, &ignored); day.has_value()) {
          year = static_cast<int>(day->year());
        } else if (std::optional<DateParts> parts = SplitDate(birth_text); parts.has_value()) {
          year = parts->year;  // 1980.01: year and month
        }
      }
      if (year == 0) {
        reader.Fail(Field::kBirthYear, absl::StrCat(Quote(birth_text), "不是年份"));
      } else if (absl::StrCat(year) != row.id_number.substr(6, 4)) {
        reader.Fail(Field::kBirthYear, absl::StrCat(year, " 与身份证号中的出生年份 ",
                                                    row.id_number.substr(6, 4), " 不符"));
      }
    }
    const std::string category = reader.Text(Field::kCategory);
    row.category = CategoryByLabel(category);
    if (category.empty()) {
      reader.Fail(
          Field::kCategory,
          "不能为空（农牧民、下岗失业人员、退役军人、高校毕业生、退休人员、企业职工、其他）");
    } else if (row.category == lianxin::v1::MEMBER_CATEGORY_UNSPECIFIED) {
      reader.Fail(Field::kCategory, absl::StrCat(Quote(category),
                                                 "不是已知类别（农牧民、下岗失业人员、退役军人、高"
                                                 "校毕业生、退休人员、企业职工、其他）"));
    }
    const std::string probationary = reader.Text(Field::kProbationary);
    row.probationary = probationary == "是" || probationary == "预备" || probationary == "预备党员";
    row.joined_on = reader.Date(Field::kJoinedOn, true, /*past=*/true);
    if (!row.joined_on.empty() && !row.birth_date.empty() && row.joined_on <= row.birth_date) {
      reader.Fail(Field::kJoinedOn, "早于出生日期");
    }
    row.branch = reader.Line(Field::kBranch, true, 64);
    row.certificate_no = reader.Line(Field::kCertificateNo, false, 32, /*remove_spaces=*/true);
    if (outflow) {
      row.destination_code = reader.County(Field::kDestinationCode, Field::kDestinationName, true,
                                           &row.destination_name);
      if (!row.destination_code.empty() && row.destination_code == options.county) {
        reader.Fail(best.column.count(Field::kDestinationCode) ? Field::kDestinationCode
                                                               : Field::kDestinationName,
                    "流入地就是本县，不是流出");
      }
      row.left_on = reader.Date(Field::kLeftOn, true, /*past=*/true);
      row.expected_return_on = reader.Date(Field::kExpectedReturnOn, true, /*past=*/false);
      if (!row.left_on.empty() && !row.expected_return_on.empty() &&
          row.expected_return_on <= row.left_on) {
        reader.Fail(Field::kExpectedReturnOn, "不晚于外出时间");
      }
      row.employer = reader.Line(Field::kEmployer, false, 64);
      row.occupation = reader.Line(Field::kOccupation, true, 64);
      row.address = reader.Line(Field::kAddress, true, 128);
      row.phone = reader.Phone(Field::kPhone, true);
      row.liaison = reader.Line(Field::kLiaison, false, 32, /*remove_spaces=*/true);
      row.certificate_valid_until =
          reader.Date(Field::kCertificateValidUntil, false, /*past=*/false);
      if (!row.certificate_no.empty() && row.certificate_valid_until.empty()) {
        row.certificate_valid_until = row.expected_return_on;
      }
      if (!row.certificate_valid_until.empty() && !row.left_on.empty() &&
          row.certificate_valid_until <= row.left_on) {
        reader.Fail(Field::kCertificateValidUntil, "不晚于外出时间");
      }
    } else {
      row.origin_code =
          reader.County(Field::kOriginCode, Field::kOriginName, true, &row.origin_name);
      if (!row.origin_code.empty() && row.origin_code == options.county) {
        reader.Fail(best.column.count(Field::kOriginCode) ? Field::kOriginCode : Field::kOriginName,
                    "流出地就是本县，不是流入");
      }
      row.origin_branch = reader.Line(Field::kOriginBranch, false, 64);
      row.arrived_on = reader.Date(Field::kArrivedOn, true, /*past=*/true);
      row.phone = reader.Phone(Field::kPhone, false);
      row.contact_person = reader.Line(Field::kContactPerson, false, 32, /*remove_spaces=*/true);
    }
    if (reader.ok()) parsed.rows.push_back(std::move(row));
  }
  if (parsed.data_rows == 0) parsed.errors.push_back({0, "", "表头下面没有数据行"});
  return parsed;
}

}  // namespace lianxin::ledger
