// The command kernel: the one loop every command of every service runs.
//
//   replay the reply of a known request_id (keyed by principal, method and
//     request_id; the same id with other content: INVALID_ARGUMENT; records
//     expire, libs/service/idempotency.h)
//   → load the aggregates (UnitOfWork::Get) → decide → evolve (UnitOfWork::Add
//     stamps each event with its aggregate and folds it into the state)
//   → stage (events, states, index rows, the idempotency record) → commit
//   → on ABORTED (another writer committed first) all of it again
//   → reply → after-commit hook (wakes the outbox relay).
// Under an RPC with metrics (CurrentRpc::metrics) each stage is observed in
// lianxin_command_stage_seconds: queued, load, decide (here), the two commit
// stages (the store), reply (the RPC layer, from CurrentRpc::committed_at).
//
// A service describes each kind of aggregate it keeps once (AggregateKind:
// load, evolve, stage) and writes each command as one function of a
// UnitOfWork:
//
//   return kernel_.Run({.method = "/lianxin.v1.Registry/RecordReturn",
//                       .request_id = request.request_id(), .reply = reply},
//                      [&](UnitOfWork& work) -> absl::Status {
//                        ASSIGN_OR_RETURN(auto* member, work.Get(members_, request.member_id()));
//                        ... NOT_FOUND, expected_version ...
//                        ASSIGN_OR_RETURN(Events events, DecideRecordReturn(member->state, ...));
//                        RETURN_IF_ERROR(work.Add(members_, request.member_id(), events).status());
//                        reply->set_version(member->version());
//                        return absl::OkStatus();
//                      });
//
// The checks before it are the same for every RPC, in this order:
// authenticate (UnaryService), validate the request's fields, authorize the
// caller (ServiceCounty), then the kernel loads and decides.
#ifndef LIANXIN_LIBS_SERVICE_COMMAND_H_
#define LIANXIN_LIBS_SERVICE_COMMAND_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "lianxin/v1/events.pb.h"
#include "libs/domain/decision.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

// An aggregate's state as stored, and its version (0: it does not exist yet).
template <class State>
struct Loaded {
  State state;
  uint64_t version = 0;
};

// How a service keeps one kind of aggregate.
template <class State>
struct AggregateKind {
  // The aggregate's state and version ({State(), 0} if none).
  std::function<absl::StatusOr<Loaded<State>>(const std::string& id)> load;
  // The state after one event (already stamped with its aggregate id).
  std::function<State(State state, const lianxin::v1::Event& event)> evolve;
  // Adds to the transaction the append of `events` to the aggregate (at
  // before.version), its state after, and the index rows that changed.
  std::function<void(Transaction& txn, const std::string& id, const Loaded<State>& before,
                     Events events, const State& after)>
      stage;
};

// The aggregates one command reads and changes: each loaded once, evolved as
// its events are added, all staged together (each at the version it was
// loaded at) in one Transaction, so a concurrent change to any of them
// aborts the commit.
class UnitOfWork {
 public:
  template <class State>
  struct Pending {
    Loaded<State> before;
    State state;    // after the events added so far
    Events events;  // unstamped, as the decider made them
    bool exists() const { return before.version != 0; }
    uint64_t version() const { return before.version + events.size(); }
  };

  UnitOfWork() = default;
  UnitOfWork(const UnitOfWork&) = delete;
  UnitOfWork& operator=(const UnitOfWork&) = delete;

  // The aggregate, loaded on first use. INTERNAL if `id` was used with
  // another kind of aggregate in this unit.
  template <class State>
  absl::StatusOr<Pending<State>*> Get(const AggregateKind<State>& kind, const std::string& id) {
    if (auto it = entries_.find(id); it != entries_.end()) return Typed(kind, id, *it->second);
    const absl::Time load_start = absl::Now();
    absl::StatusOr<Loaded<State>> loaded = kind.load(id);
    load_time_ += absl::Now() - load_start;
    if (!loaded.ok()) return loaded.status();
    return Seed(kind, id, *std::move(loaded));
  }

  // Takes the aggregate as the caller already knows it (a generator keeping
  // its states in memory) instead of loading it.
  template <class State>
  absl::StatusOr<Pending<State>*> Seed(const AggregateKind<State>& kind, const std::string& id,
                                       Loaded<State> loaded) {
    if (entries_.contains(id)) {
      return absl::InternalError(absl::StrCat("aggregate ", id, " is in the unit already"));
    }
    auto entry = std::make_unique<Entry<State>>(kind);
    entry->pending.state = loaded.state;
    entry->pending.before = std::move(loaded);
    Pending<State>* pending = &entry->pending;
    entries_.emplace(id, std::move(entry));
    return pending;
  }

