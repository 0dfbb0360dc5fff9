// The contact service across real processes: a lianxin-broker, the registries
// and contact services of Fuyun (origin) and Tianshan (destination).
#include <algorithm>
#include <string>

#include "gtest/gtest.h"
#include "tests/contact_fixture.h"

namespace lianxin::registry_test {
namespace {

class ContactFlowsTest : public ::testing::Test {
 protected:
  void SetUp() override { LX_ASSERT_OK(cluster_.Start()); }

  // A Fuyun member received at Tianshan, who left `left_offset` days ago.
  std::string AwayAtTianshan(const char* name, int left_offset) {
    absl::StatusOr<std::string> id = cluster_.registry().Register(kFuyun, NewPerson(name));
    EXPECT_TRUE(id.ok()) << id.status();
    if (!id.ok()) return "";
    EXPECT_TRUE(
        cluster_.registry().RegisterOutflow(kFuyun, Outflow(*id, kTianshan, left_offset)).ok());
    EXPECT_TRUE(
        cluster_.registry().WaitForStatus(kTianshan, *id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
    return *id;
  }

  ContactCluster cluster_{{kFuyun, kTianshan}};
};

TEST_F(ContactFlowsTest, ContactRecordedAtDestinationCountsAtOrigin) {
  const std::string id = AwayAtTianshan("王建国", -60);
  ASSERT_TRUE(cluster_.WaitForHistory(kTianshan, id, [](const auto& h) { return h.away(); }))
      << cluster_.Logs();
  v1::RecordContactRequest report =
      ContactReport(id, -2, v1::CONTACT_KIND_DESTINATION_ORGANIZATION);
  report.set_summary("天山区流入党员党支部：已参加三月主题党日，表现良好");
  LX_ASSERT_OK(cluster_.RecordContact(kTianshan, report).status());
  ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) {
    return h.contacts_size() == 1;
  })) << cluster_.Logs();
  absl::StatusOr<v1::GetContactHistoryReply> at_home = cluster_.History(kFuyun, id);
  ASSERT_TRUE(at_home.ok());
  EXPECT_EQ(at_home->contacts(0).recorded_in(), kTianshan);
  EXPECT_EQ(at_home->contacts(0).summary(), "天山区流入党员党支部：已参加三月主题党日，表现良好");
  EXPECT_EQ(at_home->destination_organization_contacts(), 1u);
  EXPECT_EQ(at_home->home_jurisdiction(), kFuyun);
  EXPECT_FALSE(at_home->quarterly_report_due_on().empty());  // obligations at home
}

TEST_F(ContactFlowsTest, LostContactFlagsBothRegistriesAndContactRestores) {
  // Left 200 days ago and never heard of: lost (R5) at the first sweep.
  const std::string id = AwayAtTianshan("李秀兰", -200);
  ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) { return h.lost_contact(); }))
      << cluster_.Logs();
  absl::StatusOr<v1::ListLostContactReply> lost = cluster_.Lost(kFuyun);
  ASSERT_TRUE(lost.ok());
  ASSERT_EQ(lost->members_size(), 1);
  EXPECT_EQ(lost->members(0).member_id(), id);
  EXPECT_EQ(lost->members(0).last_contact_on(), Day(-200));
  EXPECT_TRUE(cluster_.WaitForRegistryLost(kFuyun, id, true)) << cluster_.Logs();
  EXPECT_TRUE(cluster_.WaitForRegistryLost(kTianshan, id, true)) << cluster_.Logs();

  // She calls the destination's branch: recorded at Tianshan, it ends the lost
  // contact at Fuyun, and both registries clear the flag.
  ASSERT_TRUE(cluster_.WaitForHistory(kTianshan, id, [](const auto& h) { return h.away(); }))
      << cluster_.Logs();
  v1::RecordContactRequest call = ContactReport(id, 0, v1::CONTACT_KIND_OTHER);
  LX_ASSERT_OK(cluster_.RecordContact(kTianshan, call).status());
  // The same request again: the first reply, nothing new.
  LX_ASSERT_OK(cluster_.RecordContact(kTianshan, call).status());
  ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) { return !h.lost_contact(); }))
      << cluster_.Logs();
  EXPECT_TRUE(cluster_.WaitForRegistryLost(kFuyun, id, false)) << cluster_.Logs();
  EXPECT_TRUE(cluster_.WaitForRegistryLost(kTianshan, id, false)) << cluster_.Logs();
  absl::StatusOr<v1::GetContactHistoryReply> at_home = cluster_.History(kFuyun, id);
  ASSERT_TRUE(at_home.ok());
  EXPECT_EQ(at_home->contacts_size(), 1);  // the retry recorded nothing
  absl::StatusOr<std::vector<v1::HistoryEntry>> events = cluster_.registry().History(kFuyun, id);
  ASSERT_TRUE(events.ok());
  std::vector<std::string> types = Types(*events);
  EXPECT_EQ(std::count(types.begin(), types.end(), "LostContactFlagged"), 1);
  EXPECT_EQ(std::count(types.begin(), types.end(), "ContactRestored"), 1);
}

