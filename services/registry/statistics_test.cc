// The registry's statistics counters against a full count: two counties run a
// seeded random history (registrations, outflows to counties on and off
// lianxin, arrivals, certificates, transfers, returns, lost contact, ended
// memberships) through the deciders, RegistryProjection::Stage and the inbox
// reactions; at every step GetStatistics from the counters must equal a count
// over every member, and the counters must be what the Projector's Counts sum
// to (what lxaudit replay compares).
#include <map>
#include <random>

#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/time_util.h"
#include "libs/memberfacts/member_facts.h"
#include "libs/testing/testing.h"
#include "services/registry/domain/decider.h"
#include "services/registry/projection.h"
#include "services/registry/projector.h"
#include "services/registry/reactions.h"

namespace lianxin::registry {
namespace {

namespace v1 = ::lianxin::v1;

constexpr char kFuyun[] = "654322";
constexpr char kTianshan[] = "650102";

absl::TimeZone Tz() { return absl::FixedTimeZone(8 * 60 * 60); }

struct County {
  County(const std::string& code, const std::string& dir, Clock* clock, const Settings& settings)
      : code(code) {
    EventStoreOptions options;
    options.path = dir;
    options.source.set_jurisdiction(code);
    options.source.set_service("registry");
    options.clock = clock;
    options.sync = false;
    store = *EventStore::Open(options);
    projection = std::make_unique<RegistryProjection>(store.get(), code, settings);
    reactions = std::make_unique<RegistryReactions>(projection.get(), clock);
  }
  std::string code;
  std::unique_ptr<EventStore> store;
  std::unique_ptr<RegistryProjection> projection;
  std::unique_ptr<RegistryReactions> reactions;
};

// The statistics counted member by member (what GetStatistics did before it
// kept counters): the oracle the counters must agree with.
v1::GetStatisticsReply FullCount(const RegistryProjection& projection, absl::CivilDay today) {
  v1::GetStatisticsReply reply;
  const std::string& self = projection.jurisdiction();
  std::map<std::string, uint64_t> by_category, by_destination;
  EXPECT_TRUE(projection
                  .ScanByStatus(
                      StatusesOf(v1::DIRECTION_ALL), "",
                      [&](const std::string&, const LoadedMember& m) {
                        const v1::MemberFacts& f = m.facts;
                        switch (StatusAsSeenBy(f, self)) {
                          case v1::MEMBER_STATUS_RESIDENT:
                            reply.set_resident_count(reply.resident_count() + 1);
                            if (!f.returned_on().empty()) {
                              reply.set_returned_count(reply.returned_count() + 1);
                            }
                            break;
                          case v1::MEMBER_STATUS_OUTFLOW_PENDING:
                          case v1::MEMBER_STATUS_OUTFLOW_RECEIVED:
                          case v1::MEMBER_STATUS_TRANSFER_PENDING: {
                            std::optional<std::string> counted = OutflowDestinationCounted(f, self);
                            if (!counted.has_value()) {
                              reply.set_resident_count(reply.resident_count() + 1);
                              break;
                            }
                            reply.set_outflow_count(reply.outflow_count() + 1);
                            ++by_category[v1::MemberCategory_Name(f.registration().category())];
                            ++by_destination[*counted];
                            if (SameProvince(self, *counted)) {
                              reply.set_within_province_count(reply.within_province_count() + 1);
                            } else {
                              reply.set_cross_province_count(reply.cross_province_count() + 1);
                            }
                            std::optional<absl::CivilDay> valid_until =
                                ParseDate(f.certificate().valid_until());
                            if (valid_until.has_value() && *valid_until >= today) {
                              reply.set_certificate_holders(reply.certificate_holders() + 1);
                            }
                            if (f.lost_contact()) {
                              reply.set_lost_contact_count(reply.lost_contact_count() + 1);
                            }
                            break;
                          }
                          case v1::MEMBER_STATUS_TRANSFERRED_OUT:
                            reply.set_transferred_out_count(reply.transferred_out_count() + 1);
                            break;
                          case v1::MEMBER_STATUS_INFLOW_EXPECTED:
                            reply.set_expected_inflow_count(reply.expected_inflow_count() + 1);
                            break;
                          case v1::MEMBER_STATUS_INFLOW_ACTIVE:
                            reply.set_inflow_count(reply.inflow_count() + 1);
                            if (f.lost_contact()) {
                              reply.set_lost_contact_count(reply.lost_contact_count() + 1);
                            }
                            break;
                          case v1::MEMBER_STATUS_TRANSFERRED_IN:
                            reply.set_transferred_in_count(reply.transferred_in_count() + 1);
                            break;
                          default:
                            break;
                        }
                        if (f.transfer_pending()) {
                          reply.set_pending_transfer_count(reply.pending_transfer_count() + 1);
                        }
                        return true;
                      })
                  .ok());
  for (const auto& [key, count] : by_category) {
    auto* c = reply.add_by_category();
    c->set_key(key);
    c->set_count(count);
  }
  for (const auto& [key, count] : by_destination) {
    auto* c = reply.add_by_destination();
    c->set_key(key);
    c->set_count(count);
  }
  return reply;
}

class StatisticsTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  StatisticsTest()
      : clock_(absl::FromCivil(absl::CivilSecond(2026, 1, 5, 9, 0, 0), Tz())),
        settings_(MakeSettings()),
        fuyun_(kFuyun, dir_.Sub("fuyun"), &clock_, settings_),
        tianshan_(kTianshan, dir_.Sub("tianshan"), &clock_, settings_),
        random_(GetParam()) {}

