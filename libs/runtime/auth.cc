#include "libs/runtime/auth.h"

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <map>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"
#include "libs/common/log.h"
#include "libs/runtime/files.h"

namespace lianxin {
namespace {

constexpr absl::string_view kAuthorizationKey = "authorization";
constexpr absl::string_view kPrincipalUriPrefix = "urn:lianxin:principal:";
constexpr absl::string_view kDigestPrefix = "sha256:";

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

absl::string_view MetadataValue(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                                absl::string_view key) {
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  return it == metadata.end() ? absl::string_view()
                              : absl::string_view(it->second.data(), it->second.size());
}

bool IsMemberId(absl::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         absl::c_all_of(s, [](char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; });
}

// What travels beside the credential: a member-proxy (the gateway's member
// page) acts for one member at a time, whose id names the principal; a shared
// credential (the gateway's staff sessions) says which person is behind it.
absl::StatusOr<Principal> WithMetadata(
    Principal principal, const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  const absl::string_view staff = MetadataValue(metadata, kStaffMetadataKey);
  if (!staff.empty()) {
    if (principal.role == Role::kMemberProxy || staff.size() > 128 ||
        !absl::c_all_of(staff, [](char c) { return c > ' ' && c < 0x7f; })) {
      return absl::UnauthenticatedError(
          absl::StrCat(kStaffMetadataKey,
                       " metadata: a staff username (printable ASCII, no space, at most 128 "
                       "bytes), never beside a member-proxy credential"));
    }
    principal.staff = std::string(staff);
  }
  if (principal.role != Role::kMemberProxy) return principal;
  const absl::string_view id = MetadataValue(metadata, kMemberMetadataKey);
  if (!IsMemberId(id)) {
    return absl::UnauthenticatedError(
        "a member-proxy credential acts for one member: send its id as lianxin-member metadata");
  }
  principal.member_id = std::string(id);
  principal.operator_id = absl::StrCat("member:", id);
  return principal;
}

absl::StatusOr<Role> ParseRole(absl::string_view name) {
  if (name == "operator") return Role::kOperator;
  if (name == "readonly") return Role::kReadonly;
  if (name == "member-proxy") return Role::kMemberProxy;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown role \"", name, "\" (want operator, readonly or member-proxy)"));
}

// "<jurisdiction>:<role>:<operator_id>" of a principal URI.
absl::StatusOr<Principal> ParsePrincipalUri(absl::string_view rest) {
  std::vector<absl::string_view> parts = absl::StrSplit(rest, absl::MaxSplits(':', 2));
  if (parts.size() != 3 || parts[2].empty()) {
    return absl::InvalidArgumentError(absl::StrCat("client certificate: principal URI is not ",
                                                   kPrincipalUriPrefix,
                                                   "<jurisdiction>:<role>:<operator_id>"));
  }
  if (!IsJurisdiction(parts[0])) {
    return absl::InvalidArgumentError(absl::StrCat("client certificate: jurisdiction \"", parts[0],
                                                   "\" is not a 6-digit division code"));
  }
  absl::StatusOr<Role> role = ParseRole(parts[1]);
  if (!role.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("client certificate: ", role.status().message()));
  }
  return Principal{std::string(parts[2]), std::string(parts[0]), *role};
}

}  // namespace

absl::StatusOr<std::optional<Principal>> PrincipalFromCertificate(absl::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return absl::ResourceExhaustedError("client certificate: out of memory");
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr)
    return absl::InvalidArgumentError("client certificate: not a PEM certificate");
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  X509_free(cert);
  std::optional<Principal> principal;
  absl::Status status;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    absl::string_view uri(
        reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.uniformResourceIdentifier)),
        ASN1_STRING_length(name->d.uniformResourceIdentifier));
    if (!absl::ConsumePrefix(&uri, kPrincipalUriPrefix)) continue;
    if (principal.has_value()) {
      status = absl::InvalidArgumentError("client certificate: more than one principal URI");
      break;
    }
    absl::StatusOr<Principal> parsed = ParsePrincipalUri(uri);
    if (!parsed.ok()) {
      status = parsed.status();
      break;
    }
    principal = *std::move(parsed);
  }
  GENERAL_NAMES_free(names);
  if (!status.ok()) return status;
  return principal;
}

