// The member page's side of the gateway: the PINs members sign in with, and
// what a member's session may call.
//
// A member signs in with the member code on the 连心卡 (the registry's member
// id, e.g. 654322-de3c39a5a65a50cb; never the ID number) and a PIN the branch set. The
// PIN's hash (HashPassword's scrypt, as staff passwords) lives in the home
// county's gateway, in a file of its own (owner-only): never in an event, so it
// never travels to Kafka, partner counties or auditors (docs/member-page.md).
//
//   ASSIGN_OR_RETURN(MemberPins pins, MemberPins::FromFile(path));
//   RETURN_IF_ERROR(pins.Set("654322-de3c39a5a65a50cb", HashPassword(pin), "staff:liNa", now));
//   const MemberCall* call = FindMemberCall("/lianxin.v1.ContactTracking/RecordContact");
//   if (call == nullptr) ... PERMISSION_DENIED;
//   RETURN_IF_ERROR(call->scope(MemberScope{...}, request));  // forces the member's own id
#ifndef LIANXIN_TOOLS_LXGATEWAY_MEMBER_H_
#define LIANXIN_TOOLS_LXGATEWAY_MEMBER_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"

namespace lianxin::gateway {

// True iff `pin` is 6 to 12 ASCII digits, not all the same digit.
bool IsValidPin(absl::string_view pin);

// The PIN hashes of the county's members, in a file of lines `member_id hash
// set_at set_by` (set_at RFC 3339, set_by the staff who set it). Thread-safe.
class MemberPins {
 public:
  MemberPins(MemberPins&&) = delete;

  // Loads the file; a file that does not exist yet is an empty store (created
  // by the first Set). PERMISSION_DENIED if others may read it (ReadSecretFile),
  // INVALID_ARGUMENT naming the line for a malformed one.
  static absl::StatusOr<std::unique_ptr<MemberPins>> FromFile(const std::string& path);

  // The member's PIN hash, or nullopt if none was set.
  std::optional<std::string> Find(absl::string_view member_id) const;

  // Sets (or resets) a member's PIN hash and writes the whole file again
  // (a new file renamed over the old one, owner-only). The store is unchanged
  // if the file cannot be written (the error names it).
  absl::Status Set(const std::string& member_id, const std::string& hash, const std::string& set_by,
                   absl::Time now);

  size_t size() const;

 private:
  struct Entry {
    std::string hash;
    std::string set_at;
    std::string set_by;
  };
  explicit MemberPins(std::string path) : path_(std::move(path)) {}

  const std::string path_;
  mutable absl::Mutex mu_;
  std::map<std::string, Entry, std::less<>> by_member_ ABSL_GUARDED_BY(mu_);
};

// Who a member session is: the member, the county of the gateway, the name on
// record (the hotline ticket's caller).
struct MemberScope {
  std::string member_id;
  std::string jurisdiction;
  std::string name;
};

// One RPC a member session may call, and how its request is held to the
// member: `scope` fills in the member's own id (PERMISSION_DENIED naming the
// field if the request names anyone else) and sets or refuses the fields a
// member may not choose.
struct MemberCall {
  std::string path;  // "/lianxin.v1.ContactTracking/RecordContact"
  std::function<absl::Status(const MemberScope&, google::protobuf::Message*)> scope;
};

// The allow-list: the call for `path`, or nullptr (anything else is
// PERMISSION_DENIED for a member).
const MemberCall* FindMemberCall(absl::string_view path);

// Every path on the allow-list.
std::vector<std::string> MemberCallPaths();

}  // namespace lianxin::gateway

#endif  // LIANXIN_TOOLS_LXGATEWAY_MEMBER_H_
