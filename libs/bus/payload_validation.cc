#include "libs/bus/payload_validation.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/runtime/validate.h"

namespace lianxin {
namespace {

namespace v1 = ::lianxin::v1;

// The bounds of the gRPC edge's checks (services/*/service.cc) for the
// requests that make each kind. Fields a decider may leave empty (a date the
// request could omit, a fact not known) are optional here, never looser.
constexpr size_t kParagraph = 2000;  // contact's summaries

// An optional jurisdiction code.
FieldChecker& OptionalJurisdiction(FieldChecker& check, absl::string_view field,
                                   absl::string_view value) {
  return value.empty() ? check : check.Jurisdiction(field, value);
}

// 64 lower-case hex digits (HMAC-SHA-256), or empty.
bool IsHashOrEmpty(absl::string_view hash) {
  if (hash.empty()) return true;
  return hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
           return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
         });
}

// A masked ID number: 18 characters of digits, 'X' and '*', or empty.
bool IsMaskedIdOrEmpty(absl::string_view masked) {
  if (masked.empty()) return true;
  return masked.size() == 18 && std::all_of(masked.begin(), masked.end(), [](char c) {
           return absl::ascii_isdigit(c) || c == 'X' || c == 'x' || c == '*';
         });
}

// A member id, course id, cycle id...: 1–64 characters of one line.
FieldChecker& Id(FieldChecker& check, absl::string_view field, absl::string_view value,
                 bool optional = false) {
  return check.Text(field, value, optional ? 0 : 1, 64);
}

// A birth date as the home keeps it, or the year alone (what snapshots for
// partners and redacted copies carry), or nothing.
bool IsBirthDateOrYear(absl::string_view value) {
  if (value.empty()) return true;
  if (value.size() == 4) return std::all_of(value.begin(), value.end(), absl::ascii_isdigit);
  return FieldChecker().Date("birth_date", value).status().ok();
}

void CheckRegistration(FieldChecker& check, const v1::MemberRegistered& r) {
  OptionalJurisdiction(check, "home_jurisdiction", r.home_jurisdiction())
      .Text("branch", r.branch(), 0, 64)
      .Text("name", r.name(), 1, 32)
      .Require(IsHashOrEmpty(r.id_hash()), "id_hash", "is not 64 hex digits")
      .Require(IsMaskedIdOrEmpty(r.id_number_masked()), "id_number_masked",
               "is not a masked ID number")
      .Require(v1::Gender_IsValid(r.gender()), "gender", "is not a known value")
      .Require(IsBirthDateOrYear(r.birth_date()), "birth_date", "is not a date or a year")
      .Require(v1::MemberCategory_IsValid(r.category()), "category", "is not a known value")
      .Phone("phone", r.phone(), /*optional=*/true)
      .Date("joined_on", r.joined_on(), /*optional=*/true);
}

void CheckSnapshot(FieldChecker& check, const v1::MemberFacts& snapshot) {
  OptionalJurisdiction(check, "snapshot.home_jurisdiction", snapshot.home_jurisdiction());
  if (snapshot.has_registration()) CheckRegistration(check, snapshot.registration());
}

absl::Status MemberRegistered(const Event& e) {
  FieldChecker check;
  CheckRegistration(check, e.member_registered());
  return check.status();
}

