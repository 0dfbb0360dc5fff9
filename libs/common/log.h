// Structured logs: one JSON object a line on stderr.
//
//   LogInfo("relay delivered", {{"topic", topic}, {"rows", absl::StrCat(n)}});
//   -> {"ts":"2026-11-26T21:40:00.123Z","level":"info","msg":"relay
//   delivered","topic":"…","rows":"3"}
#ifndef LIANXIN_LIBS_COMMON_LOG_H_
#define LIANXIN_LIBS_COMMON_LOG_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lianxin {

using LogFields = std::vector<std::pair<std::string, std::string>>;

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Sets the lowest level written (default kInfo); LIANXIN_LOG_LEVEL=debug|info|warning|error
// in the environment sets it at start-up.
void SetLogLevel(LogLevel level);
// Names the process in every line ("component" field), e.g. "registry/654322".
void SetLogComponent(std::string component);

void Log(LogLevel level, std::string_view msg, const LogFields& fields = {});
inline void LogInfo(std::string_view msg, const LogFields& fields = {}) {
  Log(LogLevel::kInfo, msg, fields);
}
inline void LogWarning(std::string_view msg, const LogFields& fields = {}) {
  Log(LogLevel::kWarning, msg, fields);
}
inline void LogError(std::string_view msg, const LogFields& fields = {}) {
  Log(LogLevel::kError, msg, fields);
}

// Escapes a string for inclusion in a JSON string literal (UTF-8 kept as is).
std::string JsonEscape(std::string_view s);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_COMMON_LOG_H_
