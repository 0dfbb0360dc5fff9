// lxaudit's integration tests: an endpoints file for a RegistryCluster (or
// for data dirs written in-process) and running the lxaudit binary.
//
//   WriteEndpoints(path, cluster.bootstrap(), {{kFuyun, cluster.dir().Sub(kFuyun)}});
//   LxauditRun run = RunLxaudit(dir, {"replay", "--endpoints", path});
//   EXPECT_EQ(run.code, 0) << run.out << run.err;
#ifndef LIANXIN_TESTS_LXAUDIT_FIXTURE_H_
#define LIANXIN_TESTS_LXAUDIT_FIXTURE_H_

#include <atomic>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/testing/testing.h"

namespace lianxin::lxaudit_test {

// Writes an endpoints file naming each county's data dir (and registry address, if given).
inline void WriteEndpoints(const std::string& path, const std::string& kafka,
                           const std::map<std::string, std::string>& data_dirs,
                           const std::map<std::string, std::string>& registries = {}) {
  std::ofstream out(path);
  out << "{\"kafka\": \"" << kafka << "\", \"counties\": {";
  bool first = true;
  for (const auto& [code, dir] : data_dirs) {
    out << (first ? "" : ", ") << "\"" << code << "\": {\"name\": \"" << code
        << "\", \"token\": \"op-token-" << code << "\", \"data_dir\": \"" << dir << "\"";
    if (auto it = registries.find(code); it != registries.end()) {
      out << ", \"registry\": \"" << it->second << "\"";
    }
    out << "}";
    first = false;
  }
  out << "}}\n";
}

struct LxauditRun {
  int code = -1;
  std::string out;
  std::string err;
  std::vector<std::string> Lines() const { return absl::StrSplit(out, '\n', absl::SkipEmpty()); }
  // The lines containing `text`.
  std::vector<std::string> LinesWith(const std::string& text) const {
    std::vector<std::string> found;
    for (const std::string& line : Lines()) {
      if (absl::StrContains(line, text)) found.push_back(line);
    }
    return found;
  }
};

// Runs build/bin/lxaudit with `args`; stdout and stderr kept apart.
inline LxauditRun RunLxaudit(const std::string& work_dir, const std::vector<std::string>& args,
                             absl::Duration timeout = absl::Seconds(90)) {
  static std::atomic<int> next{0};
  const std::string out_path = absl::StrCat(work_dir, "/lxaudit-", next++, ".out");
  std::vector<std::string> argv = {lianxin::testing::BinDir() + "/lxaudit"};
  argv.insert(argv.end(), args.begin(), args.end());
  LxauditRun run;
  absl::StatusOr<int> code = lianxin::testing::RunProcess(argv, out_path, timeout);
  run.code = code.ok() ? *code : -1;
  run.out = lianxin::testing::ReadFile(out_path);
  run.err = lianxin::testing::ReadFile(out_path + ".err");
  if (!code.ok()) run.err += code.status().ToString();
  return run;
}

// The value after "<label>: rebuilt digest " / "live digest" in replay output.
inline std::string DigestLine(const LxauditRun& run, const std::string& label,
                              const std::string& which) {
  for (const std::string& line : run.Lines()) {
    const std::string prefix = absl::StrCat(label, ": ", which, " digest");
    if (absl::StartsWith(line, prefix)) {
      return std::string(absl::StripAsciiWhitespace(line.substr(prefix.size())));
    }
  }
  return "";
}

}  // namespace lianxin::lxaudit_test

#endif  // LIANXIN_TESTS_LXAUDIT_FIXTURE_H_
