#include "services/appraisal/domain/roles.h"

#include "gtest/gtest.h"

namespace lianxin::appraisal {
namespace {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;

TEST(MaySendNotice, OnlyTheMembersHome) {
  MemberFacts known;
  known.set_home_jurisdiction("654322");
  struct Case {
    const char* name;
    MemberFacts facts;
    const char* source;
    bool allowed;
  } cases[] = {
      {"the home", known, "654322", true},
      {"the destination itself", known, "650102", false},
      {"a third county", known, "440305", false},
      {"member not known yet", MemberFacts(), "440305", true},
  };
  for (const Case& c : cases) {
    Event notice;
    notice.mutable_source()->set_jurisdiction(c.source);
    notice.mutable_source()->set_service("appraisal");
    notice.set_aggregate_id("m-1");
    notice.mutable_appraisal_notice_sent();
    const absl::Status may = MaySendNotice(c.facts, notice);
    EXPECT_EQ(may.ok(), c.allowed) << c.name;
    if (!c.allowed) {
      EXPECT_TRUE(absl::IsPermissionDenied(may)) << c.name;
    }
  }
}

}  // namespace
}  // namespace lianxin::appraisal
