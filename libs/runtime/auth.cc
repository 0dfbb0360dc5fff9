#include "libs/runtime/auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace lianxin {
namespace {

constexpr absl::string_view kAuthorizationKey = "authorization";

std::array<uint8_t, 32> Sha256(absl::string_view s) {
  std::array<uint8_t, 32> digest;
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest.data());
  return digest;
}

bool IsJurisdiction(absl::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// The whitespace-separated fields of a line, up to the first field starting with '#'.
std::vector<absl::string_view> Fields(absl::string_view line) {
  std::vector<absl::string_view> fields;
  for (absl::string_view f : absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty())) {
    if (f.front() == '#') break;
    fields.push_back(f);
  }
  return fields;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOperator:
      return "operator";
    case Role::kReadonly:
      return "readonly";
  }
  return "readonly";
}

absl::Status CheckCanMutate(const Principal& principal) {
  if (principal.CanMutate()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("operator ", principal.operator_id, " has role ",
                                                  RoleName(principal.role),
                                                  ", which cannot make changes"));
}

absl::StatusOr<Authenticator> Authenticator::FromFile(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("no token file given (--tokens_file)");
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read token file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return FromText(text.str(), path);
}

absl::StatusOr<Authenticator> Authenticator::FromText(absl::string_view text,
                                                      absl::string_view source) {
  Authenticator auth;
  std::vector<int> token_lines;  // line of each token, for duplicate messages
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    std::vector<absl::string_view> f = Fields(line);
    if (f.empty()) continue;
    auto error = [&](absl::string_view what) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", line_no, ": ", what));
    };
    if (f.size() != 4) {
      return error(
          absl::StrCat("want 4 fields `token operator_id jurisdiction role`, got ", f.size()));
    }
    Principal principal{std::string(f[1]), std::string(f[2])};
    if (f[3] == "operator") {
      principal.role = Role::kOperator;
    } else if (f[3] == "readonly") {
      principal.role = Role::kReadonly;
    } else {
      return error(absl::StrCat("unknown role \"", f[3], "\" (want operator or readonly)"));
    }
    if (!IsJurisdiction(principal.jurisdiction)) {
      return error(absl::StrCat("jurisdiction \"", principal.jurisdiction,
                                "\" is not a 6-digit division code"));
    }
    TokenDigest digest = Sha256(f[0]);
    for (size_t i = 0; i < auth.tokens_.size(); ++i) {
      if (auth.tokens_[i].digest == digest) {
        return error(absl::StrCat("duplicate token (first on line ", token_lines[i], ")"));
      }
    }
    auth.tokens_.push_back(Token{digest, std::move(principal)});
    token_lines.push_back(line_no);
  }
  if (auth.tokens_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no tokens"));
  }
  return auth;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    const grpc::CallbackServerContext* context) const {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find(grpc::string_ref(kAuthorizationKey.data(), kAuthorizationKey.size()));
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "missing authorization metadata (want \"authorization: Bearer <token>\")");
  }
  return AuthenticateHeader(absl::string_view(it->second.data(), it->second.size()));
}

absl::StatusOr<Principal> Authenticator::AuthenticateHeader(absl::string_view authorization) const {
  absl::string_view value = absl::StripAsciiWhitespace(authorization);
  // RFC 6750: the scheme is case-insensitive, followed by one or more spaces.
  constexpr absl::string_view kScheme = "bearer ";
  if (!absl::StartsWithIgnoreCase(value, kScheme)) {
    return absl::UnauthenticatedError(
        "authorization metadata is not a bearer token (want \"Bearer <token>\")");
  }
  absl::string_view token = absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size()));
  if (token.empty()) return absl::UnauthenticatedError("empty bearer token");
  // Compare digests, all of them, in constant time: neither the token's content
  // nor which entry matched shows in the timing.
  TokenDigest digest = Sha256(token);
  const Token* match = nullptr;
  for (const Token& t : tokens_) {
    if (CRYPTO_memcmp(t.digest.data(), digest.data(), digest.size()) == 0) match = &t;
  }
  if (match == nullptr) return absl::UnauthenticatedError("unknown bearer token");
  return match->principal;
}

}  // namespace lianxin
