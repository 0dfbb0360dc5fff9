#include "services/registry/projector.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/memberfacts/member_facts.h"
#include "services/registry/domain/decider.h"
#include "services/registry/projection.h"

namespace lianxin::registry {
namespace {

using lianxin::v1::MemberFacts;

// Registry payloads have field numbers 100–199 (events.proto).
absl::Status CheckRegistryEvent(const Event& event) {
  if (!IsRegistryPayload(event)) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), " (sequence ",
                                                   event.sequence(), ", type ", event.type(),
                                                   ") is not a registry event"));
  }
  return absl::OkStatus();
}

class RegistryProjector : public Projector {
 public:
  RegistryProjector(std::string jurisdiction, Settings settings)
      : jurisdiction_(std::move(jurisdiction)), settings_(std::move(settings)) {}

  std::string service() const override { return "registry"; }

  absl::StatusOr<std::string> Evolve(const std::string& state, const Event& event) const override {
    RETURN_IF_ERROR(CheckRegistryEvent(event));
    MemberFacts facts;
    if (!facts.ParseFromString(state)) {
      return absl::InvalidArgumentError(
          absl::StrCat("member ", event.aggregate_id(), ": state does not parse as MemberFacts"));
    }
    return registry::Evolve(std::move(facts), event).SerializeAsString();
  }

  std::vector<std::pair<std::string, std::string>> IndexRows(
      const std::string& aggregate_id, const std::string& state) const override {
    std::vector<std::pair<std::string, std::string>> rows;
    MemberFacts facts;
    if (state.empty() || !facts.ParseFromString(state)) return rows;
    if (facts.member_id().empty()) facts.set_member_id(aggregate_id);
    for (const std::string& key : IndexKeysOf(facts, jurisdiction_, settings_)) {
      rows.emplace_back(key, "");  // the registry's index rows carry no value
    }
    return rows;
  }

  std::vector<std::pair<std::string, int64_t>> Counts(const std::string& aggregate_id,
                                                      const std::string& state) const override {
    MemberFacts facts;
    if (state.empty() || !facts.ParseFromString(state)) return {};
    if (facts.member_id().empty()) facts.set_member_id(aggregate_id);
    return CountsOf(facts, jurisdiction_);
  }
  bool KeepsCounters() const override { return true; }

  std::vector<std::string> UnreplayedIndexPrefixes() const override {
    return {kIdentityIndexPrefix, kBirthDateIndexPrefix};
  }

  // The facts stay decoded between events, as within one command of the
  // service: Apply is Evolve without re-encoding the state each time.
  std::unique_ptr<Fold> NewFold(std::string state) const override {
    auto fold = std::make_unique<FactsFold>();
    fold->parsed = fold->facts.ParseFromString(state);
    return fold;
  }

 private:
  class FactsFold : public Fold {
   public:
    absl::Status Apply(const Event& event) override {
      if (!parsed) {
        return absl::InvalidArgumentError(
            absl::StrCat("member ", event.aggregate_id(), ": state does not parse as MemberFacts"));
      }
      RETURN_IF_ERROR(CheckRegistryEvent(event));
      facts = registry::Evolve(std::move(facts), event);
      return absl::OkStatus();
    }
    std::string State() const override { return facts.SerializeAsString(); }

    MemberFacts facts;
    bool parsed = true;
  };

  const std::string jurisdiction_;
  const Settings settings_;
};

}  // namespace

std::unique_ptr<Projector> NewProjector(std::string jurisdiction, Settings settings) {
  return std::make_unique<RegistryProjector>(std::move(jurisdiction), std::move(settings));
}

}  // namespace lianxin::registry
