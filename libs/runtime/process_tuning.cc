#include "libs/runtime/process_tuning.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace lianxin {

void TuneProcess() {
  // By default glibc raises its mmap threshold to the size of each large
  // block freed, up to 32 MB, so flushed RocksDB memtables' arena blocks
  // stayed behind in the heap, fragmented: about 35 MB of a registry's
  // resident size after 200,000 registrations. Eight arenas per core (sixteen
  // here) each kept free memory of the 64 handler threads: about 10 MB more.
  if (std::getenv("GLIBC_TUNABLES") == nullptr) {
    if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 1 << 20);
    if (std::getenv("MALLOC_ARENA_MAX") == nullptr) {
      mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
    }
  }
#ifdef NDEBUG
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}

}  // namespace lianxin
