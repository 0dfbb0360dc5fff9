#include "services/registry/service.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/runtime/validate.h"
#include "libs/service/idempotency.h"
#include "libs/service/paging.h"
#include "services/registry/summary.h"

namespace lianxin::registry {

using lianxin::v1::MemberFacts;
using lianxin::v1::MemberStatus;

namespace {

constexpr char kService[] = "/lianxin.v1.Registry/";

std::string Method(const char* rpc) { return absl::StrCat(kService, rpc); }

absl::Status ValidateRegistrationFields(FieldChecker& check, const std::string& branch,
                                        const std::string& name, const std::string& id_number,
                                        lianxin::v1::Gender gender, const std::string& birth_date,
                                        lianxin::v1::MemberCategory category,
                                        const std::string& phone, const std::string& joined_on) {
  check.Text("branch", branch, 1, 64)
      .Text("name", name, 1, 32)
      .Require(IsValidResidentIdNumber(id_number), "id_number",
               "is not a valid 18-character resident ID number (checksum, birth date)")
      .Require(lianxin::v1::Gender_IsValid(gender), "gender", "is not a known value")
      .Date("birth_date", birth_date)
      .Require(lianxin::v1::MemberCategory_IsValid(category) &&
                   category != lianxin::v1::MEMBER_CATEGORY_UNSPECIFIED,
               "category", "is required (FARMER, LAID_OFF_WORKER, VETERAN, GRADUATE, ...)")
      .Phone("phone", phone, /*optional=*/true)
      .Date("joined_on", joined_on);
  RETURN_IF_ERROR(check.status());
  // The ID number carries the birth date (characters 7–14).
  const std::string embedded = absl::StrCat(id_number.substr(6, 4), "-", id_number.substr(10, 2),
                                            "-", id_number.substr(12, 2));
  if (embedded != birth_date) {
    return absl::InvalidArgumentError(absl::StrCat(
        "birth_date: ", birth_date, " does not match the id_number's birth date ", embedded));
  }
  return absl::OkStatus();
}

lianxin::v1::HistoryEntry ToHistoryEntry(const lianxin::v1::Event& event) {
  lianxin::v1::HistoryEntry entry;
  entry.set_event_id(event.event_id());
  entry.set_type(event.type());
  *entry.mutable_occurred_at() = event.occurred_at();
  *entry.mutable_recorded_at() = event.recorded_at();
  entry.set_actor(event.actor());
  entry.set_source(absl::StrCat(event.source().jurisdiction(), "/", event.source().service()));
  entry.set_version(event.version());
  entry.set_summary(Summarize(event));
  return entry;
}

}  // namespace

RegistryService::RegistryService(RegistryServiceOptions options)
    : UnaryService("lianxin.v1.Registry", options.plumbing),
      options_(std::move(options)),
      projection_(*options_.projection),
      county_(projection_.jurisdiction(), options_.clock, "registry"),
      kernel_(projection_.store(), options_.on_commit),
      members_(MemberAggregates(&projection_)) {
  Serve("RegisterMember", &RegistryService::RegisterMember);
  Serve("RegisterOutflow", &RegistryService::RegisterOutflow);
  Serve("IssueCertificate", &RegistryService::IssueCertificate);
  Serve("RecordArrival", &RegistryService::RecordArrival);
  Serve("RecordCertificateEntry", &RegistryService::RecordCertificateEntry);
  Serve("RequestTransfer", &RegistryService::RequestTransfer);
  Serve("AcceptTransfer", &RegistryService::AcceptTransfer);
  Serve("RejectTransfer", &RegistryService::RejectTransfer);
  Serve("RecordReturn", &RegistryService::RecordReturn);
  Serve("GetMember", &RegistryService::GetMember);
  Serve("ListMembers", &RegistryService::ListMembers);
  Serve("GetMemberHistory", &RegistryService::GetMemberHistory);
  Serve("GetStatistics", &RegistryService::GetStatistics);
  Serve("ListLostTransfers", &RegistryService::ListLostTransfers);
  Serve("ListCertificateChecksDue", &RegistryService::ListCertificateChecksDue);
  Serve("RecordTransferReceipt", &RegistryService::RecordTransferReceipt);
  Serve("WithdrawTransfer", &RegistryService::WithdrawTransfer);
  Serve("RecordTransferIn", &RegistryService::RecordTransferIn);
  Serve("RecordOutflowChange", &RegistryService::RecordOutflowChange);
  Serve("RecordVisitHome", &RegistryService::RecordVisitHome);
  Serve("RecordMembershipEnd", &RegistryService::RecordMembershipEnd);
  Serve("RecordCriticism", &RegistryService::RecordCriticism);
}

absl::StatusOr<LoadedMember> RegistryService::LoadForRead(const Principal& caller,
                                                          const std::string& member_id) const {
  RETURN_IF_ERROR(FieldChecker().Text("member_id", member_id, 1, 64).status());
  ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.Load(member_id));
  if (!member.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("member_id: ", member_id, " is not known to ", projection_.jurisdiction()));
  }
  if (caller.jurisdiction != projection_.jurisdiction() &&
      !CountiesOf(member->facts).contains(caller.jurisdiction)) {
    return absl::PermissionDeniedError(
        absl::StrCat("member_id: ", member_id, " has no part in ", caller.jurisdiction));
  }
  return *std::move(member);
}

