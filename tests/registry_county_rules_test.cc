// The registry's rules as a county office lives them (issue 16), across real
// processes: a lianxin-broker and the registries of Fuyun (654322), Tianshan
// (650102) and Nanshan (440305); kOffSystem (510104) does not run lianxin.
//
// Defects 1, 2, 4, 7 and 8: R2 after a transfer-in then an outflow; transfers
// to and from counties off lianxin (R20); changes inside the same
// destination (R4); a temporary visit home; a resident with a pending
// transfer in the statistics.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "gmock/gmock.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

using ::testing::HasSubstr;

class RegistryCountyRulesTest : public SharedRegistryClusterTest {
 protected:
  template <typename Request>
  static absl::Status Mutate(const std::string& county,
                             grpc::Status (v1::Registry::Stub::*method)(grpc::ClientContext*,
                                                                        const Request&,
                                                                        v1::MutationReply*),
                             Request request) {
    request.set_request_id(NewRequestId("rules"));
    v1::MutationReply reply;
    return cluster().Call(county, method, request, &reply);
  }

  // The R2 checks `county` lists for `member_id` as of `as_of`.
  static std::vector<std::string> R2ChecksOf(const std::string& county,
                                             const std::string& member_id,
                                             const std::string& as_of) {
    v1::ListCertificateChecksDueRequest request;
    request.set_jurisdiction(county);
    request.set_as_of(as_of);
    v1::ListCertificateChecksDueReply reply;
    absl::Status s =
        cluster().Call(county, &v1::Registry::Stub::ListCertificateChecksDue, request, &reply);
    EXPECT_TRUE(s.ok()) << s;
    std::vector<std::string> checks;
    for (const auto& c : reply.checks()) {
      if (c.member_id() == member_id) checks.push_back(c.check());
    }
    return checks;
  }
};

// Defect 1: a member transferred in (Tianshan → Fuyun) who then leaves Fuyun
// owes R2 again after six months.
TEST_F(RegistryCountyRulesTest, R2FiresAgainForAMemberTransferredInWhoLeaves) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kTianshan, NewPerson("古丽米拉")));
  LX_ASSERT_OK(cluster().RequestTransfer(kTianshan, Transfer(id, kFuyun, "乌组转字201号")));
  ASSERT_TRUE(cluster().WaitForStatus(kFuyun, id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  LX_ASSERT_OK(cluster().AcceptTransfer(kFuyun, Accept(id, "城关镇第二党支部")));
  ASSERT_TRUE(cluster().WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_TRANSFERRED_OUT));

  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kNanshan, /*left_offset=*/0)));
  EXPECT_THAT(R2ChecksOf(kFuyun, id, Day(170)), ::testing::IsEmpty());
  EXPECT_THAT(R2ChecksOf(kFuyun, id, Day(200)),
              ::testing::ElementsAre("R2_CERTIFICATE_OR_TRANSFER"));
}

// Defect 2, R20: a transfer to a county off lianxin is withdrawn, then sent
// again and finished by the paper receipt; the destination on lianxin sees
// each step.
TEST_F(RegistryCountyRulesTest, TransferOffLianxinIsWithdrawnOrFinishedOnPaper) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().RegisterAway(kFuyun, kTianshan, "马建国"));
  LX_ASSERT_OK(cluster().RequestTransfer(kFuyun, Transfer(id, kOffSystem, "新组转字301号")));
  // Stuck before: a new outflow and a return were refused while pending.
  EXPECT_EQ(cluster().RecordReturn(kFuyun, Return(id)).code(),
            absl::StatusCode::kFailedPrecondition);

  v1::WithdrawTransferRequest withdraw;
  withdraw.set_member_id(id);
  withdraw.set_reason("接收方要求重开介绍信");
  LX_ASSERT_OK(Mutate(kFuyun, &v1::Registry::Stub::WithdrawTransfer, withdraw));
  EXPECT_EQ(cluster().StatusAt(kFuyun, id), "MEMBER_STATUS_OUTFLOW_PENDING");
  ASSERT_TRUE(cluster().WaitForMember(
      kTianshan, id, [](const v1::Member& m) { return m.transfer_outcome() == "WITHDRAWN"; }));

  LX_ASSERT_OK(cluster().RequestTransfer(kFuyun, Transfer(id, kOffSystem, "新组转字302号")));
  v1::RecordTransferReceiptRequest receipt;
  receipt.set_member_id(id);
  receipt.set_received_on(Day(0));
  receipt.set_branch("锦江区春熙路社区党支部");
  // Only the sender records the receipt.
  EXPECT_EQ(Mutate(kTianshan, &v1::Registry::Stub::RecordTransferReceipt, receipt).code(),
            absl::StatusCode::kPermissionDenied);
  LX_ASSERT_OK(Mutate(kFuyun, &v1::Registry::Stub::RecordTransferReceipt, receipt));
  EXPECT_EQ(cluster().StatusAt(kFuyun, id), "MEMBER_STATUS_TRANSFERRED_OUT");
  ASSERT_TRUE(cluster().WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_CLOSED))
      << cluster().StatusAt(kTianshan, id);
  LX_ASSERT_OK_AND_ASSIGN(v1::Member home, cluster().Get(kFuyun, id));
  EXPECT_EQ(home.home_jurisdiction(), kOffSystem);

  // A transfer to a county on lianxin is the receiver's to decide.
  LX_ASSERT_OK_AND_ASSIGN(std::string other, cluster().RegisterAway(kFuyun, kTianshan, "赵刚"));
  LX_ASSERT_OK(cluster().RequestTransfer(kFuyun, Transfer(other, kTianshan, "新组转字303号")));
  withdraw.set_member_id(other);
  absl::Status refused = Mutate(kFuyun, &v1::Registry::Stub::WithdrawTransfer, withdraw);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("R20"));
}

