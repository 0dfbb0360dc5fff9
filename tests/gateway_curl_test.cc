// lxgateway in front of a real county (lianxin-broker, Fuyun's four services),
// driven with curl over HTTPS as another government system would: one call and
// one error with its details per service, the credentials forwarded and never
// widened, and the staff session (cookie flags, CSRF, readonly, rate limit).
#include <algorithm>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "lianxin/v1/appraisal.pb.h"
#include "lianxin/v1/contact.pb.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/ledger/ledger.h"
#include "libs/runtime/access_log.h"
#include "tests/education_fixture.h"
#include "tests/registry_fixture.h"
#include "tools/lxgateway/staff.h"

namespace lianxin::registry_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// One HTTP exchange as curl saw it.
struct Exchange {
  int http = 0;
  std::string body;
  std::string headers;
  google::protobuf::Struct json;

  std::string Str(const std::string& key) const {
    auto it = json.fields().find(key);
    return it == json.fields().end() ? "" : it->second.string_value();
  }
};

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out).ok());
  return out;
}

class GatewayCurlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new RegistryCluster({kFuyun, kTianshan});
    LX_ASSERT_OK(cluster_->Start());
    const TempDir& dir = cluster_->dir();
    std::vector<std::string> flags = {"--jurisdiction=" + std::string(kFuyun),
                                      "--jurisdiction_name=富蕴县",
                                      "--backend_ca=" + cluster_->tls().ca_file};
    for (const char* service : {"contact", "education", "appraisal"}) {
      absl::StatusOr<RegistryCluster::ServiceProcess> started =
          cluster_->StartService(service, kFuyun);
      ASSERT_TRUE(started.ok()) << started.status();
      flags.push_back(absl::StrCat("--", service, "=", started->address));
      services_.push_back(std::move(started->process));
    }
    flags.push_back("--registry=" + cluster_->address(kFuyun));
    // A self-signed certificate for 127.0.0.1, made for this run.
    absl::StatusOr<int> made = RunProcess(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", dir.Sub("gw.key"), "-out", dir.Sub("gw.pem")},
        dir.Sub("openssl.out"));
    ASSERT_TRUE(made.ok() && *made == 0) << ReadFile(dir.Sub("openssl.out.err"));
    // A client CA and a certificate of another government system, which has a
    // readonly `cert:` account.
    for (const std::vector<std::string>& step : std::vector<std::vector<std::string>>{
             {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
              "-nodes", "-days", "1", "-subj", "/CN=clients", "-keyout", dir.Sub("client-ca.key"),
              "-out", dir.Sub("client-ca.pem")},
             {"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
              "-subj", "/CN=social-insurance", "-keyout", dir.Sub("client.key"), "-out",
              dir.Sub("client.csr")},
             {"openssl", "x509", "-req", "-in", dir.Sub("client.csr"), "-CA",
              dir.Sub("client-ca.pem"), "-CAkey", dir.Sub("client-ca.key"), "-CAcreateserial",
              "-days", "1", "-out", dir.Sub("client.pem")}}) {
      absl::StatusOr<int> done = RunProcess(step, dir.Sub("openssl.out"));
      ASSERT_TRUE(done.ok() && *done == 0) << ReadFile(dir.Sub("openssl.out.err"));
    }
    {
      std::ofstream accounts(dir.Sub("staff.txt"));
      accounts << "cert:social-insurance readonly " << kFuyun << " - 社保系统\n";
      accounts << "lina operator " << kFuyun << " " << gateway::HashPassword("富蕴-口令-1")
               << " 组织部 李娜\n"
               << "wangjun readonly " << kFuyun << " " << gateway::HashPassword("只读-口令-2")
               << " 王军\n"
               << "zhaomin operator " << kFuyun << " " << gateway::HashPassword("富蕴-口令-4")
               << " 组织部 赵敏\n"
               << "tianshan operator " << kTianshan << " " << gateway::HashPassword("天山-3")
               << " 天山区 张伟\n";
    }
    flags.insert(
        flags.begin(),
        {BinDir() + "/lxgateway", "--listen=127.0.0.1:0", "--tls_cert=" + dir.Sub("gw.pem"),
         "--tls_key=" + dir.Sub("gw.key"), "--accounts_file=" + dir.Sub("staff.txt"),
         "--credentials_file=" + dir.Sub("operator-tokens.txt"), "--sign_in_failures=3",
         "--member_pins_file=" + dir.Sub("member-pins.txt"),
         "--tls_client_ca=" + dir.Sub("client-ca.pem")});
    absl::StatusOr<std::unique_ptr<ChildProcess>> gateway =
        ChildProcess::Start(flags, dir.Sub("gateway.log"));
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = gateway->release();
    absl::StatusOr<std::string> line = gateway_->WaitForLine("listening ", absl::Seconds(30));
    ASSERT_TRUE(line.ok()) << line.status() << TailOfFile(dir.Sub("gateway.log"), 10);
    base_url_ = line->substr(std::string("listening ").size());
  }
  static void TearDownTestSuite() {
    delete gateway_;
    for (auto& s : services_) s.reset();
    services_.clear();
    delete cluster_;
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << TailOfFile(cluster_->dir().Sub("gateway.log"), 20);
  }

  // POSTs `body` to `path` with curl; `headers` as "Name: value".
  static Exchange Post(const std::string& path, const std::string& body,
                       std::vector<std::string> headers = {},
                       const std::vector<std::string>& curl_flags = {}) {
    static int n = 0;
    const TempDir& dir = cluster_->dir();
    const std::string stem = dir.Sub(absl::StrCat("curl-", n++));
    std::ofstream(stem + ".body") << body;
    std::vector<std::string> args = {"curl",
                                     "-sS",
                                     "--cacert",
                                     dir.Sub("gw.pem"),
                                     "-X",
                                     "POST",
                                     "-D",
                                     stem + ".headers",
                                     "-o",
                                     stem + ".reply",
                                     "-w",
                                     "%{http_code}",
                                     "--data-binary",
                                     "@" + stem + ".body"};
    if (std::none_of(headers.begin(), headers.end(), [](const std::string& h) {
          return absl::StartsWithIgnoreCase(h, "content-type:");
        })) {
      headers.insert(headers.begin(), "Content-Type: application/json");
    }
    for (const std::string& h : headers) args.insert(args.end(), {"-H", h});
    args.insert(args.end(), curl_flags.begin(), curl_flags.end());
    args.push_back(base_url_ + path);
    Exchange out;
    absl::StatusOr<int> code = RunProcess(args, stem + ".out");
    EXPECT_TRUE(code.ok() && *code == 0) << ReadFile(stem + ".out.err");
    out.http = std::atoi(ReadFile(stem + ".out").c_str());
    out.body = ReadFile(stem + ".reply");
    out.headers = ReadFile(stem + ".headers");
    if (!out.body.empty() &&
        absl::StrContains(absl::AsciiStrToLower(out.headers), "content-type: application/json")) {
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(out.body, &out.json).ok())
          << out.body;
    }
    return out;
  }
  static Exchange AsOperator(const std::string& path, const std::string& body) {
    return Post(path, body, {"Authorization: Bearer " + OperatorToken(kFuyun)});
  }
  // Registers a member of Fuyun through the gateway; returns the id.
  static std::string Register(const std::string& name) {
    Exchange e = AsOperator("/lianxin.v1.Registry/RegisterMember",
                            Json(Registration(kFuyun, NewPerson(name))));
    EXPECT_EQ(e.http, 200) << e.body;
    return e.Str("memberId");
  }

  // The first detail's debug object of a Connect error.
  static google::protobuf::Struct Debug(const Exchange& e) {
    auto it = e.json.fields().find("details");
    if (it == e.json.fields().end() || it->second.list_value().values_size() == 0) return {};
    const auto& detail = it->second.list_value().values(0).struct_value().fields();
    return detail.count("debug") ? detail.at("debug").struct_value() : google::protobuf::Struct();
  }

  static RegistryCluster* cluster_;
  static std::vector<std::unique_ptr<ChildProcess>> services_;
  static ChildProcess* gateway_;
  static std::string base_url_;
};

