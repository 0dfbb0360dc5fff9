// The scenario generator: determinism, valid ID numbers, the Fuyun figures by
// construction, and every plan replayed through the registry's own pure
// decider (services/registry/domain) across three simulated counties, so the
// commands obey the rules and end in the statuses the plan promises.
#include "tools/scenario/generator.h"

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/registry/domain/decider.h"
#include "services/registry/domain/rules.h"
#include "tools/scenario/loader.h"
#include "tools/scenario/plan_io.h"
#include "tools/scenario/resident_id.h"

namespace lianxin::scenario {
namespace {

using lianxin::v1::MemberFacts;
using lianxin::v1::MemberStatus;

const absl::CivilDay kToday(2026, 11, 27);

Plan FuyunPlan(uint64_t seed = 1, absl::CivilDay today = kToday) {
  return Generate(FuyunSpec(), {.seed = seed, .today = today});
}

std::string Serialized(const Plan& plan) {
  std::ostringstream out;
  EXPECT_TRUE(WritePlanJsonLines(plan, out).ok());
  return out.str();
}

// Number of code points of well-formed UTF-8.
size_t CodePoints(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// ============================================================================
// A simulated deployment: each county's copy of each member, the routed
// events delivered at once, as the registries and the stream would.
// ============================================================================

class World {
 public:
  explicit World(const Plan& plan, absl::CivilDay today) : today_(today) {
    for (const std::string& county : plan.counties()) settings_.on_system.insert(county);
  }

  // Decides `step` at its county (the registry's Decide*), records the events
  // there and in every county they are routed to.
  absl::Status Apply(const Member& member, const Step& step, int index) {
    for (const Await& await : step.awaits()) {
      const auto& seen = history_[{await.county(), member.key()}];
      uint32_t count = 0;
      for (const std::string& type : seen) count += type == await.event_type();
      if (count < await.count()) {
        return absl::FailedPreconditionError(
            absl::StrCat("step ", index, " awaits ", await.count(), " ", await.event_type(), " at ",
                         await.county(), ", which will only ever see ", count));
      }
    }
    const std::string& county = step.county();
    registry::Context ctx{county, absl::FromCivil(today_, absl::UTCTimeZone()), today_,
                          "op-" + county, "request"};
    const std::string id = absl::StrCat(member.registered_by(), "-", member.key());
    MemberFacts& facts = facts_[{county, member.key()}];
    const bool known = !facts.member_id().empty();
    absl::StatusOr<registry::Events> events;
    switch (step.command_case()) {
      case Step::kRegisterMember:
        events = registry::DecideRegisterMember(
            step.register_member(), "hash-" + step.register_member().id_number(),
            registry::MaskIdNumber(step.register_member().id_number()), ctx, settings_);
        break;
      case Step::kRecordArrival:
        if (step.record_arrival().member_id().empty() &&
            !step.record_arrival().id_number().empty()) {
          events = registry::DecideRegisterArrival(
              step.record_arrival(), "hash-" + step.record_arrival().id_number(),
              registry::MaskIdNumber(step.record_arrival().id_number()), ctx, settings_);
        } else {
          events = Known(known, [&] {
            return registry::DecideRecordArrival(facts, step.record_arrival(), ctx, settings_);
          });
        }
        break;
      case Step::kRegisterOutflow:
        events = Known(known, [&] {
          return registry::DecideRegisterOutflow(facts, step.register_outflow(), ctx, settings_);
        });
        break;
      case Step::kIssueCertificate:
        events = Known(known, [&] {
          return registry::DecideIssueCertificate(facts, step.issue_certificate(), ctx, settings_);
        });
        break;
      case Step::kRecordCertificateEntry:
        events = Known(known, [&] {
          return registry::DecideRecordCertificateEntry(facts, step.record_certificate_entry(), ctx,
                                                        settings_);
        });
        break;
      case Step::kRequestTransfer:
        events = Known(known, [&] {
          return registry::DecideRequestTransfer(facts, step.request_transfer(), ctx, settings_);
        });
        break;
      case Step::kAcceptTransfer:
        events = Known(known, [&] {
          return registry::DecideAcceptTransfer(facts, step.accept_transfer(), ctx, settings_);
        });
        break;
      case Step::kRejectTransfer:
        events = Known(known, [&] {
          return registry::DecideRejectTransfer(facts, step.reject_transfer(), ctx, settings_);
        });
        break;
      case Step::kRecordReturn:
        events = Known(known, [&] {
          return registry::DecideRecordReturn(facts, step.record_return(), ctx, settings_);
        });
        break;
      case Step::kRecordTransferReceipt:
        events = Known(known, [&] {
          return registry::DecideRecordTransferReceipt(facts, step.record_transfer_receipt(), ctx,
                                                       settings_);
        });
        break;
      case Step::kWithdrawTransfer:
        events = Known(known, [&] {
          return registry::DecideWithdrawTransfer(facts, step.withdraw_transfer(), ctx, settings_);
        });
        break;
      case Step::kRecordTransferIn:
        events = registry::DecideRecordTransferIn(
            step.record_transfer_in(), "hash-" + step.record_transfer_in().id_number(),
            registry::MaskIdNumber(step.record_transfer_in().id_number()), ctx, settings_);
        break;
      case Step::kRecordOutflowChange:
        events = Known(known, [&] {
          return registry::DecideRecordOutflowChange(facts, step.record_outflow_change(), ctx,
                                                     settings_);
        });
        break;
      case Step::kRecordVisitHome:
        events = Known(known, [&] {
          return registry::DecideRecordVisitHome(facts, step.record_visit_home(), ctx, settings_);
        });
        break;
      case Step::COMMAND_NOT_SET:
        return absl::InvalidArgumentError("no command");
    }
    if (!events.ok()) {
      return absl::Status(events.status().code(),
                          absl::StrCat("step ", index, " ", StepRpc(step), " at ", county, ": ",
                                       events.status().message()));
    }
    for (lianxin::v1::Event event : *events) {
      event.set_aggregate_id(id);
      Record(county, member.key(), event);
      for (const std::string& to : event.routed_to()) Record(to, member.key(), event);
    }
    return absl::OkStatus();
  }

  MemberStatus StatusAt(const std::string& county, const std::string& key) {
    return StatusAsSeenBy(facts_[{county, key}], county);
  }
  const MemberFacts& FactsAt(const std::string& county, const std::string& key) {
    return facts_[{county, key}];
  }

 private:
  using Key = std::pair<std::string, std::string>;  // (county, member key)

  template <typename F>
  absl::StatusOr<registry::Events> Known(bool known, F decide) {
    if (!known) return absl::NotFoundError("the member is not known to the county");
    return decide();
  }
  void Record(const std::string& county, const std::string& key, const lianxin::v1::Event& event) {
    facts_[{county, key}] = registry::Evolve(facts_[{county, key}], event);
    history_[{county, key}].push_back(event.type());
  }

  absl::CivilDay today_;
  registry::Settings settings_;
  std::map<Key, MemberFacts> facts_;
  std::map<Key, std::vector<std::string>> history_;
};

// Replays every member of `plan` and checks the promised statuses, and that
// the counties sharing a member hold the same facts.
void ReplayAndCheck(const Plan& plan, absl::CivilDay today) {
  World world(plan, today);
  for (const Member& member : plan.members()) {
    for (int i = 0; i < member.steps_size(); ++i) {
      absl::Status status = world.Apply(member, member.steps(i), i + 1);
      ASSERT_TRUE(status.ok()) << member.key() << ": " << status;
    }
    const MemberFacts* first = nullptr;
    for (const ExpectedStatus& expectation : member.expected_status()) {
      const std::string& county = expectation.county();
      EXPECT_EQ(MemberStatus_Name(world.StatusAt(county, member.key())),
                MemberStatus_Name(expectation.status()))
          << member.key() << " at " << county;
      const MemberFacts& facts = world.FactsAt(county, member.key());
      if (first == nullptr) {
        first = &facts;
      } else {
        EXPECT_EQ(first->DebugString(), facts.DebugString())
            << member.key() << ": the counties' copies differ (R19)";
      }
    }
  }
}

// ============================================================================
// Tests
// ============================================================================

TEST(ResidentId, CheckCharacterOfTheStandardExample) {
  // GB 11643's example: 11010519491231002X.
  EXPECT_EQ(registry::ResidentIdCheckCharacter("11010519491231002"), 'X');
  EXPECT_EQ(MakeResidentIdNumber("110105", absl::CivilDay(1949, 12, 31), 2), "11010519491231002X");
  for (int sequence = 0; sequence < 1000; sequence += 7) {
    EXPECT_TRUE(registry::IsValidResidentIdNumber(
        MakeResidentIdNumber("654322", absl::CivilDay(1988, 3, 9), sequence)))
        << sequence;
  }
}

TEST(Generate, SameSeedSameOutputOtherSeedOtherPeople) {
  EXPECT_EQ(Serialized(FuyunPlan(1)), Serialized(FuyunPlan(1)));
  EXPECT_NE(Serialized(FuyunPlan(1)), Serialized(FuyunPlan(2)));
  EXPECT_EQ(Serialized(Generate(ScaledSpec(1000), {.seed = 7, .today = kToday})),
            Serialized(Generate(ScaledSpec(1000), {.seed = 7, .today = kToday})));
}

TEST(Generate, PeopleAndRequestIdsDoNotDependOnTheDay) {
  // A re-run on another day registers the same people with the same requests.
  const Plan a = FuyunPlan(1, kToday);
  const Plan b = FuyunPlan(1, kToday + 40);
  ASSERT_EQ(a.members_size(), b.members_size());
  for (int i = 0; i < a.members_size(); ++i) {
    const Step& first_a = a.members(i).steps(0);
    const Step& first_b = b.members(i).steps(0);
    const std::string id_a = first_a.has_register_member() ? first_a.register_member().id_number()
                                                           : first_a.record_arrival().id_number();
    const std::string id_b = first_b.has_register_member() ? first_b.register_member().id_number()
                                                           : first_b.record_arrival().id_number();
    EXPECT_EQ(id_a, id_b) << a.members(i).key();
    EXPECT_EQ(a.members(i).name(), b.members(i).name());
    EXPECT_EQ(a.members(i).steps_size(), b.members(i).steps_size()) << a.members(i).key();
  }
}

TEST(Generate, FuyunHas24AwayAnd91PresentByConstruction) {
  const Plan plan = FuyunPlan();
  EXPECT_EQ(plan.expected_outflow_count(), 24u);
  EXPECT_EQ(plan.expected_inflow_count(), 91u);
  int away = 0, present = 0, returned = 0;
  std::set<std::string> categories;
  for (const Member& member : plan.members()) {
    MemberStatus status = lianxin::v1::MEMBER_STATUS_UNSPECIFIED;
    for (const ExpectedStatus& expected : member.expected_status()) {
      if (expected.county() == "654322") status = expected.status();
    }
    away += CountsAsOutflow(member, "654322");
    present += status == lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE;
    returned += status == lianxin::v1::MEMBER_STATUS_RESIDENT;
    categories.insert(lianxin::v1::MemberCategory_Name(member.category()));
  }
  EXPECT_EQ(away, 24);
  EXPECT_EQ(present, 91);
  EXPECT_GT(returned, 0) << "returns come on top of the 24";
  // The survey's member kinds all appear.
  for (const char* kind :
       {"MEMBER_CATEGORY_FARMER", "MEMBER_CATEGORY_LAID_OFF_WORKER", "MEMBER_CATEGORY_VETERAN",
        "MEMBER_CATEGORY_GRADUATE", "MEMBER_CATEGORY_RETIREE"}) {
    EXPECT_TRUE(categories.contains(kind)) << kind;
  }
}

TEST(Generate, IdNumbersValidUniqueAndOfTheHomeCounty) {
  for (const Plan& plan : {FuyunPlan(), Generate(ScaledSpec(3000), {.seed = 3, .today = kToday})}) {
    std::set<std::string> seen;
    for (const Member& member : plan.members()) {
      const Step& first = member.steps(0);
      std::string id, birth, area;
      if (first.has_register_member()) {
        id = first.register_member().id_number();
        birth = first.register_member().birth_date();
        area = first.register_member().jurisdiction();
        EXPECT_EQ(first.register_member().gender() == lianxin::v1::GENDER_MALE,
                  (id[16] - '0') % 2 == 1)
            << member.key();
      } else if (first.has_record_transfer_in()) {
        id = first.record_transfer_in().id_number();
        birth = first.record_transfer_in().birth_date();
        area = first.record_transfer_in().origin_jurisdiction();
      } else {
        ASSERT_TRUE(first.has_record_arrival()) << member.key();
        id = first.record_arrival().id_number();
        birth = first.record_arrival().birth_date();
        area = first.record_arrival().origin_jurisdiction();
      }
      EXPECT_TRUE(registry::IsValidResidentIdNumber(id)) << member.key() << " " << id;
      EXPECT_EQ(id.substr(0, 6), area) << member.key();
      EXPECT_EQ(id.substr(0, 6), member.home_jurisdiction()) << member.key();
      EXPECT_EQ(absl::StrCat(id.substr(6, 4), "-", id.substr(10, 2), "-", id.substr(12, 2)), birth)
          << member.key();
      EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    }
  }
}

TEST(Generate, FieldsFitTheApiBounds) {
  const Plan plan = FuyunPlan();
  std::set<std::string> request_ids;
  for (const Member& member : plan.members()) {
    EXPECT_LE(CodePoints(member.name()), 32u);
    for (const Step& step : member.steps()) {
      std::string request_id;
      if (step.has_register_member()) {
        request_id = step.register_member().request_id();
        EXPECT_LE(CodePoints(step.register_member().branch()), 64u);
      } else if (step.has_register_outflow()) {
        request_id = step.register_outflow().request_id();
        EXPECT_LE(CodePoints(step.register_outflow().destination_address()), 128u);
        EXPECT_LE(CodePoints(step.register_outflow().occupation()), 64u);
        EXPECT_LE(CodePoints(step.register_outflow().liaison_name()), 32u);
      } else if (step.has_record_arrival()) {
        request_id = step.record_arrival().request_id();
        EXPECT_LE(CodePoints(step.record_arrival().branch()), 64u);
        EXPECT_LE(CodePoints(step.record_arrival().origin_branch()), 64u);
        EXPECT_LE(CodePoints(step.record_arrival().contact_person()), 32u);
      } else if (step.has_request_transfer()) {
        request_id = step.request_transfer().request_id();
        EXPECT_LE(CodePoints(step.request_transfer().letter_no()), 32u);
        EXPECT_LE(CodePoints(step.request_transfer().to_organization()), 64u);
      } else if (step.has_issue_certificate()) {
        request_id = step.issue_certificate().request_id();
        EXPECT_LE(CodePoints(step.issue_certificate().certificate_no()), 32u);
      } else if (step.has_record_certificate_entry()) {
        request_id = step.record_certificate_entry().request_id();
      } else if (step.has_accept_transfer()) {
        request_id = step.accept_transfer().request_id();
      } else if (step.has_reject_transfer()) {
        request_id = step.reject_transfer().request_id();
      } else if (step.has_record_return()) {
        request_id = step.record_return().request_id();
      } else if (step.has_record_transfer_receipt()) {
        request_id = step.record_transfer_receipt().request_id();
        EXPECT_LE(CodePoints(step.record_transfer_receipt().branch()), 64u);
      } else if (step.has_withdraw_transfer()) {
        request_id = step.withdraw_transfer().request_id();
      } else if (step.has_record_transfer_in()) {
        request_id = step.record_transfer_in().request_id();
        EXPECT_LE(CodePoints(step.record_transfer_in().letter_no()), 32u);
        EXPECT_LE(CodePoints(step.record_transfer_in().origin_branch()), 64u);
      } else if (step.has_record_outflow_change()) {
        request_id = step.record_outflow_change().request_id();
        EXPECT_LE(CodePoints(step.record_outflow_change().destination_address()), 128u);
        EXPECT_LE(CodePoints(step.record_outflow_change().employer()), 64u);
      } else if (step.has_record_visit_home()) {
        request_id = step.record_visit_home().request_id();
      }
      EXPECT_FALSE(request_id.empty());
      EXPECT_LE(request_id.size(), 64u);
      EXPECT_TRUE(request_ids.insert(request_id).second) << request_id;
    }
  }
}

TEST(Generate, FuyunPlanObeysTheRegistryRulesAndEndsAsPromised) {
  ReplayAndCheck(FuyunPlan(1), kToday);
  ReplayAndCheck(FuyunPlan(42), kToday);
  // Month ends and a leap day.
  ReplayAndCheck(FuyunPlan(5, absl::CivilDay(2028, 2, 29)), absl::CivilDay(2028, 2, 29));
}

TEST(Generate, ScaledPlanObeysTheRulesToo) {
  const Plan plan = Generate(ScaledSpec(2000), {.seed = 9, .today = kToday});
  EXPECT_EQ(plan.members_size(), 2000);
  ReplayAndCheck(plan, kToday);
}

TEST(ScaledSpec, KeepsFuyunsMixAndTheTotal) {
  int64_t total = 0;
  for (const auto& [fate, count] : ScaledSpec(256).members) total += count;
  EXPECT_EQ(total, 256);
  // 256 = 2 × 128: every fate doubles.
  const PopulationSpec fuyun = FuyunSpec();
  const PopulationSpec doubled = ScaledSpec(256);
  for (size_t i = 0; i < fuyun.members.size(); ++i) {
    EXPECT_EQ(doubled.members[i].second, 2 * fuyun.members[i].second);
  }
  total = 0;
  for (const auto& [fate, count] : ScaledSpec(7).members) total += count;
  EXPECT_EQ(total, 7);
}

TEST(PlanIo, JsonLinesRoundTrip) {
  const Plan plan = FuyunPlan();
  std::istringstream in(Serialized(plan));
  absl::StatusOr<Plan> read = ReadPlanJsonLines(in);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->SerializeAsString(), plan.SerializeAsString());
  std::istringstream bad("{\"seed\": 1}\n{not json}\n");
  EXPECT_TRUE(absl::IsInvalidArgument(ReadPlanJsonLines(bad).status()));
}

TEST(Loader, MemberIdFromAlreadyExists) {
  EXPECT_EQ(MemberIdFromAlreadyExists(
                "id_number: already registered as member 654322-0a1b2c3d4e5f6071 in 654322 (R18)"),
            "654322-0a1b2c3d4e5f6071");
  EXPECT_EQ(MemberIdFromAlreadyExists("id_number: already registered as member 650102-9 (R18)"),
            "650102-9");
  EXPECT_EQ(MemberIdFromAlreadyExists("request_id: r1 was already used for /x"), "");
}

}  // namespace
}  // namespace lianxin::scenario
