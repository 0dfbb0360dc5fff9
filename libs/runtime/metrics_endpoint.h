// Serves a Prometheus registry over HTTP on /metrics (prometheus-cpp Exposer).
//
//   Metrics metrics;
//   ASSIGN_OR_RETURN(std::unique_ptr<MetricsEndpoint> endpoint,
//                    MetricsEndpoint::Start("127.0.0.1:0", metrics.registry()));
//   LogInfo("metrics", {{"port", absl::StrCat(endpoint->port())}});
#ifndef LIANXIN_LIBS_RUNTIME_METRICS_ENDPOINT_H_
#define LIANXIN_LIBS_RUNTIME_METRICS_ENDPOINT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "prometheus/registry.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace lianxin {

class MetricsEndpoint {
 public:
  // Starts serving `registry` on http://`address`/metrics ("host:port", port 0 =
  // ephemeral). Returns UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& address, std::shared_ptr<prometheus::Registry> registry);
  // As Start, but an empty `address` (metrics turned off) gives a null endpoint.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> StartIfConfigured(
      const std::string& address, std::shared_ptr<prometheus::Registry> registry);

  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;
  // Stops serving.
  ~MetricsEndpoint();

  // The bound port.
  int port() const { return port_; }

 private:
  MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer,
                  std::shared_ptr<prometheus::Registry> registry, int port);

  std::unique_ptr<prometheus::Exposer> exposer_;
  std::shared_ptr<prometheus::Registry> registry_;  // the exposer only holds a weak_ptr
  int port_;
};

// Prints the lines scripts and tests read on a service's stdout, and flushes:
// "listening HOST:PORT", then "metrics HOST:PORT" when `metrics` is not null
// (its host taken from `metrics_address`).
void AnnounceAddresses(const std::string& listening, const MetricsEndpoint* metrics,
                       const std::string& metrics_address);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_METRICS_ENDPOINT_H_
