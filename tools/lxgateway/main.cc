// lxgateway: a county's services over HTTP with JSON (the Connect protocol's
// unary form), TLS, the console's static files, and staff sessions.
//
//   lxgateway --listen=127.0.0.1:17100 --tls_cert=gw.pem --tls_key=gw.key
//     --jurisdiction=654322 --jurisdiction_name=富蕴县
//     --registry=127.0.0.1:17101 --contact=127.0.0.1:17102
//     --education=127.0.0.1:17103 --appraisal=127.0.0.1:17104
//     --accounts_file=staff.txt --credentials_file=operator-tokens.txt
//     --static_dir=build/release/console
//   lxgateway --hash_password < password     # prints a hash for the accounts file
//
// A call with `Authorization: Bearer …` is forwarded with that token as is: the
// services decide what it may do. A browser session (staff.h) is forwarded
// with the county's token of the account's role from --credentials_file (the
// gateway's own plaintext tokens, 0600; the services' token file holds only
// digests and cannot serve here), so a readonly account stays readonly; so is a verified client
// certificate whose common name has a `cert:` account. Prints "listening https://host:port".
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "httplib.h"
#include "lianxin/v1/appraisal.pb.h"
#include "lianxin/v1/contact.pb.h"
#include "lianxin/v1/education.pb.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/ledger/export.h"
#include "libs/ledger/schema.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/files.h"
#include "tools/lxgateway/connect.h"
#include "tools/lxgateway/dispatcher.h"
#include "tools/lxgateway/member.h"
#include "tools/lxgateway/session.pb.h"
#include "tools/lxgateway/staff.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to serve HTTPS on (port 0: any)");
ABSL_FLAG(std::string, tls_cert, "", "server certificate chain (PEM); required");
ABSL_FLAG(std::string, tls_key, "", "server private key (PEM); required");
ABSL_FLAG(std::string, tls_client_ca, "",
          "CA (PEM) whose client certificates name principals (`cert:` accounts); optional");
ABSL_FLAG(std::string, jurisdiction, "", "the county this gateway serves (6 digits)");
ABSL_FLAG(std::string, jurisdiction_name, "", "its readable name, e.g. 富蕴县");
ABSL_FLAG(std::string, registry, "", "host:port of the county's Registry");
ABSL_FLAG(std::string, contact, "", "host:port of its ContactTracking");
ABSL_FLAG(std::string, education, "", "host:port of its EducationScheduling");
ABSL_FLAG(std::string, appraisal, "", "host:port of its Appraisal");
ABSL_FLAG(std::string, backend_ca, "",
          "CA (PEM) of the services' TLS; empty: plaintext (loopback only)");
ABSL_FLAG(std::string, backend_cert, "",
          "client certificate (PEM) presented to services that ask for one (mutual TLS); "
          "it authenticates the transport, the caller's own token still names the principal");
ABSL_FLAG(std::string, backend_key, "", "the client certificate's private key (PEM)");
ABSL_FLAG(std::string, accounts_file, "", "staff accounts (staff.h); empty: no browser sessions");
ABSL_FLAG(std::string, credentials_file, "",
          "the gateway's tokens, `token operator_id jurisdiction role` a line, owner-only "
          "(0600): sessions act with this county's token of their role");
ABSL_FLAG(std::string, static_dir, "", "the console's built files, served at /");
ABSL_FLAG(absl::Duration, session_ttl, absl::Hours(8), "how long a browser session lasts");
ABSL_FLAG(int, sign_in_failures, 5, "failed sign-ins allowed per username (and x4 per address)");
ABSL_FLAG(absl::Duration, sign_in_window, absl::Minutes(15), "...within this window");
ABSL_FLAG(std::string, member_pins_file, "",
          "the member page's PIN hashes (member.h), owner-only, written by SetMemberPin; "
          "empty: no member page");
ABSL_FLAG(absl::Duration, member_session_ttl, absl::Minutes(30),
          "how long a member page session lasts");
ABSL_FLAG(bool, hash_password, false, "read a password on stdin, print its hash, exit");

