#include "services/contact/domain/decider.h"

#include "gtest/gtest.h"
#include "libs/common/time_util.h"

namespace lianxin::contact {
namespace {

using lianxin::v1::ContactMemberState;
using lianxin::v1::Event;

absl::CivilDay D(const char* text) { return *ParseDate(text); }

Context At(const char* jurisdiction, const char* today) {
  const absl::CivilDay day = D(today);
  return Context{
      jurisdiction, absl::FromCivil(day, absl::FixedTimeZone(8 * 3600)) + absl::Hours(10),
      day,          "op-1",
      "req-1",      {"654322", "650102"}};
}

// A Fuyun member away in Urumqi since 2026-02-10.
ContactMemberState AwayMember() {
  ContactMemberState s;
  s.set_member_id("654322-m1");
  s.mutable_facts()->set_member_id("654322-m1");
  s.mutable_facts()->set_home_jurisdiction("654322");
  s.mutable_facts()->set_away(true);
  s.mutable_facts()->mutable_outflow()->set_destination_jurisdiction("650102");
  s.mutable_facts()->mutable_outflow()->set_left_on("2026-02-10");
  return s;
}

ContactMemberState Apply(ContactMemberState s, const std::vector<Event>& events) {
  for (Event e : events) {
    e.set_aggregate_id(s.member_id());
    s = Evolve(std::move(s), e);
  }
  return s;
}

lianxin::v1::RecordContactRequest Contact(lianxin::v1::ContactKind kind, const char* on) {
  lianxin::v1::RecordContactRequest r;
  r.set_member_id("654322-m1");
  r.set_channel(lianxin::v1::CONTACT_CHANNEL_PHONE);
  r.set_kind(kind);
  r.set_occurred_on(on);
  r.set_summary("电话汇报：在乌鲁木齐工地务工，思想稳定");
  return r;
}

TEST(DecideRecordContact, RefusesAFutureDateNamingOccurredOn) {
  auto events = DecideRecordContact(
      AwayMember(), Contact(lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT, "2026-03-02"),
      At("654322", "2026-03-01"));
  ASSERT_EQ(events.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(events.status().message().find("occurred_on"), std::string::npos);
}

TEST(DecideRecordContact, BackDatedAllowedAndCountsForTheQuarter) {
  auto events = DecideRecordContact(
      AwayMember(), Contact(lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT, "2026-03-20"),
      At("654322", "2026-04-05"));
  ASSERT_TRUE(events.ok()) << events.status();
  ContactMemberState s = Apply(AwayMember(), *events);
  EXPECT_EQ(s.last_quarterly_report_on(), "2026-03-20");
  EXPECT_EQ(s.last_contact_on(), "2026-03-20");
  EXPECT_EQ(s.member_contacts(), 1u);
  EXPECT_TRUE((*events)[0].routed_to().empty());  // recorded at home
}

TEST(DecideRecordContact, AtTheDestinationIsRoutedHome) {
  auto events = DecideRecordContact(
      AwayMember(), Contact(lianxin::v1::CONTACT_KIND_DESTINATION_ORGANIZATION, "2026-03-20"),
      At("650102", "2026-03-21"));
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].routed_to(0), "654322");
  EXPECT_EQ((*events)[0].contact_recorded().recorded_in(), "650102");
  ContactMemberState s = Apply(AwayMember(), *events);
  EXPECT_EQ(s.destination_organization_contacts(), 1u);
  EXPECT_EQ(s.last_contact_on(), "");  // R15: counted apart
}

TEST(DecideRecordContact, ACountyWithoutThisMobileMemberIsRefused) {
  auto events =
      DecideRecordContact(AwayMember(), Contact(lianxin::v1::CONTACT_KIND_OTHER, "2026-03-20"),
                          At("440305", "2026-03-21"));
  EXPECT_EQ(events.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(DecideLostContact, FlagsTheDayAfterSixMonthsThenResumesOnContact) {
  ContactMemberState s = AwayMember();  // silent since leaving on 2026-02-10
  EXPECT_TRUE(DecideLostContact(s, At("654322", "2026-08-10"), Settings()).empty());
  Events lost = DecideLostContact(s, At("654322", "2026-08-11"), Settings());
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].lost_contact().last_contact_on(), "2026-02-10");
  EXPECT_EQ(lost[0].lost_contact().lost_on(), "2026-08-11");
  s = Apply(s, lost);
  EXPECT_TRUE(s.lost_contact());
  EXPECT_TRUE(DecideLostContact(s, At("654322", "2026-09-01"), Settings()).empty());
  // A family contact does not end it; a contact with the member does.
  auto family =
      DecideRecordContact(s, Contact(lianxin::v1::CONTACT_KIND_FAMILY_CONTACT, "2026-09-01"),
                          At("654322", "2026-09-01"));
  ASSERT_TRUE(family.ok());
  EXPECT_EQ(family->size(), 1u);
  auto call = DecideRecordContact(s, Contact(lianxin::v1::CONTACT_KIND_OTHER, "2026-09-02"),
                                  At("654322", "2026-09-02"));
  ASSERT_TRUE(call.ok());
  ASSERT_EQ(call->size(), 2u);
  EXPECT_EQ((*call)[1].contact_resumed().lost_on(), "2026-08-11");
  s = Apply(s, *call);
  EXPECT_FALSE(s.lost_contact());
  EXPECT_EQ(s.lost_history_size(), 1);
}

TEST(DecideRecordContact, ALateEntryOfAnOldContactRetractsThenTheSweepFlagsAgain) {
  ContactMemberState s = AwayMember();
  s = Apply(s, DecideLostContact(s, At("654322", "2026-08-11"), Settings()));
  // Entered on 2026-09-01, it happened on 2026-02-20: lost from 2026-08-21, not 08-11.
  auto late = DecideRecordContact(s, Contact(lianxin::v1::CONTACT_KIND_OTHER, "2026-02-20"),
                                  At("654322", "2026-09-01"));
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late->size(), 2u);
  s = Apply(s, *late);
  EXPECT_FALSE(s.lost_contact());
  EXPECT_EQ(s.lost_history_size(), 0);
  Events again = DecideLostContact(s, At("654322", "2026-09-01"), Settings());
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].lost_contact().lost_on(), "2026-08-21");
  EXPECT_EQ(again[0].lost_contact().last_contact_on(), "2026-02-20");
}

