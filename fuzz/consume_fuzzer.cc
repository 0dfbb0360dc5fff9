// A consumed Kafka message, without a broker: decoding, the envelope checks,
// the county gate (topic, signature under the county directory), parking and
// markers, then the consuming service's reactions with their role rules and
// payload validation, all on real RocksDB stores (MessageApplier, as the
// consumer runs it).
//
// Input: one byte choosing the service (registry, contact, education,
// appraisal), one choosing a topic it consumes, one choosing how the event is
// signed, then the message's value (a serialized Event) as it would arrive.
// Signing: 0 as it comes (any signature it carries); 1 re-signed, with its
// hash recomputed, by a valid key of the county it names as its source (an
// insider with a real key, the strongest forger the design admits: what it
// gets through is up to the role rules and the payload checks).
//
// Finds: crashes, sanitizer reports, and a message the applier can neither
// apply, skip, park nor quarantine (it would block its partition: aborts).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "fuzz/county.h"
#include "libs/bus/applier.h"
#include "libs/bus/trust.h"
#include "libs/eventstore/event_store.h"
#include "libs/trust/directory.h"
#include "libs/trust/event_signing.h"
#include "libs/trust/keys.h"

namespace lianxin::fuzz {
namespace {

// The county directory: a root key and one key for each county on lianxin,
// installed in a file as a deployment installs it.
class Trust {
 public:
  // The directory file goes into `dir`.
  explicit Trust(const std::string& dir) {
    root_ = std::make_unique<trust::PrivateKey>(*trust::PrivateKey::Generate());
    trust::KeyDirectory directory;
    directory.set_serial(1);
    for (const char* county : {kCounty, "650102", "440305"}) {
      trust::PrivateKey key = *trust::PrivateKey::Generate();
      trust::CountyKey* entry = directory.add_keys();
      entry->set_key_id(key.key_id());
      entry->set_jurisdiction(county);
      entry->set_public_key(key.public_key().raw());
      entry->mutable_valid_from()->set_seconds(0);
      signers_.emplace(county, std::make_unique<trust::CountySigner>(std::move(key)));
    }
    const std::string path = absl::StrCat(dir, "/directory.bin");
    std::ofstream(path, std::ios::binary)
        << trust::SignDirectory(directory, *root_)->SerializeAsString();
    installed_ = *trust::InstalledDirectory::Open(path, root_->public_key());
    gate_ = std::make_unique<CountyGate>(kCounty, installed_.get());
  }

  const EventGate& gate() const { return *gate_; }

  // The signer of `county`'s key, or null for a county without one.
  const trust::CountySigner* SignerOf(const std::string& county) const {
    auto it = signers_.find(county);
    return it == signers_.end() ? nullptr : it->second.get();
  }

 private:
  std::unique_ptr<trust::PrivateKey> root_;
  std::map<std::string, std::unique_ptr<trust::CountySigner>> signers_;
  std::unique_ptr<trust::InstalledDirectory> installed_;
  std::unique_ptr<CountyGate> gate_;
};

}  // namespace
}  // namespace lianxin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lianxin;
  using lianxin::fuzz::FuzzCounty;
  if (size < 3) return -1;
  FuzzCounty& county = FuzzCounty::Get();
  static const fuzz::Trust* trust = new fuzz::Trust(county.dir());
  static int64_t offset = 0;
  const int service = data[0] % FuzzCounty::kServices;
  const std::vector<std::string>& topics = county.topics(service);
  const std::string& topic = topics[data[1] % topics.size()];
  std::string value(reinterpret_cast<const char*>(data + 3), size - 3);
  if (data[2] % 2 == 1) {
    Event event;
    if (!event.ParseFromString(value)) return -1;
    const trust::CountySigner* signer = trust->SignerOf(event.source().jurisdiction());
    if (signer == nullptr || !signer->Sign(event).ok()) return -1;
    event.set_hash(ComputeEventHash(event));
    value = event.SerializeAsString();
  }
  MessageApplier applier({.store = &county.store(service),
                          .handler = &county.reactions(service),
                          .gate = &trust->gate(),
                          .min_backoff = absl::ZeroDuration(),
                          .max_backoff = absl::ZeroDuration()});
  const ConsumedMessage message = DecodeMessage(topic, 0, offset++, std::move(value));
  // A message is done once its effect, skip, park or quarantine is committed.
  // Retries are for a store that failed; the store here does not, so a message
  // still not done after a few attempts would block its partition for good.
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (applier.Apply(message) == ApplyOutcome::kDone) return 0;
  }
  std::fprintf(stderr, "a message on %s was never done: it would block the partition\n",
               topic.c_str());
  std::abort();
}