  static Settings MakeSettings() {
    Settings s;
    s.on_system = {kFuyun, kTianshan};
    return s;
  }

  absl::CivilDay Today() const { return absl::ToCivilDay(clock_.Now(), Tz()); }

  Context Ctx(const County& county) {
    return Context{.jurisdiction = county.code,
                   .now = clock_.Now(),
                   .today = Today(),
                   .actor = "op-" + county.code,
                   .request_id = absl::StrCat("rq-", ++requests_)};
  }

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(random_); }

  County& Other(const County& county) { return &county == &fuyun_ ? tianshan_ : fuyun_; }

  // Commits what `here` decided for `member` (a refused decision commits
  // nothing), then delivers what is routed to the other county.
  void Commit(County& here, const std::string& member, absl::StatusOr<Events> events) {
    if (!events.ok()) return;  // a rule refused this random step
    absl::StatusOr<std::optional<LoadedMember>> loaded = here.projection->Load(member);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    v1::MemberFacts before = loaded->has_value() ? (*loaded)->facts : v1::MemberFacts();
    const uint64_t version = loaded->has_value() ? (*loaded)->version : 0;
    v1::MemberFacts after = before;
    for (const Event& e : *events) {
      Event stamped = e;
      stamped.set_aggregate_id(member);
      after = Evolve(std::move(after), stamped);
    }
    Transaction txn;
    here.projection->Stage(txn, member, version, before, *std::move(events), after);
    absl::StatusOr<CommitResult> result = here.store->Commit(std::move(txn));
    ASSERT_TRUE(result.ok()) << result.status();
    County& there = Other(here);
    for (const Event& e : result->events) {
      if (std::find(e.routed_to().begin(), e.routed_to().end(), there.code) ==
          e.routed_to().end()) {
        continue;
      }
      Transaction inbox;
      ASSERT_TRUE(there.reactions->Apply(e, InboxTopic(there.code), inbox).ok());
      ASSERT_TRUE(there.store->Commit(std::move(inbox)).ok());
    }
  }

  std::optional<v1::MemberFacts> Facts(County& county, const std::string& member) {
    absl::StatusOr<std::optional<LoadedMember>> loaded = county.projection->Load(member);
    if (!loaded.ok() || !loaded->has_value()) return std::nullopt;
    return (*loaded)->facts;
  }

