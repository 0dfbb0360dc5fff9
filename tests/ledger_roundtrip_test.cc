// lxctl import and export of ledgers (台账) against real registry processes:
// a county's own outflow ledger, with full ID numbers, imported into an empty
// county and exported again gives every field back, the ID number masked; a
// second import (and an interrupted one resumed) changes nothing; the
// exported .xlsx reads the same in an independent reader (openpyxl); the dirty
// ledgers of tests/ledger/corpus give exactly their expected dry-run reports
// and write nothing.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libs/ledger/ledger.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

std::string SourceDir() {
  const char* dir = std::getenv("LIANXIN_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

class LedgerTest : public RegistryClusterTest {
 protected:
  std::vector<std::string> Counties() const override { return {kFuyun, kTianshan}; }

  void SetUp() override {
    RegistryClusterTest::SetUp();
    const std::string path = cluster().dir().Sub("endpoints.json");
    std::ofstream out(path);
    out << "{\"kafka\": \"" << cluster().bootstrap() << "\", " << cluster().EndpointsTlsJson()
        << "\"counties\": {";
    const char* sep = "";
    for (const auto& [county, name] :
         {std::pair<std::string, std::string>{kFuyun, "富蕴县"}, {kTianshan, "乌鲁木齐市天山区"}}) {
      out << sep << "\"" << county << "\": {\"name\": \"" << name << "\", \"token\": \""
          << OperatorToken(county) << "\", \"registry\": \"" << cluster().address(county) << "\"}";
      sep = ", ";
    }
    out << "}}\n";
    endpoints_ = path;
  }

  // Runs lxctl as Fuyun; its exit code, stdout and stderr in `out`.
  int Lxctl(std::vector<std::string> args, std::string* out) {
    const std::string path = cluster().dir().Sub(absl::StrCat("lxctl-", ++runs_));
    std::vector<std::string> argv = {BinDir() + "/lxctl", "--endpoints", endpoints_, "--county",
                                     kFuyun};
    argv.insert(argv.end(), args.begin(), args.end());
    absl::StatusOr<int> rc = RunProcess(argv, path);
    *out = ReadFile(path) + ReadFile(path + ".err");
    return rc.ok() ? *rc : -1;
  }

  std::map<std::string, uint64_t> Versions(const std::string& county) {
    std::map<std::string, uint64_t> versions;
    absl::StatusOr<std::vector<v1::Member>> members = cluster().ListAll(county);
    EXPECT_TRUE(members.ok()) << members.status();
    if (members.ok()) {
      for (const v1::Member& m : *members) versions[m.member_id()] = m.version();
    }
    return versions;
  }

  std::string endpoints_;
  int runs_ = 0;
};

const std::vector<std::string> kColumns = {
    "序号",     "姓名",       "性别",       "出生年份", "身份证号", "人员类别",      "预备党员",
    "入党时间", "所在支部",   "流入地代码", "流入地",   "外出时间", "预计返回时间",  "工作单位",
    "从事职业", "现居住地址", "联系电话",   "联络人",   "活动证号", "活动证有效期至"};

struct SourceRow {
  std::vector<std::string> cells;  // in kColumns order
  std::string id_number;
};

// A county's own ledger: full ID numbers, every column filled the way the
// export writes it.
std::vector<SourceRow> SourceLedger() {
  struct Spec {
    const char* name;
    const char* gender;
    int year;
    const char* category;
    const char* destination;
    const char* place;
    const char* certificate;
  };
  const std::vector<Spec> specs = {
      {"阿依古丽·努尔兰", "女", 1987, "农牧民", "650102", "乌鲁木齐市天山区", "HD2026001"},
      {"张建军", "男", 1979, "退役军人", "440305", "深圳市南山区", ""},
      {"再娜甫·加肯", "女", 1990, "高校毕业生", "650102", "乌鲁木齐市天山区", "HD2026003"},
      {"刘长青", "男", 1975, "下岗失业人员", "654301", "阿勒泰市", ""},
      {"马丽", "女", 1985, "企业职工", "440305", "深圳市南山区", "HD2026005"},
      {"叶尔兰·别克", "男", 1992, "其他", "650102", "乌鲁木齐市天山区", ""},
  };
  std::vector<SourceRow> rows;
  int n = 0;
  for (const Spec& s : specs) {
    ++n;
    const absl::CivilDay birth(s.year, 1 + n, 10 + n);
    const int sequence = 100 + n * 2 + (std::string(s.gender) == "男" ? 1 : 0);
    const std::string id = ResidentId(kFuyun, birth, sequence);
    SourceRow row;
    row.id_number = id;
    row.cells = {absl::StrCat(n),
                 s.name,
                 s.gender,
                 absl::StrCat(s.year),
                 id,
                 s.category,
                 "否",
                 absl::StrCat(s.year + 25, "-07-01"),
                 n % 2 == 0 ? "杜热镇党支部" : "库额尔齐斯镇第一党支部",
                 s.destination,
                 s.place,
                 absl::StrCat("2026-0", n, "-05"),
                 absl::StrCat("2027-0", n, "-05"),
                 n % 3 == 0 ? "" : absl::StrCat("新疆建工集团第", n, "分公司"),
                 "建筑工人",
                 absl::StrCat("新华路", n, "号，金山大厦", n, "楼"),
                 absl::StrCat("1390000000", n),
                 n % 2 == 0 ? "王建国" : "刘芳",
                 s.certificate,
                 std::string(s.certificate).empty() ? "" : absl::StrCat("2027-0", n, "-05")};
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string CsvLine(const std::vector<std::string>& cells) {
  std::vector<std::string> quoted;
  for (const std::string& c : cells) {
    quoted.push_back(absl::StrContains(c, ",") ? absl::StrCat("\"", c, "\"") : c);
  }
  return absl::StrCat(absl::StrJoin(quoted, ","), "\r\n");
}

std::string WriteSource(const std::string& path, const std::vector<SourceRow>& rows) {
  std::string text = absl::StrCat("\xEF\xBB\xBF", "富蕴县流出党员台账\r\n", CsvLine(kColumns));
  for (const SourceRow& row : rows) absl::StrAppend(&text, CsvLine(row.cells));
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST_F(LedgerTest, RoundTrip_EveryFieldComesBackButTheIdNumberMasked_ReimportChangesNothing) {
  const std::vector<SourceRow> rows = SourceLedger();
  const std::string full = WriteSource(cluster().dir().Sub("source.csv"), rows);
  // An import interrupted after three rows, then resumed with the whole file.
  const std::string part = WriteSource(cluster().dir().Sub("part.csv"),
                                       std::vector<SourceRow>(rows.begin(), rows.begin() + 3));
  std::string out;
  ASSERT_EQ(Lxctl({"import", "--ledger", "outflow", "--file", part}, &out), 0) << out;
  const std::map<std::string, uint64_t> after_part = Versions(kFuyun);
  ASSERT_EQ(after_part.size(), 3u);
  ASSERT_EQ(Lxctl({"import", "--ledger", "outflow", "--file", full}, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "成功 6 行")) << out;
  const std::map<std::string, uint64_t> after_full = Versions(kFuyun);
  ASSERT_EQ(after_full.size(), rows.size());
  for (const auto& [id, version] : after_part) EXPECT_EQ(after_full.at(id), version) << id;

  const std::string csv = cluster().dir().Sub("export.csv");
  const std::string xlsx = cluster().dir().Sub("export.xlsx");
  // Read 4 rows a call: the 6 rows come on two pages, and the ledger holds them all.
  ASSERT_EQ(Lxctl({"export", "--report", "outflow", "--output", csv, "--page-size", "4"}, &out), 0)
      << out;
  ASSERT_EQ(Lxctl({"export", "--report", "outflow", "--output", xlsx}, &out), 0) << out;
  EXPECT_EQ(std::filesystem::status(xlsx).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);

  absl::StatusOr<ledger::Grid> grid = ledger::ReadCsv(ReadFile(csv));
  ASSERT_TRUE(grid.ok()) << grid.status();
  ASSERT_EQ(grid->size(), rows.size() + 2);
  EXPECT_TRUE(absl::StrContains((*grid)[0][0].text, "富蕴县流出党员台账")) << (*grid)[0][0].text;
  std::map<std::string, size_t> column;
  for (size_t c = 0; c < (*grid)[1].size(); ++c) column[(*grid)[1][c].text] = c;
  for (const SourceRow& source : rows) {
    const auto exported = std::find_if(grid->begin() + 2, grid->end(), [&](const auto& r) {
      return r.size() > column["姓名"] && r[column["姓名"]].text == source.cells[1];
    });
    ASSERT_NE(exported, grid->end()) << source.cells[1];
    for (size_t c = 1; c < kColumns.size(); ++c) {
      ASSERT_TRUE(column.count(kColumns[c])) << kColumns[c];
      const std::string& got = (*exported)[column[kColumns[c]]].text;
      if (kColumns[c] == "身份证号") {
        const std::string& id = source.id_number;
        EXPECT_NE(got, id);
        EXPECT_TRUE(absl::EndsWith(got, id.substr(14))) << got;
        EXPECT_FALSE(absl::StrContains(got, id.substr(6, 8))) << "birth date visible: " << got;
      } else {
        EXPECT_EQ(got, source.cells[c]) << source.cells[1] << " " << kColumns[c];
      }
    }
    EXPECT_EQ((*exported)[column["状态"]].text, "已流出，待流入地接收");
  }

  // The .xlsx shows the same cells to an independent reader.
  const std::string compare = cluster().dir().Sub("compare.out");
  absl::StatusOr<int> rc = RunProcess(
      {"/usr/bin/python3", SourceDir() + "/tests/ledger/compare_xlsx_csv.py", xlsx, csv}, compare);
  ASSERT_TRUE(rc.ok()) << rc.status();
  EXPECT_EQ(*rc, 0) << ReadFile(compare) << ReadFile(compare + ".err");

  // The county's other registry reports export too.
  const std::string members = cluster().dir().Sub("members.xlsx");
  ASSERT_EQ(Lxctl({"export", "--report", "members", "--output", members, "--page-size", "1"}, &out),
            0)
      << out;
  EXPECT_TRUE(absl::StrContains(out, "已导出党员名册 6 行")) << out;
  const std::string lost = cluster().dir().Sub("lost.csv");
  ASSERT_EQ(Lxctl({"export", "--report", "lost-transfers", "--output", lost}, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "已导出接转回执逾期 0 行")) << out;
  EXPECT_EQ(
      Lxctl({"export", "--report", "outflow", "--output", cluster().dir().Sub("x.pdf")}, &out), 2)
      << out;

  // The same file again: every row answered from the first import.
  ASSERT_EQ(Lxctl({"import", "--ledger", "outflow", "--file", full}, &out), 0) << out;
  EXPECT_EQ(Versions(kFuyun), after_full);
  ASSERT_EQ(Lxctl({"import", "--ledger", "outflow", "--file", full, "--dry-run"}, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "已导入过 6 行")) << out;
  EXPECT_EQ(Versions(kFuyun), after_full);
}

TEST_F(LedgerTest, InflowRoundTrip_ArrivalsFromAnOriginOffLianxinComeBackField_ByField) {
  const std::vector<std::string> columns = {
      "姓名",       "性别",       "出生年份", "身份证号", "人员类别", "预备党员", "入党时间",
      "流出地代码", "原所在支部", "所在支部", "流入时间", "联系电话", "活动证号"};
  std::string text = absl::StrCat("\xEF\xBB\xBF", CsvLine(columns));
  std::vector<std::vector<std::string>> rows;
  const char* names[] = {"何小兵", "王淑芬", "彭丽"};
  for (int n = 0; n < 3; ++n) {
    const absl::CivilDay birth(1980 + n, 3, 3 + n);
    const std::string id = ResidentId("510722", birth, 200 + n);
    rows.push_back({names[n], (id[16] - '0') % 2 ? "男" : "女", absl::StrCat(1980 + n), id,
                    "农牧民", n == 2 ? "是" : "否", absl::StrCat(2005 + n, "-07-01"), "510722",
                    "三台县石安镇党支部", "富蕴县流动党员党支部", absl::StrCat("2026-04-1", n),
                    absl::StrCat("1380000002", n), n == 0 ? "SC2026-17" : ""});
    absl::StrAppend(&text, CsvLine(rows.back()));
  }
  const std::string source = cluster().dir().Sub("inflow.csv");
  std::ofstream(source, std::ios::binary) << text;
  std::string out;
  ASSERT_EQ(Lxctl({"import", "--ledger", "inflow", "--file", source}, &out), 0) << out;
  const std::string csv = cluster().dir().Sub("inflow-export.csv");
  ASSERT_EQ(Lxctl({"export", "--report", "inflow", "--output", csv}, &out), 0) << out;
  absl::StatusOr<ledger::Grid> grid = ledger::ReadCsv(ReadFile(csv));
  ASSERT_TRUE(grid.ok()) << grid.status();
  ASSERT_EQ(grid->size(), rows.size() + 2);
  std::map<std::string, size_t> column;
  for (size_t c = 0; c < (*grid)[1].size(); ++c) column[(*grid)[1][c].text] = c;
  for (const auto& source_row : rows) {
    const auto exported = std::find_if(grid->begin() + 2, grid->end(), [&](const auto& r) {
      return r.size() > column["姓名"] && r[column["姓名"]].text == source_row[0];
    });
    ASSERT_NE(exported, grid->end()) << source_row[0];
    for (size_t c = 0; c < columns.size(); ++c) {
      ASSERT_TRUE(column.count(columns[c])) << columns[c];
      const std::string& got = (*exported)[column[columns[c]]].text;
      if (columns[c] == "身份证号") {
        EXPECT_NE(got, source_row[c]);
        EXPECT_TRUE(absl::EndsWith(got, source_row[c].substr(14))) << got;
      } else {
        EXPECT_EQ(got, source_row[c]) << source_row[0] << " " << columns[c];
      }
    }
    EXPECT_EQ((*exported)[column["状态"]].text, "已报到");
  }
}

// The dry-run report with member ids (derived from a deployment key) replaced.
std::string Normalized(const std::string& report) {
  static const std::regex kMemberId("[0-9]{6}-[0-9a-f]{16}");
  return std::regex_replace(report, kMemberId, "<成员>");
}

TEST_F(LedgerTest, DirtyCorpus_DryRunReportsEveryFailingRowByRowAndColumn_WritesNothing) {
  const std::string corpus = SourceDir() + "/tests/ledger/corpus";
  // The members the duplicate rows collide with: one here, one elsewhere.
  const std::vector<std::string> lines =
      absl::StrSplit(ReadFile(corpus + "/preregistered.tsv"), '\n');
  for (const std::string& line : lines) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() != 3 || absl::StartsWith(line, "#")) continue;
    Person person{f[1], f[2],
                  absl::StrCat(f[2].substr(6, 4), "-", f[2].substr(10, 2), "-", f[2].substr(12, 2)),
                  absl::StrCat(std::stoi(f[2].substr(6, 4)) + 25, "-07-01")};
    LX_ASSERT_OK_AND_ASSIGN(std::string member, cluster().Register(f[0], person));
    ASSERT_TRUE(cluster().WaitForIdentity(kFuyun, person, member)) << f[1];
  }
  const std::map<std::string, uint64_t> before = Versions(kFuyun);
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, ".csv") || absl::EndsWith(name, ".xlsx")) files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 3u);
  for (const std::string& name : files) {
    std::string out;
    const int rc =
        Lxctl({"import", "--ledger", absl::StrContains(name, "流入") ? "inflow" : "outflow",
               "--file", corpus + "/" + name, "--dry-run", "--today", "2026-12-07"},
              &out);
    const std::string expected_path = corpus + "/" + name + ".expected";
    if (std::getenv("LEDGER_UPDATE_EXPECTED") != nullptr) {
      std::ofstream(expected_path, std::ios::binary) << Normalized(out);
    }
    EXPECT_EQ(rc, 1) << name;
    EXPECT_EQ(Normalized(out), ReadFile(expected_path)) << name;
  }
  EXPECT_EQ(Versions(kFuyun), before);
}

}  // namespace
}  // namespace lianxin::registry_test
