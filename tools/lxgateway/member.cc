#include "tools/lxgateway/member.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/message.h"
#include "lianxin/v1/appraisal.pb.h"
#include "lianxin/v1/contact.pb.h"
#include "lianxin/v1/education.pb.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/runtime/files.h"

namespace lianxin::gateway {
namespace {

using google::protobuf::Message;

bool IsMemberId(absl::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// The member the request names must be the session's; empty is filled in.
absl::Status OwnMember(const MemberScope& scope, std::string* member_id) {
  if (member_id->empty()) {
    *member_id = scope.member_id;
    return absl::OkStatus();
  }
  if (*member_id != scope.member_id) {
    return absl::PermissionDeniedError(
        "member_id: a member may read and report only their own record");
  }
  return absl::OkStatus();
}

absl::Status Refuse(absl::string_view field, absl::string_view why) {
  return absl::PermissionDeniedError(absl::StrCat(field, ": ", why));
}

template <typename T>
T* As(Message* message) {
  return google::protobuf::DynamicCastToGenerated<T>(message);
}

std::vector<MemberCall> BuildMemberCalls() {
  std::vector<MemberCall> calls;
  // Reads of the member's own record.
  calls.push_back({"/lianxin.v1.Registry/GetMember", [](const MemberScope& s, Message* m) {
                     return OwnMember(s, As<lianxin::v1::GetMemberRequest>(m)->mutable_member_id());
                   }});
  calls.push_back(
      {"/lianxin.v1.ContactTracking/GetContactHistory", [](const MemberScope& s, Message* m) {
         return OwnMember(s, As<lianxin::v1::GetContactHistoryRequest>(m)->mutable_member_id());
       }});
  calls.push_back(
      {"/lianxin.v1.EducationScheduling/GetEducationRecord", [](const MemberScope& s, Message* m) {
         return OwnMember(s, As<lianxin::v1::GetEducationRecordRequest>(m)->mutable_member_id());
       }});
  // A quarterly or thought report, or a change of place (R4), filed online.
  calls.push_back(
      {"/lianxin.v1.ContactTracking/RecordContact", [](const MemberScope& s, Message* m) {
         auto* r = As<lianxin::v1::RecordContactRequest>(m);
         if (absl::Status own = OwnMember(s, r->mutable_member_id()); !own.ok()) {
           return own;
         }
         if (r->kind() != lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT &&
             r->kind() != lianxin::v1::CONTACT_KIND_THOUGHT_REPORT &&
             r->kind() != lianxin::v1::CONTACT_KIND_LOCATION_CHANGE) {
           return Refuse("kind",
                         "a member files QUARTERLY_REPORT, THOUGHT_REPORT or "
                         "LOCATION_CHANGE");
         }
         r->set_channel(lianxin::v1::CONTACT_CHANNEL_ONLINE);
         return absl::OkStatus();
       }});
  // A change of address, phone, employer or occupation while away (home only).
  calls.push_back(
      {"/lianxin.v1.Registry/RecordOutflowChange", [](const MemberScope& s, Message* m) {
         auto* r = As<lianxin::v1::RecordOutflowChangeRequest>(m);
         if (absl::Status own = OwnMember(s, r->mutable_member_id()); !own.ok()) {
           return own;
         }
         if (!r->destination_branch().empty()) {
           return Refuse("destination_branch",
                         "the branch at the destination is recorded by the branch");
         }
         return absl::OkStatus();
       }});
  // A request for help: a hotline ticket of the member's own county (R14).
  calls.push_back(
      {"/lianxin.v1.ContactTracking/OpenConsultation", [](const MemberScope& s, Message* m) {
         auto* r = As<lianxin::v1::OpenConsultationRequest>(m);
         if (absl::Status own = OwnMember(s, r->mutable_member_id()); !own.ok()) {
           return own;
         }
         if (!r->jurisdiction().empty() && r->jurisdiction() != s.jurisdiction) {
           return Refuse("jurisdiction", "a member asks their own county for help");
         }
         r->set_jurisdiction(s.jurisdiction);
         r->set_caller_name(s.name);
         r->set_caller_kind(lianxin::v1::CALLER_KIND_MEMBER);
         r->clear_line();
         r->clear_duty_staff();
         r->clear_received_at();
         return absl::OkStatus();
       }});
  return calls;
}

const std::vector<MemberCall>& MemberCalls() {
  static const auto* calls = new std::vector<MemberCall>(BuildMemberCalls());
  return *calls;
}

}  // namespace

bool IsValidPin(absl::string_view pin) {
  if (pin.size() < 6 || pin.size() > 12) return false;
  if (!std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return std::any_of(pin.begin(), pin.end(), [&](char c) { return c != pin[0]; });
}

const MemberCall* FindMemberCall(absl::string_view path) {
  for (const MemberCall& call : MemberCalls()) {
    if (call.path == path) return &call;
  }
  return nullptr;
}

std::vector<std::string> MemberCallPaths() {
  std::vector<std::string> out;
  for (const MemberCall& call : MemberCalls()) out.push_back(call.path);
  return out;
}

absl::StatusOr<std::unique_ptr<MemberPins>> MemberPins::FromFile(const std::string& path) {
  auto pins = std::unique_ptr<MemberPins>(new MemberPins(path));
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return pins;
  absl::StatusOr<std::string> text = ReadSecretFile("--member_pins_file", path);
  if (!text.ok()) return text.status();
  int line_no = 0;
  absl::MutexLock lock(&pins->mu_);
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++line_no;
    std::vector<std::string> w = absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (w.empty() || w[0][0] == '#') continue;
    if (w.size() != 4 || !IsMemberId(w[0]) || !absl::StartsWith(w[1], "scrypt$")) {
      return absl::InvalidArgumentError(absl::StrCat("--member_pins_file ", path, ":", line_no,
                                                     ": want `member_id hash set_at set_by`"));
    }
    pins->by_member_[w[0]] = Entry{w[1], w[2], w[3]};
  }
  return pins;
}

std::optional<std::string> MemberPins::Find(absl::string_view member_id) const {
  absl::MutexLock lock(&mu_);
  auto it = by_member_.find(member_id);
  if (it == by_member_.end()) return std::nullopt;
  return it->second.hash;
}

size_t MemberPins::size() const {
  absl::MutexLock lock(&mu_);
  return by_member_.size();
}

absl::Status MemberPins::Set(const std::string& member_id, const std::string& hash,
                             const std::string& set_by, absl::Time now) {
  if (!IsMemberId(member_id)) return absl::InvalidArgumentError("member_id: not a member id");
  if (set_by.empty() || std::any_of(set_by.begin(), set_by.end(), [](char c) {
        return absl::ascii_isspace(static_cast<unsigned char>(c));
      })) {
    return absl::InvalidArgumentError("set_by: one word");
  }
  absl::MutexLock lock(&mu_);
  std::map<std::string, Entry, std::less<>> next = by_member_;
  next[member_id] =
      Entry{hash, absl::FormatTime(absl::RFC3339_sec, now, absl::UTCTimeZone()), set_by};
  std::string text = "# member_id pin_hash set_at set_by (lxgateway; owner-only)\n";
  for (const auto& [id, e] : next) {
    absl::StrAppend(&text, id, " ", e.hash, " ", e.set_at, " ", e.set_by, "\n");
  }
  const std::string temporary = path_ + ".new";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("--member_pins_file ", temporary, ": ", std::strerror(errno)));
  }
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  ok = ok && ::rename(temporary.c_str(), path_.c_str()) == 0;
  if (!ok) {
    const std::string why = std::strerror(errno);
    ::unlink(temporary.c_str());
    return absl::UnavailableError(absl::StrCat("--member_pins_file ", path_, ": ", why));
  }
  by_member_ = std::move(next);
  return absl::OkStatus();
}

}  // namespace lianxin::gateway