  // One random step in `county` for one of the members known so far.
  void Step(County& county) {
    const std::string day = FormatDate(Today());
    if (members_.empty() || Pick(6) == 0) {
      v1::RegisterMemberRequest r;
      r.set_jurisdiction(county.code);
      r.set_branch("第一党支部");
      r.set_name("张三");
      r.set_birth_date("1980-01-01");
      r.set_joined_on("2005-07-01");
      r.set_category(static_cast<v1::MemberCategory>(1 + Pick(4)));
      const std::string hash = absl::StrFormat("hash%012d", static_cast<int>(members_.size()));
      const std::string member = county.code + "-" + hash;
      members_.push_back(member);
      Commit(county, member,
             DecideRegisterMember(r, hash, county.code + "********001X", Ctx(county), settings_));
      return;
    }
    const std::string member = members_[Pick(static_cast<int>(members_.size()))];
    std::optional<v1::MemberFacts> facts = Facts(county, member);
    if (!facts.has_value()) return;
    switch (Pick(10)) {
      case 0:
      case 1: {
        static constexpr const char* kDestinations[] = {kFuyun, kTianshan, "654321", "110101"};
        v1::RegisterOutflowRequest o;
        o.set_member_id(member);
        o.set_destination_jurisdiction(kDestinations[Pick(4)]);
        o.set_destination_address("新华路8号");
        o.set_occupation("建筑工人");
        o.set_left_on(FormatDate(Today() - Pick(30)));
        o.set_expected_return_on(FormatDate(Today() + 100 + Pick(300)));
        Commit(county, member, DecideRegisterOutflow(*facts, o, Ctx(county), settings_));
        break;
      }
      case 2: {
        v1::IssueCertificateRequest c;
        c.set_member_id(member);
        c.set_certificate_no(absl::StrCat("C-", Pick(1000)));
        c.set_valid_until(FormatDate(Today() + 5 + Pick(400)));
        Commit(county, member, DecideIssueCertificate(*facts, c, Ctx(county), settings_));
        break;
      }
      case 3: {
        v1::RecordArrivalRequest a;
        a.set_member_id(member);
        a.set_jurisdiction(county.code);
        a.set_branch("流动党员党支部");
        a.set_arrived_on(day);
        Commit(county, member, DecideRecordArrival(*facts, a, Ctx(county), settings_));
        break;
      }
      case 4: {
        v1::RequestTransferRequest t;
        t.set_member_id(member);
        t.set_to_jurisdiction(Pick(2) == 0 ? Other(county).code : "110101");
        t.set_letter_no(absl::StrCat("L-", Pick(1000)));
        Commit(county, member, DecideRequestTransfer(*facts, t, Ctx(county), settings_));
        break;
      }
      case 5: {
        v1::AcceptTransferRequest a;
        a.set_member_id(member);
        a.set_branch("第二党支部");
        Commit(county, member, DecideAcceptTransfer(*facts, a, Ctx(county), settings_));
        break;
      }
      case 6: {
        v1::RecordReturnRequest r;
        r.set_member_id(member);
        r.set_returned_on(day);
        Commit(county, member, DecideRecordReturn(*facts, r, Ctx(county), settings_));
        break;
      }
      case 7: {
        // What the registry records when contact reports lost or restored contact.
        Event e;
        if (facts->lost_contact()) {
          e.set_type("ContactRestored");
          e.mutable_contact_restored()->set_contact_on(day);
        } else {
          e.set_type("LostContactFlagged");
          e.mutable_lost_contact_flagged()->set_last_contact_on(FormatDate(Today() - 200));
          e.mutable_lost_contact_flagged()->set_flagged_on(day);
        }
        Commit(county, member, Events{e});
        break;
      }
      case 8: {
        v1::WithdrawTransferRequest w;
        w.set_member_id(member);
        w.set_reason("撤回");
        Commit(county, member, DecideWithdrawTransfer(*facts, w, Ctx(county), settings_));
        break;
      }
      default: {
        v1::RecordMembershipEndRequest m;
        m.set_member_id(member);
        m.set_change(v1::MEMBERSHIP_CHANGE_REMOVED);
        m.set_grounds("除名");
        m.set_decided_on(day);
        m.set_approved_by("县委组织部");
        Commit(county, member, DecideRecordMembershipEnd(*facts, m, Ctx(county), settings_));
        break;
      }
    }
  }

