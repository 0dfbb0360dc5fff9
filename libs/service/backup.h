// Backups of a service's store, and what a store restored from one does
// before it serves (docs/operations.md, "Back up and restore").
//
// A backup is a RocksDB checkpoint of the running store (a consistent cut at a
// commit boundary; commits go on meanwhile) in a directory of its own,
// `<backups>/<UTC time>-seq<N>/`, owner-only, with `backup.json` naming the log
// head it holds (sequence and hash). The copy is marked "restored, not caught
// up": whoever starts a service on it (after copying it back into place) gets a
// service that first takes back, from its own service topic, every event it
// published after the backup (checked: the chain continues, the county's
// signature holds; reingest.h), appends them as they were, and only then
// consumes or serves. The copy's consumer cluster ids are reset too, so its
// consumers read their topics again from the beginning and the markers (those
// of the backup, moved on by the events taken back) decide what is applied
// again: whatever the backup missed, nothing twice.
//
//   RunService: SIGUSR1 -> WriteBackup(store, "<data_dir>/backups/<service>", ...)
//   start:      if (PendingRestore(store)) CatchUpAfterRestore(store, projector, ...)
#ifndef LIANXIN_LIBS_SERVICE_BACKUP_H_
#define LIANXIN_LIBS_SERVICE_BACKUP_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/bus/kafka_config.h"
#include "libs/common/clock.h"
#include "libs/eventstore/event_store.h"
#include "libs/eventstore/projector.h"
#include "libs/eventstore/reingest.h"

namespace lianxin {

struct BackupInfo {
  std::string path;  // the backup's directory
  LogHead head;      // the log head it holds
};

// Writes a backup of `store` (running) into a new directory under
// `backups_dir` (created 0700 if missing). `consumer_group` is the service's
// consumer group, whose recorded cluster id the copy forgets. Returns
// UNAVAILABLE if the file system refuses.
absl::StatusOr<BackupInfo> WriteBackup(EventStore& store, const std::string& backups_dir,
                                       const std::string& consumer_group, const Clock& clock);

// The head `store` was restored at if it was restored from a backup and has
// not caught up yet, else nullopt.
absl::StatusOr<std::optional<LogHead>> PendingRestore(const EventStore& store);

// Takes back from `store`'s service topic the events it published after the
// backup (PlanReingest), appends them (EventStore::AppendRecorded) and clears
// the restore mark. Returns FAILED_PRECONDITION with PlanReingest's reason if
// the topic does not continue the log (the service must not start), or the
// topic read's error (UNAVAILABLE, DEADLINE_EXCEEDED: try again).
absl::StatusOr<ReingestPlan> CatchUpAfterRestore(EventStore& store, const Projector& projector,
                                                 const KafkaConfig& kafka,
                                                 const SignatureCheck& check_signature,
                                                 absl::Duration timeout);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_SERVICE_BACKUP_H_
