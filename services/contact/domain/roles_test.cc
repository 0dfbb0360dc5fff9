#include "services/contact/domain/roles.h"

#include "gtest/gtest.h"

namespace lianxin::contact {
namespace {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;

Event ContactFrom(const std::string& county) {
  Event event;
  event.mutable_source()->set_jurisdiction(county);
  event.mutable_source()->set_service("contact");
  event.set_aggregate_id("m-1");
  event.mutable_contact_recorded()->set_member_id("m-1");
  return event;
}

TEST(MayRecordRoutedContact, OnlyTheCurrentDestinationWhileAway) {
  MemberFacts away;
  away.set_member_id("m-1");
  away.set_home_jurisdiction("654322");
  away.set_away(true);
  away.mutable_outflow()->set_destination_jurisdiction("650102");
  MemberFacts back = away;
  back.set_away(false);
  struct Case {
    const char* name;
    const MemberFacts& facts;
    const char* source;
    bool allowed;
  } cases[] = {
      {"destination while away", away, "650102", true},
      {"a third county", away, "440305", false},
      {"the former destination after the return", back, "650102", false},
      {"member not observed yet", MemberFacts(), "440305", true},
  };
  for (const Case& c : cases) {
    const absl::Status may = MayRecordRoutedContact(c.facts, ContactFrom(c.source));
    EXPECT_EQ(may.ok(), c.allowed) << c.name;
    if (!c.allowed) {
      EXPECT_TRUE(absl::IsPermissionDenied(may)) << c.name;
    }
  }
}

}  // namespace
}  // namespace lianxin::contact
