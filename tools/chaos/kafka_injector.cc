#include "tools/chaos/kafka_injector.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/bus/rdkafka_util.h"

namespace lianxin::chaos {
namespace {

using bus_internal::HandlePtr;
using bus_internal::TopicPartitionListPtr;

constexpr int kTimeoutMs = 10000;

absl::StatusOr<HandlePtr> NewClient(const std::string& bootstrap, rd_kafka_type_t type,
                                    std::map<std::string, std::string> properties) {
  properties["log_level"] = "3";
  auto conf = bus_internal::NewConf(KafkaConfig{bootstrap, {}}, properties);
  if (!conf.ok()) return conf.status();
  return bus_internal::NewHandle(type, *std::move(conf));
}

absl::Status KafkaError(const std::string& what, rd_kafka_resp_err_t err) {
  return absl::UnavailableError(absl::StrCat(what, ": ", rd_kafka_err2str(err)));
}

// Partition counts of the topics the broker has, by name.
absl::StatusOr<std::map<std::string, int>> Partitions(rd_kafka_t* rk) {
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &metadata, kTimeoutMs);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("metadata", err);
  std::map<std::string, int> partitions;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR) partitions[t.topic] = t.partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  return partitions;
}

}  // namespace

absl::StatusOr<std::vector<KafkaMessage>> KafkaInjector::ReadAll(
    const std::vector<std::string>& topics) const {
  absl::StatusOr<HandlePtr> rk = NewClient(bootstrap_, RD_KAFKA_CONSUMER,
                                           {{"group.id", "lxchaos-reader"},
                                            {"enable.auto.commit", "false"},
                                            {"fetch.wait.max.ms", "5"}});
  if (!rk.ok()) return rk.status();
  absl::StatusOr<std::map<std::string, int>> partitions = Partitions(rk->get());
  if (!partitions.ok()) return partitions.status();

  TopicPartitionListPtr assignment(rd_kafka_topic_partition_list_new(16));
  std::map<std::pair<std::string, int32_t>, int64_t> end;  // partitions still to read
  for (const std::string& topic : topics) {
    auto it = partitions->find(topic);
    if (it == partitions->end()) continue;
    for (int32_t p = 0; p < it->second; ++p) {
      int64_t low = 0, high = 0;
      rd_kafka_resp_err_t err =
          rd_kafka_query_watermark_offsets(rk->get(), topic.c_str(), p, &low, &high, kTimeoutMs);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("watermarks of " + topic, err);
      if (high <= low) continue;
      end[{topic, p}] = high;
      rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset = low;
    }
  }
  std::vector<KafkaMessage> messages;
  if (end.empty()) return messages;
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk->get(), assignment.get()); err) {
    return KafkaError("assign", err);
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (!end.empty() && absl::Now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk->get(), 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      KafkaMessage copy;
      copy.topic = rd_kafka_topic_name(m->rkt);
      copy.partition = m->partition;
      if (m->key != nullptr) copy.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload != nullptr) {
        copy.value.assign(static_cast<const char*>(m->payload), m->len);
      }
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          copy.headers.emplace_back(name, std::string(static_cast<const char*>(value), size));
        }
      }
      auto it = end.find({copy.topic, copy.partition});
      if (it != end.end() && m->offset + 1 >= it->second) end.erase(it);
      messages.push_back(std::move(copy));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk->get());
  // What was read is enough to copy from (the broker may be slow: rtt faults).
  if (messages.empty() && !end.empty()) {
    return absl::DeadlineExceededError("could not read any of the topics in 30 s");
  }
  return messages;
}

absl::StatusOr<std::vector<QuarantinedMessage>> KafkaInjector::Produce(
    const std::vector<KafkaMessage>& messages) const {
  struct Landed {
    std::vector<QuarantinedMessage> where;
    rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
    size_t reported = 0;
  } landed;
  landed.where.resize(messages.size());
  auto conf = bus_internal::NewConf(KafkaConfig{bootstrap_, {}}, {{"log_level", "3"}});
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), &landed);
  rd_kafka_conf_set_dr_msg_cb(
      conf->get(), [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
        auto* l = static_cast<Landed*>(opaque);
        const size_t i = reinterpret_cast<uintptr_t>(m->_private);
        ++l->reported;
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          if (l->first_error == RD_KAFKA_RESP_ERR_NO_ERROR) l->first_error = m->err;
          return;
        }
        l->where[i] = {rd_kafka_topic_name(m->rkt), m->partition, m->offset};
      });
  absl::StatusOr<HandlePtr> rk = bus_internal::NewHandle(RD_KAFKA_PRODUCER, *std::move(conf));
  if (!rk.ok()) return rk.status();
  for (size_t i = 0; i < messages.size(); ++i) {
    const KafkaMessage& m = messages[i];
    rd_kafka_headers_t* headers = rd_kafka_headers_new(m.headers.size());
    for (const auto& [name, value] : m.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk->get(), RD_KAFKA_V_TOPIC(m.topic.c_str()),
        RD_KAFKA_V_PARTITION(m.partition < 0 ? RD_KAFKA_PARTITION_UA : m.partition),
        RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(i))), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);
      return KafkaError("produce to " + m.topic, err);
    }
  }
  rd_kafka_flush(rk->get(), 3 * kTimeoutMs);
  if (landed.reported != messages.size()) {
    return absl::DeadlineExceededError("messages not delivered in time");
  }
  if (landed.first_error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError("delivery", landed.first_error);
  }
  return landed.where;
}

absl::Status KafkaInjector::RewindGroup(const std::string& group) const {
  // A group's offsets can only be committed by one of its members: join it
  // (subscribed to every lx.* topic, so that every partition is assigned to
  // us), then commit offset 0 on what we got.
  absl::StatusOr<HandlePtr> rk = NewClient(bootstrap_, RD_KAFKA_CONSUMER,
                                           {{"group.id", group},
                                            {"enable.auto.commit", "false"},
                                            {"fetch.wait.max.ms", "5"},
                                            // Should the broker miss our leaving, the group waits
                                            // this long for us, not librdkafka's 45 s and 5 min.
                                            {"session.timeout.ms", "6000"},
                                            {"max.poll.interval.ms", "6000"}});
  if (!rk.ok()) return rk.status();
  TopicPartitionListPtr subscription(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(subscription.get(), "^lx\\..*", RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(rk->get(), subscription.get()); err) {
    return KafkaError("subscribe", err);
  }
  rd_kafka_topic_partition_list_t* assigned = nullptr;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk->get(), 100)) {
      rd_kafka_message_destroy(m);
    }
    if (rd_kafka_assignment(rk->get(), &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        assigned->cnt > 0) {
      break;
    }
    if (assigned != nullptr) rd_kafka_topic_partition_list_destroy(assigned);
    assigned = nullptr;
  }
  if (assigned == nullptr) {
    rd_kafka_consumer_close(rk->get());
    return absl::DeadlineExceededError("never got an assignment in group " + group);
  }
  TopicPartitionListPtr offsets(assigned);
  for (int i = 0; i < offsets->cnt; ++i) offsets->elems[i].offset = 0;
  rd_kafka_resp_err_t err = rd_kafka_commit(rk->get(), offsets.get(), /*async=*/0);
  rd_kafka_consumer_close(rk->get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError("commit of group " + group, err);
  return absl::OkStatus();
}

}  // namespace lianxin::chaos
