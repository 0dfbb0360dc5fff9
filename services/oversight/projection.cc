#include "services/oversight/projection.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/memberfacts/member_facts.h"
#include "services/oversight/figures.h"

namespace lianxin::oversight {

using lianxin::v1::MemberFacts;

namespace {

constexpr char kFacts[] = "ov/f/";
constexpr char kEvents[] = "ov/e/";

std::string FactsKey(const std::string& county, const std::string& member_id) {
  return absl::StrCat(kFacts, county, "/", member_id);
}

std::string EventKey(const std::string& county, const std::string& member_id, uint64_t version) {
  return absl::StrFormat("%s%s/%s/%020d", kEvents, county, member_id, version);
}

// The prefix of an area's rows: "ov/f/6543" for 654300.
std::string AreaPrefix(const char* family, const std::string& area) {
  return absl::StrCat(family, ScopePrefix(area));
}

}  // namespace

OversightProjection::OversightProjection(EventStore* store, std::string scope)
    : store_(store), scope_(std::move(scope)) {}

std::vector<std::string> OversightProjection::Topics(const std::string& scope,
                                                     const std::set<std::string>& counties) {
  std::vector<std::string> topics;
  for (const std::string& county : counties) {
    if (LevelOf(county) != "county" || !Within(county, scope)) continue;
    Source registry;
    registry.set_jurisdiction(county);
    registry.set_service("registry");
    topics.push_back(ServiceTopic(registry));
  }
  return topics;
}

absl::Status OversightProjection::Apply(const Event& event, const std::string& topic,
                                        Transaction& txn) {
  if (event.source().service() != "registry") return absl::OkStatus();
  const std::string& county = event.source().jurisdiction();
  if (LevelOf(county) != "county" || !Within(county, scope_)) {
    return absl::InvalidArgumentError(
        absl::StrCat("source.jurisdiction: ", county, " is not a county under ", scope_));
  }
  const std::string& member_id = event.aggregate_id();
  if (member_id.empty() || member_id.size() > 64 || member_id.find('/') != std::string::npos) {
    return absl::InvalidArgumentError("aggregate_id: not a member id");
  }
  if (!IsRegistryPayload(event)) return absl::OkStatus();
  MemberFacts facts;
  absl::StatusOr<std::string> held = store_->Get(Family::kIndexes, FactsKey(county, member_id));
  if (held.ok()) {
    if (!facts.ParseFromString(*held)) {
      return absl::DataLossError(absl::StrCat("oversight facts of ", county, "/", member_id));
    }
  } else if (!absl::IsNotFound(held.status())) {
    return held.status();
  }
  Event kept = WithoutPersonalData(event);
  facts = FoldMemberFacts(std::move(facts), kept);
  txn.Put(Family::kIndexes, FactsKey(county, member_id), facts.SerializeAsString());
  txn.Put(Family::kIndexes, EventKey(county, member_id, event.version()), kept.SerializeAsString());
  return absl::OkStatus();
}

absl::Status OversightProjection::ForEachMember(const std::string& area,
                                                std::optional<absl::CivilDay> as_of,
                                                const Visit& fn) const {
  absl::Status failure;
  if (!as_of.has_value()) {
    RETURN_IF_ERROR(store_->ScanPrefix(
        Family::kIndexes, AreaPrefix(kFacts, area),
        [&](const std::string& key, const std::string& value) {
          std::vector<std::string> parts = absl::StrSplit(key.substr(sizeof(kFacts) - 1), '/');
          MemberFacts facts;
          if (parts.size() != 2 || !facts.ParseFromString(value)) {
            failure = absl::DataLossError(absl::StrCat("oversight row ", key));
            return false;
          }
          fn(parts[0], parts[1], facts);
          return true;
        }));
    return failure;
  }
  // A past day: each member's dated events folded again up to it.
  std::string current;  // "<county>/<member>"
  std::vector<Event> log;
  auto flush = [&] {
    if (current.empty()) return;
    if (std::optional<MemberFacts> facts = FactsAsOf(log, *as_of); facts.has_value()) {
      const size_t slash = current.find('/');
      fn(current.substr(0, slash), current.substr(slash + 1), *facts);
    }
    log.clear();
  };
  RETURN_IF_ERROR(
      store_->ScanPrefix(Family::kIndexes, AreaPrefix(kEvents, area),
                         [&](const std::string& key, const std::string& value) {
                           const std::string rest = key.substr(sizeof(kEvents) - 1);
                           const size_t last = rest.rfind('/');
                           Event event;
                           if (last == std::string::npos || !event.ParseFromString(value)) {
                             failure = absl::DataLossError(absl::StrCat("oversight row ", key));
                             return false;
                           }
                           const std::string stream = rest.substr(0, last);
                           if (stream != current) {
                             flush();
                             current = stream;
                           }
                           log.push_back(std::move(event));
                           return true;
                         }));
  RETURN_IF_ERROR(failure);
  flush();
  return absl::OkStatus();
}

}  // namespace lianxin::oversight
