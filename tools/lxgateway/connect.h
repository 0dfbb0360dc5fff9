// The Connect protocol's unary form over HTTP with JSON, as the gateway speaks
// it: error codes and HTTP statuses, and the error body built from a gRPC
// status and its google.rpc.Status details.
//
//   res.status = ConnectHttpStatus(status.code());
//   res.set_content(ConnectErrorJson(status.code(), status.message(), details_bin),
//                   "application/json");
//
// The details are decoded from the wire format without the google.rpc protos:
// google.rpc.BadRequest and google.rpc.ErrorInfo also get a "debug" object
// (field violations; reason, domain, metadata) so a browser need not decode them.
#ifndef LIANXIN_TOOLS_LXGATEWAY_CONNECT_H_
#define LIANXIN_TOOLS_LXGATEWAY_CONNECT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace lianxin::gateway {

// The Connect code name: "invalid_argument" for INVALID_ARGUMENT; "unknown" for
// a code outside the canonical set.
std::string ConnectCodeName(absl::StatusCode code);

// The HTTP status the Connect protocol gives a code (400, 401, 403, 404, 409...).
int ConnectHttpStatus(absl::StatusCode code);

// One field that failed validation, as google.rpc.BadRequest.FieldViolation.
struct FieldViolation {
  std::string field;
  std::string description;
};

// Serializes a google.rpc.Status with `code`, `message` and one
// google.rpc.BadRequest detail holding `violations`.
std::string BadRequestStatusDetails(absl::StatusCode code, absl::string_view message,
                                    const std::vector<FieldViolation>& violations);

// The Connect error body: {"code", "message", "details": [{"type", "value",
// "debug"}]}. `status_details_bin` is a serialized google.rpc.Status (gRPC's
// grpc-status-details-bin trailer), or empty; undecodable bytes are left out.
std::string ConnectErrorJson(absl::StatusCode code, absl::string_view message,
                             absl::string_view status_details_bin);

}  // namespace lianxin::gateway

#endif  // LIANXIN_TOOLS_LXGATEWAY_CONNECT_H_
