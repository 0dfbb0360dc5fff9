// The shared main of lianxin services (see service_main.h).
#include "libs/service/service_main.h"

#include <string_view>
#include <utility>

#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "libs/bus/kafka_config.h"
#include "libs/bus/outbox_relay.h"
#include "libs/common/log.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/metrics_endpoint.h"
#include "libs/runtime/process_tuning.h"
#include "libs/runtime/server.h"
#include "libs/runtime/termination.h"

namespace lianxin {
namespace {

int Fail(std::string_view what, const absl::Status& status) {
  LogError(what, {{"error", status.ToString()}});
  return 1;
}

}  // namespace

int RunService(int argc, char** argv, const ServiceMainOptions& options) {
  TuneProcess();
  absl::SetProgramUsageMessage(
      absl::StrCat("Serves ", options.grpc_service_name, " for one county."));
  absl::StatusOr<RuntimeConfig> config = ParseRuntimeFlags(argc, argv);
  if (!config.ok()) return Fail("bad configuration", config.status());
  if (config->jurisdiction.empty() || config->data_dir.empty() || config->kafka_brokers.empty()) {
    return Fail(
        "bad configuration",
        absl::InvalidArgumentError("--jurisdiction, --data_dir and --kafka_brokers are required"));
  }
  SetLogComponent(absl::StrCat(options.service, "/", config->jurisdiction));
  if (absl::Status s = InstallTerminationHandlers(); !s.ok()) return Fail("signals", s);

  absl::StatusOr<Authenticator> authenticator = Authenticator::FromFile(config->tokens_file);
  if (!authenticator.ok()) return Fail("cannot load tokens", authenticator.status());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      LoadServerCredentials(config->tls);
  if (!credentials.ok()) return Fail("cannot load TLS files", credentials.status());

  Metrics metrics;
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> metrics_endpoint =
      MetricsEndpoint::StartIfConfigured(config->metrics_address, metrics.registry());
  if (!metrics_endpoint.ok()) return Fail("cannot serve metrics", metrics_endpoint.status());

  EventStoreOptions store_options;
  store_options.path = absl::StrCat(config->data_dir, "/", options.service);
  store_options.source.set_jurisdiction(config->jurisdiction);
  store_options.source.set_service(options.service);
  store_options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(store_options);
  if (!store.ok()) return Fail("cannot open the event store", store.status());

  KafkaConfig kafka{config->kafka_brokers, config->kafka_config};
  kafka.ApplyEnvironment();
  OutboxRelayOptions relay_options;
  relay_options.kafka = kafka;
  relay_options.store = store->get();
  relay_options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<OutboxRelay>> relay = OutboxRelay::Start(relay_options);
  if (!relay.ok()) return Fail("cannot start the outbox relay", relay.status());

  absl::StatusOr<std::unique_ptr<ServiceParts>> parts =
      options.build({&*config,
                     store->get(),
                     &metrics,
                     {&*authenticator, &metrics},
                     [relay = relay->get()] { relay->Notify(); },
                     &RealClock()});
  if (!parts.ok()) return Fail("bad configuration", parts.status());

  ConsumerOptions consumer_options;
  consumer_options.kafka = kafka;
  consumer_options.group_id = absl::StrCat(config->jurisdiction, ".", options.service);
  consumer_options.topics = (*parts)->topics();
  consumer_options.store = store->get();
  consumer_options.handler = &(*parts)->reactions();
  consumer_options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Start(consumer_options);
  if (!consumer.ok()) return Fail("cannot start the consumer", consumer.status());
  (*parts)->Start();

  absl::StatusOr<std::unique_ptr<RpcServer>> server = RpcServer::Start(
      {config->listen_address, *credentials, {{options.grpc_service_name, &(*parts)->service()}}});
  if (!server.ok()) return Fail("cannot start the server", server.status());

  AnnounceAddresses((*server)->address(), metrics_endpoint->get(), config->metrics_address);
  LogInfo(absl::StrCat(options.service, " ready"),
          {{"address", (*server)->address()},
           {"last_sequence", absl::StrCat((*store)->LastSequence())}});

  int signo = WaitForTerminationSignal();
  LogInfo("termination signal", {{"signal", absl::StrCat(signo)}});
  (*server)->Shutdown(config->shutdown_grace);
  (*parts)->Stop();
  (*consumer)->Stop().IgnoreError();
  parts->reset();
  (*relay)->Stop().IgnoreError();
  return 0;
}

}  // namespace lianxin
