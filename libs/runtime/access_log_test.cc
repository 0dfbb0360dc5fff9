#include "libs/runtime/access_log.h"

#include <sys/stat.h>

#include <fstream>

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

}  // namespace
}  // namespace lianxin
