// The Registry's gRPC contract (api-contract.md, Conventions) against real
// processes: idempotent retries, version conflicts, authentication and
// permissions, and bad input (the code, the field or rule named, nothing stored).
#include <functional>

#include "gmock/gmock.h"
#include "tests/paging_testing.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

using ::lianxin::testing::WalkPages;
using ::testing::HasSubstr;

class RegistryContractTest : public SharedRegistryClusterTest {
 protected:
  static size_t HistorySize(const std::string& county, const std::string& id) {
    absl::StatusOr<std::vector<v1::HistoryEntry>> h = cluster().History(county, id);
    return h.ok() ? h->size() : 0;
  }
};

// -- Idempotency and versions ----------------------------------------------

TEST_F(RegistryContractTest, RegisterMember_SameRequestIdAgain_ReturnsFirstReplyStoresOnce) {
  const v1::RegisterMemberRequest request = Registration(kFuyun, NewPerson("刘洋"));
  v1::RegisterMemberReply first, second;
  LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::RegisterMember, request, &first));
  LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::RegisterMember, request, &second));
  EXPECT_EQ(second.member_id(), first.member_id());
  EXPECT_EQ(second.version(), first.version());
  EXPECT_EQ(first.version(), 1u);
  EXPECT_EQ(HistorySize(kFuyun, first.member_id()), 1u);
}

TEST_F(RegistryContractTest, RegisterOutflow_SameRequestIdAgain_ReturnsFirstReplyStoresOnce) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, NewPerson("陈静")));
  const v1::RegisterOutflowRequest outflow = Outflow(id, kTianshan);
  v1::MutationReply first, again, changed, later;
  LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::RegisterOutflow, outflow, &first));
  EXPECT_EQ(first.version(), 2u);
  LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::RegisterOutflow, outflow, &again));
  EXPECT_EQ(again.version(), first.version());
  // The same request_id with other content: refused naming request_id, nothing changes.
  v1::RegisterOutflowRequest other = outflow;
  other.set_destination_jurisdiction(kNanshan);
  absl::Status refused =
      cluster().Call(kFuyun, &v1::Registry::Stub::RegisterOutflow, other, &changed);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << refused;
  EXPECT_THAT(refused.message(), HasSubstr("request_id: "));
  // After the member moved on, a retry still answers the first reply.
  LX_ASSERT_OK(cluster().IssueCertificate(kFuyun, Certificate(id, "富流证-幂等-1")));
  LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::RegisterOutflow, outflow, &later));
  EXPECT_EQ(later.version(), first.version());

  LX_ASSERT_OK_AND_ASSIGN(v1::Member m, cluster().Get(kFuyun, id));
  EXPECT_EQ(m.version(), 3u);
  EXPECT_EQ(m.destination_jurisdiction(), kTianshan);
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> history, cluster().History(kFuyun, id));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].type(), "OutflowRegistered");
  EXPECT_EQ(history[2].type(), "CertificateIssued");
  // The destination got the outflow once too (the certificate, routed after it, is the sentinel).
  ASSERT_TRUE(cluster().WaitForMember(
      kTianshan, id, [](const v1::Member& b) { return b.certificate_no() == "富流证-幂等-1"; }));
  EXPECT_EQ(HistorySize(kTianshan, id), 2u);
  EXPECT_EQ(cluster().Get(kNanshan, id).status().code(), absl::StatusCode::kNotFound);
}

// Idempotency records are keyed by principal, method and request_id: the id of
// an outflow is free for a certificate.
TEST_F(RegistryContractTest, RequestIdReusedForAnotherRpc_IsItsOwnCommand) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, NewPerson("杨帆")));
  const v1::RegisterOutflowRequest outflow = Outflow(id, kTianshan);
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, outflow));
  v1::IssueCertificateRequest certificate = Certificate(id, "富流证-复用-1");
  certificate.set_request_id(outflow.request_id());
  LX_ASSERT_OK(cluster().IssueCertificate(kFuyun, certificate));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member m, cluster().Get(kFuyun, id));
  EXPECT_EQ(m.version(), 3u);
  EXPECT_EQ(m.certificate_no(), "富流证-复用-1");
  EXPECT_EQ(HistorySize(kFuyun, id), 3u);
}

