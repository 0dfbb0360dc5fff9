#include "services/education/projector.h"

#include "absl/strings/str_cat.h"
#include "services/education/domain/decider.h"
#include "services/education/projection.h"

namespace lianxin::education {
namespace {

class EducationProjector final : public Projector {
 public:
  EducationProjector(std::string jurisdiction, Settings settings)
      : jurisdiction_(std::move(jurisdiction)), settings_(std::move(settings)) {}

  std::string service() const override { return "education"; }

  absl::StatusOr<std::string> Evolve(const std::string& state, const Event& event) const override {
    if (!IsEducationPayload(event)) {
      return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), ": ", event.type(),
                                                     " is not an education event"));
    }
    lianxin::v1::EducationState before;
    if (!before.ParseFromString(state)) {
      return absl::InvalidArgumentError(
          absl::StrCat("aggregate ", event.aggregate_id(), ": state does not parse"));
    }
    return SerializeState(education::Evolve(std::move(before), event, settings_));
  }

  std::vector<std::pair<std::string, std::string>> IndexRows(
      const std::string& aggregate_id, const std::string& state) const override {
    lianxin::v1::EducationState parsed;
    std::vector<std::pair<std::string, std::string>> rows;
    if (!parsed.ParseFromString(state)) return rows;
    for (const std::string& key : IndexKeysOf(aggregate_id, parsed, jurisdiction_)) {
      rows.emplace_back(key, "");
    }
    return rows;
  }

  std::vector<std::string> UnreplayedIndexPrefixes() const override { return {}; }

 private:
  std::string jurisdiction_;
  Settings settings_;
};

}  // namespace

std::unique_ptr<Projector> NewProjector(const std::string& jurisdiction, const Settings& settings) {
  return std::make_unique<EducationProjector>(jurisdiction, settings);
}

}  // namespace lianxin::education
