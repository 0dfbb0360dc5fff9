// The contact service across real processes: a lianxin-broker, the registries
// and contact services of Fuyun (origin) and Tianshan (destination).
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/contact_fixture.h"
#include "tests/paging_testing.h"

namespace lianxin::registry_test {
namespace {

using ::lianxin::testing::WalkPages;

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

// The current calendar quarter (county time), as "YYYY-MM-DD" bounds, and
// the first day of the next one.
struct Quarter {
  std::string start;
  std::string second_day;
  std::string end;
  std::string next;
};
Quarter CurrentQuarter() {
  const absl::CivilDay today = CountyToday();
  const absl::CivilMonth first(today.year(), ((today.month() - 1) / 3) * 3 + 1);
  return {absl::FormatCivilTime(absl::CivilDay(first)),
          absl::FormatCivilTime(absl::CivilDay(first) + 1),
          absl::FormatCivilTime(absl::CivilDay(first + 3) - 1),
          absl::FormatCivilTime(absl::CivilDay(first + 3))};
}

const v1::LiaisonReportMember* Row(const v1::GetLiaisonReportReply& report,
                                   const std::string& member_id) {
  for (const auto& m : report.members()) {
    if (m.member_id() == member_id) return &m;
  }
  return nullptr;
}

// Issue 16: the liaison's regular report to the branch (联络人定期向支部汇报),
// drafted, recorded once, and chased while missing, through real gRPC.
TEST_F(ContactFlowsTest, LiaisonReportDraftedRecordedOnceAndChasedWhileMissing) {
  const std::string silent = AwayAtTianshan("王建国", -200);  // lost contact (R5)
  const std::string reporting = AwayAtTianshan("李秀兰", -100);
  const std::string others = AwayAtTianshan("张伟", -100);
  for (const std::string& id : {silent, reporting, others}) {
    ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) { return h.away(); }))
        << cluster_.Logs();
  }
  ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, silent, [](const auto& h) {
    return h.lost_contact();
  })) << cluster_.Logs();
  auto assign = [&](const std::string& id, const char* name, const char* phone) {
    v1::AssignLiaisonRequest r;
    r.set_request_id(NewRequestId("liaison"));
    r.set_member_id(id);
    r.set_liaison_name(name);
    r.set_liaison_phone(phone);
    v1::ContactMutationReply reply;
    return cluster_.Call(kFuyun, &v1::ContactTracking::Stub::AssignLiaison, r, &reply);
  };
  LX_ASSERT_OK(assign(silent, "赵红梅", "13999887766"));
  LX_ASSERT_OK(assign(reporting, "赵红梅", "13999887766"));
  LX_ASSERT_OK(assign(others, "李强", "13999887700"));
  LX_ASSERT_OK(cluster_.RecordContact(kFuyun, ContactReport(reporting, 0)).status());
  LX_ASSERT_OK(
      cluster_.RecordContact(kFuyun, ContactReport(reporting, 0, v1::CONTACT_KIND_FAMILY_CONTACT))
          .status());

  // The draft for the current quarter.
  const Quarter quarter = CurrentQuarter();
  v1::GetLiaisonReportRequest draft;
  draft.set_jurisdiction(kFuyun);
  draft.set_liaison_name("赵红梅");
  draft.set_period_start(quarter.start);
  draft.set_period_end(quarter.end);
  v1::GetLiaisonReportReply report;
  LX_ASSERT_OK(cluster_.Call(kFuyun, &v1::ContactTracking::Stub::GetLiaisonReport, draft, &report));
  EXPECT_EQ(report.liaison_phone(), "13999887766");
  EXPECT_EQ(report.drafted_on(), Day(0));
  ASSERT_EQ(report.members_size(), 2) << report.DebugString();
  const v1::LiaisonReportMember* r = Row(report, reporting);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->name(), "李秀兰");
  EXPECT_EQ(r->destination_jurisdiction(), kTianshan);
  EXPECT_EQ(r->quarterly_reports(), 1u);
  EXPECT_EQ(r->family_contacts(), 1u);
  EXPECT_EQ(r->self_contacts(), 1u);
  EXPECT_EQ(r->contacts_about(), 1u);
  EXPECT_EQ(r->last_contact_in_period_on(), Day(0));
  EXPECT_FALSE(r->next_due_on().empty());
  const v1::LiaisonReportMember* s = Row(report, silent);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->self_contacts(), 0u);
  EXPECT_TRUE(s->lost_contact());
  EXPECT_TRUE(s->overdue());
  EXPECT_EQ(report.totals().members(), 2u);
  EXPECT_EQ(report.totals().members_contacted(), 1u);
  EXPECT_EQ(report.totals().members_not_contacted(), 1u);
  EXPECT_EQ(report.totals().lost_contact(), 1u);
  EXPECT_FALSE(report.reported());
  // Only what the branch needs: no ID number, birth date or member phone.
  const std::string text = report.DebugString();
  EXPECT_EQ(text.find("13900139000"), std::string::npos);
  EXPECT_EQ(text.find("birth"), std::string::npos);
  EXPECT_EQ(text.find("id_number"), std::string::npos);

  // As of the next quarter's first day, both liaisons owe the report.
  v1::ListMissingLiaisonReportsRequest chase;
  chase.set_jurisdiction(kFuyun);
  chase.set_as_of(quarter.next);
  v1::ListMissingLiaisonReportsReply missing;
  LX_ASSERT_OK(cluster_.Call(kFuyun, &v1::ContactTracking::Stub::ListMissingLiaisonReports, chase,
                             &missing));
  EXPECT_EQ(missing.period_start(), quarter.start);
  EXPECT_EQ(missing.liaisons_due(), 2u);
  EXPECT_EQ(missing.liaisons_reported(), 0u);
  ASSERT_EQ(missing.liaisons_size(), 2);

  // 赵红梅 reports; the same request again replays; a second report for the
  // quarter is refused.
  v1::RecordLiaisonReportRequest made;
  made.set_request_id(NewRequestId("liaison-report"));
  made.set_jurisdiction(kFuyun);
  made.set_liaison_name("赵红梅");
  made.set_period_start(quarter.start);
  made.set_period_end(quarter.end);
  made.set_branch_notes("支委会听取汇报：王建国失联，请流入地党组织协助查找");
  v1::RecordLiaisonReportReply recorded;
  LX_ASSERT_OK(
      cluster_.Call(kFuyun, &v1::ContactTracking::Stub::RecordLiaisonReport, made, &recorded));
  EXPECT_EQ(recorded.version(), 1u);
  EXPECT_EQ(recorded.member_ids_size(), 2);
  v1::RecordLiaisonReportReply replayed;
  LX_ASSERT_OK(
      cluster_.Call(kFuyun, &v1::ContactTracking::Stub::RecordLiaisonReport, made, &replayed));
  EXPECT_EQ(replayed.version(), 1u);
  v1::RecordLiaisonReportRequest again = made;
  again.set_request_id(NewRequestId("liaison-report"));
  EXPECT_EQ(cluster_.Call(kFuyun, &v1::ContactTracking::Stub::RecordLiaisonReport, again, &replayed)
                .code(),
            absl::StatusCode::kAlreadyExists);

  LX_ASSERT_OK(cluster_.Call(kFuyun, &v1::ContactTracking::Stub::ListMissingLiaisonReports, chase,
                             &missing));
  EXPECT_EQ(missing.liaisons_due(), 2u);
  EXPECT_EQ(missing.liaisons_reported(), 1u);
  ASSERT_EQ(missing.liaisons_size(), 1);
  EXPECT_EQ(missing.liaisons(0).liaison_name(), "李强");
  EXPECT_EQ(missing.liaisons(0).members(), 1u);
  LX_ASSERT_OK(cluster_.Call(kFuyun, &v1::ContactTracking::Stub::GetLiaisonReport, draft, &report));
  EXPECT_TRUE(report.reported());
  EXPECT_EQ(report.reported_on(), Day(0));
  EXPECT_EQ(report.version(), 1u);
}

