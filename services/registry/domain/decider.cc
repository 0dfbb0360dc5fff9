#include "services/registry/domain/decider.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/trust/personal_data.h"

namespace lianxin::registry {

using lianxin::v1::Event;
using lianxin::v1::MemberFacts;
using lianxin::v1::MemberStatus;

Events Route(const MemberFacts& before, Events events, const Context& ctx,
             const Settings& settings) {
  MemberFacts facts = before;
  for (Event& event : events) {
    absl::flat_hash_set<std::string> to = SharingCounties(facts, ctx.jurisdiction, settings);
    facts = Evolve(std::move(facts), event);
    for (const std::string& county : SharingCounties(facts, ctx.jurisdiction, settings)) {
      to.insert(county);
    }
    std::vector<std::string> sorted(to.begin(), to.end());
    std::sort(sorted.begin(), sorted.end());
    for (std::string& county : sorted) event.add_routed_to(std::move(county));
  }
  return events;
}

// The usual case: one event.
Events Route(const MemberFacts& before, Event event, const Context& ctx, const Settings& settings) {
  Events events;
  events.push_back(std::move(event));
  return Route(before, std::move(events), ctx, settings);
}

namespace {

// Nothing more is recorded on a membership that has ended.
absl::Status CheckMembershipActive(const MemberFacts& facts) {
  if (!facts.membership_ended()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the membership ended on ", facts.membership_changed_on(), " (",
                   lianxin::v1::MembershipChange_Name(facts.membership_change()), ")"));
}

absl::Status NotHome(const MemberFacts& facts, const Context& ctx, const char* what) {
  return absl::PermissionDeniedError(absl::StrCat("only the member's home county (",
                                                  facts.home_jurisdiction(), ") may ", what, "; ",
                                                  ctx.jurisdiction, " may not"));
}

bool IsAway(MemberStatus status) {
  return status == lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING ||
         status == lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED;
}

// The snapshot a newly involved county starts from (without nested snapshots).
MemberFacts Snapshot(const MemberFacts& facts) {
  MemberFacts snapshot = facts;
  // Only touch present fields: mutable_*() would add empty ones.
  if (snapshot.has_outflow()) snapshot.mutable_outflow()->clear_snapshot();
  if (snapshot.has_transfer()) snapshot.mutable_transfer()->clear_snapshot();
  // Personal data stays home: partners get the last four and the birth year.
  trust::RedactIdentity(snapshot.mutable_registration());
  return snapshot;
}

// A date field of a validated request; the edge guarantees the format.
absl::StatusOr<absl::CivilDay> Date(const std::string& value, const char* field) {
  std::optional<absl::CivilDay> day = ParseDate(value);
  if (!day.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", value, "' is not a YYYY-MM-DD date"));
  }
  return *day;
}

absl::Status NotInFuture(absl::CivilDay day, const Context& ctx, const char* field) {
  if (day > ctx.today) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", FormatDate(day), " is in the future (today is ", FormatDate(ctx.today), ")"));
  }
  return absl::OkStatus();
}

lianxin::v1::MemberRegistered Registration(
    const std::string& jurisdiction, const std::string& branch, const std::string& name,
    const std::string& id_hash, const std::string& id_number_masked, lianxin::v1::Gender gender,
    const std::string& birth_date, lianxin::v1::MemberCategory category, const std::string& phone,
    bool probationary, const std::string& joined_on) {
  lianxin::v1::MemberRegistered r;
  r.set_home_jurisdiction(jurisdiction);
  r.set_branch(branch);
  r.set_name(name);
  r.set_id_hash(id_hash);
  r.set_id_number_masked(id_number_masked);
  r.set_gender(gender);
  // The full date stays in the home registry's store (Create writes its pd/
  // row); the event, which travels, carries the year, as partners' snapshots do.
  r.set_birth_date(trust::BirthYear(birth_date));
  r.set_category(category);
  r.set_phone(phone);
  r.set_probationary(probationary);
  r.set_joined_on(joined_on);
  return r;
}

Event RegisteredEvent(lianxin::v1::MemberRegistered registration, const Context& ctx) {
  Event event = NewEvent(ctx, "MemberRegistered");
  // The identity claim (R18): every registry learns the hash from this topic.
  lianxin::v1::ExtraTopic* claim = event.add_also_to();
  claim->set_topic(kIdentityTopic);
  claim->set_key(registration.id_hash());
  *event.mutable_member_registered() = std::move(registration);
  return event;
}

// Birth before joining, joining not in the future.
absl::Status CheckRegistrationDates(const std::string& birth_date, const std::string& joined_on,
                                    const Context& ctx) {
  absl::StatusOr<absl::CivilDay> born = Date(birth_date, "birth_date");
  if (!born.ok()) return born.status();
  absl::StatusOr<absl::CivilDay> joined = Date(joined_on, "joined_on");
  if (!joined.ok()) return joined.status();
  if (absl::Status s = NotInFuture(*born, ctx, "birth_date"); !s.ok()) return s;
  if (absl::Status s = NotInFuture(*joined, ctx, "joined_on"); !s.ok()) return s;
  if (*joined <= *born) {
    return absl::InvalidArgumentError(
        absl::StrCat("joined_on: ", joined_on, " is not after birth_date ", birth_date));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Events> DecideRegisterMember(const lianxin::v1::RegisterMemberRequest& request,
                                            const std::string& id_hash,
                                            const std::string& id_number_masked, const Context& ctx,
                                            const Settings& settings) {
  if (request.jurisdiction() != ctx.jurisdiction) {
    return absl::PermissionDeniedError(absl::StrCat("jurisdiction: ", request.jurisdiction(),
                                                    " is not the caller's county ",
                                                    ctx.jurisdiction));
  }
  if (absl::Status s = CheckRegistrationDates(request.birth_date(), request.joined_on(), ctx);
      !s.ok()) {
    return s;
  }
  Events events;
  events.push_back(RegisteredEvent(
      Registration(ctx.jurisdiction, request.branch(), request.name(), id_hash, id_number_masked,
                   request.gender(), request.birth_date(), request.category(), request.phone(),
                   request.probationary(), request.joined_on()),
      ctx));
  return Route(MemberFacts(), std::move(events), ctx, settings);
}

absl::StatusOr<Events> DecideRegisterOutflow(const MemberFacts& facts,
                                             const lianxin::v1::RegisterOutflowRequest& request,
                                             const Context& ctx, const Settings& settings) {
  if (facts.home_jurisdiction() != ctx.jurisdiction) {
    return NotHome(facts, ctx, "register an outflow");
  }
  if (absl::Status s = CheckMembershipActive(facts); !s.ok()) return s;
  const MemberStatus status = StatusAsSeenBy(facts, ctx.jurisdiction);
  if (status == lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING) {
    return absl::FailedPreconditionError(
        "R9: a transfer of the organization relationship is pending; accept or reject it first");
  }
  if (request.destination_jurisdiction() == ctx.jurisdiction) {
    return absl::InvalidArgumentError(
        "destination_jurisdiction: the destination must be another county than the home");
  }
  absl::StatusOr<absl::CivilDay> left_on = Date(request.left_on(), "left_on");
  if (!left_on.ok()) return left_on.status();
  absl::StatusOr<absl::CivilDay> expected_return =
      Date(request.expected_return_on(), "expected_return_on");
  if (!expected_return.ok()) return expected_return.status();
  if (*expected_return <= *left_on) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected_return_on: ", request.expected_return_on(), " is not after left_on ",
                     request.left_on()));
  }
  if (!IsReportableAbsence(*left_on, *expected_return, settings)) {
    return absl::FailedPreconditionError(
        absl::StrCat("R1: an absence shorter than ", settings.report_after_months,
                     " months is not a mobile member's outflow (left_on ", request.left_on(),
                     ", expected_return_on ", request.expected_return_on(), ")"));
  }
  lianxin::v1::OutflowRegistered outflow;
  if (IsAway(status)) {
    if (facts.outflow().destination_jurisdiction() == request.destination_jurisdiction()) {
      return absl::FailedPreconditionError(
          absl::StrCat("destination_jurisdiction: the member is already registered as away to ",
                       request.destination_jurisdiction(),
                       "; record a change inside it with RecordOutflowChange"));
    }
    std::optional<absl::CivilDay> previous_left = ParseDate(facts.outflow().left_on());
    if (previous_left.has_value() && *left_on < *previous_left) {
      return absl::InvalidArgumentError(absl::StrCat(
          "left_on: a change of destination cannot precede the current outflow's left_on ",
          facts.outflow().left_on()));
    }
    outflow.set_previous_destination_jurisdiction(facts.outflow().destination_jurisdiction());
  }
  outflow.set_destination_jurisdiction(request.destination_jurisdiction());
  outflow.set_destination_name(request.destination_name());
  outflow.set_destination_address(request.destination_address());
  outflow.set_occupation(request.occupation());
  outflow.set_employer(request.employer());
  outflow.set_left_on(request.left_on());
  outflow.set_expected_return_on(request.expected_return_on());
  outflow.set_contact_phone(request.contact_phone());
  outflow.set_liaison_name(request.liaison_name());
  outflow.set_destination_on_system(
      settings.on_system.contains(request.destination_jurisdiction()));
  outflow.set_reason(request.reason());
  outflow.set_responsibility_terms(request.responsibility_terms());
  outflow.set_season_from_month(request.season_from_month());
  outflow.set_season_to_month(request.season_to_month());
  *outflow.mutable_snapshot() = Snapshot(facts);
  Event event = NewEvent(ctx, "OutflowRegistered");
  *event.mutable_outflow_registered() = std::move(outflow);
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideIssueCertificate(const MemberFacts& facts,
                                              const lianxin::v1::IssueCertificateRequest& request,
                                              const Context& ctx, const Settings& settings) {
  if (facts.home_jurisdiction() != ctx.jurisdiction) {
    return NotHome(facts, ctx, "issue the activity certificate");
  }
  if (!IsAway(StatusAsSeenBy(facts, ctx.jurisdiction))) {
    return absl::FailedPreconditionError(
        "R2: the activity certificate is issued to a member registered as away (no outflow)");
  }
  absl::CivilDay issued_on = ctx.today;
  if (!request.issued_on().empty()) {
    absl::StatusOr<absl::CivilDay> day = Date(request.issued_on(), "issued_on");
    if (!day.ok()) return day.status();
    if (absl::Status s = NotInFuture(*day, ctx, "issued_on"); !s.ok()) return s;
    issued_on = *day;
  }
  absl::StatusOr<absl::CivilDay> valid_until = Date(request.valid_until(), "valid_until");
  if (!valid_until.ok()) return valid_until.status();
  if (*valid_until <= issued_on) {
    return absl::InvalidArgumentError(absl::StrCat("valid_until: ", request.valid_until(),
                                                   " is not after the issue date ",
                                                   FormatDate(issued_on)));
  }
  if (*valid_until < ctx.today) {
    return absl::InvalidArgumentError(absl::StrCat("valid_until: ", request.valid_until(),
                                                   " has passed (today is ", FormatDate(ctx.today),
                                                   ")"));
  }
  Event event = NewEvent(ctx, "CertificateIssued");
  auto* issued = event.mutable_certificate_issued();
  issued->set_certificate_no(request.certificate_no());
  issued->set_issued_on(FormatDate(issued_on));
  issued->set_valid_until(request.valid_until());
  return Route(facts, std::move(event), ctx, settings);
}

namespace {

lianxin::v1::ArrivalRecorded Arrival(const lianxin::v1::RecordArrivalRequest& request,
                                     const Context& ctx) {
  lianxin::v1::ArrivalRecorded arrival;
  arrival.set_destination_jurisdiction(ctx.jurisdiction);
  arrival.set_branch(request.branch());
  arrival.set_arrived_on(request.arrived_on());
  arrival.set_certificate_no(request.certificate_no());
  arrival.set_contact_person(request.contact_person());
  return arrival;
}

}  // namespace

absl::StatusOr<Events> DecideRecordArrival(const MemberFacts& facts,
                                           const lianxin::v1::RecordArrivalRequest& request,
                                           const Context& ctx, const Settings& settings) {
  if (request.jurisdiction() != ctx.jurisdiction) {
    return absl::PermissionDeniedError(absl::StrCat("jurisdiction: ", request.jurisdiction(),
                                                    " is not the caller's county ",
                                                    ctx.jurisdiction));
  }
  const MemberStatus status = StatusAsSeenBy(facts, ctx.jurisdiction);
  if (status == lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE) {
    return absl::FailedPreconditionError(absl::StrCat("the arrival of ", facts.member_id(),
                                                      " is already recorded (on ",
                                                      facts.arrival().arrived_on(), ")"));
  }
  if (status != lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED || !facts.away() ||
      facts.outflow().destination_jurisdiction() != ctx.jurisdiction) {
    return absl::PermissionDeniedError(absl::StrCat("member_id: ", facts.member_id(),
                                                    " is not registered as flowing out to ",
                                                    ctx.jurisdiction));
  }
  absl::StatusOr<absl::CivilDay> arrived_on = Date(request.arrived_on(), "arrived_on");
  if (!arrived_on.ok()) return arrived_on.status();
  if (absl::Status s = NotInFuture(*arrived_on, ctx, "arrived_on"); !s.ok()) return s;
  std::optional<absl::CivilDay> left_on = ParseDate(facts.outflow().left_on());
  if (left_on.has_value() && *arrived_on < *left_on) {
    return absl::InvalidArgumentError(absl::StrCat(
        "arrived_on: ", request.arrived_on(), " is before left_on ", facts.outflow().left_on()));
  }
  const std::string& issued = facts.certificate().certificate_no();
  if (!request.certificate_no().empty() && !issued.empty() && request.certificate_no() != issued) {
    return absl::FailedPreconditionError(
        absl::StrCat("R8: certificate_no ", request.certificate_no(),
                     " is not the certificate issued (", issued, ")"));
  }
  Event event = NewEvent(ctx, "ArrivalRecorded");
  *event.mutable_arrival_recorded() = Arrival(request, ctx);
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideRegisterArrival(const lianxin::v1::RecordArrivalRequest& request,
                                             const std::string& id_hash,
                                             const std::string& id_number_masked,
                                             const Context& ctx, const Settings& settings) {
  if (request.jurisdiction() != ctx.jurisdiction) {
    return absl::PermissionDeniedError(absl::StrCat("jurisdiction: ", request.jurisdiction(),
                                                    " is not the caller's county ",
                                                    ctx.jurisdiction));
  }
  if (request.origin_jurisdiction() == ctx.jurisdiction) {
    return absl::InvalidArgumentError(
        "origin_jurisdiction: a member arriving from elsewhere cannot come from this county");
  }
  if (settings.on_system.contains(request.origin_jurisdiction())) {
    return absl::FailedPreconditionError(
        absl::StrCat("origin_jurisdiction: ", request.origin_jurisdiction(),
                     " runs lianxin; record the arrival of the member_id it registered"));
  }
  if (absl::Status s = CheckRegistrationDates(request.birth_date(), request.joined_on(), ctx);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::CivilDay> arrived_on = Date(request.arrived_on(), "arrived_on");
  if (!arrived_on.ok()) return arrived_on.status();
  if (absl::Status s = NotInFuture(*arrived_on, ctx, "arrived_on"); !s.ok()) return s;

  lianxin::v1::MemberRegistered registration =
      Registration(request.origin_jurisdiction(), request.origin_branch(), request.name(), id_hash,
                   id_number_masked, request.gender(), request.birth_date(), request.category(),
                   request.phone(), request.probationary(), request.joined_on());
  registration.set_origin_off_system(true);
  Events events;
  events.push_back(RegisteredEvent(std::move(registration), ctx));
  Event arrival = NewEvent(ctx, "ArrivalRecorded");
  *arrival.mutable_arrival_recorded() = Arrival(request, ctx);
  events.push_back(std::move(arrival));
  return Route(MemberFacts(), std::move(events), ctx, settings);
}

absl::StatusOr<Events> DecideRecordCertificateEntry(
    const MemberFacts& facts, const lianxin::v1::RecordCertificateEntryRequest& request,
    const Context& ctx, const Settings& settings) {
  const MemberStatus status = StatusAsSeenBy(facts, ctx.jurisdiction);
  lianxin::v1::CertificateEntryKind kind = request.kind();
  if (kind == lianxin::v1::CERTIFICATE_ENTRY_KIND_UNSPECIFIED) {
    kind = lianxin::v1::CERTIFICATE_ENTRY_KIND_ORGANIZATION_LIFE;
  }
  const bool destination_entry = kind == lianxin::v1::CERTIFICATE_ENTRY_KIND_ORGANIZATION_LIFE ||
                                 kind == lianxin::v1::CERTIFICATE_ENTRY_KIND_DUES;
  if (destination_entry && status != lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE) {
    return absl::FailedPreconditionError(
        "R8: organization life and dues are recorded on the certificate by the destination, "
        "after the arrival");
  }
  if (!destination_entry && !IsAway(status)) {
    return absl::FailedPreconditionError(
        "R8: certificate checks are recorded by the home county while the member is away");
  }
  if (facts.certificate().certificate_no().empty() && facts.arrival().certificate_no().empty()) {
    return absl::FailedPreconditionError(
        "R8: the member holds no activity certificate to record an entry on");
  }
  absl::StatusOr<absl::CivilDay> occurred_on = Date(request.occurred_on(), "occurred_on");
  if (!occurred_on.ok()) return occurred_on.status();
  if (absl::Status s = NotInFuture(*occurred_on, ctx, "occurred_on"); !s.ok()) return s;
  std::optional<absl::CivilDay> left_on = ParseDate(facts.outflow().left_on());
  if (left_on.has_value() && *occurred_on < *left_on) {
    return absl::InvalidArgumentError(absl::StrCat("occurred_on: ", request.occurred_on(),
                                                   " is before the member left on ",
                                                   facts.outflow().left_on()));
  }
  if (kind == lianxin::v1::CERTIFICATE_ENTRY_KIND_DUES && request.amount_fen() <= 0) {
    return absl::InvalidArgumentError("amount_fen: a dues entry needs a positive amount in fen");
  }
  Event event = NewEvent(ctx, "CertificateEntryRecorded");
  auto* entry = event.mutable_certificate_entry_recorded();
  entry->set_kind(kind);
  entry->set_occurred_on(request.occurred_on());
  entry->set_activity(request.activity());
  entry->set_amount_fen(request.amount_fen());
  entry->set_recorded_by_jurisdiction(ctx.jurisdiction);
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideRequestTransfer(const MemberFacts& facts,
                                             const lianxin::v1::RequestTransferRequest& request,
                                             const Context& ctx, const Settings& settings) {
  if (facts.home_jurisdiction() != ctx.jurisdiction) {
    return NotHome(facts, ctx, "request a transfer");
  }
  if (absl::Status s = CheckMembershipActive(facts); !s.ok()) return s;
  if (facts.transfer_pending()) {
    return absl::FailedPreconditionError(
        absl::StrCat("R9: a transfer to ", facts.transfer().to_jurisdiction(), " (letter ",
                     facts.transfer().letter_no(), ") is already pending"));
  }
  if (request.to_jurisdiction() == ctx.jurisdiction) {
    return absl::InvalidArgumentError("to_jurisdiction: a transfer goes to another county");
  }
  Event event = NewEvent(ctx, "TransferRequested");
  auto* transfer = event.mutable_transfer_requested();
  transfer->set_from_jurisdiction(ctx.jurisdiction);
  transfer->set_to_jurisdiction(request.to_jurisdiction());
  transfer->set_to_organization(request.to_organization());
  transfer->set_letter_no(request.letter_no());
  transfer->set_requested_on(FormatDate(ctx.today));
  *transfer->mutable_snapshot() = Snapshot(facts);
  return Route(facts, std::move(event), ctx, settings);
}

namespace {

absl::Status CheckTransferTarget(const MemberFacts& facts, const Context& ctx) {
  if (!facts.transfer_pending()) {
    return absl::FailedPreconditionError("R9: no transfer of this member is pending");
  }
  if (facts.transfer().to_jurisdiction() != ctx.jurisdiction) {
    return absl::PermissionDeniedError(absl::StrCat("only the receiving county (",
                                                    facts.transfer().to_jurisdiction(),
                                                    ") may accept or reject the transfer"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Events> DecideAcceptTransfer(const MemberFacts& facts,
                                            const lianxin::v1::AcceptTransferRequest& request,
                                            const Context& ctx, const Settings& settings) {
  if (absl::Status s = CheckTransferTarget(facts, ctx); !s.ok()) return s;
  Event event = NewEvent(ctx, "TransferAccepted");
  auto* accepted = event.mutable_transfer_accepted();
  accepted->set_to_jurisdiction(ctx.jurisdiction);
  std::string branch = request.branch();
  if (branch.empty() && facts.arrival().destination_jurisdiction() == ctx.jurisdiction) {
    branch = facts.arrival().branch();
  }
  if (branch.empty()) {
    return absl::InvalidArgumentError(
        "branch: name the receiving branch (the member has no arrival branch here)");
  }
  accepted->set_branch(branch);
  accepted->set_accepted_on(FormatDate(ctx.today));
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideRejectTransfer(const MemberFacts& facts,
                                            const lianxin::v1::RejectTransferRequest& request,
                                            const Context& ctx, const Settings& settings) {
  if (absl::Status s = CheckTransferTarget(facts, ctx); !s.ok()) return s;
  Event event = NewEvent(ctx, "TransferRejected");
  auto* rejected = event.mutable_transfer_rejected();
  rejected->set_reason(request.reason());
  rejected->set_rejected_on(FormatDate(ctx.today));
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideRecordReturn(const MemberFacts& facts,
                                          const lianxin::v1::RecordReturnRequest& request,
                                          const Context& ctx, const Settings& settings) {
  // A member from an origin off lianxin is closed by the destination itself.
  const bool closes_off_system_inflow =
      facts.registration().origin_off_system() &&
      StatusAsSeenBy(facts, ctx.jurisdiction) == lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE;
  if (facts.home_jurisdiction() != ctx.jurisdiction && !closes_off_system_inflow) {
    return NotHome(facts, ctx, "record a return");
  }
  if (absl::Status s = CheckMembershipActive(facts); !s.ok()) return s;
  if (!facts.away()) {
    return absl::FailedPreconditionError("the member is not registered as away");
  }
  if (facts.transfer_pending()) {
    return absl::FailedPreconditionError(
        "R9: a transfer is pending; it must be accepted or rejected before the return");
  }
  absl::StatusOr<absl::CivilDay> returned_on = Date(request.returned_on(), "returned_on");
  if (!returned_on.ok()) return returned_on.status();
  if (absl::Status s = NotInFuture(*returned_on, ctx, "returned_on"); !s.ok()) return s;
  std::optional<absl::CivilDay> left_on = ParseDate(facts.outflow().left_on());
  if (left_on.has_value() && *returned_on < *left_on) {
    return absl::InvalidArgumentError(absl::StrCat("returned_on: ", request.returned_on(),
                                                   " is before the departure (left_on ",
                                                   facts.outflow().left_on(), ")"));
  }
  // R21: the certificate handed back, the responsibility letter settled.
  if (request.certificate_handed_back() && facts.certificate().certificate_no().empty() &&
      facts.arrival().certificate_no().empty()) {
    return absl::FailedPreconditionError(
        "certificate_handed_back: R21: the member holds no activity certificate to hand back");
  }
  if (!request.responsibility_settlement().empty() &&
      facts.outflow().responsibility_terms().empty()) {
    return absl::FailedPreconditionError(
        "responsibility_settlement: R21: no responsibility letter was signed at departure");
  }
  Event event = NewEvent(ctx, "ReturnRecorded");
  auto* r = event.mutable_return_recorded();
  r->set_returned_on(request.returned_on());
  r->set_certificate_handed_back(request.certificate_handed_back());
  r->set_certificate_audit(request.certificate_audit());
  r->set_responsibility_settlement(request.responsibility_settlement());
  r->set_responsibility_met(request.responsibility_met());
  return Route(facts, std::move(event), ctx, settings);
}

namespace {

// R20: the transfer pending goes to a county off lianxin.
absl::Status CheckPaperTransfer(const MemberFacts& facts, const Context& ctx,
                                const Settings& settings, const char* what) {
  if (facts.home_jurisdiction() != ctx.jurisdiction) return NotHome(facts, ctx, what);
  if (!facts.transfer_pending()) {
    return absl::FailedPreconditionError("R9: no transfer of this member is pending");
  }
  if (settings.on_system.contains(facts.transfer().to_jurisdiction())) {
    return absl::FailedPreconditionError(
        absl::StrCat("R20: ", facts.transfer().to_jurisdiction(),
                     " runs lianxin: the receiving county accepts or rejects the transfer there"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Events> DecideRecordTransferReceipt(
    const MemberFacts& facts, const lianxin::v1::RecordTransferReceiptRequest& request,
    const Context& ctx, const Settings& settings) {
  if (absl::Status s = CheckPaperTransfer(facts, ctx, settings, "record a transfer receipt");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::CivilDay> received_on = request.received_on().empty()
                                                   ? absl::StatusOr<absl::CivilDay>(ctx.today)
                                                   : Date(request.received_on(), "received_on");
  if (!received_on.ok()) return received_on.status();
  if (absl::Status s = NotInFuture(*received_on, ctx, "received_on"); !s.ok()) return s;
  std::optional<absl::CivilDay> requested_on = ParseDate(facts.transfer().requested_on());
  if (requested_on.has_value() && *received_on < *requested_on) {
    return absl::InvalidArgumentError(absl::StrCat("received_on: ", FormatDate(*received_on),
                                                   " is before the transfer was requested on ",
                                                   facts.transfer().requested_on()));
  }
  Event event = NewEvent(ctx, "TransferAccepted");
  auto* accepted = event.mutable_transfer_accepted();
  accepted->set_to_jurisdiction(facts.transfer().to_jurisdiction());
  accepted->set_branch(request.branch());
  accepted->set_accepted_on(FormatDate(*received_on));
  accepted->set_paper_receipt(true);
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideWithdrawTransfer(const MemberFacts& facts,
                                              const lianxin::v1::WithdrawTransferRequest& request,
                                              const Context& ctx, const Settings& settings) {
  if (absl::Status s = CheckPaperTransfer(facts, ctx, settings, "withdraw a transfer"); !s.ok()) {
    return s;
  }
  Event event = NewEvent(ctx, "TransferWithdrawn");
  auto* withdrawn = event.mutable_transfer_withdrawn();
  withdrawn->set_reason(request.reason());
  withdrawn->set_withdrawn_on(FormatDate(ctx.today));
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideRecordTransferIn(const lianxin::v1::RecordTransferInRequest& request,
                                              const std::string& id_hash,
                                              const std::string& id_number_masked,
                                              const Context& ctx, const Settings& settings) {
  if (request.jurisdiction() != ctx.jurisdiction) {
    return absl::PermissionDeniedError(absl::StrCat("jurisdiction: ", request.jurisdiction(),
                                                    " is not the caller's county ",
                                                    ctx.jurisdiction));
  }
  if (request.origin_jurisdiction() == ctx.jurisdiction) {
    return absl::InvalidArgumentError(
        "origin_jurisdiction: a transfer-in comes from another county");
  }
  if (settings.on_system.contains(request.origin_jurisdiction())) {
    return absl::FailedPreconditionError(
        absl::StrCat("R20: origin_jurisdiction ", request.origin_jurisdiction(),
                     " runs lianxin: it requests the transfer there, and this county accepts it"));
  }
  if (absl::Status s = CheckRegistrationDates(request.birth_date(), request.joined_on(), ctx);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::CivilDay> accepted_on = Date(request.accepted_on(), "accepted_on");
  if (!accepted_on.ok()) return accepted_on.status();
  if (absl::Status s = NotInFuture(*accepted_on, ctx, "accepted_on"); !s.ok()) return s;
  if (request.accepted_on() < request.joined_on()) {
    return absl::InvalidArgumentError(absl::StrCat("accepted_on: ", request.accepted_on(),
                                                   " is before joined_on ", request.joined_on()));
  }
  lianxin::v1::MemberRegistered registration =
      Registration(request.origin_jurisdiction(), request.origin_branch(), request.name(), id_hash,
                   id_number_masked, request.gender(), request.birth_date(), request.category(),
                   request.phone(), request.probationary(), request.joined_on());
  registration.set_origin_off_system(true);
  Events events;
  events.push_back(RegisteredEvent(std::move(registration), ctx));
  Event accepted = NewEvent(ctx, "TransferAccepted");
  auto* a = accepted.mutable_transfer_accepted();
  a->set_to_jurisdiction(ctx.jurisdiction);
  a->set_branch(request.branch());
  a->set_accepted_on(request.accepted_on());
  a->set_letter_no(request.letter_no());
  events.push_back(std::move(accepted));
  return Route(MemberFacts(), std::move(events), ctx, settings);
}

absl::StatusOr<Events> DecideRecordOutflowChange(
    const MemberFacts& facts, const lianxin::v1::RecordOutflowChangeRequest& request,
    const Context& ctx, const Settings& settings) {
  if (absl::Status s = CheckMembershipActive(facts); !s.ok()) return s;
  const MemberStatus status = StatusAsSeenBy(facts, ctx.jurisdiction);
  const bool home_details = !request.destination_address().empty() ||
                            !request.contact_phone().empty() || !request.employer().empty() ||
                            !request.occupation().empty() || !request.expected_return_on().empty();
  const bool branch = !request.destination_branch().empty();
  if (IsAway(status)) {
    if (branch) {
      return absl::PermissionDeniedError(
          "destination_branch: the branch at the destination is recorded by the destination");
    }
    if (!home_details) {
      return absl::InvalidArgumentError(
          "destination_address, contact_phone, employer, occupation, expected_return_on: "
          "name at least one change");
    }
  } else if (status == lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE) {
    if (home_details) {
      return absl::PermissionDeniedError(absl::StrCat(
          "the outflow's details are recorded by the home county (", facts.home_jurisdiction(),
          "); the destination records destination_branch only"));
    }
    if (!branch) {
      return absl::InvalidArgumentError("destination_branch: name the member's new branch");
    }
  } else {
    return absl::FailedPreconditionError(
        "R4: the member is not away from this county nor arrived here; nothing to change");
  }
  const absl::CivilDay changed_on =
      request.changed_on().empty() ? ctx.today : *ParseDate(request.changed_on());
  if (absl::Status s = NotInFuture(changed_on, ctx, "changed_on"); !s.ok()) return s;
  std::optional<absl::CivilDay> left_on = ParseDate(facts.outflow().left_on());
  if (left_on.has_value() && changed_on < *left_on) {
    return absl::InvalidArgumentError(absl::StrCat("changed_on: ", FormatDate(changed_on),
                                                   " is before the member left on ",
                                                   facts.outflow().left_on()));
  }
  if (!request.expected_return_on().empty()) {
    absl::StatusOr<absl::CivilDay> back = Date(request.expected_return_on(), "expected_return_on");
    if (!back.ok()) return back.status();
    if (left_on.has_value() && *back <= *left_on) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected_return_on: ", request.expected_return_on(),
                       " is not after left_on ", facts.outflow().left_on()));
    }
  }
  Event event = NewEvent(ctx, "OutflowDetailsChanged");
  auto* c = event.mutable_outflow_details_changed();
  c->set_destination_address(request.destination_address());
  c->set_contact_phone(request.contact_phone());
  c->set_employer(request.employer());
  c->set_occupation(request.occupation());
  c->set_expected_return_on(request.expected_return_on());
  c->set_destination_branch(request.destination_branch());
  c->set_changed_on(FormatDate(changed_on));
  c->set_recorded_by_jurisdiction(ctx.jurisdiction);
  c->set_self_reported(ctx.self_reported);
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideRecordVisitHome(const MemberFacts& facts,
                                             const lianxin::v1::RecordVisitHomeRequest& request,
                                             const Context& ctx, const Settings& settings) {
  if (facts.home_jurisdiction() != ctx.jurisdiction) {
    return NotHome(facts, ctx, "record a visit home");
  }
  if (absl::Status s = CheckMembershipActive(facts); !s.ok()) return s;
  if (!IsAway(StatusAsSeenBy(facts, ctx.jurisdiction))) {
    return absl::FailedPreconditionError(
        "R12: the member is not away; a visit home is of a member away");
  }
  absl::StatusOr<absl::CivilDay> from = Date(request.home_from(), "home_from");
  if (!from.ok()) return from.status();
  absl::StatusOr<absl::CivilDay> until = Date(request.home_until(), "home_until");
  if (!until.ok()) return until.status();
  if (*until < *from) {
    return absl::InvalidArgumentError(absl::StrCat("home_until: ", request.home_until(),
                                                   " is before home_from ", request.home_from()));
  }
  std::optional<absl::CivilDay> left_on = ParseDate(facts.outflow().left_on());
  if (left_on.has_value() && *from <= *left_on) {
    return absl::InvalidArgumentError(absl::StrCat("home_from: ", request.home_from(),
                                                   " is not after the member left on ",
                                                   facts.outflow().left_on()));
  }
  if (!IsTemporaryVisit(*from, *until, settings)) {
    return absl::FailedPreconditionError(
        absl::StrCat("R1: a stay at home of ", settings.report_after_months,
                     " months or more is a return; record the return (RecordReturn) instead"));
  }
  Event event = NewEvent(ctx, "VisitHomeRecorded");
  event.mutable_visit_home_recorded()->set_home_from(request.home_from());
  event.mutable_visit_home_recorded()->set_home_until(request.home_until());
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideRecordMembershipEnd(
    const MemberFacts& facts, const lianxin::v1::RecordMembershipEndRequest& request,
    const Context& ctx, const Settings& settings) {
  if (facts.home_jurisdiction() != ctx.jurisdiction) {
    return NotHome(facts, ctx, "record the end of a membership");
  }
  if (absl::Status s = CheckMembershipActive(facts); !s.ok()) return s;
  if (!IsBranchDecidedEnd(request.change())) {
    return absl::InvalidArgumentError(
        "change: R22 ends are PERSUADED_TO_WITHDRAW, REMOVED or EXPELLED (a lapse is decided "
        "in the appraisal, a cancelled probation too)");
  }
  absl::StatusOr<absl::CivilDay> decided_on = Date(request.decided_on(), "decided_on");
  if (!decided_on.ok()) return decided_on.status();
  if (absl::Status s = NotInFuture(*decided_on, ctx, "decided_on"); !s.ok()) return s;
  Event event = NewEvent(ctx, "MembershipStandingChanged");
  auto* c = event.mutable_membership_standing_changed();
  c->set_change(request.change());
  c->set_decided_on(request.decided_on());
  c->set_grounds(request.grounds());
  c->set_approved_by(request.approved_by());
  return Route(facts, std::move(event), ctx, settings);
}

absl::StatusOr<Events> DecideRecordCriticism(const MemberFacts& facts,
                                             const lianxin::v1::RecordCriticismRequest& request,
                                             const Context& ctx, const Settings& settings) {
  if (facts.home_jurisdiction() != ctx.jurisdiction) {
    return NotHome(facts, ctx, "record a criticism");
  }
  if (absl::Status s = CheckMembershipActive(facts); !s.ok()) return s;
  const absl::CivilDay on =
      request.recorded_on().empty() ? ctx.today : *ParseDate(request.recorded_on());
  if (absl::Status s = NotInFuture(on, ctx, "recorded_on"); !s.ok()) return s;
  Event event = NewEvent(ctx, "CriticismRecorded");
  event.mutable_criticism_recorded()->set_grounds(request.grounds());
  event.mutable_criticism_recorded()->set_recorded_on(FormatDate(on));
  return Route(facts, std::move(event), ctx, settings);
}

std::optional<Event> DecideFollowAppraisal(const MemberFacts& facts, const Event& appraisal_event,
                                           const Context& ctx, const Settings& settings) {
  if (facts.home_jurisdiction() != ctx.jurisdiction) return std::nullopt;
  std::optional<lianxin::v1::MembershipStandingChanged> change =
      StandingChangeOf(facts, appraisal_event);
  if (!change.has_value()) return std::nullopt;
  Event event = NewEvent(ctx, "MembershipStandingChanged");
  event.set_causation_id(appraisal_event.event_id());
  *event.mutable_membership_standing_changed() = *std::move(change);
  Events routed = Route(facts, std::move(event), ctx, settings);
  return std::move(routed.front());
}

MemberFacts Evolve(MemberFacts facts, const Event& event) {
  return FoldMemberFacts(std::move(facts), event);
}

}  // namespace lianxin::registry
