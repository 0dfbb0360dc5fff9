#include "tools/chaos/verdict.h"

#include <map>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/eventstore/event_store.h"

namespace lianxin::chaos {

Findings CheckLog(const std::vector<Command>& commands, const std::vector<LoggedEvent>& log) {
  // The events of each command, and how often each consumed event's effect shows.
  std::map<std::string, std::vector<const LoggedEvent*>> by_request;
  std::map<std::tuple<std::string, std::string, std::string>, int> effects;
  for (const LoggedEvent& e : log) {
    if (e.causation_id.empty()) {
      by_request[e.correlation_id].push_back(&e);
    } else {
      ++effects[{e.causation_id, e.aggregate_id, e.type}];
    }
  }
  // True if the events were written by one commit.
  auto one_commit = [](const std::vector<const LoggedEvent*>& events) {
    std::set<std::pair<std::string, std::string>> seen;
    for (size_t i = 0; i < events.size(); ++i) {
      if (i > 0 && events[i]->sequence != events[i - 1]->sequence + 1) return false;
      if (!seen.insert({events[i]->aggregate_id, events[i]->type}).second) return false;
    }
    return true;
  };

  Findings f;
  for (const Command& c : commands) {
    const std::string name = absl::StrCat(c.rpc, " ", c.request_id, " at ", c.county);
    auto it = by_request.find(c.request_id);
    const std::vector<const LoggedEvent*> none;
    const std::vector<const LoggedEvent*>& events = it == by_request.end() ? none : it->second;
    switch (c.outcome) {
      case Command::Outcome::kAcked:
        if (events.empty()) {
          f.lost.push_back(absl::StrCat(name, ": acknowledged, not in the log"));
        } else if (!one_commit(events)) {
          f.duplicated.push_back(absl::StrCat(name, ": ", events.size(),
                                              " events, not one commit (first at sequence ",
                                              events.front()->sequence, ")"));
        }
        break;
      case Command::Outcome::kUnanswered:
        if (!events.empty() && !one_commit(events)) {
          f.duplicated.push_back(absl::StrCat(name, ": unanswered, and written more than once"));
        }
        break;
      case Command::Outcome::kRefused:
        if (!events.empty()) {
          f.written_though_refused.push_back(absl::StrCat(name, ": refused (", c.detail, ") but ",
                                                          events.size(), " events written"));
        }
        break;
    }
  }
  for (const auto& [effect, count] : effects) {
    if (count > 1) {
      const auto& [cause, aggregate, type] = effect;
      f.duplicated.push_back(
          absl::StrCat(type, " on ", aggregate, " caused by ", cause, ": ", count, " times"));
    }
  }
  return f;
}

QuarantineFindings CheckQuarantine(const std::vector<QuarantinedMessage>& quarantined,
                                   const std::vector<QuarantinedMessage>& injected) {
  const std::set<QuarantinedMessage> expected(injected.begin(), injected.end());
  std::set<QuarantinedMessage> seen;
  QuarantineFindings f;
  auto name = [](const QuarantinedMessage& m) {
    return absl::StrCat(m.topic, "/", m.partition, "@", m.offset);
  };
  for (const QuarantinedMessage& m : quarantined) {
    if (expected.contains(m)) {
      seen.insert(m);
    } else {
      f.unexpected.push_back(name(m));
    }
  }
  for (const QuarantinedMessage& m : expected) {
    if (!seen.contains(m)) f.missed.push_back(name(m));
  }
  return f;
}

std::string RefusalOfReason(const std::string& reason) {
  if (reason == "parked" || absl::StartsWith(reason, "parked: ")) return "parked";
  // The gate's: "refused (<name>): detail".
  if (absl::StartsWith(reason, "refused (")) {
    const size_t end = reason.find(')');
    if (end != std::string::npos) return reason.substr(9, end - 9);
  }
  // A handler's: "handler refused: <CODE>: message".
  if (absl::StartsWith(reason, "handler refused: PERMISSION_DENIED")) return "role";
  if (absl::StartsWith(reason, "handler refused: INVALID_ARGUMENT")) return "invalid_payload";
  return "other";
}

ForgeryFindings CheckForgeries(const std::vector<ExpectedRefusal>& forged,
                               const std::vector<HeldMessage>& held,
                               const std::vector<LoggedEvent>& logs) {
  std::map<QuarantinedMessage, std::set<std::string>> refusals;
  for (const HeldMessage& h : held) refusals[h.where].insert(RefusalOfReason(h.reason));
  std::map<std::string, const ExpectedRefusal*> by_id;
  for (const ExpectedRefusal& f : forged) by_id[f.event_id] = &f;
  ForgeryFindings findings;
  for (const LoggedEvent& e : logs) {
    auto it = by_id.find(e.causation_id);
    if (it == by_id.end()) continue;
    findings.applied.push_back(absl::StrCat(it->second->what, " (", it->second->event_id,
                                            "): its effect ", e.type, " on ", e.aggregate_id,
                                            " at sequence ", e.sequence));
  }
  for (const ExpectedRefusal& f : forged) {
    const std::set<std::string>& seen = refusals[f.where];
    const bool judged = f.expected == "parked"
                            ? seen.contains("parked") || seen.contains("parked_cap")
                            : seen.contains(f.expected);
    if (judged) {
      ++findings.held_by_refusal[f.expected == "parked" && !seen.contains("parked")
                                     ? std::string("parked_cap")
                                     : f.expected];
      continue;
    }
    findings.misjudged.push_back(
        absl::StrCat(f.what, " (", f.event_id, ") at ", f.where.topic, "/", f.where.partition, "@",
                     f.where.offset, ": expected ", f.expected, ", held as ",
                     seen.empty() ? std::string("nothing") : absl::StrJoin(seen, ", ")));
  }
  return findings;
}

absl::StatusOr<StoreContents> ReadStore(const std::string& data_dir, const std::string& county,
                                        const std::string& service, bool with_log) {
  EventStoreOptions options;
  options.path = absl::StrCat(data_dir, "/", service);
  options.source.set_jurisdiction(county);
  options.source.set_service(service);
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  if (!store.ok()) return store.status();
  StoreContents contents;
  if (with_log) {
    absl::Status scanned = (*store)->ScanLog(1, [&](const Event& e) {
      contents.log.push_back(
          {e.sequence(), e.aggregate_id(), e.type(), e.correlation_id(), e.causation_id()});
      return true;
    });
    if (!scanned.ok()) return scanned;
  }
  absl::Status scanned =
      (*store)->ScanPrefix(Family::kQuarantine, "", [&](const std::string&, const std::string& v) {
        QuarantineRow row;
        if (row.ParseFromString(v)) {
          contents.quarantined.push_back({row.topic(), row.partition(), row.offset()});
          contents.held.push_back({contents.quarantined.back(), row.reason()});
        }
        return true;
      });
  if (!scanned.ok()) return scanned;
  scanned =
      (*store)->ScanPrefix(Family::kParked, "", [&](const std::string&, const std::string& v) {
        QuarantineRow row;
        if (row.ParseFromString(v)) {
          contents.held.push_back({{row.topic(), row.partition(), row.offset()}, "parked"});
        }
        return true;
      });
  if (!scanned.ok()) return scanned;
  absl::StatusOr<std::pair<uint64_t, absl::Time>> outbox = (*store)->OutboxStats();
  if (!outbox.ok()) return outbox.status();
  contents.outbox_rows = outbox->first;
  return contents;
}

}  // namespace lianxin::chaos
