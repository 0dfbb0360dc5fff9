// lxctl's ledger commands: `export` (the county's ledgers and reports to
// .xlsx or .csv) and `import` (an outflow or inflow ledger in through the
// public API, every row an ordinary event). The columns, the reading of dirty
// cells and the sheets are libs/ledger's; this file only calls the RPCs.
//
//   lxctl export --report outflow --output 流出党员台账.xlsx
//   lxctl import --ledger outflow --file 流出党员台账.xlsx --dry-run
//   lxctl import --ledger outflow --file 流出党员台账.xlsx
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lianxin/v1/appraisal.grpc.pb.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "lianxin/v1/education.grpc.pb.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/ledger/export.h"
#include "libs/ledger/ledger.h"
#include "libs/ledger/reports.h"
#include "libs/ledger/schema.h"
#include "tools/lxctl/commands.h"

namespace lianxin::lxctl {
namespace {

namespace v1 = lianxin::v1;
using ledger::Field;
using ledger::LedgerKind;
using ledger::LedgerRow;
using ledger::Report;

// ---- Shared -------------------------------------------------------------------

// --as-of / --today, else today in the counties' time (UTC+8).
absl::StatusOr<absl::CivilDay> DayFlag(const ParsedArgs& args, absl::string_view flag) {
  const std::string text = args.Get(flag);
  if (text.empty()) return absl::ToCivilDay(absl::Now(), CountyTimeZone());
  std::optional<absl::CivilDay> day = ParseDate(text);
  if (!day.has_value()) {
    return UsageError(
        absl::InvalidArgumentError(absl::StrCat("--", flag, ": '", text, "' is not YYYY-MM-DD")));
  }
  return *day;
}

// ---- Export -------------------------------------------------------------------

// The county's services that the endpoints file names, with the county's
// token and the --timeout on every call.
absl::StatusOr<ledger::ExportChannels> ExportChannelsOf(const ParsedArgs& args,
                                                        const County& county) {
  ASSIGN_OR_RETURN(absl::Duration timeout, Timeout(args));
  ledger::ExportChannels channels;
  ASSIGN_OR_RETURN(ServiceChannel registry, ServiceChannel::Connect(county, "registry", timeout));
  channels.registry = registry.channel();
  const std::pair<const char*, std::shared_ptr<grpc::ChannelInterface>*> others[] = {
      {"contact", &channels.contact},
      {"education", &channels.education},
      {"appraisal", &channels.appraisal}};
  for (const auto& [service, channel] : others) {
    // A service the endpoints file does not name stays null: a report that
    // needs it says so.
    if (absl::StatusOr<ServiceChannel> c = ServiceChannel::Connect(county, service, timeout);
        c.ok()) {
      *channel = c->channel();
    }
  }
  channels.prepare = [registry](grpc::ClientContext* context) { registry.Prepare(context); };
  return channels;
}

absl::StatusOr<int> RunExport(const ParsedArgs& args) {
  Report report;
  if (!ledger::ReportByName(args.Get("report"), &report)) {
    std::vector<std::string> names;
    for (Report r : ledger::AllReports()) names.push_back(ledger::ReportName(r));
    return UsageError(absl::InvalidArgumentError(absl::StrCat(
        "--report: '", args.Get("report"), "' is not one of ", absl::StrJoin(names, ", "))));
  }
  const std::string output = args.Get("output");
  if (!absl::EndsWithIgnoreCase(output, ".xlsx") && !absl::EndsWithIgnoreCase(output, ".csv")) {
    return UsageError(
        absl::InvalidArgumentError("--output: the file name must end in .xlsx or .csv"));
  }
  ASSIGN_OR_RETURN(absl::CivilDay as_of, DayFlag(args, "as-of"));
  ASSIGN_OR_RETURN(County county, CountyFromArgs(args, args.Get("county")));
  ledger::SheetHeader header{county.code, county.name, as_of};
  if (header.county_name.empty()) header.county_name = ledger::CountyNameByCode(county.code);
  ledger::ExportRequest request{.report = report, .header = header, .branch = args.Get("branch")};
  ASSIGN_OR_RETURN(int64_t year, IntFlag(args, "year"));
  request.year = static_cast<int>(year);
  ASSIGN_OR_RETURN(uint64_t page_size, UintFlag(args, "page-size"));
  if (page_size > 1000) {
    return UsageError(absl::InvalidArgumentError("--page-size: must be between 1 and 1000"));
  }
  request.page_size = static_cast<int32_t>(page_size);
  ASSIGN_OR_RETURN(ledger::ExportChannels channels, ExportChannelsOf(args, county));
  ASSIGN_OR_RETURN(ledger::Sheet sheet, ledger::BuildReport(request, channels));
  RETURN_IF_ERROR(ledger::WriteLedgerFile(sheet, output));
  Print(absl::StrCat("已导出", ledger::ReportTitle(report), " ", sheet.rows.size(), " 行到 ",
                     output, "\n"));
  return 0;
}

// ---- Import -------------------------------------------------------------------

// The ledger column of an API field named in an error ("id_number: ...").
Field FieldOfApiError(absl::string_view message) {
  static const auto* const fields = new std::vector<std::pair<std::string, Field>>{
      {"id_number", Field::kIdNumber},
      {"birth_date", Field::kBirthYear},
      {"joined_on", Field::kJoinedOn},
      {"origin_branch", Field::kOriginBranch},
      {"branch", Field::kBranch},
      {"name", Field::kName},
      {"category", Field::kCategory},
      {"gender", Field::kGender},
      {"contact_phone", Field::kPhone},
      {"phone", Field::kPhone},
      {"destination_jurisdiction", Field::kDestinationCode},
      {"destination_address", Field::kAddress},
      {"destination_name", Field::kDestinationName},
      {"left_on", Field::kLeftOn},
      {"expected_return_on", Field::kExpectedReturnOn},
      {"occupation", Field::kOccupation},
      {"employer", Field::kEmployer},
      {"liaison_name", Field::kLiaison},
      {"certificate_no", Field::kCertificateNo},
      {"valid_until", Field::kCertificateValidUntil},
      {"origin_jurisdiction", Field::kOriginCode},
      {"arrived_on", Field::kArrivedOn},
      {"contact_person", Field::kContactPerson},
  };
  for (const auto& [name, field] : *fields) {
    if (absl::StartsWith(message, absl::StrCat(name, ":"))) return field;
  }
  return Field::kIgnored;
}

// A refusal of the API as a cell error in Chinese.
ledger::CellError ApiError(const ledger::ParsedLedger& parsed, const LedgerRow& row,
                           const absl::Status& status, const std::string& local_county) {
  const Field field = FieldOfApiError(status.message());
  std::string column;
  if (field != Field::kIgnored) {
    auto it = parsed.headers.find(field);
    column = it != parsed.headers.end() ? it->second : ledger::CanonicalHeader(field);
  }
  std::string message;
  std::string detail(status.message());
  if (absl::IsAlreadyExists(status)) {
    // "id_number: already registered as member 654322-… in 650102 (R18)"
    std::string member, county;
    const size_t at = detail.find("member ");
    if (at != std::string::npos) {
      const size_t end = detail.find(' ', at + 7);
      member = detail.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
      const size_t in = detail.find(" in ", at);
      if (in != std::string::npos) county = detail.substr(in + 4, 6);
    }
    if (member.empty()) {
      message = absl::StrCat("与已登记的党员重复（", detail, "）");
    } else if (county.empty() || county == local_county) {
      message = absl::StrCat("与本县已登记的党员 ", member, " 是同一人（一人一档，R18）");
    } else {
      message = absl::StrCat("与 ", county, " 已登记的党员 ", member, " 是同一人（一人一档，R18）");
    }
  } else if (absl::IsFailedPrecondition(status)) {
    message = absl::StrCat("规则不允许：", detail);
  } else if (absl::IsInvalidArgument(status)) {
    message = absl::StrCat("被系统拒绝：", detail);
  } else {
    message = absl::StrCat("调用失败（", absl::StatusCodeToString(status.code()), "）：", detail);
  }
  return {row.line, column, message};
}

// Errors that stop the whole import (the registry is down, our token is refused).
bool IsFatal(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsUnauthenticated(status) ||
         absl::IsPermissionDenied(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsResourceExhausted(status);
}

v1::RegisterMemberRequest RegisterMemberOf(const LedgerRow& row, const std::string& county,
                                           const std::string& digest) {
  v1::RegisterMemberRequest r;
  r.set_request_id(absl::StrCat("ledger-", digest, "-m"));
  r.set_jurisdiction(county);
  r.set_branch(row.branch);
  r.set_name(row.name);
  r.set_id_number(row.id_number);
  r.set_gender(row.gender);
  r.set_birth_date(row.birth_date);
  r.set_category(row.category);
  r.set_phone(row.phone);
  r.set_probationary(row.probationary);
  r.set_joined_on(row.joined_on);
  return r;
}

v1::RecordArrivalRequest ArrivalOf(const LedgerRow& row, const std::string& county,
                                   const std::string& digest) {
  v1::RecordArrivalRequest r;
  r.set_request_id(absl::StrCat("ledger-", digest, "-a"));
  r.set_jurisdiction(county);
  r.set_branch(row.branch);
  r.set_arrived_on(row.arrived_on);
  r.set_certificate_no(row.certificate_no);
  r.set_contact_person(row.contact_person);
  r.set_name(row.name);
  r.set_id_number(row.id_number);
  r.set_gender(row.gender);
  r.set_birth_date(row.birth_date);
  r.set_category(row.category);
  r.set_phone(row.phone);
  r.set_probationary(row.probationary);
  r.set_joined_on(row.joined_on);
  r.set_origin_jurisdiction(row.origin_code);
  r.set_origin_branch(row.origin_branch);
  return r;
}

// Imports one row: the same calls with the same request ids every time, so a
// row already imported is answered from the registry's idempotency records.
absl::Status ImportRow(RegistryClient& client, LedgerKind kind, const std::string& county,
                       const LedgerRow& row) {
  const std::string digest = ledger::RowDigest(kind, county, row);
  if (kind == LedgerKind::kInflow) {
    v1::RecordArrivalRequest request = ArrivalOf(row, county, digest);
    v1::RecordArrivalReply reply;
    return client.Call([&](v1::Registry::Stub& stub, grpc::ClientContext* c) {
      return stub.RecordArrival(c, request, &reply);
    });
  }
  v1::RegisterMemberRequest member = RegisterMemberOf(row, county, digest);
  v1::RegisterMemberReply registered;
  RETURN_IF_ERROR(client.Call([&](v1::Registry::Stub& stub, grpc::ClientContext* c) {
    return stub.RegisterMember(c, member, &registered);
  }));
  v1::RegisterOutflowRequest outflow;
  outflow.set_request_id(absl::StrCat("ledger-", digest, "-o"));
  outflow.set_member_id(registered.member_id());
  outflow.set_destination_jurisdiction(row.destination_code);
  outflow.set_destination_name(row.destination_name);
  outflow.set_destination_address(row.address);
  outflow.set_occupation(row.occupation);
  outflow.set_employer(row.employer);
  outflow.set_left_on(row.left_on);
  outflow.set_expected_return_on(row.expected_return_on);
  outflow.set_contact_phone(row.phone);
  outflow.set_liaison_name(row.liaison);
  v1::MutationReply reply;
  RETURN_IF_ERROR(client.Call([&](v1::Registry::Stub& stub, grpc::ClientContext* c) {
    return stub.RegisterOutflow(c, outflow, &reply);
  }));
  if (row.certificate_no.empty()) return absl::OkStatus();
  v1::IssueCertificateRequest certificate;
  certificate.set_request_id(absl::StrCat("ledger-", digest, "-c"));
  certificate.set_member_id(registered.member_id());
  certificate.set_certificate_no(row.certificate_no);
  certificate.set_valid_until(row.certificate_valid_until);
  certificate.set_issued_on(row.left_on);
  return client.Call([&](v1::Registry::Stub& stub, grpc::ClientContext* c) {
    return stub.IssueCertificate(c, certificate, &reply);
  });
}

// The dry run's server check of one row: everything RegisterMember (or the
// full RecordArrival) would check, duplicates here or elsewhere included,
// with nothing written. Sets `already` when this very row was imported before.
absl::Status CheckRow(RegistryClient& client, LedgerKind kind, const std::string& county,
                      const LedgerRow& row, bool* already) {
  const std::string digest = ledger::RowDigest(kind, county, row);
  if (kind == LedgerKind::kInflow) {
    v1::RecordArrivalRequest request = ArrivalOf(row, county, digest);
    request.set_validate_only(true);
    v1::RecordArrivalReply reply;
    RETURN_IF_ERROR(client.Call([&](v1::Registry::Stub& stub, grpc::ClientContext* c) {
      return stub.RecordArrival(c, request, &reply);
    }));
    *already = !reply.member_id().empty();
    return absl::OkStatus();
  }
  v1::RegisterMemberRequest request = RegisterMemberOf(row, county, digest);
  request.set_validate_only(true);
  v1::RegisterMemberReply reply;
  RETURN_IF_ERROR(client.Call([&](v1::Registry::Stub& stub, grpc::ClientContext* c) {
    return stub.RegisterMember(c, request, &reply);
  }));
  *already = !reply.member_id().empty();
  return absl::OkStatus();
}

class ProgressBar {
 public:
  ProgressBar(size_t total, bool enabled) : total_(total), enabled_(enabled) {}
  void Advance() {
    const size_t done = ++done_;
    if (!enabled_) return;
    const size_t percent = total_ == 0 ? 100 : done * 100 / total_;
    std::lock_guard<std::mutex> lock(mu_);
    if (percent == last_percent_ && done != total_) return;
    last_percent_ = percent;
    const size_t filled = percent * 30 / 100;
    std::fprintf(stderr, "\r导入 [%s%s] %3zu%% %zu/%zu 行", std::string(filled, '#').c_str(),
                 std::string(30 - filled, '.').c_str(), percent, done, total_);
    if (done == total_) std::fputs("\n", stderr);
    std::fflush(stderr);
  }

 private:
  const size_t total_;
  const bool enabled_;
  std::atomic<size_t> done_{0};
  std::mutex mu_;
  size_t last_percent_ = 101;
};

LedgerKind KindOf(absl::string_view name, bool* ok) {
  *ok = true;
  if (name == "outflow" || name == "流出") return LedgerKind::kOutflow;
  if (name == "inflow" || name == "流入") return LedgerKind::kInflow;
  *ok = false;
  return LedgerKind::kOutflow;
}

void PrintErrors(std::vector<ledger::CellError> errors) {
  std::stable_sort(
      errors.begin(), errors.end(),
      [](const ledger::CellError& a, const ledger::CellError& b) { return a.line < b.line; });
  for (const ledger::CellError& e : errors) Print(absl::StrCat(ledger::FormatCellError(e), "\n"));
}

absl::StatusOr<int> RunImport(const ParsedArgs& args) {
  bool known;
  const LedgerKind kind = KindOf(args.Get("ledger"), &known);
  if (!known) {
    return UsageError(
        absl::InvalidArgumentError("--ledger: must be outflow (流出) or inflow (流入)"));
  }
  ASSIGN_OR_RETURN(absl::CivilDay today, DayFlag(args, "today"));
  ASSIGN_OR_RETURN(uint64_t parallel, UintFlag(args, "parallel"));
  if (parallel == 0) parallel = 4;
  parallel = std::min<uint64_t>(parallel, 32);
  ASSIGN_OR_RETURN(absl::Duration timeout, Timeout(args));
  ASSIGN_OR_RETURN(County county, CountyFromArgs(args, args.Get("county")));
  ASSIGN_OR_RETURN(ledger::Grid grid, ledger::ReadLedgerFile(args.Get("file")));
  const ledger::ParsedLedger parsed = ledger::ParseLedger(grid, {kind, county.code, today});
  const bool dry_run = args.Has("dry-run");
  std::vector<ledger::CellError> errors = parsed.errors;
  if (parsed.header_line == 0 || (parsed.rows.empty() && parsed.data_rows == 0) ||
      std::any_of(errors.begin(), errors.end(),
                  [](const ledger::CellError& e) { return e.line == 0; })) {
    PrintErrors(errors);
    Print("未导入任何行：请先修正文件。\n");
    return 1;
  }
  if (!parsed.ignored_headers.empty()) {
    Print(absl::StrCat("不导入的列：", absl::StrJoin(parsed.ignored_headers, "、"), "\n"));
  }
  ASSIGN_OR_RETURN(RegistryClient client, RegistryClient::Connect(county, "registry", timeout));

  std::vector<absl::Status> outcomes(parsed.rows.size());
  std::vector<char> already(parsed.rows.size(), 0);
  ProgressBar progress(parsed.rows.size(), !dry_run && isatty(STDERR_FILENO) && !args.Has("json"));
  std::atomic<size_t> next{0};
  std::atomic<bool> fatal{false};
  auto work = [&] {
    for (size_t i; !fatal && (i = next++) < parsed.rows.size();) {
      bool was_imported = false;
      outcomes[i] = dry_run ? CheckRow(client, kind, county.code, parsed.rows[i], &was_imported)
                            : ImportRow(client, kind, county.code, parsed.rows[i]);
      already[i] = was_imported;
      if (IsFatal(outcomes[i])) fatal = true;
      progress.Advance();
    }
  };
  std::vector<std::thread> workers;
  for (uint64_t w = 0; w < parallel; ++w) workers.emplace_back(work);
  for (std::thread& t : workers) t.join();
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (IsFatal(outcomes[i])) return outcomes[i];
  }

  size_t good = 0, imported_before = 0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].ok()) {
      ++good;
      imported_before += already[i];
    } else {
      errors.push_back(ApiError(parsed, parsed.rows[i], outcomes[i], county.code));
    }
  }
  PrintErrors(errors);
  const size_t failed_rows = parsed.data_rows - good;
  if (dry_run) {
    Print(absl::StrCat("试导入（--dry-run）：共 ", parsed.data_rows, " 行，可导入 ",
                       good - imported_before, " 行，已导入过 ", imported_before, " 行，有错误 ",
                       failed_rows, " 行。未写入任何数据。\n"));
  } else {
    Print(absl::StrCat("导入完成：共 ", parsed.data_rows, " 行，成功 ", good,
                       " 行（含此前已导入的行），失败 ", failed_rows, " 行。\n"));
  }
  return failed_rows == 0 ? 0 : 1;
}

}  // namespace

