#include "tools/chaos/forge.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/eventstore/event_store.h"
#include "libs/trust/event_signing.h"

namespace lianxin::chaos {
namespace {

using ::lianxin::v1::Event;

constexpr char kIdentityTopic[] = "lx.identity.v1";

// "lx.<county>.<kind>.v1" -> {county, kind}; {"", ""} for the identity topic
// or anything else.
std::pair<std::string, std::string> TopicParts(const std::string& topic) {
  const std::vector<std::string> parts = absl::StrSplit(topic, '.');
  if (parts.size() != 4 || parts[0] != "lx" || parts[3] != "v1") return {"", ""};
  return {parts[1], parts[2]};
}

// Registry payloads only a member's home (or a transfer's receiver) sends: a
// county with no part in the member is refused by the role rules (a report
// only a destination sends is acknowledged without effect instead).
bool HomeOrReceiverPayload(const Event& event) {
  return event.has_member_registered() || event.has_outflow_registered() ||
         event.has_certificate_issued() || event.has_transfer_requested() ||
         event.has_return_recorded() || event.has_lost_contact_flagged() ||
         event.has_contact_restored() || event.has_transfer_withdrawn() ||
         event.has_transfer_accepted() || event.has_transfer_rejected();
}

class Forger {
 public:
  Forger(const RogueKeys& keys, absl::Time now) : keys_(keys), now_(now) {}

  // Stamps `event` as forgery n, signs it with `key` (unsigned if null) and
  // adds it for `topic` (partition and key of the genuine message `like`).
  void Add(const KafkaMessage& like, const std::string& topic, Event event,
           const trust::PrivateKey* key, const std::string& what, const std::string& expected) {
    const std::string id = absl::StrCat("forged-", forged_.size() + 1);
    event.set_event_id(id);
    event.clear_signature();
    event.clear_signing_key_id();
    event.mutable_recorded_at()->set_seconds(absl::ToUnixSeconds(now_));
    event.mutable_recorded_at()->set_nanos(0);
    const uint64_t route_version = event.route_version();
    event.clear_route_version();
    if (key != nullptr) trust::CountySigner(*key).Sign(event).IgnoreError();
    event.set_hash(ComputeEventHash(event));
    event.set_route_version(route_version);
    ForgedMessage forged;
    forged.message = {.topic = topic,
                      .partition = topic == like.topic ? like.partition : -1,
                      .key = like.key,
                      .value = event.SerializeAsString()};
    forged.event_id = id;
    forged.what = absl::StrCat(what, ": ", event.type(), " on ", topic);
    forged.expected = expected;
    forged_.push_back(std::move(forged));
  }

  const RogueKeys& keys() const { return keys_; }
  std::vector<ForgedMessage> Take() { return std::move(forged_); }

