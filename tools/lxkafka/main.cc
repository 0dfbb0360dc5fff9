// lxkafka: the Kafka side of a lianxin deployment, from the list of counties.
//
//   lxkafka create-topics --kafka_brokers=HOST:PORT --counties=654322,650102
//   lxkafka check-topics --kafka_brokers=HOST:PORT --counties=654322,650102
//   lxkafka topics --counties=… [--format=table|strimzi]
//   lxkafka acls --counties=… [--format=kafka-acls|strimzi] [--authentication=scram-sha-512|tls]
//
// create-topics uses librdkafka's Admin API with the same --kafka_config
// properties (and LIANXIN_KAFKA_PROP_* secrets) the services take; a topic that
// exists already is left as it is. check-topics compares the cluster's
// metadata with the plan (what the embedded broker can answer: librdkafka's
// mock cluster has no Admin API). See deploy/kafka/README.md.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "librdkafka/rdkafka.h"
#include "libs/bus/kafka_config.h"
#include "libs/runtime/config.h"
#include "tools/lxkafka/plan.h"

// The services' own Kafka flags (libs/runtime/config.cc), so the same flag file works.
ABSL_DECLARE_FLAG(std::string, kafka_brokers);
ABSL_DECLARE_FLAG(std::string, kafka_config);

ABSL_FLAG(std::string, counties, "",
          "Comma-separated 6-digit codes of the counties on the cluster.");
ABSL_FLAG(std::string, counties_file, "",
          "A file of counties, one per line, the code first (tab-separated; # comments), "
          "e.g. deploy/local/counties.tsv; instead of --counties.");
ABSL_FLAG(int, partitions, 12, "Partitions per topic.");
ABSL_FLAG(int, replication, 3, "Replication factor of every topic.");
ABSL_FLAG(int, min_insync, 2, "min.insync.replicas of every topic.");
ABSL_FLAG(std::string, format, "", "Output: topics: table|strimzi; acls: kafka-acls|strimzi.");
ABSL_FLAG(std::string, cluster, "lianxin",
          "Strimzi: the Kafka cluster's name (strimzi.io/cluster).");
ABSL_FLAG(std::string, authentication, "scram-sha-512", "Strimzi users: scram-sha-512 or tls.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30), "create-topics: how long to wait.");

namespace lianxin::lxkafka {
namespace {

absl::StatusOr<std::vector<std::string>> Counties() {
  std::vector<std::string> counties;
  if (!absl::GetFlag(FLAGS_counties_file).empty()) {
    std::ifstream in(absl::GetFlag(FLAGS_counties_file));
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("--counties_file: cannot read ", absl::GetFlag(FLAGS_counties_file)));
    }
    for (std::string line; std::getline(in, line);) {
      absl::string_view text = absl::StripAsciiWhitespace(line);
      if (text.empty() || text[0] == '#') continue;
      counties.emplace_back(absl::StripAsciiWhitespace(text.substr(0, text.find('\t'))));
    }
  } else {
    for (absl::string_view code :
         absl::StrSplit(absl::GetFlag(FLAGS_counties), ',', absl::SkipWhitespace())) {
      counties.emplace_back(absl::StripAsciiWhitespace(code));
    }
  }
  if (absl::Status status = CheckCounties(counties); !status.ok()) return status;
  return counties;
}

TopicPlanOptions PlanOptions() {
  return {.partitions = absl::GetFlag(FLAGS_partitions),
          .replication_factor = absl::GetFlag(FLAGS_replication),
          .min_insync_replicas = absl::GetFlag(FLAGS_min_insync)};
}

struct Deleters {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};

// A client handle on the cluster of --kafka_brokers, --kafka_config and the
// LIANXIN_KAFKA_PROP_* secrets.
absl::StatusOr<std::unique_ptr<rd_kafka_t, Deleters>> ConnectCluster() {
  KafkaConfig kafka;
  kafka.bootstrap_servers = absl::GetFlag(FLAGS_kafka_brokers);
  if (kafka.bootstrap_servers.empty()) {
    return absl::InvalidArgumentError(
        "--kafka_brokers: the cluster's bootstrap servers are needed");
  }
  auto properties = ParseKafkaConfig(absl::GetFlag(FLAGS_kafka_config));
  if (!properties.ok()) return properties.status();
  kafka.properties = *properties;
  kafka.ApplyEnvironment();

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& key, const std::string& value) -> absl::Status {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(absl::StrCat("--kafka_config: ", key, ": ", errstr));
    }
    return absl::OkStatus();
  };
  absl::Status status = set("bootstrap.servers", kafka.bootstrap_servers);
  for (const auto& [key, value] : kafka.properties) {
    if (status.ok()) status = set(key, value);
  }
  if (!status.ok()) {
    rd_kafka_conf_destroy(conf);
    return status;
  }
  std::unique_ptr<rd_kafka_t, Deleters> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("kafka: ", errstr));
  }
  return rk;
}

