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
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "lianxin/v1/appraisal.grpc.pb.h"
#include "libs/common/county_settings.h"
#include "libs/service/service_main.h"
#include "services/appraisal/domain/rules.h"
#include "services/appraisal/projection.h"
#include "services/appraisal/projector.h"
#include "services/appraisal/reactions.h"
#include "services/appraisal/service.h"

ABSL_FLAG(std::string, records_from, "",
          "First month (YYYY-MM) on record in this county: R6 runs and dues arrears count from "
          "the later of it and the member's joining. Empty: from joining.");

namespace lianxin::appraisal {
namespace {

// The appraisal service's own parts: projection, reactions and the Appraisal
// handlers.
class AppraisalParts : public ServiceParts {
 public:
  AppraisalParts(const ServiceContext& context, Settings settings)
      : projection_(context.store, context.config->jurisdiction, std::move(settings)),
        reactions_(&projection_),
        service_({&projection_, context.clock, context.plumbing, context.notify_relay}),
        jurisdiction_(context.config->jurisdiction) {}

  EventHandler& reactions() override { return reactions_; }
  std::vector<std::string> topics() const override {
    return AppraisalReactions::Topics(jurisdiction_);
  }
  grpc::Service& service() override { return service_; }
  // A store restored from a backup folds the events it takes back with this.
  std::unique_ptr<Projector> NewProjector() const override {
    return appraisal::NewProjector(projection_.jurisdiction(), projection_.settings());
  }

 private:
  AppraisalProjection projection_;
  AppraisalReactions reactions_;
  AppraisalService service_;
  std::string jurisdiction_;
};

absl::StatusOr<std::unique_ptr<ServiceParts>> Build(const ServiceContext& context) {
  // The county's settings file (--county_settings): a bad value stops the start.
  absl::StatusOr<CountySettings> county = CountySettingsFromFlag();
  if (!county.ok()) return county.status();
  Settings settings;
  settings.back_payment_limit_months = county->back_payment_limit_months;
  settings.on_system.insert(context.config->counties_on_lianxin.begin(),
                            context.config->counties_on_lianxin.end());
  if (const std::string from = absl::GetFlag(FLAGS_records_from); !from.empty()) {
    settings.records_from = ParseMonth(from);
    if (!settings.records_from.has_value()) {
      return absl::InvalidArgumentError("--records_from: must be a month YYYY-MM");
    }
  }
  return std::make_unique<AppraisalParts>(context, std::move(settings));
}

}  // namespace
}  // namespace lianxin::appraisal

int main(int argc, char** argv) {
  return lianxin::RunService(argc, argv,
                             {.service = "appraisal",
                              .grpc_service_name = lianxin::v1::Appraisal::service_full_name(),
                              .build = &lianxin::appraisal::Build});
}
