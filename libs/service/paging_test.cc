#include "libs/service/paging.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lianxin/v1/registry.pb.h"

namespace lianxin {
namespace {

using Items = google::protobuf::RepeatedPtrField<lianxin::v1::CountByKey>;

Items ItemsKeyed(const std::vector<std::string>& keys) {
  Items items;
  for (const std::string& key : keys) items.Add()->set_key(key);
  return items;
}

std::vector<std::string> KeysOf(const Items& items) {
  std::vector<std::string> keys;
  for (const auto& item : items) keys.push_back(item.key());
  return keys;
}

// Walks `keys` (in any order) page by page; returns the pages' keys.
std::vector<std::vector<std::string>> Walk(const std::vector<std::string>& keys, int page_size) {
  std::vector<std::vector<std::string>> pages;
  std::string token;
  do {
    FieldChecker check;
    Pager pager("ListThings", page_size, token, check);
    EXPECT_TRUE(check.status().ok()) << check.status();
    Items items = ItemsKeyed(keys);
    pager.Fill([](const lianxin::v1::CountByKey& c) { return c.key(); }, &items, &token);
    pages.push_back(KeysOf(items));
  } while (!token.empty() && pages.size() < 100);
  return pages;
}

struct WalkCase {
  const char* name;
  std::vector<std::string> keys;
  int page_size;
  std::vector<std::vector<std::string>> pages;
};

TEST(PagerTest, Fill_ServesEveryItemOnceInKeyOrder) {
  const std::vector<WalkCase> cases = {
      {"empty list: one empty page", {}, 2, {{}}},
      {"fewer than a page", {"b", "a"}, 3, {{"a", "b"}}},
      {"exact multiple: no empty last page", {"d", "c", "b", "a"}, 2, {{"a", "b"}, {"c", "d"}}},
      {"remainder on the last page", {"c", "a", "b"}, 2, {{"a", "b"}, {"c"}}},
      {"page size 1", {"b", "a"}, 1, {{"a"}, {"b"}}},
      {"0 means the default size", {"a", "b"}, 0, {{"a", "b"}}},
  };
  for (const WalkCase& c : cases) {
    EXPECT_EQ(Walk(c.keys, c.page_size), c.pages) << c.name;
  }
}

TEST(PagerTest, Fill_DefaultPageIsAHundred) {
  std::vector<std::string> keys;
  for (int i = 0; i < 250; ++i) keys.push_back(AscendingKey(i));
  std::vector<std::vector<std::string>> pages = Walk(keys, 0);
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[0].size(), 100u);
  EXPECT_EQ(pages[2].size(), 50u);
  EXPECT_EQ(pages[2].back(), AscendingKey(249));
}

TEST(PagerTest, Fill_ItemsAddedBetweenPagesNeitherRepeatNorShift) {
  std::vector<std::string> keys = {"b", "d", "f", "h"};
  std::string token;
  FieldChecker check;
  Items first = ItemsKeyed(keys);
  Pager("ListThings", 2, "", check).Fill([](const auto& c) { return c.key(); }, &first, &token);
  EXPECT_EQ(KeysOf(first), (std::vector<std::string>{"b", "d"}));
  // One item before the token and one after arrive before the next page.
  keys.push_back("a");
  keys.push_back("e");
  Items second = ItemsKeyed(keys);
  Pager("ListThings", 2, token, check).Fill([](const auto& c) { return c.key(); }, &second, &token);
  ASSERT_TRUE(check.status().ok()) << check.status();
  EXPECT_EQ(KeysOf(second), (std::vector<std::string>{"e", "f"}));
  Items third = ItemsKeyed(keys);
  Pager("ListThings", 2, token, check).Fill([](const auto& c) { return c.key(); }, &third, &token);
  EXPECT_EQ(KeysOf(third), (std::vector<std::string>{"h"}));
  EXPECT_EQ(token, "");
}

TEST(PagerTest, Fill_ServedItemRemovedBeforeNextPageStillContinuesAfterIt) {
  std::string token;
  FieldChecker check;
  Items first = ItemsKeyed({"a", "b", "c"});
  Pager("ListThings", 2, "", check).Fill([](const auto& c) { return c.key(); }, &first, &token);
  Items second = ItemsKeyed({"a", "c"});  // "b" went away
  Pager("ListThings", 2, token, check).Fill([](const auto& c) { return c.key(); }, &second, &token);
  EXPECT_EQ(KeysOf(second), (std::vector<std::string>{"c"}));
}

struct BadCase {
  const char* name;
  int64_t page_size;
  std::string page_token;
  const char* field;
};

TEST(PagerTest, Pager_RefusesBadSizeOrTokenNamingTheField) {
  const std::string other_list = Pager::TokenAfter("ListOtherThings", "a");
  const std::vector<BadCase> cases = {
      {"negative size", -1, "", "page_size"},
      {"size above the maximum", kMaxPageSize + 1, "", "page_size"},
      {"garbage token", 10, "garbage", "page_token"},
      {"prefix but not base64", 10, "p1.!!!!", "page_token"},
      {"token of another list", 10, other_list, "page_token"},
      {"token of a list whose name is a prefix", 10, Pager::TokenAfter("ListThingsMore", "a"),
       "page_token"},
      {"token without a key", 10, Pager::TokenAfter("ListThings", ""), "page_token"},
      {"oversized token", 10, std::string(600, 'p'), "page_token"},
  };
  for (const BadCase& c : cases) {
    FieldChecker check;
    Pager pager("ListThings", c.page_size, c.page_token, check);
    absl::Status status = check.status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_TRUE(absl::StartsWith(status.message(), absl::StrCat(c.field, ": ")))
        << c.name << ": " << status;
  }
}

TEST(PagerTest, Pager_AcceptsBoundarySizesAndItsOwnToken) {
  for (int64_t size : {int64_t{0}, int64_t{1}, int64_t{kMaxPageSize}}) {
    FieldChecker check;
    Pager pager("ListThings", size, Pager::TokenAfter("ListThings", "k"), check);
    EXPECT_TRUE(check.status().ok()) << size << ": " << check.status();
    EXPECT_EQ(pager.after(), "k");
    EXPECT_EQ(pager.page_size(), size == 0 ? kDefaultPageSize : size);
  }
}

TEST(PagerTest, OrderKeys_SortAsTheirValues) {
  EXPECT_LT(AscendingKey(9), AscendingKey(10));
  EXPECT_LT(DescendingKey(10), DescendingKey(9));
  EXPECT_LT(DescendingKey(1), DescendingKey(-1));
  EXPECT_LT(OrderKey({"2026-01-01", "m2"}), OrderKey({"2026-01-02", "m1"}));
  EXPECT_LT(OrderKey({"a", "z"}), OrderKey({"ab", "a"}));
}

}  // namespace
}  // namespace lianxin
