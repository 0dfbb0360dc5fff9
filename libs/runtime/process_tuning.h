// Process-wide settings every lianxin server applies first thing in main
// (the services through RunService, echo-server itself), for its memory and
// its lock costs (docs/benchmarks.md, end to end).
//
//   int main(int argc, char** argv) { lianxin::TuneProcess(); ... }
#ifndef LIANXIN_LIBS_RUNTIME_PROCESS_TUNING_H_
#define LIANXIN_LIBS_RUNTIME_PROCESS_TUNING_H_

namespace lianxin {

// - glibc malloc maps blocks of 1 MB and more on their own, and keeps one
//   arena per core (MALLOC_MMAP_THRESHOLD_, MALLOC_ARENA_MAX or GLIBC_TUNABLES
//   in the environment win);
// - in release builds (NDEBUG), absl::Mutex's deadlock detection is off:
//   Debian's abseil is built with it on, and it books every lock in one
//   global graph. Debug builds (the tests) keep it.
// Call before any thread starts.
void TuneProcess();

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_PROCESS_TUNING_H_