// Defect 2, R20: a destination takes a transfer-in from an origin off lianxin;
// the member then leaves it like any member of its own.
TEST_F(RegistryCountyRulesTest, TransferInFromAnOriginOffLianxin) {
  const Person person = NewPerson("李四", kOffSystem);
  v1::RecordTransferInRequest request;
  request.set_request_id(NewRequestId("xin"));
  request.set_jurisdiction(kFuyun);
  request.set_branch("富蕴县矿区联合党支部");
  request.set_letter_no("川组转字088号");
  request.set_accepted_on(Day(-3));
  request.set_origin_jurisdiction(kOffSystem);
  request.set_origin_branch("锦江区春熙路社区党支部");
  request.set_name(person.name);
  request.set_id_number(person.id_number);
  request.set_gender(v1::GENDER_MALE);
  request.set_birth_date(person.birth_date);
  request.set_category(v1::MEMBER_CATEGORY_LAID_OFF_WORKER);
  request.set_joined_on(person.joined_on);
  v1::RegisterMemberReply reply;
  LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::RecordTransferIn, request, &reply));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member m, cluster().Get(kFuyun, reply.member_id()));
  EXPECT_EQ(m.status(), v1::MEMBER_STATUS_TRANSFERRED_IN);
  EXPECT_EQ(m.home_jurisdiction(), kFuyun);
  EXPECT_EQ(m.branch(), "富蕴县矿区联合党支部");

  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(reply.member_id(), kNanshan, -1)));
  ASSERT_TRUE(
      cluster().WaitForStatus(kNanshan, reply.member_id(), v1::MEMBER_STATUS_INFLOW_EXPECTED));

  // The same person again: the ID number is known (R18).
  request.set_request_id(NewRequestId("xin"));
  EXPECT_EQ(cluster().Call(kFuyun, &v1::Registry::Stub::RecordTransferIn, request, &reply).code(),
            absl::StatusCode::kAlreadyExists);
  // An origin on lianxin requests the transfer there.
  request.set_origin_jurisdiction(kTianshan);
  const Person wang = NewPerson("王五", kTianshan);
  request.set_id_number(wang.id_number);
  request.set_birth_date(wang.birth_date);
  EXPECT_EQ(cluster().Call(kFuyun, &v1::Registry::Stub::RecordTransferIn, request, &reply).code(),
            absl::StatusCode::kFailedPrecondition);
}

// Defect 4, R4: the home records a new address, phone, employer and expected
// return inside the same destination, the destination a new branch; both
// sides agree.
TEST_F(RegistryCountyRulesTest, ChangesInsideTheSameDestinationReachBothSides) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().RegisterAway(kFuyun, kTianshan, "阿依古丽"));
  LX_ASSERT_OK(cluster().RecordArrival(kTianshan, Arrival(id, kTianshan)));
  ASSERT_TRUE(cluster().WaitForStatus(kFuyun, id, v1::MEMBER_STATUS_OUTFLOW_RECEIVED));

  v1::RecordOutflowChangeRequest home;
  home.set_member_id(id);
  home.set_destination_address("天山区新华南路8号");
  home.set_contact_phone("13900139111");
  home.set_employer("乌鲁木齐城建集团");
  home.set_expected_return_on(Day(400));
  LX_ASSERT_OK(Mutate(kFuyun, &v1::Registry::Stub::RecordOutflowChange, home));
  v1::RecordOutflowChangeRequest destination;
  destination.set_member_id(id);
  destination.set_destination_branch("新华南路社区党支部");
  LX_ASSERT_OK(Mutate(kTianshan, &v1::Registry::Stub::RecordOutflowChange, destination));
  // Each side its own fields.
  EXPECT_EQ(Mutate(kTianshan, &v1::Registry::Stub::RecordOutflowChange, home).code(),
            absl::StatusCode::kPermissionDenied);

  for (const char* county : {kFuyun, kTianshan}) {
    ASSERT_TRUE(cluster().WaitForMember(county, id, [&](const v1::Member& m) {
      return m.destination_branch() == "新华南路社区党支部" &&
             m.destination_address() == "天山区新华南路8号";
    })) << county;
    LX_ASSERT_OK_AND_ASSIGN(v1::Member m, cluster().Get(county, id));
    EXPECT_EQ(m.employer(), "乌鲁木齐城建集团");
    EXPECT_EQ(m.expected_return_on(), Day(400));
    EXPECT_EQ(m.occupation(), "建筑工人");  // unchanged
  }
}

