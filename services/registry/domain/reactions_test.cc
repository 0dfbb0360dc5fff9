#include "services/registry/domain/reactions.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace lianxin::registry {
namespace {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;

MemberFacts Member(const std::string& home, bool lost) {
  MemberFacts facts;
  facts.set_member_id("654322-a");
  facts.set_home_jurisdiction(home);
  facts.set_lost_contact(lost);
  return facts;
}

Event Lost() {
  Event event;
  event.set_event_id("654322/contact/654322-a/7");
  event.set_correlation_id("sweep/654322-a/2026-07-11");
  event.mutable_lost_contact()->set_last_contact_on("2026-01-10");
  event.mutable_lost_contact()->set_lost_on("2026-07-11");
  return event;
}

Event Resumed() {
  Event event;
  event.set_event_id("654322/contact/654322-a/9");
  event.mutable_contact_resumed()->set_contact_on("2026-11-03");
  return event;
}

TEST(DecideContactFlagTest, OnlyTheHomeRegistryFlagsAndOnlyWhatChanges) {
  struct Case {
    const char* name;
    std::optional<MemberFacts> member;
    Event consumed;
    const char* want_type;  // "" for no flag
  };
  const std::vector<Case> cases = {
      {"lost, at home", Member("654322", false), Lost(), "LostContactFlagged"},
      {"lost, flagged already", Member("654322", true), Lost(), ""},
      {"lost, not the home", Member("650102", false), Lost(), ""},
      {"unknown member", std::nullopt, Lost(), ""},
      {"resumed, flagged", Member("654322", true), Resumed(), "ContactRestored"},
      {"resumed, not flagged", Member("654322", false), Resumed(), ""},
      {"resumed, transferred out since, flagged here", Member("650102", true), Resumed(),
       "ContactRestored"},
      {"another payload", Member("654322", false), Event(), ""},
  };
  for (const Case& c : cases) {
    std::optional<Event> flag = DecideContactFlag(c.member, c.consumed, "654322");
    EXPECT_EQ(flag.has_value() ? flag->type() : "", c.want_type) << c.name;
    if (flag.has_value()) {
      EXPECT_EQ(flag->causation_id(), c.consumed.event_id()) << c.name;
      EXPECT_EQ(flag->correlation_id(), c.consumed.correlation_id()) << c.name;
    }
  }
  std::optional<Event> flag = DecideContactFlag(Member("654322", false), Lost(), "654322");
  ASSERT_TRUE(flag.has_value());
  EXPECT_EQ(flag->lost_contact_flagged().last_contact_on(), "2026-01-10");
  EXPECT_EQ(flag->lost_contact_flagged().flagged_on(), "2026-07-11");
}

TEST(DecideIdentityClaimTest, TheFirstConfirmedClaimWins) {
  const IdentityClaim ours_unconfirmed{"654322-a", "654322", false};
  const IdentityClaim ours_confirmed{"654322-a", "654322", true};
  const IdentityClaim theirs{"650102-b", "650102", true};
  struct Case {
    const char* name;
    std::optional<IdentityClaim> held;
    IdentityClaim incoming;
    std::optional<std::string> want_keep;  // member id kept, nullopt: unchanged
    std::string want_duplicate;
    std::string want_winner;
  };
  const std::vector<Case> cases = {
      {"first claim", std::nullopt, theirs, "650102-b", "", "650102-b"},
      {"our own claim read back", ours_unconfirmed, ours_confirmed, "654322-a", "", "654322-a"},
      {"theirs first: ours is the duplicate", ours_unconfirmed, theirs, "650102-b", "654322-a",
       "650102-b"},
      {"ours confirmed first: theirs is flagged there", ours_confirmed, theirs, std::nullopt, "",
       "654322-a"},
  };
  for (const Case& c : cases) {
    ClaimDecision d = DecideIdentityClaim(c.held, c.incoming, "654322");
    EXPECT_EQ(d.keep.has_value() ? std::optional<std::string>(d.keep->member_id) : std::nullopt,
              c.want_keep)
        << c.name;
    EXPECT_EQ(d.duplicate_member_id, c.want_duplicate) << c.name;
    EXPECT_EQ(d.winner.member_id, c.want_winner) << c.name;
  }
}

TEST(DecideDuplicateSuspectedTest, FlagsOnce) {
  const IdentityClaim winner{"650102-b", "650102", true};
  MemberFacts member = Member("654322", false);
  std::optional<Event> flagged = DecideDuplicateSuspected(member, winner);
  ASSERT_TRUE(flagged.has_value());
  EXPECT_EQ(flagged->duplicate_suspected().existing_member_id(), "650102-b");
  EXPECT_EQ(flagged->duplicate_suspected().existing_jurisdiction(), "650102");
  member.set_suspected_duplicate_of("650102-b");
  EXPECT_FALSE(DecideDuplicateSuspected(member, winner).has_value());
}

}  // namespace
}  // namespace lianxin::registry