std::string DigestOfToken(absl::string_view token) {
  const std::array<uint8_t, 32> digest = Sha256(token);
  return absl::StrCat(kDigestPrefix,
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(digest.data()), digest.size())));
}

std::string DigestTokenFile(absl::string_view text) {
  std::string out;
  bool first = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!first) out += '\n';
    first = false;
    std::vector<absl::string_view> f = Fields(line);
    if (f.empty()) {
      out.append(line.data(), line.size());
      continue;
    }
    const size_t start = static_cast<size_t>(f[0].data() - line.data());
    absl::StrAppend(&out, line.substr(0, start), DigestOfToken(f[0]),
                    line.substr(start + f[0].size()));
  }
  return out;
}

bool SamePrincipal(const Principal& a, const Principal& b) {
  return a.operator_id == b.operator_id && a.jurisdiction == b.jurisdiction && a.role == b.role;
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOperator:
      return "operator";
    case Role::kReadonly:
      return "readonly";
    case Role::kMemberProxy:
      return "member-proxy";
  }
  return "readonly";
}

absl::Status CheckCanMutate(const Principal& principal) {
  if (principal.CanMutate()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("operator ", principal.operator_id, " has role ",
                                                  RoleName(principal.role),
                                                  ", which cannot make changes"));
}

absl::Status CheckMemberScope(const Principal& principal, const google::protobuf::Message& request,
                              bool read) {
  if (principal.role != Role::kMemberProxy) return absl::OkStatus();
  const google::protobuf::FieldDescriptor* field =
      request.GetDescriptor()->FindFieldByName("member_id");
  if (field == nullptr || field->is_repeated() ||
      field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    if (read) return absl::OkStatus();
    return absl::PermissionDeniedError(
        "member_id: a member-proxy changes only a member's own record");
  }
  if (request.GetReflection()->GetString(request, field) != principal.member_id) {
    return absl::PermissionDeniedError(
        absl::StrCat("member_id: a member-proxy acts for ", principal.member_id, " only"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Authenticator> Authenticator::FromFile(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("no token file given (--tokens_file)");
  absl::StatusOr<std::string> text = ReadSecretFile("--tokens_file", path);
  if (!text.ok()) return text.status();
  absl::StatusOr<Authenticator> auth = FromText(*text, path);
  if (auth.ok()) auth->path_ = path;
  return auth;
}

absl::Status Authenticator::Reload() {
  if (path_.empty()) return absl::FailedPreconditionError("tokens not loaded from a file");
  absl::StatusOr<Authenticator> fresh = FromFile(path_);
  if (!fresh.ok()) return fresh.status();
  std::shared_ptr<const Tokens> tokens = fresh->tokens();
  absl::MutexLock lock(&state_->mu);
  state_->tokens = std::move(tokens);
  return absl::OkStatus();
}

void Authenticator::ReloadAndLog() {
  absl::Status s = Reload();
  if (s.ok()) {
    LogInfo("tokens reloaded", {{"tokens", absl::StrCat(token_count())}});
  } else {
    LogError("tokens not reloaded; the loaded ones stay", {{"error", s.ToString()}});
  }
}

size_t Authenticator::token_count() const { return tokens()->size(); }

std::shared_ptr<const Authenticator::Tokens> Authenticator::tokens() const {
  absl::MutexLock lock(&state_->mu);
  return state_->tokens;
}

absl::StatusOr<Authenticator> Authenticator::FromText(absl::string_view text,
                                                      absl::string_view source) {
  Tokens tokens;
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
    absl::StatusOr<Role> role = ParseRole(f[3]);
    if (!role.ok()) return error(role.status().message());
    principal.role = *role;
    if (!IsJurisdiction(principal.jurisdiction)) {
      return error(absl::StrCat("jurisdiction \"", principal.jurisdiction,
                                "\" is not a 6-digit division code"));
    }
    absl::string_view hex = f[0];
    if (!absl::ConsumePrefix(&hex, kDigestPrefix)) {
      return error(absl::StrCat("the first field must be the token's digest, ", kDigestPrefix,
                                "<64 hex> (printf %s TOKEN | sha256sum), not the token"));
    }
    std::string bytes;
    if (hex.size() != 64 || !absl::c_all_of(hex, [](char c) { return absl::ascii_isxdigit(c); })) {
      return error(absl::StrCat("digest is not ", kDigestPrefix, "<64 hex>"));
    }
    bytes = absl::HexStringToBytes(hex);
    TokenDigest digest;
    std::copy(bytes.begin(), bytes.end(), digest.begin());
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].digest == digest) {
        return error(absl::StrCat("duplicate token (first on line ", token_lines[i], ")"));
      }
    }
    tokens.push_back(Token{digest, std::move(principal)});
    token_lines.push_back(line_no);
  }
  if (tokens.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source, ": no tokens"));
  }
  Authenticator auth;
  auth.state_->tokens = std::make_shared<const Tokens>(std::move(tokens));
  return auth;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    const grpc::ServerContextBase* context) const {
  // The client certificate's principal: gRPC puts the peer's certificate in the
  // auth context only after verifying it against the server's CA.
  std::optional<Principal> from_certificate;
  if (std::shared_ptr<const grpc::AuthContext> auth = context->auth_context(); auth != nullptr) {
    std::vector<grpc::string_ref> pems = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
    if (!pems.empty()) {
      absl::StatusOr<std::optional<Principal>> principal =
          PrincipalFromCertificate(absl::string_view(pems.front().data(), pems.front().size()));
      if (!principal.ok()) return absl::UnauthenticatedError(principal.status().message());
      from_certificate = *std::move(principal);
    }
  }
  const auto& metadata = context->client_metadata();
  auto it = metadata.find(grpc::string_ref(kAuthorizationKey.data(), kAuthorizationKey.size()));
  if (it == metadata.end()) {
    if (from_certificate.has_value()) return WithMetadata(*std::move(from_certificate), metadata);
    return absl::UnauthenticatedError(
        "missing authorization metadata (want \"authorization: Bearer "
        "<token>\") and no "
        "client certificate naming a principal");
  }
  absl::StatusOr<Principal> from_token =
      AuthenticateHeader(absl::string_view(it->second.data(), it->second.size()));
  if (!from_token.ok()) return from_token.status();
  if (from_certificate.has_value() && !SamePrincipal(*from_certificate, *from_token)) {
    return absl::UnauthenticatedError(
        "the bearer token and the client "
        "certificate name different principals");
  }
  return WithMetadata(*std::move(from_token), metadata);
}

absl::StatusOr<Principal> Authenticator::AuthenticateHeader(absl::string_view authorization) const {
  absl::string_view value = absl::StripAsciiWhitespace(authorization);
  // RFC 6750: the scheme is case-insensitive, followed by one or more spaces.
  constexpr absl::string_view kScheme = "bearer ";
  if (!absl::StartsWithIgnoreCase(value, kScheme)) {
    return absl::UnauthenticatedError(
        "authorization metadata is not a bearer "
        "token (want \"Bearer <token>\")");
  }
  absl::string_view token = absl::StripLeadingAsciiWhitespace(value.substr(kScheme.size()));
  if (token.empty()) return absl::UnauthenticatedError("empty bearer token");
  // Compare digests, all of them, in constant time: neither the token's content
  // nor which entry matched shows in the timing.
  TokenDigest digest = Sha256(token);
  const Token* match = nullptr;
  const std::shared_ptr<const Tokens> tokens = this->tokens();
  for (const Token& t : *tokens) {
    if (CRYPTO_memcmp(t.digest.data(), digest.data(), digest.size()) == 0) match = &t;
  }
  if (match == nullptr) return absl::UnauthenticatedError("unknown bearer token");
  return match->principal;
}

}  // namespace lianxin