TEST_F(RegistryContractTest, WrongExpectedVersion_Aborted_NothingStored) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, NewPerson("赵磊")));
  v1::RegisterOutflowRequest outflow = Outflow(id, kTianshan);
  outflow.set_expected_version(5);
  absl::Status s = cluster().RegisterOutflow(kFuyun, outflow);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_THAT(s.message(), HasSubstr("expected_version"));
  LX_ASSERT_OK_AND_ASSIGN(v1::Member m, cluster().Get(kFuyun, id));
  EXPECT_EQ(m.version(), 1u);
  EXPECT_EQ(m.status(), v1::MEMBER_STATUS_RESIDENT);
  EXPECT_EQ(HistorySize(kFuyun, id), 1u);

  // The refused request_id was not consumed: the right version succeeds with it.
  outflow.set_expected_version(1);
  v1::MutationReply reply;
  LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::RegisterOutflow, outflow, &reply));
  EXPECT_EQ(reply.version(), 2u);
  // A stale version now conflicts.
  v1::IssueCertificateRequest certificate = Certificate(id, "富流证-版本-1");
  certificate.set_expected_version(1);
  s = cluster().IssueCertificate(kFuyun, certificate);
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted) << s;
  EXPECT_EQ(HistorySize(kFuyun, id), 2u);
}

// -- Authentication and permissions ------------------------------------------

TEST_F(RegistryContractTest, PrincipalOfAnotherCounty_OnFuyunOnlyMember_PermissionDenied) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, NewPerson("孙丽")));
  const std::string nanshan = OperatorToken(kNanshan);
  EXPECT_EQ(cluster().Get(kFuyun, id, nanshan).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(cluster().History(kFuyun, id, nanshan).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::MutationReply reply;
  absl::Status s = cluster().Call(kFuyun, &v1::Registry::Stub::RegisterOutflow,
                                  Outflow(id, kNanshan), &reply, nanshan);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  v1::GetStatisticsRequest stats;
  stats.set_jurisdiction(kFuyun);
  v1::GetStatisticsReply stats_reply;
  s = cluster().Call(kFuyun, &v1::Registry::Stub::GetStatistics, stats, &stats_reply, nanshan);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  v1::RegisterMemberReply registered;
  s = cluster().Call(kFuyun, &v1::Registry::Stub::RegisterMember,
                     Registration(kFuyun, NewPerson("外县人")), &registered, nanshan);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  LX_ASSERT_OK_AND_ASSIGN(v1::Member m, cluster().Get(kFuyun, id));
  EXPECT_EQ(m.version(), 1u);
}

TEST_F(RegistryContractTest, PrincipalOfDestination_ReadsSharedMemberAtOrigin) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, NewPerson("周杰")));
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kTianshan)));
  LX_EXPECT_OK(cluster().Get(kFuyun, id, OperatorToken(kTianshan)).status());
  EXPECT_EQ(cluster().Get(kFuyun, id, OperatorToken(kNanshan)).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(RegistryContractTest, ReadonlyPrincipal_Mutating_PermissionDenied_ReadingAllowed) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, NewPerson("吴敏")));
  v1::MutationReply reply;
  absl::Status s = cluster().Call(kFuyun, &v1::Registry::Stub::RegisterOutflow,
                                  Outflow(id, kTianshan), &reply, kReadonlyToken);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  const Person person = NewPerson("郑强");
  v1::RegisterMemberReply registered;
  s = cluster().Call(kFuyun, &v1::Registry::Stub::RegisterMember, Registration(kFuyun, person),
                     &registered, kReadonlyToken);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  LX_ASSERT_OK_AND_ASSIGN(v1::Member m, cluster().Get(kFuyun, id, kReadonlyToken));
  EXPECT_EQ(m.version(), 1u);
  EXPECT_EQ(m.status(), v1::MEMBER_STATUS_RESIDENT);
  // Nothing stored: the person can still be registered by an operator.
  LX_EXPECT_OK(cluster().Register(kFuyun, person).status());
}

TEST_F(RegistryContractTest, NoOrUnknownToken_Unauthenticated) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, NewPerson("冯雪")));
  EXPECT_EQ(cluster().Get(kFuyun, id, "").status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(cluster().Get(kFuyun, id, "no-such-token").status().code(),
            absl::StatusCode::kUnauthenticated);
  v1::MutationReply reply;
  absl::Status s = cluster().Call(kFuyun, &v1::Registry::Stub::RegisterOutflow,
                                  Outflow(id, kTianshan), &reply, std::string(""));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << s;
  EXPECT_EQ(cluster().Get(kFuyun, id)->version(), 1u);
}

