// Tests of lxctl's per-subcommand argument parser.
#include "tools/lxctl/args.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lianxin::lxctl {
namespace {

using ::testing::HasSubstr;

CommandSpec Outflow() {
  return {.name = "outflow",
          .positional = Positional::kMember,
          .summary = "Records an outflow.",
          .flags = {
              {.name = "to",
               .value_name = "CODE",
               .help = "destination",
               .required = true,
               .aliases = {"destination-jurisdiction"}},
              {.name = "address", .value_name = "TEXT", .help = "address"},
              {.name = "expected-version", .value_name = "N", .help = "version"},
              {.name = "json", .help = "JSON"},
          }};
}

TEST(ParseArgs, AcceptsBothFlagFormsSwitchesAliasesAndMember) {
  absl::StatusOr<ParsedArgs> args =
      ParseArgs(Outflow(), {"--to", "650102", "654322-1", "--address=天山区 1 号", "--json"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->member(), "654322-1");
  EXPECT_EQ(args->Get("to"), "650102");
  EXPECT_EQ(args->Get("address"), "天山区 1 号");
  EXPECT_TRUE(args->Has("json"));
  EXPECT_FALSE(args->Has("expected-version"));
  EXPECT_EQ(*args->GetUint("expected-version"), 0u);

  args = ParseArgs(Outflow(), {"654322-1", "--destination-jurisdiction=650102", "--address",
                               "--dashes-are-a-value", "--expected-version", "7"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->Get("to"), "650102");
  EXPECT_EQ(args->Get("address"), "--dashes-are-a-value");
  EXPECT_EQ(*args->GetUint("expected-version"), 7u);
}

TEST(ParseArgs, RejectsBadCommandLines) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"654322-1"}, "--to is required"},
      {{"--to", "650102"}, "MEMBER (a member id) is needed"},
      {{"654322-1", "654322-2", "--to=1"}, "unexpected argument '654322-2'"},
      {{"654322-1", "--to=1", "--bogus"}, "unknown flag --bogus for outflow"},
      {{"654322-1", "--to=1", "-x"}, "unknown flag '-x'"},
      {{"654322-1", "--to=1", "--to=2"}, "--to is given twice"},
      {{"654322-1", "--to=1", "--destination-jurisdiction=2"}, "--to is given twice"},
      {{"654322-1", "--to"}, "--to needs a value (CODE)"},
      {{"654322-1", "--to=1", "--json=true"}, "--json takes no value"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ParsedArgs> args = ParseArgs(Outflow(), c.args);
    EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(args.status().message(), HasSubstr(c.message));
  }
}

TEST(ParseArgs, NumbersAreChecked) {
  absl::StatusOr<ParsedArgs> args =
      ParseArgs(Outflow(), {"654322-1", "--to=1", "--expected-version=seven"});
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->GetUint("expected-version").status().message(),
            "--expected-version: 'seven' is not a non-negative integer");
  args = ParseArgs(Outflow(), {"654322-1", "--to=1", "--expected-version=-1"});
  ASSERT_TRUE(args.ok());
  EXPECT_FALSE(args->GetUint("expected-version").ok());
  EXPECT_EQ(*args->GetInt("expected-version"), -1);
}

TEST(ParseArgs, HelpWinsOverEverythingElse) {
  absl::StatusOr<ParsedArgs> args = ParseArgs(Outflow(), {"--bogus", "--help"});
  ASSERT_TRUE(args.ok());
  EXPECT_TRUE(args->help());
  EXPECT_TRUE(ParseArgs(Outflow(), {"-h"})->help());
}

TEST(ParseArgs, DoubleDashEndsFlags) {
  absl::StatusOr<ParsedArgs> args = ParseArgs(Outflow(), {"--to=1", "--", "--odd-member-id"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->member(), "--odd-member-id");
}

TEST(ParseArgs, OptionalMemberMayBeAbsent) {
  CommandSpec spec = {.name = "arrival", .positional = Positional::kOptionalMember};
  EXPECT_EQ(ParseArgs(spec, {})->member(), "");
  EXPECT_EQ(ParseArgs(spec, {"650102-9"})->member(), "650102-9");
  EXPECT_FALSE(ParseArgs(CommandSpec{.name = "stats"}, {"650102-9"}).ok());
}

TEST(HelpText, ShowsUsageFlagsRequiredAndAliases) {
  const std::string help = HelpText(Outflow());
  EXPECT_THAT(help, HasSubstr("usage: lxctl outflow MEMBER [flags]"));
  EXPECT_THAT(help, HasSubstr("Records an outflow."));
  EXPECT_THAT(help, HasSubstr("--to CODE"));
  EXPECT_THAT(help, HasSubstr("destination (required) (also --destination-jurisdiction)"));
  EXPECT_THAT(help, HasSubstr("--json"));
}

}  // namespace
}  // namespace lianxin::lxctl
