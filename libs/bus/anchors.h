// Anchors on the bus: each service publishes the signed head of its log on
// lx.anchors.v1; each county's registry keeps the anchors of the other
// counties (libs/trust/anchors.h for the format and the check).
//
//   ASSIGN_OR_RETURN(auto publisher, AnchorPublisher::Start(kafka, store, signer, interval));
//   ASSIGN_OR_RETURN(auto keeper, AnchorKeeper::Start(kafka, store, directory));
//   ...
//   keeper->Stop(); publisher->Stop();
#ifndef LIANXIN_LIBS_BUS_ANCHORS_H_
#define LIANXIN_LIBS_BUS_ANCHORS_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/bus/kafka_config.h"
#include "libs/common/metrics.h"
#include "libs/eventstore/event_store.h"
#include "libs/trust/directory.h"
#include "libs/trust/event_signing.h"

namespace lianxin {

class AnchorPublisher {
 public:
  // Publishes the head of `store`'s log, signed by `signer`, every `interval`
  // when it moved (and once at start). Neither is owned.
  static absl::StatusOr<std::unique_ptr<AnchorPublisher>> Start(const KafkaConfig& kafka,
                                                                EventStore* store,
                                                                const trust::CountySigner* signer,
                                                                absl::Duration interval);
  virtual ~AnchorPublisher() = default;
  // Publishes the head now (tests); OK once handed to the producer.
  virtual absl::Status PublishNow() = 0;
  // Flushes (up to 5 s) and joins. Idempotent.
  virtual void Stop() = 0;
  virtual uint64_t published() const = 0;
};

class AnchorKeeper {
 public:
  // Reads lx.anchors.v1 from the beginning (group "<jurisdiction>.anchors")
  // and keeps, in `store` (Family::kApplied), each anchor of another county
  // that verifies under `directory`; others are dropped and counted in
  // lianxin_refused_total{topic="lx.anchors.v1"}. None is owned.
  static absl::StatusOr<std::unique_ptr<AnchorKeeper>> Start(const KafkaConfig& kafka,
                                                             EventStore* store,
                                                             trust::InstalledDirectory* directory,
                                                             Metrics* metrics);
  virtual ~AnchorKeeper() = default;
  virtual void Stop() = 0;
  virtual uint64_t kept() const = 0;
  virtual uint64_t refused() const = 0;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_ANCHORS_H_
