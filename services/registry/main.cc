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
// variables: libs/runtime/config.h and below; the county's own numbers (R1,
// R8, R9): --county_settings, libs/common/county_settings.h.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/common/county_settings.h"
#include "libs/service/service_main.h"
#include "services/registry/identity.h"
#include "services/registry/projection.h"
#include "services/registry/projector.h"
#include "services/registry/reactions.h"
#include "services/registry/service.h"

ABSL_FLAG(std::string, identity_key_file, "",
          "File holding the deployment's key for ID-number hashes (HMAC-SHA-256, ≥16 bytes).");

namespace lianxin::registry {
namespace {

// The registry's own parts: its projection, the identity hasher (R18), the
// reactions to its inbox and to identity claims, and the Registry handlers.
class RegistryParts : public ServiceParts {
 public:
  RegistryParts(const ServiceContext& context, IdentityHasher hasher, Settings settings)
      : hasher_(std::move(hasher)),
        projection_(context.store, context.config->jurisdiction, std::move(settings)),
        reactions_(&projection_, context.clock),
        service_({&projection_, &hasher_, context.clock, context.plumbing, context.notify_relay}),
        jurisdiction_(context.config->jurisdiction) {}

  EventHandler& reactions() override { return reactions_; }
  std::vector<std::string> topics() const override {
    return RegistryReactions::Topics(jurisdiction_);
  }
  grpc::Service& service() override { return service_; }
  // A store restored from a backup folds the events it takes back with this.
  std::unique_ptr<Projector> NewProjector() const override {
    return registry::NewProjector(projection_.jurisdiction(), projection_.settings());
  }

 private:
  IdentityHasher hasher_;
  RegistryProjection projection_;
  RegistryReactions reactions_;
  RegistryService service_;
  std::string jurisdiction_;
};

absl::StatusOr<std::unique_ptr<ServiceParts>> Build(const ServiceContext& context) {
  absl::StatusOr<IdentityHasher> hasher =
      IdentityHasher::FromKeyFile(absl::GetFlag(FLAGS_identity_key_file));
  if (!hasher.ok()) return hasher.status();
  // The county's settings file (--county_settings): a bad value stops the start.
  absl::StatusOr<CountySettings> county = CountySettingsFromFlag();
  if (!county.ok()) return county.status();
  Settings settings;
  settings.report_after_months = county->report_after_months;
  settings.mail_back_check_months = county->mail_back_check_months;
  settings.receipt_due_months = county->receipt_due_months;
  settings.on_system.insert(context.config->counties_on_lianxin.begin(),
                            context.config->counties_on_lianxin.end());
  return std::make_unique<RegistryParts>(context, *std::move(hasher), std::move(settings));
}

}  // namespace
}  // namespace lianxin::registry

int main(int argc, char** argv) {
  return lianxin::RunService(argc, argv,
                             {.service = "registry",
                              .grpc_service_name = lianxin::v1::Registry::service_full_name(),
                              .build = &lianxin::registry::Build});
}
