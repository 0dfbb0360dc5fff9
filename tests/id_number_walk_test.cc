// No ID number can be rebuilt from what leaves a home registry (R18, issue
// 14): after a scenario across three counties (registrations, outflows,
// arrivals, a certificate, a transfer, a return, an arrival from an origin off
// lianxin), the test walks
//   - every message on every topic, read with a real Kafka client (kcat);
//   - every reply of every registry read RPC to a partner county;
//   - `lxaudit export` of every county;
// and looks, for each person of the scenario, for the ID number, a masked
// form showing more than its last four characters (the region or the birth
// date), or the full birth date in the same message as the masked number.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/lxaudit_fixture.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

using lxaudit_test::LxauditRun;
using lxaudit_test::RunLxaudit;

// One thing that left a home registry, as bytes or text.
struct Document {
  std::string where;
  std::string content;
};

// What in `doc` rebuilds (part of) `person`'s ID number, or "".
std::string Rebuilds(const Person& person, const Document& doc) {
  const std::string& id = person.id_number;
  const std::string last4 = id.substr(14);
  const std::string compact_birth = id.substr(6, 8);
  if (absl::StrContains(doc.content, id)) return "the ID number";
  // Any 18-character masked form ending in the last four that shows more.
  for (size_t at = doc.content.find(last4); at != std::string::npos;
       at = doc.content.find(last4, at + 1)) {
    if (at < 14) continue;
    const std::string masked = doc.content.substr(at - 14, 18);
    bool shows_more = false;
    bool is_mask = true;
    for (char c : masked.substr(0, 14)) {
      if (c != '*' && !(c >= '0' && c <= '9')) is_mask = false;
      if (c != '*') shows_more = true;
    }
    if (is_mask && shows_more && absl::StrContains(masked.substr(0, 14), "*")) {
      return absl::StrCat("a masked ID number showing more than the last four: ", masked);
    }
  }
  const bool masked_here = absl::StrContains(doc.content, std::string(14, '*') + last4);
  if (masked_here && (absl::StrContains(doc.content, person.birth_date) ||
                      absl::StrContains(doc.content, compact_birth))) {
    return "the full birth date beside the masked ID number";
  }
  return "";
}

TEST(RebuildsTest, FindsEachWayOfRebuildingAndNothingElse) {
  const Person p{.name = "张三", .id_number = "65432219850302123X", .birth_date = "1985-03-02"};
  struct Case {
    std::string content;
    std::string found;  // a part of Rebuilds' answer, "" for none
  };
  for (const Case& c : std::vector<Case>{
           {"name 张三 id 65432219850302123X", "the ID number"},
           {"masked 654322********123X", "showing more"},
           {"masked **************123X born 1985-03-02", "birth date beside"},
           {"masked **************123X born 19850302", "birth date beside"},
           {"masked **************123X born 1985", ""},
           {"born 1985-03-02, no number", ""},
       }) {
    const std::string found = Rebuilds(p, {"case", c.content});
    if (c.found.empty()) {
      EXPECT_EQ(found, "") << c.content;
    } else {
      EXPECT_TRUE(absl::StrContains(found, c.found)) << c.content << ": " << found;
    }
  }
}

class IdNumberWalkTest : public RegistryClusterTest {
 protected:
  // Every message of every topic the broker has, read with kcat.
  std::vector<Document> ReadEveryTopic() {
    const std::string list_out = cluster().dir().Sub("kcat-list.out");
    absl::StatusOr<int> listed = testing::RunProcess({"kcat", "-b", cluster().bootstrap(), "-L"},
                                                     list_out, absl::Seconds(30));
    EXPECT_TRUE(listed.ok() && *listed == 0) << testing::ReadFile(list_out + ".err");
    std::vector<std::string> topics;
    for (absl::string_view line : absl::StrSplit(testing::ReadFile(list_out), '\n')) {
      // '  topic "lx.654322.registry.v1" with 4 partitions:'
      const size_t open = line.find("topic \"");
      if (open == absl::string_view::npos) continue;
      const size_t close = line.find('"', open + 7);
      topics.emplace_back(line.substr(open + 7, close - open - 7));
    }
    std::vector<Document> docs;
    for (const std::string& topic : topics) {
      const std::string out = cluster().dir().Sub(absl::StrCat("kcat-", topic, ".out"));
      absl::StatusOr<int> read =
          testing::RunProcess({"kcat", "-b", cluster().bootstrap(), "-C", "-t", topic, "-o",
                               "beginning", "-e", "-q", "-f", "%s\n==lxmessage==\n"},
                              out, absl::Seconds(60));
      EXPECT_TRUE(read.ok() && *read == 0) << topic << ": " << testing::ReadFile(out + ".err");
      int n = 0;
      for (absl::string_view value :
           absl::StrSplit(testing::ReadFile(out), "\n==lxmessage==\n", absl::SkipEmpty())) {
        docs.push_back({absl::StrCat(topic, " message ", n++), std::string(value)});
      }
    }
    return docs;
  }
};