// Defect 6, R23: a member who sends no report home but attends organization
// life at the destination (recorded on the certificate there) is in contact
// with a party organization: the lost contact ends at home and in both
// registries.
TEST_F(ContactFlowsTest, OrganizationLifeAtTheDestinationEndsALostContact) {
  const std::string id = AwayAtTianshan("努尔兰", -200);
  ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) { return h.lost_contact(); }))
      << cluster_.Logs();
  v1::RecordArrivalRequest arrival = Arrival(id, kTianshan);
  arrival.set_arrived_on(Day(-190));
  arrival.set_certificate_no("FY-2026-088");
  LX_ASSERT_OK(cluster_.registry().RecordArrival(kTianshan, arrival));
  LX_ASSERT_OK(cluster_.registry().RecordCertificateEntry(kTianshan, OrganizationLife(id, -5)));
  ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) { return !h.lost_contact(); }))
      << cluster_.Logs();
  EXPECT_TRUE(cluster_.WaitForRegistryLost(kFuyun, id, false)) << cluster_.Logs();
  EXPECT_TRUE(cluster_.WaitForRegistryLost(kTianshan, id, false)) << cluster_.Logs();
  absl::StatusOr<v1::ListLostContactReply> lost = cluster_.Lost(kFuyun);
  ASSERT_TRUE(lost.ok());
  for (const auto& m : lost->members()) EXPECT_NE(m.member_id(), id);
}

TEST_F(ContactFlowsTest, BadInputAnswersWithTheFieldNamed) {
  const std::string id = AwayAtTianshan("张伟", -30);
  ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) { return h.away(); }))
      << cluster_.Logs();
  struct Case {
    const char* what;
    std::function<void(v1::RecordContactRequest&)> change;
    absl::StatusCode code;
    const char* field;
  } cases[] = {
      {"future date", [](auto& r) { r.set_occurred_on(Day(1)); },
       absl::StatusCode::kInvalidArgument, "occurred_on"},
      {"bad date", [](auto& r) { r.set_occurred_on("2026-02-30"); },
       absl::StatusCode::kInvalidArgument, "occurred_on"},
      {"unknown member", [](auto& r) { r.set_member_id("654322-ffffffffffffffff"); },
       absl::StatusCode::kNotFound, "member_id"},
      {"empty summary", [](auto& r) { r.set_summary(""); }, absl::StatusCode::kInvalidArgument,
       "summary"},
      {"oversized summary", [](auto& r) { r.set_summary(std::string(2001, 'x')); },
       absl::StatusCode::kInvalidArgument, "summary"},
      {"invalid UTF-8", [](auto& r) { r.set_summary("\xe4\xb8"); },
       absl::StatusCode::kInvalidArgument, "summary"},
      {"no kind", [](auto& r) { r.set_kind(v1::CONTACT_KIND_UNSPECIFIED); },
       absl::StatusCode::kInvalidArgument, "kind"},
      {"no request id", [](auto& r) { r.set_request_id(""); }, absl::StatusCode::kInvalidArgument,
       "request_id"},
  };
  for (const Case& c : cases) {
    v1::RecordContactRequest r = ContactReport(id);
    c.change(r);
    absl::StatusOr<uint64_t> version = cluster_.RecordContact(kFuyun, r);
    EXPECT_EQ(version.status().code(), c.code) << c.what << ": " << version.status();
    EXPECT_NE(version.status().message().find(c.field), std::string::npos)
        << c.what << ": " << version.status();
  }
  // Readonly may not record; Tianshan may not assign Fuyun's liaison.
  ASSERT_TRUE(cluster_.WaitForHistory(kTianshan, id, [](const auto& h) { return h.away(); }))
      << cluster_.Logs();
  v1::ContactMutationReply reply;
  EXPECT_EQ(cluster_
                .Call(kFuyun, &v1::ContactTracking::Stub::RecordContact, ContactReport(id), &reply,
                      std::string(kReadonlyToken))
                .code(),
            absl::StatusCode::kPermissionDenied);
  v1::AssignLiaisonRequest liaison;
  liaison.set_request_id(NewRequestId("liaison"));
  liaison.set_member_id(id);
  liaison.set_liaison_name("赵红梅");
  liaison.set_liaison_phone("13999887766");
  EXPECT_EQ(
      cluster_.Call(kTianshan, &v1::ContactTracking::Stub::AssignLiaison, liaison, &reply).code(),
      absl::StatusCode::kPermissionDenied);
  LX_EXPECT_OK(cluster_.Call(kFuyun, &v1::ContactTracking::Stub::AssignLiaison, liaison, &reply));
  absl::StatusOr<v1::GetContactHistoryReply> h = cluster_.History(kFuyun, id);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->liaisons_size(), 1);
  EXPECT_EQ(h->liaisons(0).liaison_name(), "赵红梅");
  EXPECT_EQ(h->contacts_size(), 0);  // nothing half-applied
}

}  // namespace
}  // namespace lianxin::registry_test
