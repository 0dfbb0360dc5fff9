// Walking a paged List or history RPC in a test: page after page, following
// next_page_token, checking that every page but the last is full and that
// no page exceeds the size asked for.
//
//   std::vector<v1::HistoryEntry> all;
//   int pages = 0;
//   LX_ASSERT_OK(WalkPages<v1::GetMemberHistoryReply>(
//       request, 2, [&](const auto& r, auto* reply) { return Call(..., r, reply); },
//       [](const auto& reply) { return reply.events(); }, &all, &pages));
#ifndef LIANXIN_TESTS_PAGING_TESTING_H_
#define LIANXIN_TESTS_PAGING_TESTING_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace lianxin::testing {

template <typename Reply, typename Request, typename Call, typename ItemsOf, typename Item>
absl::Status WalkPages(Request request, int32_t page_size, Call call, ItemsOf items_of,
                       std::vector<Item>* all, int* pages) {
  request.set_page_size(page_size);
  request.clear_page_token();
  *pages = 0;
  for (;;) {
    Reply reply;
    if (absl::Status s = call(request, &reply); !s.ok()) return s;
    ++*pages;
    const auto& items = items_of(reply);
    if (items.size() > page_size) {
      return absl::InternalError(
          absl::StrCat("page ", *pages, " holds ", items.size(), " items, more than ", page_size));
    }
    all->insert(all->end(), items.begin(), items.end());
    if (reply.next_page_token().empty()) return absl::OkStatus();
    if (items.size() != page_size) {
      return absl::InternalError(
          absl::StrCat("page ", *pages, " is not full but has a next_page_token"));
    }
    if (reply.next_page_token() == request.page_token() || *pages > 10000) {
      return absl::InternalError("the pages do not end");
    }
    request.set_page_token(reply.next_page_token());
  }
}

}  // namespace lianxin::testing

#endif  // LIANXIN_TESTS_PAGING_TESTING_H_
