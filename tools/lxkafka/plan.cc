#include "tools/lxkafka/plan.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace lianxin::lxkafka {
namespace {

// The service topics are the replay source for lxaudit and for a restored
// service: never expire them. Inboxes likewise (a county down for weeks still
// finds what was addressed to it, and auditors read them).
std::map<std::string, std::string> KeptForever(int min_insync) {
  return {{"cleanup.policy", "delete"},
          {"retention.ms", "-1"},
          {"retention.bytes", "-1"},
          {"min.insync.replicas", absl::StrCat(min_insync)}};
}

std::map<std::string, std::string> Compacted(int min_insync) {
  return {{"cleanup.policy", "compact"}, {"min.insync.replicas", absl::StrCat(min_insync)}};
}

std::string ServiceTopic(absl::string_view county, absl::string_view service) {
  return absl::StrCat("lx.", county, ".", service, ".v1");
}

std::string InboxTopic(absl::string_view county) {
  return absl::StrCat("lx.", county, ".inbox.v1");
}

void Allow(std::vector<AclSpec>& acls, const std::string& principal, const std::string& type,
           const std::string& pattern, const std::string& name,
           std::initializer_list<const char*> operations) {
  for (const char* operation : operations) {
    acls.push_back({principal, type, pattern, name, operation});
  }
}

std::string Yaml(absl::string_view text) {
  // Topic and group names are [a-z0-9.-]: quoting keeps YAML from reading
  // "654322." as a number.
  return absl::StrCat("\"", text, "\"");
}

}  // namespace

absl::Status CheckCounties(const std::vector<std::string>& counties) {
  if (counties.empty())
    return absl::InvalidArgumentError("counties: at least one county is needed");
  std::set<std::string> seen;
  for (const std::string& code : counties) {
    bool digits = code.size() == 6;
    for (char c : code) digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
    if (!digits) {
      return absl::InvalidArgumentError(
          absl::StrCat("counties: \"", code, "\" is not a 6-digit county code (GB/T 2260)"));
    }
    if (!seen.insert(code).second) {
      return absl::InvalidArgumentError(absl::StrCat("counties: ", code, " is listed twice"));
    }
  }
  return absl::OkStatus();
}

std::vector<TopicSpec> TopicsFor(const std::vector<std::string>& counties,
                                 const TopicPlanOptions& options) {
  std::vector<TopicSpec> topics;
  auto add = [&](std::string name, std::map<std::string, std::string> config, std::string purpose) {
    topics.push_back({std::move(name), options.partitions, options.replication_factor,
                      std::move(config), std::move(purpose)});
  };
  for (const std::string& county : counties) {
    for (const char* service : kCountyServices) {
      add(ServiceTopic(county, service), KeptForever(options.min_insync_replicas),
          absl::StrCat("every event of ", county, "'s ", service, " service (the replay source)"));
    }
    add(InboxTopic(county), KeptForever(options.min_insync_replicas),
        absl::StrCat("events other counties address to ", county));
  }
  add(kIdentityTopic, Compacted(options.min_insync_replicas),
      "identity claims by ID-number hash (R18); the topic's order decides races");
  add(kAnchorsTopic, KeptForever(options.min_insync_replicas),
      "the counties' signed anchors (head hash and sequence of each log)");
  add(kDirectoryTopic, Compacted(options.min_insync_replicas),
      "the county key directory, signed by the level above");
  return topics;
}

std::string CountyPrincipal(absl::string_view county) {
  return absl::StrCat("User:lianxin-", county);
}