// lxctl's liaison subcommands against the live services: the draft as a
// table, the record, the missing list as a table and as JSON.
TEST_F(ContactFlowsTest, LxctlDraftsRecordsAndListsLiaisonReports) {
  const std::string id = AwayAtTianshan("努尔兰", -100);
  ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) { return h.away(); }))
      << cluster_.Logs();
  const std::string endpoints = cluster_.WriteEndpoints();
  int runs = 0;
  auto lxctl = [&](std::vector<std::string> args, std::string* out) {
    const std::string path = cluster_.registry().dir().Sub(absl::StrCat("lxctl-", ++runs));
    std::vector<std::string> argv = {BinDir() + "/lxctl", "--endpoints", endpoints, "--county",
                                     kFuyun};
    argv.insert(argv.end(), args.begin(), args.end());
    absl::StatusOr<int> rc = RunProcess(argv, path);
    *out = ReadFile(path) + ReadFile(path + ".err");
    return rc.ok() ? *rc : -1;
  };
  std::string out;
  ASSERT_EQ(lxctl({"assign-liaison", id, "--liaison", "赵红梅", "--phone", "13999887766"}, &out), 0)
      << out;
  const Quarter quarter = CurrentQuarter();
  ASSERT_EQ(lxctl({"liaison-report", "--liaison", "赵红梅", "--period-start", quarter.start,
                   "--period-end", quarter.end},
                  &out),
            0)
      << out;
  EXPECT_TRUE(absl::StrContains(out, "努尔兰")) << out;
  EXPECT_TRUE(absl::StrContains(out, "1 members, 0 contacted")) << out;
  EXPECT_TRUE(absl::StrContains(out, "not reported to the branch yet")) << out;
  ASSERT_EQ(lxctl({"missing-liaison-reports", "--as-of", quarter.next}, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "1 of 1 liaisons have not reported")) << out;
  ASSERT_EQ(lxctl({"record-liaison-report", "--liaison", "赵红梅", "--period-start", quarter.start,
                   "--period-end", quarter.end, "--notes", "支委会已听取"},
                  &out),
            0)
      << out;
  EXPECT_TRUE(absl::StrContains(out, "1 members, version 1")) << out;
  ASSERT_EQ(lxctl({"missing-liaison-reports", "--as-of", quarter.next, "--json"}, &out), 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "\"liaisons_reported\": 1")) << out;
  EXPECT_FALSE(absl::StrContains(out, "赵红梅")) << out;
  // A period that is not a quarter: refused, naming the field.
  EXPECT_EQ(lxctl({"liaison-report", "--liaison", "赵红梅", "--period-start", quarter.second_day,
                   "--period-end", quarter.end},
                  &out),
            1);
  EXPECT_TRUE(absl::StrContains(out, "period_start")) << out;
}

