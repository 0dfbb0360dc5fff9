// lxctl's Registry subcommands and `reconcile` (R19): see main.cc for the CLI.
#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/common/status_macros.h"
#include "tools/lxctl/commands.h"
#include "tools/lxctl/reconcile.h"

namespace lianxin::lxctl {
namespace {

namespace v1 = lianxin::v1;
using Stub = v1::Registry::Stub;

// The registry client of county `code` ("" = --county, else the only one).
absl::StatusOr<RegistryClient> ConnectAs(const ParsedArgs& args, absl::string_view code) {
  ASSIGN_OR_RETURN(absl::Duration timeout, Timeout(args));
  ASSIGN_OR_RETURN(County county, CountyFromArgs(args, code));
  return RegistryClient::Connect(county, "registry", timeout);
}

absl::StatusOr<RegistryClient> Connect(const ParsedArgs& args) {
  return ConnectAs(args, args.Get("county"));
}

// The shared part of a command on an existing member: request_id,
// member_id and expected_version from the arguments, the call, the reply.
template <class Request>
absl::StatusOr<int> MutateMember(const ParsedArgs& args, Request request,
                                 grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Request&,
                                                           v1::MutationReply*)) {
  ASSIGN_OR_RETURN(uint64_t expected_version, UintFlag(args, "expected-version"));
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  request.set_expected_version(expected_version);
  v1::MutationReply reply;
  RETURN_IF_ERROR(client.Call([&](Stub& stub, grpc::ClientContext* context) {
    return (stub.*rpc)(context, request, &reply);
  }));
  return PrintMutation(args, args.member(), reply.version(), reply);
}

std::string StatusLabel(int status) { return EnumLabel(*v1::MemberStatus_descriptor(), status); }

std::string StatusByCounty(const v1::Member& member) {
  std::set<std::string> entries;
  for (const auto& [county, status] : member.status_by_county()) {
    entries.insert(absl::StrCat(county, "=", StatusLabel(status)));
  }
  return absl::StrJoin(entries, " ");
}

std::vector<FlagSpec> RegistrationFlags(bool required) {
  return {
      {.name = "name", .value_name = "NAME", .help = "full name", .required = required},
      {.name = "id-number",
       .value_name = "ID",
       .help = "resident ID number, 18 characters (sent for hashing, never stored)",
       .required = required},
      {.name = "gender", .value_name = "MALE|FEMALE", .help = "gender", .required = required},
      {.name = "birth-date",
       .value_name = "YYYY-MM-DD",
       .help = "birth date",
       .required = required},
      {.name = "category",
       .value_name = "CATEGORY",
       .help = "FARMER, LAID_OFF_WORKER, VETERAN, GRADUATE, RETIREE, ENTERPRISE_EMPLOYEE or "
               "OTHER",
       .required = required},
      {.name = "phone", .value_name = "PHONE", .help = "contact phone", .required = required},
      {.name = "joined-on",
       .value_name = "YYYY-MM-DD",
       .help = "date of joining (of the branch vote if probationary)",
       .required = required},
      {.name = "probationary", .help = "a probationary member (预备党员)"},
  };
}

// ---- Mutations -------------------------------------------------------------

// The person's fields, shared by RegisterMember and a full-registration
// RecordArrival (the two requests name them alike).
template <class Request>
absl::Status SetPerson(const ParsedArgs& args, Request* request) {
  ASSIGN_OR_RETURN(int gender, EnumFlag(args, "gender", *v1::Gender_descriptor()));
  ASSIGN_OR_RETURN(int category, EnumFlag(args, "category", *v1::MemberCategory_descriptor()));
  request->set_name(args.Get("name"));
  request->set_id_number(args.Get("id-number"));
  request->set_gender(static_cast<v1::Gender>(gender));
  request->set_birth_date(args.Get("birth-date"));
  request->set_category(static_cast<v1::MemberCategory>(category));
  request->set_phone(args.Get("phone"));
  request->set_probationary(args.Has("probationary"));
  request->set_joined_on(args.Get("joined-on"));
  return absl::OkStatus();
}

absl::StatusOr<int> RunRegisterMember(const ParsedArgs& args) {
  v1::RegisterMemberRequest request;
  RETURN_IF_ERROR(SetPerson(args, &request));
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  request.set_request_id(RequestId(args));
  request.set_jurisdiction(args.Has("jurisdiction") ? args.Get("jurisdiction")
                                                    : client.county().code);
  request.set_branch(args.Get("branch"));
  v1::RegisterMemberReply reply;
  RETURN_IF_ERROR(client.Call([&](Stub& stub, grpc::ClientContext* context) {
    return stub.RegisterMember(context, request, &reply);
  }));
  return PrintMutation(args, reply.member_id(), reply.version(), reply);
}

absl::StatusOr<int> RunOutflow(const ParsedArgs& args) {
  v1::RegisterOutflowRequest request;
  request.set_destination_jurisdiction(args.Get("to"));
  request.set_destination_address(args.Get("address"));
  request.set_occupation(args.Get("occupation"));
  request.set_left_on(args.Get("left-on"));
  request.set_expected_return_on(args.Get("expected-return-on"));
  request.set_contact_phone(args.Get("contact-phone"));
  request.set_employer(args.Get("employer"));
  request.set_liaison_name(args.Get("liaison"));
  request.set_destination_name(args.Get("destination-name"));
  ASSIGN_OR_RETURN(int reason, EnumFlag(args, "reason", *v1::OutflowReason_descriptor()));
  ASSIGN_OR_RETURN(int64_t season_from, IntFlag(args, "season-from-month"));
  ASSIGN_OR_RETURN(int64_t season_to, IntFlag(args, "season-to-month"));
  request.set_reason(static_cast<v1::OutflowReason>(reason));
  request.set_season_from_month(static_cast<int32_t>(season_from));
  request.set_season_to_month(static_cast<int32_t>(season_to));
  request.set_responsibility_terms(args.Get("responsibility-terms"));
  return MutateMember(args, std::move(request), &Stub::RegisterOutflow);
}

absl::StatusOr<int> RunIssueCertificate(const ParsedArgs& args) {
  v1::IssueCertificateRequest request;
  request.set_certificate_no(args.Get("certificate-no"));
  request.set_valid_until(args.Get("valid-until"));
  request.set_issued_on(args.Get("issued-on"));
  return MutateMember(args, std::move(request), &Stub::IssueCertificate);
}

absl::StatusOr<int> RunArrival(const ParsedArgs& args) {
  v1::RecordArrivalRequest request;
  ASSIGN_OR_RETURN(uint64_t expected_version, UintFlag(args, "expected-version"));
  RETURN_IF_ERROR(SetPerson(args, &request));
  const bool full_registration = args.member().empty();
  for (const FlagSpec& flag : RegistrationFlags(/*required=*/true)) {
    if (full_registration && flag.required && !args.Has(flag.name)) {
      return UsageError(absl::InvalidArgumentError(
          absl::StrCat("--", flag.name, " is required without MEMBER (see lxctl arrival --help)")));
    }
    if (!full_registration && args.Has(flag.name)) {
      return UsageError(absl::InvalidArgumentError(
          absl::StrCat("--", flag.name, " is only for a full registration, without MEMBER")));
    }
  }
  for (const char* flag : {"origin-jurisdiction", "origin-branch"}) {
    if (!full_registration && args.Has(flag)) {
      return UsageError(absl::InvalidArgumentError(
          absl::StrCat("--", flag, " is only for a full registration, without MEMBER")));
    }
  }
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  request.set_expected_version(expected_version);
  request.set_jurisdiction(client.county().code);
  request.set_branch(args.Get("branch"));
  request.set_arrived_on(args.Get("arrived-on"));
  request.set_certificate_no(args.Get("certificate-no"));
  request.set_contact_person(args.Get("contact-person"));
  request.set_origin_jurisdiction(args.Get("origin-jurisdiction"));
  request.set_origin_branch(args.Get("origin-branch"));
  v1::RecordArrivalReply reply;
  RETURN_IF_ERROR(client.Call([&](Stub& stub, grpc::ClientContext* context) {
    return stub.RecordArrival(context, request, &reply);
  }));
  return PrintMutation(args, reply.member_id(), reply.version(), reply);
}

absl::StatusOr<int> RunCertificateEntry(const ParsedArgs& args) {
  v1::RecordCertificateEntryRequest request;
  ASSIGN_OR_RETURN(int kind, EnumFlag(args, "kind", *v1::CertificateEntryKind_descriptor()));
  ASSIGN_OR_RETURN(int64_t amount_fen, IntFlag(args, "amount-fen"));
  request.set_occurred_on(args.Get("occurred-on"));
  request.set_activity(args.Get("activity"));
  request.set_kind(static_cast<v1::CertificateEntryKind>(kind));
  request.set_amount_fen(amount_fen);
  return MutateMember(args, std::move(request), &Stub::RecordCertificateEntry);
}

absl::StatusOr<int> RunRequestTransfer(const ParsedArgs& args) {
  v1::RequestTransferRequest request;
  request.set_to_jurisdiction(args.Get("to"));
  request.set_letter_no(args.Get("letter-no"));
  request.set_to_organization(args.Get("to-organization"));
  return MutateMember(args, std::move(request), &Stub::RequestTransfer);
}

absl::StatusOr<int> RunAcceptTransfer(const ParsedArgs& args) {
  v1::AcceptTransferRequest request;
  request.set_branch(args.Get("branch"));
  return MutateMember(args, std::move(request), &Stub::AcceptTransfer);
}

absl::StatusOr<int> RunRejectTransfer(const ParsedArgs& args) {
  v1::RejectTransferRequest request;
  request.set_reason(args.Get("reason"));
  return MutateMember(args, std::move(request), &Stub::RejectTransfer);
}

absl::StatusOr<int> RunReturn(const ParsedArgs& args) {
  v1::RecordReturnRequest request;
  request.set_returned_on(args.Get("returned-on"));
  request.set_certificate_handed_back(args.Has("certificate-handed-back"));
  request.set_certificate_audit(args.Get("certificate-audit"));
  request.set_responsibility_settlement(args.Get("responsibility-settlement"));
  request.set_responsibility_met(args.Has("responsibility-met"));
  return MutateMember(args, std::move(request), &Stub::RecordReturn);
}

absl::StatusOr<int> RunTransferReceipt(const ParsedArgs& args) {
  v1::RecordTransferReceiptRequest request;
  request.set_received_on(args.Get("received-on"));
  request.set_branch(args.Get("branch"));
  return MutateMember(args, std::move(request), &Stub::RecordTransferReceipt);
}

absl::StatusOr<int> RunWithdrawTransfer(const ParsedArgs& args) {
  v1::WithdrawTransferRequest request;
  request.set_reason(args.Get("reason"));
  return MutateMember(args, std::move(request), &Stub::WithdrawTransfer);
}

absl::StatusOr<int> RunTransferIn(const ParsedArgs& args) {
  v1::RecordTransferInRequest request;
  RETURN_IF_ERROR(SetPerson(args, &request));
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  request.set_request_id(RequestId(args));
  request.set_jurisdiction(client.county().code);
  request.set_branch(args.Get("branch"));
  request.set_letter_no(args.Get("letter-no"));
  request.set_accepted_on(args.Get("accepted-on"));
  request.set_origin_jurisdiction(args.Get("origin-jurisdiction"));
  request.set_origin_branch(args.Get("origin-branch"));
  v1::RegisterMemberReply reply;
  RETURN_IF_ERROR(client.Call([&](Stub& stub, grpc::ClientContext* context) {
    return stub.RecordTransferIn(context, request, &reply);
  }));
  return PrintMutation(args, reply.member_id(), reply.version(), reply);
}

absl::StatusOr<int> RunOutflowChange(const ParsedArgs& args) {
  v1::RecordOutflowChangeRequest request;
  request.set_destination_address(args.Get("address"));
  request.set_contact_phone(args.Get("contact-phone"));
  request.set_employer(args.Get("employer"));
  request.set_occupation(args.Get("occupation"));
  request.set_expected_return_on(args.Get("expected-return-on"));
  request.set_destination_branch(args.Get("branch"));
  request.set_changed_on(args.Get("changed-on"));
  return MutateMember(args, std::move(request), &Stub::RecordOutflowChange);
}

absl::StatusOr<int> RunMembershipEnd(const ParsedArgs& args) {
  v1::RecordMembershipEndRequest request;
  ASSIGN_OR_RETURN(int change, EnumFlag(args, "change", *v1::MembershipChange_descriptor()));
  request.set_change(static_cast<v1::MembershipChange>(change));
  request.set_grounds(args.Get("grounds"));
  request.set_decided_on(args.Get("decided-on"));
  request.set_approved_by(args.Get("approved-by"));
  return MutateMember(args, std::move(request), &Stub::RecordMembershipEnd);
}

absl::StatusOr<int> RunCriticism(const ParsedArgs& args) {
  v1::RecordCriticismRequest request;
  request.set_grounds(args.Get("grounds"));
  request.set_recorded_on(args.Get("recorded-on"));
  return MutateMember(args, std::move(request), &Stub::RecordCriticism);
}

absl::StatusOr<int> RunVisitHome(const ParsedArgs& args) {
  v1::RecordVisitHomeRequest request;
  request.set_home_from(args.Get("from"));
  request.set_home_until(args.Get("until"));
  return MutateMember(args, std::move(request), &Stub::RecordVisitHome);
}

// ---- Reads -----------------------------------------------------------------

absl::StatusOr<int> RunGet(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  v1::GetMemberRequest request;
  request.set_member_id(args.member());
  v1::GetMemberReply reply;
  RETURN_IF_ERROR(client.Call([&](Stub& stub, grpc::ClientContext* context) {
    return stub.GetMember(context, request, &reply);
  }));
  return PrintReply(args, reply, [&] {
    Table table = FieldTable(reply.member());
    table.AddRow({"status_by_county", StatusByCounty(reply.member())});
    Print(table.Render());
  });
}

absl::StatusOr<int> RunList(const ParsedArgs& args) {
  v1::ListMembersRequest request;
  ASSIGN_OR_RETURN(int direction, EnumFlag(args, "direction", *v1::Direction_descriptor()));
  ASSIGN_OR_RETURN(int status, EnumFlag(args, "status", *v1::MemberStatus_descriptor()));
  ASSIGN_OR_RETURN(uint64_t page_size, UintFlag(args, "page-size"));
  if (page_size > 1000) {
    return UsageError(absl::InvalidArgumentError("--page-size: must be between 1 and 1000"));
  }
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  request.set_jurisdiction(client.county().code);
  request.set_direction(direction == 0 ? v1::DIRECTION_ALL : static_cast<v1::Direction>(direction));
  request.set_status(static_cast<v1::MemberStatus>(status));
  request.set_page_size(static_cast<int32_t>(page_size));
  request.set_page_token(args.Get("page-token"));
  v1::ListMembersReply reply;
  if (args.Has("all-pages")) {
    ASSIGN_OR_RETURN(std::vector<v1::Member> members, ListAllMembers(client, request));
    for (v1::Member& member : members) *reply.add_members() = std::move(member);
  } else {
    RETURN_IF_ERROR(client.Call([&](Stub& stub, grpc::ClientContext* context) {
      return stub.ListMembers(context, request, &reply);
    }));
  }
  return PrintReply(args, reply, [&] {
    Table table({"MEMBER_ID", "NAME", "STATUS", "HOME", "DESTINATION", "DESTINATION_BRANCH",
                 "CERTIFICATE_NO", "LOST_CONTACT", "VERSION"});
    for (const v1::Member& m : reply.members()) {
      table.AddRow({m.member_id(), m.name(), StatusLabel(m.status()), m.home_jurisdiction(),
                    m.destination_jurisdiction(), m.destination_branch(), m.certificate_no(),
                    m.lost_contact() ? "yes" : "no", absl::StrCat(m.version())});
    }
    Print(table.Render());
    if (!reply.next_page_token().empty()) {
      Print(absl::StrCat("next_page_token: ", reply.next_page_token(), "\n"));
    }
  });
}

absl::StatusOr<int> RunHistory(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  v1::GetMemberHistoryRequest request;
  request.set_member_id(args.member());
  v1::GetMemberHistoryReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::GetMemberHistory, request, &reply,
                                      &v1::GetMemberHistoryReply::mutable_events));
  return PrintReply(args, reply, [&] {
    Table table({"VERSION", "OCCURRED_AT", "TYPE", "SOURCE", "ACTOR", "SUMMARY"});
    for (const v1::HistoryEntry& e : reply.events()) {
      table.AddRow({absl::StrCat(e.version()), TimestampText(e.occurred_at()), e.type(), e.source(),
                    e.actor(), e.summary()});
    }
    Print(table.Render());
  });
}