RegistryCluster* GatewayCurlTest::cluster_ = nullptr;
std::vector<std::unique_ptr<ChildProcess>> GatewayCurlTest::services_;
ChildProcess* GatewayCurlTest::gateway_ = nullptr;
std::string GatewayCurlTest::base_url_;

TEST_F(GatewayCurlTest, Registry_RegistersAndReadsAMember_AndABadEnumNamesTheFieldInDetails) {
  const std::string id = Register("古丽娜尔");
  ASSERT_FALSE(id.empty());
  v1::GetMemberRequest get;
  get.set_member_id(id);
  Exchange got = AsOperator("/lianxin.v1.Registry/GetMember", Json(get));
  ASSERT_EQ(got.http, 200) << got.body;
  EXPECT_THAT(got.body, HasSubstr("古丽娜尔"));
  EXPECT_THAT(got.headers, HasSubstr("application/json"));

  // protobuf's JSON mapping refuses the value before any service sees it.
  std::string bad = Json(Registration(kFuyun, NewPerson("错误类别")));
  bad.replace(bad.find("MEMBER_CATEGORY_FARMER"), 22, "MEMBER_CATEGORY_ASTRONAUT");
  Exchange refused = AsOperator("/lianxin.v1.Registry/RegisterMember", bad);
  EXPECT_EQ(refused.http, 400);
  EXPECT_EQ(refused.Str("code"), "invalid_argument") << refused.body;
  ASSERT_THAT(refused.body, HasSubstr("fieldViolations")) << refused.body;
  const google::protobuf::Struct debug = Debug(refused);
  const auto& violation =
      debug.fields().at("fieldViolations").list_value().values(0).struct_value();
  EXPECT_EQ(violation.fields().at("field").string_value(), "category");

  // A member nobody registered: the service's own error, its code in lower snake case.
  get.set_member_id("m-does-not-exist");
  Exchange missing = AsOperator("/lianxin.v1.Registry/GetMember", Json(get));
  EXPECT_EQ(missing.http, 404) << missing.body;
  EXPECT_EQ(missing.Str("code"), "not_found");
  EXPECT_THAT(missing.Str("message"), HasSubstr("member_id"));
}

