#include "libs/runtime/server.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "grpcpp/server_builder.h"
#include "libs/common/log.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/files.h"

namespace lianxin {
namespace {

// "127.0.0.1:0" -> "127.0.0.1"; "[::]:0" -> "[::]".
std::string ListenHost(const std::string& address) {
  size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> LoadServerCredentials(
    const TlsFiles& tls, absl::Duration recheck) {
  if (tls.cert_file.empty() && tls.key_file.empty() && tls.ca_file.empty()) {
    return std::shared_ptr<grpc::ServerCredentials>();
  }
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs both --tls_cert and --tls_key");
  }
  // Read once here, for clear errors at start (and the key file's mode);
  // gRPC's watcher reads them from then on.
  absl::StatusOr<std::string> cert = ReadConfigFile("--tls_cert", tls.cert_file);
  if (!cert.ok()) return cert.status();
  if (absl::StatusOr<absl::Time> not_after = CertificateNotAfter(*cert); !not_after.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_cert: ", tls.cert_file, " holds no PEM certificate"));
  }
  absl::StatusOr<std::string> key = ReadSecretFile("--tls_key", tls.key_file);
  if (!key.ok()) return key.status();
  if (!tls.ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadConfigFile("--tls_ca", tls.ca_file);
    if (!ca.ok()) return ca.status();
  }
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file, tls.cert_file, tls.ca_file,
      static_cast<unsigned int>(std::max<int64_t>(1, absl::ToInt64Seconds(recheck))));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!tls.ca_file.empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<absl::Time> CertificateNotAfter(absl::string_view pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      bio == nullptr ? nullptr : PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
      &X509_free);
  struct tm not_after = {};
  if (cert == nullptr || ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &not_after) != 1) {
    return absl::InvalidArgumentError("not a PEM certificate");
  }
  return absl::FromTM(not_after, absl::UTCTimeZone());
}

absl::StatusOr<std::unique_ptr<CertificateExpiryWatch>> CertificateExpiryWatch::Start(
    std::string cert_file, Metrics* metrics, absl::Duration recheck) {
  std::unique_ptr<CertificateExpiryWatch> watch(
      new CertificateExpiryWatch(std::move(cert_file), metrics));
  if (absl::Status s = watch->Look(); !s.ok()) return s;
  watch->thread_ = std::thread([w = watch.get(), recheck] {
    while (!w->stop_.WaitForNotificationWithTimeout(recheck)) {
      if (absl::Status s = w->Look(); !s.ok()) {
        LogError("TLS certificate not read again; its expiry gauge keeps the last value",
                 {{"error", s.ToString()}});
      }
    }
  });
  return watch;
}

CertificateExpiryWatch::~CertificateExpiryWatch() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::Status CertificateExpiryWatch::Look() {
  absl::StatusOr<std::string> pem = ReadConfigFile("--tls_cert", cert_file_);
  if (!pem.ok()) return pem.status();
  absl::StatusOr<absl::Time> not_after = CertificateNotAfter(*pem);
  if (!not_after.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_cert: ", cert_file_, " holds no PEM certificate"));
  }
  metrics_->SetCertificateNotAfter(*not_after);
  return absl::OkStatus();
}

absl::Status CheckPlaintextAllowed(const ServerOptions& options) {
  if (options.credentials != nullptr || options.insecure_plaintext_off_loopback ||
      IsLoopbackAddress(options.listen_address)) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to serve plaintext on ", options.listen_address,
      ", which is not a loopback address: give --tls_cert and --tls_key (or, knowing that "
      "tokens then cross the network in clear, --insecure_plaintext_off_loopback)"));
}

absl::StatusOr<std::unique_ptr<RpcServer>> RpcServer::Start(ServerOptions options) {
  if (options.listen_address.empty()) return absl::InvalidArgumentError("empty listen address");
  if (absl::Status s = CheckPlaintextAllowed(options); !s.ok()) return s;
  // Both are process-wide switches read by every ServerBuilder built afterwards.
  static std::once_flag once;
  std::call_once(once, [] {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  });

  grpc::ServerBuilder builder;
  // gRPC binds with SO_REUSEPORT by default: a second instance on the same port
  // would silently share its traffic. One port, one server.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  int port = 0;
  builder.AddListeningPort(
      options.listen_address,
      options.credentials != nullptr ? options.credentials : grpc::InsecureServerCredentials(),
      &port);
  for (const ServedService& s : options.services) builder.RegisterService(s.service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    if (server != nullptr) server->Shutdown();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address, " (address in use or invalid)"));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus("", true);
  for (const ServedService& s : options.services) health->SetServingStatus(s.name, true);

  std::string address = absl::StrCat(ListenHost(options.listen_address), ":", port);
  LogInfo("rpc server started", {{"address", address}});
  return std::unique_ptr<RpcServer>(new RpcServer(std::move(server), port, std::move(address)));
}

RpcServer::RpcServer(std::unique_ptr<grpc::Server> server, int port, std::string address)
    : server_(std::move(server)), port_(port), address_(std::move(address)) {}

RpcServer::~RpcServer() { Shutdown(absl::ZeroDuration()); }

void RpcServer::Shutdown(absl::Duration grace) {
  if (shut_down_.exchange(true)) return;
  LogInfo("rpc server stopping", {{"address", address_}, {"grace", absl::FormatDuration(grace)}});
  // Health first, so a load balancer stops sending before the listener closes.
  server_->GetHealthCheckService()->Shutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  LogInfo("rpc server stopped", {{"address", address_}});
}

}  // namespace lianxin