absl::StatusOr<int> RunStats(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  v1::GetStatisticsRequest request;
  request.set_jurisdiction(client.county().code);
  v1::GetStatisticsReply reply;
  RETURN_IF_ERROR(client.Call([&](Stub& stub, grpc::ClientContext* context) {
    return stub.GetStatistics(context, request, &reply);
  }));
  return PrintReply(args, reply, [&] {
    Table by_category({"CATEGORY", "COUNT"});
    for (const v1::CountByKey& c : reply.by_category()) {
      absl::string_view category = c.key();
      absl::ConsumePrefix(&category, "MEMBER_CATEGORY_");
      by_category.AddRow({std::string(category), absl::StrCat(c.count())});
    }
    Table by_destination({"DESTINATION", "COUNT"});
    for (const v1::CountByKey& c : reply.by_destination()) {
      by_destination.AddRow({c.key(), absl::StrCat(c.count())});
    }
    Print(absl::StrCat(FieldTable(reply).Render(), "\n", by_category.Render(), "\n",
                       by_destination.Render()));
  });
}

absl::StatusOr<int> RunLostTransfers(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  v1::ListLostTransfersRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_as_of(args.Get("as-of"));
  v1::ListLostTransfersReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListLostTransfers, request, &reply,
                                      &v1::ListLostTransfersReply::mutable_transfers));
  return PrintReply(args, reply, [&] {
    Table table({"MEMBER_ID", "NAME", "FROM", "TO", "LETTER_NO", "REQUESTED_ON", "DAYS_OVERDUE"});
    for (const v1::LostTransfer& t : reply.transfers()) {
      table.AddRow({t.member_id(), t.name(), t.from_jurisdiction(), t.to_jurisdiction(),
                    t.letter_no(), t.requested_on(), absl::StrCat(t.days_overdue())});
    }
    Print(table.Render());
  });
}

