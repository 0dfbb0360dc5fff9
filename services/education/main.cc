// education: the EducationScheduling gRPC service of one county.
//
//   education --jurisdiction=654322 --data_dir=/var/lib/lianxin/654322
//             --listen=127.0.0.1:17103 --tokens_file=tokens.txt
//             --kafka_brokers=127.0.0.1:19092 --counties_on_lianxin=654322,650102
//             [--county_settings=654322.settings]
//   -> stdout: "listening 127.0.0.1:17103" (then "metrics ..." if --metrics_address)
//
// Commits go to the RocksDB event store under --data_dir/education; the outbox
// relay publishes them to lx.<county>.education.v1 (and routed copies to other
// counties' inboxes); the consumer records the county's registry topic and
// inbox. Runs until SIGTERM/SIGINT.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "lianxin/v1/education.grpc.pb.h"
#include "libs/common/county_settings.h"
#include "libs/service/service_main.h"
#include "services/education/projection.h"
#include "services/education/projector.h"
#include "services/education/reactions.h"
#include "services/education/service.h"

namespace lianxin::education {
namespace {

// The education service's own parts: projection, reactions and the
// EducationScheduling handlers.
class EducationParts : public ServiceParts {
 public:
  EducationParts(const ServiceContext& context, Settings settings)
      : projection_(context.store, context.config->jurisdiction, std::move(settings)),
        reactions_(&projection_, context.clock),
        service_({&projection_, context.clock, context.plumbing, context.notify_relay}),
        jurisdiction_(context.config->jurisdiction) {}

  EventHandler& reactions() override { return reactions_; }
  std::vector<std::string> topics() const override {
    return EducationReactions::Topics(jurisdiction_);
  }
  grpc::Service& service() override { return service_; }
  // A store restored from a backup folds the events it takes back with this.
  std::unique_ptr<Projector> NewProjector() const override {
    return education::NewProjector(projection_.jurisdiction(), projection_.settings());
  }

 private:
  EducationProjection projection_;
  EducationReactions reactions_;
  EducationService service_;
  std::string jurisdiction_;
};

absl::StatusOr<std::unique_ptr<ServiceParts>> Build(const ServiceContext& context) {
  // The county's settings file (--county_settings): a bad value stops the start.
  absl::StatusOr<CountySettings> county = CountySettingsFromFlag();
  if (!county.ok()) return county.status();
  Settings settings;
  settings.floor_hours = static_cast<uint32_t>(county->class_hour_floor);
  settings.pre_departure_window_days = county->pre_departure_window_days;
  settings.returned_within_days = county->returned_within_days;
  settings.on_system.insert(context.config->counties_on_lianxin.begin(),
                            context.config->counties_on_lianxin.end());
  return std::make_unique<EducationParts>(context, std::move(settings));
}

}  // namespace
}  // namespace lianxin::education

int main(int argc, char** argv) {
  return lianxin::RunService(
      argc, argv,
      {.service = "education",
       .grpc_service_name = lianxin::v1::EducationScheduling::service_full_name(),
       .build = &lianxin::education::Build});
}
