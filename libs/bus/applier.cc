#include "libs/bus/applier.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/bus/payload_validation.h"
#include "libs/bus/wire.h"
#include "libs/common/log.h"
#include "prometheus/counter.h"

namespace lianxin {
namespace {

bool IsRefusal(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ||
         status.code() == absl::StatusCode::kFailedPrecondition ||
         status.code() == absl::StatusCode::kPermissionDenied;  // a role rule (trust.h)
}

// Returns OK if the envelope is one a lianxin store wrote, else why not.
absl::Status ValidateEnvelope(const Event& event, StreamOrder order) {
  if (event.source().jurisdiction().empty())
    return absl::InvalidArgumentError("no source jurisdiction");
  if (event.source().service().empty()) return absl::InvalidArgumentError("no source service");
  if (event.aggregate_id().empty()) return absl::InvalidArgumentError("no aggregate_id");
  if (event.version() < 1) return absl::InvalidArgumentError("version 0");
  if (order == StreamOrder::kRouteVersion && event.route_version() < 1) {
    return absl::InvalidArgumentError("inbox copy without route_version");
  }
  if (event.hash() != ComputeEventHash(event)) return absl::InvalidArgumentError("hash mismatch");
  return absl::OkStatus();
}

// The kParked key of the event numbered `number` of the stream whose marker
// is `marker_key`.
std::string ParkedKey(const std::string& marker_key, uint64_t number) {
  return absl::StrCat(marker_key, BigEndian64(number));
}

// How often the quarantine is looked at for rows past their age when no cap
// forces it.
constexpr absl::Duration kRetentionInterval = absl::Hours(1);

}  // namespace

std::string SourceOfMarkerKey(absl::string_view marker_key) {
  const std::vector<absl::string_view> parts = absl::StrSplit(marker_key, absl::MaxSplits('/', 2));
  if (parts.size() < 3 || (parts[0] != "ver" && parts[0] != "route")) return "";
  return std::string(parts[1]);
}

std::string QuarantineKey(const std::string& topic, int32_t partition, int64_t offset) {
  return absl::StrFormat("%s/%d/%020d", topic, partition, offset);
}

ConsumedMessage DecodeMessage(std::string topic, int32_t partition, int64_t offset,
                              std::string value) {
  ConsumedMessage message{std::move(topic), partition, offset, std::move(value), std::nullopt};
  Event event;
  if (!message.value.empty() &&
      event.ParseFromArray(message.value.data(), static_cast<int>(message.value.size()))) {
    message.event = std::move(event);
  }
  return message;
}

bool MessageApplier::ApplyUntilDone(const ConsumedMessage& message, const RetryControl& control) {
  absl::Duration backoff = options_.min_backoff;
  int conflicts = 0;
  for (;;) {
    const ApplyOutcome outcome = Apply(message);
    if (outcome == ApplyOutcome::kDone) return true;
    retries_.fetch_add(1);
    if (control.stopping()) return false;
    // Another stream's effect on the same aggregate won the race: the next
    // attempt reads the new version, no need to wait.
    if (outcome == ApplyOutcome::kConflict && ++conflicts <= 3) continue;
    control.wait(backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

ApplyOutcome MessageApplier::Apply(const ConsumedMessage& message) {
  messages_.fetch_add(1);
  const Origin origin{message.topic, message.partition, message.offset};
  const absl::string_view value = message.value;
  if (!message.event.has_value()) {
    return Quarantine(origin, value, "undecodable event", Transaction());
  }
  const Event& event = *message.event;
  const StreamOrder order = StreamOrderOf(origin.topic);
  if (absl::Status valid = ValidateEnvelope(event, order); !valid.ok()) {
    return Quarantine(origin, value, absl::StrCat("invalid envelope: ", valid.message()),
                      Transaction());
  }
  if (options_.gate != nullptr) {
    if (std::optional<Refused> refused = options_.gate->Check(event, origin.topic)) {
      return Refuse(origin, value, *refused);
    }
  }
  // The same field checks as the gRPC edge, before any marker is read: an
  // invalid payload spends no number a genuine event needs.
  if (absl::Status valid = ValidatePayload(event); !valid.ok()) {
    return Refuse(origin, value, {Refusal::kInvalidPayload, std::string(valid.message())});
  }
  const std::string marker_key = AppliedMarkerKey(order, origin.topic, event);
  const uint64_t number = StreamNumber(order, event);
  absl::StatusOr<uint64_t> marker = ReadMarker(marker_key);
  if (!marker.ok()) return ApplyOutcome::kRetry;
  if (number <= *marker) {
    duplicates_.fetch_add(1);
    // Successors parked before a crash (or a failed unparking) go on now.
    return order == StreamOrder::kIncreasingVersion ? ApplyOutcome::kDone
                                                    : ApplyParkedSuccessors(marker_key, *marker);
  }
  if (number > *marker + 1 && order != StreamOrder::kIncreasingVersion) {
    return Park(origin, value, marker_key, number, *marker);
  }
  if (ApplyOutcome applied = ApplyInOrder(event, origin, value, marker_key, number);
      applied != ApplyOutcome::kDone) {
    return applied;
  }
  if (order == StreamOrder::kIncreasingVersion) return ApplyOutcome::kDone;
  // The message's effect is committed; if unparking fails, the message comes
  // again as a duplicate, which unparks again.
  return ApplyParkedSuccessors(marker_key, number);
}

ConsumerStats MessageApplier::stats() const {
  ConsumerStats s;
  s.messages = messages_.load();
  s.applied = applied_.load();
  s.duplicates = duplicates_.load();
  s.parked = parked_.load();
  s.quarantined = quarantined_.load();
  s.retries = retries_.load();
  s.quarantine_dropped = quarantine_dropped_.load();
  return s;
}

// Applies `event`, the stream's next one, with its marker in one commit.
ApplyOutcome MessageApplier::ApplyInOrder(const Event& event, const Origin& origin,
                                          absl::string_view value, const std::string& marker_key,
                                          uint64_t number) {
  Transaction txn;
  absl::Status status = options_.handler->Apply(event, origin.topic, txn);
  if (IsRefusal(status)) {
    Transaction refusal;
    refusal.Put(Family::kApplied, marker_key, BigEndian64(number));
    refusal.Delete(Family::kParked, ParkedKey(marker_key, number));
    const ApplyOutcome outcome = Quarantine(
        origin, value, absl::StrCat("handler refused: ", status.ToString()), std::move(refusal));
    if (std::optional<Refusal> reason = RefusalOfHandler(status);
        reason.has_value() && outcome == ApplyOutcome::kDone && options_.metrics != nullptr) {
      options_.metrics->CountRefused(origin.topic, std::string(RefusalName(*reason)));
    }
    return outcome;
  }
  if (absl::IsAborted(status)) return ApplyOutcome::kConflict;
  if (!status.ok()) {
    LogWarning("consumer handler failed, will retry", {{"topic", origin.topic},
                                                       {"stream", marker_key},
                                                       {"number", absl::StrCat(number)},
                                                       {"error", status.ToString()}});
    return ApplyOutcome::kRetry;
  }
  txn.Put(Family::kApplied, marker_key, BigEndian64(number));
  // A copy of this event may have been parked before (redelivered early).
  txn.Delete(Family::kParked, ParkedKey(marker_key, number));
  if (ApplyOutcome committed = Commit(std::move(txn), "apply"); committed != ApplyOutcome::kDone) {
    return committed;
  }
  applied_.fetch_add(1);
  return ApplyOutcome::kDone;
}

// Applies parked events marker+1, marker+2, ... while they are there.
ApplyOutcome MessageApplier::ApplyParkedSuccessors(const std::string& marker_key, uint64_t marker) {
  for (uint64_t next = marker + 1;; ++next) {
    absl::StatusOr<std::string> bytes =
        options_.store->Get(Family::kParked, ParkedKey(marker_key, next));
    if (absl::IsNotFound(bytes.status())) return ApplyOutcome::kDone;
    if (!bytes.ok()) return ApplyOutcome::kRetry;
    QuarantineRow row;
    Event event;
    if (!row.ParseFromString(*bytes) || !event.ParseFromString(row.value())) {
      // Cannot happen for rows this consumer wrote; do not block the stream on it.
      LogError("consumer dropped an unreadable parked row", {{"stream", marker_key}});
      Transaction txn;
      txn.Delete(Family::kParked, ParkedKey(marker_key, next));
      if (Commit(std::move(txn), "drop parked") != ApplyOutcome::kDone) {
        return ApplyOutcome::kRetry;
      }
      ReleaseParked(SourceOfMarkerKey(marker_key));
      return ApplyOutcome::kDone;
    }
    const Origin origin{row.topic(), row.partition(), row.offset()};
    if (ApplyOutcome applied = ApplyInOrder(event, origin, row.value(), marker_key, next);
        applied != ApplyOutcome::kDone) {
      return applied;
    }
    ReleaseParked(SourceOfMarkerKey(marker_key));
  }
}

ApplyOutcome MessageApplier::Park(const Origin& origin, absl::string_view value,
                                  const std::string& marker_key, uint64_t number, uint64_t marker) {
  const std::string key = ParkedKey(marker_key, number);
  absl::StatusOr<std::string> held = options_.store->Get(Family::kParked, key);
  if (held.ok()) return ApplyOutcome::kDone;  // a copy waits already
  if (!absl::IsNotFound(held.status())) return ApplyOutcome::kRetry;
  const std::string source = SourceOfMarkerKey(marker_key);
  absl::Status counted;
  if (!ReserveParked(source, &counted)) {
    if (!counted.ok()) return ApplyOutcome::kRetry;
    return Refuse(origin, value,
                  {Refusal::kParkedCap,
                   absl::StrCat(source, " has ", options_.limits.max_parked_per_source,
                                " events parked; ", number, " would wait for ", marker + 1)});
  }
  Transaction txn;
  txn.Put(
      Family::kParked, key,
      MakeRow(origin, value, absl::StrCat("parked: waiting for ", marker + 1)).SerializeAsString());
  if (Commit(std::move(txn), "park") != ApplyOutcome::kDone) {
    ReleaseParked(source);
    return ApplyOutcome::kRetry;
  }
  parked_.fetch_add(1);
  return ApplyOutcome::kDone;
}

bool MessageApplier::ReserveParked(const std::string& source, absl::Status* status) {
  absl::MutexLock lock(&mu_);
  auto it = parked_by_source_.find(source);
  if (it == parked_by_source_.end()) {
    uint64_t rows = 0;
    for (const std::string& prefix :
         {absl::StrCat("ver/", source, "/"), absl::StrCat("route/", source, "/")}) {
      *status = options_.store->ScanPrefix(Family::kParked, prefix,
                                           [&](const std::string&, const std::string&) {
                                             ++rows;
                                             return true;
                                           });
      if (!status->ok()) return false;
    }
    it = parked_by_source_.emplace(source, rows).first;
  }
  if (it->second >= options_.limits.max_parked_per_source) return false;
  ++it->second;
  return true;
}

void MessageApplier::ReleaseParked(const std::string& source) {
  absl::MutexLock lock(&mu_);
  // Not counted yet: the count, when made, will not include the row.
  auto it = parked_by_source_.find(source);
  if (it != parked_by_source_.end() && it->second > 0) --it->second;
}

void MessageApplier::RetainQuarantine() {
  const QueueLimits& limits = options_.limits;
  const absl::Time now = options_.clock->Now();
  {
    absl::MutexLock lock(&mu_);
    if (quarantine_rows_ >= 0) ++quarantine_rows_;
    const bool over_cap = quarantine_rows_ > static_cast<int64_t>(limits.max_quarantined);
    const bool due = quarantine_rows_ < 0 || now - last_retention_ >= kRetentionInterval;
    if (retaining_ || (!over_cap && !due)) return;
    retaining_ = true;
    last_retention_ = now;
  }
  // Every row's age; the oldest go first. A cap forces it down a tenth below,
  // so that a flood does not make every quarantine scan the family.
  std::vector<std::pair<int64_t, std::string>> rows;
  absl::Status scanned = options_.store->ScanPrefix(
      Family::kQuarantine, "", [&](const std::string& key, const std::string& value) {
        QuarantineRow row;
        rows.emplace_back(row.ParseFromString(value) ? row.quarantined_at().seconds() : 0, key);
        return true;
      });
  uint64_t dropped = 0;
  if (scanned.ok()) {
    std::sort(rows.begin(), rows.end());
    const int64_t oldest_kept = absl::ToUnixSeconds(now - limits.quarantine_retention);
    const uint64_t keep = rows.size() > limits.max_quarantined
                              ? limits.max_quarantined - limits.max_quarantined / 10
                              : rows.size();
    Transaction txn;
    for (const auto& [seconds, key] : rows) {
      if (seconds >= oldest_kept && rows.size() - dropped <= keep) break;
      txn.Delete(Family::kQuarantine, key);
      ++dropped;
    }
    if (dropped > 0 && Commit(std::move(txn), "drop quarantined") != ApplyOutcome::kDone) {
      dropped = 0;
    }
  }
  if (dropped > 0) {
    quarantine_dropped_.fetch_add(dropped);
    if (options_.metrics != nullptr) {
      // lianxin_quarantine_dropped_total: one family per registry (merged
      // when several consumers of a process share it).
      prometheus::BuildCounter()
          .Name("lianxin_quarantine_dropped_total")
          .Help("Quarantined messages dropped past the cap or the age")
          .Register(*options_.metrics->registry())
          .Add({})
          .Increment(static_cast<double>(dropped));
    }
    LogWarning("consumer dropped quarantined messages past the cap or the age",
               {{"dropped", absl::StrCat(dropped)}, {"kept", absl::StrCat(rows.size() - dropped)}});
  }
  absl::MutexLock lock(&mu_);
  retaining_ = false;
  if (scanned.ok()) quarantine_rows_ = static_cast<int64_t>(rows.size() - dropped);
}

// Commits `txn` (which may already hold marker writes) plus a quarantine row.
ApplyOutcome MessageApplier::Quarantine(const Origin& origin, absl::string_view value,
                                        const std::string& reason, Transaction txn) {
  LogWarning("consumer quarantined a message", {{"topic", origin.topic},
                                                {"partition", absl::StrCat(origin.partition)},
                                                {"offset", absl::StrCat(origin.offset)},
                                                {"reason", reason}});
  txn.Put(Family::kQuarantine, QuarantineKey(origin.topic, origin.partition, origin.offset),
          MakeRow(origin, value, reason).SerializeAsString());
  if (Commit(std::move(txn), "quarantine") != ApplyOutcome::kDone) return ApplyOutcome::kRetry;
  quarantined_.fetch_add(1);
  if (options_.metrics != nullptr) options_.metrics->CountQuarantined(origin.topic);
  RetainQuarantine();
  return ApplyOutcome::kDone;
}

// Quarantines an event the gate refused, counted by reason; no marker moves.
ApplyOutcome MessageApplier::Refuse(const Origin& origin, absl::string_view value,
                                    const Refused& refused) {
  const ApplyOutcome outcome = Quarantine(
      origin, value, absl::StrCat("refused (", RefusalName(refused.reason), "): ", refused.detail),
      Transaction());
  if (outcome == ApplyOutcome::kDone && options_.metrics != nullptr) {
    options_.metrics->CountRefused(origin.topic, std::string(RefusalName(refused.reason)));
  }
  return outcome;
}

ApplyOutcome MessageApplier::Commit(Transaction txn, const char* what) {
  absl::StatusOr<CommitResult> result = options_.store->Commit(std::move(txn));
  if (result.ok()) return ApplyOutcome::kDone;
  // Another stream's effect on one of the aggregates committed first.
  if (absl::IsAborted(result.status())) return ApplyOutcome::kConflict;
  LogWarning("consumer commit failed, will retry",
             {{"what", what}, {"error", result.status().ToString()}});
  return ApplyOutcome::kRetry;
}

absl::StatusOr<uint64_t> MessageApplier::ReadMarker(const std::string& key) const {
  absl::StatusOr<std::string> bytes = options_.store->Get(Family::kApplied, key);
  if (absl::IsNotFound(bytes.status())) return 0;
  if (!bytes.ok()) {
    LogWarning("consumer could not read a marker",
               {{"key", key}, {"error", bytes.status().ToString()}});
    return bytes.status();
  }
  std::optional<uint64_t> n = ParseBigEndian64(*bytes);
  if (!n.has_value()) return absl::DataLossError(absl::StrCat("marker ", key, " is not 8 bytes"));
  return *n;
}

QuarantineRow MessageApplier::MakeRow(const Origin& origin, absl::string_view value,
                                      const std::string& reason) const {
  QuarantineRow row;
  row.set_topic(origin.topic);
  row.set_partition(origin.partition);
  row.set_offset(origin.offset);
  row.set_reason(reason);
  row.set_value(std::string(value));
  const absl::Time now = options_.clock->Now();
  row.mutable_quarantined_at()->set_seconds(absl::ToUnixSeconds(now));
  row.mutable_quarantined_at()->set_nanos(static_cast<int32_t>(
      (now - absl::FromUnixSeconds(absl::ToUnixSeconds(now))) / absl::Nanoseconds(1)));
  return row;
}

}  // namespace lianxin
