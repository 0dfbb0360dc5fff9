// The access log (see access_log.h).
#include "libs/runtime/access_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/log.h"

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
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
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
  if (members.empty()) return absl::OkStatus();
  const std::string at =
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", clock_->Now(), absl::UTCTimeZone());
  const std::string who = JsonEscape(PrincipalName(caller));
  const std::string method = JsonEscape(std::string_view(rpc.data(), rpc.size()));
  std::string lines;
  for (const std::string& member : members) {
    absl::StrAppend(&lines, "{\"at\":\"", at, "\",\"principal\":\"", who, "\",\"rpc\":\"", method,
                    "\",\"member\":\"", JsonEscape(member), "\"}\n");
  }
  absl::MutexLock lock(&mu_);
  // One write: with O_APPEND, lines of concurrent readers never interleave.
  size_t done = 0;
  while (done < lines.size()) {
    const ssize_t n = write(fd_, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::UnavailableError(
          absl::StrCat("the access log cannot be written: ", std::strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AccessRecord>> ReadAccessLog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("no access log ", path));
  std::vector<AccessRecord> records;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
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
    record.principal = field("principal");
    record.rpc = field("rpc");
    record.member = field("member");
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace lianxin
