#include "libs/common/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace lianxin {
namespace {

LogLevel LevelFromEnv() {
  const char* v = std::getenv("LIANXIN_LOG_LEVEL");
  if (v == nullptr) return LogLevel::kInfo;
  if (std::strcmp(v, "debug") == 0) return LogLevel::kDebug;
  if (std::strcmp(v, "warning") == 0) return LogLevel::kWarning;
  if (std::strcmp(v, "error") == 0) return LogLevel::kError;
  return LogLevel::kInfo;
}

std::atomic<LogLevel> g_level{LevelFromEnv()};
absl::Mutex g_mu;
std::string* g_component ABSL_GUARDED_BY(g_mu) = new std::string();

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }

void SetLogComponent(std::string component) {
  absl::MutexLock lock(&g_mu);
  *g_component = std::move(component);
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

void Log(LogLevel level, std::string_view msg, const LogFields& fields) {
  if (level < g_level.load()) return;
  std::string line = absl::StrCat(
      "{\"ts\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
      "\",\"level\":\"", LevelName(level), "\"");
  absl::MutexLock lock(&g_mu);
  if (!g_component->empty())
    absl::StrAppend(&line, ",\"component\":\"", JsonEscape(*g_component), "\"");
  absl::StrAppend(&line, ",\"msg\":\"", JsonEscape(msg), "\"");
  for (const auto& [k, v] : fields) {
    absl::StrAppend(&line, ",\"", JsonEscape(k), "\":\"", JsonEscape(v), "\"");
  }
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace lianxin
