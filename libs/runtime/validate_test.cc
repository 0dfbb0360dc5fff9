// Edge validation: every check names the field, UTF-8 is checked strictly.
#include "libs/runtime/validate.h"

#include <string>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"

namespace lianxin {
namespace {

TEST(IsValidUtf8, AcceptsChineseAndRejectsMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8("富蕴县 张三"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));  // U+1F600, 4 bytes
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));         // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));     // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xE5\xAF"));         // truncated
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

TEST(IsJurisdictionCode, SixDigitsWithAProvincePart) {
  EXPECT_TRUE(IsJurisdictionCode("654322"));
  EXPECT_TRUE(IsJurisdictionCode("440305"));
  EXPECT_FALSE(IsJurisdictionCode("65432"));
  EXPECT_FALSE(IsJurisdictionCode("6543221"));
  EXPECT_FALSE(IsJurisdictionCode("65432a"));
  EXPECT_FALSE(IsJurisdictionCode("004322"));
}

TEST(FieldChecker, TextCountsCharactersNotBytes) {
  EXPECT_TRUE(FieldChecker().Text("name", "欧阳娜娜", 1, 4).status().ok());
  absl::Status too_long = FieldChecker().Text("name", "欧阳娜娜娜", 1, 4).status();
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_long.message(), "name: is longer than 4 characters (5)");
  EXPECT_EQ(FieldChecker().Text("name", "", 1, 4).status().message(), "name: is required");
  EXPECT_EQ(FieldChecker().Text("name", "a\nb", 1, 4).status().message(),
            "name: contains a control character");
  EXPECT_TRUE(FieldChecker().Paragraph("answer", "a\nb", 1, 4).status().ok());
  EXPECT_EQ(FieldChecker().Text("branch", "\xE5\xAF", 1, 64).status().message(),
            "branch: is not valid UTF-8");
}

TEST(FieldChecker, KeepsTheFirstFailure) {
  absl::Status s = FieldChecker()
                       .RequestId("r-1")
                       .Jurisdiction("jurisdiction", "65432")
                       .Date("left_on", "2026-02-30")
                       .status();
  EXPECT_EQ(s.message(), "jurisdiction: '65432' is not a 6-digit administrative division code");
}

TEST(FieldChecker, TableOfFormats) {
  struct Case {
    const char* what;
    absl::Status status;
    bool ok;
  } cases[] = {
      {"date ok", FieldChecker().Date("d", "2024-02-29").status(), true},
      {"date not leap", FieldChecker().Date("d", "2026-02-29").status(), false},
      {"date unpadded", FieldChecker().Date("d", "2026-2-01").status(), false},
      {"date optional empty", FieldChecker().Date("d", "", true).status(), true},
      {"date required empty", FieldChecker().Date("d", "").status(), false},
      {"jurisdiction ok", FieldChecker().Jurisdiction("j", "654322").status(), true},
      {"jurisdiction letters", FieldChecker().Jurisdiction("j", "65432x").status(), false},
      {"jurisdiction province 00", FieldChecker().Jurisdiction("j", "001234").status(), false},
      {"request id ok", FieldChecker().RequestId("import-2026-001").status(), true},
      {"request id empty", FieldChecker().RequestId("").status(), false},
      {"request id space", FieldChecker().RequestId("a b").status(), false},
      {"request id 65", FieldChecker().RequestId(std::string(65, 'a')).status(), false},
      {"phone ok", FieldChecker().Phone("p", "+86 138-0000-0000").status(), true},
      {"phone letters", FieldChecker().Phone("p", "13800abc").status(), false},
      {"phone short", FieldChecker().Phone("p", "1234").status(), false},
  };
  for (const Case& c : cases) EXPECT_EQ(c.status.ok(), c.ok) << c.what << ": " << c.status;
}

TEST(FieldCheckerTest, CollectsEveryInvalidField_MessageNamesTheFirst) {
  absl::Status s = FieldChecker()
                       .Text("name", "", 1, 4)
                       .Text("branch", "\xE5\xAF", 1, 64)
                       .Date("left_on", "2026-13-01")
                       .Text("ok", "fine", 1, 4)
                       .status();
  EXPECT_EQ(s.message(), "name: is required");
  auto payload = s.GetPayload(kBadRequestType);
  ASSERT_TRUE(payload.has_value());
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(bad_request.ParseFromString(std::string(*payload)));
  ASSERT_EQ(bad_request.field_violations_size(), 3);
  EXPECT_EQ(bad_request.field_violations(0).field(), "name");
  EXPECT_EQ(bad_request.field_violations(1).field(), "branch");
  EXPECT_EQ(bad_request.field_violations(1).description(), "is not valid UTF-8");
  EXPECT_EQ(bad_request.field_violations(2).field(), "left_on");
  EXPECT_FALSE(FieldChecker().Text("ok", "fine", 1, 4).status().GetPayload(kBadRequestType));
}

}  // namespace
}  // namespace lianxin
