// The shared main of lianxin services (see service_main.h).
#include "libs/service/service_main.h"

#include <sys/stat.h>

#include <string_view>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/bus/kafka_config.h"
#include "libs/bus/outbox_relay.h"
#include "libs/common/log.h"
#include "libs/eventstore/chain_watch.h"
#include "libs/runtime/access_log.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/files.h"
#include "libs/runtime/metrics_endpoint.h"
#include "libs/runtime/process_tuning.h"
#include "libs/runtime/server.h"
#include "libs/runtime/termination.h"
#include "libs/service/backup.h"
#include "libs/service/trust_setup.h"

// Longer than any client retries (lxctl's, the gateway's, a partner system's
// queue): a retry after it is a new command.
ABSL_FLAG(uint64_t, max_parked_per_source, lianxin::QueueLimits().max_parked_per_source,
          "Consumed events parked (waiting for a gap) per source county; beyond it they are "
          "quarantined (parked_cap), so a flood cannot fill the disk.");
ABSL_FLAG(uint64_t, max_quarantined, lianxin::QueueLimits().max_quarantined,
          "Quarantined messages kept; the oldest beyond it are dropped (counted).");
ABSL_FLAG(absl::Duration, quarantine_retention, lianxin::QueueLimits().quarantine_retention,
          "Quarantined messages older than this are dropped (counted).");
ABSL_FLAG(absl::Duration, idempotency_retention, absl::Hours(24 * 7),
          "how long a request_id answers with its first reply; then RocksDB drops the record");

ABSL_FLAG(std::string, backup_dir, "",
          "Where SIGUSR1 writes a backup of the store (default <data_dir>/backups/<service>)");
ABSL_FLAG(absl::Duration, restore_catch_up_timeout, absl::Minutes(10),
          "How long a store restored from a backup may take to read back its service topic");
ABSL_FLAG(absl::Duration, chain_check_interval, absl::Seconds(10),
          "How often the events appended since the last check have their hash chain verified");
ABSL_FLAG(absl::Duration, chain_full_check_interval, absl::Hours(6),
          "How often the whole log's hash chain is verified again");

