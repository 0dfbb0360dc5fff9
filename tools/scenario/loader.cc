#include "tools/scenario/loader.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/client_context.h"
#include "libs/common/all_pages.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/rpc.h"
#include "libs/trust/personal_data.h"

namespace lianxin::scenario {

using lianxin::v1::Registry;

namespace {

// Worth sending again (the request_id makes it safe).
bool IsTransient(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsAborted(status) || absl::IsResourceExhausted(status);
}

// Polling: short first waits, then at most half a second.
class Backoff {
 public:
  absl::Duration Next() {
    const absl::Duration wait = wait_;
    wait_ = std::min(wait_ * 2, absl::Milliseconds(500));
    return wait;
  }

 private:
  absl::Duration wait_ = absl::Milliseconds(20);
};

std::string StatusName(lianxin::v1::MemberStatus status) {
  return std::string(absl::StripPrefix(lianxin::v1::MemberStatus_Name(status), "MEMBER_STATUS_"));
}

std::string CategoryName(const std::string& key) {
  return std::string(absl::StripPrefix(key, "MEMBER_CATEGORY_"));
}

}  // namespace

// ============================================================================
// Connecting
// ============================================================================

absl::StatusOr<std::unique_ptr<Loader>> Loader::Connect(std::vector<CountyConnection> counties,
                                                        LoadOptions options) {
  std::unique_ptr<Loader> loader(new Loader(options));
  for (CountyConnection& connection : counties) {
    if (connection.registry.empty() || connection.token.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "county ", connection.code, ": the endpoints file gives no registry address or token"));
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        OpenChannel(connection.registry, connection.tls);
    if (!channel.ok()) return channel.status();
    County county{std::move(connection), Registry::NewStub(*channel)};
    const std::string code = county.connection.code;
    loader->counties_.emplace(code, std::move(county));
  }
  return loader;
}

void Loader::Prepare(const County& county, grpc::ClientContext* context) const {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", county.connection.token));
  context->set_deadline(absl::ToChronoTime(absl::Now() + options_.rpc_timeout));
}

// ============================================================================
// Loading
// ============================================================================

absl::Status Loader::Load(const Plan& plan, LoadReport* report) {
  for (const Member& member : plan.members()) {
    for (const Step& step : member.steps()) {
      if (!counties_.contains(step.county())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "member ", member.key(), " acts in county ", step.county(), ", not connected"));
      }
      for (const Await& await : step.awaits()) {
        if (!counties_.contains(await.county())) {
          return absl::FailedPreconditionError(absl::StrCat(
              "member ", member.key(), " waits for county ", await.county(), ", not connected"));
        }
      }
    }
  }
  const absl::Time start = absl::Now();
  const size_t count = static_cast<size_t>(plan.members_size());
  std::vector<std::string> member_ids(count);
  std::atomic<size_t> next{0};
  std::atomic<size_t> commands{0};
  std::atomic<bool> failed{false};
  absl::Mutex mu;
  absl::Status first_error;  // guarded by mu
  auto work = [&] {
    for (size_t i = next++; i < count && !failed.load(); i = next++) {
      size_t sent = 0;
      absl::Status status = LoadMember(plan.members(static_cast<int>(i)), &member_ids[i], &sent);
      commands += sent;
      if (!status.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = status;
        failed = true;
      }
    }
  };
  const size_t threads =
      std::max<size_t>(1, std::min<size_t>(count, static_cast<size_t>(options_.parallelism)));
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) workers.emplace_back(work);
  for (std::thread& worker : workers) worker.join();

  report->members = count;
  report->commands = commands.load();
  report->load_time = absl::Now() - start;
  for (size_t i = 0; i < count; ++i) {
    if (!member_ids[i].empty()) {
      report->member_ids[plan.members(static_cast<int>(i)).key()] = member_ids[i];
    }
  }
  absl::MutexLock lock(&mu);
  return first_error;
}

