#include "services/appraisal/projector.h"

#include "absl/strings/str_cat.h"
#include "services/appraisal/domain/decider.h"
#include "services/appraisal/projection.h"

namespace lianxin::appraisal {
namespace {

class AppraisalProjector final : public Projector {
 public:
  AppraisalProjector(std::string jurisdiction, Settings settings)
      : jurisdiction_(std::move(jurisdiction)), settings_(std::move(settings)) {}

  std::string service() const override { return "appraisal"; }

  absl::StatusOr<std::string> Evolve(const std::string& state, const Event& event) const override {
    if (event.aggregate_id().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", event.event_id(), " has no aggregate"));
    }
    if (IsCycleId(event.aggregate_id())) {
      AppraisalCycleFacts facts;
      if (!facts.ParseFromString(state))
        return absl::InvalidArgumentError("cycle state does not parse");
      if (!event.has_appraisal_cycle_opened()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "event ", event.event_id(), ": ", event.type(), " on cycle ", event.aggregate_id()));
      }
      return EvolveCycle(std::move(facts), event).SerializeAsString();
    }
    if (event.payload_case() == Event::PAYLOAD_NOT_SET || event.has_appraisal_cycle_opened()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", event.event_id(), ": ", event.type(),
                       " cannot belong to a member in the appraisal log"));
    }
    AppraisalMemberFacts facts;
    if (!facts.ParseFromString(state))
      return absl::InvalidArgumentError("member state does not parse");
    return appraisal::Evolve(std::move(facts), event).SerializeAsString();
  }

  std::vector<std::pair<std::string, std::string>> IndexRows(
      const std::string& aggregate_id, const std::string& state) const override {
    auto rows = IndexRowsOf(jurisdiction_, settings_, aggregate_id, state);
    return {rows.begin(), rows.end()};
  }

  std::vector<std::string> UnreplayedIndexPrefixes() const override { return {}; }

 private:
  std::string jurisdiction_;
  Settings settings_;
};

}  // namespace

std::unique_ptr<Projector> NewProjector(const std::string& jurisdiction, const Settings& settings) {
  return std::make_unique<AppraisalProjector>(jurisdiction, settings);
}

}  // namespace lianxin::appraisal
