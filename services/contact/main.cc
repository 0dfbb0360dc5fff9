// contact: the ContactTracking gRPC service of one county.
//
//   contact --jurisdiction=654322 --data_dir=/var/lib/lianxin/654322
//           --listen=127.0.0.1:17102 --tokens_file=tokens.txt
//           --kafka_brokers=127.0.0.1:19092 --counties_on_lianxin=654322,650102
//           [--sweep_interval=10m] [--county_settings=654322.settings]
//   -> stdout: "listening 127.0.0.1:17102" (then "metrics ..." if --metrics_address)
//
// Commits go to the RocksDB event store under --data_dir/contact; the outbox
// relay publishes them to lx.<county>.contact.v1 (and routed inboxes); the
// consumer records the county's registry topic and the contacts routed to its
// inbox; the sweeper flags lost contacts (R5) from the clock. Runs until
// SIGTERM/SIGINT.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "libs/common/county_settings.h"
#include "libs/service/service_main.h"
#include "services/contact/projection.h"
#include "services/contact/projector.h"
#include "services/contact/reactions.h"
#include "services/contact/service.h"
#include "services/contact/sweeper.h"

ABSL_FLAG(absl::Duration, sweep_interval, absl::Minutes(10),
          "How often the lost-contact sweeper (R5) runs.");

namespace lianxin::contact {
namespace {

// The contact service's own parts: projection, reactions, the lost-contact
// sweeper (R5) and the ContactTracking handlers.
class ContactParts : public ServiceParts {
 public:
  ContactParts(const ServiceContext& context, Settings settings)
      : on_system_(context.config->counties_on_lianxin.begin(),
                   context.config->counties_on_lianxin.end()),
        projection_(context.store, context.config->jurisdiction, settings),
        reactions_(&projection_, context.clock, on_system_),
        sweeper_(&projection_, context.clock, context.notify_relay),
        service_({&projection_, context.clock, context.plumbing, on_system_, context.notify_relay}),
        jurisdiction_(context.config->jurisdiction) {}

  EventHandler& reactions() override { return reactions_; }
  std::vector<std::string> topics() const override {
    return ContactReactions::Topics(jurisdiction_);
  }
  grpc::Service& service() override { return service_; }
  // A store restored from a backup folds the events it takes back with this.
  std::unique_ptr<Projector> NewProjector() const override {
    return contact::NewProjector(projection_.jurisdiction(), projection_.settings());
  }
  void Start() override { sweeper_.Start(absl::GetFlag(FLAGS_sweep_interval)); }
  void Stop() override { sweeper_.Stop(); }

 private:
  std::set<std::string> on_system_;
  ContactProjection projection_;
  ContactReactions reactions_;
  Sweeper sweeper_;
  ContactService service_;
  std::string jurisdiction_;
};

absl::StatusOr<std::unique_ptr<ServiceParts>> Build(const ServiceContext& context) {
  // The county's settings file (--county_settings), validated: a bad value
  // stops the start.
  absl::StatusOr<CountySettings> county = CountySettingsFromFlag();
  if (!county.ok()) return county.status();
  Settings settings;
  settings.quarterly_report_months = county->quarterly_report_months;
  settings.thought_report_months = county->thought_report_months;
  settings.first_report_grace_days = county->first_report_grace_days;
  settings.consultation_open_days = county->consultation_open_days;
  return std::make_unique<ContactParts>(context, settings);
}

}  // namespace
}  // namespace lianxin::contact

int main(int argc, char** argv) {
  return lianxin::RunService(
      argc, argv,
      {.service = "contact",
       .grpc_service_name = lianxin::v1::ContactTracking::service_full_name(),
       .build = &lianxin::contact::Build});
}