absl::Status Loader::LoadMember(const Member& member, std::string* member_id, size_t* commands) {
  for (int i = 0; i < member.steps_size(); ++i) {
    const Step& step = member.steps(i);
    const absl::Time deadline = absl::Now() + options_.step_deadline;
    auto context = [&](const absl::Status& status) {
      return absl::Status(status.code(), absl::StrCat("member ", member.key(), " (", member.name(),
                                                      "), step ", i + 1, " ", StepRpc(step), " at ",
                                                      step.county(), ": ", status.message()));
    };
    const bool registers = i == 0;
    if (!registers && member_id->empty()) {
      return context(absl::FailedPreconditionError("the member's first step did not register it"));
    }
    for (const Await& await : step.awaits()) {
      absl::Status status = AwaitEvents(counties_.at(await.county()), *member_id, await, deadline);
      if (!status.ok()) return context(status);
    }
    absl::Status status = Execute(counties_.at(step.county()), step, member_id, deadline);
    ++*commands;
    if (!status.ok()) return context(status);
  }
  return absl::OkStatus();
}

absl::Status Loader::AwaitEvents(const County& county, const std::string& member_id,
                                 const Await& await, absl::Time deadline) {
  lianxin::v1::GetMemberHistoryRequest request;
  request.set_member_id(member_id);
  Backoff backoff;
  absl::Status last;
  for (;;) {
    lianxin::v1::GetMemberHistoryReply reply;
    last = ReadAllPages(
        request,
        [&](const lianxin::v1::GetMemberHistoryRequest& r,
            lianxin::v1::GetMemberHistoryReply* page) {
          grpc::ClientContext context;
          Prepare(county, &context);
          return FromGrpcStatus(county.stub->GetMemberHistory(&context, r, page));
        },
        &lianxin::v1::GetMemberHistoryReply::mutable_events, &reply);
    if (last.ok()) {
      uint32_t seen = 0;
      for (const auto& event : reply.events()) {
        if (await.event_type().empty() || event.type() == await.event_type()) ++seen;
      }
      if (seen >= await.count()) return absl::OkStatus();
      last = absl::NotFoundError(absl::StrCat(seen, " of them so far"));
    } else if (!absl::IsNotFound(last) && !IsTransient(last)) {
      return last;
    }
    if (absl::Now() + absl::Milliseconds(20) > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("waited in vain for ", await.count(), " ",
                       await.event_type().empty() ? "event" : await.event_type(), " of ", member_id,
                       " at ", await.county(), " (", last.message(), ")"));
    }
    absl::SleepFor(backoff.Next());  // polling with a deadline
  }
}

