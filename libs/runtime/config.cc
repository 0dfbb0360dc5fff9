#include "libs/runtime/config.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "gRPC listen address host:port (port 0 = any free port). Env: LIANXIN_LISTEN.");
ABSL_FLAG(std::string, metrics_address, "127.0.0.1:0",
          "Prometheus /metrics address host:port; empty = none. Env: LIANXIN_METRICS_ADDRESS.");
ABSL_FLAG(std::string, tokens_file, "",
          "Bearer token file: lines `token operator_id jurisdiction role`. "
          "Env: LIANXIN_TOKENS_FILE.");
ABSL_FLAG(std::string, data_dir, "",
          "Directory of the service's durable state. "
          "Env: LIANXIN_DATA_DIR.");
ABSL_FLAG(std::string, jurisdiction, "",
          "6-digit division code (GB/T 2260) this instance serves. Env: LIANXIN_JURISDICTION.");
ABSL_FLAG(std::string, kafka_brokers, "",
          "Kafka bootstrap servers host:port,host:port. "
          "Env: LIANXIN_KAFKA_BROKERS.");
ABSL_FLAG(std::string, counties_on_lianxin, "",
          "Comma-separated codes of the counties that run lianxin (events about shared "
          "members are routed to their inboxes); this county is always included. "
          "Env: LIANXIN_COUNTIES_ON_LIANXIN.");
ABSL_FLAG(std::string, kafka_config, "",
          "Extra librdkafka properties \"k=v,k=v\". Env: LIANXIN_KAFKA_CONFIG.");
ABSL_FLAG(std::string, tls_cert, "",
          "Server certificate chain (PEM); empty = plaintext. "
          "Env: LIANXIN_TLS_CERT.");
ABSL_FLAG(std::string, tls_key, "", "Server private key (PEM). Env: LIANXIN_TLS_KEY.");
ABSL_FLAG(std::string, tls_ca, "",
          "CA certificates (PEM); if set, clients must present a certificate it signed. "
          "Env: LIANXIN_TLS_CA.");
ABSL_FLAG(
    bool, insecure_plaintext_off_loopback, false,
    "Serve plaintext gRPC on a non-loopback --listen address. INSECURE: bearer tokens and "
    "personal data then cross the network in clear; without it, such a service refuses "
    "to start unless given --tls_cert/--tls_key. Env: LIANXIN_INSECURE_PLAINTEXT_OFF_LOOPBACK.");
ABSL_FLAG(int, max_queued_calls, 256,
          "Authenticated calls that may wait for a handler thread; more are answered "
          "RESOURCE_EXHAUSTED. Env: LIANXIN_MAX_QUEUED_CALLS.");
ABSL_FLAG(int, max_receive_message_bytes, 64 * 1024,
          "Largest request accepted (the largest legitimate one is a few KB: paragraphs of "
          "2000 characters, at most 120 months). Env: LIANXIN_MAX_RECEIVE_MESSAGE_BYTES.");
ABSL_FLAG(double, rate_limit_writes, 500,
          "Writes per second per principal (burst 4x); 0 = unlimited. "
          "Env: LIANXIN_RATE_LIMIT_WRITES.");
ABSL_FLAG(double, rate_limit_identity_lookups, 200,
          "GetMember, GetMemberHistory and RegisterMember per second per principal (burst 5x); "
          "0 = unlimited. Env: LIANXIN_RATE_LIMIT_IDENTITY_LOOKUPS.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "On SIGTERM/SIGINT, how long in-flight RPCs may finish before they are cancelled. "
          "Env: LIANXIN_SHUTDOWN_GRACE.");

namespace lianxin {

absl::Status ApplyEnvironmentToFlags() {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    // abseil's own flags (--help, --flagfile, --fromenv…) are not ours to set.
    if (absl::StartsWith(flag->Filename(), "absl/") ||
        absl::StrContains(flag->Filename(), "/absl/")) {
      continue;
    }
    std::string variable = absl::StrCat("LIANXIN_", absl::AsciiStrToUpper(name));
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment ", variable, "=\"", value, "\" for --", name, ": ", error));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RuntimeConfig> ParseRuntimeFlags(int argc, char** argv) {
  if (absl::Status s = ApplyEnvironmentToFlags(); !s.ok()) return s;
  absl::ParseCommandLine(argc, argv);
  return RuntimeConfigFromFlags();
}

