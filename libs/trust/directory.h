// The county key directory: which Ed25519 keys speak for which county.
//
// The level above the counties signs each edition (KeyDirectory in
// trust.proto) with its root key; a service holds the root's public key and the
// installed file, and believes a county key only if the edition verifies.
// Rotation adds a key (events under the old one stay valid); revocation sets
// revoked_from (events recorded from then on under that key are refused).
//
//   ASSIGN_OR_RETURN(PublicKey root, PublicKey::ReadPem("/etc/lianxin/root.pub"));
//   ASSIGN_OR_RETURN(CountyDirectory directory,
//                    CountyDirectory::ReadFile("/etc/lianxin/directory.bin", root));
//   absl::StatusOr<const PublicKey*> key =
//       directory.KeyFor(event.signing_key_id(), "654322", "registry", recorded_at);
#ifndef LIANXIN_LIBS_TRUST_DIRECTORY_H_
#define LIANXIN_LIBS_TRUST_DIRECTORY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lianxin/v1/trust.pb.h"
#include "libs/trust/keys.h"

namespace lianxin::trust {

using ::lianxin::v1::CountyKey;
using ::lianxin::v1::KeyDirectory;
using ::lianxin::v1::SignedKeyDirectory;

// One verified edition of the directory. Immutable; thread-safe.
class CountyDirectory {
 public:
  // Parses a SignedKeyDirectory and checks it: the root's signature
  // (PERMISSION_DENIED if it does not verify under `root`), every key 32 bytes
  // with the id its bytes give and a 6-digit county (INVALID_ARGUMENT naming it).
  static absl::StatusOr<CountyDirectory> FromSigned(absl::string_view signed_bytes,
                                                    const PublicKey& root);
  static absl::StatusOr<CountyDirectory> ReadFile(const std::string& path, const PublicKey& root);

  // The key `key_id` if the directory gives it to `jurisdiction` (and to
  // `service`, if the key is restricted to one) for an event recorded at `at`.
  // NOT_FOUND: no such key, or the key is another county's or service's.
  // PERMISSION_DENIED: revoked at or before `at`, or not valid yet at `at`.
  absl::StatusOr<const PublicKey*> KeyFor(const std::string& key_id,
                                          const std::string& jurisdiction,
                                          const std::string& service, absl::Time at) const;

  const KeyDirectory& directory() const { return directory_; }
  // The counties with at least one key not revoked, in code order.
  std::vector<std::string> Counties() const;

 private:
  struct Entry {
    CountyKey key;
    PublicKey public_key;
  };
  KeyDirectory directory_;
  std::map<std::string, Entry> by_id_;
};

// Signs `directory` with the root key into the file format.
absl::StatusOr<SignedKeyDirectory> SignDirectory(const KeyDirectory& directory,
                                                 const PrivateKey& root);

// The directory a service works with: the installed file, read again when it
// changes (a new edition after a rotation or a revocation is picked up without
// a restart). An edition with a lower serial than the one held, or one that
// does not verify, is refused and the held one kept.
class InstalledDirectory {
 public:
  // Reads and verifies the file now; fails if it cannot.
  static absl::StatusOr<std::unique_ptr<InstalledDirectory>> Open(std::string path, PublicKey root);

  // The edition in force, looking at the file again if `recheck` has passed
  // since the last look (a stat; the file is read only if it changed).
  std::shared_ptr<const CountyDirectory> Current() ABSL_LOCKS_EXCLUDED(mu_);
  // Reads the file again now. Returns why an edition was refused.
  absl::Status Reload() ABSL_LOCKS_EXCLUDED(mu_);
  // The edition in force after a look at the file now (not waiting for
  // `recheck`): for an event under a key the held edition does not know, which
  // may be a rotation the file already has.
  std::shared_ptr<const CountyDirectory> Refreshed() ABSL_LOCKS_EXCLUDED(mu_);

  void set_recheck(absl::Duration recheck) { recheck_ = recheck; }

 private:
  InstalledDirectory(std::string path, PublicKey root) : path_(std::move(path)), root_(root) {}
  absl::Status ReloadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  const PublicKey root_;
  absl::Duration recheck_ = absl::Seconds(2);
  absl::Mutex mu_;
  std::shared_ptr<const CountyDirectory> current_ ABSL_GUARDED_BY(mu_);
  absl::Time last_look_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::string file_stamp_ ABSL_GUARDED_BY(mu_);  // mtime and size when last read
};

}  // namespace lianxin::trust

#endif  // LIANXIN_LIBS_TRUST_DIRECTORY_H_