absl::Status Loader::Execute(const County& county, const Step& step, std::string* member_id,
                             absl::Time deadline) {
  Backoff backoff;
  for (;;) {
    grpc::ClientContext context;
    Prepare(county, &context);
    Registry::Stub& stub = *county.stub;
    lianxin::v1::MutationReply mutation;
    absl::Status status;
    std::string created;
    switch (step.command_case()) {
      case Step::kRegisterMember: {
        lianxin::v1::RegisterMemberReply reply;
        status = FromGrpcStatus(stub.RegisterMember(&context, step.register_member(), &reply));
        created = reply.member_id();
        break;
      }
      case Step::kRecordArrival: {
        lianxin::v1::RecordArrivalRequest request = step.record_arrival();
        const bool registers = request.member_id().empty() && !request.id_number().empty();
        if (!registers) request.set_member_id(*member_id);
        lianxin::v1::RecordArrivalReply reply;
        status = FromGrpcStatus(stub.RecordArrival(&context, request, &reply));
        if (registers) created = reply.member_id();
        break;
      }
      case Step::kRegisterOutflow: {
        lianxin::v1::RegisterOutflowRequest request = step.register_outflow();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.RegisterOutflow(&context, request, &mutation));
        break;
      }
      case Step::kIssueCertificate: {
        lianxin::v1::IssueCertificateRequest request = step.issue_certificate();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.IssueCertificate(&context, request, &mutation));
        break;
      }
      case Step::kRecordCertificateEntry: {
        lianxin::v1::RecordCertificateEntryRequest request = step.record_certificate_entry();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.RecordCertificateEntry(&context, request, &mutation));
        break;
      }
      case Step::kRequestTransfer: {
        lianxin::v1::RequestTransferRequest request = step.request_transfer();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.RequestTransfer(&context, request, &mutation));
        break;
      }
      case Step::kAcceptTransfer: {
        lianxin::v1::AcceptTransferRequest request = step.accept_transfer();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.AcceptTransfer(&context, request, &mutation));
        break;
      }
      case Step::kRejectTransfer: {
        lianxin::v1::RejectTransferRequest request = step.reject_transfer();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.RejectTransfer(&context, request, &mutation));
        break;
      }
      case Step::kRecordReturn: {
        lianxin::v1::RecordReturnRequest request = step.record_return();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.RecordReturn(&context, request, &mutation));
        break;
      }
      case Step::kRecordTransferReceipt: {
        lianxin::v1::RecordTransferReceiptRequest request = step.record_transfer_receipt();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.RecordTransferReceipt(&context, request, &mutation));
        break;
      }
      case Step::kWithdrawTransfer: {
        lianxin::v1::WithdrawTransferRequest request = step.withdraw_transfer();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.WithdrawTransfer(&context, request, &mutation));
        break;
      }
      case Step::kRecordTransferIn: {
        lianxin::v1::RegisterMemberReply reply;
        status = FromGrpcStatus(stub.RecordTransferIn(&context, step.record_transfer_in(), &reply));
        created = reply.member_id();
        break;
      }
      case Step::kRecordOutflowChange: {
        lianxin::v1::RecordOutflowChangeRequest request = step.record_outflow_change();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.RecordOutflowChange(&context, request, &mutation));
        break;
      }
      case Step::kRecordVisitHome: {
        lianxin::v1::RecordVisitHomeRequest request = step.record_visit_home();
        request.set_member_id(*member_id);
        status = FromGrpcStatus(stub.RecordVisitHome(&context, request, &mutation));
        break;
      }
      case Step::COMMAND_NOT_SET:
        return absl::InvalidArgumentError("the step has no command");
    }
    const bool creates = step.has_register_member() || step.has_record_transfer_in() ||
                         (step.has_record_arrival() && step.record_arrival().member_id().empty() &&
                          !step.record_arrival().id_number().empty());
    if (creates && absl::IsAlreadyExists(status)) {
      // R18: the registry knows this person already, from an earlier load.
      created = MemberIdFromAlreadyExists(status.message());
      if (!created.empty()) status = absl::OkStatus();
    }
    if (status.ok()) {
      if (creates) *member_id = created;
      return absl::OkStatus();
    }
    if (!IsTransient(status) || absl::Now() + absl::Milliseconds(20) > deadline) return status;
    absl::SleepFor(backoff.Next());  // retrying with a deadline; the request_id dedups
  }
}

// ============================================================================
// Settling
// ============================================================================

absl::StatusOr<lianxin::v1::Member> Loader::GetMember(const County& county,
                                                      const std::string& member_id) {
  lianxin::v1::GetMemberRequest request;
  request.set_member_id(member_id);
  lianxin::v1::GetMemberReply reply;
  grpc::ClientContext context;
  Prepare(county, &context);
  absl::Status status = FromGrpcStatus(county.stub->GetMember(&context, request, &reply));
  if (!status.ok()) return status;
  return reply.member();
}

