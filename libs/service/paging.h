// Paging of List and history replies, so that no reply outgrows a client's
// message limit. A handler builds its list (in any order), names each item's
// ordering key (unique within the list, e.g. member_id or (date, id)), and
// the pager keeps the page after the request's token: the items sort by key,
// the page starts after the last key the previous page served, and the next
// token is an opaque encoding of this page's last key (empty on the last
// page). Totals a reply carries are computed by the handler over the whole
// list, before paging.
//
//   FieldChecker check;
//   Pager pager("ListOverdue", request.page_size(), request.page_token(), check);
//   RETURN_IF_ERROR(check.status());
//   ... fill reply->mutable_members() ...
//   reply->set_total_size(pager.Fill([](const OverdueMember& m) { return m.member_id(); },
//                                    reply->mutable_members(),
//                                    reply->mutable_next_page_token()));
//
// Items added between two pages with a key after the token appear on a later
// page; items before it do not; nothing served is served again.
#ifndef LIANXIN_LIBS_SERVICE_PAGING_H_
#define LIANXIN_LIBS_SERVICE_PAGING_H_

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "libs/runtime/validate.h"

namespace lianxin {

// The page size when a request leaves it 0, and the largest one accepted.
inline constexpr int32_t kDefaultPageSize = 100;
inline constexpr int32_t kMaxPageSize = 1000;

class Pager {
 public:
  // `list` names the list (the RPC, e.g. "ListOverdue"); a token from another
  // list is refused. Adds to `check` a violation naming `page_size` unless it
  // is 0..kMaxPageSize, and one naming `page_token` unless it is empty or a
  // token this list gave.
  Pager(absl::string_view list, int64_t page_size, absl::string_view page_token,
        FieldChecker& check);

  // The opaque token that continues `list` after the item ordered at `key`.
  static std::string TokenAfter(absl::string_view list, absl::string_view key);

  // The number of items on a full page.
  int32_t page_size() const { return page_size_; }
  // The key of the last item already served; empty on the first page.
  const std::string& after() const { return after_; }

  // Sorts `items` by `key_of(item)` (a std::string, unique within the list),
  // keeps only this page's items, and sets `*next_page_token` to the token
  // after the page's last item if more items follow, else to "". Returns the
  // number of items in the whole list (a reply's total_size).
  template <typename T, typename KeyOf>
  uint32_t Fill(KeyOf key_of, google::protobuf::RepeatedPtrField<T>* items,
                std::string* next_page_token) const {
    std::vector<std::pair<std::string, T*>> keyed;
    keyed.reserve(items->size());
    for (T& item : *items) keyed.emplace_back(key_of(item), &item);
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    auto first = std::upper_bound(
        keyed.begin(), keyed.end(), after_,
        [](const std::string& after, const auto& item) { return after < item.first; });
    const size_t begin = first - keyed.begin();
    const size_t end = std::min(keyed.size(), begin + static_cast<size_t>(page_size_));
    // The page's items, in key order, at the front; the rest dropped.
    auto slot = items->pointer_begin();
    for (size_t i = begin; i < end; ++i, ++slot) *slot = keyed[i].second;
    size_t next = end - begin;
    for (size_t i = 0; i < keyed.size(); ++i) {
      if (i < begin || i >= end) *(items->pointer_begin() + next++) = keyed[i].second;
    }
    const int kept = static_cast<int>(end - begin);
    items->DeleteSubrange(kept, items->size() - kept);
    *next_page_token = end < keyed.size() ? TokenAfter(list_, keyed[end - 1].first) : "";
    return static_cast<uint32_t>(keyed.size());
  }

 private:
  std::string list_;
  int32_t page_size_ = kDefaultPageSize;
  std::string after_;
};

// Ordering-key parts: a fixed-width number sorts as a string does. Join parts
// with OrderKey.
std::string AscendingKey(uint64_t value);
std::string DescendingKey(int64_t value);
// The parts joined so that (a, b) orders by a, then b ("\x01" between parts,
// which no id, date or fixed-width number contains).
std::string OrderKey(std::initializer_list<absl::string_view> parts);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_SERVICE_PAGING_H_