absl::Status OutflowRegistered(const Event& e) {
  const v1::OutflowRegistered& o = e.outflow_registered();
  FieldChecker check;
  check.Jurisdiction("destination_jurisdiction", o.destination_jurisdiction())
      .Text("destination_name", o.destination_name(), 0, 64)
      .Text("destination_address", o.destination_address(), 0, 128)
      .Text("occupation", o.occupation(), 0, 64)
      .Text("employer", o.employer(), 0, 64)
      .Date("left_on", o.left_on())
      .Date("expected_return_on", o.expected_return_on(), /*optional=*/true)
      .Phone("contact_phone", o.contact_phone(), /*optional=*/true)
      .Text("liaison_name", o.liaison_name(), 0, 32)
      .Paragraph("responsibility_terms", o.responsibility_terms(), 0, 512)
      .Require(v1::OutflowReason_IsValid(o.reason()), "reason", "is not a known value")
      .Require(o.season_from_month() >= 0 && o.season_from_month() <= 12 &&
                   o.season_to_month() >= 0 && o.season_to_month() <= 12,
               "season_from_month", "and season_to_month are months 1–12");
  OptionalJurisdiction(check, "previous_destination_jurisdiction",
                       o.previous_destination_jurisdiction());
  if (o.has_snapshot()) CheckSnapshot(check, o.snapshot());
  return check.status();
}

absl::Status CertificateIssued(const Event& e) {
  const v1::CertificateIssued& c = e.certificate_issued();
  return FieldChecker()
      .Text("certificate_no", c.certificate_no(), 1, 32)
      .Date("issued_on", c.issued_on(), /*optional=*/true)
      .Date("valid_until", c.valid_until())
      .status();
}

absl::Status ArrivalRecorded(const Event& e) {
  const v1::ArrivalRecorded& a = e.arrival_recorded();
  FieldChecker check;
  OptionalJurisdiction(check, "destination_jurisdiction", a.destination_jurisdiction())
      .Text("branch", a.branch(), 1, 64)
      .Date("arrived_on", a.arrived_on())
      .Text("certificate_no", a.certificate_no(), 0, 32)
      .Text("contact_person", a.contact_person(), 0, 32);
  return check.status();
}

absl::Status CertificateEntryRecorded(const Event& e) {
  const v1::CertificateEntryRecorded& c = e.certificate_entry_recorded();
  FieldChecker check;
  check.Require(v1::CertificateEntryKind_IsValid(c.kind()), "kind", "is not a known value")
      .Date("occurred_on", c.occurred_on())
      .Text("activity", c.activity(), 0, 128)
      .Require(c.amount_fen() >= 0, "amount_fen", "is negative");
  OptionalJurisdiction(check, "recorded_by_jurisdiction", c.recorded_by_jurisdiction());
  return check.status();
}

absl::Status TransferRequested(const Event& e) {
  const v1::TransferRequested& t = e.transfer_requested();
  FieldChecker check;
  OptionalJurisdiction(check, "from_jurisdiction", t.from_jurisdiction())
      .Jurisdiction("to_jurisdiction", t.to_jurisdiction())
      .Text("to_organization", t.to_organization(), 0, 64)
      .Text("letter_no", t.letter_no(), 1, 32)
      .Date("requested_on", t.requested_on(), /*optional=*/true);
  if (t.has_snapshot()) CheckSnapshot(check, t.snapshot());
  return check.status();
}

absl::Status TransferAccepted(const Event& e) {
  const v1::TransferAccepted& t = e.transfer_accepted();
  FieldChecker check;
  OptionalJurisdiction(check, "to_jurisdiction", t.to_jurisdiction())
      .Text("branch", t.branch(), 0, 64)
      .Date("accepted_on", t.accepted_on(), /*optional=*/true)
      .Text("letter_no", t.letter_no(), 0, 32);
  return check.status();
}

absl::Status TransferRejected(const Event& e) {
  return FieldChecker()
      .Text("reason", e.transfer_rejected().reason(), 1, 256)
      .Date("rejected_on", e.transfer_rejected().rejected_on(), /*optional=*/true)
      .status();
}

absl::Status ReturnRecorded(const Event& e) {
  const v1::ReturnRecorded& r = e.return_recorded();
  return FieldChecker()
      .Date("returned_on", r.returned_on())
      .Text("certificate_audit", r.certificate_audit(), 0, 256)
      .Text("responsibility_settlement", r.responsibility_settlement(), 0, 256)
      .status();
}

