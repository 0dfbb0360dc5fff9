// lxscenario: the scenario generator and loader.
//
//   lxscenario fuyun --endpoints FILE [--seed 1] [--today YYYY-MM-DD]
//       loads the Fuyun scenario (24 of Fuyun's members away, 91 present from
//       elsewhere) into the registries of 654322, 650102 and 440305, waits
//       until the stream has settled, prints each county's statistics.
//   lxscenario generate [--members N] [--seed 1] [--today YYYY-MM-DD] --out FILE
//       writes a plan as JSON lines without servers: the Fuyun scenario, or
//       Fuyun's mix scaled to N members (benchmarks).
//   lxscenario load --endpoints FILE --in FILE
//       loads a plan written by generate (the expected statuses are checked;
//       the counts only print, since the counties may hold more).
//
// Re-running on the same data changes nothing (deterministic request_ids).
// --endpoints defaults as lxctl's: $LIANXIN_ENDPOINTS, $LIANXIN_HOME, the local
// deployment's file. --today defaults to today in China (UTC+8).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/common/time_util.h"
#include "services/registry/domain/rules.h"
#include "tools/lxctl/endpoints.h"
#include "tools/scenario/appraisal_plan.h"
#include "tools/scenario/contact_plan.h"
#include "tools/scenario/education_plan.h"
#include "tools/scenario/generator.h"
#include "tools/scenario/loader.h"
#include "tools/scenario/plan_io.h"

ABSL_FLAG(std::string, endpoints, "",
          "The deployment's endpoints file (default: $LIANXIN_ENDPOINTS, "
          "$LIANXIN_HOME/endpoints.json, the local deployment's).");
ABSL_FLAG(uint64_t, seed, 1, "Seed of the generated people and stories.");
ABSL_FLAG(std::string, today, "",
          "The day dates are generated for, YYYY-MM-DD (default: today, UTC+8).");
ABSL_FLAG(int64_t, members, 0,
          "generate: Fuyun's mix scaled to this many members "
          "(0 = the Fuyun scenario itself).");
ABSL_FLAG(std::string, out, "", "generate: the JSON lines file to write ('-' = stdout).");
ABSL_FLAG(std::string, in, "", "load: the JSON lines file to load.");
ABSL_FLAG(int, parallelism, 8, "Members loaded at the same time.");
ABSL_FLAG(absl::Duration, settle_timeout, absl::Seconds(120),
          "How long to wait for the counties to agree after loading.");
ABSL_FLAG(bool, statistics, true, "Print each county's statistics after loading.");
ABSL_FLAG(bool, appraisal, true,
          "fuyun: then load the focus county's year-end appraisal (appraisal_plan.h) if its "
          "appraisal service is in the endpoints file.");

namespace lianxin::scenario {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "lxscenario: %s\n", std::string(status.ToString()).c_str());
  return 1;
}

absl::StatusOr<absl::CivilDay> Today() {
  const std::string flag = absl::GetFlag(FLAGS_today);
  if (flag.empty()) return absl::ToCivilDay(absl::Now(), CountyTimeZone());
  std::optional<absl::CivilDay> day = ParseDate(flag);
  if (!day.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat("--today: '", flag, "' is not YYYY-MM-DD"));
  }
  return *day;
}

// "FARMER 31, GRADUATE 20, ..." and "away-mine 6, ..." of a plan.
std::string Summary(const Plan& plan) {
  std::map<std::string, int> kinds;
  std::vector<std::pair<std::string, int>> fates;
  size_t commands = 0;
  for (const Member& member : plan.members()) {
    ++kinds[std::string(absl::StripPrefix(lianxin::v1::MemberCategory_Name(member.category()),
                                          "MEMBER_CATEGORY_"))];
    if (fates.empty() || fates.back().first != member.fate()) fates.push_back({member.fate(), 0});
    ++fates.back().second;
    commands += static_cast<size_t>(member.steps_size());
  }
  auto join = [](const auto& counts) {
    std::vector<std::string> parts;
    for (const auto& [name, count] : counts) parts.push_back(absl::StrCat(name, " ", count));
    return absl::StrJoin(parts, ", ");
  };
  return absl::StrCat(plan.members_size(), " members, ", commands,
                      " commands\n  kinds: ", join(kinds), "\n  stories: ", join(fates), "\n");
}

// The focus county's year-end appraisal on top of a loaded plan (appraisal_plan.h).
absl::Status LoadAppraisalPart(const Plan& plan, const LoadReport& report,
                               const lxctl::County& county) {
  absl::StatusOr<absl::CivilDay> today = Today();
  if (!today.ok()) return today.status();
  const AppraisalPlan appraisal = PlanAppraisal(plan, *today);
  absl::StatusOr<AppraisalLoadReport> loaded =
      LoadAppraisal(appraisal, report.member_ids, county, absl::GetFlag(FLAGS_settle_timeout));
  if (!loaded.ok()) return loaded.status();
  std::printf(
      "appraisal %s %d: %zu members, %zu commands; %s notified %u members (%u away); "
      "%zu in arrears, %zu lapse candidates\n",
      appraisal.county.c_str(), appraisal.year, appraisal.members.size(), loaded->commands,
      loaded->cycle.cycle_id().c_str(), loaded->cycle.members_notified(),
      loaded->cycle.members_away_notified(), loaded->in_arrears, loaded->lapse_candidates);
  return absl::OkStatus();
}

