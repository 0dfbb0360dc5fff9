// The client side of paging: a List or history RPC read whole, page after
// page, by tools and reports that need every row (lxctl, ledger exports,
// scenarios). The reply is the first page's, with the paged field's items of
// every later page appended; totals and other fields are the whole list's
// already (the server computes them over every page).
//
//   v1::ListOverdueReply reply;
//   RETURN_IF_ERROR(ReadAllPages(
//       request, [&](const auto& r, auto* page) { return client.Call(&Stub::ListOverdue, r, page);
//       }, &v1::ListOverdueReply::mutable_members, &reply));
#ifndef LIANXIN_LIBS_COMMON_ALL_PAGES_H_
#define LIANXIN_LIBS_COMMON_ALL_PAGES_H_

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace lianxin {

// The most pages read before giving up on a server whose tokens never end.
inline constexpr int kMaxPagesRead = 1000000;

// Calls `call(request, &page)` from `request`'s page token on, following
// next_page_token to the last page; `items` is the reply's paged field's
// mutable accessor (e.g. &ListOverdueReply::mutable_members). The page size
// is `request`'s (0 = the server's default). Returns the first failing call's
// status, or INTERNAL if the server repeats a token.
template <typename Request, typename Reply, typename Call, typename Item>
absl::Status ReadAllPages(Request request, Call call,
                          google::protobuf::RepeatedPtrField<Item>* (Reply::*items)(),
                          Reply* whole) {
  for (int page = 0; page < kMaxPagesRead; ++page) {
    Reply reply;
    if (absl::Status s = call(static_cast<const Request&>(request), &reply); !s.ok()) return s;
    const std::string next = reply.next_page_token();
    if (page == 0) {
      *whole = std::move(reply);
    } else {
      google::protobuf::RepeatedPtrField<Item>* into = (whole->*items)();
      for (Item& item : *(reply.*items)()) *into->Add() = std::move(item);
    }
    whole->clear_next_page_token();
    if (next.empty()) return absl::OkStatus();
    if (next == request.page_token()) {
      return absl::InternalError(
          absl::StrCat(Request::descriptor()->name(), ": the server repeated a page token"));
    }
    request.set_page_token(next);
  }
  return absl::InternalError(absl::StrCat(Request::descriptor()->name(), ": pages never end"));
}

}  // namespace lianxin

#endif  // LIANXIN_LIBS_COMMON_ALL_PAGES_H_
