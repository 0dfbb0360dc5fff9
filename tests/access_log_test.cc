// Who read what: every read of a member's personal data lands in the
// service's append-only access log (owner-only), and `lxaudit access` shows
// it by member and by principal. Real registry processes, real gRPC.
#include "libs/runtime/access_log.h"

#include <sys/stat.h>

#include <fstream>
#include <iterator>

#include "gmock/gmock.h"
#include "tests/lxaudit_fixture.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

using lxaudit_test::LxauditRun;
using lxaudit_test::RunLxaudit;
using lxaudit_test::WriteEndpoints;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(AccessLogTest, ReadsAreRecordedWithPrincipalRpcAndMember_LxauditShowsThem) {
  RegistryCluster cluster({kFuyun});
  LX_ASSERT_OK(cluster.Start());
  LX_ASSERT_OK_AND_ASSIGN(std::string read, cluster.Register(kFuyun, NewPerson("张三")));
  LX_ASSERT_OK_AND_ASSIGN(std::string unread, cluster.Register(kFuyun, NewPerson("李四")));
  // Registering is no read; the operator's GetMember and the readonly
  // user's GetMemberHistory are; a refused read reads nothing.
  LX_ASSERT_OK(cluster.Get(kFuyun, read).status());
  LX_ASSERT_OK(cluster.History(kFuyun, read, std::string(kReadonlyToken)).status());
  EXPECT_EQ(cluster.Get(kFuyun, unread, std::string()).status().code(),
            absl::StatusCode::kUnauthenticated);

  const std::string log = AccessLogPath(cluster.dir().Sub(kFuyun), "registry");
  struct stat st;
  ASSERT_EQ(stat(log.c_str(), &st), 0) << log;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  LX_ASSERT_OK_AND_ASSIGN(std::vector<AccessRecord> records, ReadAccessLog(log));
  ASSERT_THAT(records, SizeIs(2));
  EXPECT_EQ(records[0].principal, absl::StrCat(kFuyun, "/operator/op-", kFuyun));
  EXPECT_EQ(records[0].rpc, "/lianxin.v1.Registry/GetMember");
  EXPECT_EQ(records[0].member, read);
  EXPECT_LE(records[0].at, absl::Now());
  EXPECT_EQ(records[1].principal, absl::StrCat(kFuyun, "/readonly/ro-", kFuyun));
  EXPECT_EQ(records[1].rpc, "/lianxin.v1.Registry/GetMemberHistory");

  const std::string endpoints = cluster.dir().Sub("endpoints.json");
  WriteEndpoints(endpoints, cluster.bootstrap(), {{kFuyun, cluster.dir().Sub(kFuyun)}});
  LxauditRun by_member =
      RunLxaudit(cluster.dir().path(), {"access", read, "--endpoints", endpoints});
  ASSERT_EQ(by_member.code, 0) << by_member.out << by_member.err;
  ASSERT_THAT(by_member.Lines(), SizeIs(2)) << by_member.out;
  EXPECT_THAT(by_member.Lines()[0], HasSubstr("/lianxin.v1.Registry/GetMember  " + read));
  EXPECT_THAT(by_member.Lines()[1], HasSubstr("/readonly/ro-"));

  LxauditRun by_principal = RunLxaudit(
      cluster.dir().path(),
      {"access", "--principal", absl::StrCat("ro-", kFuyun), "--endpoints", endpoints, "--json"});
  ASSERT_EQ(by_principal.code, 0) << by_principal.out << by_principal.err;
  ASSERT_THAT(by_principal.Lines(), SizeIs(1)) << by_principal.out;
  EXPECT_THAT(by_principal.Lines()[0], HasSubstr("\"member\":\"" + read + "\""));

  LxauditRun nobody_read =
      RunLxaudit(cluster.dir().path(), {"access", unread, "--endpoints", endpoints});
  ASSERT_EQ(nobody_read.code, 0) << nobody_read.err;
  EXPECT_THAT(nobody_read.Lines(), SizeIs(0)) << nobody_read.out;

  LxauditRun neither = RunLxaudit(cluster.dir().path(), {"access", "--endpoints", endpoints});
  EXPECT_NE(neither.code, 0);
}