absl::Status RegistryService::Mutate(const Principal& caller, const char* rpc, FieldChecker& check,
                                     const std::string& request_id, const std::string& member_id,
                                     uint64_t expected_version, const Decision& decide,
                                     lianxin::v1::MutationReply* reply) {
  RETURN_IF_ERROR(check.RequestId(request_id).Text("member_id", member_id, 1, 64).status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return kernel_.Run(
      {.method = Method(rpc), .request_id = request_id, .reply = reply},
      [&](UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(auto* member, work.Get(members_, member_id));
        if (!member->exists()) {
          return absl::NotFoundError(absl::StrCat("member_id: ", member_id, " is not known to ",
                                                  projection_.jurisdiction()));
        }
        RETURN_IF_ERROR(CheckExpectedVersion(expected_version, member_id, member->version()));
        ASSIGN_OR_RETURN(Events events,
                         decide(member->state, county_.NewContext(caller, request_id)));
        RETURN_IF_ERROR(work.Add(members_, member_id, std::move(events)).status());
        reply->set_version(member->version());
        return absl::OkStatus();
      });
}

absl::Status RegistryService::Create(
    const Principal& caller, const char* rpc, const std::string& request_id,
    const std::string& id_number, const std::string& birth_date,
    const std::function<absl::StatusOr<Events>(const std::string&, const Context&)>& decide,
    const std::function<void(const std::string& member_id, uint64_t version)>& fill_reply,
    google::protobuf::Message* reply, bool validate_only) {
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  const std::string id_hash = options_.hasher->Hash(id_number);
  // One person, one id per county: derived from the keyed hash.
  const std::string member_id =
      absl::StrCat(projection_.jurisdiction(), "-", id_hash.substr(0, 16));
  if (validate_only) {
    // A dry run: a request already done answers as done; otherwise the
    // checks run with no request id (no idempotency record) and write nothing.
    ASSIGN_OR_RETURN(bool replayed,
                     ReplayReply(*projection_.store(), Method(rpc), request_id, reply));
    if (replayed) return absl::OkStatus();
  }
  absl::Status status = kernel_.Run(
      {.method = Method(rpc),
       .request_id = validate_only ? "" : request_id,
       .reply = reply,
       .retries = 0},
      [&](UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(std::optional<IdentityClaim> claim, projection_.FindIdentity(id_hash));
        if (claim.has_value()) {
          return absl::AlreadyExistsError(absl::StrCat("id_number: already registered as member ",
                                                       claim->member_id, " in ",
                                                       claim->jurisdiction, " (R18)"));
        }
        ASSIGN_OR_RETURN(Events events, decide(id_hash, county_.NewContext(caller, request_id)));
        if (validate_only) return absl::OkStatus();  // valid; nothing staged
        ASSIGN_OR_RETURN(auto* member, work.Seed(members_, member_id, Loaded<MemberFacts>{}));
        RETURN_IF_ERROR(work.Add(members_, member_id, std::move(events)).status());
        fill_reply(member_id, member->version());
        work.Also([&](Transaction& txn) {
          projection_.PutIdentity(txn, id_hash, {member_id, projection_.jurisdiction(), false});
          // The full birth date stays here; the event carries the year.
          projection_.PutBirthDate(txn, member_id, birth_date);
        });
        return absl::OkStatus();
      });
  if (absl::IsAborted(status)) {
    return absl::AlreadyExistsError(
        absl::StrCat("id_number: already registered as member ", member_id, " (R18)"));
  }
  return status;
}

absl::Status RegistryService::RegisterMember(const Principal& caller,
                                             const lianxin::v1::RegisterMemberRequest& request,
                                             lianxin::v1::RegisterMemberReply* reply) {
  FieldChecker check;
  check.RequestId(request.request_id()).Jurisdiction("jurisdiction", request.jurisdiction());
  RETURN_IF_ERROR(ValidateRegistrationFields(
      check, request.branch(), request.name(), request.id_number(), request.gender(),
      request.birth_date(), request.category(), request.phone(), request.joined_on()));
  const std::string masked = MaskIdNumber(request.id_number());
  return Create(
      caller, "RegisterMember", request.request_id(), request.id_number(), request.birth_date(),
      [&](const std::string& hash, const Context& ctx) {
        return DecideRegisterMember(request, hash, masked, ctx, projection_.settings());
      },
      [&](const std::string& member_id, uint64_t version) {
        reply->set_member_id(member_id);
        reply->set_version(version);
      },
      reply, request.validate_only());
}

absl::Status RegistryService::RegisterOutflow(const Principal& caller,
                                              const lianxin::v1::RegisterOutflowRequest& request,
                                              lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Jurisdiction("destination_jurisdiction", request.destination_jurisdiction())
      .Text("destination_address", request.destination_address(), 1, 128)
      .Text("occupation", request.occupation(), 1, 64)
      .Date("left_on", request.left_on())
      .Date("expected_return_on", request.expected_return_on())
      .Phone("contact_phone", request.contact_phone())
      .Text("employer", request.employer(), 0, 64)
      .Text("liaison_name", request.liaison_name(), 0, 32)
      .Text("destination_name", request.destination_name(), 0, 64)
      .Paragraph("responsibility_terms", request.responsibility_terms(), 0, 512)
      .Require(lianxin::v1::OutflowReason_IsValid(request.reason()), "reason",
               "is not a known value")
      .Require(request.season_from_month() >= 0 && request.season_from_month() <= 12 &&
                   request.season_to_month() >= 0 && request.season_to_month() <= 12 &&
                   (request.season_from_month() == 0) == (request.season_to_month() == 0),
               "season_from_month", "and season_to_month are months 1–12, both or neither");
  return Mutate(
      caller, "RegisterOutflow", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRegisterOutflow(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::IssueCertificate(const Principal& caller,
                                               const lianxin::v1::IssueCertificateRequest& request,
                                               lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Text("certificate_no", request.certificate_no(), 1, 32)
      .Date("valid_until", request.valid_until())
      .Date("issued_on", request.issued_on(), /*optional=*/true);
  return Mutate(
      caller, "IssueCertificate", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideIssueCertificate(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::RecordArrival(const Principal& caller,
                                            const lianxin::v1::RecordArrivalRequest& request,
                                            lianxin::v1::RecordArrivalReply* reply) {
  FieldChecker check;
  check.RequestId(request.request_id())
      .Jurisdiction("jurisdiction", request.jurisdiction())
      .Text("branch", request.branch(), 1, 64)
      .Date("arrived_on", request.arrived_on())
      .Text("certificate_no", request.certificate_no(), 0, 32)
      .Text("contact_person", request.contact_person(), 0, 32);
  if (!request.member_id().empty()) {
    lianxin::v1::MutationReply mutation;
    RETURN_IF_ERROR(Mutate(
        caller, "RecordArrival", check, request.request_id(), request.member_id(),
        request.expected_version(),
        [&](const MemberFacts& facts, const Context& ctx) {
          return DecideRecordArrival(facts, request, ctx, projection_.settings());
        },
        &mutation));
    reply->set_member_id(request.member_id());
    reply->set_version(mutation.version());
    return absl::OkStatus();
  }
  // No member_id: the origin does not run lianxin, a full registration.
  check.Jurisdiction("origin_jurisdiction", request.origin_jurisdiction())
      .Text("origin_branch", request.origin_branch(), 0, 64);
  RETURN_IF_ERROR(ValidateRegistrationFields(
      check, request.branch(), request.name(), request.id_number(), request.gender(),
      request.birth_date(), request.category(), request.phone(), request.joined_on()));
  const std::string masked = MaskIdNumber(request.id_number());
  return Create(
      caller, "RecordArrival", request.request_id(), request.id_number(), request.birth_date(),
      [&](const std::string& hash, const Context& ctx) {
        return DecideRegisterArrival(request, hash, masked, ctx, projection_.settings());
      },
      [&](const std::string& member_id, uint64_t version) {
        reply->set_member_id(member_id);
        reply->set_version(version);
      },
      reply, request.validate_only());
}

absl::Status RegistryService::RecordCertificateEntry(
    const Principal& caller, const lianxin::v1::RecordCertificateEntryRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Date("occurred_on", request.occurred_on())
      .Text("activity", request.activity(), 1, 128)
      .Require(lianxin::v1::CertificateEntryKind_IsValid(request.kind()), "kind",
               "is not a known value")
      .Require(request.amount_fen() >= 0, "amount_fen", "is negative");
  return Mutate(
      caller, "RecordCertificateEntry", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRecordCertificateEntry(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::RequestTransfer(const Principal& caller,
                                              const lianxin::v1::RequestTransferRequest& request,
                                              lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Jurisdiction("to_jurisdiction", request.to_jurisdiction())
      .Text("letter_no", request.letter_no(), 1, 32)
      .Text("to_organization", request.to_organization(), 0, 64);
  return Mutate(
      caller, "RequestTransfer", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRequestTransfer(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::AcceptTransfer(const Principal& caller,
                                             const lianxin::v1::AcceptTransferRequest& request,
                                             lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Text("branch", request.branch(), 0, 64);
  return Mutate(
      caller, "AcceptTransfer", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideAcceptTransfer(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::RejectTransfer(const Principal& caller,
                                             const lianxin::v1::RejectTransferRequest& request,
                                             lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Text("reason", request.reason(), 1, 256);
  return Mutate(
      caller, "RejectTransfer", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRejectTransfer(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::RecordReturn(const Principal& caller,
                                           const lianxin::v1::RecordReturnRequest& request,
                                           lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Date("returned_on", request.returned_on())
      .Text("certificate_audit", request.certificate_audit(), 0, 256)
      .Text("responsibility_settlement", request.responsibility_settlement(), 0, 256);
  return Mutate(
      caller, "RecordReturn", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRecordReturn(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::RecordTransferReceipt(
    const Principal& caller, const lianxin::v1::RecordTransferReceiptRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Date("received_on", request.received_on(), /*optional=*/true)
      .Text("branch", request.branch(), 1, 64);
  return Mutate(
      caller, "RecordTransferReceipt", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRecordTransferReceipt(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::WithdrawTransfer(const Principal& caller,
                                               const lianxin::v1::WithdrawTransferRequest& request,
                                               lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Text("reason", request.reason(), 1, 256);
  return Mutate(
      caller, "WithdrawTransfer", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideWithdrawTransfer(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::RecordTransferIn(const Principal& caller,
                                               const lianxin::v1::RecordTransferInRequest& request,
                                               lianxin::v1::RegisterMemberReply* reply) {
  FieldChecker check;
  check.RequestId(request.request_id())
      .Jurisdiction("jurisdiction", request.jurisdiction())
      .Text("letter_no", request.letter_no(), 1, 32)
      .Date("accepted_on", request.accepted_on())
      .Jurisdiction("origin_jurisdiction", request.origin_jurisdiction())
      .Text("origin_branch", request.origin_branch(), 1, 64);
  RETURN_IF_ERROR(ValidateRegistrationFields(
      check, request.branch(), request.name(), request.id_number(), request.gender(),
      request.birth_date(), request.category(), request.phone(), request.joined_on()));
  const std::string masked = MaskIdNumber(request.id_number());
  return Create(
      caller, "RecordTransferIn", request.request_id(), request.id_number(), request.birth_date(),
      [&](const std::string& hash, const Context& ctx) {
        return DecideRecordTransferIn(request, hash, masked, ctx, projection_.settings());
      },
      [&](const std::string& member_id, uint64_t version) {
        reply->set_member_id(member_id);
        reply->set_version(version);
      },
      reply);
}

absl::Status RegistryService::RecordOutflowChange(
    const Principal& caller, const lianxin::v1::RecordOutflowChangeRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Text("destination_address", request.destination_address(), 0, 128)
      .Phone("contact_phone", request.contact_phone(), /*optional=*/true)
      .Text("employer", request.employer(), 0, 64)
      .Text("occupation", request.occupation(), 0, 64)
      .Date("expected_return_on", request.expected_return_on(), /*optional=*/true)
      .Text("destination_branch", request.destination_branch(), 0, 64)
      .Date("changed_on", request.changed_on(), /*optional=*/true);
  return Mutate(
      caller, "RecordOutflowChange", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRecordOutflowChange(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::RecordVisitHome(const Principal& caller,
                                              const lianxin::v1::RecordVisitHomeRequest& request,
                                              lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Date("home_from", request.home_from()).Date("home_until", request.home_until());
  return Mutate(
      caller, "RecordVisitHome", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRecordVisitHome(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::RecordMembershipEnd(
    const Principal& caller, const lianxin::v1::RecordMembershipEndRequest& request,
    lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check
      .Require(lianxin::v1::MembershipChange_IsValid(request.change()), "change",
               "is not a known value")
      .Paragraph("grounds", request.grounds(), 1, 512)
      .Date("decided_on", request.decided_on())
      .Text("approved_by", request.approved_by(), 1, 64);
  return Mutate(
      caller, "RecordMembershipEnd", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRecordMembershipEnd(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::RecordCriticism(const Principal& caller,
                                              const lianxin::v1::RecordCriticismRequest& request,
                                              lianxin::v1::MutationReply* reply) {
  FieldChecker check;
  check.Text("grounds", request.grounds(), 1, 256)
      .Date("recorded_on", request.recorded_on(), /*optional=*/true);
  return Mutate(
      caller, "RecordCriticism", check, request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const MemberFacts& facts, const Context& ctx) {
        return DecideRecordCriticism(facts, request, ctx, projection_.settings());
      },
      reply);
}

absl::Status RegistryService::GetMember(const Principal& caller,
                                        const lianxin::v1::GetMemberRequest& request,
                                        lianxin::v1::GetMemberReply* reply) {
  ASSIGN_OR_RETURN(LoadedMember member, LoadForRead(caller, request.member_id()));
  ASSIGN_OR_RETURN(std::string birth_date, HomeBirthDate(member.facts));
  *reply->mutable_member() =
      ToMember(member.facts, member.version, projection_.jurisdiction(), birth_date);
  return absl::OkStatus();
}

absl::Status RegistryService::ListMembers(const Principal& caller,
                                          const lianxin::v1::ListMembersRequest& request,
                                          lianxin::v1::ListMembersReply* reply) {
  FieldChecker check;
  RETURN_IF_ERROR(
      county_.Jurisdiction(check, "jurisdiction", request.jurisdiction())
          .Require(lianxin::v1::Direction_IsValid(request.direction()), "direction",
                   "is not a known value")
          .Require(lianxin::v1::MemberStatus_IsValid(request.status()), "status",
                   "is not a known value")
          .Require(request.page_size() >= 0 && request.page_size() <= 1000, "page_size",
                   "must be between 0 and 1000")
          .Require(request.page_token().empty() || request.page_token().rfind("st/", 0) == 0,
                   "page_token", "is not a token from a previous reply")
          .status());
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  std::vector<MemberStatus> statuses = StatusesOf(request.direction());
  if (request.status() != lianxin::v1::MEMBER_STATUS_UNSPECIFIED) {
    if (std::find(statuses.begin(), statuses.end(), request.status()) == statuses.end()) {
      return absl::OkStatus();  // a status outside the direction: nothing
    }
    statuses = {request.status()};
  }
  const int page_size = request.page_size() == 0 ? 100 : request.page_size();
  std::string last_key;
  absl::Status read = absl::OkStatus();
  RETURN_IF_ERROR(projection_.ScanByStatus(
      statuses, request.page_token(), [&](const std::string& key, const LoadedMember& m) {
        if (reply->members_size() == page_size) {
          reply->set_next_page_token(last_key);
          return false;
        }
        absl::StatusOr<std::string> birth_date = HomeBirthDate(m.facts);
        if (!birth_date.ok()) {
          read = birth_date.status();
          return false;
        }
        *reply->add_members() =
            ToMember(m.facts, m.version, projection_.jurisdiction(), *birth_date);
        last_key = key;
        return true;
      }));
  return read;
}

absl::StatusOr<std::string> RegistryService::HomeBirthDate(const MemberFacts& facts) const {
  if (facts.home_jurisdiction() != projection_.jurisdiction()) return std::string();
  return projection_.BirthDate(facts.member_id());
}

absl::Status RegistryService::GetMemberHistory(const Principal& caller,
                                               const lianxin::v1::GetMemberHistoryRequest& request,
                                               lianxin::v1::GetMemberHistoryReply* reply) {
  FieldChecker check;
  Pager pager("GetMemberHistory", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(check.status());
  ASSIGN_OR_RETURN(LoadedMember member, LoadForRead(caller, request.member_id()));
  RETURN_IF_ERROR(
      projection_.store()->ScanAggregate(request.member_id(), [&](const lianxin::v1::Event& event) {
        *reply->add_events() = ToHistoryEntry(event);
        return true;
      }));
  reply->set_total_size(
      pager.Fill([](const lianxin::v1::HistoryEntry& e) { return AscendingKey(e.version()); },
                 reply->mutable_events(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status RegistryService::GetStatistics(const Principal& caller,
                                            const lianxin::v1::GetStatisticsRequest& request,
                                            lianxin::v1::GetStatisticsReply* reply) {
  FieldChecker check;
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  ASSIGN_OR_RETURN(*reply, projection_.Statistics(county_.Today()));
  return absl::OkStatus();
}

absl::Status RegistryService::ListLostTransfers(
    const Principal& caller, const lianxin::v1::ListLostTransfersRequest& request,
    lianxin::v1::ListLostTransfersReply* reply) {
  FieldChecker check;
  Pager pager("ListLostTransfers", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  absl::Status failure;
  RETURN_IF_ERROR(projection_.ScanDueBefore("lt/", as_of, [&](const LoadedMember& m) {
    std::optional<int> overdue = LostTransferDaysOverdue(m.facts, as_of, projection_.settings());
    if (!overdue.has_value()) return true;
    auto* lost = reply->add_transfers();
    lost->set_member_id(m.facts.member_id());
    lost->set_name(m.facts.registration().name());
    lost->set_from_jurisdiction(m.facts.transfer().from_jurisdiction());
    lost->set_to_jurisdiction(m.facts.transfer().to_jurisdiction());
    lost->set_letter_no(m.facts.transfer().letter_no());
    lost->set_requested_on(m.facts.transfer().requested_on());
    lost->set_days_overdue(*overdue);
    failure = projection_.store()->ScanAggregate(
        m.facts.member_id(), [&](const lianxin::v1::Event& event) {
          if (event.has_transfer_requested() || event.has_transfer_accepted() ||
              event.has_transfer_rejected()) {
            *lost->add_trace() = ToHistoryEntry(event);
          }
          return true;
        });
    return failure.ok();
  }));
  RETURN_IF_ERROR(failure);
  reply->set_total_size(pager.Fill(
      [](const lianxin::v1::LostTransfer& t) {
        return OrderKey({t.requested_on(), t.member_id()});
      },
      reply->mutable_transfers(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status RegistryService::ListCertificateChecksDue(
    const Principal& caller, const lianxin::v1::ListCertificateChecksDueRequest& request,
    lianxin::v1::ListCertificateChecksDueReply* reply) {
  FieldChecker check;
  Pager pager("ListCertificateChecksDue", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  const Settings& settings = projection_.settings();
  auto add = [&](const MemberFacts& f, const std::string& check, const std::string& last,
                 int days) {
    auto* due = reply->add_checks();
    due->set_member_id(f.member_id());
    due->set_name(f.registration().name());
    due->set_certificate_no(f.certificate().certificate_no());
    due->set_check(check);
    due->set_last_checked_on(last);
    due->set_days_overdue(days);
  };
  RETURN_IF_ERROR(projection_.ScanDueBefore("r2/", as_of, [&](const LoadedMember& m) {
    std::optional<absl::CivilDay> due = CertificateOrTransferDueOn(m.facts, settings);
    if (due.has_value() && as_of > *due) {
      add(m.facts, "R2_CERTIFICATE_OR_TRANSFER", "", DaysBetween(*due, as_of));
    }
    return true;
  }));
  RETURN_IF_ERROR(projection_.ScanDueBefore("cc/", as_of, [&](const LoadedMember& m) {
    if (std::optional<CertificateCheck> c = CertificateCheckOverdue(m.facts, as_of, settings)) {
      add(m.facts, std::string(CertificateCheckName(c->check)), c->last_checked_on,
          c->days_overdue);
    }
    return true;
  }));
  reply->set_total_size(pager.Fill(
      [](const lianxin::v1::CertificateCheckDue& c) {
        return OrderKey({c.member_id(), c.check()});
      },
      reply->mutable_checks(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

}  // namespace lianxin::registry
