// education: the EducationScheduling gRPC service of one county.
//
//   education --jurisdiction=654322 --data_dir=/var/lib/lianxin/654322
//             --listen=127.0.0.1:17103 --tokens_file=tokens.txt
//             --kafka_brokers=127.0.0.1:19092 --counties_on_lianxin=654322,650102
//             --floor_hours=32
//   -> stdout: "listening 127.0.0.1:17103" (then "metrics ..." if --metrics_address)
//
// Commits go to the RocksDB event store under --data_dir/education; the outbox
// relay publishes them to lx.<county>.education.v1 (and routed copies to other
// counties' inboxes); the consumer records the county's registry topic and
// inbox. Runs until SIGTERM/SIGINT.
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "lianxin/v1/education.grpc.pb.h"
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
#include "services/education/projection.h"
#include "services/education/reactions.h"
#include "services/education/service.h"

ABSL_FLAG(int, floor_hours, 32, "R12 (per county): class hours a member needs in a year.");
ABSL_FLAG(int, pre_departure_window_days, 90,
          "R12: days before a departure in which education counts as pre-departure.");

namespace lianxin::education {
namespace {

int Fail(std::string_view what, const absl::Status& status) {
  LogError(what, {{"error", status.ToString()}});
  return 1;
}

int Run(int argc, char** argv) {
  absl::SetProgramUsageMessage("Serves lianxin.v1.EducationScheduling for one county.");
  absl::StatusOr<RuntimeConfig> config = ParseRuntimeFlags(argc, argv);
  if (!config.ok()) return Fail("bad configuration", config.status());
  if (config->jurisdiction.empty() || config->data_dir.empty() || config->kafka_brokers.empty()) {
    return Fail(
        "bad configuration",
        absl::InvalidArgumentError("--jurisdiction, --data_dir and --kafka_brokers are required"));
  }
  if (absl::GetFlag(FLAGS_floor_hours) < 1 || absl::GetFlag(FLAGS_floor_hours) > 200) {
    return Fail("bad configuration", absl::InvalidArgumentError("--floor_hours must be 1–200"));
  }
  SetLogComponent(absl::StrCat("education/", config->jurisdiction));
  if (absl::Status s = InstallTerminationHandlers(); !s.ok()) return Fail("signals", s);

  absl::StatusOr<Authenticator> authenticator = Authenticator::FromFile(config->tokens_file);
  if (!authenticator.ok()) return Fail("cannot load tokens", authenticator.status());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      LoadServerCredentials(config->tls);
  if (!credentials.ok()) return Fail("cannot load TLS files", credentials.status());

  Settings settings;
  settings.floor_hours = static_cast<uint32_t>(absl::GetFlag(FLAGS_floor_hours));
  settings.pre_departure_window_days = absl::GetFlag(FLAGS_pre_departure_window_days);
  settings.on_system.insert(config->counties_on_lianxin.begin(), config->counties_on_lianxin.end());

  Metrics metrics;
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> metrics_endpoint =
      MetricsEndpoint::StartIfConfigured(config->metrics_address, metrics.registry());
  if (!metrics_endpoint.ok()) return Fail("cannot serve metrics", metrics_endpoint.status());

  EventStoreOptions store_options;
  store_options.path = absl::StrCat(config->data_dir, "/education");
  store_options.source.set_jurisdiction(config->jurisdiction);
  store_options.source.set_service("education");
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

  EducationProjection projection(store->get(), config->jurisdiction, settings);
  EducationReactions reactions(&projection, &RealClock());
  ConsumerOptions consumer_options;
  consumer_options.kafka = kafka;
  consumer_options.group_id = absl::StrCat(config->jurisdiction, ".education");
  consumer_options.topics = EducationReactions::Topics(config->jurisdiction);
  consumer_options.store = store->get();
  consumer_options.handler = &reactions;
  consumer_options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Start(consumer_options);
  if (!consumer.ok()) return Fail("cannot start the consumer", consumer.status());

  EducationService service(
      {&projection, &RealClock(), {&*authenticator, &metrics}, [relay = relay->get()] {
         relay->Notify();
       }});
  absl::StatusOr<std::unique_ptr<RpcServer>> server =
      RpcServer::Start({config->listen_address,
                        *credentials,
                        {{lianxin::v1::EducationScheduling::service_full_name(), &service}}});
  if (!server.ok()) return Fail("cannot start the server", server.status());

  AnnounceAddresses((*server)->address(), metrics_endpoint->get(), config->metrics_address);
  LogInfo("education ready", {{"address", (*server)->address()},
                              {"last_sequence", absl::StrCat((*store)->LastSequence())}});

  int signo = WaitForTerminationSignal();
  LogInfo("termination signal", {{"signal", absl::StrCat(signo)}});
  (*server)->Shutdown(config->shutdown_grace);
  (*consumer)->Stop().IgnoreError();
  (*relay)->Stop().IgnoreError();
  return 0;
}

}  // namespace
}  // namespace lianxin::education

int main(int argc, char** argv) { return lianxin::education::Run(argc, argv); }
