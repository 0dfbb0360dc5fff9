// The main every lianxin service shares. A service supplies only its own
// parts (projection, reactions, gRPC handlers, background work); RunService
// does the rest in the same order for all four:
//
//   flags (libs/runtime/config.h) → logs → signals → tokens → TLS → metrics
//   → event store at <data_dir>/<service> → outbox relay → the service's parts
//   → (a store restored from a backup: its later events taken back from its
//   service topic, backup.h) → the chain watch (chain_watch.h) → consumer of
//   their topics → gRPC server → "listening <address>" on stdout → wait for
//   SIGTERM/SIGINT (SIGUSR1: a backup into --backup_dir) → server drained →
//   parts stopped → consumer and relay stopped.
//
//   class ContactParts : public ServiceParts { ... };
//   int main(int argc, char** argv) {
//     return RunService(argc, argv, {
//         .service = "contact",
//         .grpc_service_name = v1::ContactTracking::service_full_name(),
//         .build = [](const ServiceContext& context)
//             -> absl::StatusOr<std::unique_ptr<ServiceParts>> { ... }});
//   }
#ifndef LIANXIN_LIBS_SERVICE_SERVICE_MAIN_H_
#define LIANXIN_LIBS_SERVICE_SERVICE_MAIN_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "libs/bus/consumer.h"
#include "libs/common/clock.h"
#include "libs/common/metrics.h"
#include "libs/eventstore/event_store.h"
#include "libs/eventstore/projector.h"
#include "libs/runtime/config.h"
#include "libs/runtime/rpc.h"

namespace lianxin {

// What RunService has built when it asks a service for its parts. Every
// pointer outlives the parts.
struct ServiceContext {
  const RuntimeConfig* config;
  EventStore* store;
  Metrics* metrics;
  // Authentication and metrics for the service's UnaryService.
  RpcPlumbing plumbing;
  // Wakes the outbox relay; call it after a commit that wrote events.
  std::function<void()> notify_relay;
  // The service's clock: the one place a service reads the time (a test
  // builds the parts with a ManualClock).
  Clock* clock;
};

// A service's own parts. Destroyed after the server has stopped and before
// the consumer and the relay stop.
class ServiceParts {
 public:
  virtual ~ServiceParts() = default;
  // What the consumer applies, and from which topics.
  virtual EventHandler& reactions() = 0;
  virtual std::vector<std::string> topics() const = 0;
  // The gRPC service to serve.
  virtual grpc::Service& service() = 0;
  // The service's projection as a function of its log (the one lxaudit
  // replays with): a store restored from a backup folds the events it takes
  // back with it (libs/service/backup.h). Null: the service cannot be restored.
  virtual std::unique_ptr<Projector> NewProjector() const { return nullptr; }
  // Background work (a sweeper, say): started once the consumer runs, stopped
  // once the server has drained.
  virtual void Start() {}
  virtual void Stop() {}
};

struct ServiceMainOptions {
  // "registry", "contact", …: the store's directory, the log's source, the
  // consumer group "<county>.<service>", the log component.
  std::string service;
  // E.g. "lianxin.v1.ContactTracking".
  std::string grpc_service_name;
  // Builds the parts once the store and the relay run; an error stops the
  // process with exit code 1 (e.g. INVALID_ARGUMENT for a bad service flag).
  std::function<absl::StatusOr<std::unique_ptr<ServiceParts>>(const ServiceContext&)> build;
};

// Runs the service until SIGTERM/SIGINT; returns the process's exit code
// (0 after an orderly stop, 1 if it could not start).
int RunService(int argc, char** argv, const ServiceMainOptions& options);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_SERVICE_SERVICE_MAIN_H_
