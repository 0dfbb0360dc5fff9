#include "services/education/domain/roles.h"

#include "gtest/gtest.h"

namespace lianxin::education {
namespace {

using lianxin::v1::Event;
using lianxin::v1::MemberEducation;

Event AttendanceFrom(const std::string& county) {
  Event event;
  event.mutable_source()->set_jurisdiction(county);
  event.mutable_source()->set_service("education");
  event.set_aggregate_id("m-1");
  event.mutable_attendance_recorded()->set_member_id("m-1");
  return event;
}

TEST(MayRecordFromDestination, OnlyTheCurrentDestinationWhileAway) {
  MemberEducation away;
  away.set_member_id("m-1");
  away.set_home_jurisdiction("654322");
  away.set_away(true);
  away.set_destination_jurisdiction("650102");
  MemberEducation back = away;
  back.set_away(false);
  MemberEducation at_home = away;
  at_home.set_away(false);
  at_home.clear_destination_jurisdiction();
  struct Case {
    const char* name;
    const MemberEducation& member;
    const char* source;
    bool allowed;
  } cases[] = {
      {"destination while away", away, "650102", true},
      {"a third county", away, "440305", false},
      {"the former destination after the return", back, "650102", false},
      {"a county about a member who never left", at_home, "440305", false},
      {"member not noted yet", MemberEducation(), "440305", true},
  };
  for (const Case& c : cases) {
    const absl::Status may = MayRecordFromDestination(c.member, AttendanceFrom(c.source));
    EXPECT_EQ(may.ok(), c.allowed) << c.name;
    if (!c.allowed) {
      EXPECT_TRUE(absl::IsPermissionDenied(may)) << c.name;
    }
  }
}

}  // namespace
}  // namespace lianxin::education