TEST_F(GatewayCurlTest, ContactTracking_OpensATicket_AndAnUnknownFieldIsRefusedWithDetails) {
  v1::OpenConsultationRequest open;
  open.set_request_id(NewRequestId("ticket"));
  open.set_jurisdiction(kFuyun);
  open.set_caller_name("哈力木");
  open.set_caller_phone("13900000000");
  open.set_topic("转接组织关系");
  open.set_question("在乌鲁木齐打工，组织关系怎么转？");
  Exchange opened = AsOperator("/lianxin.v1.ContactTracking/OpenConsultation", Json(open));
  ASSERT_EQ(opened.http, 200) << opened.body;
  EXPECT_FALSE(opened.Str("ticketId").empty());

  Exchange refused =
      AsOperator("/lianxin.v1.ContactTracking/GetContactStatistics", R"({"jurisdiction": "654322",
                 "favouriteColour": "red"})");
  EXPECT_EQ(refused.http, 400);
  EXPECT_EQ(refused.Str("code"), "invalid_argument");
  EXPECT_EQ(Debug(refused).fields().at("fieldViolations").list_value().values_size(), 1);
}

TEST_F(GatewayCurlTest, EducationScheduling_AClashIsAFailedPreconditionNamingTheRule) {
  v1::CreateCourseRequest course;
  course.set_request_id(NewRequestId("course"));
  course.set_jurisdiction(kFuyun);
  course.set_title("党章学习");
  course.set_topic(v1::COURSE_TOPIC_PARTY_BUILDING);
  course.set_mode(v1::COURSE_MODE_MOBILE_CLASSROOM);
  course.set_hours(2);
  Exchange created = AsOperator("/lianxin.v1.EducationScheduling/CreateCourse", Json(course));
  ASSERT_EQ(created.http, 200) << created.body;
  const std::string course_id = created.Str("courseId");
  Exchange first =
      AsOperator("/lianxin.v1.EducationScheduling/ScheduleSession",
                 Json(education_test::SessionAt(course_id, 48, 2, "杜热乡村委会", "组织部努尔兰")));
  ASSERT_EQ(first.http, 200) << first.body;
  Exchange clash =
      AsOperator("/lianxin.v1.EducationScheduling/ScheduleSession",
                 Json(education_test::SessionAt(course_id, 49, 2, "库额尔齐斯镇", "组织部努尔兰")));
  EXPECT_EQ(clash.http, 400) << clash.body;
  EXPECT_EQ(clash.Str("code"), "failed_precondition");
  EXPECT_THAT(clash.Str("message"), HasSubstr("lecturer"));
  EXPECT_THAT(clash.Str("message"), HasSubstr("R12"));
}

