// contact: the ContactTracking gRPC service of one county.
//
//   contact --jurisdiction=654322 --data_dir=/var/lib/lianxin/654322
//           --listen=127.0.0.1:17102 --tokens_file=tokens.txt
//           --kafka_brokers=127.0.0.1:19092 --counties_on_lianxin=654322,650102
//           [--sweep_interval=10m] [--quarterly_report_months=3] ...
//   -> stdout: "listening 127.0.0.1:17102" (then "metrics ..." if --metrics_address)
//
// Commits go to the RocksDB event store under --data_dir/contact; the outbox
// relay publishes them to lx.<county>.contact.v1 (and routed inboxes); the
// consumer records the county's registry topic and the contacts routed to its
// inbox; the sweeper flags lost contacts (R5) from the clock. Runs until
// SIGTERM/SIGINT.
#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "lianxin/v1/contact.grpc.pb.h"
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
#include "services/contact/projection.h"
#include "services/contact/reactions.h"
#include "services/contact/service.h"
#include "services/contact/sweeper.h"

ABSL_FLAG(absl::Duration, sweep_interval, absl::Minutes(10),
          "How often the lost-contact sweeper (R5) runs.");
ABSL_FLAG(int, quarterly_report_months, 3, "R4 (local): months per contact-report period.");
ABSL_FLAG(int, thought_report_months, 6, "R4 (local): months per thought-report period.");
ABSL_FLAG(int, consultation_open_days, 7,
          "R14 (local): days after which an open hotline ticket is listed.");

namespace lianxin::contact {
namespace {

int Fail(std::string_view what, const absl::Status& status) {
  LogError(what, {{"error", status.ToString()}});
  return 1;
}

int Run(int argc, char** argv) {
  absl::SetProgramUsageMessage("Serves lianxin.v1.ContactTracking for one county.");
  absl::StatusOr<RuntimeConfig> config = ParseRuntimeFlags(argc, argv);
  if (!config.ok()) return Fail("bad configuration", config.status());
  if (config->jurisdiction.empty() || config->data_dir.empty() || config->kafka_brokers.empty()) {
    return Fail(
        "bad configuration",
        absl::InvalidArgumentError("--jurisdiction, --data_dir and --kafka_brokers are required"));
  }
  SetLogComponent(absl::StrCat("contact/", config->jurisdiction));
  if (absl::Status s = InstallTerminationHandlers(); !s.ok()) return Fail("signals", s);

  absl::StatusOr<Authenticator> authenticator = Authenticator::FromFile(config->tokens_file);
  if (!authenticator.ok()) return Fail("cannot load tokens", authenticator.status());
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      LoadServerCredentials(config->tls);
  if (!credentials.ok()) return Fail("cannot load TLS files", credentials.status());

  Settings settings;
  settings.quarterly_report_months = absl::GetFlag(FLAGS_quarterly_report_months);
  settings.thought_report_months = absl::GetFlag(FLAGS_thought_report_months);
  settings.consultation_open_days = absl::GetFlag(FLAGS_consultation_open_days);
  for (int months : {settings.quarterly_report_months, settings.thought_report_months}) {
    if (months <= 0 || 12 % months != 0) {
      return Fail("bad configuration",
                  absl::InvalidArgumentError("report periods must divide 12 months"));
    }
  }
  const std::set<std::string> on_system(config->counties_on_lianxin.begin(),
                                        config->counties_on_lianxin.end());

  Metrics metrics;
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> metrics_endpoint =
      MetricsEndpoint::StartIfConfigured(config->metrics_address, metrics.registry());
  if (!metrics_endpoint.ok()) return Fail("cannot serve metrics", metrics_endpoint.status());

  EventStoreOptions store_options;
  store_options.path = absl::StrCat(config->data_dir, "/contact");
  store_options.source.set_jurisdiction(config->jurisdiction);
  store_options.source.set_service("contact");
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
  auto notify = [relay = relay->get()] { relay->Notify(); };

  ContactProjection projection(store->get(), config->jurisdiction, settings);
  ContactReactions reactions(&projection, &RealClock(), on_system);
  ConsumerOptions consumer_options;
  consumer_options.kafka = kafka;
  consumer_options.group_id = absl::StrCat(config->jurisdiction, ".contact");
  consumer_options.topics = ContactReactions::Topics(config->jurisdiction);
  consumer_options.store = store->get();
  consumer_options.handler = &reactions;
  consumer_options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Start(consumer_options);
  if (!consumer.ok()) return Fail("cannot start the consumer", consumer.status());

  Sweeper sweeper(&projection, &RealClock(), notify);
  sweeper.Start(absl::GetFlag(FLAGS_sweep_interval));

  ContactService service(
      {&projection, &RealClock(), {&*authenticator, &metrics}, on_system, notify});
  absl::StatusOr<std::unique_ptr<RpcServer>> server =
      RpcServer::Start({config->listen_address,
                        *credentials,
                        {{lianxin::v1::ContactTracking::service_full_name(), &service}}});
  if (!server.ok()) return Fail("cannot start the server", server.status());

  AnnounceAddresses((*server)->address(), metrics_endpoint->get(), config->metrics_address);
  LogInfo("contact ready", {{"address", (*server)->address()},
                            {"last_sequence", absl::StrCat((*store)->LastSequence())}});

  int signo = WaitForTerminationSignal();
  LogInfo("termination signal", {{"signal", absl::StrCat(signo)}});
  (*server)->Shutdown(config->shutdown_grace);
  sweeper.Stop();
  (*consumer)->Stop().IgnoreError();
  (*relay)->Stop().IgnoreError();
  return 0;
}

}  // namespace
}  // namespace lianxin::contact

int main(int argc, char** argv) { return lianxin::contact::Run(argc, argv); }