absl::StatusOr<int> RunCertificateChecks(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(RegistryClient client, Connect(args));
  v1::ListCertificateChecksDueRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_as_of(args.Get("as-of"));
  v1::ListCertificateChecksDueReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListCertificateChecksDue, request, &reply,
                                      &v1::ListCertificateChecksDueReply::mutable_checks));
  return PrintReply(args, reply, [&] {
    Table table(
        {"MEMBER_ID", "NAME", "CERTIFICATE_NO", "CHECK", "LAST_CHECKED_ON", "DAYS_OVERDUE"});
    for (const v1::CertificateCheckDue& c : reply.checks()) {
      table.AddRow({c.member_id(), c.name(), c.certificate_no(), c.check(), c.last_checked_on(),
                    absl::StrCat(c.days_overdue())});
    }
    Print(table.Render());
  });
}

// ---- Reconcile (R19) -------------------------------------------------------

// The ids of `side`'s members that it shares with `other`.
absl::Status CollectShared(RegistryClient& side, const std::string& other,
                           std::set<std::string>* ids) {
  v1::ListMembersRequest request;
  request.set_jurisdiction(side.county().code);
  request.set_direction(v1::DIRECTION_ALL);
  ASSIGN_OR_RETURN(std::vector<v1::Member> members, ListAllMembers(side, request));
  for (const v1::Member& member : members) {
    if (SharesWith(member, other)) ids->insert(member.member_id());
  }
  return absl::OkStatus();
}

