// lxctl's per-subcommand argument parser and help text (see args.h).
#include "tools/lxctl/args.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace lianxin::lxctl {
namespace {

const FlagSpec* FindFlag(const CommandSpec& spec, absl::string_view name) {
  for (const FlagSpec& flag : spec.flags) {
    if (flag.name == name) return &flag;
    for (const std::string& alias : flag.aliases) {
      if (alias == name) return &flag;
    }
  }
  return nullptr;
}

std::string SeeHelp(const CommandSpec& spec) {
  return absl::StrCat(" (see lxctl ", spec.name, " --help)");
}

}  // namespace

bool ParsedArgs::Has(absl::string_view flag) const { return values_.find(flag) != values_.end(); }

std::string ParsedArgs::Get(absl::string_view flag) const {
  const auto it = values_.find(flag);
  return it == values_.end() ? std::string() : it->second;
}

absl::StatusOr<uint64_t> ParsedArgs::GetUint(absl::string_view flag) const {
  if (!Has(flag)) return 0;
  uint64_t value = 0;
  if (!absl::SimpleAtoi(Get(flag), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", Get(flag), "' is not a non-negative integer"));
  }
  return value;
}

absl::StatusOr<int64_t> ParsedArgs::GetInt(absl::string_view flag) const {
  if (!Has(flag)) return 0;
  int64_t value = 0;
  if (!absl::SimpleAtoi(Get(flag), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": '", Get(flag), "' is not an integer"));
  }
  return value;
}

absl::StatusOr<ParsedArgs> ParseArgs(const CommandSpec& spec,
                                     const std::vector<std::string>& args) {
  ParsedArgs parsed;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      parsed.help_ = true;
      return parsed;
    }
  }
  std::vector<std::string> positional;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_done || !absl::StartsWith(arg, "-") || arg == "-") {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    if (!absl::StartsWith(arg, "--")) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag '", arg, "'", SeeHelp(spec)));
    }
    absl::string_view body = absl::string_view(arg).substr(2);
    std::string name(body.substr(0, body.find('=')));
    const bool inline_value = body.find('=') != absl::string_view::npos;
    const FlagSpec* flag = FindFlag(spec, name);
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " for ", spec.name, SeeHelp(spec)));
    }
    if (parsed.values_.contains(flag->name)) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag->name, " is given twice"));
    }
    std::string value;
    if (flag->value_name.empty()) {
      if (inline_value) {
        return absl::InvalidArgumentError(absl::StrCat("--", flag->name, " takes no value"));
      }
    } else if (inline_value) {
      value = std::string(body.substr(body.find('=') + 1));
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag->name, " needs a value (", flag->value_name, ")"));
    }
    parsed.values_[flag->name] = std::move(value);
  }

  const bool takes_member = spec.positional != Positional::kNone;
  if (positional.size() > (takes_member ? 1u : 0u)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unexpected argument '", positional[takes_member ? 1 : 0], "'", SeeHelp(spec)));
  }
  if (spec.positional == Positional::kMember && positional.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("MEMBER (a member id) is needed", SeeHelp(spec)));
  }
  if (!positional.empty()) parsed.member_ = positional[0];
  for (const FlagSpec& flag : spec.flags) {
    if (flag.required && !parsed.Has(flag.name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag.name, " is required", SeeHelp(spec)));
    }
  }
  return parsed;
}

std::string HelpText(const CommandSpec& spec) {
  std::string text = absl::StrCat("usage: lxctl ", spec.name);
  if (spec.positional == Positional::kMember) absl::StrAppend(&text, " MEMBER");
  if (spec.positional == Positional::kOptionalMember) absl::StrAppend(&text, " [MEMBER]");
  absl::StrAppend(&text, " [flags]\n\n", spec.summary, "\n");
  if (!spec.flags.empty()) absl::StrAppend(&text, "\nflags:\n");
  for (const FlagSpec& flag : spec.flags) {
    std::string left = absl::StrCat("  --", flag.name);
    if (!flag.value_name.empty()) absl::StrAppend(&left, " ", flag.value_name);
    if (left.size() < 32)
      left.resize(32, ' ');
    else
      absl::StrAppend(&left, "\n", std::string(32, ' '));
    absl::StrAppend(&text, left, flag.help, flag.required ? " (required)" : "");
    for (const std::string& alias : flag.aliases) absl::StrAppend(&text, " (also --", alias, ")");
    absl::StrAppend(&text, "\n");
  }
  if (!spec.details.empty()) absl::StrAppend(&text, "\n", spec.details, "\n");
  return text;
}

}  // namespace lianxin::lxctl