// Defect 7: a visit home is recorded at home and known at the destination;
// the member stays away.
TEST_F(RegistryCountyRulesTest, AVisitHomeKeepsTheMemberAway) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().RegisterAway(kFuyun, kTianshan, "哈力木"));
  v1::RecordVisitHomeRequest visit;
  visit.set_member_id(id);
  visit.set_home_from(Day(20));
  visit.set_home_until(Day(35));
  LX_ASSERT_OK(Mutate(kFuyun, &v1::Registry::Stub::RecordVisitHome, visit));
  ASSERT_TRUE(cluster().WaitForMember(
      kTianshan, id, [&](const v1::Member& m) { return m.visit_home_from() == Day(20); }));
  EXPECT_EQ(cluster().StatusAt(kFuyun, id), "MEMBER_STATUS_OUTFLOW_PENDING");
  visit.set_home_until(Day(200));  // months at home: a return, not a visit
  EXPECT_EQ(Mutate(kFuyun, &v1::Registry::Stub::RecordVisitHome, visit).code(),
            absl::StatusCode::kFailedPrecondition);
}

// Defect 8: a resident with a transfer pending is counted at home, not as an
// outflow with an empty destination.
TEST_F(RegistryCountyRulesTest, AResidentWithAPendingTransferIsNotOutflow) {
  LX_ASSERT_OK_AND_ASSIGN(v1::GetStatisticsReply before, cluster().Statistics(kNanshan));
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kNanshan, NewPerson("陈晓")));
  LX_ASSERT_OK(cluster().RequestTransfer(kNanshan, Transfer(id, kTianshan, "深组转字401号")));
  LX_ASSERT_OK_AND_ASSIGN(v1::GetStatisticsReply after, cluster().Statistics(kNanshan));
  EXPECT_EQ(after.outflow_count(), before.outflow_count());
  EXPECT_EQ(after.cross_province_count(), before.cross_province_count());
  EXPECT_EQ(after.resident_count(), before.resident_count() + 1);
  EXPECT_EQ(after.pending_transfer_count(), before.pending_transfer_count() + 1);
  for (const auto& d : after.by_destination()) EXPECT_NE(d.key(), "");
}

// Settings a county owns: a bad value in the county's settings file stops the
// service at start with an error naming the key; a good file starts it.
TEST(CountySettingsAtStart, ABadValueStopsTheServiceNamingTheKey) {
  TempDir dir;
  {
    std::ofstream tokens(dir.Sub("tokens.txt"));
    tokens << DigestTokenFile(
        absl::StrCat(OperatorToken(kFuyun), " op-", kFuyun, " ", kFuyun, " operator\n"));
    std::filesystem::permissions(dir.Sub("tokens.txt"), std::filesystem::perms::owner_read |
                                                            std::filesystem::perms::owner_write);
    std::ofstream key(dir.Sub("identity.key"));
    key << "00112233445566778899aabbccddeeff\n";
    std::ofstream bad(dir.Sub("bad.settings"));
    bad << "# Fuyun\nclass_hour_floor = 40\nmail_back_check_months = 13\n";
    std::ofstream good(dir.Sub("good.settings"));
    good << "class_hour_floor = 40\nmail_back_check_months = 2\n";
  }
  for (const char* service : {"registry", "education"}) {
    for (const char* file : {"bad.settings", "good.settings"}) {
      const std::string stderr_path = dir.Sub(absl::StrCat(service, "-", file, ".stderr"));
      std::vector<std::string> args = {BinDir() + "/" + service,
                                       std::string("--jurisdiction=") + kFuyun,
                                       "--data_dir=" + dir.Sub(absl::StrCat(service, "-", file)),
                                       "--listen=127.0.0.1:0",
                                       "--metrics_address=",
                                       "--tokens_file=" + dir.Sub("tokens.txt"),
                                       "--kafka_brokers=127.0.0.1:9",
                                       "--county_settings=" + dir.Sub(file)};
      if (std::string(service) == "registry") {
        args.push_back("--identity_key_file=" + dir.Sub("identity.key"));
      }
      absl::StatusOr<std::unique_ptr<ChildProcess>> child =
          ChildProcess::Start(std::move(args), stderr_path);
      ASSERT_TRUE(child.ok()) << child.status();
      const bool bad = std::string(file) == "bad.settings";
      absl::StatusOr<std::string> listening = (*child)->WaitForLine("listening ");
      EXPECT_EQ(listening.ok(), !bad) << service << " " << file << ": " << listening.status();
      const int code = (*child)->Stop();
      if (!bad) continue;
      EXPECT_NE(code, 0) << service;
      std::ifstream in(stderr_path);
      const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_THAT(log, HasSubstr("line 3: mail_back_check_months = 13")) << service;
    }
  }
}

}  // namespace
}  // namespace lianxin::registry_test
