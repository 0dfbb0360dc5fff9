// Page tokens and ordering keys (see paging.h).
#include "libs/service/paging.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace lianxin {
namespace {

// A token is "p1." + web-safe base64 of "<list>\n<last key>". The list name
// binds it to one list; the key is only ever compared, never used as a
// storage key, so a forged one can move the page start and nothing else.
constexpr absl::string_view kTokenPrefix = "p1.";
constexpr size_t kMaxTokenLength = 512;

}  // namespace

std::string Pager::TokenAfter(absl::string_view list, absl::string_view key) {
  std::string token;
  absl::WebSafeBase64Escape(absl::StrCat(list, "\n", key), &token);
  return absl::StrCat(kTokenPrefix, token);
}

Pager::Pager(absl::string_view list, int64_t page_size, absl::string_view page_token,
             FieldChecker& check)
    : list_(list) {
  check.Require(
      page_size >= 0 && page_size <= kMaxPageSize, "page_size",
      absl::StrCat("must be between 0 and ", kMaxPageSize, " (0 = ", kDefaultPageSize, ")"));
  if (page_size > 0 && page_size <= kMaxPageSize) page_size_ = static_cast<int32_t>(page_size);
  if (page_token.empty()) return;
  std::string decoded;
  const bool ours =
      page_token.size() <= kMaxTokenLength && absl::StartsWith(page_token, kTokenPrefix) &&
      absl::WebSafeBase64Unescape(page_token.substr(kTokenPrefix.size()), &decoded) &&
      absl::StartsWith(decoded, absl::StrCat(list, "\n")) && decoded.size() > list.size() + 1;
  check.Require(ours, "page_token",
                absl::StrCat("is not a token from a previous ", list, " reply"));
  if (ours) after_ = decoded.substr(list.size() + 1);
}

std::string AscendingKey(uint64_t value) { return absl::StrFormat("%020u", value); }

std::string DescendingKey(int64_t value) {
  // Flip the order: the largest value gets the smallest key.
  const uint64_t biased = static_cast<uint64_t>(value) ^ (uint64_t{1} << 63);
  return AscendingKey(~biased);
}

std::string OrderKey(std::initializer_list<absl::string_view> parts) {
  return absl::StrJoin(parts, "\x01");
}

}  // namespace lianxin