absl::Status LostContactFlagged(const Event& e) {
  return FieldChecker()
      .Date("last_contact_on", e.lost_contact_flagged().last_contact_on(), /*optional=*/true)
      .Date("flagged_on", e.lost_contact_flagged().flagged_on(), /*optional=*/true)
      .status();
}

absl::Status ContactRestored(const Event& e) {
  return FieldChecker()
      .Date("contact_on", e.contact_restored().contact_on(), /*optional=*/true)
      .status();
}

absl::Status DuplicateSuspected(const Event& e) {
  FieldChecker check;
  Id(check, "existing_member_id", e.duplicate_suspected().existing_member_id());
  OptionalJurisdiction(check, "existing_jurisdiction",
                       e.duplicate_suspected().existing_jurisdiction());
  return check.status();
}

absl::Status TransferWithdrawn(const Event& e) {
  return FieldChecker()
      .Text("reason", e.transfer_withdrawn().reason(), 1, 256)
      .Date("withdrawn_on", e.transfer_withdrawn().withdrawn_on(), /*optional=*/true)
      .status();
}

absl::Status OutflowDetailsChanged(const Event& e) {
  const v1::OutflowDetailsChanged& c = e.outflow_details_changed();
  FieldChecker check;
  check.Text("destination_address", c.destination_address(), 0, 128)
      .Phone("contact_phone", c.contact_phone(), /*optional=*/true)
      .Text("employer", c.employer(), 0, 64)
      .Text("occupation", c.occupation(), 0, 64)
      .Date("expected_return_on", c.expected_return_on(), /*optional=*/true)
      .Text("destination_branch", c.destination_branch(), 0, 64)
      .Date("changed_on", c.changed_on(), /*optional=*/true);
  OptionalJurisdiction(check, "recorded_by_jurisdiction", c.recorded_by_jurisdiction());
  return check.status();
}

absl::Status VisitHomeRecorded(const Event& e) {
  return FieldChecker()
      .Date("home_from", e.visit_home_recorded().home_from())
      .Date("home_until", e.visit_home_recorded().home_until())
      .status();
}

absl::Status MembershipStandingChanged(const Event& e) {
  const v1::MembershipStandingChanged& c = e.membership_standing_changed();
  return FieldChecker()
      .Require(v1::MembershipChange_IsValid(c.change()), "change", "is not a known value")
      .Date("decided_on", c.decided_on(), /*optional=*/true)
      .Paragraph("grounds", c.grounds(), 0, 512)
      .Text("approved_by", c.approved_by(), 0, 64)
      .status();
}

absl::Status CriticismRecorded(const Event& e) {
  return FieldChecker()
      .Text("grounds", e.criticism_recorded().grounds(), 1, 256)
      .Date("recorded_on", e.criticism_recorded().recorded_on(), /*optional=*/true)
      .status();
}

absl::Status ContactRecorded(const Event& e) {
  const v1::ContactRecorded& c = e.contact_recorded();
  FieldChecker check;
  Id(check, "member_id", c.member_id())
      .Require(v1::ContactChannel_IsValid(c.channel()), "channel", "is not a known value")
      .Require(v1::ContactKind_IsValid(c.kind()), "kind", "is not a known value")
      .Date("occurred_on", c.occurred_on())
      .Paragraph("summary", c.summary(), 0, kParagraph);
  OptionalJurisdiction(check, "recorded_in", c.recorded_in());
  return check.status();
}

absl::Status LostContact(const Event& e) {
  FieldChecker check;
  Id(check, "member_id", e.lost_contact().member_id())
      .Date("last_contact_on", e.lost_contact().last_contact_on(), /*optional=*/true)
      .Date("lost_on", e.lost_contact().lost_on());
  return check.status();
}

absl::Status ContactResumed(const Event& e) {
  FieldChecker check;
  Id(check, "member_id", e.contact_resumed().member_id())
      .Date("contact_on", e.contact_resumed().contact_on())
      .Date("lost_on", e.contact_resumed().lost_on(), /*optional=*/true);
  return check.status();
}

