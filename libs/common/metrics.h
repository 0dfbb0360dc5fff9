// The Prometheus metrics every lianxin process exports (prometheus-cpp).
//
// One Metrics object per process, passed (nullable) to the libraries that
// observe something; libs/runtime serves its registry on /metrics.
//
//   Metrics metrics;
//   metrics.ObserveCommit(absl::Milliseconds(3));
#ifndef LIANXIN_LIBS_COMMON_METRICS_H_
#define LIANXIN_LIBS_COMMON_METRICS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace lianxin {

// The stages of a command, in order (lianxin_command_stage_seconds{stage}):
// waiting in the server's queue for a handler thread; loading the aggregates;
// deciding (and evolving, staging); waiting for a group commit to take the
// transaction; the group's write and WAL sync; from the commit to the reply
// handed to gRPC (after-commit hook, access log, serialization).
inline constexpr char kStageQueued[] = "queued";
inline constexpr char kStageLoad[] = "load";
inline constexpr char kStageDecide[] = "decide";
inline constexpr char kStageGroupCommitWait[] = "group_commit_wait";
inline constexpr char kStageCommit[] = "commit";
inline constexpr char kStageReply[] = "reply";

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // One finished RPC: method ("/lianxin.v1.Registry/GetMember"), canonical code name.
  void ObserveRpc(const std::string& method, const std::string& code, absl::Duration latency);
  // One durable commit (one group's WAL sync, as seen by one caller).
  void ObserveCommit(absl::Duration latency);
  // One stage of one command (kStage*). The store observes the two commit
  // stages of every commit it makes (consumed events' too).
  void ObserveCommandStage(const std::string& stage, absl::Duration latency);
  // Outbox rows waiting and the age of the oldest one.
  void SetOutbox(double depth, absl::Duration oldest_age);
  // Consumer lag (messages behind the high watermark) of one topic partition.
  void SetConsumerLag(const std::string& topic, int partition, double lag);
  // One message moved to quarantine.
  void CountQuarantined(const std::string& topic);
  // When the TLS certificate this process serves with expires.
  void SetCertificateNotAfter(absl::Time not_after);
  // A consumed event refused by the trust checks (libs/bus/trust.h), by reason.
  void CountRefused(const std::string& topic, const std::string& reason);
  // One RPC refused before its handler ran: reason "queue_full", "expired",
  // "cancelled", "rate_limited_writes" or "rate_limited_identity_lookups".
  void CountRejectedRpc(const std::string& method, const std::string& reason);
  // The event log's hash chain as last verified while running
  // (libs/eventstore/chain_watch.h): the last sequence verified intact, and
  // the first broken one (0 while none is).
  void SetChainVerified(uint64_t sequence);
  void SetChainBrokenAt(uint64_t sequence);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& rpc_count_;
  prometheus::Family<prometheus::Histogram>& rpc_latency_;
  prometheus::Histogram& commit_latency_;
  prometheus::Family<prometheus::Histogram>* command_stage_ = nullptr;
  prometheus::Gauge& outbox_depth_;
  prometheus::Gauge& outbox_oldest_age_;
  prometheus::Family<prometheus::Gauge>& consumer_lag_;
  prometheus::Family<prometheus::Counter>& quarantined_;
  prometheus::Family<prometheus::Counter>& refused_;
  prometheus::Family<prometheus::Counter>& rpc_rejected_;
  prometheus::Gauge& certificate_not_after_;
  prometheus::Gauge* chain_verified_ = nullptr;
  prometheus::Gauge* chain_broken_at_ = nullptr;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_COMMON_METRICS_H_
