#include "libs/runtime/rpc.h"

#include <stdexcept>

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "lianxin/v1/echo.pb.h"
#include "lianxin/v1/events.pb.h"
#include "libs/runtime/validate.h"

namespace lianxin {
namespace {

using ::testing::HasSubstr;

TEST(StatusConversionTest, KeepsCodeAndMessage) {
  for (absl::StatusCode code :
       {absl::StatusCode::kInvalidArgument, absl::StatusCode::kNotFound, absl::StatusCode::kAborted,
        absl::StatusCode::kFailedPrecondition, absl::StatusCode::kPermissionDenied,
        absl::StatusCode::kUnauthenticated, absl::StatusCode::kUnavailable}) {
    absl::Status status(code, "姓名 is empty");
    grpc::Status g = ToGrpcStatus(status);
    EXPECT_EQ(static_cast<int>(g.error_code()), static_cast<int>(code));
    EXPECT_EQ(g.error_message(), "姓名 is empty");
    EXPECT_EQ(FromGrpcStatus(g), status);
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_TRUE(FromGrpcStatus(grpc::Status::OK).ok());
}

TEST(StatusConversionTest, EveryInvalidFieldTravelsAsBadRequest) {
  absl::Status invalid = FieldChecker()
                             .Text("name", "", 1, 32)
                             .Date("left_on", "2026-02-30")
                             .Jurisdiction("destination", "12")
                             .status();
  grpc::Status g = ToGrpcStatus(invalid);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(g.error_message(), "name: is required");
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(g.error_details()));
  EXPECT_EQ(details.code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::BadRequest bad_request;
  ASSERT_TRUE(details.details(0).UnpackTo(&bad_request));
  std::vector<std::string> fields;
  for (const auto& v : bad_request.field_violations()) fields.push_back(v.field());
  EXPECT_THAT(fields, ::testing::ElementsAre("name", "left_on", "destination"));
  // And back: the payload survives the round trip.
  absl::Status back = FromGrpcStatus(g);
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(back.GetPayload(kBadRequestType).has_value());
  EXPECT_EQ(std::string(*back.GetPayload(kBadRequestType)), bad_request.SerializeAsString());
}

TEST(StatusConversionTest, CitedRuleBecomesErrorInfo) {
  grpc::Status g = ToGrpcStatus(
      absl::AlreadyExistsError("id_number: already registered as member 654322-ab (R18)"));
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(g.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "R18");
  EXPECT_EQ(info.domain(), "lianxin.v1");
  google::rpc::ErrorInfo scheduling;
  grpc::Status g12 = ToGrpcStatus(absl::FailedPreconditionError(
      "starts_at: the place is taken (R12 scheduling: a place holds one "
      "session at a time)"));
  ASSERT_TRUE(details.ParseFromString(g12.error_details()));
  ASSERT_TRUE(details.details(0).UnpackTo(&scheduling));
  EXPECT_EQ(scheduling.reason(), "R12");
  // No rule, no payload: no details at all.
  EXPECT_TRUE(ToGrpcStatus(absl::NotFoundError("member_id: x (Rx)")).error_details().empty());
}

TEST(RunGuardedTest, PassesStatusThrough) {
  EXPECT_EQ(RunGuarded("t", [] { return absl::NotFoundError("x"); }), absl::NotFoundError("x"));
}

TEST(RunGuardedTest, ExceptionBecomesInternal) {
  absl::Status s = RunGuarded("/lianxin.v1.Echo/Say",
                              []() -> absl::Status { throw std::runtime_error("boom"); });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("/lianxin.v1.Echo/Say"));
  EXPECT_EQ(RunGuarded("t", []() -> absl::Status { throw 42; }).code(),
            absl::StatusCode::kInternal);
}

TEST(RpcScopeTest, RecordsCodeOnceAndUnknownIfNeverFinished) {
  Metrics metrics;
  {
    RpcScope scope(&metrics, "/t/A");
    EXPECT_EQ(scope.Finish(absl::NotFoundError("x")).error_code(), grpc::StatusCode::NOT_FOUND);
    scope.Finish(absl::OkStatus());  // ignored for metrics
  }
  { RpcScope scope(&metrics, "/t/B"); }
  { RpcScope scope(nullptr, "/t/C"); }  // no metrics: fine

  auto count = [&](const std::string& method, const std::string& code) {
    double total = 0;
    for (const auto& family : metrics.registry()->Collect()) {
      if (family.name != "lianxin_rpc_total") continue;
      for (const auto& m : family.metric) {
        bool method_ok = false, code_ok = false;
        for (const auto& l : m.label) {
          method_ok |= l.name == "method" && l.value == method;
          code_ok |= l.name == "code" && l.value == code;
        }
        if (method_ok && code_ok) total += m.counter.value;
      }
    }
    return total;
  };
  EXPECT_EQ(count("/t/A", "NOT_FOUND"), 1);
  EXPECT_EQ(count("/t/A", "OK"), 0);
  EXPECT_EQ(count("/t/B", "UNKNOWN"), 1);
}

grpc::ByteBuffer Bytes(std::string wire) {
  grpc::Slice slice(wire);
  return grpc::ByteBuffer(&slice, 1);
}

// Serializes `message` and swaps the placeholder "ZZ" for a truncated UTF-8 sequence.
grpc::ByteBuffer WithInvalidUtf8(const google::protobuf::Message& message) {
  std::string wire = message.SerializeAsString();
  wire.replace(wire.find("ZZ"), 2, "\xE5\xAF");
  return Bytes(wire);
}

TEST(ParseRequest, ParsesValidUtf8) {
  v1::EchoRequest sent;
  sent.set_text("富蕴县 张三");
  v1::EchoRequest parsed;
  ASSERT_TRUE(ParseRequest(Bytes(sent.SerializeAsString()), &parsed).ok());
  EXPECT_EQ(parsed.text(), "富蕴县 张三");
}

TEST(ParseRequest, NamesTheFieldWithInvalidUtf8) {
  v1::EchoRequest top;
  top.set_text("ZZ");
  v1::EchoRequest parsed;
  absl::Status s = ParseRequest(WithInvalidUtf8(top), &parsed);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "text: is not valid UTF-8");

  v1::Event nested;
  nested.set_aggregate_id("654322-1");
  nested.mutable_source()->set_jurisdiction("ZZ");
  v1::Event parsed_event;
  s = ParseRequest(WithInvalidUtf8(nested), &parsed_event);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "source.jurisdiction: is not valid UTF-8");
}

TEST(ParseRequest, RefusesGarbageWithInvalidArgument) {
  v1::EchoRequest parsed;
  absl::Status s = ParseRequest(Bytes("\xff\xff\xff"), &parsed);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "request: does not parse as lianxin.v1.EchoRequest");
}

}  // namespace
}  // namespace lianxin