std::vector<AclSpec> AclsFor(const std::string& county, const std::vector<std::string>& counties) {
  const std::string principal = CountyPrincipal(county);
  std::vector<AclSpec> acls;
  // Its relays write its own service topics and the inboxes of the counties
  // that share its members; never another county's service topics.
  for (const char* service : kCountyServices) {
    Allow(acls, principal, "topic", "literal", ServiceTopic(county, service),
          {"Write", "Describe"});
  }
  for (const std::string& other : counties) {
    if (other == county) continue;
    Allow(acls, principal, "topic", "literal", InboxTopic(other), {"Write", "Describe"});
  }
  Allow(acls, principal, "topic", "literal", kIdentityTopic, {"Write", "Read", "Describe"});
  Allow(acls, principal, "topic", "literal", kAnchorsTopic, {"Write", "Read", "Describe"});
  Allow(acls, principal, "topic", "literal", kDirectoryTopic, {"Read", "Describe"});
  // Its services consume each other's topics and its inbox: lx.<county>.*.
  Allow(acls, principal, "topic", "prefixed", absl::StrCat("lx.", county, "."),
        {"Read", "Describe"});
  // Consumer groups "<county>.<service>".
  Allow(acls, principal, "group", "prefixed", absl::StrCat(county, "."), {"Read"});
  // The relays' idempotent producers (needed by brokers before Kafka 3.0).
  Allow(acls, principal, "cluster", "literal", "kafka-cluster", {"IdempotentWrite"});
  return acls;
}

std::vector<AclSpec> AuditorAcls() {
  std::vector<AclSpec> acls;
  Allow(acls, "User:lianxin-audit", "topic", "prefixed", "lx.", {"Read", "Describe"});
  Allow(acls, "User:lianxin-audit", "group", "prefixed", "audit.", {"Read"});
  return acls;
}

std::vector<AclSpec> DirectoryAcls() {
  std::vector<AclSpec> acls;
  Allow(acls, "User:lianxin-directory", "topic", "literal", kDirectoryTopic,
        {"Write", "Read", "Describe"});
  Allow(acls, "User:lianxin-directory", "cluster", "literal", "kafka-cluster", {"IdempotentWrite"});
  return acls;
}

std::string RenderKafkaAclsCommands(const std::vector<AclSpec>& acls) {
  std::string out;
  for (const AclSpec& acl : acls) {
    std::string resource;
    if (acl.resource_type == "topic") {
      resource = absl::StrCat("--topic '", acl.resource_name, "'");
    } else if (acl.resource_type == "group") {
      resource = absl::StrCat("--group '", acl.resource_name, "'");
    } else {
      resource = "--cluster";
    }
    absl::StrAppend(&out,
                    "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config "
                    "\"$ADMIN_CONFIG\" --add --allow-principal '",
                    acl.principal, "' --operation ", acl.operation, " ", resource,
                    " --resource-pattern-type ", acl.pattern_type, "\n");
  }
  return out;
}

std::string RenderStrimziUser(absl::string_view user, const std::vector<AclSpec>& acls,
                              absl::string_view cluster, absl::string_view authentication) {
  std::string out = absl::StrCat(
      "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaUser\nmetadata:\n  name: ", user,
      "\n  labels:\n    strimzi.io/cluster: ", cluster,
      "\nspec:\n  authentication:\n    type: ", authentication,
      "\n  authorization:\n    type: simple\n    acls:\n");
  for (const AclSpec& acl : acls) {
    absl::StrAppend(&out, "      - resource:\n          type: ", acl.resource_type, "\n");
    if (acl.resource_type != "cluster") {
      absl::StrAppend(&out, "          name: ", Yaml(acl.resource_name),
                      "\n          patternType: ", acl.pattern_type, "\n");
    }
    absl::StrAppend(&out, "        operations: [", acl.operation, "]\n");
  }
  return out;
}

std::string RenderStrimziTopics(const std::vector<TopicSpec>& topics, absl::string_view cluster) {
  std::string out;
  for (const TopicSpec& topic : topics) {
    // Kubernetes names allow [a-z0-9.-]: the topic names already are.
    absl::StrAppend(&out, "---\n# ", topic.purpose,
                    "\napiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: ",
                    topic.name, "\n  labels:\n    strimzi.io/cluster: ", cluster,
                    "\nspec:\n  topicName: ", topic.name, "\n  partitions: ", topic.partitions,
                    "\n  replicas: ", topic.replication_factor, "\n  config:\n");
    for (const auto& [key, value] : topic.config) {
      absl::StrAppend(&out, "    ", key, ": ", Yaml(value), "\n");
    }
  }
  return out;
}

}  // namespace lianxin::lxkafka