TEST_F(ContactFlowsTest, LiaisonReportRefusesBadInputAndOtherCountiesNamingTheField) {
  const std::string id = AwayAtTianshan("马国庆", -100);
  const std::string other = AwayAtTianshan("哈力木", -100);
  ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) { return h.away(); }))
      << cluster_.Logs();
  ASSERT_TRUE(cluster_.WaitForHistory(kTianshan, id, [](const auto& h) { return h.away(); }))
      << cluster_.Logs();
  v1::AssignLiaisonRequest liaison;
  liaison.set_request_id(NewRequestId("liaison"));
  liaison.set_member_id(id);
  liaison.set_liaison_name("赵红梅");
  liaison.set_liaison_phone("13999887766");
  v1::ContactMutationReply assigned;
  LX_ASSERT_OK(
      cluster_.Call(kFuyun, &v1::ContactTracking::Stub::AssignLiaison, liaison, &assigned));
  const Quarter quarter = CurrentQuarter();
  auto valid = [&] {
    v1::RecordLiaisonReportRequest r;
    r.set_request_id(NewRequestId("liaison-report"));
    r.set_jurisdiction(kFuyun);
    r.set_liaison_name("赵红梅");
    r.set_period_start(quarter.start);
    r.set_period_end(quarter.end);
    return r;
  };
  struct Case {
    const char* what;
    std::function<void(v1::RecordLiaisonReportRequest&)> change;
    absl::StatusCode code;
    const char* field;
  } cases[] = {
      {"not a quarter's first day", [&](auto& r) { r.set_period_start(quarter.second_day); },
       absl::StatusCode::kInvalidArgument, "period_start"},
      {"end without start", [](auto& r) { r.clear_period_start(); },
       absl::StatusCode::kInvalidArgument, "period_start"},
      {"bad date", [](auto& r) { r.set_reported_on("2026-02-30"); },
       absl::StatusCode::kInvalidArgument, "reported_on"},
      {"reported tomorrow", [](auto& r) { r.set_reported_on(Day(1)); },
       absl::StatusCode::kInvalidArgument, "reported_on"},
      {"no liaison", [](auto& r) { r.clear_liaison_name(); }, absl::StatusCode::kInvalidArgument,
       "liaison_name"},
      {"another county", [](auto& r) { r.set_jurisdiction(kTianshan); },
       absl::StatusCode::kInvalidArgument, "jurisdiction"},
      {"a member twice",
       [&](auto& r) {
         r.add_member_ids(id);
         r.add_member_ids(id);
       },
       absl::StatusCode::kInvalidArgument, "member_ids[1]"},
      {"a member of another liaison", [&](auto& r) { r.add_member_ids(other); },
       absl::StatusCode::kFailedPrecondition, "member_ids[0]"},
      {"a liaison with nobody in charge", [](auto& r) { r.set_liaison_name("李强"); },
       absl::StatusCode::kFailedPrecondition, "liaison_name"},
      {"oversized notes", [](auto& r) { r.set_branch_notes(std::string(2001, 'x')); },
       absl::StatusCode::kInvalidArgument, "branch_notes"},
  };
  v1::RecordLiaisonReportReply reply;
  for (const Case& c : cases) {
    v1::RecordLiaisonReportRequest r = valid();
    c.change(r);
    absl::Status status =
        cluster_.Call(kFuyun, &v1::ContactTracking::Stub::RecordLiaisonReport, r, &reply);
    EXPECT_EQ(status.code(), c.code) << c.what << ": " << status;
    EXPECT_NE(status.message().find(c.field), std::string::npos) << c.what << ": " << status;
  }
  // Home county only: Tianshan's operator is refused at Fuyun, and Tianshan
  // keeps no liaison of Fuyun's members; the read-only operator may not record.
  EXPECT_EQ(cluster_
                .Call(kFuyun, &v1::ContactTracking::Stub::RecordLiaisonReport, valid(), &reply,
                      OperatorToken(kTianshan))
                .code(),
            absl::StatusCode::kPermissionDenied);
  v1::RecordLiaisonReportRequest at_destination = valid();
  at_destination.set_jurisdiction(kTianshan);
  EXPECT_EQ(
      cluster_
          .Call(kTianshan, &v1::ContactTracking::Stub::RecordLiaisonReport, at_destination, &reply)
          .code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(cluster_
                .Call(kFuyun, &v1::ContactTracking::Stub::RecordLiaisonReport, valid(), &reply,
                      std::string(kReadonlyToken))
                .code(),
            absl::StatusCode::kPermissionDenied);
  // Nothing half-applied: the report is still to make.
  v1::GetLiaisonReportRequest draft;
  draft.set_jurisdiction(kFuyun);
  draft.set_liaison_name("赵红梅");
  draft.set_period_start(quarter.start);
  draft.set_period_end(quarter.end);
  v1::GetLiaisonReportReply report;
  LX_ASSERT_OK(cluster_.Call(kFuyun, &v1::ContactTracking::Stub::GetLiaisonReport, draft, &report));
  EXPECT_FALSE(report.reported());
  EXPECT_EQ(report.version(), 0u);
  EXPECT_EQ(report.members_size(), 1);
}

