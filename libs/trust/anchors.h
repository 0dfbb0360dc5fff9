// Anchors: the signed head of each service log, held by the other counties.
//
// A county's own disk can be rewritten with recomputed hashes and the chain
// would still verify. So every service periodically publishes the head of its
// log (sequence and hash), signed with the county key, on lx.anchors.v1; each
// other county's registry keeps the anchors it saw (Family::kApplied rows
// "anchor/<jurisdiction>/<service>/<BE64 sequence>" -> hash). `lxaudit verify
// --anchors` compares a county's logs with what its partners hold.
//
//   ASSIGN_OR_RETURN(SignedAnchor anchor, SignAnchor(head, signer));
//   ASSIGN_OR_RETURN(Anchor seen, VerifyAnchor(bytes, *directory.Current()));
//   RETURN_IF_ERROR(CheckAnchors(*log, *partner_store, "654322", "registry", &checked));
#ifndef LIANXIN_LIBS_TRUST_ANCHORS_H_
#define LIANXIN_LIBS_TRUST_ANCHORS_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lianxin/v1/trust.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/trust/directory.h"
#include "libs/trust/event_signing.h"

namespace lianxin::trust {

using ::lianxin::v1::Anchor;
using ::lianxin::v1::SignedAnchor;

inline constexpr char kAnchorsTopic[] = "lx.anchors.v1";

// The anchor of `store`'s log as it is now; NOT_FOUND if the log is empty.
absl::StatusOr<Anchor> HeadOf(const EventStore& store, absl::Time now);

absl::StatusOr<SignedAnchor> SignAnchor(const Anchor& anchor, const CountySigner& signer);

// Parses a SignedAnchor and checks its signature under a key `directory` gives
// the anchor's county and service at its taken_at (errors as VerifyEventSignature;
// INVALID_ARGUMENT if it does not parse or has no sequence or 32-byte hash).
absl::StatusOr<Anchor> VerifyAnchor(absl::string_view signed_bytes,
                                    const CountyDirectory& directory);

// Where a partner keeps an anchor (Family::kApplied).
std::string AnchorRowKey(const std::string& jurisdiction, const std::string& service,
                         uint64_t sequence);
std::string AnchorRowPrefix(const std::string& jurisdiction, const std::string& service);

// Checks `log` (jurisdiction/service) against every anchor `holder` keeps for
// it: the event at each anchored sequence has the anchored hash, and the log
// reaches every anchored sequence. Returns DATA_LOSS naming the first
// disagreement; counts the anchors checked in *checked.
absl::Status CheckAnchors(const EventStore& log, const EventStore& holder,
                          const std::string& jurisdiction, const std::string& service,
                          uint64_t* checked);

}  // namespace lianxin::trust

#endif  // LIANXIN_LIBS_TRUST_ANCHORS_H_