// The member at `side`; nullopt if NOT_FOUND there.
absl::StatusOr<std::optional<v1::Member>> FindMember(RegistryClient& side,
                                                     const std::string& member_id) {
  absl::StatusOr<v1::Member> member = GetMember(side, member_id);
  if (absl::IsNotFound(member.status())) return std::nullopt;
  if (!member.ok()) {
    return absl::Status(member.status().code(),
                        absl::StrCat(side.county().code, ": ", member.status().message()));
  }
  return *std::move(member);
}

absl::StatusOr<int> RunReconcile(const ParsedArgs& args) {
  const std::string a = args.Get("origin");
  const std::string b = args.Get("destination");
  if (a == b) {
    return UsageError(absl::InvalidArgumentError("--origin and --destination are the same"));
  }
  ASSIGN_OR_RETURN(RegistryClient origin, ConnectAs(args, a));
  ASSIGN_OR_RETURN(RegistryClient destination, ConnectAs(args, b));
  std::set<std::string> ids;
  RETURN_IF_ERROR(CollectShared(origin, b, &ids));
  RETURN_IF_ERROR(CollectShared(destination, a, &ids));
  std::vector<std::string> ordered(ids.begin(), ids.end());
  std::sort(ordered.begin(), ordered.end(),
            [](const std::string& x, const std::string& y) { return MemberIdLess(x, y); });

  std::vector<Disagreement> found;
  for (const std::string& id : ordered) {
    ASSIGN_OR_RETURN(std::optional<v1::Member> at_a, FindMember(origin, id));
    ASSIGN_OR_RETURN(std::optional<v1::Member> at_b, FindMember(destination, id));
    if (!at_a.has_value() && !at_b.has_value()) {
      found.push_back(
          {id, "", "member", absl::StrCat("missing at ", a), absl::StrCat("missing at ", b)});
      continue;
    }
    std::vector<Disagreement> more = CompareMembers(a, b, at_a.has_value() ? &*at_a : nullptr,
                                                    at_b.has_value() ? &*at_b : nullptr);
    found.insert(found.end(), more.begin(), more.end());
  }
  if (!found.empty()) {
    Table table({"MEMBER_ID", "NAME", "FIELD", absl::StrCat("AT_", a), absl::StrCat("AT_", b)});
    for (const Disagreement& d : found) {
      table.AddRow({d.member_id, d.name, d.field, d.at_a, d.at_b});
    }
    Print(table.Render());
  }
  Print(absl::StrCat(found.size(), " disagreements\n"));
  return found.empty() ? 0 : 1;
}

