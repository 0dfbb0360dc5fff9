#include "libs/runtime/access_log.h"

#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/testing/testing.h"

namespace lianxin {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(AccessLogTest, IsReadRpc_GetAndListOnly) {
  struct Case {
    const char* method;
    bool read;
  } cases[] = {
      {"/lianxin.v1.Registry/GetMember", true},     {"/lianxin.v1.Registry/ListMembers", true},
      {"/lianxin.v1.Appraisal/GetEvidence", true},  {"/lianxin.v1.Registry/RegisterMember", false},
      {"/lianxin.v1.Registry/RecordReturn", false}, {"GetMember", true}};
  for (const Case& c : cases) EXPECT_EQ(IsReadRpc(c.method), c.read) << c.method;
}

TEST(AccessLogTest, MemberIdsIn_FindsEveryMemberIdAtAnyDepthOnce) {
  v1::ListMembersReply list;
  list.add_members()->set_member_id("654322-a");
  list.add_members()->set_member_id("654322-b");
  list.add_members()->set_member_id("654322-a");
  list.add_members();  // no id
  EXPECT_THAT(MemberIdsIn(list), ElementsAre("654322-a", "654322-b"));
  v1::GetMemberRequest get;
  get.set_member_id("654322-c");
  EXPECT_THAT(MemberIdsIn(get), ElementsAre("654322-c"));
  EXPECT_THAT(MemberIdsIn(v1::GetStatisticsRequest()), IsEmpty());
}

TEST(AccessLogTest, RecordThenRead_OneLinePerMemberWithPrincipalRpcAndTime) {
  testing::TempDir dir;
  ManualClock clock(absl::FromUnixSeconds(1796000000));
  const std::string path = AccessLogPath(dir.path(), "registry");
  {
    absl::StatusOr<std::unique_ptr<AccessLog>> log = AccessLog::Open(path, &clock);
    ASSERT_TRUE(log.ok()) << log.status();
    const Principal zhang{
        .operator_id = "op-\"zhang\"", .jurisdiction = "654322", .role = Role::kOperator};
    ASSERT_TRUE((*log)->Record(zhang, "/lianxin.v1.Registry/ListMembers", {"m-1", "m-2"}).ok());
    clock.Advance(absl::Seconds(1));
    ASSERT_TRUE((*log)->Record(zhang, "/lianxin.v1.Registry/GetMember", {}).ok());  // nothing
  }
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Reopened, it appends.
  {
    absl::StatusOr<std::unique_ptr<AccessLog>> log = AccessLog::Open(path, &clock);
    ASSERT_TRUE(log.ok()) << log.status();
    const Principal viewer{
        .operator_id = "viewer", .jurisdiction = "654322", .role = Role::kReadonly};
    ASSERT_TRUE((*log)->Record(viewer, "/lianxin.v1.Registry/GetMember", {"m-1"}).ok());
  }
  absl::StatusOr<std::vector<AccessRecord>> records = ReadAccessLog(path);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].principal, "654322/operator/op-\"zhang\"");
  EXPECT_EQ((*records)[0].rpc, "/lianxin.v1.Registry/ListMembers");
  EXPECT_EQ((*records)[0].member, "m-1");
  EXPECT_EQ((*records)[0].at, absl::FromUnixSeconds(1796000000));
  EXPECT_EQ((*records)[1].member, "m-2");
  EXPECT_EQ((*records)[2].principal, "654322/readonly/viewer");
  EXPECT_EQ((*records)[2].at, absl::FromUnixSeconds(1796000001));
}

TEST(AccessLogTest, Open_RefusesALogOthersCanRead) {
  testing::TempDir dir;
  const std::string path = dir.Sub("access-registry.log");
  std::ofstream(path) << "";
  chmod(path.c_str(), 0644);
  absl::StatusOr<std::unique_ptr<AccessLog>> log = AccessLog::Open(path, &RealClock());
  EXPECT_EQ(log.status().code(), absl::StatusCode::kPermissionDenied) << log.status();
}

