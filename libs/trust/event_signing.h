// Signing and verifying events with county keys.
//
// CountySigner is the EventSigner a service's store uses: the county's private
// key from a file, read again when the file changes, so a county rotates its
// key (lxkeys rotate writes the new key over the old file) without stopping.
// VerifyEventSignature is what a consumer asks of every event it takes in.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<CountySigner> signer,
//                    CountySigner::Open("/etc/lianxin/654322.key"));
//   EventStoreOptions options{..., .signer = signer.get()};
//   ...
//   absl::Status trusted = VerifyEventSignature(event, *directory.Current());
#ifndef LIANXIN_LIBS_TRUST_EVENT_SIGNING_H_
#define LIANXIN_LIBS_TRUST_EVENT_SIGNING_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/eventstore/event_store.h"
#include "libs/trust/directory.h"
#include "libs/trust/keys.h"

namespace lianxin::trust {

class CountySigner : public EventSigner {
 public:
  // Reads the key now (PrivateKey::ReadPem's errors: a key others may read is refused).
  static absl::StatusOr<std::unique_ptr<CountySigner>> Open(std::string key_path);
  // A signer over a key in memory (tests, benchmarks); never reloads.
  explicit CountySigner(PrivateKey key);

  absl::StatusOr<std::string> Sign(Event& event) const override ABSL_LOCKS_EXCLUDED(mu_);

  // The id of the key signing now.
  std::string key_id() const ABSL_LOCKS_EXCLUDED(mu_);

  // Signs `message` (not an event: the caller prefixes its own domain tag)
  // with the key signing now; returns {key_id, signature}.
  absl::StatusOr<std::pair<std::string, std::string>> SignBytes(absl::string_view message) const
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  CountySigner(std::string key_path, PrivateKey key);
  std::shared_ptr<const PrivateKey> CurrentKey() const ABSL_LOCKS_EXCLUDED(mu_);

  const std::string key_path_;  // empty = never reload
  mutable absl::Mutex mu_;
  mutable std::shared_ptr<const PrivateKey> key_ ABSL_GUARDED_BY(mu_);
  mutable absl::Time last_look_ ABSL_GUARDED_BY(mu_);
  mutable std::string file_stamp_ ABSL_GUARDED_BY(mu_);
};

// Checks that `event` is signed by a key `directory` gives its stated source
// (jurisdiction and service) at its recorded_at, over CanonicalBytes(event).
// NOT_FOUND: unsigned, or the key is unknown or another county's;
// PERMISSION_DENIED: the key is revoked (or not valid yet) at that time;
// UNAUTHENTICATED: the signature does not verify.
absl::Status VerifyEventSignature(const Event& event, const CountyDirectory& directory);

}  // namespace lianxin::trust

#endif  // LIANXIN_LIBS_TRUST_EVENT_SIGNING_H_
