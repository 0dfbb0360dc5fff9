// Validation of request fields at the gRPC edge, with messages that name the
// field (INVALID_ARGUMENT). The domain trusts what passes here.
//
//   FieldChecker check;
//   check.Text("name", request.name(), 1, 32);
//   check.Date("left_on", request.left_on());
//   RETURN_IF_ERROR(check.status());
#ifndef LIANXIN_LIBS_RUNTIME_VALIDATE_H_
#define LIANXIN_LIBS_RUNTIME_VALIDATE_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace lianxin {

// True if `text` is well-formed UTF-8 (no overlongs, surrogates or code
// points above U+10FFFF).
bool IsValidUtf8(absl::string_view text);
// Number of code points in well-formed UTF-8 text.
size_t Utf8Length(absl::string_view text);

// A 6-digit administrative division code (GB/T 2260): digits, province part 11–82.
bool IsJurisdictionCode(absl::string_view code);

// Collects every failure of a series of field checks.
class FieldChecker {
 public:
  // Well-formed UTF-8 of min..max characters (code points) without control
  // characters (names, addresses, one-line text).
  FieldChecker& Text(absl::string_view field, absl::string_view value, size_t min, size_t max);
  // Like Text, but newlines and tabs are allowed (answers, summaries).
  FieldChecker& Paragraph(absl::string_view field, absl::string_view value, size_t min, size_t max);
  // The client's idempotency key: 1–64 printable ASCII characters.
  FieldChecker& RequestId(absl::string_view value);
  // A 6-digit administrative division code (GB/T 2260).
  FieldChecker& Jurisdiction(absl::string_view field, absl::string_view value);
  // "YYYY-MM-DD", a real calendar day; empty allowed only if `optional`.
  FieldChecker& Date(absl::string_view field, absl::string_view value, bool optional = false);
  // Digits with an optional leading '+', '-' or spaces inside, 5–20 characters.
  FieldChecker& Phone(absl::string_view field, absl::string_view value, bool optional = false);
  // A condition on a field; `message` says what is wrong.
  FieldChecker& Require(bool ok, absl::string_view field, absl::string_view message);

  // OK, or INVALID_ARGUMENT "<field>: <what is wrong>" for the first failure,
  // carrying every failure as a google.rpc.BadRequest payload
  // (kBadRequestType), which the gRPC edge sends in the status details.
  absl::Status status() const;

 private:
  FieldChecker& Fail(absl::string_view field, absl::string_view message);
  FieldChecker& CheckText(absl::string_view field, absl::string_view value, size_t min, size_t max,
                          bool allow_newlines);
  std::vector<std::pair<std::string, std::string>> violations_;  // field, what is wrong
};

// The absl::Status payload type URL of a serialized google.rpc.BadRequest.
inline constexpr char kBadRequestType[] = "type.googleapis.com/google.rpc.BadRequest";

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_VALIDATE_H_
