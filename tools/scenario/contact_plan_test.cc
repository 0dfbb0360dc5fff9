#include "tools/scenario/contact_plan.h"

#include <map>

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

}  // namespace
}  // namespace lianxin::scenario