// The gateway calls with its own token and names the staff member behind it;
// the log keeps both. A member-proxy cannot name one.
TEST(AccessLogTest, TheStaffMemberBehindASharedCredentialIsRecorded) {
  RegistryCluster cluster({kFuyun});
  LX_ASSERT_OK(cluster.Start());
  LX_ASSERT_OK_AND_ASSIGN(std::string member, cluster.Register(kFuyun, NewPerson("王芳")));
  LX_ASSERT_OK(
      cluster.Get(kFuyun, member, std::nullopt, {{"lianxin-staff", "staff-lina"}}).status());
  EXPECT_EQ(cluster.Get(kFuyun, member, std::nullopt, {{"lianxin-staff", "li na"}}).status().code(),
            absl::StatusCode::kUnauthenticated);

  LX_ASSERT_OK_AND_ASSIGN(std::vector<AccessRecord> records,
                          ReadAccessLog(AccessLogPath(cluster.dir().Sub(kFuyun), "registry")));
  ASSERT_THAT(records, SizeIs(1));
  EXPECT_EQ(records[0].principal, absl::StrCat(kFuyun, "/operator/op-", kFuyun));
  EXPECT_EQ(records[0].staff, "staff-lina");

  const std::string endpoints = cluster.dir().Sub("endpoints.json");
  WriteEndpoints(endpoints, cluster.bootstrap(), {{kFuyun, cluster.dir().Sub(kFuyun)}});
  LxauditRun by_staff = RunLxaudit(
      cluster.dir().path(), {"access", "--principal", "staff-lina", "--endpoints", endpoints});
  ASSERT_EQ(by_staff.code, 0) << by_staff.err;
  ASSERT_THAT(by_staff.Lines(), SizeIs(1)) << by_staff.out;
  EXPECT_THAT(by_staff.Lines()[0], HasSubstr("(staff-lina)  /lianxin.v1.Registry/GetMember"));
}

// lxaudit's own reads of personal data are recorded before it shows them, and
// a changed line of an access log is found.
TEST(AccessLogTest, TheAuditorsReadsAreRecordedAndAChangedLineBreaksTheChain) {
  RegistryCluster cluster({kFuyun});
  LX_ASSERT_OK(cluster.Start());
  LX_ASSERT_OK_AND_ASSIGN(std::string first, cluster.Register(kFuyun, NewPerson("赵敏")));
  LX_ASSERT_OK_AND_ASSIGN(std::string second, cluster.Register(kFuyun, NewPerson("钱进")));
  LX_ASSERT_OK(cluster.Get(kFuyun, first).status());
  LX_ASSERT_OK(cluster.Get(kFuyun, second).status());

  const std::string endpoints = cluster.dir().Sub("endpoints.json");
  WriteEndpoints(endpoints, cluster.bootstrap(), {{kFuyun, cluster.dir().Sub(kFuyun)}});
  LxauditRun exported = RunLxaudit(cluster.dir().path(), {"export", "--member", first, "--service",
                                                          "registry", "--endpoints", endpoints});
  ASSERT_EQ(exported.code, 0) << exported.err;
  LxauditRun everything = RunLxaudit(cluster.dir().path(),
                                     {"export", "--service", "registry", "--endpoints", endpoints});
  ASSERT_EQ(everything.code, 0) << everything.err;

  LxauditRun reads = RunLxaudit(cluster.dir().path(), {"access", first, "--endpoints", endpoints});
  ASSERT_EQ(reads.code, 0) << reads.err;
  // The GetMember, the export of this member and the export of all.
  ASSERT_THAT(reads.Lines(), SizeIs(3)) << reads.out;
  EXPECT_THAT(reads.out, HasSubstr(absl::StrCat(kFuyun, "/lxaudit/")));
  EXPECT_THAT(reads.out, HasSubstr("lxaudit export  " + first));
  EXPECT_THAT(reads.out, HasSubstr("lxaudit export  *"));

  // Someone with the disk takes the first read out of the service's log.
  const std::string log = AccessLogPath(cluster.dir().Sub(kFuyun), "registry");
  std::string text;
  {
    std::ifstream in(log);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const size_t first_line_end = text.find('\n');
  ASSERT_NE(first_line_end, std::string::npos);
  {
    std::ofstream out(log, std::ios::trunc);
    out << text.substr(first_line_end + 1);
  }
  LxauditRun broken =
      RunLxaudit(cluster.dir().path(), {"access", second, "--endpoints", endpoints});
  EXPECT_NE(broken.code, 0) << broken.out;
  EXPECT_THAT(broken.err, HasSubstr("access-registry.log:1: the access log's chain is broken"));
}

}  // namespace
}  // namespace lianxin::registry_test