namespace lianxin {
namespace {

int Fail(std::string_view what, const absl::Status& status) {
  LogError(what, {{"error", status.ToString()}});
  return 1;
}

}  // namespace

int RunService(int argc, char** argv, const ServiceMainOptions& options) {
  // Everything the service creates (its RocksDB directory and files) is its
  // owner's only: the data holds ID-number hashes, names and phones.
  umask(0077);
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
  ServerOptions server_options{config->listen_address,
                               *credentials,
                               {},
                               config->insecure_plaintext_off_loopback,
                               config->max_receive_message_bytes};
  if (absl::Status s = CheckPlaintextAllowed(server_options); !s.ok()) {
    return Fail("bad configuration", s);
  }

  Metrics metrics;
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> metrics_endpoint =
      MetricsEndpoint::StartIfConfigured(config->metrics_address, metrics.registry());
  if (!metrics_endpoint.ok()) return Fail("cannot serve metrics", metrics_endpoint.status());
  // For the certificate-expiry alert (deploy/monitoring/alerts.yml), read
  // again as often as gRPC reads the file, so a renewal clears it.
  std::unique_ptr<CertificateExpiryWatch> expiry_watch;
  if (!config->tls.cert_file.empty()) {
    absl::StatusOr<std::unique_ptr<CertificateExpiryWatch>> watch =
        CertificateExpiryWatch::Start(config->tls.cert_file, &metrics);
    if (!watch.ok()) return Fail("cannot load TLS files", watch.status());
    expiry_watch = *std::move(watch);
  }

  absl::StatusOr<ServiceTrust> trust = LoadServiceTrust(config->jurisdiction, options.service);
  if (!trust.ok()) return Fail("cannot load the county keys", trust.status());

  EventStoreOptions store_options;
  store_options.path = absl::StrCat(config->data_dir, "/", options.service);
  store_options.source.set_jurisdiction(config->jurisdiction);
  store_options.source.set_service(options.service);
  store_options.metrics = &metrics;
  store_options.signer = trust->signer.get();
  store_options.idempotency_retention = absl::GetFlag(FLAGS_idempotency_retention);
  if (store_options.idempotency_retention < absl::Minutes(1)) {
    return Fail("bad configuration",
                absl::InvalidArgumentError("--idempotency_retention must be at least 1m"));
  }
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(store_options);
  if (!store.ok()) return Fail("cannot open the event store", store.status());
  // Who read which member (personal-information law): lxaudit access.
  absl::StatusOr<std::unique_ptr<AccessLog>> access_log =
      AccessLog::Open(AccessLogPath(config->data_dir, options.service), &RealClock());
  if (!access_log.ok()) return Fail("cannot open the access log", access_log.status());

  KafkaConfig kafka{config->kafka_brokers, config->kafka_config};
  kafka.ApplyEnvironment();
  OutboxRelayOptions relay_options;
  relay_options.kafka = kafka;
  relay_options.store = store->get();
  relay_options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<OutboxRelay>> relay = OutboxRelay::Start(relay_options);
  if (!relay.ok()) return Fail("cannot start the outbox relay", relay.status());
  // Stopped before the store closes, on every way out.
  absl::Cleanup stop_anchors = [&trust] { trust->StopAnchors(); };
  if (absl::Status s = trust->StartAnchors(kafka, store->get(), &metrics); !s.ok()) {
    return Fail("cannot start the anchors", s);
  }

  RateLimiter rate_limiter({config->rate_limit_writes, config->rate_limit_writes * 4,
                            config->rate_limit_identity_lookups,
                            config->rate_limit_identity_lookups * 5});
  RpcPlumbing plumbing{&*authenticator, &metrics};
  plumbing.access_log = access_log->get();
  plumbing.max_queued_calls = config->max_queued_calls;
  plumbing.rate_limiter = &rate_limiter;
  absl::StatusOr<std::unique_ptr<ServiceParts>> parts =
      options.build({&*config, store->get(), &metrics, plumbing,
                     [relay = relay->get()] { relay->Notify(); }, &RealClock()});
  if (!parts.ok()) return Fail("bad configuration", parts.status());

  const std::string consumer_group = absl::StrCat(config->jurisdiction, ".", options.service);
  // A store restored from a backup takes back what it published after the
  // backup before it consumes or serves anything (backup.h).
  absl::StatusOr<std::optional<LogHead>> restored = PendingRestore(**store);
  if (!restored.ok()) return Fail("cannot open the event store", restored.status());
  if (restored->has_value()) {
    std::unique_ptr<Projector> projector = (*parts)->NewProjector();
    if (projector == nullptr) {
      return Fail("cannot catch up after a restore",
                  absl::UnimplementedError("this service has no projector"));
    }
    const std::string own_topic = ServiceTopic((*store)->source());
    SignatureCheck check;
    if (trust->gate != nullptr) {
      check = [gate = trust->gate.get(), own_topic](const Event& event) -> absl::Status {
        std::optional<Refused> refused = gate->Check(event, own_topic);
        if (!refused.has_value()) return absl::OkStatus();
        return absl::InvalidArgumentError(
            absl::StrCat(RefusalName(refused->reason), ": ", refused->detail));
      };
    }
    LogWarning("restored from a backup: taking back the events published after it",
               {{"backup_sequence", absl::StrCat((*restored)->sequence)}, {"topic", own_topic}});
    absl::StatusOr<ReingestPlan> plan = CatchUpAfterRestore(
        **store, *projector, kafka, check, absl::GetFlag(FLAGS_restore_catch_up_timeout));
    if (!plan.ok()) return Fail("cannot catch up after a restore", plan.status());
    LogInfo("caught up after a restore",
            {{"taken_back", absl::StrCat(plan->append.size())},
             {"already_held", absl::StrCat(plan->already_held)},
             {"left_aside", absl::StrCat(plan->not_ours)},
             {"last_sequence", absl::StrCat((*store)->LastSequence())}});
    (*relay)->Notify();
  }
  // A store written before the projection kept counters gets them once, here.
  if (std::unique_ptr<Projector> projector = (*parts)->NewProjector(); projector != nullptr) {
    if (absl::Status s = BuildCountersIfMissing(**store, *projector); !s.ok()) {
      return Fail("cannot build the projection's counters", s);
    }
  }
  absl::StatusOr<std::unique_ptr<ChainWatch>> chain_watch =
      ChainWatch::Start({.store = store->get(),
                         .metrics = &metrics,
                         .interval = absl::GetFlag(FLAGS_chain_check_interval),
                         .full_interval = absl::GetFlag(FLAGS_chain_full_check_interval)});
  if (!chain_watch.ok()) return Fail("bad configuration", chain_watch.status());

  ConsumerOptions consumer_options;
  consumer_options.kafka = kafka;
  consumer_options.group_id = consumer_group;
  consumer_options.topics = (*parts)->topics();
  consumer_options.store = store->get();
  consumer_options.handler = &(*parts)->reactions();
  consumer_options.metrics = &metrics;
  consumer_options.gate = trust->gate.get();
  consumer_options.limits = {.max_parked_per_source = absl::GetFlag(FLAGS_max_parked_per_source),
                             .max_quarantined = absl::GetFlag(FLAGS_max_quarantined),
                             .quarantine_retention = absl::GetFlag(FLAGS_quarantine_retention)};
  absl::StatusOr<std::unique_ptr<Consumer>> consumer = Consumer::Start(consumer_options);
  if (!consumer.ok()) return Fail("cannot start the consumer", consumer.status());
  (*parts)->Start();

  server_options.services = {{options.grpc_service_name, &(*parts)->service()}};
  absl::StatusOr<std::unique_ptr<RpcServer>> server = RpcServer::Start(server_options);
  if (!server.ok()) return Fail("cannot start the server", server.status());

  AnnounceAddresses((*server)->address(), metrics_endpoint->get(), config->metrics_address);
  LogInfo(absl::StrCat(options.service, " ready"),
          {{"address", (*server)->address()},
           {"last_sequence", absl::StrCat((*store)->LastSequence())}});

  // SIGHUP: the token file again (rotation without a restart; calls go on).
  // SIGUSR1: a backup of the store while it serves (backup.h).
  const std::string backup_dir = absl::GetFlag(FLAGS_backup_dir).empty()
                                     ? absl::StrCat(config->data_dir, "/backups/", options.service)
                                     : absl::GetFlag(FLAGS_backup_dir);
  int signo = WaitForTerminationSignal(
      [&] { authenticator->ReloadAndLog(); },
      [&] {
        absl::StatusOr<BackupInfo> backup =
            WriteBackup(**store, backup_dir, consumer_group, RealClock());
        if (!backup.ok()) {
          LogError("backup failed", {{"error", backup.status().ToString()}});
          return;
        }
        LogInfo("backup written", {{"path", backup->path},
                                   {"sequence", absl::StrCat(backup->head.sequence)},
                                   {"hash", absl::BytesToHexString(backup->head.hash)}});
      });
  LogInfo("termination signal", {{"signal", absl::StrCat(signo)}});
  (*server)->Shutdown(config->shutdown_grace);
  (*parts)->Stop();
  (*consumer)->Stop().IgnoreError();
  (*chain_watch)->Stop();
  parts->reset();
  (*relay)->Stop().IgnoreError();
  return 0;
}

}  // namespace lianxin