// The Fuyun scenario's education (education_plan.h), when the county runs it.
absl::Status LoadFuyunEducation(const Plan& plan, const std::map<std::string, std::string>& ids,
                                const lxctl::County& county) {
  if (county.education.empty()) {
    std::printf("%s: no education service in the endpoints file; education not loaded\n",
                county.code.c_str());
    return absl::OkStatus();
  }
  absl::StatusOr<absl::CivilDay> today = Today();
  if (!today.ok()) return today.status();
  const EducationPlan education = PlanEducation(plan, ids, absl::GetFlag(FLAGS_seed), *today);
  absl::StatusOr<EducationSummary> loaded =
      LoadEducation(education, county.education, county.token, county.tls);
  if (!loaded.ok()) return loaded.status();
  std::printf(
      "  education of %s: %zu courses (every mode), %zu sessions over the year, %zu attendances, "
      "%zu deliveries; Spring Festival plan %s (%s to %s): %d sessions, %d members placed, %d "
      "unplaced; committed: %u enrolled\n",
      county.code.c_str(), loaded->courses, loaded->sessions, loaded->attendances,
      loaded->deliveries, loaded->festival.plan_id().c_str(),
      education.festival.window_start().c_str(), education.festival.window_end().c_str(),
      loaded->festival.sessions_size(), loaded->festival.assignments_size(),
      loaded->festival.unassigned_size(), loaded->committed.enrolled());
  return absl::OkStatus();
}

// Loads `plan` and prints what the counties show. With `check_counts`, the
// plan is all the focus county holds: its counts must be the plan's.
absl::Status LoadPlan(const Plan& plan, const std::string& title, bool check_counts,
                      bool education = false) {
  const std::string path = lxctl::EndpointsPath(absl::GetFlag(FLAGS_endpoints));
  absl::StatusOr<lxctl::EndpointsFile> file = lxctl::LoadEndpoints(path);
  if (!file.ok()) return file.status();
  std::vector<CountyConnection> counties;
  std::vector<ContactConnection> contact_services;
  std::map<std::string, std::string> names;
  for (const std::string& code : plan.counties()) {
    absl::StatusOr<lxctl::County> county = lxctl::SelectCounty(*file, path, code);
    if (!county.ok()) return county.status();
    counties.push_back({county->code, county->name, county->token, county->registry, county->tls});
    if (!county->contact.empty()) {
      contact_services.push_back({county->code, county->token, county->contact, county->tls});
    }
    names[code] = county->name;
  }
  LoadOptions options;
  options.parallelism = absl::GetFlag(FLAGS_parallelism);
  options.settle_deadline = absl::GetFlag(FLAGS_settle_timeout);
  absl::StatusOr<std::unique_ptr<Loader>> loader = Loader::Connect(counties, options);
  if (!loader.ok()) return loader.status();

  std::printf("lxscenario: %s (seed %llu, dates up to %s): %s", title.c_str(),
              static_cast<unsigned long long>(plan.seed()), plan.today().c_str(),
              Summary(plan).c_str());
  std::fflush(stdout);
  LoadReport report;
  if (absl::Status s = (*loader)->Load(plan, &report); !s.ok()) return s;
  std::printf("  loaded %zu members (%zu commands, replays of earlier runs included) in %s\n",
              report.members, report.commands,
              absl::FormatDuration(absl::Trunc(report.load_time, absl::Milliseconds(10))).c_str());
  std::fflush(stdout);
  // Contact tracking (when deployed): liaisons, a year of contacts, the hotline.
  if (contact_services.size() == counties.size()) {
    const ContactPlan contacts = GenerateContactPlan(plan, report.member_ids);
    if (absl::Status s = LoadContactPlan(contacts, contact_services, options.step_deadline);
        !s.ok()) {
      return s;
    }
    std::printf(
        "  loaded contact tracking: %zu liaisons, %zu contacts (%d members fall silent), "
        "%zu hotline tickets\n",
        contacts.liaisons.size(), contacts.contacts.size(), contacts.silent_members,
        contacts.opens.size());
    std::printf(
        "  loaded liaison reports to the branch: %zu for the past four quarters (%d liaisons "
        "not reported for the last)\n",
        contacts.liaison_reports.size(), contacts.liaisons_missing_last_quarter);
  }
  std::fflush(stdout);
  if (absl::Status s = (*loader)->Settle(plan, check_counts, &report); !s.ok()) return s;
  std::vector<std::string> pairs;
  for (const auto& [pair, count] : report.shared_members) {
    pairs.push_back(absl::StrCat(pair, " ", count));
  }
  std::printf(
      "  settled in %s: every county shows every member's expected status; members shared "
      "by two counties have equal views there (%s)\n",
      absl::FormatDuration(absl::Trunc(report.settle_time, absl::Milliseconds(10))).c_str(),
      absl::StrJoin(pairs, ", ").c_str());
  if (absl::GetFlag(FLAGS_statistics)) {
    std::printf("statistics (GetStatistics of each county):\n");
    for (const std::string& code : plan.counties()) {
      std::printf("  %s", FormatStatistics(code, names[code], report.statistics[code]).c_str());
    }
  }
  const auto& focus = report.statistics[plan.focus_county()];
  std::printf("%s %s: outflow_count %llu, inflow_count %llu (the plan's: %llu and %llu)\n",
              plan.focus_county().c_str(), names[plan.focus_county()].c_str(),
              static_cast<unsigned long long>(focus.outflow_count()),
              static_cast<unsigned long long>(focus.inflow_count()),
              static_cast<unsigned long long>(plan.expected_outflow_count()),
              static_cast<unsigned long long>(plan.expected_inflow_count()));
  if (education) {
    absl::StatusOr<lxctl::County> focus = lxctl::SelectCounty(*file, path, plan.focus_county());
    if (!focus.ok()) return focus.status();
    if (absl::Status s = LoadFuyunEducation(plan, report.member_ids, *focus); !s.ok()) return s;
  }
  // The year-end appraisal last: its evidence counts the contacts and class hours above.
  if (check_counts && absl::GetFlag(FLAGS_appraisal)) {
    absl::StatusOr<lxctl::County> focus_county =
        lxctl::SelectCounty(*file, path, plan.focus_county());
    if (focus_county.ok() && !focus_county->appraisal.empty()) {
      return LoadAppraisalPart(plan, report, *focus_county);
    }
  }
  return absl::OkStatus();
}

