#include "libs/service/trust_setup.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/log.h"

ABSL_FLAG(std::string, signing_key, "",
          "The county's Ed25519 private key (PEM, mode 0600); every committed event is "
          "signed with it. Env: LIANXIN_SIGNING_KEY.");
ABSL_FLAG(std::string, trust_root, "",
          "Public key (PEM) of the root that signs the county key directory. "
          "Env: LIANXIN_TRUST_ROOT.");
ABSL_FLAG(std::string, key_directory, "",
          "The signed county key directory (lxkeys); consumed events are checked against "
          "it. Env: LIANXIN_KEY_DIRECTORY.");

ABSL_FLAG(absl::Duration, anchor_interval, absl::Seconds(10),
          "How often a signing service publishes the head of its log on lx.anchors.v1 "
          "(when it moved). Env: LIANXIN_ANCHOR_INTERVAL.");

namespace lianxin {

absl::Status ServiceTrust::StartAnchors(const KafkaConfig& kafka, EventStore* store,
                                        Metrics* metrics) {
  if (signer != nullptr) {
    absl::StatusOr<std::unique_ptr<AnchorPublisher>> publisher =
        AnchorPublisher::Start(kafka, store, signer.get(), absl::GetFlag(FLAGS_anchor_interval));
    if (!publisher.ok()) return publisher.status();
    anchors = *std::move(publisher);
  }
  if (directory != nullptr && store->source().service() == "registry") {
    absl::StatusOr<std::unique_ptr<AnchorKeeper>> keeper =
        AnchorKeeper::Start(kafka, store, directory.get(), metrics);
    if (!keeper.ok()) return keeper.status();
    anchor_keeper = *std::move(keeper);
  }
  return absl::OkStatus();
}

void ServiceTrust::StopAnchors() {
  if (anchor_keeper != nullptr) anchor_keeper->Stop();
  if (anchors != nullptr) anchors->Stop();
}

absl::StatusOr<ServiceTrust> LoadServiceTrust(const std::string& jurisdiction,
                                              const std::string& service) {
  ServiceTrust trust;
  const std::string key_path = absl::GetFlag(FLAGS_signing_key);
  const std::string root_path = absl::GetFlag(FLAGS_trust_root);
  const std::string directory_path = absl::GetFlag(FLAGS_key_directory);
  if (root_path.empty() != directory_path.empty()) {
    return absl::InvalidArgumentError("--trust_root and --key_directory go together");
  }
  if (!key_path.empty()) {
    absl::StatusOr<std::unique_ptr<trust::CountySigner>> signer =
        trust::CountySigner::Open(key_path);
    if (!signer.ok()) return signer.status();
    trust.signer = *std::move(signer);
  }
  if (!root_path.empty()) {
    absl::StatusOr<trust::PublicKey> root = trust::PublicKey::ReadPem(root_path);
    if (!root.ok()) return root.status();
    absl::StatusOr<std::unique_ptr<trust::InstalledDirectory>> directory =
        trust::InstalledDirectory::Open(directory_path, *root);
    if (!directory.ok()) return directory.status();
    trust.directory = *std::move(directory);
    trust.gate = std::make_unique<CountyGate>(jurisdiction, trust.directory.get());
    if (trust.signer != nullptr &&
        !trust.directory->Current()
             ->KeyFor(trust.signer->key_id(), jurisdiction, service, absl::Now())
             .ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--signing_key: key ", trust.signer->key_id(),
                                                     " is not one the directory gives ",
                                                     jurisdiction, "'s ", service));
    }
  }
  LogInfo("trust", {{"signing_key_id", trust.signer ? trust.signer->key_id() : "none"},
                    {"checks", trust.gate ? "on" : "off"}});
  return trust;
}

}  // namespace lianxin
