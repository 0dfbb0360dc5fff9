#include "tools/lxkafka/plan.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/eventstore/event_store.h"
#include "services/appraisal/reactions.h"
#include "services/contact/reactions.h"
#include "services/education/reactions.h"
#include "services/registry/domain/decider.h"
#include "services/registry/reactions.h"

namespace lianxin::lxkafka {
namespace {

const std::vector<std::string> kCounties = {"654322", "650102", "440305"};

// Whether `acls` allow `operation` on `topic` (literal or prefixed match).
bool Allows(const std::vector<AclSpec>& acls, const std::string& operation,
            const std::string& topic) {
  return std::any_of(acls.begin(), acls.end(), [&](const AclSpec& acl) {
    if (acl.resource_type != "topic" || acl.operation != operation) return false;
    return acl.pattern_type == "literal" ? acl.resource_name == topic
                                         : absl::StartsWith(topic, acl.resource_name);
  });
}

TEST(CheckCounties, RefusesWhatIsNotASixDigitCodeOrRepeated) {
  EXPECT_TRUE(CheckCounties(kCounties).ok());
  EXPECT_EQ(CheckCounties({}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckCounties({"65432"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckCounties({"65432x"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckCounties({"654322", "654322"}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(TopicsFor, EveryCountyHasItsServiceTopicsAndInboxKeptForever) {
  const auto topics = TopicsFor(kCounties, {});
  ASSERT_EQ(topics.size(), kCounties.size() * 5 + 3);
  for (const TopicSpec& topic : topics) {
    EXPECT_EQ(topic.partitions, 12) << topic.name;
    EXPECT_EQ(topic.replication_factor, 3) << topic.name;
    EXPECT_EQ(topic.config.at("min.insync.replicas"), "2") << topic.name;
    if (topic.name == kIdentityTopic || topic.name == kDirectoryTopic) {
      EXPECT_EQ(topic.config.at("cleanup.policy"), "compact") << topic.name;
    } else {
      // The replay source: nothing may expire.
      EXPECT_EQ(topic.config.at("cleanup.policy"), "delete") << topic.name;
      EXPECT_EQ(topic.config.at("retention.ms"), "-1") << topic.name;
      EXPECT_EQ(topic.config.at("retention.bytes"), "-1") << topic.name;
    }
  }
  std::set<std::string> names;
  for (const TopicSpec& topic : topics) names.insert(topic.name);
  EXPECT_TRUE(names.count("lx.654322.registry.v1"));
  EXPECT_TRUE(names.count("lx.440305.inbox.v1"));
  EXPECT_TRUE(names.count(registry::kIdentityTopic));  // the name the registry uses
}

TEST(AclsFor, ACountyReadsEveryTopicItsServicesConsume) {
  for (const std::string& county : kCounties) {
    const auto acls = AclsFor(county, kCounties);
    std::vector<std::string> consumed;
    for (const auto& topics :
         {registry::RegistryReactions::Topics(county), contact::ContactReactions::Topics(county),
          education::EducationReactions::Topics(county),
          appraisal::AppraisalReactions::Topics(county)}) {
      consumed.insert(consumed.end(), topics.begin(), topics.end());
    }
    for (const std::string& topic : consumed) {
      EXPECT_TRUE(Allows(acls, "Read", topic)) << county << " reads " << topic;
    }
  }
}

TEST(AclsFor, ACountyWritesItsOwnTopicsOthersInboxesAndTheSharedOnes) {
  const auto acls = AclsFor("654322", kCounties);
  for (const char* service : kCountyServices) {
    Source source;
    source.set_jurisdiction("654322");
    source.set_service(service);
    EXPECT_TRUE(Allows(acls, "Write", ServiceTopic(source))) << service;
  }
  EXPECT_TRUE(Allows(acls, "Write", InboxTopic("650102")));
  EXPECT_TRUE(Allows(acls, "Write", InboxTopic("440305")));
  EXPECT_TRUE(Allows(acls, "Write", kIdentityTopic));
  EXPECT_TRUE(Allows(acls, "Write", kAnchorsTopic));
}

TEST(AclsFor, ACountyNeitherWritesNorReadsAnotherCountysServiceTopics) {
  const auto acls = AclsFor("654322", kCounties);
  for (const char* service : kCountyServices) {
    const std::string other = absl::StrCat("lx.650102.", service, ".v1");
    EXPECT_FALSE(Allows(acls, "Write", other)) << other;
    EXPECT_FALSE(Allows(acls, "Read", other)) << other;
  }
  EXPECT_FALSE(Allows(acls, "Read", InboxTopic("650102")));
  EXPECT_FALSE(Allows(acls, "Write", kDirectoryTopic));  // only the level above
  // Its consumer groups only.
  EXPECT_TRUE(std::any_of(acls.begin(), acls.end(), [](const AclSpec& acl) {
    return acl.resource_type == "group" && acl.pattern_type == "prefixed" &&
           acl.resource_name == "654322.";
  }));
}

TEST(RenderKafkaAclsCommands, OneCommandPerOperation) {
  const std::string text = RenderKafkaAclsCommands(
      {{"User:lianxin-654322", "topic", "literal", "lx.654322.registry.v1", "Write"},
       {"User:lianxin-654322", "cluster", "literal", "kafka-cluster", "IdempotentWrite"}});
  EXPECT_EQ(text,
            "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" "
            "--add --allow-principal 'User:lianxin-654322' --operation Write --topic "
            "'lx.654322.registry.v1' --resource-pattern-type literal\n"
            "kafka-acls.sh --bootstrap-server \"$BOOTSTRAP\" --command-config \"$ADMIN_CONFIG\" "
            "--add --allow-principal 'User:lianxin-654322' --operation IdempotentWrite --cluster "
            "--resource-pattern-type literal\n");
}

}  // namespace
}  // namespace lianxin::lxkafka