int Run(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Generates and loads lianxin scenarios.\n"
      "  lxscenario fuyun --endpoints FILE [--seed 1] [--today YYYY-MM-DD]\n"
      "  lxscenario generate [--members N] [--seed 1] [--today YYYY-MM-DD] --out FILE\n"
      "  lxscenario load --endpoints FILE --in FILE");
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "tools/scenario/");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    return Fail(absl::InvalidArgumentError(
        "give one subcommand: fuyun, generate or load (--help for more)"));
  }
  const std::string command = args[1];
  absl::StatusOr<absl::CivilDay> today = Today();
  if (!today.ok()) return Fail(today.status());
  const GenerateOptions options{.seed = absl::GetFlag(FLAGS_seed), .today = *today};

  if (command == "fuyun") {
    absl::Status s = LoadPlan(Generate(FuyunSpec(), options), "the Fuyun scenario",
                              /*check_counts=*/true, /*education=*/true);
    return s.ok() ? 0 : Fail(s);
  }
  if (command == "generate") {
    const std::string out = absl::GetFlag(FLAGS_out);
    if (out.empty()) return Fail(absl::InvalidArgumentError("generate: --out FILE is required"));
    const int64_t members = absl::GetFlag(FLAGS_members);
    if (members < 0) return Fail(absl::InvalidArgumentError("--members: must be 0 or more"));
    const Plan plan = Generate(members == 0 ? FuyunSpec() : ScaledSpec(members), options);
    absl::Status s;
    if (out == "-") {
      s = WritePlanJsonLines(plan, std::cout);
    } else {
      std::ofstream file(out, std::ios::binary | std::ios::trunc);
      if (!file) return Fail(absl::NotFoundError(absl::StrCat("cannot write ", out)));
      s = WritePlanJsonLines(plan, file);
    }
    if (!s.ok()) return Fail(s);
    if (out != "-") std::printf("lxscenario: wrote %s: %s", out.c_str(), Summary(plan).c_str());
    return 0;
  }
  if (command == "load") {
    const std::string in = absl::GetFlag(FLAGS_in);
    std::ifstream file(in, std::ios::binary);
    if (in.empty() || !file) {
      return Fail(absl::NotFoundError(absl::StrCat("load: cannot read --in '", in, "'")));
    }
    absl::StatusOr<Plan> plan = ReadPlanJsonLines(file);
    if (!plan.ok()) return Fail(plan.status());
    absl::Status s = LoadPlan(*plan, absl::StrCat("plan ", in), /*check_counts=*/false);
    return s.ok() ? 0 : Fail(s);
  }
  return Fail(absl::InvalidArgumentError(
      absl::StrCat("unknown subcommand '", command, "' (fuyun, generate, load)")));
}

}  // namespace
}  // namespace lianxin::scenario

int main(int argc, char** argv) { return lianxin::scenario::Run(argc, argv); }
