// The cross-jurisdiction flows of DESIGN.md (1–7) across real processes: a
// lianxin-broker and the registries of Fuyun (654322), Tianshan (650102) and
// Nanshan (440305); origin A = Fuyun, destination B = Tianshan, C = Nanshan.
// Also: Chinese text end to end.
#include <algorithm>
#include <set>

#include "gmock/gmock.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class RegistryFlowsTest : public SharedRegistryClusterTest {
 protected:
  // Registers a new person at `county` and returns the member id.
  static absl::StatusOr<std::string> NewMember(const std::string& county,
                                               const std::string& name = "张伟") {
    return cluster().Register(county, NewPerson(name));
  }

  // A member of Fuyun away to `destination`, expected there.
  static absl::StatusOr<std::string> AwayTo(const std::string& destination) {
    return cluster().RegisterAway(kFuyun, destination);
  }

  // As AwayTo, then the arrival at the destination is recorded and seen at home.
  static absl::StatusOr<std::string> ArrivedAt(const std::string& destination,
                                               const std::string& branch) {
    absl::StatusOr<std::string> id = AwayTo(destination);
    if (!id.ok()) return id;
    if (absl::Status s = cluster().RecordArrival(destination, Arrival(*id, destination, branch));
        !s.ok()) {
      return s;
    }
    if (!cluster().WaitForStatus(kFuyun, *id, v1::MEMBER_STATUS_OUTFLOW_RECEIVED)) {
      return absl::DeadlineExceededError(absl::StrCat("home never saw the arrival of ", *id, ": ",
                                                      cluster().StatusAt(kFuyun, *id)));
    }
    return id;
  }
};

// Flow 1.
TEST_F(RegistryFlowsTest, Outflow_MakesDestinationExpectInflow) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, NewMember(kFuyun, "张伟"));
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kTianshan)));
  EXPECT_EQ(cluster().StatusAt(kFuyun, id), "MEMBER_STATUS_OUTFLOW_PENDING");

  ASSERT_TRUE(cluster().WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_EXPECTED))
      << cluster().StatusAt(kTianshan, id);
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_b, cluster().Get(kTianshan, id));
  EXPECT_EQ(at_b.home_jurisdiction(), kFuyun);
  EXPECT_EQ(at_b.destination_jurisdiction(), kTianshan);
  EXPECT_EQ(at_b.name(), "张伟");
  EXPECT_THAT(at_b.status_by_county(),
              UnorderedElementsAre(Pair(kFuyun, v1::MEMBER_STATUS_OUTFLOW_PENDING),
                                   Pair(kTianshan, v1::MEMBER_STATUS_INFLOW_EXPECTED)));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_a, cluster().Get(kFuyun, id));
  EXPECT_EQ(SharedView(at_a), SharedView(at_b));

  // B lists it among its expected inflow.
  v1::ListMembersRequest list;
  list.set_jurisdiction(kTianshan);
  list.set_direction(v1::DIRECTION_INFLOW);
  list.set_status(v1::MEMBER_STATUS_INFLOW_EXPECTED);
  list.set_page_size(1000);
  v1::ListMembersReply listed;
  LX_ASSERT_OK(cluster().Call(kTianshan, &v1::Registry::Stub::ListMembers, list, &listed));
  std::set<std::string> ids;
  for (const auto& m : listed.members()) ids.insert(m.member_id());
  EXPECT_TRUE(ids.contains(id));
}

// Flow 2.
TEST_F(RegistryFlowsTest, ArrivalAtDestination_MakesOriginSeeReceivedWithBranch) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, AwayTo(kTianshan));
  v1::RecordArrivalRequest arrival = Arrival(id, kTianshan, "天山区新华南路社区党支部");
  arrival.set_contact_person("古丽");
  v1::RecordArrivalReply reply;
  LX_ASSERT_OK(cluster().Call(kTianshan, &v1::Registry::Stub::RecordArrival, arrival, &reply));
  EXPECT_EQ(reply.member_id(), id);
  EXPECT_EQ(cluster().StatusAt(kTianshan, id), "MEMBER_STATUS_INFLOW_ACTIVE");

  ASSERT_TRUE(cluster().WaitForStatus(kFuyun, id, v1::MEMBER_STATUS_OUTFLOW_RECEIVED))
      << cluster().StatusAt(kFuyun, id);
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_a, cluster().Get(kFuyun, id));
  EXPECT_EQ(at_a.destination_jurisdiction(), kTianshan);
  EXPECT_EQ(at_a.destination_branch(), "天山区新华南路社区党支部");
  EXPECT_EQ(at_a.arrived_on(), arrival.arrived_on());
  EXPECT_THAT(at_a.status_by_county(),
              UnorderedElementsAre(Pair(kFuyun, v1::MEMBER_STATUS_OUTFLOW_RECEIVED),
                                   Pair(kTianshan, v1::MEMBER_STATUS_INFLOW_ACTIVE)));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_b, cluster().Get(kTianshan, id));
  EXPECT_EQ(SharedView(at_a), SharedView(at_b));
}

