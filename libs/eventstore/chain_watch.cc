// The running chain check (contract in chain_watch.h).
#include "libs/eventstore/chain_watch.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/log.h"

namespace lianxin {

absl::StatusOr<std::unique_ptr<ChainWatch>> ChainWatch::Start(ChainWatchOptions options) {
  if (options.store == nullptr) return absl::InvalidArgumentError("chain watch: store is null");
  if (options.interval <= absl::ZeroDuration() || options.full_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("chain watch: intervals must be positive");
  }
  auto watch = std::make_unique<ChainWatch>(options);
  watch->thread_ = std::thread([raw = watch.get()] { raw->Run(); });
  return watch;
}

void ChainWatch::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ChainWatch::Run() {
  absl::Time last_full = absl::InfinitePast();
  for (;;) {
    const bool full = absl::Now() - last_full >= options_.full_interval;
    if (full) last_full = absl::Now();
    CheckOnce(full).IgnoreError();  // logged and exported by CheckOnce
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stop_), options_.interval)) return;
  }
}

absl::Status ChainWatch::CheckOnce(bool full) {
  const uint64_t from = full ? 1 : verified_ + 1;
  std::optional<std::string> expected_prev;
  if (!full && verified_ > 0) expected_prev = verified_hash_;
  // After a break, an incremental pass goes on from the broken event (the
  // verifier trusts its stored hash), so later breaks are reported too.
  ChainVerifier verifier(std::move(expected_prev));
  uint64_t last_good = full ? 0 : verified_;
  std::string last_good_hash = full ? std::string() : verified_hash_;
  absl::Status first_break;
  uint64_t first_break_at = 0;
  absl::Status scan =
      options_.store->ScanLogRaw(from, 0, [&](uint64_t sequence, absl::string_view bytes) {
        Event event;
        absl::Status status;
        if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
          status = absl::DataLossError(absl::StrCat("event chain broken at sequence ", sequence,
                                                    ": the entry does not parse"));
        } else if (event.sequence() != sequence) {
          status =
              absl::DataLossError(absl::StrCat("event chain broken at sequence ", sequence,
                                               ": the entry says sequence ", event.sequence()));
        } else {
          status = verifier.Add(event);
        }
        if (!status.ok()) {
          if (first_break.ok()) {
            first_break = status;
            first_break_at = sequence;
          }
          return false;  // the verified part ends here; the next pass starts again from it
        }
        last_good = sequence;
        last_good_hash = event.hash();
        return true;
      });
  if (!scan.ok() && first_break.ok()) {
    first_break = scan;
    first_break_at = last_good + 1;
  }
  verified_ = last_good;
  verified_hash_ = last_good_hash;
  if (full || !first_break.ok()) broken_at_ = first_break.ok() ? 0 : first_break_at;
  if (options_.metrics != nullptr) {
    options_.metrics->SetChainVerified(verified_);
    options_.metrics->SetChainBrokenAt(broken_at_);
  }
  if (!first_break.ok()) {
    LogError("the event log's hash chain is broken",
             {{"sequence", absl::StrCat(first_break_at)}, {"error", first_break.ToString()}});
  }
  return first_break;
}

}  // namespace lianxin