TEST(DecideRecordContact, ALateEntryThatRefutesTheSilenceErasesTheLostContact) {
  ContactMemberState s = AwayMember();
  s = Apply(s, DecideLostContact(s, At("654322", "2026-08-11"), Settings()));
  ASSERT_EQ(s.lost_history_size(), 1);
  // Entered on 2026-08-15, it happened on 2026-05-01: never silent 6 months.
  auto late = DecideRecordContact(s, Contact(lianxin::v1::CONTACT_KIND_OTHER, "2026-05-01"),
                                  At("654322", "2026-08-15"));
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late->size(), 2u);
  EXPECT_EQ((*late)[1].contact_resumed().contact_on(), "2026-05-01");
  s = Apply(s, *late);
  EXPECT_FALSE(s.lost_contact());
  EXPECT_EQ(s.lost_history_size(), 0);  // not counted as a lost contact
}

TEST(DecideLostContactEnds, AMemberLostAndBackHomeIsFound) {
  ContactMemberState s = AwayMember();
  s = Apply(s, DecideLostContact(s, At("654322", "2026-08-11"), Settings()));
  EXPECT_TRUE(DecideLostContactEnds(s, At("654322", "2026-09-01")).empty());  // still away
  s.mutable_facts()->set_away(false);
  s.mutable_facts()->set_returned_on("2026-08-30");
  Events ended = DecideLostContactEnds(s, At("654322", "2026-09-01"));
  ASSERT_EQ(ended.size(), 1u);
  EXPECT_EQ(ended[0].contact_resumed().contact_on(), "2026-08-30");
  s = Apply(s, ended);
  EXPECT_FALSE(s.lost_contact());
  EXPECT_TRUE(DecideLostContactEnds(s, At("654322", "2026-09-02")).empty());
}