TEST_F(IdNumberWalkTest, NoTopicPartnerReplyOrExportRebuildsAnIdNumber) {
  // The scenario: Fuyun's members away at Tianshan (arrived, a certificate,
  // one transferred there, one returned, one moved on to Nanshan), and a
  // member whose origin is off lianxin, registered at Tianshan on arrival.
  std::vector<Person> people;
  std::vector<std::string> ids;
  for (const char* name : {"马秀兰", "艾力", "王芳", "赵强"}) {
    people.push_back(NewPerson(name));
    LX_ASSERT_OK_AND_ASSIGN(std::string id, cluster().Register(kFuyun, people.back()));
    LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, Outflow(id, kTianshan)));
    LX_ASSERT_OK(cluster().IssueCertificate(kFuyun, Certificate(id, absl::StrCat("FY-", name))));
    ASSERT_TRUE(cluster().WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_EXPECTED));
    LX_ASSERT_OK(cluster().RecordArrival(kTianshan, Arrival(id, kTianshan)));
    ASSERT_TRUE(cluster().WaitForStatus(kFuyun, id, v1::MEMBER_STATUS_OUTFLOW_RECEIVED));
    ids.push_back(id);
  }
  LX_ASSERT_OK(cluster().RequestTransfer(kFuyun, Transfer(ids[1], kTianshan, "FY-2026-001")));
  ASSERT_TRUE(cluster().WaitForMember(kTianshan, ids[1],
                                      [](const v1::Member& m) { return m.transfer_pending(); }));
  LX_ASSERT_OK(cluster().AcceptTransfer(kTianshan, Accept(ids[1])));
  v1::RecordReturnRequest back;
  back.set_request_id(NewRequestId("ret"));
  back.set_member_id(ids[2]);
  back.set_returned_on(Day(-1));
  LX_ASSERT_OK(cluster().RecordReturn(kFuyun, back));
  v1::RegisterOutflowRequest onward = Outflow(ids[3], kNanshan, -10);
  LX_ASSERT_OK(cluster().RegisterOutflow(kFuyun, onward));
  ASSERT_TRUE(cluster().WaitForStatus(kNanshan, ids[3], v1::MEMBER_STATUS_INFLOW_EXPECTED));
  people.push_back(NewPerson("古丽", "650102"));
  v1::RecordArrivalRequest off_system = Arrival("", kTianshan);
  off_system.set_name(people.back().name);
  off_system.set_id_number(people.back().id_number);
  off_system.set_gender(v1::GENDER_FEMALE);
  off_system.set_birth_date(people.back().birth_date);
  off_system.set_category(v1::MEMBER_CATEGORY_GRADUATE);
  off_system.set_joined_on(people.back().joined_on);
  off_system.set_origin_jurisdiction("653101");
  LX_ASSERT_OK(cluster().RecordArrival(kTianshan, off_system));
  // Every county has seen what it shares.
  ASSERT_TRUE(cluster().WaitForStatus(kFuyun, ids[1], v1::MEMBER_STATUS_TRANSFERRED_OUT));
  ASSERT_TRUE(cluster().WaitForStatus(kTianshan, ids[2], v1::MEMBER_STATUS_INFLOW_CLOSED));

  std::vector<Document> docs = ReadEveryTopic();
  ASSERT_GT(docs.size(), 20u) << "the topics hold the scenario's events";

  // Every registry read RPC of a partner county: Tianshan and Nanshan about
  // Fuyun's members, Fuyun about the member Tianshan registered.
  for (const char* partner : {kTianshan, kNanshan}) {
    absl::StatusOr<std::vector<v1::Member>> listed = cluster().ListAll(partner);
    ASSERT_TRUE(listed.ok()) << listed.status();
    for (const v1::Member& m : *listed) {
      docs.push_back({absl::StrCat("ListMembers at ", partner), m.DebugString()});
    }
    absl::StatusOr<v1::GetStatisticsReply> stats = cluster().Statistics(partner);
    ASSERT_TRUE(stats.ok()) << stats.status();
    docs.push_back({absl::StrCat("GetStatistics at ", partner), stats->DebugString()});
    for (const std::string& id : ids) {
      absl::StatusOr<v1::Member> m = cluster().Get(partner, id);
      if (m.ok())
        docs.push_back({absl::StrCat("GetMember ", id, " at ", partner),
                        m->DebugString() + m->SerializeAsString()});
      absl::StatusOr<std::vector<v1::HistoryEntry>> history = cluster().History(partner, id);
      if (!history.ok()) continue;
      for (const v1::HistoryEntry& e : *history) {
        docs.push_back({absl::StrCat("GetMemberHistory ", id, " at ", partner), e.DebugString()});
      }
    }
  }

  // lxaudit export of every county.
  const std::string endpoints = cluster().dir().Sub("endpoints-walk.json");
  lxaudit_test::WriteEndpoints(endpoints, cluster().bootstrap(),
                               {{kFuyun, cluster().dir().Sub(kFuyun)},
                                {kTianshan, cluster().dir().Sub(kTianshan)},
                                {kNanshan, cluster().dir().Sub(kNanshan)}});
  for (const char* county : {kFuyun, kTianshan, kNanshan}) {
    LxauditRun exported = RunLxaudit(
        cluster().dir().path(),
        {"export", "--endpoints", endpoints, "--county", county, "--service", "registry"});
    ASSERT_EQ(exported.code, 0) << exported.err;
    for (const std::string& line : exported.Lines()) {
      docs.push_back({absl::StrCat("lxaudit export ", county), line});
    }
  }

  int rebuilt = 0;
  for (const Document& doc : docs) {
    for (const Person& person : people) {
      const std::string found = Rebuilds(person, doc);
      if (found.empty()) continue;
      ADD_FAILURE() << doc.where << " gives " << found << " of " << person.name;
      if (++rebuilt > 10) return;
    }
  }
  // The walk saw the people: their masked numbers travel.
  int masked_seen = 0;
  for (const Document& doc : docs) {
    if (absl::StrContains(doc.content, std::string(14, '*') + people[0].id_number.substr(14))) {
      ++masked_seen;
    }
  }
  EXPECT_GT(masked_seen, 0);
}

}  // namespace
}  // namespace lianxin::registry_test
