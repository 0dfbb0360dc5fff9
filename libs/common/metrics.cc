#include "libs/common/metrics.h"

#include "absl/strings/str_cat.h"

namespace lianxin {
namespace {

// Seconds, from 100 µs to 10 s.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      rpc_count_(prometheus::BuildCounter()
                     .Name("lianxin_rpc_total")
                     .Help("RPCs handled, by method and canonical code")
                     .Register(*registry_)),
      rpc_latency_(prometheus::BuildHistogram()
                       .Name("lianxin_rpc_latency_seconds")
                       .Help("RPC latency, by method and canonical code")
                       .Register(*registry_)),
      commit_latency_(prometheus::BuildHistogram()
                          .Name("lianxin_commit_latency_seconds")
                          .Help("Durable commit latency (WAL synced)")
                          .Register(*registry_)
                          .Add({}, LatencyBuckets())),
      outbox_depth_(prometheus::BuildGauge()
                        .Name("lianxin_outbox_depth")
                        .Help("Events committed but not yet delivered to Kafka")
                        .Register(*registry_)
                        .Add({})),
      outbox_oldest_age_(prometheus::BuildGauge()
                             .Name("lianxin_outbox_oldest_age_seconds")
                             .Help("Age of the oldest undelivered outbox row")
                             .Register(*registry_)
                             .Add({})),
      consumer_lag_(prometheus::BuildGauge()
                        .Name("lianxin_consumer_lag_messages")
                        .Help("Messages between the consumer position and the high watermark")
                        .Register(*registry_)),
      quarantined_(prometheus::BuildCounter()
                       .Name("lianxin_quarantined_total")
                       .Help("Messages moved to quarantine, by topic")
                       .Register(*registry_)),
      refused_(prometheus::BuildCounter()
                   .Name("lianxin_refused_total")
                   .Help("Consumed events refused by the trust checks, by topic and reason")
                   .Register(*registry_)),
      rpc_rejected_(prometheus::BuildCounter()
                        .Name("lianxin_rpc_rejected_total")
                        .Help("RPCs refused before a handler ran, by method and reason")
                        .Register(*registry_)),
      certificate_not_after_(prometheus::BuildGauge()
                                 .Name("lianxin_tls_certificate_expiry_timestamp_seconds")
                                 .Help("When the served TLS certificate expires (Unix seconds)")
                                 .Register(*registry_)
                                 .Add({})) {
  command_stage_ = &prometheus::BuildHistogram()
                        .Name("lianxin_command_stage_seconds")
                        .Help(
                            "Time a command spends in each stage (queued, load, decide, "
                            "group_commit_wait, commit, reply)")
                        .Register(*registry_);
  for (const char* stage :
       {kStageQueued, kStageLoad, kStageDecide, kStageGroupCommitWait, kStageCommit, kStageReply}) {
    command_stage_->Add({{"stage", stage}}, LatencyBuckets());
  }
  chain_verified_ = &prometheus::BuildGauge()
                         .Name("lianxin_log_chain_verified_sequence")
                         .Help("Last sequence of the event log whose hash chain verified")
                         .Register(*registry_)
                         .Add({});
  chain_broken_at_ = &prometheus::BuildGauge()
                          .Name("lianxin_log_chain_broken_sequence")
                          .Help(
                              "First sequence where the event log's hash chain is broken, "
                              "0 while it holds")
                          .Register(*registry_)
                          .Add({});
}

void Metrics::ObserveCommandStage(const std::string& stage, absl::Duration latency) {
  command_stage_->Add({{"stage", stage}}, LatencyBuckets()).Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::ObserveRpc(const std::string& method, const std::string& code,
                         absl::Duration latency) {
  rpc_count_.Add({{"method", method}, {"code", code}}).Increment();
  rpc_latency_.Add({{"method", method}, {"code", code}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::ObserveCommit(absl::Duration latency) {
  commit_latency_.Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::SetOutbox(double depth, absl::Duration oldest_age) {
  outbox_depth_.Set(depth);
  outbox_oldest_age_.Set(absl::ToDoubleSeconds(oldest_age));
}

void Metrics::SetConsumerLag(const std::string& topic, int partition, double lag) {
  consumer_lag_.Add({{"topic", topic}, {"partition", absl::StrCat(partition)}}).Set(lag);
}

void Metrics::CountQuarantined(const std::string& topic) {
  quarantined_.Add({{"topic", topic}}).Increment();
}

void Metrics::CountRejectedRpc(const std::string& method, const std::string& reason) {
  rpc_rejected_.Add({{"method", method}, {"reason", reason}}).Increment();
}

}  // namespace lianxin

namespace lianxin {

void Metrics::SetCertificateNotAfter(absl::Time not_after) {
  certificate_not_after_.Set(absl::ToDoubleSeconds(not_after - absl::UnixEpoch()));
}

void Metrics::CountRefused(const std::string& topic, const std::string& reason) {
  refused_.Add({{"topic", topic}, {"reason", reason}}).Increment();
}

}  // namespace lianxin

namespace lianxin {

void Metrics::SetChainVerified(uint64_t sequence) {
  chain_verified_->Set(static_cast<double>(sequence));
}

void Metrics::SetChainBrokenAt(uint64_t sequence) {
  chain_broken_at_->Set(static_cast<double>(sequence));
}

}  // namespace lianxin
