// lxctl: the operator CLI of lianxin. One subcommand per RPC of each service,
// plus `reconcile`, the two-way check between an origin and a destination (R19).
//
//   lxctl --help                          the subcommands
//   lxctl register-member --name 张三 --id-number 65432219800101001X --branch 第一支部
//       --gender MALE --birth-date 1980-01-01 --category FARMER --phone 13900000000
//       --joined-on 2005-07-01
//   -> 654322-1f0c… version 1
//   lxctl --county 650102 list --direction inflow
//   lxctl get 654322-1f0c… --json
//   lxctl reconcile --origin 654322 --destination 650102
//   -> one line per disagreement, then "N disagreements"
//
// Services and tokens come from the endpoints file (endpoints.h): --endpoints
// FILE, else $LIANXIN_ENDPOINTS, else ~/.config/lianxin/endpoints.json or
// /etc/lianxin/endpoints.json (endpoints.h); --county CODE
// picks the county to act as. Mutations print "<id> version <n>"; read
// commands print aligned tables; --json prints the reply as JSON instead.
// Exit status: 0 done, 1 an error ("lxctl: <CODE>: <message>" on stderr) or
// disagreements found by reconcile, 2 a usage error.
//
// The subcommands are listed per service (commands.h); the framework they
// share is cli.h.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tools/lxctl/commands.h"

namespace lianxin::lxctl {
namespace {

const std::vector<Command>& Commands() {
  static const auto* const commands = [] {
    auto* all = new std::vector<Command>();
    for (std::vector<Command> (*list)() :
         {&RegistryCommands, &ContactCommands, &EducationCommands, &AppraisalCommands,
          &LedgerCommands}) {
      std::vector<Command> more = list();
      all->insert(all->end(), more.begin(), more.end());
    }
    return all;
  }();
  return *commands;
}

std::string Usage() {
  std::string text =
      "usage: lxctl [--county CODE] [--endpoints FILE] COMMAND [ARGS] [--json]\n\n"
      "The lianxin operator CLI. Commands:\n";
  Table table;
  for (const Command& command : Commands()) {
    table.AddRow({absl::StrCat("  ", command.spec.name), command.spec.summary});
  }
  absl::StrAppend(&text, table.Render(),
                  "\n`lxctl COMMAND --help` shows a command's flags. Exit status: 0 done, "
                  "1 error, 2 usage error.\n");
  return text;
}

const Command* FindCommand(absl::string_view name) {
  for (const Command& command : Commands()) {
    if (command.spec.name == name) return &command;
  }
  return nullptr;
}

int Main(const std::vector<std::string>& argv) {
  // Global flags may come before the command: `lxctl --county 650102 list`.
  std::vector<std::string> leading;
  size_t i = 0;
  while (i < argv.size() && absl::StartsWith(argv[i], "--") && argv[i] != "--help") {
    leading.push_back(argv[i]);
    const bool takes_value = argv[i] != "--json" && argv[i].find('=') == std::string::npos;
    if (takes_value && i + 1 < argv.size()) leading.push_back(argv[++i]);
    ++i;
  }
  if (i == argv.size()) {
    std::fputs(Usage().c_str(), stderr);
    return 2;
  }
  const std::string& name = argv[i];
  if (name == "help" || name == "--help" || name == "-h") {
    const Command* command = i + 1 < argv.size() ? FindCommand(argv[i + 1]) : nullptr;
    Print(command != nullptr ? HelpText(command->spec) : Usage());
    return 0;
  }
  const Command* command = FindCommand(name);
  if (command == nullptr) {
    PrintError(absl::InvalidArgumentError(
        absl::StrCat("unknown command '", name, "' (see lxctl --help)")));
    return 2;
  }
  std::vector<std::string> rest(argv.begin() + i + 1, argv.end());
  rest.insert(rest.end(), leading.begin(), leading.end());
  absl::StatusOr<ParsedArgs> args = ParseArgs(command->spec, rest);
  if (!args.ok()) {
    PrintError(args.status());
    return 2;
  }
  if (args->help()) {
    Print(HelpText(command->spec));
    return 0;
  }
  absl::StatusOr<int> exit_code = command->run(*args);
  if (!exit_code.ok()) {
    PrintError(exit_code.status());
    return IsUsageError(exit_code.status()) ? 2 : 1;
  }
  return *exit_code;
}

}  // namespace
}  // namespace lianxin::lxctl

int main(int argc, char** argv) {
  return lianxin::lxctl::Main(std::vector<std::string>(argv + 1, argv + argc));
}
