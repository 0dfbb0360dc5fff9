// oversight: the live picture of a prefecture or province (oversight.proto).
//
//   oversight --jurisdiction=654300 --data_dir=/var/lib/lianxin/654300
//             --listen=127.0.0.1:17501 --tokens_file=tokens.txt
//             --kafka_brokers=127.0.0.1:19092
//             --counties_on_lianxin=654322,654321,650102
//             --trust_root=root.pub --key_directory=directory.signed
//   -> stdout: "listening 127.0.0.1:17501"
//
// --jurisdiction is the scope: a prefecture (XXXX00) or province (XX0000)
// code, or 000000 for every county of a deployment that spans provinces. The instance reads
// lx.<county>.registry.v1 of every county in
// --counties_on_lianxin under it, in the consumer group "<scope>.oversight":
// more instances with the same scope share the partitions (each answers for
// the members of the partitions it holds; see docs/operations.md). Every event
// passes the CountyGate (signature under the county's key, source = topic)
// and the payload validation; what fails is quarantined. It publishes nothing.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lianxin/v1/oversight.grpc.pb.h"
#include "libs/service/service_main.h"
#include "services/oversight/figures.h"
#include "services/oversight/projection.h"
#include "services/oversight/service.h"

namespace lianxin::oversight {
namespace {

class OversightParts : public ServiceParts {
 public:
  OversightParts(const ServiceContext& context)
      : projection_(context.store, context.config->jurisdiction),
        service_(
            {.projection = &projection_, .clock = context.clock, .plumbing = context.plumbing}),
        topics_(OversightProjection::Topics(context.config->jurisdiction,
                                            context.config->counties_on_lianxin)) {}

  EventHandler& reactions() override { return projection_; }
  std::vector<std::string> topics() const override { return topics_; }
  grpc::Service& service() override { return service_; }

 private:
  OversightProjection projection_;
  OversightService service_;
  std::vector<std::string> topics_;
};

absl::StatusOr<std::unique_ptr<ServiceParts>> Build(const ServiceContext& context) {
  const std::string level = LevelOf(context.config->jurisdiction);
  if (level != "prefecture" && level != "province" && level != "country") {
    return absl::InvalidArgumentError(
        absl::StrCat("--jurisdiction: ", context.config->jurisdiction,
                     " is not a prefecture (XXXX00), province (XX0000) or 000000"));
  }
  auto parts = std::make_unique<OversightParts>(context);
  if (parts->topics().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--counties_on_lianxin: no county under ", context.config->jurisdiction));
  }
  return parts;
}

}  // namespace
}  // namespace lianxin::oversight

int main(int argc, char** argv) {
  return lianxin::RunService(argc, argv,
                             {.service = "oversight",
                              .grpc_service_name = lianxin::v1::Oversight::service_full_name(),
                              .build = &lianxin::oversight::Build});
}