absl::Status AttendanceRecorded(const Event& e) {
  const v1::AttendanceRecorded& a = e.attendance_recorded();
  FieldChecker check;
  Id(check, "member_id", a.member_id());
  Id(check, "session_id", a.session_id(), /*optional=*/true);
  Id(check, "course_id", a.course_id(), /*optional=*/true)
      .Require(v1::CourseTopic_IsValid(a.topic()), "topic", "is not a known value")
      .Require(v1::CourseMode_IsValid(a.mode()), "mode", "is not a known value")
      .Require(a.hours() <= 32, "hours", "must be at most 32")
      .Require(a.attended() || a.hours() == 0, "hours", "must be 0 for an absence")
      .Date("occurred_on", a.occurred_on(), /*optional=*/true);
  OptionalJurisdiction(check, "recorded_in", a.recorded_in());
  return check.status();
}

absl::Status MaterialDelivered(const Event& e) {
  const v1::MaterialDelivered& m = e.material_delivered();
  FieldChecker check;
  Id(check, "member_id", m.member_id());
  Id(check, "course_id", m.course_id(), /*optional=*/true)
      .Require(v1::CourseTopic_IsValid(m.topic()), "topic", "is not a known value")
      .Require(v1::CourseMode_IsValid(m.mode()), "mode", "is not a known value")
      .Require(m.hours() <= 32, "hours", "must be at most 32")
      .Date("delivered_on", m.delivered_on());
  OptionalJurisdiction(check, "recorded_in", m.recorded_in());
  return check.status();
}

absl::Status AppraisalNoticeSent(const Event& e) {
  const v1::AppraisalNoticeSent& n = e.appraisal_notice_sent();
  FieldChecker check;
  Id(check, "cycle_id", n.cycle_id())
      .Require(n.year() >= 2000 && n.year() <= 2100, "year", "is not a year 2000–2100")
      .Date("sent_on", n.sent_on(), /*optional=*/true);
  OptionalJurisdiction(check, "home_jurisdiction", n.home_jurisdiction());
  OptionalJurisdiction(check, "destination_jurisdiction", n.destination_jurisdiction());
  return check.status();
}

absl::Status LapseDecisionRecorded(const Event& e) {
  const v1::LapseDecisionRecorded& d = e.lapse_decision_recorded();
  return FieldChecker()
      .Require(v1::LapseDecision_IsValid(d.decision()), "decision", "is not a known value")
      .Paragraph("remarks", d.remarks(), 0, 500)
      .Date("as_of", d.as_of(), /*optional=*/true)
      .Date("decided_on", d.decided_on(), /*optional=*/true)
      .status();
}

absl::Status ProbationOutcomeRecorded(const Event& e) {
  const v1::ProbationOutcomeRecorded& p = e.probation_outcome_recorded();
  return FieldChecker()
      .Require(v1::ProbationOutcome_IsValid(p.outcome()), "outcome", "is not a known value")
      .Require(p.extension_months() >= 0 && p.extension_months() <= 12, "extension_months",
               "is not 0–12")
      .Date("decided_on", p.decided_on(), /*optional=*/true)
      .Paragraph("remarks", p.remarks(), 0, 500)
      .Date("extended_until", p.extended_until(), /*optional=*/true)
      .status();
}

}  // namespace