// Flow 3: organization life recorded on the certificate at B counts at A.
TEST_F(RegistryFlowsTest, CertificateEntryAtDestination_ShowsInOriginsOrganizationLife) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, AwayTo(kTianshan));
  LX_ASSERT_OK(cluster().IssueCertificate(kFuyun, Certificate(id, "富流证2026-0001")));
  ASSERT_TRUE(cluster().WaitForMember(
      kTianshan, id, [](const v1::Member& m) { return m.certificate_no() == "富流证2026-0001"; }));
  v1::RecordArrivalRequest arrival = Arrival(id, kTianshan);
  arrival.set_certificate_no("富流证2026-0001");
  LX_ASSERT_OK(cluster().RecordArrival(kTianshan, arrival));
  LX_ASSERT_OK(cluster().RecordCertificateEntry(kTianshan, OrganizationLife(id, -20)));
  LX_ASSERT_OK(cluster().RecordCertificateEntry(kTianshan, OrganizationLife(id, -5)));

  ASSERT_TRUE(cluster().WaitForMember(kFuyun, id, [](const v1::Member& m) {
    return m.organization_life_entries() == 2;
  })) << cluster().Get(kFuyun, id)->DebugString();
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_a, cluster().Get(kFuyun, id));
  EXPECT_EQ(at_a.last_organization_life_on(), Day(-5));
  EXPECT_EQ(at_a.status(), v1::MEMBER_STATUS_OUTFLOW_RECEIVED);
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> history, cluster().History(kFuyun, id));
  EXPECT_THAT(Types(history), ElementsAre("MemberRegistered", "OutflowRegistered",
                                          "CertificateIssued", "ArrivalRecorded",
                                          "CertificateEntryRecorded", "CertificateEntryRecorded"));
  // Recorded by B's operator, as B recorded it.
  EXPECT_EQ(history.back().actor(), std::string("op-") + kTianshan);
  EXPECT_THAT(history.back().summary(), HasSubstr("支部主题党日：学习党章"));
}

