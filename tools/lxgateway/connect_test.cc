#include "tools/lxgateway/connect.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tools/lxgateway/dispatcher.h"

namespace lianxin::gateway {
namespace {

using ::testing::HasSubstr;

google::protobuf::Struct Parsed(const std::string& json) {
  google::protobuf::Struct out;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &out).ok()) << json;
  return out;
}

TEST(ConnectCodeName, IsLowerSnakeCase_AndCancelledIsSpelledAsConnectSpellsIt) {
  const struct {
    absl::StatusCode code;
    std::string name;
    int http;
  } cases[] = {
      {absl::StatusCode::kInvalidArgument, "invalid_argument", 400},
      {absl::StatusCode::kFailedPrecondition, "failed_precondition", 400},
      {absl::StatusCode::kNotFound, "not_found", 404},
      {absl::StatusCode::kAlreadyExists, "already_exists", 409},
      {absl::StatusCode::kAborted, "aborted", 409},
      {absl::StatusCode::kPermissionDenied, "permission_denied", 403},
      {absl::StatusCode::kUnauthenticated, "unauthenticated", 401},
      {absl::StatusCode::kResourceExhausted, "resource_exhausted", 429},
      {absl::StatusCode::kUnavailable, "unavailable", 503},
      {absl::StatusCode::kDeadlineExceeded, "deadline_exceeded", 504},
      {absl::StatusCode::kUnimplemented, "unimplemented", 501},
      {absl::StatusCode::kInternal, "internal", 500},
      {absl::StatusCode::kCancelled, "canceled", 499},
      {static_cast<absl::StatusCode>(99), "unknown", 500},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ConnectCodeName(c.code), c.name);
    EXPECT_EQ(ConnectHttpStatus(c.code), c.http) << c.name;
  }
}

TEST(ConnectErrorJson, WithoutDetails_HasCodeAndMessageOnly) {
  google::protobuf::Struct body =
      Parsed(ConnectErrorJson(absl::StatusCode::kNotFound, "member_id: 成员不存在", ""));
  EXPECT_EQ(body.fields().at("code").string_value(), "not_found");
  EXPECT_EQ(body.fields().at("message").string_value(), "member_id: 成员不存在");
  EXPECT_EQ(body.fields().count("details"), 0u);
}

TEST(ConnectErrorJson, BadRequestDetail_HasTypeUnpaddedBase64ValueAndReadableDebug) {
  const std::string details = BadRequestStatusDetails(absl::StatusCode::kInvalidArgument, "bad",
                                                      {{"category", "not a MemberCategory"}});
  google::protobuf::Struct body =
      Parsed(ConnectErrorJson(absl::StatusCode::kInvalidArgument, "bad", details));
  const auto& list = body.fields().at("details").list_value();
  ASSERT_EQ(list.values_size(), 1);
  const auto& detail = list.values(0).struct_value().fields();
  EXPECT_EQ(detail.at("type").string_value(), "google.rpc.BadRequest");
  const std::string value = detail.at("value").string_value();
  EXPECT_EQ(value.find('='), std::string::npos);
  std::string decoded;
  EXPECT_TRUE(absl::Base64Unescape(value, &decoded));
  EXPECT_THAT(decoded, HasSubstr("category"));
  const auto& violation = detail.at("debug")
                              .struct_value()
                              .fields()
                              .at("fieldViolations")
                              .list_value()
                              .values(0)
                              .struct_value()
                              .fields();
  EXPECT_EQ(violation.at("field").string_value(), "category");
  EXPECT_EQ(violation.at("description").string_value(), "not a MemberCategory");
}

TEST(ConnectErrorJson, GarbageDetails_AreLeftOut) {
  google::protobuf::Struct body = Parsed(
      ConnectErrorJson(absl::StatusCode::kInternal, "x", std::string("\xff\xff\xff\x01", 4)));
  EXPECT_EQ(body.fields().count("details"), 0u);
}

TEST(FieldOfJsonError, NamesTheFieldInParentheses_OrNothing) {
  EXPECT_EQ(FieldOfJsonError("(category): invalid value \"X\" for type TYPE_ENUM"), "category");
  EXPECT_EQ(FieldOfJsonError("favouriteColour: Cannot find field."), "favouriteColour");
  EXPECT_EQ(FieldOfJsonError("Unexpected token."), "");
  EXPECT_EQ(FieldOfJsonError("(a b): x"), "");
}

}  // namespace
}  // namespace lianxin::gateway