TEST_F(GatewayCurlTest, Appraisal_SetsADuesBase_AndAnotherCountysCycleIsRefused) {
  const std::string id = Register("巴合提");
  v1::SetDuesBaseRequest dues;
  dues.set_request_id(NewRequestId("dues"));
  dues.set_member_id(id);
  dues.set_monthly_income_fen(400000);
  dues.set_basis(v1::DUES_BASIS_SALARIED);
  Exchange set;
  // The appraisal service learns of the member from the registry's stream.
  ASSERT_TRUE(WaitFor(
      [&] {
        dues.set_request_id(NewRequestId("dues"));
        set = AsOperator("/lianxin.v1.Appraisal/SetDuesBase", Json(dues));
        return set.http == 200;
      },
      kDeliveryTimeout))
      << set.body;
  EXPECT_EQ(set.json.fields().at("monthlyDuesFen").string_value(), "4000");  // R10: 1 %

  v1::OpenCycleRequest cycle;
  cycle.set_request_id(NewRequestId("cycle"));
  cycle.set_jurisdiction(kTianshan);
  cycle.set_year(2026);
  Exchange refused = AsOperator("/lianxin.v1.Appraisal/OpenCycle", Json(cycle));
  EXPECT_EQ(refused.http, 400) << refused.body;
  EXPECT_EQ(refused.Str("code"), "invalid_argument");
  EXPECT_THAT(refused.Str("message"), HasSubstr("jurisdiction"));
}

TEST_F(GatewayCurlTest, Credentials_AreForwardedAndNeverWidened) {
  v1::GetStatisticsRequest stats;
  stats.set_jurisdiction(kFuyun);
  Exchange anonymous = Post("/lianxin.v1.Registry/GetStatistics", Json(stats));
  EXPECT_EQ(anonymous.http, 401);
  EXPECT_EQ(anonymous.Str("code"), "unauthenticated");
  Exchange forged = Post("/lianxin.v1.Registry/GetStatistics", Json(stats),
                         {"Authorization: Bearer not-a-token"});
  EXPECT_EQ(forged.http, 401);
  Exchange read = Post("/lianxin.v1.Registry/GetStatistics", Json(stats),
                       {absl::StrCat("Authorization: Bearer ", kReadonlyToken)});
  EXPECT_EQ(read.http, 200) << read.body;
  Exchange write =
      Post("/lianxin.v1.Registry/RegisterMember", Json(Registration(kFuyun, NewPerson("只读者"))),
           {absl::StrCat("Authorization: Bearer ", kReadonlyToken)});
  EXPECT_EQ(write.http, 403) << write.body;
  Exchange nowhere = AsOperator("/lianxin.v1.Registry/DropEverything", "{}");
  EXPECT_EQ(nowhere.http, 404);
  Exchange form =
      Post("/lianxin.v1.Registry/GetStatistics", Json(stats), {"Content-Type: text/plain"});
  EXPECT_EQ(form.http, 415);
}

TEST_F(GatewayCurlTest, ClientCertificate_ActsAsItsAccountsRole) {
  v1::GetStatisticsRequest stats;
  stats.set_jurisdiction(kFuyun);
  const std::vector<std::string> cert = {"--cert", cluster_->dir().Sub("client.pem"), "--key",
                                         cluster_->dir().Sub("client.key")};
  Exchange read = Post("/lianxin.v1.Registry/GetStatistics", Json(stats), {}, cert);
  EXPECT_EQ(read.http, 200) << read.body;
  EXPECT_EQ(read.json.fields().at("outflowCount").string_value().empty(), false);
  Exchange write = Post("/lianxin.v1.Registry/RegisterMember",
                        Json(Registration(kFuyun, NewPerson("证书写入"))), {}, cert);
  EXPECT_EQ(write.http, 403) << write.body;
}

// The session cookie of a sign-in's headers ("lx_session=…").
std::string SessionCookie(const std::string& headers) {
  for (absl::string_view line : absl::StrSplit(headers, '\n')) {
    if (absl::StartsWithIgnoreCase(line, "set-cookie: ")) {
      line.remove_prefix(12);
      return std::string(line.substr(0, line.find(';')));
    }
  }
  return "";
}

