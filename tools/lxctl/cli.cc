// The command framework of lxctl (see cli.h).
#include "tools/lxctl/cli.h"

#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/status_macros.h"

namespace lianxin::lxctl {

// ---- Errors ----------------------------------------------------------------

// Marks a status as a usage error (exit 2) rather than a failure (exit 1).
namespace {
constexpr char kUsagePayload[] = "lianxin.lxctl/usage";

}  // namespace

absl::Status UsageError(absl::Status status) {
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

bool IsUsageError(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

void PrintError(const absl::Status& status) {
  std::fprintf(stderr, "lxctl: %s: %s\n", absl::StatusCodeToString(status.code()).c_str(),
               std::string(status.message()).c_str());
}

// ---- Flag values -----------------------------------------------------------

absl::StatusOr<uint64_t> UintFlag(const ParsedArgs& args, absl::string_view flag) {
  absl::StatusOr<uint64_t> value = args.GetUint(flag);
  if (!value.ok()) return UsageError(value.status());
  return value;
}

absl::StatusOr<int64_t> IntFlag(const ParsedArgs& args, absl::string_view flag) {
  absl::StatusOr<int64_t> value = args.GetInt(flag);
  if (!value.ok()) return UsageError(value.status());
  return value;
}

absl::StatusOr<int> EnumFlag(const ParsedArgs& args, absl::string_view flag,
                             const google::protobuf::EnumDescriptor& type) {
  if (!args.Has(flag)) return 0;
  const std::string wanted = absl::AsciiStrToUpper(args.Get(flag));
  std::vector<std::string> allowed;
  for (int i = 0; i < type.value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor& value = *type.value(i);
    if (value.number() == 0) continue;
    const std::string label = EnumLabel(type, value.number());
    if (wanted == label || wanted == value.name()) return value.number();
    allowed.push_back(label);
  }
  return UsageError(absl::InvalidArgumentError(absl::StrCat(
      "--", flag, ": '", args.Get(flag), "' is not one of ", absl::StrJoin(allowed, ", "))));
}

std::string RequestId(const ParsedArgs& args) {
  if (args.Has("request-id")) return args.Get("request-id");
  std::random_device random;
  return absl::StrFormat("lxctl-%08x%08x%08x%08x", random(), random(), random(), random());
}

// ---- Connecting ------------------------------------------------------------

absl::StatusOr<absl::Duration> Timeout(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(uint64_t seconds, UintFlag(args, "timeout"));
  return absl::Seconds(seconds == 0 ? 30 : seconds);
}

absl::StatusOr<County> CountyFromArgs(const ParsedArgs& args, absl::string_view code) {
  const std::string path = EndpointsPath(args.Get("endpoints"));
  ASSIGN_OR_RETURN(EndpointsFile file, LoadEndpoints(path));
  ASSIGN_OR_RETURN(County county, SelectCounty(file, path, code));
  // The flags override the endpoints file's TLS files.
  if (args.Has("tls-ca")) county.tls.ca_file = args.Get("tls-ca");
  if (args.Has("tls-cert")) county.tls.cert_file = args.Get("tls-cert");
  if (args.Has("tls-key")) county.tls.key_file = args.Get("tls-key");
  return county;
}

absl::StatusOr<ServiceChannel> ConnectTo(const ParsedArgs& args, absl::string_view service) {
  ASSIGN_OR_RETURN(absl::Duration timeout, Timeout(args));
  ASSIGN_OR_RETURN(County county, CountyFromArgs(args, args.Get("county")));
  return ServiceChannel::Connect(county, service, timeout);
}

// ---- Output ----------------------------------------------------------------

void Print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

absl::Status PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print JSON: ", status.message().ToString()));
  }
  if (!absl::EndsWith(json, "\n")) json += "\n";
  Print(json);
  return absl::OkStatus();
}

absl::StatusOr<int> PrintReply(const ParsedArgs& args, const google::protobuf::Message& reply,
                               absl::FunctionRef<void()> print_text) {
  if (args.Has("json")) {
    RETURN_IF_ERROR(PrintJson(reply));
  } else {
    print_text();
  }
  return 0;
}

absl::StatusOr<int> PrintMutation(const ParsedArgs& args, const std::string& id, uint64_t version,
                                  const google::protobuf::Message& reply) {
  return PrintReply(args, reply, [&] { Print(absl::StrCat(id, " version ", version, "\n")); });
}

std::string TimestampText(const google::protobuf::Timestamp& at) {
  if (at.seconds() == 0 && at.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(at.seconds()),
                          absl::UTCTimeZone());
}

Table FieldTable(const google::protobuf::Message& message) {
  Table table;
  for (auto& [name, value] : ScalarFields(message)) table.AddRow({name, value});
  return table;
}
// ---- Flags shared by subcommands -------------------------------------------

FlagSpec EndpointsFlag() {
  return {.name = "endpoints",
          .value_name = "FILE",
          .help =
              "endpoints file (default: $LIANXIN_ENDPOINTS, else "
              "$LIANXIN_HOME/endpoints.json, else the local deployment's)"};
}

FlagSpec TimeoutFlag() {
  return {.name = "timeout", .value_name = "SECONDS", .help = "deadline of each call (30)"};
}

std::vector<FlagSpec> WithGlobalFlags(std::vector<FlagSpec> flags) {
  flags.push_back({.name = "json", .help = "print the reply as JSON (proto field names)"});
  flags.push_back({.name = "county",
                   .value_name = "CODE",
                   .help = "the county to act as, with its token (default: the only one)"});
  flags.push_back(EndpointsFlag());
  flags.push_back(TimeoutFlag());
  flags.push_back(
      {.name = "tls-ca",
       .value_name = "FILE",
       .help = "CA of the services' certificates: use TLS (else the endpoints file's)"});
  flags.push_back({.name = "tls-cert",
                   .value_name = "FILE",
                   .help = "client certificate for mutual TLS (else the endpoints file's)"});
  flags.push_back({.name = "tls-key",
                   .value_name = "FILE",
                   .help = "its private key, mode 0600 (else the endpoints file's)"});
  return flags;
}

std::vector<FlagSpec> MutationFlags(std::vector<FlagSpec> flags, bool on_member) {
  flags.push_back({.name = "request-id",
                   .value_name = "ID",
                   .help = "idempotency key (default: a random one)"});
  if (on_member) {
    flags.push_back({.name = "expected-version",
                     .value_name = "N",
                     .help = "fail with ABORTED unless the member is at version N (0 = any)"});
  }
  return WithGlobalFlags(std::move(flags));
}

}  // namespace lianxin::lxctl
