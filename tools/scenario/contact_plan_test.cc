#include "tools/scenario/contact_plan.h"

#include <map>
#include <set>

#include "gtest/gtest.h"
#include "libs/common/time_util.h"
#include "tools/scenario/generator.h"

namespace lianxin::scenario {
namespace {

namespace v1 = lianxin::v1;

ContactPlan FuyunContacts() {
  const Plan plan = Generate(FuyunSpec(), {.seed = 1, .today = absl::CivilDay(2026, 11, 27)});
  std::map<std::string, std::string> ids;
  for (const Member& m : plan.members()) ids[m.key()] = "654322-" + m.key();
  return GenerateContactPlan(plan, ids);
}

TEST(GenerateContactPlan, HotlineYearHasTheSurveysFigures) {
  const ContactPlan plan = FuyunContacts();
  ASSERT_EQ(plan.opens.size(), 302u);
  std::map<int, int> closed_as;
  int left_open = 0;
  for (const auto& close : plan.closes) {
    if (close.request_id().empty()) {
      ++left_open;
    } else {
      ++closed_as[close.resolution()];
    }
  }
  EXPECT_EQ(closed_as[v1::CONSULTATION_RESOLUTION_DIFFICULTY_RESOLVED], 136);
  EXPECT_EQ(closed_as[v1::CONSULTATION_RESOLUTION_JOB_REFERRED], 52);
  EXPECT_EQ(left_open, 2);
  // Every ticket received within the year before today, closed after received.
  const absl::TimeZone county = absl::FixedTimeZone(8 * 3600);
  for (size_t k = 0; k < plan.opens.size(); ++k) {
    const absl::CivilDay day = absl::ToCivilDay(FromTimestamp(plan.opens[k].received_at()), county);
    EXPECT_GE(day, absl::CivilDay(2026, 11, 27) - 363);
    EXPECT_LT(day, absl::CivilDay(2026, 11, 27));
    if (!plan.closes[k].request_id().empty()) {
      EXPECT_GT(FromTimestamp(plan.closes[k].closed_at()),
                FromTimestamp(plan.opens[k].received_at()));
    }
  }
}

TEST(GenerateContactPlan, LiaisonsAndAYearOfContactsForTheMembersAway) {
  const ContactPlan plan = FuyunContacts();
  EXPECT_EQ(plan.liaisons.size(), 24u);  // the survey's 24 members away
  EXPECT_GT(plan.silent_members, 0);
  int at_destination = 0;
  std::map<std::string, int> request_ids;
  for (const auto& [county, contact] : plan.contacts) {
    EXPECT_LE(*ParseDate(contact.occurred_on()), absl::CivilDay(2026, 11, 27));
    if (county != "654322") {
      ++at_destination;
      EXPECT_EQ(contact.kind(), v1::CONTACT_KIND_DESTINATION_ORGANIZATION);
    }
    ++request_ids[contact.request_id()];
  }
  EXPECT_GT(at_destination, 0);
  for (const auto& [id, n] : request_ids) EXPECT_EQ(n, 1) << id;
}

TEST(GenerateContactPlan, LiaisonReportsForPastQuartersTwoMissingForTheLast) {
  const ContactPlan plan = FuyunContacts();  // today 2026-11-27: Q4 is running
  EXPECT_EQ(plan.liaisons_missing_last_quarter, 2);
  std::set<std::string> reported_q3;
  std::set<std::string> request_ids;
  for (const v1::RecordLiaisonReportRequest& r : plan.liaison_reports) {
    EXPECT_TRUE(request_ids.insert(r.request_id()).second) << r.request_id();
    EXPECT_GE(r.period_start(), "2025-10-01");
    EXPECT_LE(r.period_end(), "2026-09-30");
    EXPECT_GT(r.reported_on(), r.period_end());
    EXPECT_LE(r.reported_on(), "2026-11-27");
    if (r.period_start() == "2026-07-01") reported_q3.insert(r.liaison_name());
  }
  std::set<std::string> liaisons;
  for (const auto& [county, liaison] : plan.liaisons) liaisons.insert(liaison.liaison_name());
  EXPECT_EQ(reported_q3.size() + 2, liaisons.size());
}

}  // namespace
}  // namespace lianxin::scenario
