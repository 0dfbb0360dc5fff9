// A service's part in trust between counties, from its flags:
//   --signing_key FILE     the county's Ed25519 private key (0600): every event
//                          the service commits is signed with it
//   --trust_root FILE      the root's public key (PEM): who signs the directory
//   --key_directory FILE   the signed county key directory the operator installs
//   --anchor_interval D    how often the head of the log is published (anchors)
// With --trust_root and --key_directory, every consumed event passes the
// CountyGate (libs/bus/trust.h). Each is also LIANXIN_<FLAG> in the
// environment. Without them a service signs and checks nothing (tests of
// other parts; a production deployment sets all three: docs/architecture.md).
#ifndef LIANXIN_LIBS_SERVICE_TRUST_SETUP_H_
#define LIANXIN_LIBS_SERVICE_TRUST_SETUP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/bus/anchors.h"
#include "libs/bus/kafka_config.h"
#include "libs/bus/trust.h"
#include "libs/trust/directory.h"
#include "libs/trust/event_signing.h"

namespace lianxin {

struct ServiceTrust {
  std::unique_ptr<trust::CountySigner> signer;           // null: events unsigned
  std::unique_ptr<trust::InstalledDirectory> directory;  // null: nothing checked
  std::unique_ptr<CountyGate> gate;                      // null: nothing checked
  std::unique_ptr<AnchorPublisher> anchors;              // with a signer
  std::unique_ptr<AnchorKeeper> anchor_keeper;           // a registry with a directory

  // Starts publishing the head of `store`'s log (--anchor_interval) if the
  // service signs, and, for a registry that checks, keeping other counties'
  // anchors in `store`.
  absl::Status StartAnchors(const KafkaConfig& kafka, EventStore* store, Metrics* metrics);
  // Stops both; before the store closes.
  void StopAnchors();
};

// Loads what the flags name. INVALID_ARGUMENT if only one of --trust_root and
// --key_directory is set, or if the directory does not give the signing key
// to `jurisdiction` (a county that would sign what its partners refuse);
// the loaders' errors for unreadable or untrusted files.
absl::StatusOr<ServiceTrust> LoadServiceTrust(const std::string& jurisdiction,
                                              const std::string& service);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_SERVICE_TRUST_SETUP_H_