// Creates every planned topic that does not exist; prints one line per topic.
absl::Status CreateTopics(const std::vector<TopicSpec>& topics) {
  auto rk = ConnectCluster();
  if (!rk.ok()) return rk.status();
  char errstr[512];
  absl::Status status;
  std::vector<rd_kafka_NewTopic_t*> requests;
  for (const TopicSpec& topic : topics) {
    rd_kafka_NewTopic_t* request = rd_kafka_NewTopic_new(
        topic.name.c_str(), topic.partitions, topic.replication_factor, errstr, sizeof(errstr));
    if (request == nullptr) {
      status = absl::InvalidArgumentError(absl::StrCat(topic.name, ": ", errstr));
      break;
    }
    requests.push_back(request);
    for (const auto& [key, value] : topic.config) {
      rd_kafka_NewTopic_set_config(request, key.c_str(), value.c_str());
    }
  }
  if (status.ok()) {
    std::unique_ptr<rd_kafka_queue_t, Deleters> queue(rd_kafka_queue_new(rk->get()));
    std::unique_ptr<rd_kafka_AdminOptions_t, Deleters> options(
        rd_kafka_AdminOptions_new(rk->get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
    const int timeout_ms =
        static_cast<int>(absl::ToInt64Milliseconds(absl::GetFlag(FLAGS_timeout)));
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, errstr, sizeof(errstr));
    rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr, sizeof(errstr));
    rd_kafka_CreateTopics(rk->get(), requests.data(), requests.size(), options.get(), queue.get());
    std::unique_ptr<rd_kafka_event_t, Deleters> event(
        rd_kafka_queue_poll(queue.get(), timeout_ms + 5000));
    if (event == nullptr) {
      status = absl::DeadlineExceededError("create-topics: no answer from the cluster in time");
    } else if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      status = absl::UnavailableError(
          absl::StrCat("create-topics: ", rd_kafka_event_error_string(event.get())));
    } else {
      size_t count = 0;
      const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(
          rd_kafka_event_CreateTopics_result(event.get()), &count);
      int failed = 0;
      for (size_t i = 0; i < count; ++i) {
        const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
        const char* name = rd_kafka_topic_result_name(results[i]);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          std::printf("created  %s\n", name);
        } else if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
          std::printf("exists   %s\n", name);
        } else {
          ++failed;
          std::printf("FAILED   %s: %s\n", name, rd_kafka_err2str(err));
        }
      }
      if (failed > 0) {
        status = absl::FailedPreconditionError(
            absl::StrCat("create-topics: ", failed, " of ", count, " topics could not be created"));
      }
    }
  }
  rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
  return status;
}

// Compares the cluster's topics (a Metadata request) with the plan: prints
// each planned topic as "ok", "missing" or with its wrong partition count.
// FAILED_PRECONDITION if any is not as planned.
absl::Status CheckTopics(const std::vector<TopicSpec>& topics) {
  auto rk = ConnectCluster();
  if (!rk.ok()) return rk.status();
  const rd_kafka_metadata_t* metadata = nullptr;
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(absl::GetFlag(FLAGS_timeout)));
  if (rd_kafka_resp_err_t err = rd_kafka_metadata(rk->get(), 1, nullptr, &metadata, timeout_ms);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat("check-topics: ", rd_kafka_err2str(err)));
  }
  std::map<std::string, int> partitions;
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    if (metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      partitions[metadata->topics[i].topic] = metadata->topics[i].partition_cnt;
    }
  }
  rd_kafka_metadata_destroy(metadata);
  int wrong = 0;
  for (const TopicSpec& topic : topics) {
    const auto it = partitions.find(topic.name);
    if (it == partitions.end()) {
      ++wrong;
      std::printf("missing  %s\n", topic.name.c_str());
    } else if (it->second != topic.partitions) {
      ++wrong;
      std::printf("WRONG    %s: %d partitions, planned %d\n", topic.name.c_str(), it->second,
                  topic.partitions);
    } else {
      std::printf("ok       %s\n", topic.name.c_str());
    }
  }
  if (wrong > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("check-topics: ", wrong, " of ", topics.size(), " topics are not as planned"));
  }
  return absl::OkStatus();
}

