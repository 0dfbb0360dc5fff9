// The forge fault: what a rogue process writes into the counties' topics.
//
// The rogue holds (a) no key of the directory (it sends unsigned events, or
// events under a key of its own), (b) a revoked key of county C, (c) the valid
// key of county C. From the genuine messages on every county's service topics,
// inboxes and the identity topic it makes forged events of every kind it
// finds there: replays with a bumped version or route_version, events under
// the wrong source or on the wrong topic, events about members C has no part
// in, claims of other counties' identities, a payload the gRPC edge would
// refuse, and a flood of far-future route_versions. Each ForgedMessage says
// what the consumers must make of it (verdict.h CheckForgeries).
//
//   RogueKeys keys{.county = "440305", .valid = c_key, .revoked = revoked_key,
//                  .own = *trust::PrivateKey::Generate()};
//   std::vector<ForgedMessage> forged =
//       Forge(genuine, {"654322", "650102", "440305"}, keys, absl::Now(), /*flood=*/60);
#ifndef LIANXIN_TOOLS_CHAOS_FORGE_H_
#define LIANXIN_TOOLS_CHAOS_FORGE_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/trust/keys.h"
#include "tools/chaos/kafka_injector.h"

namespace lianxin::chaos {

struct RogueKeys {
  std::string county;         // C
  trust::PrivateKey valid;    // C's key, in force
  trust::PrivateKey revoked;  // a key the directory gives C, revoked before now
  trust::PrivateKey own;      // a key of the rogue's own, in no directory
};

struct ForgedMessage {
  KafkaMessage message;
  std::string event_id;  // "forged-<n>", unique
  std::string what;      // "revoked key: TransferAccepted on lx.654322.inbox.v1"
  // A refusal name (libs/bus/trust.h RefusalName), or "parked" (a flood:
  // held parked, or quarantined as parked_cap past the source's cap).
  std::string expected;
};

// Forged messages made from `genuine` (messages read from the deployment's
// topics) for the deployment's `counties`, signed at `now`. `flood` far-future
// events go to each inbox other than C's.
std::vector<ForgedMessage> Forge(const std::vector<KafkaMessage>& genuine,
                                 const std::vector<std::string>& counties, const RogueKeys& keys,
                                 absl::Time now, int flood);

}  // namespace lianxin::chaos

#endif  // LIANXIN_TOOLS_CHAOS_FORGE_H_
