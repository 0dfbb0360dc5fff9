// Progress of a long run on stderr — events done, rate, time left — redrawn
// at most 5 times a second, and only when stderr is a terminal (quiet when
// piped or redirected).
//
//   Progress progress("replay 654322/registry", store->LastSequence());
//   for (...) progress.Add(1);
//   progress.Finish();
#ifndef LIANXIN_TOOLS_LXAUDIT_PROGRESS_H_
#define LIANXIN_TOOLS_LXAUDIT_PROGRESS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace lianxin::lxaudit {

class Progress {
 public:
  // `total` 0 = unknown (no time left shown). Enabled iff stderr is a tty,
  // unless `force` says otherwise.
  Progress(std::string label, uint64_t total, int force = -1);
  ~Progress() { Finish(); }

  // Called by one thread.
  void Add(uint64_t n) {
    done_ += n;
    if (enabled_ && (done_ & 1023) < n) MaybeDraw();
  }
  void set_total(uint64_t total) { total_ = total; }
  uint64_t done() const { return done_; }
  // Clears the line.
  void Finish();

  // "12,345/100,000 events  950,000/s  0:03 left" (for tests).
  static std::string Line(const std::string& label, uint64_t done, uint64_t total,
                          absl::Duration elapsed);

 private:
  void MaybeDraw();
  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool enabled_;
  bool drawn_ = false;
  absl::Time start_;
  absl::Time last_draw_;
};

// 1234567 -> "1,234,567".
std::string Grouped(uint64_t n);

}  // namespace lianxin::lxaudit

#endif  // LIANXIN_TOOLS_LXAUDIT_PROGRESS_H_
