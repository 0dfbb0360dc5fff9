// A started gRPC server (callback API) with the standard health service and
// server reflection, on a chosen or ephemeral port, plaintext or TLS.
//
//   ASSIGN_OR_RETURN(auto credentials, LoadServerCredentials(config.tls));
//   ASSIGN_OR_RETURN(std::unique_ptr<RpcServer> server,
//                    RpcServer::Start({config.listen_address, credentials,
//                                      {{lianxin::v1::Echo::service_full_name(), &echo}}}));
//   std::cout << "listening " << server->address() << std::endl;
//   WaitForTerminationSignal();
//   server->Shutdown(config.shutdown_grace);
#ifndef LIANXIN_LIBS_RUNTIME_SERVER_H_
#define LIANXIN_LIBS_RUNTIME_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "libs/common/metrics.h"
#include "libs/runtime/config.h"

namespace lianxin {

// One service to serve, with the name health checks ask for
// (e.g. lianxin::v1::Echo::service_full_name()).
struct ServedService {
  std::string name;
  grpc::Service* service;  // not owned; must outlive the server
};

struct ServerOptions {
  std::string listen_address;                            // "host:port"; port 0 = ephemeral
  std::shared_ptr<grpc::ServerCredentials> credentials;  // null = plaintext
  std::vector<ServedService> services;
  // Plaintext is served on loopback addresses only, unless this is set
  // (--insecure_plaintext_off_loopback): bearer tokens would cross a network in clear.
  bool insecure_plaintext_off_loopback = false;
  // Largest request accepted; gRPC answers RESOURCE_EXHAUSTED for a larger one.
  int max_receive_message_bytes = 64 * 1024;
};

// How often a TLS server looks at its certificate, key and CA files again. A
// renewed certificate (written over the old files, the key first or both by
// rename) is served to new connections from the next look on, without a restart.
inline constexpr absl::Duration kTlsFilesRecheck = absl::Minutes(1);

// Returns null (plaintext) if `tls` names no files, else TLS credentials
// from its PEM files (client certificates required and verified when a CA is
// given), looked at again every `recheck`. Returns NOT_FOUND naming an
// unreadable file, PERMISSION_DENIED for a key file others may read,
// INVALID_ARGUMENT if only one of cert/key is given or a CA is given without
// them, or if the certificate is no PEM certificate.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> LoadServerCredentials(
    const TlsFiles& tls, absl::Duration recheck = kTlsFilesRecheck);

// When the first certificate of a PEM chain expires (its notAfter).
// INVALID_ARGUMENT if `pem` holds no certificate.
absl::StatusOr<absl::Time> CertificateNotAfter(absl::string_view pem);

// Keeps the certificate-expiry gauge (Metrics::SetCertificateNotAfter, for the
// alert in deploy/monitoring/alerts.yml) true to the certificate file as it is
// now: read at Start, then every `recheck` (as gRPC reads it, kTlsFilesRecheck),
// so a renewal clears the alert. A file that cannot be read later keeps the
// last value and is logged.
class CertificateExpiryWatch {
 public:
  // NOT_FOUND for a file that cannot be read, INVALID_ARGUMENT for one without
  // a PEM certificate. `metrics` is not owned and must outlive the watch.
  static absl::StatusOr<std::unique_ptr<CertificateExpiryWatch>> Start(
      std::string cert_file, Metrics* metrics, absl::Duration recheck = kTlsFilesRecheck);
  ~CertificateExpiryWatch();  // stops the looking

 private:
  CertificateExpiryWatch(std::string cert_file, Metrics* metrics)
      : cert_file_(std::move(cert_file)), metrics_(metrics) {}
  absl::Status Look();

  const std::string cert_file_;
  Metrics* const metrics_;
  absl::Notification stop_;
  std::thread thread_;
};

// OK unless `options` would serve plaintext on a non-loopback address without
// insecure_plaintext_off_loopback: then FAILED_PRECONDITION saying what to give.
absl::Status CheckPlaintextAllowed(const ServerOptions& options);

class RpcServer {
 public:
  // Builds and starts a server serving `options.services`, grpc.health.v1.Health
  // (SERVING for "" and every service name) and server reflection. Returns
  // UNAVAILABLE if the address cannot be bound, INVALID_ARGUMENT if it is empty,
  // FAILED_PRECONDITION for plaintext on a non-loopback address (see
  // ServerOptions::insecure_plaintext_off_loopback).
  static absl::StatusOr<std::unique_ptr<RpcServer>> Start(ServerOptions options);

  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;
  // Shuts down at once (no grace) if Shutdown was not called.
  ~RpcServer();

  // The bound port (the ephemeral one when the listen port was 0).
  int port() const { return port_; }
  // The listen host with the bound port, e.g. "127.0.0.1:40123".
  const std::string& address() const { return address_; }

  // Marks every service NOT_SERVING, stops accepting calls, lets in-flight RPCs
  // finish for up to `grace`, cancels the rest, and returns when all are done.
  // Thread-safe; calls after the first return at once.
  void Shutdown(absl::Duration grace);

  // The underlying server (e.g. for in-process channels).
  grpc::Server* grpc_server() { return server_.get(); }

 private:
  RpcServer(std::unique_ptr<grpc::Server> server, int port, std::string address);

  std::unique_ptr<grpc::Server> server_;
  int port_;
  std::string address_;
  std::atomic<bool> shut_down_{false};
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_SERVER_H_