absl::StatusOr<lianxin::v1::GetStatisticsReply> Loader::Statistics(const std::string& county) {
  auto it = counties_.find(county);
  if (it == counties_.end()) {
    return absl::NotFoundError(absl::StrCat("county ", county, " is not connected"));
  }
  lianxin::v1::GetStatisticsRequest request;
  request.set_jurisdiction(county);
  lianxin::v1::GetStatisticsReply reply;
  grpc::ClientContext context;
  Prepare(it->second, &context);
  absl::Status status = FromGrpcStatus(it->second.stub->GetStatistics(&context, request, &reply));
  if (!status.ok()) return status;
  return reply;
}

absl::Status Loader::Settle(const Plan& plan, bool check_counts, LoadReport* report) {
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + options_.settle_deadline;
  // Members still to check; a member once settled stays settled (the stream
  // is quiet for it: every county shows its final status and the same facts).
  std::vector<const Member*> pending;
  for (const Member& member : plan.members()) {
    if (!report->member_ids.contains(member.key())) {
      return absl::FailedPreconditionError(
          absl::StrCat("member ", member.key(), " was not loaded"));
    }
    pending.push_back(&member);
  }
  std::string differs;
  uint64_t last_outflow = ~0ULL, last_inflow = ~0ULL;
  Backoff backoff;
  for (;;) {
    std::vector<const Member*> still;
    for (const Member* member : pending) {
      const std::string& id = report->member_ids.at(member->key());
      std::vector<lianxin::v1::Member> views;
      std::string problem;
      for (const ExpectedStatus& expectation : member->expected_status()) {
        const std::string& county = expectation.county();
        const lianxin::v1::MemberStatus expected = expectation.status();
        auto it = counties_.find(county);
        if (it == counties_.end()) continue;
        absl::StatusOr<lianxin::v1::Member> view = GetMember(it->second, id);
        if (!view.ok()) {
          problem = absl::StrCat(county, ": ", view.status().message());
          break;
        }
        if (view->status() != expected) {
          problem = absl::StrCat(county, " shows ", StatusName(view->status()), ", expected ",
                                 StatusName(expected));
          break;
        }
        view->clear_status();   // each side's own
        view->clear_version();  // each side's own log
        // Flagged by the contact service after the registry's stream (R5); a
        // county whose part ended is not told.
        view->clear_lost_contact();
        // The full birth date stays with the home registry; every county
        // knows the year.
        view->set_birth_date(trust::BirthYear(view->birth_date()));
        views.push_back(*std::move(view));
      }
      for (size_t i = 1; problem.empty() && i < views.size(); ++i) {
        if (!google::protobuf::util::MessageDifferencer::Equals(views[0], views[i])) {
          problem = "the counties' views differ (R19)";
        }
      }
      if (!problem.empty()) {
        if (still.empty()) differs = absl::StrCat(member->key(), " (", id, "): ", problem);
        still.push_back(member);
      }
    }
    pending = std::move(still);
    if (pending.empty() && !check_counts) break;
    if (pending.empty()) {
      absl::StatusOr<lianxin::v1::GetStatisticsReply> focus = Statistics(plan.focus_county());
      if (!focus.ok()) return focus.status();
      const bool expected = focus->outflow_count() == plan.expected_outflow_count() &&
                            focus->inflow_count() == plan.expected_inflow_count();
      if (expected && focus->outflow_count() == last_outflow &&
          focus->inflow_count() == last_inflow) {
        break;
      }
      last_outflow = focus->outflow_count();
      last_inflow = focus->inflow_count();
      differs = absl::StrCat(plan.focus_county(), " counts outflow ", focus->outflow_count(),
                             " and inflow ", focus->inflow_count(), ", expected ",
                             plan.expected_outflow_count(), " and ", plan.expected_inflow_count());
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("not settled after ", absl::FormatDuration(options_.settle_deadline), ": ",
                       pending.size(), " members still differ; first: ", differs));
    }
    absl::SleepFor(backoff.Next());  // polling with a deadline
  }
  report->settle_time = absl::Now() - start;
  for (const Member& member : plan.members()) {
    std::vector<std::string> counties;
    for (const ExpectedStatus& expected : member.expected_status()) {
      counties.push_back(expected.county());
    }
    std::sort(counties.begin(), counties.end());
    for (size_t i = 0; i < counties.size(); ++i) {
      for (size_t j = i + 1; j < counties.size(); ++j) {
        ++report->shared_members[absl::StrCat(counties[i], "↔", counties[j])];
      }
    }
  }
  for (const std::string& county : plan.counties()) {
    absl::StatusOr<lianxin::v1::GetStatisticsReply> statistics = Statistics(county);
    if (!statistics.ok()) return statistics.status();
    report->statistics[county] = *std::move(statistics);
  }
  return absl::OkStatus();
}