// ---- The subcommands ---------------------------------------------------------

}  // namespace

std::vector<Command> RegistryCommands() {
  return {
      {{.name = "register-member",
        .summary = "Registers a member of the county (RegisterMember).",
        .flags = MutationFlags(
            [] {
              std::vector<FlagSpec> flags = RegistrationFlags(/*required=*/true);
              flags.push_back({.name = "branch",
                               .value_name = "BRANCH",
                               .help = "home branch",
                               .required = true});
              flags.push_back({.name = "jurisdiction",
                               .value_name = "CODE",
                               .help = "home county (default: --county)"});
              return flags;
            }(),
            /*on_member=*/false)},
       RunRegisterMember},
      {{.name = "outflow",
        .positional = Positional::kMember,
        .summary = "Records that a member leaves to work elsewhere, or moves on (RegisterOutflow).",
        .flags = MutationFlags({
            {.name = "to",
             .value_name = "CODE",
             .help = "destination county code",
             .required = true,
             .aliases = {"destination-jurisdiction"}},
            {.name = "address",
             .value_name = "TEXT",
             .help = "street address at the destination",
             .required = true,
             .aliases = {"destination-address"}},
            {.name = "occupation", .value_name = "TEXT", .help = "occupation", .required = true},
            {.name = "left-on",
             .value_name = "YYYY-MM-DD",
             .help = "date of leaving",
             .required = true},
            {.name = "expected-return-on",
             .value_name = "YYYY-MM-DD",
             .help = "expected return",
             .required = true},
            {.name = "contact-phone",
             .value_name = "PHONE",
             .help = "phone while away",
             .required = true},
            {.name = "employer", .value_name = "TEXT", .help = "employer"},
            {.name = "liaison",
             .value_name = "NAME",
             .help = "liaison at home (联络人)",
             .aliases = {"liaison-name"}},
            {.name = "destination-name",
             .value_name = "TEXT",
             .help = "readable name of the destination, e.g. 乌鲁木齐市天山区"},
            {.name = "reason",
             .value_name = "REASON",
             .help = "why (流动原因): WORK, BUSINESS, STUDY, JOB_SEEKING, FAMILY, MEDICAL, OTHER"},
            {.name = "season-from-month",
             .value_name = "M",
             .help = "seasonal outflow, R24: first month away each year (1-12)"},
            {.name = "season-to-month",
             .value_name = "M",
             .help = "seasonal outflow: last month away each year (1-12)"},
            {.name = "responsibility-terms",
             .value_name = "TEXT",
             .help = "R21: the terms of the responsibility letter signed at departure"},
        })},
       RunOutflow},
      {{.name = "issue-certificate",
        .positional = Positional::kMember,
        .summary = "Issues the activity certificate to a member away (IssueCertificate).",
        .flags = MutationFlags({
            {.name = "certificate-no",
             .value_name = "NO",
             .help = "certificate number",
             .required = true},
            {.name = "valid-until",
             .value_name = "YYYY-MM-DD",
             .help = "last day of validity",
             .required = true},
            {.name = "issued-on",
             .value_name = "YYYY-MM-DD",
             .help = "date of issue (default: today by the county's clock)"},
        })},
       RunIssueCertificate},
      {{.name = "arrival",
        .positional = Positional::kOptionalMember,
        .summary = "Records at the destination (--county) that a member has arrived "
                   "(RecordArrival).",
        .details = "With MEMBER: a member registered elsewhere on lianxin.\n"
                   "Without MEMBER: a full registration (the origin does not run lianxin): "
                   "--name, --id-number,\n--gender, --birth-date, --category, --phone, "
                   "--joined-on and --origin-jurisdiction are needed.",
        .flags = MutationFlags([] {
          std::vector<FlagSpec> flags = {
              {.name = "branch",
               .value_name = "BRANCH",
               .help = "branch at the destination",
               .required = true},
              {.name = "arrived-on",
               .value_name = "YYYY-MM-DD",
               .help = "date of arrival",
               .required = true},
              {.name = "certificate-no",
               .value_name = "NO",
               .help = "activity certificate presented"},
              {.name = "contact-person",
               .value_name = "NAME",
               .help = "contact person at the destination"},
          };
          for (FlagSpec& flag : RegistrationFlags(/*required=*/false)) {
            flag.help += " (full registration)";
            flags.push_back(std::move(flag));
          }
          flags.push_back({.name = "origin-jurisdiction",
                           .value_name = "CODE",
                           .help = "origin county code (full registration)"});
          flags.push_back({.name = "origin-branch",
                           .value_name = "BRANCH",
                           .help = "branch at the origin (full registration)"});
          return flags;
        }())},
       RunArrival},
      {{.name = "certificate-entry",
        .positional = Positional::kMember,
        .summary = "Records an entry on the activity certificate (RecordCertificateEntry).",
        .flags = MutationFlags({
            {.name = "occurred-on", .value_name = "YYYY-MM-DD", .help = "date", .required = true},
            {.name = "activity",
             .value_name = "TEXT",
             .help = "what was attended or done, e.g. 支部主题党日",
             .required = true},
            {.name = "kind",
             .value_name = "KIND",
             .help = "ORGANIZATION_LIFE (default), DUES, MAIL_BACK_CHECK or YEARLY_CHECK"},
            {.name = "amount-fen", .value_name = "FEN", .help = "for DUES: amount in fen"},
        })},
       RunCertificateEntry},
      {{.name = "request-transfer",
        .positional = Positional::kMember,
        .summary = "Asks to move the member's organization relationship (RequestTransfer).",
        .flags = MutationFlags({
            {.name = "to",
             .value_name = "CODE",
             .help = "receiving county code",
             .required = true,
             .aliases = {"to-jurisdiction"}},
            {.name = "letter-no",
             .value_name = "NO",
             .help = "introduction letter number",
             .required = true},
            {.name = "to-organization", .value_name = "TEXT", .help = "receiving organization"},
        })},
       RunRequestTransfer},
      {{.name = "accept-transfer",
        .positional = Positional::kMember,
        .summary = "Accepts a requested transfer at the receiving county (AcceptTransfer).",
        .flags = MutationFlags({
            {.name = "branch",
             .value_name = "BRANCH",
             .help = "branch at the receiving side (default: the arrival branch)"},
        })},
       RunAcceptTransfer},
      {{.name = "reject-transfer",
        .positional = Positional::kMember,
        .summary = "Rejects a requested transfer at the receiving county (RejectTransfer).",
        .flags = MutationFlags({
            {.name = "reason", .value_name = "TEXT", .help = "why", .required = true},
        })},
       RunRejectTransfer},
      {{.name = "return",
        .positional = Positional::kMember,
        .summary = "Records that a member away has come home (RecordReturn).",
        .flags = MutationFlags({
            {.name = "returned-on",
             .value_name = "YYYY-MM-DD",
             .help = "date of return",
             .required = true},
            {.name = "certificate-handed-back", .help = "R21: the certificate was handed back"},
            {.name = "certificate-audit",
             .value_name = "TEXT",
             .help = "R21: what its audit found"},
            {.name = "responsibility-settlement",
             .value_name = "TEXT",
             .help = "R21: how the responsibility letter was settled"},
            {.name = "responsibility-met", .help = "R21: the letter's terms were met"},
        })},
       RunReturn},
      {{.name = "transfer-receipt",
        .positional = Positional::kMember,
        .summary = "Records the paper receipt of a transfer to a county off lianxin, R20 "
                   "(RecordTransferReceipt).",
        .flags = MutationFlags({
            {.name = "received-on",
             .value_name = "YYYY-MM-DD",
             .help = "the day the receipt came back (default: today)"},
            {.name = "branch",
             .value_name = "BRANCH",
             .help = "the receiving branch named on the receipt",
             .required = true},
        })},
       RunTransferReceipt},
      {{.name = "withdraw-transfer",
        .positional = Positional::kMember,
        .summary = "Withdraws a pending transfer to a county off lianxin, R20 (WithdrawTransfer).",
        .flags = MutationFlags({
            {.name = "reason", .value_name = "TEXT", .help = "why", .required = true},
        })},
       RunWithdrawTransfer},
      {{.name = "transfer-in",
        .summary = "Takes in a member from an origin off lianxin by the paper letter, R20 "
                   "(RecordTransferIn).",
        .flags = MutationFlags([] {
          std::vector<FlagSpec> flags = {
              {.name = "branch",
               .value_name = "BRANCH",
               .help = "the receiving branch",
               .required = true},
              {.name = "letter-no",
               .value_name = "NO",
               .help = "introduction letter number",
               .required = true},
              {.name = "accepted-on",
               .value_name = "YYYY-MM-DD",
               .help = "the day the relationship was taken in",
               .required = true},
              {.name = "origin-jurisdiction",
               .value_name = "CODE",
               .help = "origin county code (off lianxin)",
               .required = true},
              {.name = "origin-branch",
               .value_name = "BRANCH",
               .help = "branch at the origin",
               .required = true},
          };
          for (FlagSpec& flag : RegistrationFlags(/*required=*/true)) {
            flags.push_back(std::move(flag));
          }
          return flags;
        }())},
       RunTransferIn},
      {{.name = "outflow-change",
        .positional = Positional::kMember,
        .summary = "Records a change inside the same destination, R4 (RecordOutflowChange).",
        .details = "The home changes --address, --contact-phone, --employer, --occupation or\n"
                   "--expected-return-on; the destination changes --branch.",
        .flags = MutationFlags({
            {.name = "address", .value_name = "TEXT", .help = "new address (home)"},
            {.name = "contact-phone", .value_name = "PHONE", .help = "new phone (home)"},
            {.name = "employer", .value_name = "TEXT", .help = "new employer (home)"},
            {.name = "occupation", .value_name = "TEXT", .help = "new occupation (home)"},
            {.name = "expected-return-on",
             .value_name = "YYYY-MM-DD",
             .help = "new expected return (home)"},
            {.name = "branch", .value_name = "BRANCH", .help = "new branch (destination)"},
            {.name = "changed-on", .value_name = "YYYY-MM-DD", .help = "(default: today)"},
        })},
       RunOutflowChange},
      {{.name = "visit-home",
        .positional = Positional::kMember,
        .summary = "Records that a member away is home for a while, e.g. the Spring Festival "
                   "(RecordVisitHome).",
        .flags = MutationFlags({
            {.name = "from",
             .value_name = "YYYY-MM-DD",
             .help = "first day home",
             .required = true},
            {.name = "until",
             .value_name = "YYYY-MM-DD",
             .help = "last day home",
             .required = true},
        })},
       RunVisitHome},
      {{.name = "membership-end",
        .positional = Positional::kMember,
        .summary = "Records a branch decision ending a membership, R22 (RecordMembershipEnd).",
        .flags = MutationFlags({
            {.name = "change",
             .value_name = "CHANGE",
             .help = "PERSUADED_TO_WITHDRAW, REMOVED or EXPELLED",
             .required = true},
            {.name = "grounds", .value_name = "TEXT", .help = "the grounds", .required = true},
            {.name = "decided-on",
             .value_name = "YYYY-MM-DD",
             .help = "day of the branch decision",
             .required = true},
            {.name = "approved-by",
             .value_name = "TEXT",
             .help = "the committee above that approved it",
             .required = true},
        })},
       RunMembershipEnd},
      {{.name = "criticism",
        .positional = Positional::kMember,
        .summary = "Records a criticism for failing to transfer or to hold a certificate, R22 "
                   "(RecordCriticism).",
        .flags = MutationFlags({
            {.name = "grounds", .value_name = "TEXT", .help = "what for", .required = true},
            {.name = "recorded-on", .value_name = "YYYY-MM-DD", .help = "(default: today)"},
        })},
       RunCriticism},
      {{.name = "get",
        .positional = Positional::kMember,
        .summary = "Shows one member as the county sees it (GetMember).",
        .flags = WithGlobalFlags({})},
       RunGet},
      {{.name = "list",
        .summary = "Lists the county's members by direction and status (ListMembers).",
        .flags = WithGlobalFlags({
            {.name = "direction", .value_name = "outflow|inflow|all", .help = "(default: all)"},
            {.name = "status",
             .value_name = "STATUS",
             .help = "only this status, e.g. OUTFLOW_RECEIVED"},
            {.name = "page-size", .value_name = "N", .help = "members per page, 1-1000 (100)"},
            {.name = "page-token",
             .value_name = "TOKEN",
             .help = "the next_page_token of a previous page"},
            {.name = "all-pages", .help = "fetch every page"},
        })},
       RunList},
      {{.name = "history",
        .positional = Positional::kMember,
        .summary = "Shows the member's events, oldest first (GetMemberHistory).",
        .flags = WithGlobalFlags({})},
       RunHistory},
      {{.name = "stats",
        .summary = "Shows the county's counts (GetStatistics).",
        .flags = WithGlobalFlags({})},
       RunStats},
      {{.name = "lost-transfers",
        .summary = "Lists transfers whose receipt is more than a month overdue, R9 "
                   "(ListLostTransfers).",
        .flags = WithGlobalFlags({
            {.name = "as-of",
             .value_name = "YYYY-MM-DD",
             .help = "(default: today by the county's clock)"},
        })},
       RunLostTransfers},
      {{.name = "certificate-checks",
        .summary = "Lists certificates whose mail-back or yearly check is overdue, R8 "
                   "(ListCertificateChecksDue).",
        .flags = WithGlobalFlags({
            {.name = "as-of",
             .value_name = "YYYY-MM-DD",
             .help = "(default: today by the county's clock)"},
        })},
       RunCertificateChecks},
      {{.name = "reconcile",
        .summary = "Lists every disagreement between two counties about the members they "
                   "share (R19).",
        .details = "Each county is called with its own token and address from the endpoints "
                   "file. Prints one line\nper disagreement (member, name, field, value at the "
                   "origin, value at the destination),\nthen \"N disagreements\". Exit status: "
                   "0 when there are none, 1 otherwise.",
        .flags =
            {
                {.name = "origin", .value_name = "CODE", .help = "county A", .required = true},
                {.name = "destination", .value_name = "CODE", .help = "county B", .required = true},
                EndpointsFlag(),
                TimeoutFlag(),
            }},
       RunReconcile},
  };
}

}  // namespace lianxin::lxctl
