// lxctl's appraisal commands against live processes (broker, registries,
// appraisal services): a year's dues, the cycle, grades and the printable
// sheet with Chinese names aligned; a bad month is refused naming the field.
#include <vector>

#include "absl/strings/str_split.h"
#include "tests/appraisal_fixture.h"
#include "tools/lxctl/table.h"

namespace lianxin::appraisal_test {
namespace {

class AppraisalLxctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<AppraisalCluster>(std::vector<std::string>{kFuyun, kTianshan});
    LX_ASSERT_OK(cluster_->Start());
    endpoints_ = cluster_->WriteEndpoints();
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << cluster_->Logs();
  }

  // Runs lxctl with `args` against Fuyun; its exit code, output in `out`.
  int Lxctl(std::vector<std::string> args, std::string* out) {
    const std::string path = cluster_->registries().dir().Sub(absl::StrCat("lxctl-", ++runs_));
    std::vector<std::string> argv = {BinDir() + "/lxctl", "--endpoints", endpoints_, "--county",
                                     kFuyun};
    argv.insert(argv.end(), args.begin(), args.end());
    absl::StatusOr<int> rc = RunProcess(argv, path);
    *out = ReadFile(path) + ReadFile(path + ".err");
    return rc.ok() ? *rc : -1;
  }

  std::unique_ptr<AppraisalCluster> cluster_;
  std::string endpoints_;
  int runs_ = 0;
};

TEST_F(AppraisalLxctlTest, ADuesYearTheCycleAndThePrintedSheet) {
  const std::string year = absl::StrCat(CountyToday().year());
  std::vector<std::string> ids;
  for (const char* name : {"阿依古丽·努尔兰", "张三", "再娜甫·加肯"}) {
    absl::StatusOr<std::string> id = cluster_->registries().Register(kFuyun, NewPerson(name));
    ASSERT_TRUE(id.ok()) << id.status();
    ASSERT_TRUE(cluster_->WaitForEvidence(kFuyun, *id, [](const auto&) { return true; }));
    ids.push_back(*id);
  }
  std::string out;
  ASSERT_EQ(Lxctl({"set-dues-base", ids[0], "--basis", "salaried", "--income-fen", "500001"}, &out),
            0)
      << out;
  EXPECT_TRUE(absl::StrContains(out, "7500 fen (75.00 元)")) << out;
  const std::string month = absl::FormatCivilTime(absl::CivilMonth(CountyToday()));
  ASSERT_EQ(Lxctl({"pay-dues", ids[0], "--months", month, "--amount-fen", "7500"}, &out), 0) << out;
  EXPECT_EQ(Lxctl({"pay-dues", ids[0], "--months", year + "-13", "--amount-fen", "7500"}, &out), 1);
  EXPECT_TRUE(absl::StrContains(out, "INVALID_ARGUMENT: months")) << out;

  ASSERT_EQ(Lxctl({"open-cycle", "--year", year}, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "3 members notified")) << out;
  const std::string cycle = absl::StrCat("cycle-", kFuyun, "-", year);
  ASSERT_EQ(Lxctl({"appraise", ids[0], "--cycle", cycle, "--grade", "excellent", "--remarks",
                   "带头致富，按时汇报"},
                  &out),
            0)
      << out;
  EXPECT_EQ(Lxctl({"appraise", ids[1], "--cycle", cycle, "--grade", "excellent"}, &out), 1);
  EXPECT_TRUE(absl::StrContains(out, "FAILED_PRECONDITION")) << out;
  EXPECT_TRUE(absl::StrContains(out, "limit is 1 of 3")) << out;
  ASSERT_EQ(Lxctl({"appraise", ids[1], "--cycle", cycle, "--grade", "qualified"}, &out), 0) << out;
  ASSERT_EQ(Lxctl({"correct-appraisal", ids[1], "--cycle", cycle, "--grade", "basically_qualified",
                   "--reason", "复核更正"},
                  &out),
            0)
      << out;

  ASSERT_EQ(Lxctl({"appraisal-sheet", "--year", year}, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "富蕴县 " + year + " 年度党员民主评议登记表")) << out;
  EXPECT_TRUE(absl::StrContains(out, "优秀名额 1 名")) << out;
  EXPECT_TRUE(absl::StrContains(out, "基本合格（已更正）")) << out;
  // The table is aligned by display width: the grade column starts at the same
  // column on the header and on every member's line.
  std::vector<std::string> lines = absl::StrSplit(out, '\n');
  int grade_column = -1;
  int rows = 0;
  for (const std::string& line : lines) {
    const size_t at = line.find("评议等次");
    if (at != std::string::npos) {
      grade_column = lxctl::DisplayWidth(line.substr(0, at));
      continue;
    }
    for (const char* grade : {"优秀", "基本合格", "未评"}) {
      const size_t g = line.find(grade);
      if (g != std::string::npos && grade_column >= 0 &&
          line.find("654322-") != std::string::npos) {
        EXPECT_EQ(lxctl::DisplayWidth(line.substr(0, g)), grade_column) << out;
        ++rows;
        break;
      }
    }
  }
  EXPECT_EQ(rows, 3) << out;

  ASSERT_EQ(Lxctl({"evidence", ids[0], "--year", year}, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "阿依古丽·努尔兰")) << out;
  EXPECT_TRUE(absl::StrContains(out, month)) << out;
  ASSERT_EQ(Lxctl({"dues-arrears", "--json"}, &out), 0) << out;
  ASSERT_EQ(Lxctl({"appraisal-notices", "--year", year}, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "sent")) << out;
  ASSERT_EQ(Lxctl({"lapse-candidates"}, &out), 0) << out;
  ASSERT_EQ(Lxctl({"probation-due"}, &out), 0) << out;
}

}  // namespace
}  // namespace lianxin::appraisal_test