// ============================================================================
// Helpers
// ============================================================================

std::string MemberIdFromAlreadyExists(absl::string_view message) {
  static constexpr absl::string_view kMarker = "registered as member ";
  const size_t at = message.find(kMarker);
  if (at == absl::string_view::npos) return "";
  absl::string_view rest = message.substr(at + kMarker.size());
  const size_t end = rest.find_first_of(" ,;()");
  return std::string(rest.substr(0, end));
}

absl::string_view StepRpc(const Step& step) {
  switch (step.command_case()) {
    case Step::kRegisterMember:
      return "RegisterMember";
    case Step::kRegisterOutflow:
      return "RegisterOutflow";
    case Step::kIssueCertificate:
      return "IssueCertificate";
    case Step::kRecordArrival:
      return "RecordArrival";
    case Step::kRecordCertificateEntry:
      return "RecordCertificateEntry";
    case Step::kRequestTransfer:
      return "RequestTransfer";
    case Step::kAcceptTransfer:
      return "AcceptTransfer";
    case Step::kRejectTransfer:
      return "RejectTransfer";
    case Step::kRecordReturn:
      return "RecordReturn";
    case Step::kRecordTransferReceipt:
      return "RecordTransferReceipt";
    case Step::kWithdrawTransfer:
      return "WithdrawTransfer";
    case Step::kRecordTransferIn:
      return "RecordTransferIn";
    case Step::kRecordOutflowChange:
      return "RecordOutflowChange";
    case Step::kRecordVisitHome:
      return "RecordVisitHome";
    case Step::COMMAND_NOT_SET:
      break;
  }
  return "(none)";
}

std::string FormatStatistics(absl::string_view code, absl::string_view name,
                             const lianxin::v1::GetStatisticsReply& s) {
  std::string out = absl::StrCat(
      code, " ", name, ": outflow ", s.outflow_count(), ", inflow ", s.inflow_count(),
      ", expected inflow ", s.expected_inflow_count(), ", pending transfers ",
      s.pending_transfer_count(), ", returned ", s.returned_count(), ", transferred out ",
      s.transferred_out_count(), ", transferred in ", s.transferred_in_count(), ", residents ",
      s.resident_count(), ", lost contact ", s.lost_contact_count(), "\n");
  if (s.outflow_count() > 0) {
    absl::StrAppend(&out, "    outflow: within the province ", s.within_province_count(),
                    ", to other provinces ", s.cross_province_count(),
                    ", holding a valid certificate ", s.certificate_holders(), "\n");
    std::vector<std::string> parts;
    for (const auto& c : s.by_category()) {
      parts.push_back(absl::StrCat(CategoryName(c.key()), " ", c.count()));
    }
    absl::StrAppend(&out, "    outflow by category: ", absl::StrJoin(parts, ", "), "\n");
    parts.clear();
    for (const auto& c : s.by_destination()) parts.push_back(absl::StrCat(c.key(), " ", c.count()));
    absl::StrAppend(&out, "    outflow by destination: ", absl::StrJoin(parts, ", "), "\n");
  }
  return out;
}

}  // namespace lianxin::scenario