// -- Bad input -------------------------------------------------------------

struct BadInput {
  std::string label;
  absl::StatusCode code;
  std::string named;  // the field or rule the message must name
};

// The 10th of last month: plus 3 months is a plain date (no month-end clamping).
absl::CivilDay LeftOnTenth() {
  const absl::CivilDay today = CountyToday();
  return absl::CivilDay(today.year(), today.month() - 1, 10);
}

std::string Chinese(int characters) {
  std::string s;
  for (int i = 0; i < characters; ++i) s += "张";
  return s;
}

// Registrations refused at the edge: the code, the field, and nothing stored
// (the statistics are unchanged and the person can then be registered).
TEST_F(RegistryContractTest, RegisterMember_BadInput_RefusedNamingFieldNothingStored) {
  struct Case {
    BadInput expect;
    std::function<void(v1::RegisterMemberRequest&)> spoil;
  };
  const std::vector<Case> cases = {
      {{"empty name", absl::StatusCode::kInvalidArgument, "name"}, [](auto& r) { r.set_name(""); }},
      {{"name of 33 Chinese characters", absl::StatusCode::kInvalidArgument, "name"},
       [](auto& r) { r.set_name(Chinese(33)); }},
      {{"name with invalid UTF-8 (\\xE5\\xAF)", absl::StatusCode::kInvalidArgument, "name"},
       [](auto& r) { r.set_name("张\xE5\xAF"); }},
      {{"jurisdiction of 5 digits", absl::StatusCode::kInvalidArgument, "jurisdiction"},
       [](auto& r) { r.set_jurisdiction("65432"); }},
      {{"jurisdiction of letters", absl::StatusCode::kInvalidArgument, "jurisdiction"},
       [](auto& r) { r.set_jurisdiction("65432X"); }},
      {{"jurisdiction with province 99", absl::StatusCode::kInvalidArgument, "jurisdiction"},
       [](auto& r) { r.set_jurisdiction("994322"); }},
      {{"id_number with a wrong check character", absl::StatusCode::kInvalidArgument, "id_number"},
       [](auto& r) {
         std::string id = r.id_number();
         id[17] = id[17] == '0' ? '1' : '0';
         r.set_id_number(id);
       }},
      {{"id_number of 17 characters", absl::StatusCode::kInvalidArgument, "id_number"},
       [](auto& r) { r.set_id_number(r.id_number().substr(0, 17)); }},
      {{"birth_date not the id_number's", absl::StatusCode::kInvalidArgument, "birth_date"},
       [](auto& r) { r.set_birth_date("1970-01-02"); }},
      {{"birth_date not a date", absl::StatusCode::kInvalidArgument, "birth_date"},
       [](auto& r) { r.set_birth_date("1970-02-30"); }},
      {{"missing request_id", absl::StatusCode::kInvalidArgument, "request_id"},
       [](auto& r) { r.set_request_id(""); }},
  };
  LX_ASSERT_OK_AND_ASSIGN(v1::GetStatisticsReply before, cluster().Statistics(kFuyun));
  std::vector<Person> refused;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expect.label);
    const Person person = NewPerson("测试");
    v1::RegisterMemberRequest request = Registration(kFuyun, person);
    c.spoil(request);
    v1::RegisterMemberReply reply;
    absl::Status s = cluster().Call(kFuyun, &v1::Registry::Stub::RegisterMember, request, &reply);
    EXPECT_EQ(s.code(), c.expect.code) << s;
    EXPECT_THAT(s.message(), HasSubstr(c.expect.named)) << s;
    refused.push_back(person);
  }
  LX_ASSERT_OK_AND_ASSIGN(v1::GetStatisticsReply after, cluster().Statistics(kFuyun));
  EXPECT_EQ(after.DebugString(), before.DebugString());
  for (const Person& person : refused) {
    LX_EXPECT_OK(cluster().Register(kFuyun, person).status());
  }
}