std::vector<Command> LedgerCommands() {
  std::string reports;
  for (Report r : ledger::AllReports()) {
    absl::StrAppend(&reports, "  ", ledger::ReportName(r), "  ", ledger::ReportTitle(r), "\n");
  }
  return {
      {{.name = "export",
        .summary = "Writes a ledger or report (台账) of the county to .xlsx or .csv.",
        .details = absl::StrCat("Reports:\n", reports,
                                "The ID number is only ever shown masked. CSV is UTF-8 with a BOM; "
                                "cells starting with = + - @ get a leading apostrophe."),
        .flags = WithGlobalFlags({
            {.name = "report",
             .value_name = "NAME",
             .help = "which ledger (see below)",
             .required = true},
            {.name = "output",
             .value_name = "FILE",
             .help = "FILE.xlsx or FILE.csv",
             .required = true},
            {.name = "as-of",
             .value_name = "YYYY-MM-DD",
             .help = "the date of the report (default: today)"},
            {.name = "year",
             .value_name = "YEAR",
             .help = "appraisal year (default: that of --as-of)"},
            {.name = "branch",
             .value_name = "BRANCH",
             .help = "only this branch (members, appraisal)"},
            {.name = "page-size",
             .value_name = "N",
             .help = "rows read per call, 1-1000 (default: the services'); every page is read"},
        })},
       RunExport},
      {{.name = "import",
        .summary = "Imports an outflow or inflow ledger (.xlsx or .csv) through the API.",
        .details =
            "Columns are found by their Chinese headers (README: 导入台账). Every row becomes "
            "ordinary RegisterMember + RegisterOutflow (+ IssueCertificate) or RecordArrival "
            "calls whose request ids come from the row's content: importing the same file "
            "again changes nothing, and an interrupted import continues where it stopped.\n"
            "--dry-run reports every row that would fail, by row and column, and writes nothing.\n"
            "Exit status 1 when any row failed.",
        .flags = WithGlobalFlags({
            {.name = "ledger",
             .value_name = "outflow|inflow",
             .help = "the ledger's kind",
             .required = true},
            {.name = "file", .value_name = "FILE", .help = ".xlsx or .csv", .required = true},
            {.name = "dry-run", .help = "check every row, write nothing"},
            {.name = "today",
             .value_name = "YYYY-MM-DD",
             .help = "dates after this day are refused (default: today)"},
            {.name = "parallel", .value_name = "N", .help = "rows in flight (default 4)"},
        })},
       RunImport},
  };
}

}  // namespace lianxin::lxctl
