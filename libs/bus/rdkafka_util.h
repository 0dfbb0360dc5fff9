// Internal to libs/bus: librdkafka handles with owners, and building a
// configuration from defaults plus a KafkaConfig.
#ifndef LIANXIN_LIBS_BUS_RDKAFKA_UTIL_H_
#define LIANXIN_LIBS_BUS_RDKAFKA_UTIL_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "librdkafka/rdkafka.h"
#include "libs/bus/kafka_config.h"
#include "libs/eventstore/event_store.h"

namespace lianxin::bus_internal {

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct TopicPartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using TopicPartitionListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, TopicPartitionListDeleter>;

// A configuration with `defaults`, then config.properties, then bootstrap
// servers. Returns INVALID_ARGUMENT naming a property librdkafka rejects.
absl::StatusOr<ConfPtr> NewConf(const KafkaConfig& config,
                                const std::map<std::string, std::string>& defaults);

// Sends librdkafka's log lines to lianxin's JSON log.
void SetLogCallback(rd_kafka_conf_t* conf);

// Creates a handle from `conf` (taking it). Returns INTERNAL with librdkafka's reason.
absl::StatusOr<HandlePtr> NewHandle(rd_kafka_type_t type, ConfPtr conf);

// Whether the Kafka cluster `rk` talks to is another one than the one
// recorded in `store` under `key` (Family::kApplied): a broker restarted
// empty or a cluster rebuilt, whose topics no longer hold what was delivered
// before, at the offsets known before. Records the cluster's id. False when
// nothing was recorded yet, or when the id is not known within `timeout_ms`.
// Sets `*cluster_id` (if given) to the id, or to "" when it is not known.
bool ClusterReplaced(rd_kafka_t* rk, int timeout_ms, EventStore& store, const std::string& key,
                     std::string* cluster_id = nullptr);

}  // namespace lianxin::bus_internal

#endif  // LIANXIN_LIBS_BUS_RDKAFKA_UTIL_H_