// The boundaries the refusals above sit next to are accepted.
TEST_F(RegistryContractTest, RegisterMember_NameOf32ChineseCharacters_Accepted) {
  Person person = NewPerson(Chinese(32));
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, person));
  EXPECT_EQ(cluster().Get(kFuyun, id)->name(), Chinese(32));
}

// Mutations of an existing member refused: the code, the field or rule, and
// the member's history and version unchanged.
TEST_F(RegistryContractTest, Mutations_BadInput_RefusedNamingFieldOrRuleNothingStored) {
  LX_ASSERT_OK_AND_ASSIGN(std::string away, cluster().Register(kFuyun, NewPerson("钱进")));
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(away, kTianshan, -60)));
  LX_ASSERT_OK_AND_ASSIGN(std::string resident, cluster().Register(kFuyun, NewPerson("李明")));

  struct Case {
    BadInput expect;
    std::string member;
    std::function<absl::Status()> call;
  };
  const std::vector<Case> cases = {
      {{"return before departure", absl::StatusCode::kInvalidArgument, "returned_on"},
       away,
       [&] { return cluster().RecordReturn(kFuyun, Return(away, -61)); }},
      {{"certificate valid until a past day", absl::StatusCode::kInvalidArgument, "valid_until"},
       away,
       [&] {
         v1::IssueCertificateRequest r = Certificate(away, "富流证-过期");
         r.set_issued_on(Day(-100));
         r.set_valid_until(Day(-10));
         return cluster().IssueCertificate(kFuyun, r);
       }},
      {{"outflow one day short of 3 months", absl::StatusCode::kFailedPrecondition, "R1"},
       resident,
       [&] {
         v1::RegisterOutflowRequest r = Outflow(resident, kTianshan);
         const absl::CivilDay left = LeftOnTenth();
         r.set_left_on(absl::FormatCivilTime(left));
         r.set_expected_return_on(
             absl::FormatCivilTime(absl::CivilDay(left.year(), left.month() + 3, left.day()) - 1));
         return cluster().RegisterOutflow(kFuyun, r);
       }},
      {{"destination_address with invalid UTF-8", absl::StatusCode::kInvalidArgument,
        "destination_address"},
       resident,
       [&] {
         v1::RegisterOutflowRequest r = Outflow(resident, kTianshan);
         r.set_destination_address("新华路\xE5\xAF");
         return cluster().RegisterOutflow(kFuyun, r);
       }},
      {{"destination_jurisdiction not a code", absl::StatusCode::kInvalidArgument,
        "destination_jurisdiction"},
       resident,
       [&] { return cluster().RegisterOutflow(kFuyun, Outflow(resident, "6501")); }},
      {{"expected_return_on before left_on", absl::StatusCode::kInvalidArgument,
        "expected_return_on"},
       resident,
       [&] {
         v1::RegisterOutflowRequest r = Outflow(resident, kTianshan);
         r.set_expected_return_on(Day(-100));
         return cluster().RegisterOutflow(kFuyun, r);
       }},
      {{"unknown member", absl::StatusCode::kNotFound, "member_id"},
       resident,
       [&] {
         return cluster().RegisterOutflow(kFuyun, Outflow("654322-0000000000000000", kTianshan));
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expect.label);
    LX_ASSERT_OK_AND_ASSIGN(v1::Member before, cluster().Get(kFuyun, c.member));
    const size_t history = HistorySize(kFuyun, c.member);
    absl::Status s = c.call();
    EXPECT_EQ(s.code(), c.expect.code) << s;
    EXPECT_THAT(s.message(), HasSubstr(c.expect.named)) << s;
    LX_ASSERT_OK_AND_ASSIGN(v1::Member after, cluster().Get(kFuyun, c.member));
    EXPECT_EQ(after.DebugString(), before.DebugString());
    EXPECT_EQ(HistorySize(kFuyun, c.member), history);
  }
  EXPECT_EQ(cluster().Get(kFuyun, "654322-0000000000000000").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(cluster().Get(kFuyun, "654322-0000000000000000").status().message()),
              HasSubstr("member_id"));
}

// R1's boundary: exactly 3 months away is an outflow.
TEST_F(RegistryContractTest, RegisterOutflow_ExactlyThreeMonths_Accepted) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, NewPerson("何平")));
  v1::RegisterOutflowRequest r = Outflow(id, kTianshan);
  const absl::CivilDay left = LeftOnTenth();
  r.set_left_on(absl::FormatCivilTime(left));
  r.set_expected_return_on(
      absl::FormatCivilTime(absl::CivilDay(left.year(), left.month() + 3, left.day())));
  LX_EXPECT_OK(cluster().RegisterOutflow(kFuyun, r));
}

