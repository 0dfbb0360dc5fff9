// The re-ingest decision (contract in reingest.h).
#include "libs/eventstore/reingest.h"

#include <map>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace lianxin {
namespace {

constexpr char kRefusal[] = "the restored store cannot take back its later events: ";

std::string Short(const std::string& hash) { return absl::BytesToHexString(hash).substr(0, 16); }

}  // namespace

absl::StatusOr<ReingestPlan> PlanReingest(const Source& source, const LogHead& restored,
                                          const std::vector<Event>& topic_events,
                                          const SignatureCheck& check_signature) {
  ReingestPlan plan;
  std::map<uint64_t, const Event*> later;  // sequence -> the genuine event
  for (const Event& event : topic_events) {
    if (event.source().jurisdiction() != source.jurisdiction() ||
        event.source().service() != source.service() || event.sequence() == 0 ||
        ComputeEventHash(event) != event.hash() ||
        (check_signature && !check_signature(event).ok())) {
      ++plan.not_ours;
      continue;
    }
    if (event.sequence() <= restored.sequence) {
      if (event.sequence() == restored.sequence && event.hash() != restored.hash) {
        return absl::FailedPreconditionError(absl::StrCat(
            kRefusal, "the topic's event at the backup's head, sequence ", event.sequence(),
            " (hash ", Short(event.hash()), "…), is not the backup's (hash ", Short(restored.hash),
            "…): the backup is not of this log"));
      }
      ++plan.already_held;
      continue;
    }
    auto [it, inserted] = later.emplace(event.sequence(), &event);
    if (inserted) continue;
    if (it->second->hash() != event.hash()) {
      return absl::FailedPreconditionError(
          absl::StrCat(kRefusal, "two different events signed by this log at sequence ",
                       event.sequence(), " (hashes ", Short(it->second->hash()), "… and ",
                       Short(event.hash()), "…): the log was forked"));
    }
    ++plan.duplicates;
  }
  uint64_t expected = restored.sequence + 1;
  std::string prev_hash = restored.hash;
  for (const auto& [sequence, event] : later) {
    if (sequence != expected) {
      return absl::FailedPreconditionError(
          absl::StrCat(kRefusal, "sequence ", expected, " is missing from the topic, which holds ",
                       sequence, " to ", later.rbegin()->first,
                       ": appending those would leave a gap, and starting "
                       "without them would reuse their sequences"));
    }
    if (event->prev_hash() != prev_hash) {
      return absl::FailedPreconditionError(absl::StrCat(
          kRefusal, "the topic's event at sequence ", sequence, " (event_id \"", event->event_id(),
          "\") does not chain onto sequence ", sequence - 1, ": its prev_hash is ",
          Short(event->prev_hash()), "…, the log's hash there is ", Short(prev_hash), "…"));
    }
    Event appended = *event;
    appended.clear_route_version();
    plan.append.push_back(std::move(appended));
    prev_hash = event->hash();
    ++expected;
  }
  return plan;
}

}  // namespace lianxin
