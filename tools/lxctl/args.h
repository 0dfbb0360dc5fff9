// lxctl's command lines: "SUBCOMMAND [POSITIONAL] --flag value --flag=value
// --switch", parsed against a small description of each subcommand, and the
// --help text made from that description.
//
//   CommandSpec spec{.name = "get", .positional = Positional::kMember,
//                    .summary = "Shows one member.", .flags = {{.name = "json", ...}}};
//   ASSIGN_OR_RETURN(ParsedArgs args, ParseArgs(spec, {"654322-1", "--json"}));
//   args.member();       // "654322-1"
//   args.Has("json");    // true
#ifndef LIANXIN_TOOLS_LXCTL_ARGS_H_
#define LIANXIN_TOOLS_LXCTL_ARGS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lianxin::lxctl {

// One flag of a subcommand.
struct FlagSpec {
  // Without the leading "--", e.g. "left-on".
  std::string name;
  // Shown in help, e.g. "YYYY-MM-DD"; empty for a switch, which takes no value.
  std::string value_name;
  std::string help;
  bool required = false;
  // Other names accepted for the same flag (e.g. "destination-jurisdiction" for "to").
  std::vector<std::string> aliases;
};

// Whether a subcommand takes a MEMBER argument.
enum class Positional { kNone, kMember, kOptionalMember };

// A subcommand: its name, arguments and help.
struct CommandSpec {
  std::string name;
  Positional positional = Positional::kNone;
  // One line, shown in the command list and atop the subcommand's help.
  std::string summary;
  // More help after the flags, optional.
  std::string details;
  std::vector<FlagSpec> flags;
};

// The arguments of one subcommand, by flag name.
class ParsedArgs {
 public:
  // True if the flag (a switch or a flag with a value) was given.
  bool Has(absl::string_view flag) const;
  // The flag's value, or "" if not given.
  std::string Get(absl::string_view flag) const;
  // The MEMBER argument, or "".
  const std::string& member() const { return member_; }
  // True if --help or -h was given (then nothing else was checked).
  bool help() const { return help_; }

  // The flag's value as an unsigned number; 0 if not given; INVALID_ARGUMENT
  // naming the flag if it is not one.
  absl::StatusOr<uint64_t> GetUint(absl::string_view flag) const;
  absl::StatusOr<int64_t> GetInt(absl::string_view flag) const;

 private:
  friend absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec,
                                              const std::vector<std::string>& args);
  std::map<std::string, std::string, std::less<>> values_;
  std::string member_;
  bool help_ = false;
};

// Parses `args` (what follows the subcommand name) against `spec`.
// INVALID_ARGUMENT naming the problem for an unknown flag, a flag given twice,
// a missing value or required flag, a switch given a value, or a wrong number
// of positional arguments. "--help"/"-h" anywhere returns at once with help().
absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec, const std::vector<std::string>& args);

// The subcommand's --help text, starting "usage: lxctl NAME ...".
std::string HelpText(const CommandSpec& spec);

}  // namespace lianxin::lxctl

#endif  // LIANXIN_TOOLS_LXCTL_ARGS_H_
