// Table tests of the registry's rules at their boundaries.
#include "services/registry/domain/rules.h"

#include "gtest/gtest.h"

namespace lianxin::registry {
namespace {

using lianxin::v1::MemberFacts;

absl::CivilDay D(const char* s) { return *ParseDate(s); }

TEST(AddMonths, ClampsToTheLastDayOfTheMonth) {
  EXPECT_EQ(AddMonths(D("2026-01-31"), 1), D("2026-02-28"));
  EXPECT_EQ(AddMonths(D("2024-01-31"), 1), D("2024-02-29"));
  EXPECT_EQ(AddMonths(D("2026-08-15"), 6), D("2027-02-15"));
  EXPECT_EQ(AddMonths(D("2026-03-31"), -1), D("2026-02-28"));
}

TEST(SameProvince, TheFirstTwoDigitsAgree) {
  EXPECT_TRUE(SameProvince("654322", "650102"));
  EXPECT_FALSE(SameProvince("654322", "440305"));
}

TEST(IsValidResidentIdNumber, ChecksLengthDigitsBirthDateAndCheckCharacter) {
  struct Case {
    const char* id;
    bool ok;
  } cases[] = {
      {"11010519491231002X", true},    // the standard's example
      {"11010519491231002x", true},    // lower-case x accepted
      {"110105194912310021", false},   // wrong check character
      {"11010519491331002X", false},   // month 13
      {"1101051949123100", false},     // too short
      {"11010519491231002XX", false},  // too long
      {"1101051949123100AX", false},   // letter in the digits
  };
  for (const Case& c : cases) EXPECT_EQ(IsValidResidentIdNumber(c.id), c.ok) << c.id;
}

TEST(MaskIdNumber, KeepsTheLastFourOnly) {
  EXPECT_EQ(MaskIdNumber("11010519491231002X"), "**************002X");
}

TEST(IsReportableAbsence, ThreeMonthsIsTheThreshold) {
  Settings s;
  EXPECT_FALSE(IsReportableAbsence(D("2026-03-01"), D("2026-05-31"), s));  // day before
  EXPECT_TRUE(IsReportableAbsence(D("2026-03-01"), D("2026-06-01"), s));   // day of
  EXPECT_TRUE(IsReportableAbsence(D("2026-03-01"), D("2026-06-02"), s));   // day after
  s.report_after_months = 2;                                               // a county's own setting
  EXPECT_TRUE(IsReportableAbsence(D("2026-03-01"), D("2026-05-01"), s));
}

MemberFacts Away(const char* left_on) {
  MemberFacts f;
  f.set_home_jurisdiction("654322");
  f.set_away(true);
  f.mutable_outflow()->set_destination_jurisdiction("650102");
  f.mutable_outflow()->set_left_on(left_on);
  return f;
}

TEST(CertificateOrTransferOverdue, SixMonthsAwayWithNeither) {
  Settings s;
  MemberFacts f = Away("2026-01-15");
  EXPECT_FALSE(CertificateOrTransferOverdue(f, D("2026-07-14"), s));
  EXPECT_TRUE(CertificateOrTransferOverdue(f, D("2026-07-15"), s));
  MemberFacts with_certificate = f;
  with_certificate.mutable_certificate()->set_certificate_no("FY-001");
  with_certificate.mutable_certificate()->set_valid_until("2027-01-01");
  EXPECT_FALSE(CertificateOrTransferOverdue(with_certificate, D("2026-07-15"), s));
  with_certificate.mutable_certificate()->set_valid_until("2026-07-14");  // expired
  EXPECT_TRUE(CertificateOrTransferOverdue(with_certificate, D("2026-07-15"), s));
  MemberFacts transferring = f;
  transferring.set_transfer_pending(true);
  EXPECT_FALSE(CertificateOrTransferOverdue(transferring, D("2026-07-15"), s));
}

// Defect 1: the outcome of a transfer accepted before the member left again
// (a transfer-in) does not answer R2 for the new outflow.
TEST(CertificateOrTransferOverdue, FiresAgainForATransferredInMemberWhoLeaves) {
  Settings s;
  MemberFacts f = Away("2026-01-15");
  f.set_transferred_in(true);
  f.set_transfer_outcome("ACCEPTED");
  f.set_transfer_decided_on("2025-06-01");
  f.add_previous_homes("650102");
  struct Case {
    const char* as_of;
    bool overdue;
  } cases[] = {{"2026-07-14", false}, {"2026-07-15", true}, {"2027-01-01", true}};
  for (const Case& c : cases) {
    EXPECT_EQ(CertificateOrTransferOverdue(f, D(c.as_of), s), c.overdue) << c.as_of;
  }
}

// Defect 8: a resident whose transfer is pending is not outflow (and so not
// counted with an empty destination, nor as cross-province).
TEST(OutflowDestinationCounted, OnlyMembersAwayFromHomeCountAsOutflow) {
  MemberFacts resident;
  resident.set_home_jurisdiction("654322");
  MemberFacts resident_transferring = resident;
  resident_transferring.set_transfer_pending(true);
  resident_transferring.mutable_transfer()->set_to_jurisdiction("440305");
  MemberFacts away = Away("2026-01-15");
  MemberFacts away_transferring = away;
  away_transferring.set_transfer_pending(true);
  away_transferring.mutable_transfer()->set_to_jurisdiction("650102");
  struct Case {
    const char* name;
    MemberFacts facts;
    const char* self;
    std::optional<std::string> destination;
  } cases[] = {
      {"resident", resident, "654322", std::nullopt},
      {"resident, transfer pending", resident_transferring, "654322", std::nullopt},
      {"away", away, "654322", "650102"},
      {"away, transfer pending", away_transferring, "654322", "650102"},
      {"away, seen by the destination", away, "650102", std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(OutflowDestinationCounted(c.facts, c.self), c.destination) << c.name;
  }
}

TEST(CertificateCheckOverdue, QuarterlyForLongTermHoldersElseYearly) {
  Settings s;
  MemberFacts f = Away("2026-01-01");
  f.mutable_certificate()->set_certificate_no("FY-001");
  f.mutable_certificate()->set_issued_on("2026-01-10");
  f.mutable_certificate()->set_valid_until("2028-01-01");
  // Not yet long-term (away < 6 months): only the yearly check applies.
  EXPECT_FALSE(CertificateCheckOverdue(f, D("2026-06-30"), s).has_value());
  // Long-term from 2026-07-01; the last check (the issue, 2026-01-10) is older
  // than 3 months, so the mail-back is due the day before.
  EXPECT_EQ(NextCertificateCheckDue(f, s), D("2026-06-30"));
  auto c = CertificateCheckOverdue(f, D("2026-07-01"), s);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->check, CertificateCheckKind::kQuarterlyMailBack);
  EXPECT_EQ(CertificateCheckName(c->check), "QUARTERLY_MAIL_BACK");
  EXPECT_EQ(c->last_checked_on, "2026-01-10");
  EXPECT_EQ(c->days_overdue, 1);
  f.set_last_mail_back_check_on("2026-06-01");
  EXPECT_FALSE(CertificateCheckOverdue(f, D("2026-09-01"), s).has_value());  // due day
  EXPECT_TRUE(CertificateCheckOverdue(f, D("2026-09-02"), s).has_value());   // day after
  // A holder away since 2026-05-01 turns long-term on 2026-11-01: the first
  // mail-back is due then, before the yearly check (2027-01-10).
  MemberFacts short_term = Away("2026-05-01");
  *short_term.mutable_certificate() = f.certificate();
  EXPECT_EQ(NextCertificateCheckDue(short_term, s), D("2026-10-31"));
  EXPECT_FALSE(CertificateCheckOverdue(short_term, D("2026-10-31"), s).has_value());
}

TEST(LostTransferDaysOverdue, ReceiptDueOneMonthAfterTheRequest) {
  Settings s;
  MemberFacts f;
  f.set_transfer_pending(true);
  f.mutable_transfer()->set_requested_on("2026-03-31");
  EXPECT_EQ(TransferReceiptDueOn(f, s), D("2026-04-30"));
  EXPECT_FALSE(LostTransferDaysOverdue(f, D("2026-04-30"), s).has_value());  // due day
  EXPECT_EQ(LostTransferDaysOverdue(f, D("2026-05-01"), s), 1);
  f.set_transfer_pending(false);
  EXPECT_FALSE(LostTransferDaysOverdue(f, D("2026-06-01"), s).has_value());
}

TEST(StatusAsSeenBy, EachSideSeesItsOwnStatus) {
  using lianxin::v1::MemberStatus;
  MemberFacts f;
  f.set_home_jurisdiction("654322");
  EXPECT_EQ(StatusAsSeenBy(f, "654322"), lianxin::v1::MEMBER_STATUS_RESIDENT);
  f = Away("2026-01-01");
  EXPECT_EQ(StatusAsSeenBy(f, "654322"), lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
  EXPECT_EQ(StatusAsSeenBy(f, "650102"), lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
  f.set_arrived(true);
  EXPECT_EQ(StatusAsSeenBy(f, "654322"), lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED);
  EXPECT_EQ(StatusAsSeenBy(f, "650102"), lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
  EXPECT_EQ(StatusAsSeenBy(f, "440305"), lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
  f.set_transfer_pending(true);
  f.mutable_transfer()->set_to_jurisdiction("650102");
  EXPECT_EQ(StatusAsSeenBy(f, "654322"), lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING);
  EXPECT_EQ(StatusAsSeenBy(f, "650102"), lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
  f.set_transfer_pending(false);
  f.set_away(false);
  f.add_previous_homes("654322");
  f.set_home_jurisdiction("650102");
  f.set_transferred_in(true);
  EXPECT_EQ(StatusAsSeenBy(f, "654322"), lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT);
  EXPECT_EQ(StatusAsSeenBy(f, "650102"), lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN);
}

TEST(StatusAsSeenBy, AFormerHomeThatIsTheDestinationAgainExpectsTheMember) {
  MemberFacts f;
  f.set_home_jurisdiction("650102");
  f.add_previous_homes("654322");
  f.set_away(true);
  f.mutable_outflow()->set_destination_jurisdiction("654322");
  EXPECT_EQ(StatusAsSeenBy(f, "654322"), lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
  f.set_away(false);
  EXPECT_EQ(StatusAsSeenBy(f, "654322"), lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT);
  EXPECT_TRUE(PartEnded(StatusAsSeenBy(f, "654322")));
  EXPECT_FALSE(PartEnded(lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE));
}

TEST(SharingCounties, OnlyCountiesOnLianxinOtherThanSelf) {
  Settings s;
  s.on_system = {"654322", "650102", "440305"};
  MemberFacts f = Away("2026-01-01");
  EXPECT_EQ(SharingCounties(f, "654322", s), (absl::flat_hash_set<std::string>{"650102"}));
  EXPECT_EQ(SharingCounties(f, "650102", s), (absl::flat_hash_set<std::string>{"654322"}));
  f.mutable_outflow()->set_destination_jurisdiction("110105");  // off lianxin
  EXPECT_TRUE(SharingCounties(f, "654322", s).empty());
}

}  // namespace
}  // namespace lianxin::registry
