// Reading a lianxin topic from the beginning (contract in topic_reader.h).
#include "libs/bus/topic_reader.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "librdkafka/rdkafka.h"
#include "libs/bus/rdkafka_util.h"
#include "libs/common/status_macros.h"

namespace lianxin {
namespace {

using bus_internal::HandlePtr;
using bus_internal::TopicPartitionListPtr;

struct TopicDeleter {
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};
struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* metadata) const {
    rd_kafka_metadata_destroy(metadata);
  }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};

int TimeoutMs(absl::Time deadline) {
  return static_cast<int>(std::max<int64_t>(1, absl::ToInt64Milliseconds(deadline - absl::Now())));
}

}  // namespace

absl::StatusOr<std::vector<Event>> ReadTopicEvents(const KafkaConfig& kafka,
                                                   const std::string& topic, absl::Duration timeout,
                                                   const TopicReadProgress* progress) {
  const absl::Time deadline = absl::Now() + timeout;
  ASSIGN_OR_RETURN(
      bus_internal::ConfPtr conf,
      bus_internal::NewConf(kafka, {{"group.id", absl::StrCat("lianxin-topic-reader-", getpid())},
                                    {"enable.auto.commit", "false"},
                                    {"enable.auto.offset.store", "false"},
                                    {"enable.partition.eof", "false"}}));
  ASSIGN_OR_RETURN(HandlePtr consumer, bus_internal::NewHandle(RD_KAFKA_CONSUMER, std::move(conf)));

  // The topic's partitions.
  std::unique_ptr<rd_kafka_topic_t, TopicDeleter> handle(
      rd_kafka_topic_new(consumer.get(), topic.c_str(), nullptr));
  const rd_kafka_metadata_t* raw_metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(consumer.get(), 0, handle.get(), &raw_metadata, TimeoutMs(deadline));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka metadata of ", topic, ": ", rd_kafka_err2str(err)));
  }
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> metadata(raw_metadata);
  if (metadata->topic_cnt != 1 ||
      metadata->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
      metadata->topics[0].partition_cnt == 0) {
    return std::vector<Event>();
  }
  if (metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka metadata of ", topic, ": ", rd_kafka_err2str(metadata->topics[0].err)));
  }

  // Where each partition ends now; read from its beginning to there.
  std::map<int32_t, int64_t> end_of;  // partition -> high watermark
  uint64_t total = 0;
  TopicPartitionListPtr assignment(rd_kafka_topic_partition_list_new(0));
  for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
    const int32_t partition = metadata->topics[0].partitions[i].id;
    int64_t low = 0, high = 0;
    err = rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), partition, &low, &high,
                                           TimeoutMs(deadline));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return absl::UnavailableError(
          absl::StrCat("kafka offsets of ", topic, "/", partition, ": ", rd_kafka_err2str(err)));
    }
    if (high <= low) continue;
    end_of[partition] = high;
    total += high - low;
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  std::vector<Event> events;
  if (end_of.empty()) return events;
  if (progress != nullptr && progress->found) progress->found(total);
  events.reserve(total);
  err = rd_kafka_assign(consumer.get(), assignment.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka assign ", topic, ": ", rd_kafka_err2str(err)));
  }
  while (!end_of.empty()) {
    if (absl::Now() > deadline) {
      rd_kafka_assign(consumer.get(), nullptr);
      return absl::DeadlineExceededError(absl::StrCat("reading ", topic, ": ", end_of.size(),
                                                      " partitions not read to their end in ",
                                                      absl::FormatDuration(timeout)));
    }
    std::unique_ptr<rd_kafka_message_t, MessageDeleter> message(
        rd_kafka_consumer_poll(consumer.get(), 200));
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (message->err == RD_KAFKA_RESP_ERR__TRANSPORT ||
          message->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        continue;  // librdkafka reconnects by itself; the deadline bounds it
      }
      rd_kafka_assign(consumer.get(), nullptr);
      return absl::UnavailableError(
          absl::StrCat("reading ", topic, ": ", rd_kafka_message_errstr(message.get())));
    }
    const int32_t partition = message->partition;
    auto end = end_of.find(partition);
    if (end == end_of.end()) continue;
    if (message->offset < end->second) {
      Event event;
      if (!event.ParseFromArray(message->payload, static_cast<int>(message->len))) {
        rd_kafka_assign(consumer.get(), nullptr);
        return absl::DataLossError(absl::StrCat(topic, " partition ", partition, " offset ",
                                                message->offset, " is not an Event"));
      }
      events.push_back(std::move(event));
      if (progress != nullptr && progress->read) progress->read();
    }
    if (message->offset + 1 >= end->second) end_of.erase(end);
  }
  rd_kafka_assign(consumer.get(), nullptr);
  return events;
}

}  // namespace lianxin