namespace lianxin::gateway {
namespace {

constexpr char kCookie[] = "lx_session";
constexpr char kSessionService[] = "/lianxin.gateway.v1.StaffSession/";
constexpr char kExportPath[] = "/lianxin.gateway.v1.Ledgers/Export";
constexpr char kSetMemberPinPath[] = "/lianxin.gateway.v1.MemberPins/SetMemberPin";
// The member page's calls are under /m/, with a cookie of their own scoped there.
constexpr char kMemberPrefix[] = "/m";
constexpr char kMemberCookie[] = "lx_member";
constexpr char kMemberSessionService[] = "/lianxin.gateway.v1.MemberSession/";
// The services' role for the gateway acting for one member (libs/runtime/auth.h).
constexpr char kMemberProxyRole[] = "member-proxy";
constexpr absl::Duration kMaxTimeout = absl::Seconds(60);

// The token of each role for this county, from the services' token file
// (`token operator_id jurisdiction role`).
absl::StatusOr<std::map<std::string, std::string>> DelegateTokens(const std::string& path,
                                                                  const std::string& county) {
  std::map<std::string, std::string> out;
  if (path.empty()) return out;
  absl::StatusOr<std::string> text = ReadSecretFile("--credentials_file", path);
  if (!text.ok()) return text.status();
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++line_no;
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    std::vector<std::string> w = absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (w.empty()) continue;
    if (w.size() != 4) {
      return absl::InvalidArgumentError(
          absl::StrCat("--credentials_file ", path, ":", line_no,
                       ": want `token operator_id jurisdiction role`"));
    }
    if (absl::StartsWith(w[0], "sha256:")) {
      return absl::InvalidArgumentError(
          absl::StrCat("--credentials_file ", path, ":", line_no,
                       ": a token digest, not a token (this is a services' token file; the "
                       "gateway needs the tokens themselves)"));
    }
    if (w[2] == county && out.count(w[3]) == 0) out[w[3]] = w[0];
  }
  return out;
}

std::string Cookie(const httplib::Request& req, absl::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  for (absl::string_view part : absl::StrSplit(header, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (absl::ConsumePrefix(&part, name) && absl::ConsumePrefix(&part, "=")) {
      return std::string(part);
    }
  }
  return "";
}

// RFC 5987's encoding of a file name (every byte but unreserved ones as %XX).
std::string PercentEncode(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The verified client certificate's common name, or "".
std::string CertificateName(const httplib::Request& req) {
  if (req.ssl == nullptr) return "";
  SSL* ssl = const_cast<SSL*>(req.ssl);
  if (SSL_get_verify_result(ssl) != X509_V_OK) return "";
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return "";
  char name[256] = {0};
  const int n =
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
  X509_free(cert);
  return n > 0 ? std::string(name, n) : "";
}

class Gateway {
 public:
  Gateway(std::unique_ptr<Dispatcher> dispatcher, ledger::ExportChannels export_channels,
          std::optional<StaffAccounts> accounts, std::map<std::string, std::string> delegate_tokens,
          std::unique_ptr<MemberPins> pins)
      : dispatcher_(std::move(dispatcher)),
        export_channels_(std::move(export_channels)),
        accounts_(std::move(accounts)),
        delegate_tokens_(std::move(delegate_tokens)),
        pins_(std::move(pins)),
        sessions_(absl::GetFlag(FLAGS_session_ttl)),
        member_sessions_(absl::GetFlag(FLAGS_member_session_ttl)),
        by_user_(absl::GetFlag(FLAGS_sign_in_failures), absl::GetFlag(FLAGS_sign_in_window)),
        by_member_(absl::GetFlag(FLAGS_sign_in_failures), absl::GetFlag(FLAGS_sign_in_window)),
        by_address_(4 * absl::GetFlag(FLAGS_sign_in_failures),
                    absl::GetFlag(FLAGS_sign_in_window)) {}

  void Serve(const httplib::Request& req, httplib::Response& res) {
    const absl::Time start = absl::Now();
    if (!IsJson(req)) {
      return Fail(res, absl::StatusCode::kInvalidArgument,
                  "Content-Type: want application/json (the Connect protocol's JSON form)", "",
                  415);
    }
    if (absl::StartsWith(req.path, kSessionService)) return ServeSession(req, res);
    if (req.path == kExportPath) return ServeExport(req, res, start);
    if (req.path == kSetMemberPinPath) return SetMemberPin(req, res);
    const Route* route = dispatcher_->Find(req.path);
    if (route == nullptr) {
      return Fail(res, absl::StatusCode::kUnimplemented, absl::StrCat(req.path, " is not an RPC"),
                  "", 404);
    }
    absl::StatusOr<Caller> caller = CallerOf(req);
    if (!caller.ok()) return Fail(res, caller.status().code(), caller.status().message(), "");
    ForwardedCall call;
    call.json_body = req.body;
    call.authorization = caller->authorization;
    if (!caller->staff.empty()) call.metadata = {{std::string(kStaffMetadataKey), caller->staff}};
    call.timeout = kMaxTimeout;
    if (int64_t ms = 0;
        absl::SimpleAtoi(req.get_header_value("Connect-Timeout-Ms"), &ms) && ms > 0) {
      call.timeout = std::min(kMaxTimeout, absl::Milliseconds(ms));
    }
    ForwardResult result = dispatcher_->Forward(*route, call);
    LogInfo("rpc", {{"method", req.path},
                    {"caller", caller->who},
                    {"code", ConnectCodeName(result.status.code())},
                    {"ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - start))}});
    if (!result.status.ok()) {
      return Fail(res, result.status.code(), result.status.message(), result.status_details_bin);
    }
    res.status = 200;
    res.set_content(result.json, "application/json");
  }

  // The member page (/m/…): the member's own session, and the allow-listed
  // calls, each held to the member (member.h) and sent with this county's
  // member-proxy token naming the member, so the services record the call as
  // the member's own ("member:<id>", self-reported).
  void ServeMember(const httplib::Request& req, httplib::Response& res) {
    const absl::Time start = absl::Now();
    if (!IsJson(req)) {
      return Fail(res, absl::StatusCode::kInvalidArgument,
                  "Content-Type: want application/json (the Connect protocol's JSON form)", "",
                  415);
    }
    if (pins_ == nullptr || delegate_tokens_.count(kMemberProxyRole) == 0) {
      return Fail(res, absl::StatusCode::kUnimplemented, "this gateway has no member page", "");
    }
    const std::string path = req.path.substr(std::string(kMemberPrefix).size());
    if (absl::StartsWith(path, kMemberSessionService)) return ServeMemberSession(req, res, path);
    absl::StatusOr<Session> session = MemberSessionOf(req, /*write=*/true);
    if (!session.ok()) return Fail(res, session.status().code(), session.status().message(), "");
    const MemberCall* allowed = FindMemberCall(path);
    const Route* route = dispatcher_->Find(path);
    if (allowed == nullptr || route == nullptr) {
      LogWarning("member call refused", {{"member", session->account.username}, {"method", path}});
      const std::string message = absl::StrCat(path, ": not one of the member page's calls");
      return Fail(res, absl::StatusCode::kPermissionDenied, message,
                  BadRequestStatusDetails(absl::StatusCode::kPermissionDenied, message,
                                          {{"method",
                                            "a member may call only their own page's "
                                            "reads and reports"}}));
    }
    const MemberScope scope = ScopeOf(*session);
    ForwardResult result = ForwardForMember(*route, req.body, scope, allowed);
    LogInfo("rpc", {{"method", path},
                    {"caller", "member:" + scope.member_id},
                    {"code", ConnectCodeName(result.status.code())},
                    {"ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - start))}});
    if (!result.status.ok()) {
      return Fail(res, result.status.code(), result.status.message(), result.status_details_bin);
    }
    res.status = 200;
    res.set_content(result.json, "application/json");
  }

 private:
  // A ledger or report as a file (session.proto's ExportRequest), read from
  // the services with the caller's credentials, as `lxctl export` does.
  void ServeExport(const httplib::Request& req, httplib::Response& res, absl::Time start) {
    absl::StatusOr<Caller> caller = CallerOf(req);
    if (!caller.ok()) return Fail(res, caller.status().code(), caller.status().message(), "");
    gateway::v1::ExportRequest request;
    if (!google::protobuf::util::JsonStringToMessage(req.body, &request).ok()) {
      return Fail(res, absl::StatusCode::kInvalidArgument, "body: not an ExportRequest", "");
    }
    ledger::ExportRequest what;
    what.branch = request.branch();
    what.year = request.year();
    const std::string format = request.format().empty() ? "xlsx" : request.format();
    std::optional<absl::CivilDay> as_of =
        request.as_of().empty() ? std::optional(absl::ToCivilDay(absl::Now(), CountyTimeZone()))
                                : ParseDate(request.as_of());
    std::vector<FieldViolation> violations;
    if (!ledger::ReportByName(request.report(), &what.report)) {
      violations.push_back({"report", "not a report this gateway exports"});
    }
    if (format != "xlsx" && format != "csv") violations.push_back({"format", "xlsx or csv"});
    if (!as_of.has_value()) violations.push_back({"as_of", "want YYYY-MM-DD"});
    if (!violations.empty()) {
      const std::string message =
          absl::StrCat(violations[0].field, ": ", violations[0].description);
      return Fail(res, absl::StatusCode::kInvalidArgument, message,
                  BadRequestStatusDetails(absl::StatusCode::kInvalidArgument, message, violations));
    }
    what.header = {absl::GetFlag(FLAGS_jurisdiction), absl::GetFlag(FLAGS_jurisdiction_name),
                   *as_of};
    if (what.header.county_name.empty()) {
      what.header.county_name = ledger::CountyNameByCode(what.header.county_code);
    }
    ledger::ExportChannels channels = export_channels_;
    channels.prepare = [&](grpc::ClientContext* context) {
      context->AddMetadata("authorization", caller->authorization);
      if (!caller->staff.empty())
        context->AddMetadata(std::string(kStaffMetadataKey), caller->staff);
      context->set_deadline(absl::ToChronoTime(absl::Now() + kMaxTimeout));
    };
    absl::StatusOr<ledger::Sheet> sheet = ledger::BuildReport(what, channels);
    absl::StatusOr<std::string> bytes = !sheet.ok() ? sheet.status()
                                        : format == "csv"
                                            ? absl::StatusOr<std::string>(ledger::WriteCsv(*sheet))
                                            : ledger::WriteXlsx(*sheet);
    LogInfo("export", {{"report", request.report()},
                       {"caller", caller->who},
                       {"code", ConnectCodeName(bytes.status().code())},
                       {"ms", absl::StrCat(absl::ToInt64Milliseconds(absl::Now() - start))}});
    if (!bytes.ok()) return Fail(res, bytes.status().code(), bytes.status().message(), "");
    res.status = 200;
    res.set_header("Content-Disposition",
                   absl::StrCat("attachment; filename=\"", what.header.county_code, "-",
                                request.report(), ".", format, "\"; filename*=UTF-8''",
                                PercentEncode(ledger::DownloadName(*sheet, format))));
    res.set_content(*bytes, ledger::ContentType(format));
  }

  static bool IsJson(const httplib::Request& req) {
    const std::string type = absl::AsciiStrToLower(req.get_header_value("Content-Type"));
    return type == "application/json" || absl::StartsWith(type, "application/json;");
  }

  static void Fail(httplib::Response& res, absl::StatusCode code, absl::string_view message,
                   absl::string_view details_bin, int http_status = 0) {
    res.status = http_status != 0 ? http_status : ConnectHttpStatus(code);
    res.set_content(ConnectErrorJson(code, message, details_bin), "application/json");
  }

  // Who calls, and what to send the services: the caller's own bearer token,
  // else the delegate token of the session's (or certificate's) role with the
  // account's name beside it (lianxin-staff, for the services' access log).
  struct Caller {
    std::string authorization;  // "Bearer …"
    std::string staff;          // the staff account behind a delegate token, else ""
    std::string who;            // names the caller in this log (never a secret)
  };
  absl::StatusOr<Caller> CallerOf(const httplib::Request& req) {
    const std::string bearer = req.get_header_value("Authorization");
    if (!bearer.empty()) return Caller{bearer, "", "bearer"};
    const std::string cookie = Cookie(req, kCookie);
    if (!cookie.empty()) {
      std::optional<Session> session = sessions_.Find(cookie, absl::Now());
      if (!session.has_value()) return absl::UnauthenticatedError("session expired: sign in again");
      if (!SameSecret(req.get_header_value("X-CSRF-Token"), session->csrf_token)) {
        return absl::PermissionDeniedError("X-CSRF-Token: missing or not this session's");
      }
      ASSIGN_OR_RETURN(std::string authorization, Delegate(session->account));
      const std::string& username = session->account.username;
      return Caller{std::move(authorization), username, "staff:" + username};
    }
    const std::string name = CertificateName(req);
    if (!name.empty() && accounts_.has_value()) {
      if (const StaffAccount* account = accounts_->Find("cert:" + name); account != nullptr) {
        ASSIGN_OR_RETURN(std::string authorization, Delegate(*account));
        return Caller{std::move(authorization), account->username, account->username};
      }
      return absl::UnauthenticatedError("certificate: no account for this certificate");
    }
    return absl::UnauthenticatedError(
        "authorization: send a bearer token, a client certificate or sign in");
  }

  absl::StatusOr<std::string> Delegate(const StaffAccount& account) {
    auto it = delegate_tokens_.find(account.role);
    if (account.jurisdiction != absl::GetFlag(FLAGS_jurisdiction) || it == delegate_tokens_.end()) {
      return absl::PermissionDeniedError(
          absl::StrCat("no ", account.role, " access to county ", account.jurisdiction, " here"));
    }
    return "Bearer " + it->second;
  }

  void ServeSession(const httplib::Request& req, httplib::Response& res) {
    const std::string rpc = req.path.substr(std::string(kSessionService).size());
    if (!accounts_.has_value()) {
      return Fail(res, absl::StatusCode::kUnimplemented, "this gateway has no staff accounts", "");
    }
    if (rpc == "SignIn") return SignIn(req, res);
    const std::string cookie = Cookie(req, kCookie);
    std::optional<Session> session =
        cookie.empty() ? std::nullopt : sessions_.Find(cookie, absl::Now());
    if (rpc == "GetSession") {
      if (!session.has_value())
        return Fail(res, absl::StatusCode::kUnauthenticated, "not signed in", "");
      return Reply(res, Info(*session));
    }
    if (rpc == "SignOut") {
      if (session.has_value()) {
        if (!SameSecret(req.get_header_value("X-CSRF-Token"), session->csrf_token)) {
          return Fail(res, absl::StatusCode::kPermissionDenied, "X-CSRF-Token: missing or wrong",
                      "");
        }
        sessions_.Remove(cookie);
        LogInfo("sign-out", {{"username", session->account.username}});
      }
      res.set_header("Set-Cookie", absl::StrCat(kCookie,
                                                "=; Path=/; Max-Age=0; HttpOnly; Secure; "
                                                "SameSite=Strict"));
      return Reply(res, gateway::v1::SignOutReply());
    }
    return Fail(res, absl::StatusCode::kUnimplemented, absl::StrCat(req.path, " is not an RPC"), "",
                404);
  }

  void SignIn(const httplib::Request& req, httplib::Response& res) {
    gateway::v1::SignInRequest request;
    if (!google::protobuf::util::JsonStringToMessage(req.body, &request).ok() ||
        request.username().empty() || request.username().size() > 64 ||
        request.password().size() > 256) {
      return Fail(res, absl::StatusCode::kInvalidArgument, "username: and password: required",
                  BadRequestStatusDetails(absl::StatusCode::kInvalidArgument, "bad sign-in",
                                          {{"username", "required, at most 64 bytes"}}));
    }
    const absl::Time now = absl::Now();
    const std::string user_key = "user:" + request.username();
    const std::string address_key = "address:" + req.remote_addr;
    // A username is logged only if it exists: a mistyped password in the
    // username box must not reach the log.
    const StaffAccount* account = accounts_->Find(request.username());
    const std::string logged_user = account != nullptr ? request.username() : "(unknown)";
    if (!by_user_.Allowed(user_key, now) || !by_address_.Allowed(address_key, now)) {
      LogWarning("sign-in refused", {{"username", logged_user},
                                     {"address", req.remote_addr},
                                     {"reason", "too many failures"}});
      return Fail(res, absl::StatusCode::kResourceExhausted,
                  "too many failed sign-ins: try again later", "");
    }
    // An unknown username costs the same scrypt as a known one.
    static const std::string kDummyHash = HashPassword(RandomToken());
    const bool certificate = absl::StartsWith(request.username(), "cert:");
    const bool good =
        VerifyPassword(request.password(),
                       account != nullptr && !certificate ? account->password_hash : kDummyHash) &&
        account != nullptr && !certificate;
    if (!good || account->jurisdiction != absl::GetFlag(FLAGS_jurisdiction)) {
      by_user_.RecordFailure(user_key, now);
      by_address_.RecordFailure(address_key, now);
      LogWarning("sign-in failed", {{"username", logged_user}, {"address", req.remote_addr}});
      return Fail(res, absl::StatusCode::kUnauthenticated, "wrong username or password", "");
    }
    Session session = sessions_.Create(*account, now);
    LogInfo(
        "sign-in",
        {{"username", account->username}, {"role", account->role}, {"address", req.remote_addr}});
    res.set_header("Set-Cookie",
                   absl::StrCat(kCookie, "=", session.id, "; Path=/; Max-Age=",
                                absl::ToInt64Seconds(absl::GetFlag(FLAGS_session_ttl)),
                                "; HttpOnly; Secure; SameSite=Strict"));
    Reply(res, Info(session));
  }

  static gateway::v1::SessionInfo Info(const Session& session) {
    gateway::v1::SessionInfo info;
    info.set_username(session.account.username);
    info.set_display_name(session.account.display_name);
    info.set_role(session.account.role);
    info.set_jurisdiction(session.account.jurisdiction);
    info.set_jurisdiction_name(absl::GetFlag(FLAGS_jurisdiction_name));
    info.set_csrf_token(session.csrf_token);
    *info.mutable_expires_at() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(session.expires));
    return info;
  }

  static void Reply(httplib::Response& res, const google::protobuf::Message& message) {
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    print.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(message, &json, print);
    res.status = 200;
    res.set_content(json, "application/json");
  }

  static MemberScope ScopeOf(const Session& session) {
    return MemberScope{session.account.username, session.account.jurisdiction,
                       session.account.display_name};
  }

  // The member session of the request's cookie; for a write (any call but
  // GetSession), also its CSRF token.
  absl::StatusOr<Session> MemberSessionOf(const httplib::Request& req, bool write) {
    const std::string cookie = Cookie(req, kMemberCookie);
    std::optional<Session> session =
        cookie.empty() ? std::nullopt : member_sessions_.Find(cookie, absl::Now());
    if (!session.has_value()) return absl::UnauthenticatedError("not signed in, or expired");
    if (write && !SameSecret(req.get_header_value("X-CSRF-Token"), session->csrf_token)) {
      return absl::PermissionDeniedError("X-CSRF-Token: missing or not this session's");
    }
    return *std::move(session);
  }

  // Calls `route` as the member (the county's member-proxy token and the
  // member's id beside it); `allowed` holds the request to the member.
  ForwardResult ForwardForMember(const Route& route, const std::string& json,
                                 const MemberScope& scope, const MemberCall* allowed) {
    ForwardedCall call;
    call.json_body = json;
    call.authorization = "Bearer " + delegate_tokens_.at(kMemberProxyRole);
    call.metadata = {{std::string(kMemberMetadataKey), scope.member_id}};
    call.timeout = absl::Seconds(20);
    if (allowed != nullptr) {
      call.scope = [allowed, scope](google::protobuf::Message* request) {
        return allowed->scope(scope, request);
      };
    }
    return dispatcher_->Forward(route, call);
  }

  void ServeMemberSession(const httplib::Request& req, httplib::Response& res,
                          const std::string& path) {
    const std::string rpc = path.substr(std::string(kMemberSessionService).size());
    if (rpc == "SignIn") return MemberSignIn(req, res);
    absl::StatusOr<Session> session = MemberSessionOf(req, /*write=*/rpc != "GetSession");
    if (rpc == "SignOut") {
      if (session.ok()) {
        member_sessions_.Remove(Cookie(req, kMemberCookie));
        LogInfo("member sign-out", {{"member", session->account.username}});
      } else if (session.status().code() == absl::StatusCode::kPermissionDenied) {
        return Fail(res, session.status().code(), session.status().message(), "");
      }
      res.set_header("Set-Cookie", absl::StrCat(kMemberCookie,
                                                "=; Path=/m/; Max-Age=0; HttpOnly; Secure; "
                                                "SameSite=Strict"));
      return Reply(res, gateway::v1::SignOutReply());
    }
    if (!session.ok()) return Fail(res, session.status().code(), session.status().message(), "");
    if (rpc == "GetSession") return Reply(res, MemberInfo(*session));
    if (rpc == "GetNotices") return Reply(res, Notices(ScopeOf(*session)));
    return Fail(res, absl::StatusCode::kUnimplemented, absl::StrCat(path, " is not an RPC"), "",
                404);
  }

  void MemberSignIn(const httplib::Request& req, httplib::Response& res) {
    gateway::v1::MemberSignInRequest request;
    if (!google::protobuf::util::JsonStringToMessage(req.body, &request).ok() ||
        request.member_code().empty() || request.member_code().size() > 64 ||
        request.pin().size() > 64) {
      return Fail(res, absl::StatusCode::kInvalidArgument, "member_code: and pin: required",
                  BadRequestStatusDetails(absl::StatusCode::kInvalidArgument, "bad sign-in",
                                          {{"member_code", "required, at most 64 bytes"}}));
    }
    const absl::Time now = absl::Now();
    const std::string code(absl::StripAsciiWhitespace(request.member_code()));
    const std::string member_key = "member:" + code;
    const std::string address_key = "address:" + req.remote_addr;
    std::optional<std::string> hash = pins_->Find(code);
    // A member code is logged only if it has a PIN: a PIN typed into the code
    // box must not reach the log.
    const std::string logged = hash.has_value() ? code : "(unknown)";
    if (!by_member_.Allowed(member_key, now) || !by_address_.Allowed(address_key, now)) {
      LogWarning(
          "member sign-in refused",
          {{"member", logged}, {"address", req.remote_addr}, {"reason", "too many failures"}});
      return Fail(res, absl::StatusCode::kResourceExhausted,
                  "too many failed sign-ins: try again later", "");
    }
    // An unknown code costs the same scrypt as a known one.
    static const std::string kDummyHash = HashPassword(RandomToken());
    const bool good = VerifyPassword(request.pin(), hash.value_or(kDummyHash)) && hash.has_value();
    auto failed = [&](absl::StatusCode code_out, const std::string& why) {
      by_member_.RecordFailure(member_key, now);
      by_address_.RecordFailure(address_key, now);
      LogWarning("member sign-in failed",
                 {{"member", logged}, {"address", req.remote_addr}, {"reason", why}});
      Fail(res, code_out, "wrong member code or PIN", "");
    };
    if (!good) return failed(absl::StatusCode::kUnauthenticated, "wrong code or PIN");
    // The member must still be this county's: the name on record for the
    // session, and no session for a member transferred away.
    lianxin::v1::GetMemberReply member;
    const Route* get = dispatcher_->Find("/lianxin.v1.Registry/GetMember");
    ForwardResult found = get == nullptr
                              ? ForwardResult{absl::UnavailableError("no registry"), "", ""}
                              : ForwardForMember(*get, "{}", MemberScope{code, County(), ""},
                                                 FindMemberCall("/lianxin.v1.Registry/GetMember"));
    if (!found.status.ok()) {
      LogWarning("member sign-in failed",
                 {{"member", logged}, {"reason", std::string(found.status.message())}});
      return Fail(res, absl::StatusCode::kUnavailable,
                  "the member's record cannot be read now: try again later", "");
    }
    google::protobuf::util::JsonParseOptions lenient;
    lenient.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(found.json, &member, lenient).ok() ||
        member.member().home_jurisdiction() != County()) {
      return failed(absl::StatusCode::kUnauthenticated, "not a member of this county");
    }
    StaffAccount account;
    account.username = code;
    account.role = "member";
    account.jurisdiction = County();
    account.display_name = member.member().name();
    Session session = member_sessions_.Create(account, now);
    LogInfo("member sign-in", {{"member", code}, {"address", req.remote_addr}});
    res.set_header("Set-Cookie",
                   absl::StrCat(kMemberCookie, "=", session.id, "; Path=/m/; Max-Age=",
                                absl::ToInt64Seconds(absl::GetFlag(FLAGS_member_session_ttl)),
                                "; HttpOnly; Secure; SameSite=Strict"));
    Reply(res, MemberInfo(session));
  }

  static std::string County() { return absl::GetFlag(FLAGS_jurisdiction); }

  static gateway::v1::MemberSessionInfo MemberInfo(const Session& session) {
    gateway::v1::MemberSessionInfo info;
    info.set_member_id(session.account.username);
    info.set_name(session.account.display_name);
    info.set_jurisdiction(session.account.jurisdiction);
    info.set_jurisdiction_name(absl::GetFlag(FLAGS_jurisdiction_name));
    info.set_csrf_token(session.csrf_token);
    *info.mutable_expires_at() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(session.expires));
    return info;
  }

  // The appraisal notices of this year and the last that name the member
  // (the county's list is read here and never leaves the gateway).
  gateway::v1::MemberNotices Notices(const MemberScope& scope) {
    gateway::v1::MemberNotices out;
    const Route* route = dispatcher_->Find("/lianxin.v1.Appraisal/ListNotifications");
    if (route == nullptr) return out;
    const int year = static_cast<int>(absl::ToCivilYear(absl::Now(), CountyTimeZone()).year());
    for (int y : {year, year - 1}) {
      ForwardResult result = ForwardForMember(
          *route, absl::StrCat("{\"jurisdiction\":\"", scope.jurisdiction, "\",\"year\":", y, "}"),
          scope, nullptr);
      lianxin::v1::ListNotificationsReply reply;
      google::protobuf::util::JsonParseOptions lenient;
      lenient.ignore_unknown_fields = true;
      if (!result.status.ok() ||
          !google::protobuf::util::JsonStringToMessage(result.json, &reply, lenient).ok()) {
        continue;
      }
      for (const auto& n : reply.notifications()) {
        if (n.member_id() != scope.member_id) continue;
        gateway::v1::MemberNotice* notice = out.add_notices();
        notice->set_kind("appraisal");
        notice->set_year(n.year());
        notice->set_sent_on(n.sent_on());
      }
    }
    return out;
  }

  // An operator sets or resets a member's PIN (session.proto's MemberPins):
  // a staff session of role operator with its CSRF token, or an operator's
  // `cert:` account; for a member whose home is this county.
  void SetMemberPin(const httplib::Request& req, httplib::Response& res) {
    if (pins_ == nullptr) {
      return Fail(res, absl::StatusCode::kUnimplemented, "this gateway has no member page", "");
    }
    absl::StatusOr<Caller> caller = CallerOf(req);
    if (!caller.ok()) return Fail(res, caller.status().code(), caller.status().message(), "");
    const StaffAccount* account =
        caller->staff.empty() || !accounts_.has_value() ? nullptr : accounts_->Find(caller->staff);
    if (account == nullptr || account->role != "operator") {
      return Fail(res, absl::StatusCode::kPermissionDenied,
                  "a member's PIN is set by an operator signed in to this county's console", "");
    }
    gateway::v1::SetMemberPinRequest request;
    std::vector<FieldViolation> violations;
    if (!google::protobuf::util::JsonStringToMessage(req.body, &request).ok()) {
      violations.push_back({"body", "not a SetMemberPinRequest"});
    } else {
      if (request.member_id().empty() || request.member_id().size() > 64) {
        violations.push_back({"member_id", "required"});
      }
      if (!IsValidPin(request.pin())) {
        violations.push_back({"pin", "6 to 12 digits, not all the same"});
      }
    }
    if (!violations.empty()) {
      const std::string message =
          absl::StrCat(violations[0].field, ": ", violations[0].description);
      return Fail(res, absl::StatusCode::kInvalidArgument, message,
                  BadRequestStatusDetails(absl::StatusCode::kInvalidArgument, message, violations));
    }
    // The member, read with the operator's own rights: home here.
    const Route* get = dispatcher_->Find("/lianxin.v1.Registry/GetMember");
    if (get == nullptr) return Fail(res, absl::StatusCode::kUnavailable, "no registry", "");
    ForwardedCall call;
    call.json_body = absl::StrCat("{\"memberId\":\"", request.member_id(), "\"}");
    call.authorization = caller->authorization;
    call.metadata = {{std::string(kStaffMetadataKey), caller->staff}};
    ForwardResult found = dispatcher_->Forward(*get, call);
    if (!found.status.ok()) {
      return Fail(res, found.status.code(), found.status.message(), found.status_details_bin);
    }
    lianxin::v1::GetMemberReply member;
    google::protobuf::util::JsonParseOptions lenient;
    lenient.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(found.json, &member, lenient).ok() ||
        member.member().home_jurisdiction() != County()) {
      const std::string message =
          absl::StrCat("member_id: ", request.member_id(), "'s home is not ", County(),
                       "; the home county's branch sets the PIN");
      return Fail(res, absl::StatusCode::kFailedPrecondition, message,
                  BadRequestStatusDetails(absl::StatusCode::kFailedPrecondition, message,
                                          {{"member_id", "not a member of this county"}}));
    }
    const absl::Time now = absl::Now();
    if (absl::Status set =
            pins_->Set(request.member_id(), HashPassword(request.pin()), caller->who, now);
        !set.ok()) {
      LogError("member PIN not saved", {{"error", std::string(set.message())}});
      return Fail(res, absl::StatusCode::kUnavailable, "the PIN could not be saved", "");
    }
    LogInfo("member PIN set", {{"member", request.member_id()}, {"by", caller->who}});
    gateway::v1::SetMemberPinReply reply;
    reply.set_member_id(request.member_id());
    *reply.mutable_set_at() =
        google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(now));
    Reply(res, reply);
  }

  std::unique_ptr<Dispatcher> dispatcher_;
  const ledger::ExportChannels export_channels_;  // without `prepare`
  std::optional<StaffAccounts> accounts_;
  const std::map<std::string, std::string> delegate_tokens_;
  const std::unique_ptr<MemberPins> pins_;  // null: no member page
  SessionStore sessions_;
  SessionStore member_sessions_;  // account: username = member id, role "member"
  SignInLimiter by_user_;
  SignInLimiter by_member_;
  SignInLimiter by_address_;  // staff and member sign-ins alike
};

absl::StatusOr<std::shared_ptr<grpc::ChannelInterface>> Channel(const std::string& address) {
  TlsFiles tls;
  tls.ca_file = absl::GetFlag(FLAGS_backend_ca);
  tls.cert_file = absl::GetFlag(FLAGS_backend_cert);
  tls.key_file = absl::GetFlag(FLAGS_backend_key);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(address, tls);
  if (!channel.ok()) return channel.status();
  return std::shared_ptr<grpc::ChannelInterface>(*std::move(channel));
}

int Run() {
  SetLogComponent("lxgateway/" + absl::GetFlag(FLAGS_jurisdiction));
  if (absl::GetFlag(FLAGS_hash_password)) {
    std::string password;
    std::getline(std::cin, password);
    std::cout << HashPassword(password) << "\n";
    return 0;
  }
  const std::string jurisdiction = absl::GetFlag(FLAGS_jurisdiction);
  if (jurisdiction.size() != 6) {
    LogError("bad configuration", {{"error", "--jurisdiction: want a 6-digit county code"}});
    return 2;
  }
  if (absl::GetFlag(FLAGS_tls_cert).empty() || absl::GetFlag(FLAGS_tls_key).empty()) {
    LogError("bad configuration",
             {{"error", "--tls_cert and --tls_key are required (HTTPS only)"}});
    return 2;
  }
  // Link every service's generated descriptors.
  (void)::lianxin::v1::GetMemberRequest::descriptor();
  (void)::lianxin::v1::RecordContactRequest::descriptor();
  (void)::lianxin::v1::ScheduleSessionRequest::descriptor();
  (void)::lianxin::v1::OpenCycleRequest::descriptor();
  std::map<std::string, std::shared_ptr<grpc::ChannelInterface>> services;
  const std::pair<const char*, std::string> backends[] = {
      {"lianxin.v1.Registry", absl::GetFlag(FLAGS_registry)},
      {"lianxin.v1.ContactTracking", absl::GetFlag(FLAGS_contact)},
      {"lianxin.v1.EducationScheduling", absl::GetFlag(FLAGS_education)},
      {"lianxin.v1.Appraisal", absl::GetFlag(FLAGS_appraisal)}};
  for (const auto& [name, address] : backends) {
    if (address.empty()) continue;
    absl::StatusOr<std::shared_ptr<grpc::ChannelInterface>> channel = Channel(address);
    if (!channel.ok()) {
      LogError("bad configuration",
               {{"service", name}, {"error", std::string(channel.status().message())}});
      return 2;
    }
    services[name] = *std::move(channel);
  }
  absl::StatusOr<std::unique_ptr<Dispatcher>> dispatcher = Dispatcher::Create(services);
  if (!dispatcher.ok()) {
    LogError("bad configuration", {{"error", std::string(dispatcher.status().message())}});
    return 2;
  }
  std::optional<StaffAccounts> accounts;
  if (const std::string path = absl::GetFlag(FLAGS_accounts_file); !path.empty()) {
    absl::StatusOr<StaffAccounts> loaded = StaffAccounts::FromFile(path);
    if (!loaded.ok()) {
      LogError("bad configuration", {{"error", std::string(loaded.status().message())}});
      return 2;
    }
    accounts = *std::move(loaded);
  }
  absl::StatusOr<std::map<std::string, std::string>> delegates =
      DelegateTokens(absl::GetFlag(FLAGS_credentials_file), jurisdiction);
  if (!delegates.ok()) {
    LogError("bad configuration", {{"error", std::string(delegates.status().message())}});
    return 2;
  }

  std::unique_ptr<MemberPins> pins;
  if (const std::string path = absl::GetFlag(FLAGS_member_pins_file); !path.empty()) {
    absl::StatusOr<std::unique_ptr<MemberPins>> loaded = MemberPins::FromFile(path);
    if (!loaded.ok()) {
      LogError("bad configuration", {{"error", std::string(loaded.status().message())}});
      return 2;
    }
    if (delegates->count(kMemberProxyRole) == 0) {
      LogError("bad configuration",
               {{"error",
                 "--member_pins_file needs a member-proxy token of this county in "
                 "--credentials_file"}});
      return 2;
    }
    pins = *std::move(loaded);
  }

  httplib::SSLServer server(absl::GetFlag(FLAGS_tls_cert).c_str(),
                            absl::GetFlag(FLAGS_tls_key).c_str());
  if (!server.is_valid()) {
    LogError("bad configuration", {{"error", "--tls_cert/--tls_key: cannot be loaded"}});
    return 2;
  }
  SSL_CTX_set_min_proto_version(server.ssl_context(), TLS1_2_VERSION);
  if (const std::string ca = absl::GetFlag(FLAGS_tls_client_ca); !ca.empty()) {
    // Ask for a client certificate but do not require one: browsers sign in.
    if (SSL_CTX_load_verify_locations(server.ssl_context(), ca.c_str(), nullptr) != 1) {
      LogError("bad configuration", {{"error", "--tls_client_ca: cannot be loaded"}});
      return 2;
    }
    SSL_CTX_set_client_CA_list(server.ssl_context(), SSL_load_client_CA_file(ca.c_str()));
    SSL_CTX_set_verify(server.ssl_context(), SSL_VERIFY_PEER, nullptr);
  }
  server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  server.set_payload_max_length(1 << 20);
  server.set_read_timeout(30, 0);
  server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Strict-Transport-Security", "max-age=31536000");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                   "frame-ancestors 'none'");
    res.set_header("Cache-Control", "no-store");
  });
  const size_t routes = (*dispatcher)->routes().size();
  const auto channel_of = [&](const char* service) {
    auto it = services.find(service);
    return it == services.end() ? nullptr : it->second;
  };
  ledger::ExportChannels export_channels{.registry = channel_of("lianxin.v1.Registry"),
                                         .contact = channel_of("lianxin.v1.ContactTracking"),
                                         .education = channel_of("lianxin.v1.EducationScheduling"),
                                         .appraisal = channel_of("lianxin.v1.Appraisal")};
  Gateway gateway(*std::move(dispatcher), std::move(export_channels), std::move(accounts),
                  *std::move(delegates), std::move(pins));
  server.Post(
      R"(/m/[A-Za-z0-9_.]+/[A-Za-z0-9_]+)",
      [&](const httplib::Request& req, httplib::Response& res) { gateway.ServeMember(req, res); });
  server.Post(
      R"(/[A-Za-z0-9_.]+/[A-Za-z0-9_]+)",
      [&](const httplib::Request& req, httplib::Response& res) { gateway.Serve(req, res); });
  if (const std::string dir = absl::GetFlag(FLAGS_static_dir); !dir.empty()) {
    if (!server.set_mount_point("/", dir)) {
      LogError("bad configuration", {{"error", "--static_dir: not a directory"}});
      return 2;
    }
  }

  const std::string listen = absl::GetFlag(FLAGS_listen);
  const size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port)) {
    LogError("bad configuration", {{"error", "--listen: want host:port"}});
    return 2;
  }
  const std::string host = listen.substr(0, colon);
  if (port == 0) {
    port = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0) {
    LogError("cannot listen", {{"address", listen}});
    return 1;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
  });
  stopper.detach();

  LogInfo("listening",
          {{"address", absl::StrCat(host, ":", port)}, {"rpcs", absl::StrCat(routes)}});
  std::cout << "listening https://" << host << ":" << port << std::endl;
  server.listen_after_bind();
  LogInfo("stopped");
  return 0;
}

}  // namespace
}  // namespace lianxin::gateway

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("lxgateway: a county's services over HTTPS with JSON (Connect)");
  absl::ParseCommandLine(argc, argv);
  return lianxin::gateway::Run();
}
