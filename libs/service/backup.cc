// Backups and the catch-up of a restored store (contract in backup.h).
#include "libs/service/backup.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/bus/topic_reader.h"
#include "libs/common/big_endian.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace lianxin {
namespace {

// Family::kApplied row of a copy not caught up yet: BE64(sequence) || hash.
constexpr char kRestorePendingKey[] = "restore/pending";
// What a copy's consumers find recorded as their cluster id: never a real
// one, so they read their topics again from the beginning (consumer.cc).
constexpr char kRestoredClusterId[] = "restored-from-backup";

absl::Status WriteManifest(const std::string& path, const EventStore& copy, const LogHead& head,
                           absl::Time taken_at) {
  const std::string text = absl::StrFormat(
      "{\"jurisdiction\": \"%s\", \"service\": \"%s\", \"sequence\": %d, \"hash\": \"%s\", "
      "\"taken_at\": \"%s\"}\n",
      copy.source().jurisdiction(), copy.source().service(), head.sequence,
      absl::BytesToHexString(head.hash),
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", taken_at, absl::UTCTimeZone()));
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("write ", path));
  ::chmod(path.c_str(), 0600);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BackupInfo> WriteBackup(EventStore& store, const std::string& backups_dir,
                                       const std::string& consumer_group, const Clock& clock) {
  std::error_code error;
  std::filesystem::create_directories(backups_dir, error);
  if (error) {
    return absl::UnavailableError(absl::StrCat("create ", backups_dir, ": ", error.message()));
  }
  ::chmod(backups_dir.c_str(), 0700);
  const absl::Time now = clock.Now();
  const std::string stamp = absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  const std::string partial = absl::StrCat(backups_dir, "/.partial-", stamp);
  std::filesystem::remove_all(partial, error);  // a copy an earlier crash left half-made
  RETURN_IF_ERROR(store.Checkpoint(partial));

  LogHead head;
  {
    EventStoreOptions options;
    options.path = partial;
    options.source = store.source();
    ASSIGN_OR_RETURN(std::unique_ptr<EventStore> copy, EventStore::Open(options));
    head = copy->Head();
    Transaction mark;
    mark.Put(Family::kApplied, kRestorePendingKey,
             absl::StrCat(BigEndian64(head.sequence), head.hash));
    mark.Put(Family::kApplied, absl::StrCat("consumer/", consumer_group, "/cluster_id"),
             kRestoredClusterId);
    RETURN_IF_ERROR(copy->ScanPrefix(Family::kApplied, "consumer/",
                                     [&](const std::string& key, const std::string&) {
                                       if (absl::EndsWith(key, "/cluster_id")) {
                                         mark.Put(Family::kApplied, key, kRestoredClusterId);
                                       }
                                       return true;
                                     }));
    RETURN_IF_ERROR(copy->Commit(std::move(mark)).status());
    RETURN_IF_ERROR(WriteManifest(absl::StrCat(partial, "/backup.json"), *copy, head, now));
  }
  ::chmod(partial.c_str(), 0700);
  const std::string final_path = absl::StrCat(backups_dir, "/", stamp, "-seq", head.sequence);
  std::filesystem::rename(partial, final_path, error);
  if (error) {
    return absl::UnavailableError(
        absl::StrCat("rename ", partial, " to ", final_path, ": ", error.message()));
  }
  return BackupInfo{final_path, std::move(head)};
}

absl::StatusOr<std::optional<LogHead>> PendingRestore(const EventStore& store) {
  absl::StatusOr<std::string> mark = store.Get(Family::kApplied, kRestorePendingKey);
  if (absl::IsNotFound(mark.status())) return std::nullopt;
  RETURN_IF_ERROR(mark.status());
  if (mark->size() != 8 + 32)
    return absl::DataLossError("the restore mark of the store is corrupt");
  std::optional<uint64_t> sequence = ParseBigEndian64(absl::string_view(*mark).substr(0, 8));
  if (!sequence.has_value()) {
    return absl::DataLossError("the restore mark of the store is corrupt");
  }
  return LogHead{*sequence, mark->substr(8)};
}

absl::StatusOr<ReingestPlan> CatchUpAfterRestore(EventStore& store, const Projector& projector,
                                                 const KafkaConfig& kafka,
                                                 const SignatureCheck& check_signature,
                                                 absl::Duration timeout) {
  ASSIGN_OR_RETURN(std::optional<LogHead> restored, PendingRestore(store));
  if (!restored.has_value()) return ReingestPlan();
  const LogHead head = store.Head();
  // A catch-up interrupted after its append left the mark: it goes on from the
  // head reached, which still continues the backup's.
  if (head.sequence < restored->sequence) {
    return absl::DataLossError(absl::StrCat("the store's log ends at ", head.sequence,
                                            ", before the backup's head ", restored->sequence));
  }
  const std::string topic = ServiceTopic(store.source());
  ASSIGN_OR_RETURN(std::vector<Event> events, ReadTopicEvents(kafka, topic, timeout));
  ASSIGN_OR_RETURN(ReingestPlan plan, PlanReingest(store.source(), head, events, check_signature));
  RETURN_IF_ERROR(store.AppendRecorded(plan.append, projector));
  Transaction done;
  done.Delete(Family::kApplied, kRestorePendingKey);
  RETURN_IF_ERROR(store.Commit(std::move(done)).status());
  return plan;
}

}  // namespace lianxin