TEST(AccessLogTest, Read_AMangledLineIsDataLossNamingIt) {
  testing::TempDir dir;
  const std::string path = dir.Sub("access-registry.log");
  std::ofstream(path) << "{\"at\":\"2026-12-07T08:00:00Z\",\"principal\":\"p\",\"rpc\":\"r\","
                         "\"member\":\"m\"}\nnot json\n";
  absl::StatusOr<std::vector<AccessRecord>> records = ReadAccessLog(path);
  EXPECT_EQ(records.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(records.status().message()), ::testing::HasSubstr(":2:"));
  EXPECT_EQ(ReadAccessLog(dir.Sub("none.log")).status().code(), absl::StatusCode::kNotFound);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// Two writers on one file (a service and lxaudit) keep one chain; a line
// changed, added or taken out is found, at the line after it.
TEST(AccessLogTest, TwoWritersKeepOneChain_ATamperedLineIsFound) {
  testing::TempDir dir;
  ManualClock clock(absl::FromUnixSeconds(1796000000));
  const std::string path = dir.Sub("access-registry.log");
  absl::StatusOr<std::unique_ptr<AccessLog>> service = AccessLog::Open(path, &clock);
  absl::StatusOr<std::unique_ptr<AccessLog>> auditor = AccessLog::Open(path, &clock);
  ASSERT_TRUE(service.ok() && auditor.ok());
  const Principal gateway{.operator_id = "gateway",
                          .jurisdiction = "654322",
                          .role = Role::kOperator,
                          .staff = "staff-lina"};
  ASSERT_TRUE((*service)->Record(gateway, "/lianxin.v1.Registry/GetMember", {"m-1"}).ok());
  ASSERT_TRUE((*auditor)->Record("654322/lxaudit/root", "", "lxaudit export", {"*"}).ok());
  ASSERT_TRUE((*service)->Record(gateway, "/lianxin.v1.Registry/ListMembers", {"m-1", "m-2"}).ok());
  absl::StatusOr<std::vector<AccessRecord>> records = ReadAccessLog(path);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0].staff, "staff-lina");
  EXPECT_EQ((*records)[1].principal, "654322/lxaudit/root");
  EXPECT_EQ((*records)[1].staff, "");
  EXPECT_EQ((*records)[3].member, "m-2");

  const std::string good = ReadFile(path);
  std::vector<std::string> lines = absl::StrSplit(good, '\n', absl::SkipEmpty());
  struct Case {
    const char* what;
    std::string text;
    const char* line;
  } cases[] = {
      {"a member changed",
       absl::StrReplaceAll(good, {{"\"member\":\"m-1\"", "\"member\":\"m-9\""}}), ":2:"},
      {"the first line out", absl::StrCat(lines[1], "\n", lines[2], "\n", lines[3], "\n"), ":1:"},
      {"a middle line out", absl::StrCat(lines[0], "\n", lines[2], "\n", lines[3], "\n"), ":2:"},
      {"a line added", absl::StrCat(lines[0], "\n", lines[0], "\n", lines[1], "\n"), ":2:"},
  };
  for (const Case& c : cases) {
    WriteFile(path, c.text);
    absl::StatusOr<std::vector<AccessRecord>> tampered = ReadAccessLog(path);
    EXPECT_EQ(tampered.status().code(), absl::StatusCode::kDataLoss) << c.what;
    EXPECT_THAT(std::string(tampered.status().message()), ::testing::HasSubstr(c.line)) << c.what;
  }
}

// A line from before the chain existed is kept; a line torn by a writer that
// died is not shown, and the next append cuts it off and chains on.
TEST(AccessLogTest, OlderLinesAreKept_ATornLastLineIsCutOff) {
  testing::TempDir dir;
  ManualClock clock(absl::FromUnixSeconds(1796000000));
  const std::string path = dir.Sub("access-registry.log");
  const std::string old_line =
      "{\"at\":\"2026-12-07T08:00:00Z\",\"principal\":\"p\",\"rpc\":\"r\",\"member\":\"m-0\"}\n";
  WriteFile(path, old_line + "{\"at\":\"2026-12-07T08:00:01Z\",\"princ");
  chmod(path.c_str(), 0600);
  absl::StatusOr<std::vector<AccessRecord>> before = ReadAccessLog(path);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->size(), 1u);

  absl::StatusOr<std::unique_ptr<AccessLog>> log = AccessLog::Open(path, &clock);
  ASSERT_TRUE(log.ok()) << log.status();
  const Principal viewer{
      .operator_id = "viewer", .jurisdiction = "654322", .role = Role::kReadonly};
  ASSERT_TRUE((*log)->Record(viewer, "/lianxin.v1.Registry/GetMember", {"m-1"}).ok());
  EXPECT_TRUE(absl::StartsWith(ReadFile(path), old_line));
  absl::StatusOr<std::vector<AccessRecord>> after = ReadAccessLog(path);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[1].member, "m-1");
}

}  // namespace
}  // namespace lianxin
