// Test-only helpers for servers on the lianxin runtime: raw health and
// reflection calls (no generated stubs for them are installed), an HTTP GET, a
// self-signed certificate. Child processes are libs/testing's ChildProcess
// (included here for the tests that start servers).
//
//   auto channel = *OpenChannel(server->address(), TlsFiles());  // libs/runtime/channel.h
//   EXPECT_THAT(CheckHealth(*channel, ""), IsOkAndHolds(kHealthServing));
#ifndef LIANXIN_LIBS_RUNTIME_TESTING_H_
#define LIANXIN_LIBS_RUNTIME_TESTING_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "libs/testing/testing.h"

namespace lianxin::testing {

// grpc.health.v1.HealthCheckResponse.ServingStatus values.
inline constexpr int kHealthServing = 1;
inline constexpr int kHealthNotServing = 2;

// Calls grpc.health.v1.Health/Check for `service` and returns the reply's status
// value; the RPC's error if it fails.
absl::StatusOr<int> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                const std::string& service,
                                absl::Duration timeout = absl::Seconds(10));

// Asks server reflection (grpc.reflection.v1alpha) for the served service names.
absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout = absl::Seconds(10));

// GETs http://127.0.0.1:`port``path` (HTTP/1.0) and returns the whole response,
// headers included. UNAVAILABLE if it cannot connect, DEADLINE_EXCEEDED on timeout.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path,
                                    absl::Duration timeout = absl::Seconds(10));

// A P-256 key and a self-signed certificate for "localhost" / 127.0.0.1, usable
// as server certificate, client certificate and the CA that trusts both.
struct SelfSignedCertificate {
  std::string cert_pem;
  std::string key_pem;
};
absl::StatusOr<SelfSignedCertificate> MakeSelfSignedCertificate();
// A P-256 key and a certificate with `subject_alt_names` (OpenSSL's syntax, e.g.
// "URI:urn:lianxin:principal:654322:operator:gov-a"), signed by `issuer` (a
// certificate from MakeSelfSignedCertificate), or self-signed as a CA if null;
// valid from an hour ago for `valid_for`.
absl::StatusOr<SelfSignedCertificate> MakeCertificate(const std::string& subject_alt_names,
                                                      const SelfSignedCertificate* issuer,
                                                      absl::Duration valid_for = absl::Hours(24));

}  // namespace lianxin::testing

#endif  // LIANXIN_LIBS_RUNTIME_TESTING_H_
