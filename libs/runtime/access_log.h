// The access log: who read which member's personal data, and when. Every
// successful read RPC (Get…, List…) whose request or reply names members gets
// one line per member, appended to a file only its owner may read (0600,
// O_APPEND: lines are added, never rewritten). `lxaudit access` shows them.
//
//   {"at":"2026-12-07T08:40:00Z","principal":"654322/operator/gateway",
//    "staff":"lina","rpc":"/lianxin.v1.Registry/GetMember","member":"654322-3f9c…",
//    "prev":"9c1e…"}
//
// `staff` is the person behind a shared credential (the gateway's staff
// sessions), as its holder states it. `prev` is the SHA-256 of the line before
// (64 zeros for the first): a line changed, inserted or taken out of the middle
// breaks the chain, and ReadAccessLog says where. Several processes may append
// to one file (a service and lxaudit): each holds an exclusive flock while it
// reads the last line's hash and appends.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<AccessLog> log,
//                    AccessLog::Open(AccessLogPath(data_dir, "registry"), &RealClock()));
//   plumbing.access_log = log.get();   // UnaryService records the reads
#ifndef LIANXIN_LIBS_RUNTIME_ACCESS_LOG_H_
#define LIANXIN_LIBS_RUNTIME_ACCESS_LOG_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "libs/common/clock.h"
#include "libs/runtime/auth.h"

namespace lianxin {

// One read of one member.
struct AccessRecord {
  absl::Time at;
  std::string principal;  // jurisdiction/role/operator_id
  std::string rpc;        // "/lianxin.v1.Registry/GetMember"
  std::string member;     // member_id
  std::string staff;      // the person behind a shared credential, or ""
};

// The access log file of `service` in a county's data directory.
std::string AccessLogPath(absl::string_view data_dir, absl::string_view service);

// "jurisdiction/role/operator_id".
std::string PrincipalName(const Principal& principal);

// True for the RPCs that read (Get…, List…): `method` is the full name.
bool IsReadRpc(absl::string_view method);

// Every member a message names: the values of string fields called member_id,
// at any depth (a request's member, a list's members), in order, deduplicated.
std::vector<std::string> MemberIdsIn(const google::protobuf::Message& message);

class AccessLog {
 public:
  // Opens (creating it 0600) the log at `path` for appending. PERMISSION_DENIED
  // if its group or others may read it, UNAVAILABLE if it cannot be opened.
  static absl::StatusOr<std::unique_ptr<AccessLog>> Open(const std::string& path, Clock* clock);
  ~AccessLog();

  // Appends a line for each of `members` read by `caller` through `rpc`, in
  // one write. UNAVAILABLE if it cannot be written (the read is then refused).
  // Thread-safe.
  absl::Status Record(const Principal& caller, absl::string_view rpc,
                      const std::vector<std::string>& members);
  // As above for a reader that is not a gRPC caller (lxaudit): `principal` is
  // "jurisdiction/role/name".
  absl::Status Record(absl::string_view principal, absl::string_view staff, absl::string_view rpc,
                      const std::vector<std::string>& members);

 private:
  AccessLog(int fd, Clock* clock) : fd_(fd), clock_(clock) {}
  // The hash of the file's last line (zeros for an empty file), read again only
  // when another process has appended since this one last did. A torn last
  // line (a writer died mid-write) is cut off. Called under the flock.
  absl::Status CatchUp() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  const int fd_;
  Clock* const clock_;
  off_t end_ ABSL_GUARDED_BY(mu_) = -1;         // file size after this process's last append
  std::string last_hash_ ABSL_GUARDED_BY(mu_);  // hex SHA-256 of the line that ends there
};

// The records of the log at `path` (NOT_FOUND if there is none); a line that
// does not parse, or whose `prev` is not the hash of the line before, is
// DATA_LOSS naming it. Lines written before the chain existed (no `prev`) are
// accepted only before the first chained line.
absl::StatusOr<std::vector<AccessRecord>> ReadAccessLog(const std::string& path);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_ACCESS_LOG_H_