TEST_F(GatewayCurlTest, StaffSession_CookieIsHttpOnlySecureStrict_CallsNeedTheCsrfToken) {
  Exchange signed_in = Post("/lianxin.gateway.v1.StaffSession/SignIn",
                            R"({"username": "lina", "password": "富蕴-口令-1"})");
  ASSERT_EQ(signed_in.http, 200) << signed_in.body;
  EXPECT_THAT(signed_in.headers, HasSubstr("HttpOnly"));
  EXPECT_THAT(signed_in.headers, HasSubstr("Secure"));
  EXPECT_THAT(signed_in.headers, HasSubstr("SameSite=Strict"));
  EXPECT_EQ(signed_in.Str("displayName"), "组织部 李娜");
  EXPECT_EQ(signed_in.Str("jurisdictionName"), "富蕴县");
  const std::string cookie = "Cookie: " + SessionCookie(signed_in.headers);
  const std::string csrf = "X-CSRF-Token: " + signed_in.Str("csrfToken");

  v1::GetStatisticsRequest stats;
  stats.set_jurisdiction(kFuyun);
  EXPECT_EQ(Post("/lianxin.v1.Registry/GetStatistics", Json(stats), {cookie}).http, 403);
  EXPECT_EQ(
      Post("/lianxin.v1.Registry/GetStatistics", Json(stats), {cookie, "X-CSRF-Token: 0"}).http,
      403);
  Exchange ok = Post("/lianxin.v1.Registry/GetStatistics", Json(stats), {cookie, csrf});
  EXPECT_EQ(ok.http, 200) << ok.body;

  // The registry's access log names the person behind the gateway's token.
  v1::GetMemberRequest get;
  get.set_member_id(Register("阿依古丽"));
  Exchange got = Post("/lianxin.v1.Registry/GetMember", Json(get), {cookie, csrf});
  ASSERT_EQ(got.http, 200) << got.body;
  absl::StatusOr<std::vector<AccessRecord>> reads =
      ReadAccessLog(AccessLogPath(cluster_->dir().Sub(kFuyun), "registry"));
  ASSERT_TRUE(reads.ok()) << reads.status();
  auto read = std::find_if(reads->begin(), reads->end(),
                           [&](const AccessRecord& r) { return r.member == get.member_id(); });
  ASSERT_NE(read, reads->end());
  EXPECT_EQ(read->staff, "lina");

  Exchange out = Post("/lianxin.gateway.v1.StaffSession/SignOut", "{}", {cookie, csrf});
  EXPECT_EQ(out.http, 200);
  EXPECT_EQ(Post("/lianxin.v1.Registry/GetStatistics", Json(stats), {cookie, csrf}).http, 401);
}

TEST_F(GatewayCurlTest, StaffSession_ReadonlyStaysReadonly_AndOtherCountiesCannotSignIn) {
  Exchange signed_in = Post("/lianxin.gateway.v1.StaffSession/SignIn",
                            R"({"username": "wangjun", "password": "只读-口令-2"})");
  ASSERT_EQ(signed_in.http, 200) << signed_in.body;
  const std::vector<std::string> session = {"Cookie: " + SessionCookie(signed_in.headers),
                                            "X-CSRF-Token: " + signed_in.Str("csrfToken")};
  v1::GetStatisticsRequest stats;
  stats.set_jurisdiction(kFuyun);
  EXPECT_EQ(Post("/lianxin.v1.Registry/GetStatistics", Json(stats), session).http, 200);
  Exchange write = Post("/lianxin.v1.Registry/RegisterMember",
                        Json(Registration(kFuyun, NewPerson("不该登记"))), session);
  EXPECT_EQ(write.http, 403) << write.body;

  Exchange elsewhere = Post("/lianxin.gateway.v1.StaffSession/SignIn",
                            R"({"username": "tianshan", "password": "天山-3"})");
  EXPECT_EQ(elsewhere.http, 401);
}