// Flow 4: the destination rejects, then accepts; ownership moves to B.
TEST_F(RegistryFlowsTest, TransferRejectedThenAccepted_MovesOwnershipToDestination) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, ArrivedAt(kTianshan, "天山区红山路党支部"));

  LX_ASSERT_OK(cluster().RequestTransfer(kFuyun, Transfer(id, kTianshan, "新组转字第001号")));
  EXPECT_EQ(cluster().StatusAt(kFuyun, id), "MEMBER_STATUS_TRANSFER_PENDING");
  ASSERT_TRUE(cluster().WaitForMember(kTianshan, id, [](const v1::Member& m) {
    return m.transfer_pending() && m.transfer_letter_no() == "新组转字第001号";
  }));
  LX_ASSERT_OK(cluster().RejectTransfer(kTianshan, Reject(id)));
  ASSERT_TRUE(cluster().WaitForMember(kFuyun, id, [](const v1::Member& m) {
    return !m.transfer_pending() && m.transfer_outcome() == "REJECTED";
  })) << cluster().Get(kFuyun, id)->DebugString();
  EXPECT_EQ(cluster().StatusAt(kFuyun, id), "MEMBER_STATUS_OUTFLOW_RECEIVED");
  EXPECT_EQ(cluster().StatusAt(kTianshan, id), "MEMBER_STATUS_INFLOW_ACTIVE");
  LX_ASSERT_OK_AND_ASSIGN(v1::Member home, cluster().Get(kFuyun, id));
  EXPECT_EQ(home.home_jurisdiction(), kFuyun);

  LX_ASSERT_OK(cluster().RequestTransfer(kFuyun, Transfer(id, kTianshan, "新组转字第002号")));
  ASSERT_TRUE(cluster().WaitForMember(kTianshan, id, [](const v1::Member& m) {
    return m.transfer_pending() && m.transfer_letter_no() == "新组转字第002号";
  }));
  LX_ASSERT_OK(cluster().AcceptTransfer(kTianshan, Accept(id)));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_b, cluster().Get(kTianshan, id));
  EXPECT_EQ(at_b.status(), v1::MEMBER_STATUS_TRANSFERRED_IN);
  EXPECT_EQ(at_b.home_jurisdiction(), kTianshan);
  EXPECT_EQ(at_b.branch(), "天山区红山路党支部");  // defaults to the arrival branch

  ASSERT_TRUE(cluster().WaitForStatus(kFuyun, id, v1::MEMBER_STATUS_TRANSFERRED_OUT))
      << cluster().StatusAt(kFuyun, id);
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_a, cluster().Get(kFuyun, id));
  EXPECT_EQ(at_a.home_jurisdiction(), kTianshan);
  EXPECT_EQ(at_a.transfer_outcome(), "ACCEPTED");
  EXPECT_THAT(at_a.status_by_county(),
              UnorderedElementsAre(Pair(kFuyun, v1::MEMBER_STATUS_TRANSFERRED_OUT),
                                   Pair(kTianshan, v1::MEMBER_STATUS_TRANSFERRED_IN)));
  EXPECT_EQ(SharedView(at_a), SharedView(at_b));
  // A keeps the history, and may no longer act on the member.
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> history, cluster().History(kFuyun, id));
  EXPECT_EQ(history.back().type(), "TransferAccepted");
  EXPECT_EQ(cluster().RecordReturn(kFuyun, Return(id)).code(), absl::StatusCode::kPermissionDenied);
}

// Flow 5.
TEST_F(RegistryFlowsTest, ReturnRecordedAtOrigin_ClosesInflowAtDestination) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, ArrivedAt(kTianshan, "天山区红山路党支部"));
  LX_ASSERT_OK(cluster().RecordReturn(kFuyun, Return(id, -2)));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_a, cluster().Get(kFuyun, id));
  EXPECT_EQ(at_a.status(), v1::MEMBER_STATUS_RESIDENT);
  EXPECT_EQ(at_a.returned_on(), Day(-2));

  ASSERT_TRUE(cluster().WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_CLOSED))
      << cluster().StatusAt(kTianshan, id);
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_b, cluster().Get(kTianshan, id));
  EXPECT_THAT(at_b.status_by_county(),
              UnorderedElementsAre(Pair(kFuyun, v1::MEMBER_STATUS_RESIDENT),
                                   Pair(kTianshan, v1::MEMBER_STATUS_INFLOW_CLOSED)));
  EXPECT_EQ(SharedView(at_a), SharedView(at_b));
}

// Flow 6.
TEST_F(RegistryFlowsTest, ChangeOfDestination_ClosesOldAndOpensNew) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, ArrivedAt(kTianshan, "天山区红山路党支部"));
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kNanshan, /*left_offset=*/-20)));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_a, cluster().Get(kFuyun, id));
  EXPECT_EQ(at_a.status(), v1::MEMBER_STATUS_OUTFLOW_PENDING);
  EXPECT_EQ(at_a.destination_jurisdiction(), kNanshan);
  EXPECT_EQ(at_a.destination_branch(), "");

  ASSERT_TRUE(cluster().WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_CLOSED))
      << cluster().StatusAt(kTianshan, id);
  ASSERT_TRUE(cluster().WaitForStatus(kNanshan, id, v1::MEMBER_STATUS_INFLOW_EXPECTED))
      << cluster().StatusAt(kNanshan, id);
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_c, cluster().Get(kNanshan, id));
  EXPECT_EQ(at_c.home_jurisdiction(), kFuyun);
  EXPECT_EQ(at_c.name(), "张伟");
  EXPECT_EQ(SharedView(at_a), SharedView(at_c));
  EXPECT_THAT(at_c.status_by_county(),
              UnorderedElementsAre(Pair(kFuyun, v1::MEMBER_STATUS_OUTFLOW_PENDING),
                                   Pair(kTianshan, v1::MEMBER_STATUS_INFLOW_CLOSED),
                                   Pair(kNanshan, v1::MEMBER_STATUS_INFLOW_EXPECTED)));
  // B may no longer record anything for the member.
  EXPECT_FALSE(cluster().RecordCertificateEntry(kTianshan, OrganizationLife(id)).ok());
}

