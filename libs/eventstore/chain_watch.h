// Verifies a running service's own hash chain, so that a broken chain (a log
// entry altered or lost on disk, by a fault or by hand) is noticed in
// production and not only when an auditor runs `lxaudit verify`.
//
// A full pass walks the whole log at start and every `full_interval` (so an
// old entry altered after it was verified is found too); in between, each
// `interval` verifies only what was appended since the last pass. The result
// goes to two gauges (libs/common/metrics.h): lianxin_log_chain_verified_sequence
// and lianxin_log_chain_broken_sequence (the first broken sequence, 0 while the
// chain holds), which the LianxinLogChainBroken alert watches
// (deploy/monitoring/alerts.yml). A break is logged once per pass that finds it.
//
//   ASSIGN_OR_RETURN(auto watch, ChainWatch::Start({.store = store, .metrics = &metrics}));
//   ...
//   watch->Stop();
#ifndef LIANXIN_LIBS_EVENTSTORE_CHAIN_WATCH_H_
#define LIANXIN_LIBS_EVENTSTORE_CHAIN_WATCH_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/metrics.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

struct ChainWatchOptions {
  // Not owned; must outlive the watch.
  const EventStore* store = nullptr;
  // Not owned; may be null (then only the log says so).
  Metrics* metrics = nullptr;
  // How often what was appended since the last pass is verified.
  absl::Duration interval = absl::Seconds(10);
  // How often the whole log is verified again.
  absl::Duration full_interval = absl::Hours(6);
};

class ChainWatch {
 public:
  explicit ChainWatch(ChainWatchOptions options) : options_(options) {}
  ~ChainWatch() { Stop(); }

  // Starts the thread: a full pass at once, then as the options say.
  static absl::StatusOr<std::unique_ptr<ChainWatch>> Start(ChainWatchOptions options);

  // One pass on the calling thread: the whole log when `full`, else from the
  // last verified sequence on. Updates the gauges; returns DATA_LOSS naming
  // the first broken sequence (the store's ChainVerifier message), else OK.
  absl::Status CheckOnce(bool full);

  // Stops and joins the thread. Idempotent.
  void Stop();

 private:
  void Run();

  const ChainWatchOptions options_;
  // What the last pass left: the last sequence verified intact and its hash.
  uint64_t verified_ = 0;
  std::string verified_hash_;
  uint64_t broken_at_ = 0;

  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_EVENTSTORE_CHAIN_WATCH_H_