// Paging: a member's contacts and the county's overdue list come page by page,
// every item once and in the documented order, with the totals of the whole
// list on every page; a bad token is INVALID_ARGUMENT naming page_token.
TEST_F(ContactFlowsTest, HistoryAndOverduePageEveryItemOnceInOrder) {
  std::vector<std::string> away;
  for (const char* name : {"王建国", "李秀兰", "张伟"}) away.push_back(AwayAtTianshan(name, -200));
  for (const std::string& id : away) {
    ASSERT_TRUE(cluster_.WaitForHistory(kFuyun, id, [](const auto& h) { return h.away(); }))
        << cluster_.Logs();
  }
  const std::string id = away.front();
  std::vector<std::string> recorded;
  for (int offset : {-150, -120, -90, -60, -30}) {
    v1::RecordContactRequest report = ContactReport(id, offset);
    report.set_summary(absl::StrCat("电话汇报 ", offset));
    LX_ASSERT_OK(cluster_.RecordContact(kFuyun, report).status());
    recorded.push_back(report.summary());
  }
  auto call_history = [&](const v1::GetContactHistoryRequest& r,
                          v1::GetContactHistoryReply* reply) {
    absl::Status s = cluster_.Call(kFuyun, &v1::ContactTracking::Stub::GetContactHistory, r, reply);
    if (s.ok() && reply->member_contacts() != recorded.size()) {
      return absl::InternalError("member_contacts is not the whole history's count");
    }
    if (s.ok() && reply->total_size() != recorded.size()) {
      return absl::InternalError("total_size is not the whole history's count");
    }
    return s;
  };
  v1::GetContactHistoryRequest history;
  history.set_member_id(id);
  for (int32_t page_size : {1, 2, 5}) {
    SCOPED_TRACE(page_size);
    std::vector<v1::ContactEntry> contacts;
    int pages = 0;
    LX_ASSERT_OK(WalkPages<v1::GetContactHistoryReply>(
        history, page_size, call_history, [](const auto& reply) { return reply.contacts(); },
        &contacts, &pages));
    EXPECT_EQ(pages, (5 + page_size - 1) / page_size);
    std::vector<std::string> summaries;
    for (const auto& c : contacts) summaries.push_back(c.summary());
    EXPECT_EQ(summaries, recorded);
  }

  // At least the two others are overdue (no contact in the 200 days away).
  v1::ListOverdueRequest overdue;
  overdue.set_jurisdiction(kFuyun);
  v1::ListOverdueReply whole;
  LX_ASSERT_OK(cluster_.Call(kFuyun, &v1::ContactTracking::Stub::ListOverdue, overdue, &whole));
  ASSERT_GE(whole.members_size(), 2) << whole.DebugString();
  std::vector<v1::OverdueMember> members;
  int pages = 0;
  LX_ASSERT_OK(WalkPages<v1::ListOverdueReply>(
      overdue, 1,
      [&](const auto& r, auto* reply) {
        return cluster_.Call(kFuyun, &v1::ContactTracking::Stub::ListOverdue, r, reply);
      },
      [](const auto& reply) { return reply.members(); }, &members, &pages));
  EXPECT_EQ(pages, whole.members_size());
  ASSERT_EQ(members.size(), static_cast<size_t>(whole.members_size()));
  for (size_t i = 0; i < members.size(); ++i) {
    EXPECT_EQ(members[i].member_id(), whole.members(i).member_id()) << i;
    if (i > 0) {
      EXPECT_GE(members[i - 1].days_overdue(), members[i].days_overdue()) << i;
    }
  }
  EXPECT_EQ(whole.total_size(), members.size());

  for (const char* token : {"garbage", "p1.bm90IGEgbGlzdA"}) {
    overdue.set_page_token(token);
    absl::Status s =
        cluster_.Call(kFuyun, &v1::ContactTracking::Stub::ListOverdue, overdue, &whole);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_NE(s.message().find("page_token"), std::string::npos) << s;
  }
  // A token of ListOverdue is not one of GetContactHistory.
  v1::ListOverdueReply first;
  overdue.set_page_token("");
  overdue.set_page_size(1);
  LX_ASSERT_OK(cluster_.Call(kFuyun, &v1::ContactTracking::Stub::ListOverdue, overdue, &first));
  ASSERT_FALSE(first.next_page_token().empty());
  history.set_page_token(first.next_page_token());
  v1::GetContactHistoryReply refused;
  absl::Status s =
      cluster_.Call(kFuyun, &v1::ContactTracking::Stub::GetContactHistory, history, &refused);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_NE(s.message().find("page_token"), std::string::npos) << s;
}

}  // namespace
}  // namespace lianxin::registry_test
