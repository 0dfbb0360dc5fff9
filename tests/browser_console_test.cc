// The console in a real browser: Debian's headless Chromium, driven by
// web/tests/console.mjs (puppeteer-core), against real gateways in front of
// three real counties (lianxin-broker, every service) loaded with the Fuyun
// scenario. This harness starts everything on port 0 and picks, over gRPC, the
// member the browser will contact; the script signs in, reads the dashboard,
// registers an outflow and finds it at the destination's console, records a
// contact at the destination and watches the origin's overdue list shrink, and
// sees a scheduling clash in Chinese; then a member away files a quarterly
// report from the phone page (issue 19) and Fuyun's console shows it as
// self-reported. Screenshots go to the build tree (browser-screenshots/).
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "tests/registry_fixture.h"
#include "tools/lxgateway/staff.h"

namespace lianxin::registry_test {
namespace {

constexpr const char* kCounties[] = {kFuyun, kTianshan, kNanshan};

class BrowserConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LX_ASSERT_OK(cluster_.Start());
    const TempDir& dir = cluster_.dir();
    for (const char* code : kCounties) {
      addresses_[absl::StrCat("registry/", code)] = cluster_.address(code);
      for (const char* service : {"contact", "education", "appraisal"}) {
        std::vector<std::string> extra;
        if (service == std::string("appraisal")) {
          extra.push_back(absl::StrCat("--records_from=", CountyToday().year(), "-01"));
        }
        absl::StatusOr<RegistryCluster::ServiceProcess> started =
            cluster_.StartService(service, code, extra);
        ASSERT_TRUE(started.ok()) << started.status();
        addresses_[absl::StrCat(service, "/", code)] = started->address;
        processes_.push_back(std::move(started->process));
      }
    }
    absl::StatusOr<int> made = RunProcess(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", dir.Sub("gw.key"), "-out", dir.Sub("gw.pem")},
        dir.Sub("openssl.out"));
    ASSERT_TRUE(made.ok() && *made == 0) << ReadFile(dir.Sub("openssl.out.err"));
    {
      std::ofstream accounts(dir.Sub("staff.txt"));
      for (const char* code : kCounties) {
        accounts << "staff-" << code << " operator " << code << " "
                 << gateway::HashPassword(Password(code)) << " 组织部 李娜\n";
      }
    }
    for (const char* code : {kFuyun, kTianshan}) {
      // Fuyun's gateway also serves the member page (its member-proxy token).
      const std::string member_page = code == std::string(kFuyun)
                                          ? "--member_pins_file=" + dir.Sub("member-pins.txt")
                                          : "--member_pins_file=";
      absl::StatusOr<std::unique_ptr<ChildProcess>> gateway = ChildProcess::Start(
          {BinDir() + "/lxgateway", member_page, "--listen=127.0.0.1:0",
           "--tls_cert=" + dir.Sub("gw.pem"), "--tls_key=" + dir.Sub("gw.key"),
           "--backend_ca=" + cluster_.tls().ca_file, "--jurisdiction=" + std::string(code),
           std::string("--jurisdiction_name=") +
               (code == std::string(kFuyun) ? "富蕴县" : "乌鲁木齐市天山区"),
           "--registry=" + addresses_.at(absl::StrCat("registry/", code)),
           "--contact=" + addresses_.at(absl::StrCat("contact/", code)),
           "--education=" + addresses_.at(absl::StrCat("education/", code)),
           "--appraisal=" + addresses_.at(absl::StrCat("appraisal/", code)),
           "--accounts_file=" + dir.Sub("staff.txt"),
           "--credentials_file=" + dir.Sub("operator-tokens.txt"),
           "--static_dir=" + std::string(LIANXIN_CONSOLE_DIR)},
          dir.Sub(absl::StrCat("gateway-", code, ".log")));
      ASSERT_TRUE(gateway.ok()) << gateway.status();
      absl::StatusOr<std::string> line = (*gateway)->WaitForLine("listening ");
      ASSERT_TRUE(line.ok()) << line.status();
      urls_[code] = line->substr(std::string("listening ").size());
      processes_.push_back(*std::move(gateway));
    }
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << cluster_.Logs();
      for (const char* code : {kFuyun, kTianshan}) {
        std::cerr << TailOfFile(cluster_.dir().Sub(absl::StrCat("gateway-", code, ".log")), 20);
      }
    }
  }

  static std::string Password(const std::string& code) { return "口令-" + code + "-测试"; }

  std::string WriteEndpoints() {
    const std::string path = cluster_.dir().Sub("endpoints-all.json");
    std::ofstream out(path);
    out << "{\"kafka\": \"" << cluster_.bootstrap() << "\", \"tls_ca\": \""
        << cluster_.tls().ca_file << "\", \"counties\": {";
    const char* sep = "";
    for (const char* code : kCounties) {
      out << sep << "\"" << code << "\": {\"name\": \"" << code << "\", \"token\": \""
          << OperatorToken(code) << "\"";
      for (const char* service : {"registry", "contact", "education", "appraisal"}) {
        out << ", \"" << service << "\": \"" << addresses_.at(absl::StrCat(service, "/", code))
            << "\"";
      }
      out << ", \"data_dir\": \"" << cluster_.dir().Sub(code) << "\"}";
      sep = ", ";
    }
    out << "}}\n";
    return path;
  }

  template <class Stub, class Request, class Reply>
  absl::Status Call(const std::string& service, const std::string& code,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Reply*),
                    const Request& request, Reply* reply) {
    Stub stub(cluster_.NewChannel(addresses_.at(absl::StrCat(service, "/", code))));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context.AddMetadata("authorization", "Bearer " + OperatorToken(code));
    return FromGrpcStatus((stub.*method)(&context, request, reply));
  }

  // A Fuyun member overdue at home for the quarterly report only, present in
  // Tianshan (arrived), whom
  // Tianshan's contact service knows: a contact recorded there counts at home.
  std::string OverdueMemberInTianshan(std::string* seen) {
    v1::ListOverdueRequest overdue;
    overdue.set_jurisdiction(kFuyun);
    overdue.set_page_size(1000);  // the whole scenario's list on one page
    v1::ListOverdueReply members;
    if (!Call("contact", kFuyun, &v1::ContactTracking::Stub::ListOverdue, overdue, &members).ok()) {
      return "";
    }
    const std::string today = Day(0);
    for (const v1::OverdueMember& m : members.members()) {
      absl::StrAppend(seen, m.member_id(), " ", m.obligation(), " ", m.destination_jurisdiction(),
                      m.lost_contact() ? " lost" : "", "\n");
      if (m.lost_contact() || m.obligation() != "QUARTERLY_REPORT") continue;
      v1::GetContactHistoryRequest get;
      get.set_member_id(m.member_id());
      // Only the quarterly report overdue: one report clears the member.
      v1::GetContactHistoryReply home;
      if (!Call("contact", kFuyun, &v1::ContactTracking::Stub::GetContactHistory, get, &home)
               .ok() ||
          home.thought_report_due_on() < today || home.annual_contact_due_on() < today) {
        continue;
      }
      v1::GetContactHistoryReply there;
      v1::GetMemberRequest member;
      member.set_member_id(m.member_id());
      v1::GetMemberReply at_tianshan;
      if (Call("registry", kTianshan, &v1::Registry::Stub::GetMember, member, &at_tianshan).ok() &&
          at_tianshan.member().status() == v1::MEMBER_STATUS_INFLOW_ACTIVE &&
          Call("contact", kTianshan, &v1::ContactTracking::Stub::GetContactHistory, get, &there)
              .ok()) {
        return m.member_id();
      }
    }
    return "";
  }

  RegistryCluster cluster_{{kFuyun, kTianshan, kNanshan}};
  std::map<std::string, std::string> addresses_;
  std::map<std::string, std::string> urls_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
};

