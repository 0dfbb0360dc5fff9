// How a lianxin process reaches Kafka: the bootstrap servers plus any
// librdkafka properties (security.protocol, ssl.*, sasl.*, tuning), passed
// through verbatim. The embedded lianxin-broker needs only the bootstrap; a
// production cluster adds TLS/SASL properties. Services take both from the
// runtime's --kafka_brokers and --kafka_config flags (libs/runtime/config.h);
// secrets come from the environment so they stay off the command line.
//
//   KafkaConfig kafka{config.kafka_brokers, config.kafka_config};
//   kafka.ApplyEnvironment();   // LIANXIN_KAFKA_PROP_SASL_PASSWORD=... -> sasl.password
#ifndef LIANXIN_LIBS_BUS_KAFKA_CONFIG_H_
#define LIANXIN_LIBS_BUS_KAFKA_CONFIG_H_

#include <map>
#include <string>

namespace lianxin {

struct KafkaConfig {
  // "host:port,host:port"; required.
  std::string bootstrap_servers;
  // librdkafka properties, applied after (so overriding) the bus's defaults.
  std::map<std::string, std::string> properties;

  // Sets one property per LIANXIN_KAFKA_PROP_<NAME>=value variable (name
  // lower-cased, '_' -> '.': LIANXIN_KAFKA_PROP_SASL_PASSWORD sets
  // "sasl.password"), over what the flags said. `envp` is a null-terminated
  // "NAME=value" array, by default the process's.
  void ApplyEnvironment(char** envp = nullptr);

  // "bootstrap=...; k=v ..." with values of secret-looking keys (password,
  // secret, key) masked, for logs.
  std::string DebugString() const;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_BUS_KAFKA_CONFIG_H_