  // Adds events to the aggregate (loading it if needed): each is stamped with
  // the aggregate id and folded into the state.
  template <class State>
  absl::StatusOr<Pending<State>*> Add(const AggregateKind<State>& kind, const std::string& id,
                                      Events events) {
    absl::StatusOr<Pending<State>*> pending = Get(kind, id);
    if (!pending.ok()) return pending.status();
    for (lianxin::v1::Event& event : events) {
      lianxin::v1::Event stamped = event;
      stamped.set_aggregate_id(id);
      (*pending)->state = kind.evolve(std::move((*pending)->state), stamped);
      (*pending)->events.push_back(std::move(event));
    }
    return pending;
  }
  template <class State>
  absl::StatusOr<Pending<State>*> Add(const AggregateKind<State>& kind, const std::string& id,
                                      lianxin::v1::Event event) {
    Events events;
    events.push_back(std::move(event));
    return Add(kind, id, std::move(events));
  }

  // A write outside any aggregate that commits with the unit (an index row
  // such as the registry's identity claim); staged after the aggregates.
  void Also(std::function<void(Transaction&)> write) { also_.push_back(std::move(write)); }

  // Whether anything would be written.
  bool HasWrites() const;

  // Time spent loading aggregates so far (the command's load stage).
  absl::Duration load_time() const { return load_time_; }

  // Adds every aggregate with new events (in aggregate id order), then the
  // other writes, to `txn`. The unit is empty afterwards.
  void Stage(Transaction& txn);

 private:
  struct EntryBase {
    virtual ~EntryBase() = default;
    virtual bool changed() const = 0;
    virtual void Stage(Transaction& txn, const std::string& id) = 0;
  };
  template <class State>
  struct Entry : EntryBase {
    explicit Entry(const AggregateKind<State>& k) : kind(k) {}
    bool changed() const override { return !pending.events.empty(); }
    void Stage(Transaction& txn, const std::string& id) override {
      kind.stage(txn, id, pending.before, std::move(pending.events), pending.state);
    }
    const AggregateKind<State>& kind;
    Pending<State> pending;
  };

  template <class State>
  static absl::StatusOr<Pending<State>*> Typed(const AggregateKind<State>& kind,
                                               const std::string& id, EntryBase& base) {
    auto* entry = dynamic_cast<Entry<State>*>(&base);
    if (entry == nullptr || &entry->kind != &kind) {
      return absl::InternalError(
          absl::StrCat("aggregate ", id, " is used as two kinds in one command"));
    }
    return &entry->pending;
  }

  std::map<std::string, std::unique_ptr<EntryBase>> entries_;
  std::vector<std::function<void(Transaction&)>> also_;
  absl::Duration load_time_;
};

// One command's envelope.
struct Command {
  // The RPC's full name ("/lianxin.v1.Registry/RecordReturn"), part of the
  // idempotency key with the caller and request_id.
  std::string method;
  // The client's idempotency key; empty for work that has none (the contact
  // sweeper, lxaudit's history generator): no replay, and nothing is committed
  // when the unit has no writes. With one, Run must be called while serving an
  // RPC (CurrentRpcCall(): its caller and request key and digest the record).
  std::string request_id;
  // Filled by the decision (cleared before each attempt); a replay fills it
  // from the record. Required with a request_id.
  google::protobuf::Message* reply = nullptr;
  // How many times a commit that lost a race (ABORTED) is decided again;
  // 0 returns ABORTED at once.
  int retries = 8;
};

class CommandKernel {
 public:
  // `store` is not owned. `after_commit` (may be empty) runs after every
  // commit that wrote something.
  CommandKernel(EventStore* store, std::function<void()> after_commit);

  // Runs `decide` (load, decide, add events; fill command.reply) on a fresh
  // UnitOfWork and commits it, as the header describes. Returns the
  // decision's error, or the commit's, unchanged.
  absl::Status Run(const Command& command,
                   absl::FunctionRef<absl::Status(UnitOfWork& work)> decide) const;

  EventStore* store() const { return store_; }

 private:
  EventStore* store_;
  std::function<void()> after_commit_;
};

// ABORTED naming expected_version when a command's `expected_version` (0:
// any) is not the version of the member `member_id`.
absl::Status CheckExpectedVersion(uint64_t expected_version, const std::string& member_id,
                                  uint64_t version);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_SERVICE_COMMAND_H_
