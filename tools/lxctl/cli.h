// The command framework of lxctl, shared by every service's subcommands:
// the Command type, flag values, connecting as a county, printing.
//
// A service's subcommands live in <service>_commands.cc and are listed by a
// function declared in commands.h:
//
//   std::vector<Command> ContactCommands() {
//     return {{{.name = "record-contact", .positional = Positional::kMember,
//               .summary = "…", .flags = MutationFlags({...})},
//              RunRecordContact}};
//   }
//
//   absl::StatusOr<int> RunRecordContact(const ParsedArgs& args) {
//     ASSIGN_OR_RETURN(ServiceChannel channel, ConnectTo(args, "contact"));
//     auto stub = v1::ContactTracking::NewStub(channel.channel());
//     v1::RecordContactReply reply;
//     RETURN_IF_ERROR(channel.Call([&](grpc::ClientContext* context) {
//       return stub->RecordContact(context, request, &reply);
//     }));
//     return PrintMutation(args, args.member(), reply.version(), reply);
//   }
#ifndef LIANXIN_TOOLS_LXCTL_CLI_H_
#define LIANXIN_TOOLS_LXCTL_CLI_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "tools/lxctl/args.h"
#include "tools/lxctl/client.h"
#include "tools/lxctl/endpoints.h"
#include "tools/lxctl/table.h"

namespace lianxin::lxctl {

// A subcommand: its arguments and what it does. `run` returns the exit code.
struct Command {
  CommandSpec spec;
  absl::StatusOr<int> (*run)(const ParsedArgs& args);
};

// ---- Errors ----------------------------------------------------------------

// Marks a status as a usage error (exit 2) rather than a failure (exit 1).
absl::Status UsageError(absl::Status status);
bool IsUsageError(const absl::Status& status);
// "lxctl: <CODE>: <message>" on stderr.
void PrintError(const absl::Status& status);

// ---- Flag values -----------------------------------------------------------

// A flag's number; a malformed one is a usage error. 0 when absent.
absl::StatusOr<uint64_t> UintFlag(const ParsedArgs& args, absl::string_view flag);
absl::StatusOr<int64_t> IntFlag(const ParsedArgs& args, absl::string_view flag);
// An enum flag given by its label ("MALE", any case) or full name
// ("GENDER_MALE"); 0 (UNSPECIFIED) when absent.
absl::StatusOr<int> EnumFlag(const ParsedArgs& args, absl::string_view flag,
                             const google::protobuf::EnumDescriptor& type);
// --request-id, else a fresh random one.
std::string RequestId(const ParsedArgs& args);
// --timeout in seconds (30 when absent).
absl::StatusOr<absl::Duration> Timeout(const ParsedArgs& args);

// ---- Connecting ------------------------------------------------------------

// County `code` ("" = --county, else the only one) of the endpoints file.
absl::StatusOr<County> CountyFromArgs(const ParsedArgs& args, absl::string_view code);
// A channel to `service` ("contact", "education", …) of the --county county.
absl::StatusOr<ServiceChannel> ConnectTo(const ParsedArgs& args, absl::string_view service);

// ---- Output ----------------------------------------------------------------

void Print(const std::string& text);
// The message as JSON with proto field names and every field.
absl::Status PrintJson(const google::protobuf::Message& message);
// The reply as JSON with --json, else what `print_text` prints (a table, a
// line): the one place that chooses between the two. Returns exit code 0.
absl::StatusOr<int> PrintReply(const ParsedArgs& args, const google::protobuf::Message& reply,
                               absl::FunctionRef<void()> print_text);
// A mutation's outcome: "<id> version <n>", or the reply as JSON with --json.
absl::StatusOr<int> PrintMutation(const ParsedArgs& args, const std::string& id, uint64_t version,
                                  const google::protobuf::Message& reply);
// UTC to the second, e.g. "2026-01-05T08:30:00Z" (--json keeps the nanoseconds).
std::string TimestampText(const google::protobuf::Timestamp& at);
// Field/value lines of a message's scalar fields.
Table FieldTable(const google::protobuf::Message& message);

// ---- Flags shared by subcommands -------------------------------------------

FlagSpec EndpointsFlag();
FlagSpec TimeoutFlag();
// Flags every county-scoped subcommand takes after its own: --json, --county,
// --endpoints, --timeout.
std::vector<FlagSpec> WithGlobalFlags(std::vector<FlagSpec> flags);
// A mutation: --request-id, --expected-version (when on_member), then the
// global flags.
std::vector<FlagSpec> MutationFlags(std::vector<FlagSpec> flags, bool on_member = true);

}  // namespace lianxin::lxctl

#endif  // LIANXIN_TOOLS_LXCTL_CLI_H_
