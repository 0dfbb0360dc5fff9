// The injectable clock. No domain rule reads the wall clock: time comes from a
// Clock passed in, so a test can run a year of rules in seconds.
//
//   ManualClock clock(absl::FromCivil(absl::CivilDay(2026, 1, 1), absl::UTCTimeZone()));
//   clock.Advance(absl::Hours(24 * 90));
#ifndef LIANXIN_LIBS_COMMON_CLOCK_H_
#define LIANXIN_LIBS_COMMON_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace lianxin {

class Clock {
 public:
  virtual ~Clock() = default;
  // Returns the current time. Thread-safe.
  virtual absl::Time Now() const = 0;
};

// The real wall clock. Never destroyed, shareable.
Clock& RealClock();

// A clock that moves only when told to. Thread-safe.
class ManualClock : public Clock {
 public:
  explicit ManualClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override;
  void Set(absl::Time t);
  void Advance(absl::Duration d);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_COMMON_CLOCK_H_
