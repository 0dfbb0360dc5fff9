// registry: the Registry gRPC service of one county.
//
//   registry --jurisdiction=654322 --data_dir=/var/lib/lianxin/654322
//            --listen=127.0.0.1:17101 --tokens_file=tokens.txt
//            --kafka_brokers=127.0.0.1:19092 --identity_key_file=identity.key
//            --counties_on_lianxin=654322,650102,440305
//   -> stdout: "listening 127.0.0.1:17101" (then "metrics ..." if --metrics_address)
//
// Commits go to the RocksDB event store under --data_dir; the outbox relay
// publishes them to Kafka; the consumer records the county's inbox and the
// identity claims. Runs until SIGTERM/SIGINT. Flags and LIANXIN_* environment
// variables: libs/runtime/config.h and below.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/bus/consumer.h"
#include "libs/bus/kafka_config.h"
#include "libs/bus/outbox_relay.h"
#include "libs/common/log.h"
#include "libs/common/metrics.h"
#include "libs/eventstore/event_store.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/config.h"
#include "libs/runtime/metrics_endpoint.h"
#include "libs/runtime/server.h"
#include "libs/runtime/termination.h"
#include "services/registry/identity.h"
#include "services/registry/projection.h"
#include "services/registry/reactions.h"
#include "services/registry/service.h"

ABSL_FLAG(std::string, identity_key_file, "",
          "File holding the deployment's key for ID-number hashes (HMAC-SHA-256, ≥16 bytes).");
ABSL_FLAG(int, report_after_months, 3, "R1 (local): months of absence that must be reported.");
ABSL_FLAG(int, mail_back_check_months, 3,
          "R8 (local): months between mail-back checks of a long-term certificate holder.");

namespace lianxin::registry {
namespace {

int Fail(std::string_view what, const absl::Status& status) {
  LogError(what, {{"error", status.ToString()}});
  return 1;
}

int Run(int argc, char** argv) {
  absl::SetProgramUsageMessage("Serves lianxin.v1.Registry for one county.");
  absl::StatusOr<RuntimeConfig> config = ParseRuntimeFlags(argc, argv);
  if (!config.ok()) return Fail("bad configuration", config.status());
  if (config->jurisdiction.empty() || config->data_dir.empty() || config->kafka_brokers.empty()) {
    return Fail(
        "bad configuration",
        absl::InvalidArgumentError("--jurisdiction, --data_dir and --kafka_brokers are required"));
  }
  SetLogComponent(absl::StrCat("registry/", config->jurisdiction));
  if (absl::Status s = InstallTerminationHandlers(); !s.ok()) return Fail("signals", s);

  absl::StatusOr<IdentityHasher> hasher =
      IdentityHasher::FromKeyFile(absl::GetFlag(FLAGS_identity_key_file));
  if (!hasher.ok()) return Fail("cannot load the identity key", hasher.status());
  absl::StatusOr<Authenticator> authenticator = Authenticator::FromFile(config->tokens_file);
  if (!authenticator.ok()) return Fail("cannot load tokens", authenticator.status());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      LoadServerCredentials(config->tls);
  if (!credentials.ok()) return Fail("cannot load TLS files", credentials.status());

  Settings settings;
  settings.report_after_months = absl::GetFlag(FLAGS_report_after_months);
  settings.mail_back_check_months = absl::GetFlag(FLAGS_mail_back_check_months);
  settings.on_system.insert(config->counties_on_lianxin.begin(),
                            config->counties_on_lianxin.end());

  Metrics metrics;
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> metrics_endpoint =
      MetricsEndpoint::StartIfConfigured(config->metrics_address, metrics.registry());
  if (!metrics_endpoint.ok()) return Fail("cannot serve metrics", metrics_endpoint.status());

  EventStoreOptions store_options;
  store_options.path = absl::StrCat(config->data_dir, "/registry");
  store_options.source.set_jurisdiction(config->jurisdiction);
  store_options.source.set_service("registry");
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

  RegistryProjection projection(store->get(), config->jurisdiction, settings);
  RegistryReactions reactions(&projection, &RealClock());
  ConsumerOptions consumer_options;
  consumer_options.kafka = kafka;
  consumer_options.group_id = absl::StrCat(config->jurisdiction, ".registry");
  consumer_options.topics = RegistryReactions::Topics(config->jurisdiction);
  consumer_options.store = store->get();
  consumer_options.handler = &reactions;
  consumer_options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Start(consumer_options);
  if (!consumer.ok()) return Fail("cannot start the consumer", consumer.status());

  RegistryService service(
      {&projection, &*hasher, &RealClock(), {&*authenticator, &metrics}, [relay = relay->get()] {
         relay->Notify();
       }});
  absl::StatusOr<std::unique_ptr<RpcServer>> server =
      RpcServer::Start({config->listen_address,
                        *credentials,
                        {{lianxin::v1::Registry::service_full_name(), &service}}});
  if (!server.ok()) return Fail("cannot start the server", server.status());

  AnnounceAddresses((*server)->address(), metrics_endpoint->get(), config->metrics_address);
  LogInfo("registry ready", {{"address", (*server)->address()},
                             {"last_sequence", absl::StrCat((*store)->LastSequence())}});

  int signo = WaitForTerminationSignal();
  LogInfo("termination signal", {{"signal", absl::StrCat(signo)}});
  (*server)->Shutdown(config->shutdown_grace);
  (*consumer)->Stop().IgnoreError();
  (*relay)->Stop().IgnoreError();
  return 0;
}

}  // namespace
}  // namespace lianxin::registry

int main(int argc, char** argv) { return lianxin::registry::Run(argc, argv); }
