#include "libs/bus/rdkafka_util.h"

#include "absl/strings/str_cat.h"
#include "libs/common/log.h"

namespace lianxin::bus_internal {
namespace {

void LogFromRdkafka(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  LogLevel our = level <= 3 ? LogLevel::kError
                            : (level == 4 ? LogLevel::kWarning
                                          : (level <= 6 ? LogLevel::kInfo : LogLevel::kDebug));
  Log(our, message, {{"facility", facility}, {"client", rd_kafka_name(rk)}});
}

}  // namespace

absl::StatusOr<ConfPtr> NewConf(const KafkaConfig& config,
                                const std::map<std::string, std::string>& defaults) {
  if (config.bootstrap_servers.empty()) {
    return absl::InvalidArgumentError("kafka: bootstrap servers are empty");
  }
  ConfPtr conf(rd_kafka_conf_new());
  char errstr[512];
  auto set = [&](const std::string& key, const std::string& value) -> absl::Status {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("kafka property ", key, ": ", errstr));
    }
    return absl::OkStatus();
  };
  for (const auto& [key, value] : defaults) {
    if (absl::Status s = set(key, value); !s.ok()) return s;
  }
  for (const auto& [key, value] : config.properties) {
    if (absl::Status s = set(key, value); !s.ok()) return s;
  }
  if (absl::Status s = set("bootstrap.servers", config.bootstrap_servers); !s.ok()) return s;
  SetLogCallback(conf.get());
  return conf;
}

void SetLogCallback(rd_kafka_conf_t* conf) { rd_kafka_conf_set_log_cb(conf, LogFromRdkafka); }

absl::StatusOr<HandlePtr> NewHandle(rd_kafka_type_t type, ConfPtr conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof(errstr));
  if (rk == nullptr) return absl::InternalError(absl::StrCat("rd_kafka_new: ", errstr));
  conf.release();  // owned by rk now
  return HandlePtr(rk);
}

bool ClusterReplaced(rd_kafka_t* rk, int timeout_ms, EventStore& store, const std::string& key,
                     std::string* cluster_id) {
  if (cluster_id != nullptr) cluster_id->clear();
  const char* id = rd_kafka_clusterid(rk, timeout_ms);
  if (id == nullptr) return false;
  const std::string cluster(id);
  rd_kafka_mem_free(rk, const_cast<char*>(id));
  if (cluster_id != nullptr) *cluster_id = cluster;
  absl::StatusOr<std::string> recorded = store.Get(Family::kApplied, key);
  if (recorded.ok() && *recorded == cluster) return false;
  Transaction txn;
  txn.Put(Family::kApplied, key, cluster);
  if (absl::Status s = store.Commit(std::move(txn)).status(); !s.ok()) {
    LogWarning("could not record the Kafka cluster id", {{"key", key}, {"error", s.ToString()}});
  }
  if (!recorded.ok()) return false;  // the first cluster this store has seen
  LogWarning("the Kafka cluster was replaced",
             {{"key", key}, {"was", *recorded}, {"now", cluster}});
  return true;
}

}  // namespace lianxin::bus_internal