// Issue 18: the console's export buttons, through libs/ledger as `lxctl
// export`: a readonly session downloads the members' ledger as .csv and .xlsx,
// the ID number masked; a bad report names the field; another county's token
// gets nothing.
TEST_F(GatewayCurlTest, Export_AReadonlySessionDownloadsALedger_AsCsvAndXlsx) {
  const Person person = NewPerson("古丽娜尔·托合提");
  Exchange registered =
      AsOperator("/lianxin.v1.Registry/RegisterMember", Json(Registration(kFuyun, person)));
  ASSERT_EQ(registered.http, 200) << registered.body;
  Exchange signed_in = Post("/lianxin.gateway.v1.StaffSession/SignIn",
                            R"({"username": "wangjun", "password": "只读-口令-2"})");
  ASSERT_EQ(signed_in.http, 200) << signed_in.body;
  const std::vector<std::string> session = {"Cookie: " + SessionCookie(signed_in.headers),
                                            "X-CSRF-Token: " + signed_in.Str("csrfToken")};
  const std::string kExport = "/lianxin.gateway.v1.Ledgers/Export";

  Exchange csv = Post(kExport, R"({"report": "members", "format": "csv"})", session);
  ASSERT_EQ(csv.http, 200) << csv.body;
  EXPECT_THAT(csv.headers, HasSubstr("text/csv; charset=utf-8"));
  // The Chinese file name, percent-encoded (RFC 5987).
  EXPECT_THAT(csv.headers, HasSubstr("filename*=UTF-8''%E5%AF%8C%E8%95%B4%E5%8E%BF-"));
  EXPECT_TRUE(absl::StartsWith(csv.body, "\xEF\xBB\xBF")) << "no byte-order mark";
  EXPECT_THAT(csv.body, HasSubstr("富蕴县"));
  EXPECT_THAT(csv.body, HasSubstr(person.name));
  EXPECT_THAT(csv.body, Not(HasSubstr(person.id_number)));
  EXPECT_THAT(csv.body, HasSubstr(person.id_number.substr(person.id_number.size() - 4)));

  Exchange xlsx = Post(kExport, R"({"report": "members"})", session);
  ASSERT_EQ(xlsx.http, 200) << xlsx.body;
  EXPECT_THAT(xlsx.headers, HasSubstr("spreadsheetml.sheet"));
  absl::StatusOr<ledger::Grid> grid = ledger::ReadXlsx(xlsx.body);
  ASSERT_TRUE(grid.ok()) << grid.status();
  absl::StatusOr<ledger::Grid> csv_grid = ledger::ReadCsv(csv.body);
  ASSERT_TRUE(csv_grid.ok()) << csv_grid.status();
  EXPECT_EQ(grid->size(), csv_grid->size());
  bool found = false;
  for (const auto& row : *grid) {
    for (const ledger::RawCell& cell : row) found = found || cell.text == person.name;
  }
  EXPECT_TRUE(found) << person.name << " is not in the .xlsx";

  Exchange bad = Post(kExport, R"({"report": "everything", "format": "pdf"})", session);
  EXPECT_EQ(bad.http, 400) << bad.body;
  EXPECT_EQ(bad.Str("code"), "invalid_argument");
  EXPECT_THAT(bad.Str("message"), HasSubstr("report:"));
  EXPECT_THAT(bad.body, HasSubstr("format"));  // every invalid field in the details

  EXPECT_EQ(Post(kExport, R"({"report": "members"})", {session[0]}).http, 403)
      << "a session's export needs its CSRF token";
  Exchange other = Post(kExport, R"({"report": "outflow"})",
                        {"Authorization: Bearer " + OperatorToken(kTianshan)});
  EXPECT_EQ(other.http, 403) << other.body;
}

TEST_F(GatewayCurlTest, StaffSession_SignInsAreRateLimited_AndNoPasswordIsLogged) {
  for (int i = 0; i < 3; ++i) {
    Exchange wrong =
        Post("/lianxin.gateway.v1.StaffSession/SignIn",
             R"({"username": "lina", "password": "猜一猜-)" + std::to_string(i) + "\"}");
    EXPECT_EQ(wrong.http, 401) << wrong.body;
  }
  Exchange limited = Post("/lianxin.gateway.v1.StaffSession/SignIn",
                          R"({"username": "lina", "password": "富蕴-口令-1"})");
  EXPECT_EQ(limited.http, 429) << limited.body;
  EXPECT_EQ(limited.Str("code"), "resource_exhausted");
  const std::string log = ReadFile(cluster_->dir().Sub("gateway.log"));
  EXPECT_THAT(log, HasSubstr("sign-in failed"));
  EXPECT_EQ(log.find("猜一猜"), std::string::npos);
  EXPECT_EQ(log.find("富蕴-口令"), std::string::npos);
  EXPECT_EQ(log.find(OperatorToken(kFuyun)), std::string::npos);
}

// Signs in as staff `username`; the session's cookie and CSRF headers.
std::vector<std::string> StaffHeaders(const Exchange& signed_in) {
  return {"Cookie: " + SessionCookie(signed_in.headers),
          "X-CSRF-Token: " + signed_in.Str("csrfToken")};
}

