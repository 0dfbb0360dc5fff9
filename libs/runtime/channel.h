// Client channels to lianxin services: the one place every client (lxctl,
// lxscenario, lxchaos, the benchmarks, the tests) makes its credentials.
//
// TLS is used whenever a CA is given: the server's certificate must be signed
// by it, and the client presents `cert_file`/`key_file` when given (mutual TLS;
// see auth.h for how a client certificate names a principal). Without a CA the
// channel is plaintext, which is refused to anything but a loopback address: a
// bearer token must never cross a network in clear.
//
//   TlsFiles tls;
//   tls.ca_file = ".lianxin/local/tls/ca.pem";
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
//                    OpenChannel("127.0.0.1:17101", tls));
//   auto stub = lianxin::v1::Registry::NewStub(channel);
#ifndef LIANXIN_LIBS_RUNTIME_CHANNEL_H_
#define LIANXIN_LIBS_RUNTIME_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "libs/runtime/config.h"

namespace lianxin {

// True iff `address` ("host:port", "[v6]:port", "unix:…") can only be reached
// from this machine: 127.0.0.0/8, ::1, "localhost" or a unix socket.
bool IsLoopbackAddress(absl::string_view address);

// Credentials for a client: TLS trusting `tls.ca_file` (presenting
// `tls.cert_file`/`tls.key_file` when given) if a CA is given, else plaintext.
// INVALID_ARGUMENT if only one of cert/key is given or cert/key without a CA;
// NOT_FOUND naming a file that cannot be read.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsFiles& tls);

// A channel to `address` with MakeChannelCredentials(tls) and `args`.
// FAILED_PRECONDITION for a plaintext channel to a non-loopback address.
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenChannel(
    const std::string& address, const TlsFiles& tls,
    const grpc::ChannelArguments& args = grpc::ChannelArguments());

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_CHANNEL_H_