absl::StatusOr<RuntimeConfig> RuntimeConfigFromFlags() {
  RuntimeConfig config;
  config.listen_address = absl::GetFlag(FLAGS_listen);
  config.metrics_address = absl::GetFlag(FLAGS_metrics_address);
  config.tokens_file = absl::GetFlag(FLAGS_tokens_file);
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.jurisdiction = absl::GetFlag(FLAGS_jurisdiction);
  config.kafka_brokers = absl::GetFlag(FLAGS_kafka_brokers);
  config.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                absl::GetFlag(FLAGS_tls_ca)};
  config.insecure_plaintext_off_loopback = absl::GetFlag(FLAGS_insecure_plaintext_off_loopback);
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.max_queued_calls = absl::GetFlag(FLAGS_max_queued_calls);
  config.max_receive_message_bytes = absl::GetFlag(FLAGS_max_receive_message_bytes);
  config.rate_limit_writes = absl::GetFlag(FLAGS_rate_limit_writes);
  config.rate_limit_identity_lookups = absl::GetFlag(FLAGS_rate_limit_identity_lookups);
  if (config.max_queued_calls < 1) return absl::InvalidArgumentError("--max_queued_calls < 1");
  if (config.max_receive_message_bytes < 1024) {
    return absl::InvalidArgumentError("--max_receive_message_bytes < 1024");
  }
  if (config.rate_limit_writes < 0 || config.rate_limit_identity_lookups < 0) {
    return absl::InvalidArgumentError("--rate_limit_writes / --rate_limit_identity_lookups < 0");
  }

  if (config.listen_address.empty()) return absl::InvalidArgumentError("--listen is empty");
  if (!config.jurisdiction.empty() &&
      (config.jurisdiction.size() != 6 ||
       !std::all_of(config.jurisdiction.begin(), config.jurisdiction.end(),
                    [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }))) {
    return absl::InvalidArgumentError(absl::StrCat("--jurisdiction \"", config.jurisdiction,
                                                   "\" is not a 6-digit division code"));
  }
  absl::StatusOr<std::map<std::string, std::string>> kafka =
      ParseKafkaConfig(absl::GetFlag(FLAGS_kafka_config));
  if (!kafka.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--kafka_config: ", kafka.status().message()));
  }
  config.kafka_config = *std::move(kafka);
  for (absl::string_view county :
       absl::StrSplit(absl::GetFlag(FLAGS_counties_on_lianxin), ',', absl::SkipWhitespace())) {
    config.counties_on_lianxin.insert(std::string(absl::StripAsciiWhitespace(county)));
  }
  if (!config.jurisdiction.empty()) config.counties_on_lianxin.insert(config.jurisdiction);
  if (config.tls.cert_file.empty() != config.tls.key_file.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key must be given together");
  }
  if (config.tls.cert_file.empty() && !config.tls.ca_file.empty()) {
    return absl::InvalidArgumentError("--tls_ca needs --tls_cert and --tls_key");
  }
  if (config.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace is negative");
  }
  return config;
}

absl::StatusOr<std::map<std::string, std::string>> ParseKafkaConfig(absl::string_view text) {
  std::map<std::string, std::string> properties;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    item = absl::StripAsciiWhitespace(item);
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(item, absl::MaxSplits('=', 1));
    absl::string_view key = absl::StripAsciiWhitespace(kv.first);
    if (!absl::StrContains(item, '=') || key.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("item \"", item, "\" is not key=value"));
    }
    properties[std::string(key)] = std::string(absl::StripAsciiWhitespace(kv.second));
  }
  return properties;
}

}  // namespace lianxin
