// appraisal: the Appraisal gRPC service of one county.
//
//   appraisal --jurisdiction=654322 --data_dir=/var/lib/lianxin/654322
//             --listen=127.0.0.1:17104 --tokens_file=tokens.txt
//             --kafka_brokers=127.0.0.1:19092 --counties_on_lianxin=654322,650102
//             [--records_from=2026-01]
//   -> stdout: "listening 127.0.0.1:17104" (then "metrics ..." if --metrics_address)
//
// Commits go to the RocksDB event store under --data_dir; the outbox relay
// publishes them to Kafka (notices for members away to their county's
// inbox); the consumer records the county's registry, contact and education
// topics and the appraisal notices of its inbox. Runs until SIGTERM/SIGINT.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "lianxin/v1/appraisal.grpc.pb.h"
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
#include "services/appraisal/projection.h"
#include "services/appraisal/reactions.h"
#include "services/appraisal/service.h"

ABSL_FLAG(std::string, records_from, "",
          "First month (YYYY-MM) on record in this county: R6 runs and dues arrears count from "
          "the later of it and the member's joining. Empty: from joining.");

namespace lianxin::appraisal {
namespace {

int Fail(std::string_view what, const absl::Status& status) {
  LogError(what, {{"error", status.ToString()}});
  return 1;
}

int Run(int argc, char** argv) {
  absl::SetProgramUsageMessage("Serves lianxin.v1.Appraisal for one county.");
  absl::StatusOr<RuntimeConfig> config = ParseRuntimeFlags(argc, argv);
  if (!config.ok()) return Fail("bad configuration", config.status());
  if (config->jurisdiction.empty() || config->data_dir.empty() || config->kafka_brokers.empty()) {
    return Fail(
        "bad configuration",
        absl::InvalidArgumentError("--jurisdiction, --data_dir and --kafka_brokers are required"));
  }
  SetLogComponent(absl::StrCat("appraisal/", config->jurisdiction));
  if (absl::Status s = InstallTerminationHandlers(); !s.ok()) return Fail("signals", s);

  absl::StatusOr<Authenticator> authenticator = Authenticator::FromFile(config->tokens_file);
  if (!authenticator.ok()) return Fail("cannot load tokens", authenticator.status());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      LoadServerCredentials(config->tls);
  if (!credentials.ok()) return Fail("cannot load TLS files", credentials.status());

  Settings settings;
  settings.on_system.insert(config->counties_on_lianxin.begin(), config->counties_on_lianxin.end());
  if (const std::string from = absl::GetFlag(FLAGS_records_from); !from.empty()) {
    settings.records_from = ParseMonth(from);
    if (!settings.records_from.has_value()) {
      return Fail("bad configuration",
                  absl::InvalidArgumentError("--records_from: must be a month YYYY-MM"));
    }
  }

  Metrics metrics;
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> metrics_endpoint =
      MetricsEndpoint::StartIfConfigured(config->metrics_address, metrics.registry());
  if (!metrics_endpoint.ok()) return Fail("cannot serve metrics", metrics_endpoint.status());

  EventStoreOptions store_options;
  store_options.path = absl::StrCat(config->data_dir, "/appraisal");
  store_options.source.set_jurisdiction(config->jurisdiction);
  store_options.source.set_service("appraisal");
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

  AppraisalProjection projection(store->get(), config->jurisdiction, settings);
  AppraisalReactions reactions(&projection);
  ConsumerOptions consumer_options;
  consumer_options.kafka = kafka;
  consumer_options.group_id = absl::StrCat(config->jurisdiction, ".appraisal");
  consumer_options.topics = AppraisalReactions::Topics(config->jurisdiction);
  consumer_options.store = store->get();
  consumer_options.handler = &reactions;
  consumer_options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Start(consumer_options);
  if (!consumer.ok()) return Fail("cannot start the consumer", consumer.status());

  AppraisalService service(
      {&projection, &RealClock(), {&*authenticator, &metrics}, [relay = relay->get()] {
         relay->Notify();
       }});
  absl::StatusOr<std::unique_ptr<RpcServer>> server =
      RpcServer::Start({config->listen_address,
                        *credentials,
                        {{lianxin::v1::Appraisal::service_full_name(), &service}}});
  if (!server.ok()) return Fail("cannot start the server", server.status());

  AnnounceAddresses((*server)->address(), metrics_endpoint->get(), config->metrics_address);
  LogInfo("appraisal ready", {{"address", (*server)->address()},
                              {"last_sequence", absl::StrCat((*store)->LastSequence())}});

  int signo = WaitForTerminationSignal();
  LogInfo("termination signal", {{"signal", absl::StrCat(signo)}});
  (*server)->Shutdown(config->shutdown_grace);
  (*consumer)->Stop().IgnoreError();
  (*relay)->Stop().IgnoreError();
  return 0;
}

}  // namespace
}  // namespace lianxin::appraisal

int main(int argc, char** argv) { return lianxin::appraisal::Run(argc, argv); }
