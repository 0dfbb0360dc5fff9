// Who is calling: bearer tokens from a file, mapped to principals, and client
// certificates (mutual TLS) that name a principal themselves.
//
// A client certificate names a principal with one URI subject alternative name
//   urn:lianxin:principal:<jurisdiction>:<role>:<operator_id>
// e.g. `openssl req … -addext "subjectAltName=URI:urn:lianxin:principal:654322:operator:gov-sys"`.
// The server trusts it only when it verified the certificate against its --tls_ca.
// A call may carry a token, such a certificate, or both; when both, they must
// name the same principal. A certificate without that URI (a transport-only
// client certificate) names no one: the call then needs a token.
//
// A token file has one token a line, `digest operator_id jurisdiction role`,
// separated by blanks; `#` starts a comment. The digest is the token's SHA-256,
// `sha256:<64 hex>` (`printf %s "$TOKEN" | sha256sum`): the file holds no
// token, and must be readable by its owner only (0600). Roles: `operator` (may
// read and mutate), `readonly` (may only read). Tokens are random, at least 128
// bits (e.g. `od -An -N16 -tx1 /dev/urandom | tr -d ' \n'`).
//
//   # tokens.txt
//   sha256:9f86d0…0a08  op-zhang  654322  operator
//
//   ASSIGN_OR_RETURN(Authenticator auth, Authenticator::FromFile(config.tokens_file));
//   ASSIGN_OR_RETURN(Principal caller, auth.Authenticate(context));
//   RETURN_IF_ERROR(CheckCanMutate(caller));
#ifndef LIANXIN_LIBS_RUNTIME_AUTH_H_
#define LIANXIN_LIBS_RUNTIME_AUTH_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"
#include "grpcpp/server_context.h"

namespace lianxin {

enum class Role { kOperator, kReadonly, kMemberProxy };

// "operator", "readonly" or "member-proxy".
absl::string_view RoleName(Role role);

// The authenticated caller of an RPC.
// Metadata beside a credential: the member a member-proxy acts for, and the
// person behind a shared credential (the gateway's staff sessions).
inline constexpr absl::string_view kMemberMetadataKey = "lianxin-member";
inline constexpr absl::string_view kStaffMetadataKey = "lianxin-staff";

struct Principal {
  std::string operator_id;
  // 6-digit administrative division code (GB/T 2260) the operator acts for.
  std::string jurisdiction;
  Role role = Role::kReadonly;
  // For a member-proxy: the member it acts for (then operator_id is
  // "member:<member_id>"); empty otherwise.
  std::string member_id;
  // For a shared credential (the gateway's, for its staff sessions): the
  // person behind the call, as the credential's holder states it in
  // `lianxin-staff` metadata, for the access log; empty otherwise.
  std::string staff;

  // Returns true iff the principal may call mutating RPCs.
  bool CanMutate() const { return role == Role::kOperator || role == Role::kMemberProxy; }
  // True iff the member records this call themselves (the member page).
  bool SelfReported() const { return role == Role::kMemberProxy; }
};

// The token file's first field for `token`: "sha256:" and its SHA-256 in hex.
std::string DigestOfToken(absl::string_view token);

// `text`, a token file with tokens in the first field, with each token replaced
// by DigestOfToken (comments, blank lines and other fields kept): how a file of
// tokens becomes a token file.
std::string DigestTokenFile(absl::string_view text);

// Returns OK if `principal` may mutate, else PERMISSION_DENIED naming the role.
absl::Status CheckCanMutate(const Principal& principal);

// The services' own hold on a member-proxy (defence in depth behind the
// gateway's allow-list): a request with a `member_id` field must name the
// principal's member, and a change must have one. OK for other principals;
// else PERMISSION_DENIED naming member_id.
absl::Status CheckMemberScope(const Principal& principal, const google::protobuf::Message& request,
                              bool read);

// The principal a PEM client certificate names (see above); nullopt if it has
// no urn:lianxin:principal URI. INVALID_ARGUMENT if the PEM does not parse or the
// URI is malformed (unknown role, jurisdiction not 6 digits, empty operator).
absl::StatusOr<std::optional<Principal>> PrincipalFromCertificate(absl::string_view pem);

// True iff both name the same operator, jurisdiction and role.
bool SamePrincipal(const Principal& a, const Principal& b);

// Maps bearer tokens to principals. Thread-safe; Reload swaps in the token
// file's new contents while calls are being authenticated.
class Authenticator {
 public:
  Authenticator(Authenticator&&) = default;
  Authenticator& operator=(Authenticator&&) = default;

  // Loads a token file. Returns NOT_FOUND if it cannot be read,
  // PERMISSION_DENIED if its group or others may read it, INVALID_ARGUMENT
  // naming the file and line for a malformed line, a token where its digest
  // belongs, an unknown role, a jurisdiction that is not 6 digits or a
  // duplicate token, and for a file with no token.
  static absl::StatusOr<Authenticator> FromFile(const std::string& path);
  // As FromFile, from the file's text; `source` names it in error messages.
  static absl::StatusOr<Authenticator> FromText(absl::string_view text, absl::string_view source);

  // Returns the principal of the call: of its `authorization: Bearer <token>`
  // metadata and of its verified client certificate (see above). UNAUTHENTICATED
  // if neither names one, if the metadata is not a bearer token or an unknown
  // token, if token and certificate name different principals, or if a
  // member-proxy's call has no valid `lianxin-member` metadata, or if
  // `lianxin-staff` metadata is not a username or comes with a member-proxy.
  absl::StatusOr<Principal> Authenticate(const grpc::ServerContextBase* context) const;
  // As Authenticate, from the value of the authorization header itself.
  absl::StatusOr<Principal> AuthenticateHeader(absl::string_view authorization) const;

  // Reads the token file again (FromFile's checks) and, if it is good, uses it
  // from the next call on; otherwise returns the error and keeps the tokens it
  // had. FAILED_PRECONDITION if it was not loaded from a file.
  absl::Status Reload();
  // Reload, logging the outcome (the number of tokens, or the error); for a
  // SIGHUP handler: WaitForTerminationSignal([&] { auth.ReloadAndLog(); }).
  void ReloadAndLog();

  // Number of tokens loaded.
  size_t token_count() const;

 private:
  using TokenDigest = std::array<uint8_t, 32>;  // SHA-256 of the token
  struct Token {
    TokenDigest digest;
    Principal principal;
  };
  using Tokens = std::vector<Token>;
  struct State {
    absl::Mutex mu;
    std::shared_ptr<const Tokens> tokens ABSL_GUARDED_BY(mu);
  };

  Authenticator() : state_(std::make_unique<State>()) {}
  std::shared_ptr<const Tokens> tokens() const;

  std::string path_;  // the token file; empty when loaded from text
  std::unique_ptr<State> state_;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_AUTH_H_
