// A service's projection as a pure function of its own log: what lxaudit
// replays to check that the live projection was built honestly.
//
// Every service keeps its state so that, for each aggregate, the stored state
// (EventStore::ReadAggregate) is the fold of Evolve over the aggregate's
// events in version order, starting from "" (no state), and the index rows it
// keeps for the aggregate (Family::kIndexes) are IndexRows(aggregate, state).
// Facts a service learns from other services are recorded as events in its
// own log first (as the registry's reactions do), so its log alone rebuilds
// its projection. Rows that are views of consumed topics and never logged
// (another county's identity claims, say) live under UnreplayedIndexPrefixes.
//
//   std::unique_ptr<Projector> projector = registry::NewProjector("654322", settings);
//   std::string state;
//   for (const Event& event : events_of_one_aggregate) {
//     ASSIGN_OR_RETURN(state, projector->Evolve(state, event));
//   }
//   auto rows = projector->IndexRows(aggregate_id, state);  // == the live rows
#ifndef LIANXIN_LIBS_EVENTSTORE_PROJECTOR_H_
#define LIANXIN_LIBS_EVENTSTORE_PROJECTOR_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/eventstore/event_store.h"

namespace lianxin {

class Projector {
 public:
  virtual ~Projector() = default;

  // The service whose log this projects: "registry", "contact", …
  virtual std::string service() const = 0;

  // The aggregate's serialized state after `event`, given its state before
  // ("" for none): the same code the service runs when it commits. Returns
  // INVALID_ARGUMENT if the event cannot belong to this service's log.
  virtual absl::StatusOr<std::string> Evolve(const std::string& state,
                                             const Event& event) const = 0;

  // The index rows (key, value) the service keeps for `aggregate_id` in
  // `state`, in key order.
  virtual std::vector<std::pair<std::string, std::string>> IndexRows(
      const std::string& aggregate_id, const std::string& state) const = 0;

  // What `aggregate_id` in `state` adds to the projection's counters (keys
  // under kCounterPrefix, each once): a counter row holds the sum over all
  // aggregates, kept by AddToCounter with the change at each commit.
  virtual std::vector<std::pair<std::string, int64_t>> Counts(const std::string& aggregate_id,
                                                              const std::string& state) const {
    return {};
  }
  // Whether Counts is ever non-empty: only then does the store keep counter
  // rows (and BuildCountersIfMissing its marker).
  virtual bool KeepsCounters() const { return false; }

  // Prefixes of Family::kIndexes keys that are not derived from the log.
  virtual std::vector<std::string> UnreplayedIndexPrefixes() const = 0;

  // One aggregate's state being folded by a replay: Apply(e) is
  // state = Evolve(state, e), and State() the serialized state. A service may
  // override NewFold to keep its state decoded between events (the service
  // itself decodes once per command, so both give the same bytes); the
  // default re-encodes through Evolve.
  class Fold {
   public:
    virtual ~Fold() = default;
    virtual absl::Status Apply(const Event& event) = 0;
    virtual std::string State() const = 0;
  };
  virtual std::unique_ptr<Fold> NewFold(std::string state) const {
    class EvolveFold : public Fold {
     public:
      EvolveFold(const Projector& projector, std::string state)
          : projector_(projector), state_(std::move(state)) {}
      absl::Status Apply(const Event& event) override {
        absl::StatusOr<std::string> next = projector_.Evolve(state_, event);
        if (!next.ok()) return next.status();
        state_ = *std::move(next);
        return absl::OkStatus();
      }
      std::string State() const override { return state_; }

     private:
      const Projector& projector_;
      std::string state_;
    };
    return std::make_unique<EvolveFold>(*this, std::move(state));
  }
};

// The counter changes from `before` to `after` (Projector::Counts of one
// aggregate), without zeros, in key order.
std::vector<std::pair<std::string, int64_t>> CountChanges(
    const std::vector<std::pair<std::string, int64_t>>& before,
    const std::vector<std::pair<std::string, int64_t>>& after);

// The row of Family::kIndexes that says the counters were built (outside
// kCounterPrefix: not itself a counter).
inline constexpr char kCountersBuiltKey[] = "cnt~built";

// Builds the counters of a store written before it kept them: unless
// kCountersBuiltKey is there, sums projector.Counts over every aggregate and
// writes the sums and the marker in one commit. Call before the store serves
// (no commit may run meanwhile). A no-op for a read-only store and for a
// projector that keeps no counters.
absl::Status BuildCountersIfMissing(EventStore& store, const Projector& projector);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_EVENTSTORE_PROJECTOR_H_
