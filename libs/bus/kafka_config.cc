#include "libs/bus/kafka_config.h"

#include <unistd.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

extern char** environ;

namespace lianxin {
namespace {

constexpr absl::string_view kEnvPropPrefix = "LIANXIN_KAFKA_PROP_";

bool IsSecretKey(absl::string_view key) {
  return absl::StrContains(key, "password") || absl::StrContains(key, "secret") ||
         absl::EndsWith(key, ".key") || absl::StrContains(key, "key.pem");
}

}  // namespace

void KafkaConfig::ApplyEnvironment(char** envp) {
  if (envp == nullptr) envp = environ;
  if (envp == nullptr) return;
  for (char** e = envp; *e != nullptr; ++e) {
    absl::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) continue;
    absl::string_view name = entry.substr(0, eq);
    if (absl::StartsWith(name, kEnvPropPrefix) && name.size() > kEnvPropPrefix.size()) {
      std::string key = absl::AsciiStrToLower(name.substr(kEnvPropPrefix.size()));
      absl::StrReplaceAll({{"_", "."}}, &key);
      properties[key] = std::string(entry.substr(eq + 1));
    }
  }
}

std::string KafkaConfig::DebugString() const {
  std::string out = absl::StrCat("bootstrap=", bootstrap_servers);
  for (const auto& [key, value] : properties) {
    absl::StrAppend(&out, "; ", key, "=", IsSecretKey(key) ? "***" : value);
  }
  return out;
}

}  // namespace lianxin
