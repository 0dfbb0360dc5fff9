#include "tools/lxaudit/progress.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace lianxin::lxaudit {

std::string Grouped(uint64_t n) {
  std::string digits = absl::StrCat(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

Progress::Progress(std::string label, uint64_t total, int force)
    : label_(std::move(label)),
      total_(total),
      enabled_(force < 0 ? isatty(STDERR_FILENO) == 1 : force == 1),
      start_(absl::Now()),
      last_draw_(absl::InfinitePast()) {}

std::string Progress::Line(const std::string& label, uint64_t done, uint64_t total,
                           absl::Duration elapsed) {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  const double rate = seconds > 0 ? done / seconds : 0;
  std::string line = absl::StrCat(label, ": ", Grouped(done));
  if (total > 0) absl::StrAppend(&line, "/", Grouped(total));
  absl::StrAppend(&line, " events  ", Grouped(static_cast<uint64_t>(rate)), "/s");
  if (total > done && rate > 0) {
    const int64_t left = static_cast<int64_t>((total - done) / rate + 0.5);
    absl::StrAppend(&line, absl::StrFormat("  %d:%02d left", left / 60, left % 60));
  }
  return line;
}

void Progress::MaybeDraw() {
  const absl::Time now = absl::Now();
  if (now - last_draw_ < absl::Milliseconds(200)) return;
  last_draw_ = now;
  std::fprintf(stderr, "\r\033[K%s", Line(label_, done_, total_, now - start_).c_str());
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::Finish() {
  if (!drawn_) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace lianxin::lxaudit
