// The Kafka cluster a set of counties needs: its topics (partitions,
// replication, retention, compaction) and each county principal's ACLs, as
// data. `lxkafka` creates the topics through the Admin API and prints the
// ACLs as Kafka's own `kafka-acls.sh` commands or as Strimzi resources.
//
//   std::vector<TopicSpec> topics = TopicsFor({"654322", "650102"}, {});
//   std::vector<AclSpec> acls = AclsFor("654322", {"654322", "650102"});
//
// The boundary the ACLs draw is DESIGN.md's: a county writes its own service
// topics, the shared identity and anchors topics and other counties' inboxes;
// it reads its own topics (its services consume each other's and its inbox)
// and the shared ones, through consumer groups named "<county>.<service>".
#ifndef LIANXIN_TOOLS_LXKAFKA_PLAN_H_
#define LIANXIN_TOOLS_LXKAFKA_PLAN_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lianxin::lxkafka {

// The services of a county, each with its topic lx.<county>.<service>.v1.
inline constexpr const char* kCountyServices[] = {"registry", "contact", "education", "appraisal"};
// Shared topics: identity claims (compacted, keyed by ID-number hash), the
// counties' signed anchors, and the county key directory (compacted).
inline constexpr char kIdentityTopic[] = "lx.identity.v1";
inline constexpr char kAnchorsTopic[] = "lx.anchors.v1";
inline constexpr char kDirectoryTopic[] = "lx.directory.v1";

struct TopicPlanOptions {
  int partitions = 12;
  int replication_factor = 3;
  int min_insync_replicas = 2;
};

struct TopicSpec {
  std::string name;
  int partitions = 0;
  int replication_factor = 0;
  // Topic-level configs (cleanup.policy, retention.ms, min.insync.replicas…).
  std::map<std::string, std::string> config;
  // What the topic is for, one line.
  std::string purpose;
};

// One allowed operation of a principal on a resource.
struct AclSpec {
  std::string principal;      // "User:lianxin-654322"
  std::string resource_type;  // "topic", "group" or "cluster"
  std::string pattern_type;   // "literal" or "prefixed"
  std::string resource_name;  // topic or group name or prefix; "kafka-cluster"
  std::string operation;      // Kafka's name: "Read", "Write", "Describe", "IdempotentWrite"
  bool operator==(const AclSpec&) const = default;
};

// INVALID_ARGUMENT naming the code unless every code is 6 ASCII digits and
// none repeats.
absl::Status CheckCounties(const std::vector<std::string>& counties);

// The topics of `counties` and the shared ones, in a stable order.
std::vector<TopicSpec> TopicsFor(const std::vector<std::string>& counties,
                                 const TopicPlanOptions& options);

// The Kafka principal of a county's services: "User:lianxin-<county>" (the
// SASL user name, or the client certificate's CN with an ssl.principal.mapping_rules
// that keeps the CN).
std::string CountyPrincipal(absl::string_view county);

// The ACLs of `county`'s principal on a cluster shared by `counties`.
std::vector<AclSpec> AclsFor(const std::string& county, const std::vector<std::string>& counties);
// The auditors' principal ("User:lianxin-audit"): reads every topic.
std::vector<AclSpec> AuditorAcls();
// The level above's principal ("User:lianxin-directory"): writes the directory.
std::vector<AclSpec> DirectoryAcls();

// Renderings. Commands are for `kafka-acls.sh --bootstrap-server "$BOOTSTRAP"
// --command-config "$ADMIN_CONFIG"`; YAML is Strimzi's kafka.strimzi.io/v1beta2.
std::string RenderKafkaAclsCommands(const std::vector<AclSpec>& acls);
std::string RenderStrimziUser(absl::string_view user, const std::vector<AclSpec>& acls,
                              absl::string_view cluster, absl::string_view authentication);
std::string RenderStrimziTopics(const std::vector<TopicSpec>& topics, absl::string_view cluster);

}  // namespace lianxin::lxkafka

#endif  // LIANXIN_TOOLS_LXKAFKA_PLAN_H_
