#include "services/appraisal/reactions.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/memberfacts/member_facts.h"
#include "services/appraisal/domain/roles.h"

namespace lianxin::appraisal {

namespace {

std::string Topic(const std::string& jurisdiction, const char* service) {
  Source source;
  source.set_jurisdiction(jurisdiction);
  source.set_service(service);
  return ServiceTopic(source);
}

bool IsConsumedContactPayload(const Event& event) {
  return event.has_contact_recorded() || event.has_lost_contact() || event.has_contact_resumed();
}

bool IsConsumedEducationPayload(const Event& event) {
  return event.has_attendance_recorded() || event.has_material_delivered();
}

}  // namespace

AppraisalReactions::AppraisalReactions(AppraisalProjection* projection)
    : projection_(*projection) {}

std::vector<std::string> AppraisalReactions::Topics(const std::string& jurisdiction) {
  return {Topic(jurisdiction, "registry"), Topic(jurisdiction, "contact"),
          Topic(jurisdiction, "education"), InboxTopic(jurisdiction)};
}

absl::Status AppraisalReactions::Apply(const Event& event, const std::string& topic,
                                       Transaction& txn) {
  const std::string& self = projection_.jurisdiction();
  const std::string& service = event.source().service();
  if (topic == InboxTopic(self)) {
    // Only notices of other counties' appraisal services concern us here.
    if (service != "appraisal" || !event.has_appraisal_notice_sent() ||
        event.source().jurisdiction() == self) {
      return absl::OkStatus();
    }
    return Record(event, txn);
  }
  if (event.source().jurisdiction() != self) return absl::OkStatus();
  if (service == "registry" && IsRegistryPayload(event)) {
    return Record(event, txn);
  }
  if (service == "contact" && IsConsumedContactPayload(event)) return Record(event, txn);
  if (service == "education" && IsConsumedEducationPayload(event)) return Record(event, txn);
  return absl::OkStatus();  // another payload of those services: not evidence
}

absl::Status AppraisalReactions::Record(const Event& event, Transaction& txn) {
  const std::string& member_id = event.aggregate_id();
  if (member_id.empty() || IsCycleId(member_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.event_id(), " (", event.type(), ") names no member"));
  }
  ASSIGN_OR_RETURN(std::optional<LoadedMember> loaded, projection_.Load(member_id));
  LoadedMember before = loaded.has_value() ? *std::move(loaded) : LoadedMember{member_id, {}, 0};
  if (event.has_appraisal_notice_sent()) {
    RETURN_IF_ERROR(MaySendNotice(before.facts.registry(), event));
  }
  // The same payload and domain envelope in this log; the store stamps the rest.
  Event recorded = event;
  recorded.clear_event_id();
  recorded.clear_source();
  recorded.clear_aggregate_id();
  recorded.clear_version();
  recorded.clear_sequence();
  recorded.clear_recorded_at();
  recorded.clear_prev_hash();
  recorded.clear_hash();
  recorded.clear_route_version();
  recorded.clear_routed_to();  // the deciding county routed it already
  recorded.clear_also_to();
  recorded.set_causation_id(event.event_id());
  projection_.Stage(txn, before, {std::move(recorded)});
  return absl::OkStatus();
}

}  // namespace lianxin::appraisal
