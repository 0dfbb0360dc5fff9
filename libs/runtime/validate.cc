#include "libs/runtime/validate.h"

#include <cctype>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "libs/common/time_util.h"

namespace lianxin {
namespace {

// Decodes one code point at text[i], advancing i; -1 if malformed.
int32_t NextCodePoint(absl::string_view text, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  int length;
  int32_t cp;
  if (lead < 0x80) {
    ++i;
    return lead;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07;
  } else {
    return -1;
  }
  if (i + length > text.size()) return -1;
  for (int k = 1; k < length; ++k) {
    const unsigned char c = byte(i + k);
    if ((c & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (c & 0x3F);
  }
  // Overlong forms, UTF-16 surrogates, beyond Unicode.
  if ((length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return -1;
  }
  i += length;
  return cp;
}

}  // namespace

bool IsJurisdictionCode(absl::string_view code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  const int province = (code[0] - '0') * 10 + (code[1] - '0');
  return province >= 11 && province <= 82;
}

bool IsValidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    if (NextCodePoint(text, i) < 0) return false;
  }
  return true;
}

size_t Utf8Length(absl::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

FieldChecker& FieldChecker::Fail(absl::string_view field, absl::string_view message) {
  violations_.emplace_back(std::string(field), std::string(message));
  return *this;
}

absl::Status FieldChecker::status() const {
  if (violations_.empty()) return absl::OkStatus();
  absl::Status status = absl::InvalidArgumentError(
      absl::StrCat(violations_.front().first, ": ", violations_.front().second));
  google::rpc::BadRequest bad_request;
  for (const auto& [field, message] : violations_) {
    google::rpc::BadRequest::FieldViolation* v = bad_request.add_field_violations();
    v->set_field(field);
    v->set_description(message);
  }
  status.SetPayload(kBadRequestType, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

FieldChecker& FieldChecker::Require(bool ok, absl::string_view field, absl::string_view message) {
  return ok ? *this : Fail(field, message);
}

FieldChecker& FieldChecker::CheckText(absl::string_view field, absl::string_view value, size_t min,
                                      size_t max, bool allow_newlines) {
  if (!IsValidUtf8(value)) return Fail(field, "is not valid UTF-8");
  for (unsigned char c : value) {
    const bool allowed_space = allow_newlines && (c == '\n' || c == '\t' || c == '\r');
    if ((c < 0x20 || c == 0x7F) && !allowed_space) {
      return Fail(field, "contains a control character");
    }
  }
  const size_t length = Utf8Length(value);
  if (length < min) {
    return Fail(field,
                min == 1 ? "is required" : absl::StrCat("needs at least ", min, " characters"));
  }
  if (length > max) {
    return Fail(field, absl::StrCat("is longer than ", max, " characters (", length, ")"));
  }
  return *this;
}

FieldChecker& FieldChecker::Text(absl::string_view field, absl::string_view value, size_t min,
                                 size_t max) {
  return CheckText(field, value, min, max, /*allow_newlines=*/false);
}

FieldChecker& FieldChecker::Paragraph(absl::string_view field, absl::string_view value, size_t min,
                                      size_t max) {
  return CheckText(field, value, min, max, /*allow_newlines=*/true);
}

FieldChecker& FieldChecker::RequestId(absl::string_view value) {
  if (value.empty()) return Fail("request_id", "is required (a client-chosen idempotency key)");
  if (value.size() > 64) return Fail("request_id", "is longer than 64 characters");
  for (unsigned char c : value) {
    if (c <= 0x20 || c >= 0x7F) return Fail("request_id", "must be printable ASCII without spaces");
  }
  return *this;
}

FieldChecker& FieldChecker::Jurisdiction(absl::string_view field, absl::string_view value) {
  return IsJurisdictionCode(value)
             ? *this
             : Fail(field, absl::StrCat("'", IsValidUtf8(value) ? value : "(not UTF-8)",
                                        "' is not a 6-digit administrative division code"));
}

FieldChecker& FieldChecker::Date(absl::string_view field, absl::string_view value, bool optional) {
  if (value.empty() && optional) return *this;
  if (!ParseDate(std::string_view(value.data(), value.size())).has_value()) {
    return Fail(field, absl::StrCat("'", IsValidUtf8(value) ? value : "(not UTF-8)",
                                    "' is not a YYYY-MM-DD date"));
  }
  return *this;
}

FieldChecker& FieldChecker::Phone(absl::string_view field, absl::string_view value, bool optional) {
  if (value.empty() && optional) return *this;
  bool ok = value.size() >= 5 && value.size() <= 20;
  size_t digits = 0;
  for (size_t i = 0; ok && i < value.size(); ++i) {
    const unsigned char c = value[i];
    if (std::isdigit(c)) {
      ++digits;
    } else if (!((c == '+' && i == 0) || c == '-' || c == ' ')) {
      ok = false;
    }
  }
  return ok && digits >= 5 ? *this : Fail(field, "is not a phone number (digits, optional +)");
}

}  // namespace lianxin