  void ExpectCountersMatch(County& county) {
    SCOPED_TRACE(county.code);
    absl::StatusOr<v1::GetStatisticsReply> counted = county.projection->Statistics(Today());
    ASSERT_TRUE(counted.ok()) << counted.status();
    const v1::GetStatisticsReply full = FullCount(*county.projection, Today());
    EXPECT_EQ(counted->SerializeAsString(), full.SerializeAsString())
        << "counters:\n"
        << counted->DebugString() << "full count:\n"
        << full.DebugString();
    // The counter rows are the sum of the Projector's Counts (lxaudit replay).
    std::unique_ptr<Projector> projector = NewProjector(county.code, settings_);
    std::map<std::string, int64_t> summed, stored;
    ASSERT_TRUE(county.store
                    ->ScanAggregates([&](const std::string& id, const Aggregate& a) {
                      for (const auto& [key, n] : projector->Counts(id, a.state)) summed[key] += n;
                      return true;
                    })
                    .ok());
    ASSERT_TRUE(county.store
                    ->ScanPrefix(Family::kIndexes, kCounterPrefix,
                                 [&](const std::string& key, const std::string& value) {
                                   if (DecodeCounter(value) != 0)
                                     stored[key] = DecodeCounter(value);
                                   return true;
                                 })
                    .ok());
    EXPECT_EQ(stored, summed);
    stored_counters_ += stored.size();
  }

  testing::TempDir dir_;
  ManualClock clock_;
  Settings settings_;
  County fuyun_;
  County tianshan_;
  std::mt19937 random_;
  std::vector<std::string> members_;
  int requests_ = 0;
  size_t stored_counters_ = 0;
};

TEST_P(StatisticsTest, CountersEqualAFullCountThroughARandomHistory) {
  for (int step = 1; step <= 600; ++step) {
    Step(Pick(2) == 0 ? fuyun_ : tianshan_);
    if (HasFatalFailure()) return;
    if (Pick(3) == 0) clock_.Advance(absl::Hours(24 * (1 + Pick(5))));
    if (step % 50 == 0) {
      ExpectCountersMatch(fuyun_);
      ExpectCountersMatch(tianshan_);
    }
  }
  EXPECT_GT(stored_counters_, 0u);
  // The history reached every kind of count (else the comparison proves little).
  const v1::GetStatisticsReply f = FullCount(*fuyun_.projection, Today());
  const v1::GetStatisticsReply t = FullCount(*tianshan_.projection, Today());
  EXPECT_GT(f.resident_count() + t.resident_count(), 0u);
  EXPECT_GT(f.outflow_count() + t.outflow_count(), 0u);
  EXPECT_GT(f.certificate_holders() + t.certificate_holders(), 0u);
  EXPECT_GT(
      f.expected_inflow_count() + f.inflow_count() + t.expected_inflow_count() + t.inflow_count(),
      0u);
  EXPECT_GT(f.lost_contact_count() + t.lost_contact_count(), 0u);
  EXPECT_GT(f.by_destination_size() + t.by_destination_size(), 2);
  // Certificates expire as days pass: holders are a range of counters.
  clock_.Advance(absl::Hours(24 * 30));
  ExpectCountersMatch(fuyun_);
  ExpectCountersMatch(tianshan_);
  // A rebuild from nothing (a store from before counters) gives the same rows.
  for (County* county : {&fuyun_, &tianshan_}) {
    std::unique_ptr<Projector> projector = NewProjector(county->code, settings_);
    absl::StatusOr<v1::GetStatisticsReply> before = county->projection->Statistics(Today());
    ASSERT_TRUE(BuildCountersIfMissing(*county->store, *projector).ok());
    absl::StatusOr<v1::GetStatisticsReply> after = county->projection->Statistics(Today());
    EXPECT_EQ(before->SerializeAsString(), after->SerializeAsString());
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, StatisticsTest, ::testing::Values(1u, 21u, 2026u));

}  // namespace
}  // namespace lianxin::registry