// Issue 19, the member page: an operator sets a member's PIN; the member signs
// in with the member code and PIN, files a quarterly report, a change and a
// help request, each recorded as self-reported at home; the member cannot read
// anyone else nor call anything off the allow-list.
TEST_F(GatewayCurlTest, MemberPage_FilesOwnReports_SelfReported_AndCannotReadAnotherMember) {
  const std::string me = Register("阿依古丽");
  const std::string other = Register("别人");
  ASSERT_EQ(AsOperator("/lianxin.v1.Registry/RegisterOutflow", Json(Outflow(me, kTianshan))).http,
            200);
  // An operator of its own: lina's sign-ins are rate-limited by another test.
  Exchange lina = Post("/lianxin.gateway.v1.StaffSession/SignIn",
                       R"({"username": "zhaomin", "password": "富蕴-口令-4"})");
  ASSERT_EQ(lina.http, 200) << lina.body;
  const std::string kSetPin = "/lianxin.gateway.v1.MemberPins/SetMemberPin";
  Exchange weak = Post(kSetPin, absl::StrCat(R"({"memberId": ")", me, R"(", "pin": "111111"})"),
                       StaffHeaders(lina));
  EXPECT_EQ(weak.http, 400) << weak.body;
  EXPECT_THAT(weak.body, HasSubstr("\"pin\""));
  Exchange set = Post(kSetPin, absl::StrCat(R"({"memberId": ")", me, R"(", "pin": "246813"})"),
                      StaffHeaders(lina));
  ASSERT_EQ(set.http, 200) << set.body;
  // A readonly account and a bearer token cannot set PINs.
  Exchange wang = Post("/lianxin.gateway.v1.StaffSession/SignIn",
                       R"({"username": "wangjun", "password": "只读-口令-2"})");
  EXPECT_EQ(Post(kSetPin, absl::StrCat(R"({"memberId": ")", me, R"(", "pin": "975310"})"),
                 StaffHeaders(wang))
                .http,
            403);
  EXPECT_EQ(Post(kSetPin, absl::StrCat(R"({"memberId": ")", me, R"(", "pin": "975310"})"),
                 {"Authorization: Bearer " + OperatorToken(kFuyun)})
                .http,
            403);
  EXPECT_EQ(ReadFile(cluster_->dir().Sub("member-pins.txt")).find("246813"), std::string::npos);

  Exchange wrong = Post("/m/lianxin.gateway.v1.MemberSession/SignIn",
                        absl::StrCat(R"({"memberCode": ")", me, R"(", "pin": "135799"})"));
  EXPECT_EQ(wrong.http, 401) << wrong.body;
  Exchange in = Post("/m/lianxin.gateway.v1.MemberSession/SignIn",
                     absl::StrCat(R"({"memberCode": ")", me, R"(", "pin": "246813"})"));
  ASSERT_EQ(in.http, 200) << in.body;
  EXPECT_EQ(in.Str("name"), "阿依古丽");
  EXPECT_THAT(in.headers, HasSubstr("Path=/m/"));
  EXPECT_THAT(in.headers, HasSubstr("HttpOnly"));
  EXPECT_THAT(in.headers, HasSubstr("Secure"));
  EXPECT_THAT(in.headers, HasSubstr("SameSite=Strict"));
  const std::vector<std::string> session = StaffHeaders(in);

  // The member's own record: the id filled in by the gateway.
  Exchange own = Post("/m/lianxin.v1.Registry/GetMember", "{}", session);
  ASSERT_EQ(own.http, 200) << own.body;
  EXPECT_THAT(own.body, HasSubstr(me));
  // Anyone else: PERMISSION_DENIED with the field in the details.
  Exchange theirs = Post("/m/lianxin.v1.Registry/GetMember",
                         absl::StrCat(R"({"memberId": ")", other, R"("})"), session);
  EXPECT_EQ(theirs.http, 403) << theirs.body;
  EXPECT_EQ(theirs.Str("code"), "permission_denied");
  EXPECT_THAT(theirs.body, Not(HasSubstr("别人")));
  ASSERT_TRUE(Debug(theirs).fields().count("fieldViolations")) << theirs.body;
  EXPECT_THAT(theirs.body, HasSubstr("\"field\":\"member_id\""));
  v1::ListMembersRequest list;
  list.set_jurisdiction(kFuyun);
  Exchange listed = Post("/m/lianxin.v1.Registry/ListMembers", Json(list), session);
  EXPECT_EQ(listed.http, 403) << listed.body;
  EXPECT_THAT(listed.body, HasSubstr("fieldViolations"));
  // The staff cookie's calls are not the member's: no session under /m/.
  EXPECT_EQ(Post("/m/lianxin.v1.Registry/GetMember", "{}", StaffHeaders(lina)).http, 401);
  // Writes need the member session's CSRF token.
  v1::RecordContactRequest report;
  report.set_request_id(NewRequestId("self"));
  report.set_kind(v1::CONTACT_KIND_QUARTERLY_REPORT);
  report.set_occurred_on(Day(0));
  report.set_summary("在天山区工地务工，按时参加流入地支部活动");
  EXPECT_EQ(Post("/m/lianxin.v1.ContactTracking/RecordContact", Json(report), {session[0]}).http,
            403);

  // The quarterly report, once the contact service has seen the outflow.
  Exchange filed;
  for (const absl::Time until = absl::Now() + absl::Seconds(30);;) {
    filed = Post("/m/lianxin.v1.ContactTracking/RecordContact", Json(report), session);
    if (filed.http == 200 || absl::Now() > until) break;
    report.set_request_id(NewRequestId("self"));
    absl::SleepFor(absl::Milliseconds(200));  // polling the condition, with a deadline
  }
  ASSERT_EQ(filed.http, 200) << filed.body;
  v1::GetContactHistoryRequest history;
  history.set_member_id(me);
  Exchange seen = AsOperator("/lianxin.v1.ContactTracking/GetContactHistory", Json(history));
  ASSERT_EQ(seen.http, 200) << seen.body;
  EXPECT_THAT(seen.body, HasSubstr("\"selfReported\":true"));
  EXPECT_THAT(seen.body, HasSubstr("\"actor\":\"member:" + me + "\""));
  EXPECT_THAT(seen.body, HasSubstr("\"channel\":\"CONTACT_CHANNEL_ONLINE\""));

  v1::RecordOutflowChangeRequest change;
  change.set_request_id(NewRequestId("self"));
  change.set_employer("新疆有色金属集团");
  Exchange changed = Post("/m/lianxin.v1.Registry/RecordOutflowChange", Json(change), session);
  ASSERT_EQ(changed.http, 200) << changed.body;
  v1::GetMemberHistoryRequest timeline;
  timeline.set_member_id(me);
  Exchange events = AsOperator("/lianxin.v1.Registry/GetMemberHistory", Json(timeline));
  EXPECT_THAT(events.body, HasSubstr("本人报告流出信息变更"));

  v1::OpenConsultationRequest help;
  help.set_request_id(NewRequestId("self"));
  help.set_caller_name("冒名顶替");
  help.set_caller_phone("13900139000");
  help.set_topic("转接组织关系");
  help.set_question("想把组织关系转到乌鲁木齐，需要什么手续？");
  Exchange ticket = Post("/m/lianxin.v1.ContactTracking/OpenConsultation", Json(help), session);
  ASSERT_EQ(ticket.http, 200) << ticket.body;
  v1::ListOpenConsultationsRequest open;
  open.set_jurisdiction(kFuyun);
  open.set_as_of(Day(90));  // the list holds tickets open longer than the county allows
  Exchange tickets = AsOperator("/lianxin.v1.ContactTracking/ListOpenConsultations", Json(open));
  EXPECT_THAT(tickets.body, HasSubstr("\"selfReported\":true"));
  EXPECT_THAT(tickets.body, HasSubstr("\"callerName\":\"阿依古丽\""));
  EXPECT_THAT(tickets.body, Not(HasSubstr("冒名顶替")));

  EXPECT_EQ(Post("/m/lianxin.gateway.v1.MemberSession/SignOut", "{}", session).http, 200);
  EXPECT_EQ(Post("/m/lianxin.v1.Registry/GetMember", "{}", session).http, 401);
  const std::string log = ReadFile(cluster_->dir().Sub("gateway.log"));
  EXPECT_THAT(log, HasSubstr("member sign-in failed"));
  EXPECT_EQ(log.find("246813"), std::string::npos);
  EXPECT_EQ(log.find("135799"), std::string::npos);
}

TEST_F(GatewayCurlTest, MemberPage_SignInsAreRateLimitedPerMemberCode) {
  const std::string me = Register("马小军");
  for (int i = 0; i < 3; ++i) {
    Exchange wrong =
        Post("/m/lianxin.gateway.v1.MemberSession/SignIn",
             absl::StrCat(R"({"memberCode": ")", me, R"(", "pin": "90817)", i, R"("})"));
    EXPECT_EQ(wrong.http, 401) << wrong.body;
  }
  Exchange limited = Post("/m/lianxin.gateway.v1.MemberSession/SignIn",
                          absl::StrCat(R"({"memberCode": ")", me, R"(", "pin": "246813"})"));
  EXPECT_EQ(limited.http, 429) << limited.body;
  EXPECT_EQ(limited.Str("code"), "resource_exhausted");
}

}  // namespace
}  // namespace lianxin::registry_test