// Defect 6, R23: organization life at the destination after the silence
// began (recorded on the certificate) is contact: the lost contact ends,
// dated the organization life; one before it changes nothing.
TEST(DecideLostContactEnds, OrganizationLifeAtTheDestinationEndsALostContact) {
  const Settings settings;
  ContactMemberState s = AwayMember();
  s = Apply(s, DecideLostContact(s, At("654322", "2026-08-11"), settings));
  ASSERT_TRUE(s.lost_contact());
  struct Case {
    const char* life_on;
    bool ends;
  } cases[] = {{"", false}, {"2026-02-10", false}, {"2026-08-20", true}};
  for (const Case& c : cases) {
    ContactMemberState with = s;
    with.mutable_facts()->set_last_organization_life_on(c.life_on);
    Events ended = DecideLostContactEnds(with, At("654322", "2026-09-01"));
    ASSERT_EQ(ended.size(), c.ends ? 1u : 0u) << c.life_on;
    if (c.ends) {
      EXPECT_EQ(ended[0].contact_resumed().contact_on(), c.life_on);
      ContactMemberState after = Apply(with, ended);
      EXPECT_FALSE(after.lost_contact());
      // And the sweep does not flag it again.
      EXPECT_TRUE(DecideLostContact(after, At("654322", "2026-09-02"), settings).empty());
    }
  }
}

TEST(DecideRoutedContact, HomeRecordsTheDestinationsContactAndResumes) {
  ContactMemberState s = AwayMember();
  s = Apply(s, DecideLostContact(s, At("654322", "2026-08-11"), Settings()));
  Event at_destination;
  at_destination.set_event_id("650102/contact/7");
  at_destination.set_aggregate_id("654322-m1");
  *at_destination.mutable_contact_recorded()->mutable_member_id() = "654322-m1";
  at_destination.mutable_contact_recorded()->set_kind(lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT);
  at_destination.mutable_contact_recorded()->set_occurred_on("2026-08-20");
  at_destination.mutable_contact_recorded()->set_recorded_in("650102");
  auto events = DecideRecordRoutedContact(s, at_destination, At("654322", "2026-08-21"));
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].causation_id(), "650102/contact/7");
  EXPECT_TRUE((*events)[1].has_contact_resumed());
  // Routed before the member was transferred away from 650102: nothing to
  // record there, and nothing refused (a refusal would quarantine it).
  auto elsewhere = DecideRecordRoutedContact(s, at_destination, At("650102", "2026-08-21"));
  ASSERT_TRUE(elsewhere.ok()) << elsewhere.status();
  EXPECT_TRUE(elsewhere->empty());
}