// Flow 7, destination off lianxin: A tracks the outflow alone.
TEST_F(RegistryFlowsTest, DestinationOffLianxin_OriginTracksAlone) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, NewMember(kFuyun));
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kOffSystem, -60)));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_a, cluster().Get(kFuyun, id));
  EXPECT_EQ(at_a.status(), v1::MEMBER_STATUS_OUTFLOW_PENDING);
  EXPECT_EQ(at_a.destination_jurisdiction(), kOffSystem);
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> history, cluster().History(kFuyun, id));
  EXPECT_THAT(history.back().summary(), HasSubstr("（流入地未接入）"));
  LX_ASSERT_OK(cluster().IssueCertificate(kFuyun, Certificate(id, "富流证2026-0777")));

  // A sentinel on the same member (same key, same partition, routed after):
  // a change of destination to B. Once B has it, B must have nothing before it.
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kTianshan, -30)));
  ASSERT_TRUE(cluster().WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> at_b, cluster().History(kTianshan, id));
  ASSERT_EQ(at_b.size(), 1u) << "B received events of the off-lianxin outflow";
  EXPECT_THAT(at_b[0].summary(), HasSubstr(absl::StrCat("由 ", kOffSystem, " 改为 ", kTianshan)));
  EXPECT_EQ(cluster().Get(kNanshan, id).status().code(), absl::StatusCode::kNotFound);
  // B starts from the full facts (snapshot): the certificate issued before.
  LX_ASSERT_OK_AND_ASSIGN(v1::Member b, cluster().Get(kTianshan, id));
  EXPECT_EQ(b.certificate_no(), "富流证2026-0777");
}

// Flow 7, origin off lianxin: B registers the member as inflow with full details.
TEST_F(RegistryFlowsTest, OriginOffLianxin_DestinationRegistersFullInflow) {
  const Person person = NewPerson("买买提·艾力", "510104");
  v1::RecordArrivalRequest arrival;
  arrival.set_request_id(NewRequestId("arr-full"));
  arrival.set_jurisdiction(kTianshan);
  arrival.set_branch("天山区流动党员党支部");
  arrival.set_arrived_on(Day(-15));
  arrival.set_certificate_no("川流证0042");
  arrival.set_contact_person("李梅");
  arrival.set_name(person.name);
  arrival.set_id_number(person.id_number);
  arrival.set_gender(v1::GENDER_MALE);
  arrival.set_birth_date(person.birth_date);
  arrival.set_category(v1::MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE);
  arrival.set_phone("13512345678");
  arrival.set_joined_on(person.joined_on);
  arrival.set_origin_jurisdiction(kOffSystem);
  arrival.set_origin_branch("锦江区春熙路社区党支部");

  // An origin on lianxin must record the arrival of the member it registered.
  v1::RecordArrivalRequest on_system = arrival;
  on_system.set_request_id(NewRequestId("arr-full"));
  on_system.set_origin_jurisdiction(kFuyun);
  v1::RecordArrivalReply refused;
  absl::Status s =
      cluster().Call(kTianshan, &v1::Registry::Stub::RecordArrival, on_system, &refused);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;

  v1::RecordArrivalReply reply;
  LX_ASSERT_OK(cluster().Call(kTianshan, &v1::Registry::Stub::RecordArrival, arrival, &reply));
  EXPECT_THAT(reply.member_id(), ::testing::StartsWith(std::string(kTianshan) + "-"));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member at_b, cluster().Get(kTianshan, reply.member_id()));
  EXPECT_EQ(at_b.status(), v1::MEMBER_STATUS_INFLOW_ACTIVE);
  EXPECT_TRUE(at_b.origin_off_system());
  EXPECT_EQ(at_b.home_jurisdiction(), kOffSystem);
  EXPECT_EQ(at_b.branch(), "锦江区春熙路社区党支部");
  EXPECT_EQ(at_b.destination_branch(), "天山区流动党员党支部");
  EXPECT_EQ(at_b.certificate_no(), "川流证0042");
  EXPECT_EQ(at_b.name(), "买买提·艾力");
  EXPECT_EQ(at_b.id_number_masked(), "**************" + person.id_number.substr(14));
  EXPECT_EQ(reply.version(), at_b.version());

  // Its identity claim travels: Fuyun then refuses the same person.
  ASSERT_TRUE(cluster().WaitForIdentity(kFuyun, person, reply.member_id()));
  absl::StatusOr<std::string> again = cluster().Register(kFuyun, person);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists) << again.status();
}

