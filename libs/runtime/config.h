// The flags every lianxin service shares, and where their values come from.
//
// Precedence, highest first: the command line, then the environment variable
// LIANXIN_<FLAG_NAME_UPPER> (e.g. LIANXIN_LISTEN for --listen), then the
// flag's default. The environment applies to every flag of the process (a
// service's own flags too), except abseil's built-in ones (--help, --flagfile…).
//
//   int main(int argc, char** argv) {
//     absl::StatusOr<RuntimeConfig> config = ParseRuntimeFlags(argc, argv);
//     if (!config.ok()) { LogError("bad configuration", …); return 2; }
//     … config->listen_address …
//
// Flags: --listen, --metrics_address, --tokens_file, --data_dir, --jurisdiction,
// --kafka_brokers, --kafka_config, --counties_on_lianxin, --tls_cert, --tls_key, --tls_ca,
// --insecure_plaintext_off_loopback, --max_queued_calls, --max_receive_message_bytes,
// --rate_limit_writes, --rate_limit_identity_lookups, --shutdown_grace.
#ifndef LIANXIN_LIBS_RUNTIME_CONFIG_H_
#define LIANXIN_LIBS_RUNTIME_CONFIG_H_

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace lianxin {

// PEM files for TLS; all empty = plaintext. A CA means clients must present a
// certificate signed by it (mutual TLS).
struct TlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
};

struct RuntimeConfig {
  std::string listen_address;   // gRPC "host:port"; port 0 = any free port
  std::string metrics_address;  // Prometheus "host:port"; empty = no endpoint
  std::string tokens_file;      // see auth.h
  std::string data_dir;         // the service's durable state
  std::string jurisdiction;     // 6-digit code this instance serves; may be empty
  std::string kafka_brokers;    // "host:port,host:port"
  std::map<std::string, std::string> kafka_config;  // extra librdkafka properties
  // Counties running lianxin, this one included: events about a member shared
  // with one of them are routed to its inbox.
  std::set<std::string> counties_on_lianxin;
  TlsFiles tls;
  // Serve plaintext on a non-loopback address (tokens in clear on the network).
  bool insecure_plaintext_off_loopback = false;
  // Bounded work (rpc.h, rate_limit.h): calls waiting for a handler thread,
  // the largest request accepted, per-principal rates (0 = unlimited).
  int max_queued_calls = 256;
  int max_receive_message_bytes = 64 * 1024;
  double rate_limit_writes = 500;            // per second, burst 4x
  double rate_limit_identity_lookups = 200;  // per second, burst 5x
  absl::Duration shutdown_grace;             // how long in-flight RPCs may finish on SIGTERM
};

// Sets each flag whose LIANXIN_<NAME> environment variable exists (an empty
// value counts) to that value. Returns INVALID_ARGUMENT naming the variable if a
// value does not parse; flags set before the error keep their new values.
absl::Status ApplyEnvironmentToFlags();

// Applies the environment, then parses the command line (absl::ParseCommandLine,
// which exits on an unknown flag or --help), then returns RuntimeConfigFromFlags().
absl::StatusOr<RuntimeConfig> ParseRuntimeFlags(int argc, char** argv);

// Returns the current flag values; INVALID_ARGUMENT naming the flag if
// --jurisdiction is not 6 digits, --kafka_config is malformed, or only one of
// --tls_cert / --tls_key is given.
absl::StatusOr<RuntimeConfig> RuntimeConfigFromFlags();

// Parses "key=value,key=value" (blanks around items ignored; empty = none).
// Returns INVALID_ARGUMENT naming the item without '=' or with an empty key.
absl::StatusOr<std::map<std::string, std::string>> ParseKafkaConfig(absl::string_view text);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_CONFIG_H_