 private:
  const RogueKeys& keys_;
  const absl::Time now_;
  std::vector<ForgedMessage> forged_;
};

// An inbox copy of `event` as `source` would route it to `receiver` only,
// under `route_version`.
Event RoutedAs(Event event, const std::string& source, const std::string& receiver,
               uint64_t route_version) {
  event.mutable_source()->set_jurisdiction(source);
  event.clear_routed_to();
  event.clear_routed_versions();
  event.add_routed_to(receiver);
  event.add_routed_versions(route_version);
  event.set_route_version(route_version);
  return event;
}

void ForgeOnServiceTopic(Forger& f, const KafkaMessage& g, Event e, const std::string& county) {
  const RogueKeys& k = f.keys();
  Event bumped = e;
  bumped.set_version(e.version() + 1000);
  bumped.set_sequence(e.sequence() + 1000);
  f.Add(g, g.topic, bumped, nullptr, "no key, far-future replay", "bad_signature");
  bumped.set_version(e.version() + 1);
  f.Add(g, g.topic, bumped, &k.own, "the rogue's own key, replay with a bumped version",
        "unknown_key");
  if (county == k.county) {
    f.Add(g, g.topic, bumped, &k.revoked, "C's revoked key, replay with a bumped version",
          "revoked_key");
    return;
  }
  f.Add(g, g.topic, bumped, &k.valid, "C's key speaking for another county", "unknown_key");
  Event as_c = bumped;
  as_c.mutable_source()->set_jurisdiction(k.county);
  f.Add(g, g.topic, as_c, &k.valid, "C's key on another county's service topic", "wrong_topic");
}

void ForgeOnInbox(Forger& f, const KafkaMessage& g, Event e, const std::string& receiver,
                  const std::vector<std::string>& counties, bool c_has_part,
                  std::set<std::string>& role_streams) {
  const RogueKeys& k = f.keys();
  const uint64_t next = e.route_version() + 1;
  Event replay = e;
  replay.set_route_version(next);
  f.Add(g, g.topic, RoutedAs(replay, e.source().jurisdiction(), receiver, next), nullptr,
        "no key, replay with a bumped route_version", "bad_signature");
  if (receiver == k.county) return;
  f.Add(g, g.topic, RoutedAs(e, k.county, receiver, next), &k.revoked, "C's revoked key",
        "revoked_key");
  // Routed by C to another county, posted on this one's inbox.
  for (const std::string& other : counties) {
    if (other == receiver || other == k.county) continue;
    f.Add(g, g.topic, RoutedAs(e, k.county, other, 1), &k.valid, "C's key, routed elsewhere",
          "wrong_topic");
    break;
  }
  // C, with its valid key, in a registry payload only the home or the
  // receiver sends, about a member it has no part in: the first of C's stream
  // for that member at the receiver (route_version 1). The member is one the
  // receiver does not share with C under an id C never routes (the role
  // refusal spends C's number 1 for it, as for any refusal of a signed event,
  // so a real member C might take part in later would lose C's genuine
  // first event; docs/architecture.md). Other services' payloads from a county
  // with no part in a member are acknowledged without effect: not forged here.
  if (c_has_part || e.source().jurisdiction() == k.county || e.source().service() != "registry" ||
      !HomeOrReceiverPayload(e) ||
      !role_streams.insert(absl::StrCat(receiver, "/", e.type())).second) {
    return;
  }
  Event about = e;
  about.set_aggregate_id(absl::StrCat(e.aggregate_id(), "-", e.type(), "-of-", receiver));
  if (about.has_outflow_registered()) {
    about.mutable_outflow_registered()->set_destination_jurisdiction(k.county);
  }
  if (about.has_transfer_requested()) {
    about.mutable_transfer_requested()->set_to_jurisdiction(k.county);
  }
  KafkaMessage like = g;
  like.key = about.aggregate_id();
  like.partition = -1;
  f.Add(like, g.topic, RoutedAs(about, k.county, receiver, 1), &k.valid,
        "C's key, about a member C has no part in", "role");
}

void ForgeOnIdentity(Forger& f, const KafkaMessage& g, const Event& e) {
  const RogueKeys& k = f.keys();
  Event bumped = e;
  bumped.set_version(e.version() + 1);
  f.Add(g, g.topic, bumped, nullptr, "no key, claim replayed with a bumped version",
        "bad_signature");
  Event as_c = bumped;
  as_c.mutable_source()->set_jurisdiction(k.county);
  f.Add(g, g.topic, as_c, &k.revoked, "C's revoked key, claim", "revoked_key");
  if (e.source().jurisdiction() != k.county) {
    f.Add(g, g.topic, as_c, &k.valid, "C's key, claiming another county's member", "role");
  }
}

}  // namespace

std::vector<ForgedMessage> Forge(const std::vector<KafkaMessage>& genuine,
                                 const std::vector<std::string>& counties, const RogueKeys& keys,
                                 absl::Time now, int flood) {
  // The members C has a part in: whatever is on C's own topics.
  std::set<std::string> c_members;
  std::vector<std::pair<const KafkaMessage*, Event>> decoded;
  for (const KafkaMessage& g : genuine) {
    Event e;
    if (!e.ParseFromString(g.value) || e.aggregate_id().empty()) continue;
    if (TopicParts(g.topic).first == keys.county) c_members.insert(e.aggregate_id());
    decoded.emplace_back(&g, std::move(e));
  }
  Forger f(keys, now);
  std::set<std::pair<std::string, std::string>> kinds_done;  // (topic, type)
  std::set<std::string> role_streams;
  const KafkaMessage* any_c_event = nullptr;
  for (const auto& [g, e] : decoded) {
    if (!e.signing_key_id().empty() && e.source().jurisdiction() == keys.county) any_c_event = g;
    // Every kind once per topic is enough to cover them without a storm.
    if (!kinds_done.insert({g->topic, e.type()}).second) continue;
    const auto [county, kind] = TopicParts(g->topic);
    if (g->topic == kIdentityTopic) {
      ForgeOnIdentity(f, *g, e);
    } else if (kind == "inbox") {
      ForgeOnInbox(f, *g, e, county, counties, c_members.contains(e.aggregate_id()), role_streams);
    } else if (!county.empty()) {
      ForgeOnServiceTopic(f, *g, e, county);
    }
  }
  // A flood of far-future route_versions under C's valid key into every other
  // inbox, over a few members of its own making.
  if (any_c_event != nullptr) {
    Event base;
    base.ParseFromString(any_c_event->value);
    for (const std::string& receiver : counties) {
      if (receiver == keys.county) continue;
      const std::string inbox = absl::StrCat("lx.", receiver, ".inbox.v1");
      // A payload the edge would refuse (a day that does not exist).
      Event invalid = base;
      invalid.set_aggregate_id(absl::StrCat("forged-invalid-", receiver));
      invalid.set_type("ReturnRecorded");
      invalid.mutable_return_recorded()->set_returned_on("2026-02-30");
      KafkaMessage invalid_like{.topic = "", .key = invalid.aggregate_id()};
      f.Add(invalid_like, inbox, RoutedAs(invalid, keys.county, receiver, 1), &keys.valid,
            "C's key, a payload the edge refuses", "invalid_payload");
      for (int i = 0; i < flood; ++i) {
        Event e = base;
        e.set_aggregate_id(absl::StrCat("forged-flood-", receiver, "-", i % 5));
        const uint64_t far = 1'000'000 + static_cast<uint64_t>(i);
        e.set_version(far);
        KafkaMessage like{.topic = "", .key = e.aggregate_id()};
        f.Add(like, inbox, RoutedAs(e, keys.county, receiver, far), &keys.valid,
              "C's key, a flood of far-future route_versions", "parked");
      }
    }
  }
  return f.Take();
}

}  // namespace lianxin::chaos
