#include "libs/service/command.h"

#include "absl/time/clock.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/current_rpc.h"
#include "libs/service/idempotency.h"

namespace lianxin {

bool UnitOfWork::HasWrites() const {
  if (!also_.empty()) return true;
  for (const auto& [id, entry] : entries_) {
    if (entry->changed()) return true;
  }
  return false;
}

void UnitOfWork::Stage(Transaction& txn) {
  for (auto& [id, entry] : entries_) {
    if (entry->changed()) entry->Stage(txn, id);
  }
  for (auto& write : also_) write(txn);
  entries_.clear();
  also_.clear();
}

CommandKernel::CommandKernel(EventStore* store, std::function<void()> after_commit)
    : store_(store), after_commit_(std::move(after_commit)) {}

absl::Status CommandKernel::Run(const Command& command,
                                absl::FunctionRef<absl::Status(UnitOfWork&)> decide) const {
  const bool idempotent = !command.request_id.empty();
  const CurrentRpc* rpc = CurrentRpcCall();
  Metrics* metrics = rpc != nullptr ? rpc->metrics : nullptr;
  if (metrics != nullptr) metrics->ObserveCommandStage(kStageQueued, rpc->queued);
  IdempotencyKey key;
  if (idempotent) {
    if (command.reply == nullptr)
      return absl::InternalError("a command with a request_id needs a reply");
    ASSIGN_OR_RETURN(key, IdempotencyKeyOfCurrentRpc(command.method, command.request_id));
    ASSIGN_OR_RETURN(bool replayed, ReplayReply(*store_, key, command.reply));
    if (replayed) return absl::OkStatus();  // the first reply, nothing changed
  }
  for (int attempt = 0;; ++attempt) {
    if (command.reply != nullptr) command.reply->Clear();
    UnitOfWork work;
    const absl::Time decide_start = absl::Now();
    absl::Status decided = decide(work);
    if (metrics != nullptr) {
      metrics->ObserveCommandStage(kStageLoad, work.load_time());
    }
    RETURN_IF_ERROR(decided);
    if (!idempotent && !work.HasWrites()) return absl::OkStatus();
    Transaction txn;
    work.Stage(txn);
    if (idempotent) {
      txn.SetIdempotencyKey(key.key, IdempotencyRecord(key, *command.reply));
    }
    if (metrics != nullptr) {
      metrics->ObserveCommandStage(kStageDecide, absl::Now() - decide_start - work.load_time());
    }
    absl::StatusOr<CommitResult> result = store_->Commit(std::move(txn));
    if (absl::IsAborted(result.status()) && attempt < command.retries) {
      continue;  // another writer changed one of the aggregates first: decide again
    }
    RETURN_IF_ERROR(result.status());
    if (result->duplicate) {
      // The same key committed meanwhile (a concurrent retry): its reply, or
      // INVALID_ARGUMENT if that request had other content.
      return ReplayReply(*store_, key, command.reply).status();
    }
    if (rpc != nullptr) rpc->committed_at = absl::Now();
    if (after_commit_) after_commit_();
    return absl::OkStatus();
  }
}

absl::Status CheckExpectedVersion(uint64_t expected_version, const std::string& member_id,
                                  uint64_t version) {
  if (expected_version != 0 && expected_version != version) {
    return absl::AbortedError(absl::StrCat("expected_version: ", expected_version, " but member ",
                                           member_id, " is at version ", version));
  }
  return absl::OkStatus();
}

}  // namespace lianxin