const std::vector<PayloadKind>& PayloadKinds() {
  // Kinds with no validator: each service's own bookkeeping, which no other
  // process applies (contact 210–214, education 310–321, appraisal's own).
  static const auto* kinds = new std::vector<PayloadKind>{
      {Event::kMemberRegistered, &MemberRegistered},
      {Event::kOutflowRegistered, &OutflowRegistered},
      {Event::kCertificateIssued, &CertificateIssued},
      {Event::kArrivalRecorded, &ArrivalRecorded},
      {Event::kCertificateEntryRecorded, &CertificateEntryRecorded},
      {Event::kTransferRequested, &TransferRequested},
      {Event::kTransferAccepted, &TransferAccepted},
      {Event::kTransferRejected, &TransferRejected},
      {Event::kReturnRecorded, &ReturnRecorded},
      {Event::kLostContactFlagged, &LostContactFlagged},
      {Event::kContactRestored, &ContactRestored},
      {Event::kDuplicateSuspected, &DuplicateSuspected},
      {Event::kTransferWithdrawn, &TransferWithdrawn},
      {Event::kOutflowDetailsChanged, &OutflowDetailsChanged},
      {Event::kVisitHomeRecorded, &VisitHomeRecorded},
      {Event::kMembershipStandingChanged, &MembershipStandingChanged},
      {Event::kCriticismRecorded, &CriticismRecorded},
      {Event::kContactRecorded, &ContactRecorded},
      {Event::kLostContact, &LostContact},
      {Event::kContactResumed, &ContactResumed},
      {Event::kMemberFactsObserved, nullptr},
      {Event::kLiaisonAssigned, nullptr},
      {Event::kConsultationOpened, nullptr},
      {Event::kConsultationClosed, nullptr},
      {Event::kLiaisonReported, nullptr},
      {Event::kAttendanceRecorded, &AttendanceRecorded},
      {Event::kMaterialDelivered, &MaterialDelivered},
      {Event::kCourseCreated, nullptr},
      {Event::kSessionScheduled, nullptr},
      {Event::kCalendarBooked, nullptr},
      {Event::kSeatTaken, nullptr},
      {Event::kMemberEnrolled, nullptr},
      {Event::kPreferencesSet, nullptr},
      {Event::kPreDepartureRequired, nullptr},
      {Event::kRegistryFactsNoted, nullptr},
      {Event::kPlaceAdded, nullptr},
      {Event::kLecturerAdded, nullptr},
      {Event::kPlanRecorded, nullptr},
      {Event::kPlanCommitted, nullptr},
      {Event::kAppraisalCycleOpened, nullptr},
      {Event::kAppraisalNoticeSent, &AppraisalNoticeSent},
      {Event::kAppraisalRecorded, nullptr},
      {Event::kAppraisalCorrected, nullptr},
      {Event::kDuesBaseSet, nullptr},
      {Event::kDuesPaid, nullptr},
      {Event::kOrganizationLifeRecorded, nullptr},
      {Event::kAssignedWorkRecorded, nullptr},
      {Event::kLegitimateReasonRecorded, nullptr},
      {Event::kLapseDecisionRecorded, &LapseDecisionRecorded},
      {Event::kProbationOutcomeRecorded, &ProbationOutcomeRecorded},
  };
  return *kinds;
}

absl::Status ValidatePayload(const Event& event) {
  if (event.payload_case() == Event::PAYLOAD_NOT_SET) return absl::OkStatus();
  static const auto* by_number = [] {
    auto* map = new std::map<int, const PayloadKind*>;
    for (const PayloadKind& kind : PayloadKinds()) (*map)[kind.field_number] = &kind;
    return map;
  }();
  auto it = by_number->find(static_cast<int>(event.payload_case()));
  if (it == by_number->end()) {
    return absl::InvalidArgumentError(absl::StrCat(event.type(), ": payload kind ",
                                                   static_cast<int>(event.payload_case()),
                                                   " has no validator"));
  }
  if (it->second->validate == nullptr) return absl::OkStatus();
  const absl::Status valid = it->second->validate(event);
  if (valid.ok()) return valid;
  // "<field>: what is wrong" may quote the value; name the field only.
  const absl::string_view message = valid.message();
  const absl::string_view field = message.substr(0, message.find(':'));
  return absl::InvalidArgumentError(
      absl::StrCat(event.type(), ".", field, ": fails the edge's field validation"));
}

}  // namespace lianxin