TEST(DecideConsultation, OpenThenCloseOnceWithDatesChecked) {
  lianxin::v1::OpenConsultationRequest open;
  open.set_caller_name("李娟");
  open.set_topic("组织关系转接");
  const Context ctx = At("654322", "2026-03-01");
  auto opened = DecideOpenConsultation(TicketId("654322", 12), open, ctx);
  ASSERT_TRUE(opened.ok());
  lianxin::v1::ConsultationTicket ticket = EvolveTicket({}, (*opened)[0]);
  EXPECT_EQ(ticket.ticket_id(), "654322-T000012");
  EXPECT_TRUE(IsTicketId(ticket.ticket_id()));
  EXPECT_FALSE(IsTicketId("654322-3f9ac1d2e4b5a6c7"));
  lianxin::v1::CloseConsultationRequest close;
  close.set_answer("已代为办理");
  close.set_resolution(lianxin::v1::CONSULTATION_RESOLUTION_HANDLED_ON_BEHALF);
  ToTimestamp(ctx.now + absl::Hours(1), close.mutable_closed_at());
  EXPECT_EQ(DecideCloseConsultation(ticket, close, ctx).status().code(),
            absl::StatusCode::kInvalidArgument);  // closed_at in the future
  close.clear_closed_at();
  auto closed = DecideCloseConsultation(ticket, close, ctx);
  ASSERT_TRUE(closed.ok());
  ticket = EvolveTicket(ticket, (*closed)[0]);
  EXPECT_TRUE(ticket.closed());
  EXPECT_EQ(DecideCloseConsultation(ticket, close, ctx).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

// R14: the hotline's callers: a member unless a branch (or another) called;
// the line and the duty staff on it are kept with the ticket.
TEST(DecideConsultation, RecordsTheCallerKindTheLineAndTheDutyStaff) {
  struct Case {
    lianxin::v1::CallerKind asked;
    lianxin::v1::CallerKind kept;
  } cases[] = {
      {lianxin::v1::CALLER_KIND_UNSPECIFIED, lianxin::v1::CALLER_KIND_MEMBER},
      {lianxin::v1::CALLER_KIND_BRANCH, lianxin::v1::CALLER_KIND_BRANCH},
      {lianxin::v1::CALLER_KIND_OTHER, lianxin::v1::CALLER_KIND_OTHER},
  };
  for (const Case& c : cases) {
    lianxin::v1::OpenConsultationRequest open;
    open.set_caller_name("库额尔齐斯镇第二党支部");
    open.set_topic("流动党员管理");
    open.set_caller_kind(c.asked);
    open.set_line("3号线");
    open.set_duty_staff("马晓红");
    auto opened = DecideOpenConsultation(TicketId("654322", 1), open, At("654322", "2026-03-01"));
    ASSERT_TRUE(opened.ok());
    lianxin::v1::ConsultationTicket ticket = EvolveTicket({}, (*opened)[0]);
    EXPECT_EQ(ticket.caller_kind(), c.kept);
    EXPECT_EQ(ticket.line(), "3号线");
    EXPECT_EQ(ticket.duty_staff(), "马晓红");
  }
}

TEST(DecideRecordContact, AReportTheMemberFiledIsMarkedSelfReported_UntilALaterContact) {
  Context self = At("654322", "2026-04-05");
  self.actor = "member:654322-m1";
  self.self_reported = true;
  auto filed = DecideRecordContact(
      AwayMember(), Contact(lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT, "2026-04-05"), self);
  ASSERT_TRUE(filed.ok()) << filed.status();
  EXPECT_TRUE((*filed)[0].contact_recorded().self_reported());
  EXPECT_EQ((*filed)[0].actor(), "member:654322-m1");
  ContactMemberState s = Apply(AwayMember(), *filed);
  EXPECT_TRUE(s.last_contact_self_reported());
  // An earlier contact entered late by an operator leaves the last one the member's.
  auto earlier =
      DecideRecordContact(s, Contact(lianxin::v1::CONTACT_KIND_THOUGHT_REPORT, "2026-03-01"),
                          At("654322", "2026-04-06"));
  ASSERT_TRUE(earlier.ok());
  EXPECT_FALSE((*earlier)[0].contact_recorded().self_reported());
  s = Apply(s, *earlier);
  EXPECT_TRUE(s.last_contact_self_reported());
  auto later =
      DecideRecordContact(s, Contact(lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT, "2026-04-06"),
                          At("654322", "2026-04-06"));
  ASSERT_TRUE(later.ok());
  s = Apply(s, *later);
  EXPECT_FALSE(s.last_contact_self_reported());
}

TEST(DecideConsultation, AHelpRequestTheMemberFiledIsMarkedSelfReported) {
  lianxin::v1::OpenConsultationRequest open;
  open.set_caller_name("王建国");
  open.set_topic("转接组织关系");
  Context self = At("654322", "2026-03-01");
  self.self_reported = true;
  for (const auto& [ctx, marked] :
       {std::pair{self, true}, std::pair{At("654322", "2026-03-01"), false}}) {
    auto opened = DecideOpenConsultation(TicketId("654322", 1), open, ctx);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(EvolveTicket({}, (*opened)[0]).self_reported(), marked);
  }
}

}  // namespace
}  // namespace lianxin::contact
