#include "tools/lxgateway/connect.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/util/json_util.h"

namespace lianxin::gateway {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;
using google::protobuf::Value;

constexpr absl::string_view kTypePrefix = "type.googleapis.com/";

Value StringValue(absl::string_view s) {
  Value v;
  v.set_string_value(std::string(s));
  return v;
}

// Parses `bytes` as a message; false if it is not well-formed protobuf.
bool Parse(absl::string_view bytes, UnknownFieldSet* out) {
  return out->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

// The string fields numbered `number` of `fields`, in order.
std::vector<std::string> Strings(const UnknownFieldSet& fields, int number) {
  std::vector<std::string> out;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    if (f.number() == number && f.type() == UnknownField::TYPE_LENGTH_DELIMITED) {
      out.push_back(f.length_delimited());
    }
  }
  return out;
}

std::string First(const UnknownFieldSet& fields, int number) {
  std::vector<std::string> all = Strings(fields, number);
  return all.empty() ? "" : all.front();
}

// The readable form of the two detail types the services send, else false.
bool Debug(absl::string_view type, absl::string_view value, Struct* debug) {
  UnknownFieldSet fields;
  if (!Parse(value, &fields)) return false;
  auto& out = *debug->mutable_fields();
  if (type == "google.rpc.BadRequest") {
    ListValue violations;
    for (const std::string& raw : Strings(fields, 1)) {
      UnknownFieldSet violation;
      if (!Parse(raw, &violation)) return false;
      Struct v;
      (*v.mutable_fields())["field"] = StringValue(First(violation, 1));
      (*v.mutable_fields())["description"] = StringValue(First(violation, 2));
      *violations.add_values()->mutable_struct_value() = std::move(v);
    }
    *out["fieldViolations"].mutable_list_value() = std::move(violations);
    return true;
  }
  if (type == "google.rpc.ErrorInfo") {
    out["reason"] = StringValue(First(fields, 1));
    out["domain"] = StringValue(First(fields, 2));
    Struct metadata;
    for (const std::string& raw : Strings(fields, 3)) {
      UnknownFieldSet entry;
      if (!Parse(raw, &entry)) return false;
      (*metadata.mutable_fields())[First(entry, 1)] = StringValue(First(entry, 2));
    }
    *out["metadata"].mutable_struct_value() = std::move(metadata);
    return true;
  }
  return false;
}

}  // namespace

std::string ConnectCodeName(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kCancelled:
      return "canceled";  // Connect's spelling
    case absl::StatusCode::kOk:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnauthenticated:
      return absl::AsciiStrToLower(absl::StatusCodeToString(code));
    default:
      return "unknown";
  }
}

int ConnectHttpStatus(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kCancelled:
      return 499;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnimplemented:
      return 501;
    case absl::StatusCode::kUnavailable:
      return 503;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    default:
      return 500;
  }
}

std::string BadRequestStatusDetails(absl::StatusCode code, absl::string_view message,
                                    const std::vector<FieldViolation>& violations) {
  UnknownFieldSet bad_request;
  for (const FieldViolation& v : violations) {
    UnknownFieldSet violation;
    violation.AddLengthDelimited(1, v.field);
    violation.AddLengthDelimited(2, v.description);
    std::string raw;
    violation.SerializeToString(&raw);
    bad_request.AddLengthDelimited(1, raw);
  }
  UnknownFieldSet any;
  any.AddLengthDelimited(1, std::string(kTypePrefix) + "google.rpc.BadRequest");
  std::string value;
  bad_request.SerializeToString(&value);
  any.AddLengthDelimited(2, value);
  UnknownFieldSet status;
  status.AddVarint(1, static_cast<uint64_t>(code));
  status.AddLengthDelimited(2, std::string(message));
  std::string raw_any;
  any.SerializeToString(&raw_any);
  status.AddLengthDelimited(3, raw_any);
  std::string out;
  status.SerializeToString(&out);
  return out;
}

std::string ConnectErrorJson(absl::StatusCode code, absl::string_view message,
                             absl::string_view status_details_bin) {
  Struct body;
  auto& fields = *body.mutable_fields();
  fields["code"] = StringValue(ConnectCodeName(code));
  if (!message.empty()) fields["message"] = StringValue(message);
  UnknownFieldSet status;
  if (!status_details_bin.empty() && Parse(status_details_bin, &status)) {
    ListValue details;
    for (const std::string& raw_any : Strings(status, 3)) {
      UnknownFieldSet any;
      if (!Parse(raw_any, &any)) continue;
      std::string type = First(any, 1);
      const std::string value = First(any, 2);
      if (absl::StartsWith(type, kTypePrefix)) type = type.substr(kTypePrefix.size());
      if (type.empty()) continue;
      Struct detail;
      (*detail.mutable_fields())["type"] = StringValue(type);
      // Connect: standard base64 without padding.
      std::string encoded = absl::Base64Escape(value);
      while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
      (*detail.mutable_fields())["value"] = StringValue(encoded);
      Struct debug;
      if (Debug(type, value, &debug)) {
        *(*detail.mutable_fields())["debug"].mutable_struct_value() = std::move(debug);
      }
      *details.add_values()->mutable_struct_value() = std::move(detail);
    }
    if (details.values_size() > 0) *fields["details"].mutable_list_value() = std::move(details);
  }
  std::string out;
  // A Struct of strings always prints.
  (void)google::protobuf::util::MessageToJsonString(body, &out);
  return out;
}

}  // namespace lianxin::gateway