// -- Paging ---------------------------------------------------------------

// A history longer than a small page comes page by page, every event once, in
// version order, and the pages together are the whole history.
TEST_F(RegistryContractTest, GetMemberHistory_PagesEveryEventOnceInVersionOrder) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().RegisterAway(kFuyun, kTianshan));
  LX_ASSERT_OK(cluster().IssueCertificate(kFuyun, Certificate(id, "富流证2026-9001")));
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> whole, cluster().History(kFuyun, id));
  ASSERT_GE(whole.size(), 3u);
  v1::GetMemberHistoryRequest request;
  request.set_member_id(id);
  for (int32_t page_size : {1, 2, static_cast<int32_t>(whole.size())}) {
    SCOPED_TRACE(page_size);
    std::vector<v1::HistoryEntry> all;
    int pages = 0;
    LX_ASSERT_OK(WalkPages<v1::GetMemberHistoryReply>(
        request, page_size,
        [&](const auto& r, auto* reply) {
          return cluster().Call(kFuyun, &v1::Registry::Stub::GetMemberHistory, r, reply);
        },
        [](const auto& reply) { return reply.events(); }, &all, &pages));
    EXPECT_EQ(pages, static_cast<int>((whole.size() + page_size - 1) / page_size));
    ASSERT_EQ(all.size(), whole.size());
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(all[i].event_id(), whole[i].event_id()) << i;
      if (i > 0) {
        EXPECT_LT(all[i - 1].version(), all[i].version()) << i;
      }
    }
  }
  v1::GetMemberHistoryRequest one_page = request;
  one_page.set_page_size(1);
  v1::GetMemberHistoryReply first;
  LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::GetMemberHistory, one_page, &first));
  EXPECT_EQ(first.total_size(), whole.size());
  EXPECT_FALSE(first.next_page_token().empty());
}

// A page token that is garbage or another list's, or a page size out of
// bounds, is INVALID_ARGUMENT naming the field, on every paged registry list.
TEST_F(RegistryContractTest, PagedLists_BadPageTokenOrSize_InvalidArgumentNamingTheField) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().RegisterAway(kFuyun, kTianshan));
  v1::GetMemberHistoryRequest history;
  history.set_member_id(id);
  history.set_page_size(1);
  v1::GetMemberHistoryReply first;
  LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::GetMemberHistory, history, &first));
  // A token GetMemberHistory gave, for a list that is not GetMemberHistory.
  const std::string history_token = first.next_page_token();
  ASSERT_FALSE(history_token.empty());
  struct Case {
    const char* label;
    int32_t page_size;
    std::string page_token;
    const char* named;
  };
  const std::vector<Case> cases = {
      {"garbage token", 0, "garbage", "page_token"},
      {"token of GetMemberHistory", 0, history_token, "page_token"},
      {"negative page_size", -1, "", "page_size"},
      {"page_size above 1000", 1001, "", "page_size"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.label);
    v1::ListLostTransfersRequest lost;
    lost.set_jurisdiction(kFuyun);
    lost.set_page_size(c.page_size);
    lost.set_page_token(c.page_token);
    v1::ListLostTransfersReply lost_reply;
    absl::Status s =
        cluster().Call(kFuyun, &v1::Registry::Stub::ListLostTransfers, lost, &lost_reply);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(s.message(), HasSubstr(c.named)) << s;
    v1::ListCertificateChecksDueRequest checks;
    checks.set_jurisdiction(kFuyun);
    checks.set_page_size(c.page_size);
    checks.set_page_token(c.page_token);
    v1::ListCertificateChecksDueReply checks_reply;
    s = cluster().Call(kFuyun, &v1::Registry::Stub::ListCertificateChecksDue, checks,
                       &checks_reply);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(s.message(), HasSubstr(c.named)) << s;
  }
  history.set_page_token("garbage");
  absl::Status s = cluster().Call(kFuyun, &v1::Registry::Stub::GetMemberHistory, history, &first);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_THAT(s.message(), HasSubstr("page_token")) << s;
}

}  // namespace
}  // namespace lianxin::registry_test
