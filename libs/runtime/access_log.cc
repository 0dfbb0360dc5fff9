// The access log (see access_log.h).
#include "libs/runtime/access_log.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace lianxin {
namespace {

void CollectMemberIds(const google::protobuf::Message& message, std::set<std::string>* seen,
                      std::vector<std::string>* out, int depth) {
  if (depth > 8) return;  // the API's messages nest far less; a bound all the same
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->name() == "member_id" &&
        field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      std::vector<std::string> values;
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          values.push_back(reflection->GetRepeatedString(message, field, i));
        }
      } else {
        values.push_back(reflection->GetString(message, field));
      }
      for (std::string& id : values) {
        if (!id.empty() && seen->insert(id).second) out->push_back(std::move(id));
      }
    } else if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE &&
               !field->is_map()) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          CollectMemberIds(reflection->GetRepeatedMessage(message, field, i), seen, out, depth + 1);
        }
      } else {
        CollectMemberIds(reflection->GetMessage(message, field), seen, out, depth + 1);
      }
    }
  }
}

const std::string kNoLine(64, '0');  // `prev` of a file's first line

std::string HashOfLine(absl::string_view line) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(line.data()), line.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

// Holds an exclusive flock on `fd` while it lives.
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {
    while (flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~FileLock() { flock(fd_, LOCK_UN); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  const int fd_;
};

absl::Status WriteAll(int fd, absl::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::UnavailableError(
          absl::StrCat("the access log cannot be written: ", std::strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

std::string AccessLogPath(absl::string_view data_dir, absl::string_view service) {
  return absl::StrCat(data_dir, "/access-", service, ".log");
}

std::string PrincipalName(const Principal& principal) {
  return absl::StrCat(principal.jurisdiction, "/", RoleName(principal.role), "/",
                      principal.operator_id);
}

bool IsReadRpc(absl::string_view method) {
  const size_t slash = method.rfind('/');
  const absl::string_view rpc =
      slash == absl::string_view::npos ? method : method.substr(slash + 1);
  return absl::StartsWith(rpc, "Get") || absl::StartsWith(rpc, "List");
}

std::vector<std::string> MemberIdsIn(const google::protobuf::Message& message) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  CollectMemberIds(message, &seen, &out, 0);
  return out;
}

absl::StatusOr<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& path, Clock* clock) {
  const int fd = open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("access log ", path, ": cannot open: ", std::strerror(errno)));
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
    close(fd);
    return absl::PermissionDeniedError(
        absl::StrCat("access log ", path, ": its group or others may use it (mode ",
                     absl::StrFormat("%04o", st.st_mode & 0777), "); chmod 600"));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(fd, clock));
}

AccessLog::~AccessLog() { close(fd_); }

absl::Status AccessLog::Record(const Principal& caller, absl::string_view rpc,
                               const std::vector<std::string>& members) {
  return Record(PrincipalName(caller), caller.staff, rpc, members);
}

absl::Status AccessLog::Record(absl::string_view principal, absl::string_view staff,
                               absl::string_view rpc, const std::vector<std::string>& members) {
  if (members.empty()) return absl::OkStatus();
  const std::string at =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", clock_->Now(), absl::UTCTimeZone());
  auto escaped = [](absl::string_view s) {
    return JsonEscape(std::string_view(s.data(), s.size()));
  };
  std::string fields = absl::StrCat("{\"at\":\"", at, "\",\"principal\":\"", escaped(principal));
  if (!staff.empty()) absl::StrAppend(&fields, "\",\"staff\":\"", escaped(staff));
  absl::StrAppend(&fields, "\",\"rpc\":\"", escaped(rpc), "\",\"member\":\"");
  absl::MutexLock lock(&mu_);
  FileLock file_lock(fd_);
  RETURN_IF_ERROR(CatchUp());
  std::string lines;
  std::string prev = last_hash_;
  for (const std::string& member : members) {
    const std::string line =
        absl::StrCat(fields, JsonEscape(member), "\",\"prev\":\"", prev, "\"}");
    prev = HashOfLine(line);
    absl::StrAppend(&lines, line, "\n");
  }
  // One write: a reader sees whole lines, and a torn one only after a crash.
  absl::Status written = WriteAll(fd_, lines);
  end_ = -1;  // read the tail again next time, whatever happened
  if (!written.ok()) return written;
  struct stat st;
  if (fstat(fd_, &st) == 0) {
    end_ = st.st_size;
    last_hash_ = prev;
  }
  return absl::OkStatus();
}

absl::Status AccessLog::CatchUp() {
  struct stat st;
  if (fstat(fd_, &st) != 0) {
    return absl::UnavailableError(
        absl::StrCat("the access log cannot be read: ", std::strerror(errno)));
  }
  if (st.st_size == end_) return absl::OkStatus();
  // Read back from the end until the last whole line is in `tail`: it ends at
  // the last '\n' (bytes after it are torn) and starts after the one before.
  off_t size = st.st_size;
  std::string tail;  // the file's bytes from `from` to its end
  off_t from = size;
  size_t last_end = std::string::npos;
  size_t last_start = std::string::npos;
  while (from > 0 && last_start == std::string::npos) {
    const off_t chunk = std::min<off_t>(from, 4096);
    from -= chunk;
    std::string block(static_cast<size_t>(chunk), '\0');
    if (pread(fd_, block.data(), block.size(), from) != chunk) {
      return absl::UnavailableError(
          absl::StrCat("the access log cannot be read: ", std::strerror(errno)));
    }
    tail.insert(0, block);
    last_end = tail.rfind('\n');
    if (last_end == std::string::npos) continue;
    const size_t before = last_end == 0 ? std::string::npos : tail.rfind('\n', last_end - 1);
    if (before != std::string::npos) {
      last_start = before + 1;
    } else if (from == 0) {
      last_start = 0;
    }
  }
  const off_t whole = last_end == std::string::npos ? 0 : from + static_cast<off_t>(last_end) + 1;
  if (whole != size) {
    // A writer died mid-line: that read was never answered (the line is
    // written before the reply), so the torn bytes go.
    if (ftruncate(fd_, whole) != 0) {
      return absl::UnavailableError(
          absl::StrCat("the access log's torn last line cannot be cut: ", std::strerror(errno)));
    }
    LogWarning("access log: a torn last line cut off", {{"bytes", absl::StrCat(size - whole)}});
    size = whole;
  }
  last_hash_ = last_end == std::string::npos
                   ? kNoLine
                   : HashOfLine(absl::string_view(tail).substr(last_start, last_end - last_start));
  end_ = size;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AccessRecord>> ReadAccessLog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("no access log ", path));
  std::vector<AccessRecord> records;
  std::string line;
  int line_no = 0;
  bool chained = false;       // a line with `prev` has been seen
  std::string previous_hash;  // of the line before
  while (std::getline(in, line)) {
    ++line_no;
    if (in.eof()) break;  // a torn last line (a writer died mid-write): never answered
    if (line.empty()) continue;
    google::protobuf::Struct fields;
    auto field = [&](const char* name) -> std::string {
      auto it = fields.fields().find(name);
      return it == fields.fields().end() ? "" : it->second.string_value();
    };
    AccessRecord record;
    std::string error;
    if (!google::protobuf::util::JsonStringToMessage(line, &fields).ok() ||
        !absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", field("at"), &record.at, &error)) {
      return absl::DataLossError(absl::StrCat(path, ":", line_no, ": not an access record"));
    }
    const std::string prev = field("prev");
    if (!prev.empty() || chained) {
      if (prev != (previous_hash.empty() ? kNoLine : previous_hash)) {
        return absl::DataLossError(absl::StrCat(
            path, ":", line_no,
            ": the access log's chain is broken here (a line before it was changed, added or "
            "taken out)"));
      }
      chained = true;
    }
    previous_hash = HashOfLine(line);
    record.principal = field("principal");
    record.staff = field("staff");
    record.rpc = field("rpc");
    record.member = field("member");
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace lianxin