TEST_F(BrowserConsoleTest, StaffWorkTheirCountiesInChinese_AcrossTwoConsoles) {
  const TempDir& dir = cluster_.dir();
  absl::StatusOr<int> loaded = RunProcess({BinDir() + "/lxscenario", "fuyun", "--endpoints",
                                           WriteEndpoints(), "--seed", "1", "--statistics=false"},
                                          dir.Sub("scenario.out"), absl::Seconds(240));
  ASSERT_TRUE(loaded.ok() && *loaded == 0)
      << TailOfFile(dir.Sub("scenario.out"), 20) << TailOfFile(dir.Sub("scenario.out.err"), 20);
  const std::string screenshots = std::string(LIANXIN_BUILD_DIR) + "/browser-screenshots";
  const std::string script = std::string(LIANXIN_SOURCE_DIR) + "/web/tests/console.mjs";
  setenv("LX_FUYUN_URL", urls_.at(kFuyun).c_str(), 1);
  setenv("LX_TIANSHAN_URL", urls_.at(kTianshan).c_str(), 1);
  setenv("LX_FUYUN_USER", "staff-654322", 1);
  setenv("LX_FUYUN_PASSWORD", Password(kFuyun).c_str(), 1);
  setenv("LX_TIANSHAN_USER", "staff-650102", 1);
  setenv("LX_TIANSHAN_PASSWORD", Password(kTianshan).c_str(), 1);
  setenv("LX_SCREENSHOTS", screenshots.c_str(), 1);
  setenv("LX_BROWSER_PROFILE", dir.Sub("chromium-profile").c_str(), 1);
  const auto browse = [&](const std::string& phase) {
    setenv("LX_PHASE", phase.c_str(), 1);
    const std::string out = dir.Sub("browser-" + phase + ".out");
    absl::StatusOr<int> browsed = RunProcess({"node", script}, out, absl::Seconds(240));
    EXPECT_TRUE(browsed.ok() && *browsed == 0) << ReadFile(out) << TailOfFile(out + ".err", 40);
    std::cout << ReadFile(out);
  };
  browse("dashboard");

  // The scenario's overdue members are away in counties off the system: one of
  // Fuyun's own, away in Tianshan for 100 days without a report.
  std::string seen;
  std::string member = OverdueMemberInTianshan(&seen);
  if (member.empty()) {
    absl::StatusOr<std::string> id = cluster_.Register(kFuyun, NewPerson("阿依古丽"));
    ASSERT_TRUE(id.ok()) << id.status();
    LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(*id, kTianshan, -100)));
    ASSERT_TRUE(
        WaitFor([&] { return cluster_.RecordArrival(kTianshan, Arrival(*id, kTianshan)).ok(); },
                kDeliveryTimeout));
    ASSERT_TRUE(WaitFor(
        [&] {
          seen.clear();
          member = OverdueMemberInTianshan(&seen);
          return !member.empty();
        },
        kDeliveryTimeout))
        << "no overdue Fuyun member present in Tianshan among:\n"
        << seen;
  }
  setenv("LX_CONTACT_MEMBER", member.c_str(), 1);
  browse("work");

  // A member away whose quarterly report is due, for the phone page; the
  // browser waits for nothing: Fuyun's contact service already follows them.
  absl::StatusOr<std::string> away = cluster_.Register(kFuyun, NewPerson("努尔兰"));
  ASSERT_TRUE(away.ok()) << away.status();
  LX_ASSERT_OK(cluster_.RegisterOutflow(kFuyun, Outflow(*away, kTianshan, -100)));
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::GetContactHistoryRequest get;
        get.set_member_id(*away);
        v1::GetContactHistoryReply home;
        return Call("contact", kFuyun, &v1::ContactTracking::Stub::GetContactHistory, get, &home)
                   .ok() &&
               !home.quarterly_report_due_on().empty();
      },
      kDeliveryTimeout));
  setenv("LX_SELF_MEMBER", away->c_str(), 1);
  browse("member");
}

}  // namespace
}  // namespace lianxin::registry_test