void PrintTopicTable(const std::vector<TopicSpec>& topics) {
  for (const TopicSpec& topic : topics) {
    std::vector<std::string> config;
    for (const auto& [key, value] : topic.config) config.push_back(absl::StrCat(key, "=", value));
    std::printf("%-24s partitions=%d replicas=%d %s\n", topic.name.c_str(), topic.partitions,
                topic.replication_factor, absl::StrJoin(config, ",").c_str());
  }
}

absl::Status Run(const std::string& command) {
  auto counties = Counties();
  if (!counties.ok()) return counties.status();
  const std::string format = absl::GetFlag(FLAGS_format);
  if (command == "create-topics") return CreateTopics(TopicsFor(*counties, PlanOptions()));
  if (command == "check-topics") return CheckTopics(TopicsFor(*counties, PlanOptions()));
  if (command == "topics") {
    const auto topics = TopicsFor(*counties, PlanOptions());
    if (format.empty() || format == "table") {
      PrintTopicTable(topics);
    } else if (format == "strimzi") {
      std::cout << RenderStrimziTopics(topics, absl::GetFlag(FLAGS_cluster));
    } else {
      return absl::InvalidArgumentError("--format: topics are printed as table or strimzi");
    }
    return absl::OkStatus();
  }
  if (command == "acls") {
    if (format.empty() || format == "kafka-acls") {
      for (const std::string& county : *counties) {
        std::cout << "# " << CountyPrincipal(county) << "\n"
                  << RenderKafkaAclsCommands(AclsFor(county, *counties));
      }
      std::cout << "# auditors\n" << RenderKafkaAclsCommands(AuditorAcls());
      std::cout << "# the level above (the key directory)\n"
                << RenderKafkaAclsCommands(DirectoryAcls());
    } else if (format == "strimzi") {
      const std::string cluster = absl::GetFlag(FLAGS_cluster);
      const std::string authentication = absl::GetFlag(FLAGS_authentication);
      if (authentication != "scram-sha-512" && authentication != "tls") {
        return absl::InvalidArgumentError("--authentication: scram-sha-512 or tls");
      }
      for (const std::string& county : *counties) {
        std::cout << "---\n"
                  << RenderStrimziUser(absl::StrCat("lianxin-", county), AclsFor(county, *counties),
                                       cluster, authentication);
      }
      std::cout << "---\n"
                << RenderStrimziUser("lianxin-audit", AuditorAcls(), cluster, authentication);
      std::cout << "---\n"
                << RenderStrimziUser("lianxin-directory", DirectoryAcls(), cluster, authentication);
    } else {
      return absl::InvalidArgumentError("--format: acls are printed as kafka-acls or strimzi");
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown command \"", command, "\": create-topics, check-topics, topics or acls"));
}

}  // namespace
}  // namespace lianxin::lxkafka

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "the Kafka topics and ACLs of a lianxin deployment.\n"
      "  lxkafka create-topics --kafka_brokers=HOST:PORT --counties=654322,650102\n"
      "  lxkafka check-topics --kafka_brokers=HOST:PORT --counties=...\n"
      "  lxkafka topics --counties=... [--format=table|strimzi]\n"
      "  lxkafka acls --counties=... [--format=kafka-acls|strimzi]");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    std::cerr << "lxkafka: one command: create-topics, check-topics, topics or acls (--help)\n";
    return 2;
  }
  const absl::Status status = lianxin::lxkafka::Run(args[1]);
  if (!status.ok()) {
    std::cerr << "lxkafka: " << status.message() << "\n";
    return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  return 0;
}
