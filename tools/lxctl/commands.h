// The subcommands of lxctl, one list per service (see cli.h for the framework).
#ifndef LIANXIN_TOOLS_LXCTL_COMMANDS_H_
#define LIANXIN_TOOLS_LXCTL_COMMANDS_H_

#include <vector>

#include "tools/lxctl/cli.h"

namespace lianxin::lxctl {

// Registry RPCs and `reconcile` (registry_commands.cc).
std::vector<Command> RegistryCommands();
// Appraisal RPCs and the printable appraisal sheet (appraisal_commands.cc).
std::vector<Command> AppraisalCommands();

// ContactTracking RPCs (contact_commands.cc).
std::vector<Command> ContactCommands();

// EducationScheduling RPCs (education_commands.cc).
std::vector<Command> EducationCommands();

// `export` and `import` of ledgers (台账) (ledger_commands.cc).
std::vector<Command> LedgerCommands();

}  // namespace lianxin::lxctl

#endif  // LIANXIN_TOOLS_LXCTL_COMMANDS_H_