// Chinese text (including a character outside the BMP, 𠮷) is stored and
// returned byte-exact at both sides, in GetMember and in the history summaries.
TEST_F(RegistryFlowsTest, ChineseText_RoundTripsByteExactAtBothSides) {
  const std::string name = "𠮷田·阿依古丽";
  const std::string branch = "喀拉通克镇“𠮷祥村”党支部";
  const std::string address = "乌鲁木齐市天山区解放北路１２３号（二道桥）";
  const std::string occupation = "矿山机械维修工";
  const std::string employer = "新疆有色金属工业（集团）有限责任公司";
  const std::string liaison = "欧阳娜娜";
  const std::string destination_branch = "天山区流动党员第二党支部（楼宇）";
  const std::string contact_person = "热依汗古丽";
  const std::string activity = "“不忘初心、牢记使命”——专题党课";
  Person person = NewPerson(name);
  v1::RegisterMemberRequest registration = Registration(kFuyun, person, branch);
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(registration));
  v1::RegisterOutflowRequest outflow = Outflow(id, kTianshan);
  outflow.set_destination_address(address);
  outflow.set_occupation(occupation);
  outflow.set_employer(employer);
  outflow.set_liaison_name(liaison);
  outflow.set_destination_name("乌鲁木齐市天山区");
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, outflow));
  LX_ASSERT_OK(cluster().IssueCertificate(kFuyun, Certificate(id, "富流证〇〇一")));
  ASSERT_TRUE(cluster().WaitForMember(
      kTianshan, id, [](const v1::Member& m) { return !m.certificate_no().empty(); }));
  v1::RecordArrivalRequest arrival = Arrival(id, kTianshan, destination_branch);
  arrival.set_contact_person(contact_person);
  arrival.set_certificate_no("富流证〇〇一");
  LX_ASSERT_OK(cluster().RecordArrival(kTianshan, arrival));
  v1::RecordCertificateEntryRequest entry = OrganizationLife(id);
  entry.set_activity(activity);
  LX_ASSERT_OK(cluster().RecordCertificateEntry(kTianshan, entry));
  ASSERT_TRUE(cluster().WaitForMember(
      kFuyun, id, [](const v1::Member& m) { return m.organization_life_entries() == 1; }));

  for (const char* county : {kFuyun, kTianshan}) {
    SCOPED_TRACE(county);
    LX_ASSERT_OK_AND_ASSIGN(v1::Member m, cluster().Get(county, id));
    EXPECT_EQ(m.name(), name);
    EXPECT_EQ(m.branch(), branch);
    EXPECT_EQ(m.destination_address(), address);
    EXPECT_EQ(m.occupation(), occupation);
    EXPECT_EQ(m.employer(), employer);
    EXPECT_EQ(m.liaison_name(), liaison);
    EXPECT_EQ(m.destination_name(), "乌鲁木齐市天山区");
    EXPECT_EQ(m.destination_branch(), destination_branch);
    EXPECT_EQ(m.certificate_no(), "富流证〇〇一");
    LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> history, cluster().History(county, id));
    std::string summaries;
    for (const auto& e : history) absl::StrAppend(&summaries, e.summary(), "\n");
    EXPECT_THAT(summaries, HasSubstr(absl::StrCat("乌鲁木齐市天山区，", occupation)));
    EXPECT_THAT(summaries, HasSubstr(absl::StrCat(destination_branch, "，")));
    EXPECT_THAT(summaries, HasSubstr(absl::StrCat("联系人 ", contact_person)));
    EXPECT_THAT(summaries, HasSubstr(absl::StrCat("组织生活 ", activity)));
    EXPECT_THAT(summaries, HasSubstr("富流证〇〇一"));
    if (std::string(county) == kFuyun) {
      EXPECT_THAT(summaries,
                  HasSubstr(absl::StrCat("登记党员：", name, "，", kFuyun, " ", branch)));
    }
  }
}

}  // namespace
}  // namespace lianxin::registry_test
