#include "services/registry/projection.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/eventstore/projector.h"
#include "libs/trust/personal_data.h"
#include "services/registry/domain/decider.h"

namespace lianxin::registry {

using lianxin::v1::MemberFacts;
using lianxin::v1::MemberStatus;

namespace {

constexpr char kStatusPrefix[] = "st/";

std::string StatusPrefix(MemberStatus status) {
  return absl::StrFormat("%s%02d/", kStatusPrefix, static_cast<int>(status));
}

std::string DueKey(const char* prefix, absl::CivilDay due, const std::string& member_id) {
  return absl::StrCat(prefix, FormatDate(due), "/", member_id);
}

}  // namespace

RegistryProjection::RegistryProjection(EventStore* store, std::string jurisdiction,
                                       Settings settings)
    : store_(store), jurisdiction_(std::move(jurisdiction)), settings_(std::move(settings)) {}

absl::StatusOr<std::optional<LoadedMember>> RegistryProjection::Load(
    const std::string& member_id) const {
  absl::StatusOr<Aggregate> aggregate = store_->ReadAggregate(member_id);
  if (absl::IsNotFound(aggregate.status())) return std::nullopt;
  if (!aggregate.ok()) return aggregate.status();
  LoadedMember loaded;
  if (!loaded.facts.ParseFromString(aggregate->state)) {
    return absl::DataLossError(absl::StrCat("member ", member_id, ": stored facts do not parse"));
  }
  loaded.version = aggregate->version;
  return loaded;
}

std::set<std::string> IndexKeysOf(const MemberFacts& facts, const std::string& jurisdiction,
                                  const Settings& settings) {
  std::set<std::string> keys;
  if (facts.member_id().empty()) return keys;
  const std::string& id = facts.member_id();
  keys.insert(StatusPrefix(StatusAsSeenBy(facts, jurisdiction)) + id);
  if (std::optional<absl::CivilDay> due = TransferReceiptDueOn(facts, settings)) {
    keys.insert(DueKey("lt/", *due, id));
  }
  // Certificate rules are the home county's to follow up.
  if (facts.home_jurisdiction() == jurisdiction) {
    if (std::optional<absl::CivilDay> due = NextCertificateCheckDue(facts, settings)) {
      keys.insert(DueKey("cc/", *due, id));
    }
    if (std::optional<absl::CivilDay> due = CertificateOrTransferDueOn(facts, settings)) {
      keys.insert(DueKey("r2/", *due, id));
    }
  }
  return keys;
}

std::set<std::string> RegistryProjection::IndexKeys(const MemberFacts& facts) const {
  return IndexKeysOf(facts, jurisdiction_, settings_);
}

void RegistryProjection::Stage(Transaction& txn, const std::string& member_id,
                               uint64_t expected_version, const MemberFacts& before,
                               std::vector<lianxin::v1::Event> events,
                               const MemberFacts& after) const {
  txn.Append(member_id, expected_version, std::move(events), after.SerializeAsString());
  const std::set<std::string> old_keys = IndexKeys(before);
  const std::set<std::string> new_keys = IndexKeys(after);
  std::vector<std::string> removed, added;
  std::set_difference(old_keys.begin(), old_keys.end(), new_keys.begin(), new_keys.end(),
                      std::back_inserter(removed));
  std::set_difference(new_keys.begin(), new_keys.end(), old_keys.begin(), old_keys.end(),
                      std::back_inserter(added));
  for (std::string& key : removed) txn.Delete(Family::kIndexes, std::move(key));
  for (std::string& key : added) txn.Put(Family::kIndexes, std::move(key), "");
  for (auto& [counter, change] :
       CountChanges(CountsOf(before, jurisdiction_), CountsOf(after, jurisdiction_))) {
    txn.AddToCounter(std::move(counter), change);
  }
}

namespace {

constexpr char kCertificateCounterPrefix[] = "cnt/cert/";
constexpr char kCategoryCounterPrefix[] = "cnt/cat/";
constexpr char kDestinationCounterPrefix[] = "cnt/dest/";

}  // namespace

std::vector<std::pair<std::string, int64_t>> CountsOf(const MemberFacts& f,
                                                      const std::string& self) {
  std::vector<std::pair<std::string, int64_t>> counts;
  if (f.member_id().empty()) return counts;
  auto count = [&](std::string key) { counts.emplace_back(std::move(key), 1); };
  switch (StatusAsSeenBy(f, self)) {
    case lianxin::v1::MEMBER_STATUS_RESIDENT:
      count("cnt/resident");
      if (!f.returned_on().empty()) count("cnt/returned");
      break;
    case lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING:
    case lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED:
    case lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING: {
      std::optional<std::string> counted = OutflowDestinationCounted(f, self);
      if (!counted.has_value()) {
        count("cnt/resident");
        break;
      }
      count("cnt/outflow");
      count(absl::StrCat(kCategoryCounterPrefix,
                         lianxin::v1::MemberCategory_Name(f.registration().category())));
      count(absl::StrCat(kDestinationCounterPrefix, *counted));
      count(SameProvince(self, *counted) ? "cnt/within_province" : "cnt/cross_province");
      if (std::optional<absl::CivilDay> valid_until = ParseDate(f.certificate().valid_until())) {
        count(absl::StrCat(kCertificateCounterPrefix, FormatDate(*valid_until)));
      }
      if (f.lost_contact()) count("cnt/lost_contact");
      break;
    }
    case lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT:
      count("cnt/transferred_out");
      break;
    case lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED:
      count("cnt/expected_inflow");
      break;
    case lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE:
      count("cnt/inflow");
      if (f.lost_contact()) count("cnt/lost_contact");
      break;
    case lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN:
      count("cnt/transferred_in");
      break;
    default:
      break;
  }
  if (f.transfer_pending()) count("cnt/pending_transfer");
  return counts;
}

lianxin::v1::GetStatisticsReply StatisticsFromCounters(
    const std::vector<std::pair<std::string, int64_t>>& counters, absl::CivilDay today) {
  lianxin::v1::GetStatisticsReply reply;
  const std::string first_valid = absl::StrCat(kCertificateCounterPrefix, FormatDate(today));
  for (const auto& [key, signed_count] : counters) {
    if (signed_count <= 0) continue;  // a counter back at zero (or damaged): nothing to report
    const uint64_t count = static_cast<uint64_t>(signed_count);
    const absl::string_view k = key;
    if (absl::StartsWith(k, kCertificateCounterPrefix)) {
      if (key >= first_valid) reply.set_certificate_holders(reply.certificate_holders() + count);
    } else if (absl::StartsWith(k, kCategoryCounterPrefix)) {
      auto* c = reply.add_by_category();
      c->set_key(key.substr(sizeof(kCategoryCounterPrefix) - 1));
      c->set_count(count);
    } else if (absl::StartsWith(k, kDestinationCounterPrefix)) {
      auto* c = reply.add_by_destination();
      c->set_key(key.substr(sizeof(kDestinationCounterPrefix) - 1));
      c->set_count(count);
    } else if (k == "cnt/resident") {
      reply.set_resident_count(count);
    } else if (k == "cnt/returned") {
      reply.set_returned_count(count);
    } else if (k == "cnt/outflow") {
      reply.set_outflow_count(count);
    } else if (k == "cnt/within_province") {
      reply.set_within_province_count(count);
    } else if (k == "cnt/cross_province") {
      reply.set_cross_province_count(count);
    } else if (k == "cnt/lost_contact") {
      reply.set_lost_contact_count(count);
    } else if (k == "cnt/transferred_out") {
      reply.set_transferred_out_count(count);
    } else if (k == "cnt/expected_inflow") {
      reply.set_expected_inflow_count(count);
    } else if (k == "cnt/inflow") {
      reply.set_inflow_count(count);
    } else if (k == "cnt/transferred_in") {
      reply.set_transferred_in_count(count);
    } else if (k == "cnt/pending_transfer") {
      reply.set_pending_transfer_count(count);
    }
  }
  return reply;
}

absl::StatusOr<lianxin::v1::GetStatisticsReply> RegistryProjection::Statistics(
    absl::CivilDay today) const {
  std::vector<std::pair<std::string, int64_t>> counters;
  RETURN_IF_ERROR(store_->ScanPrefix(Family::kIndexes, kCounterPrefix,
                                     [&](const std::string& key, const std::string& value) {
                                       counters.emplace_back(key, DecodeCounter(value));
                                       return true;
                                     }));
  return StatisticsFromCounters(counters, today);
}

absl::StatusOr<std::optional<IdentityClaim>> RegistryProjection::FindIdentity(
    const std::string& id_hash) const {
  absl::StatusOr<std::string> value = store_->Get(Family::kIndexes, kIdentityIndexPrefix + id_hash);
  if (absl::IsNotFound(value.status())) return std::nullopt;
  if (!value.ok()) return value.status();
  std::vector<std::string> parts = absl::StrSplit(*value, '\t');
  if (parts.size() != 3) {
    return absl::DataLossError(absl::StrCat("identity claim ", id_hash, " is malformed"));
  }
  return IdentityClaim{parts[0], parts[1], parts[2] == "confirmed"};
}

void RegistryProjection::PutIdentity(Transaction& txn, const std::string& id_hash,
                                     const IdentityClaim& claim) const {
  txn.Put(Family::kIndexes, kIdentityIndexPrefix + id_hash,
          absl::StrCat(claim.member_id, "\t", claim.jurisdiction, "\t",
                       claim.confirmed ? "confirmed" : "pending"));
}

absl::StatusOr<std::string> RegistryProjection::BirthDate(const std::string& member_id) const {
  absl::StatusOr<std::string> value =
      store_->Get(Family::kIndexes, kBirthDateIndexPrefix + member_id);
  if (absl::IsNotFound(value.status())) return std::string();
  return value;
}

void RegistryProjection::PutBirthDate(Transaction& txn, const std::string& member_id,
                                      const std::string& birth_date) const {
  txn.Put(Family::kIndexes, kBirthDateIndexPrefix + member_id, birth_date);
}

absl::Status RegistryProjection::ScanByStatus(
    const std::vector<MemberStatus>& statuses, const std::string& after_key,
    const std::function<bool(const std::string& key, const LoadedMember&)>& fn) const {
  std::vector<MemberStatus> sorted = statuses;
  std::sort(sorted.begin(), sorted.end());
  absl::Status failure;
  bool stopped = false;
  for (MemberStatus status : sorted) {
    const std::string prefix = StatusPrefix(status);
    if (!after_key.empty() && prefix + "\xff" < after_key) continue;
    RETURN_IF_ERROR(store_->ScanPrefix(
        Family::kIndexes, prefix, [&](const std::string& key, const std::string&) {
          if (key <= after_key) return true;
          absl::StatusOr<std::optional<LoadedMember>> member = Load(key.substr(prefix.size()));
          if (!member.ok()) {
            failure = member.status();
            return false;
          }
          if (!member->has_value()) return true;  // index ahead of a concurrent reader
          if (!fn(key, **member)) {
            stopped = true;
            return false;
          }
          return true;
        }));
    RETURN_IF_ERROR(failure);
    if (stopped) break;
  }
  return absl::OkStatus();
}

absl::Status RegistryProjection::ScanDueBefore(
    const std::string& prefix, absl::CivilDay as_of,
    const std::function<bool(const LoadedMember&)>& fn) const {
  const std::string limit = absl::StrCat(prefix, FormatDate(as_of));
  absl::Status failure;
  RETURN_IF_ERROR(
      store_->ScanPrefix(Family::kIndexes, prefix, [&](const std::string& key, const std::string&) {
        if (key >= limit) return false;
        const size_t slash = key.find('/', prefix.size());
        absl::StatusOr<std::optional<LoadedMember>> member = Load(key.substr(slash + 1));
        if (!member.ok()) {
          failure = member.status();
          return false;
        }
        return !member->has_value() || fn(**member);
      }));
  return failure;
}

std::vector<MemberStatus> StatusesOf(lianxin::v1::Direction direction) {
  switch (direction) {
    case lianxin::v1::DIRECTION_OUTFLOW:
      return {
          lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING, lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED,
          lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING, lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT};
    case lianxin::v1::DIRECTION_INFLOW:
      return {lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED, lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE,
              lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED, lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN};
    default: {
      std::vector<MemberStatus> all;
      for (int s = lianxin::v1::MEMBER_STATUS_RESIDENT;
           s <= lianxin::v1::MEMBER_STATUS_MEMBERSHIP_ENDED; ++s) {
        all.push_back(static_cast<MemberStatus>(s));
      }
      return all;
    }
  }
}

lianxin::v1::Member ToMember(const MemberFacts& facts, uint64_t version,
                             const std::string& jurisdiction, const std::string& home_birth_date) {
  lianxin::v1::Member m;
  const auto& r = facts.registration();
  m.set_member_id(facts.member_id());
  m.set_name(r.name());
  m.set_home_jurisdiction(facts.home_jurisdiction());
  m.set_status(StatusAsSeenBy(facts, jurisdiction));
  m.set_lost_contact(facts.lost_contact());
  m.set_version(version);
  m.set_branch(r.branch());
  // Events logged with the old mask keep it; replies show the last four only,
  // and the birth date only where the member's home answers (else the year).
  m.set_id_number_masked(trust::MaskLastFour(r.id_number_masked()));
  m.set_gender(r.gender());
  // Old events carry the full date; new ones the year, the home its pd/ row.
  const bool full_in_event = r.birth_date().size() > 4;
  const std::string full = full_in_event ? r.birth_date() : home_birth_date;
  m.set_birth_date(facts.home_jurisdiction() == jurisdiction && !full.empty()
                       ? full
                       : trust::BirthYear(r.birth_date()));
  m.set_category(r.category());
  m.set_phone(r.phone());
  m.set_probationary(r.probationary());
  m.set_joined_on(r.joined_on());
  m.set_origin_off_system(r.origin_off_system());
  m.set_suspected_duplicate_of(facts.suspected_duplicate_of());
  const auto& o = facts.outflow();
  if (facts.away()) {
    m.set_destination_jurisdiction(o.destination_jurisdiction());
    m.set_destination_name(o.destination_name());
    m.set_destination_address(o.destination_address());
    m.set_occupation(o.occupation());
    m.set_employer(o.employer());
    m.set_expected_return_on(o.expected_return_on());
    m.set_contact_phone(o.contact_phone());
    m.set_liaison_name(o.liaison_name());
    m.set_outflow_reason(o.reason());
    m.set_season_from_month(o.season_from_month());
    m.set_season_to_month(o.season_to_month());
    m.set_visit_home_from(facts.visit_home_from());
    m.set_visit_home_until(facts.visit_home_until());
    if (facts.arrived()) {
      m.set_destination_branch(facts.arrival().branch());
      m.set_arrived_on(facts.arrival().arrived_on());
    }
  }
  m.set_left_on(o.left_on());
  m.set_returned_on(facts.returned_on());
  m.set_certificate_no(facts.certificate().certificate_no());
  m.set_certificate_valid_until(facts.certificate().valid_until());
  if (facts.has_transfer()) {
    m.set_transfer_to_jurisdiction(facts.transfer().to_jurisdiction());
    m.set_transfer_letter_no(facts.transfer().letter_no());
    m.set_transfer_requested_on(facts.transfer().requested_on());
  }
  m.set_transfer_pending(facts.transfer_pending());
  m.set_transfer_outcome(facts.transfer_outcome());
  m.set_organization_life_entries(facts.organization_life_entries());
  m.set_last_organization_life_on(facts.last_organization_life_on());
  m.set_votes_in(VotesIn(facts));
  m.set_responsibility_terms(o.responsibility_terms());
  m.set_responsibility_settlement(facts.last_return().responsibility_settlement());
  m.set_responsibility_met(facts.last_return().responsibility_met());
  m.set_certificate_handed_back(facts.last_return().certificate_handed_back());
  m.set_certificate_audit(facts.last_return().certificate_audit());
  for (const std::string& c : facts.criticisms()) m.add_criticisms(c);
  m.set_membership_change(facts.membership_change());
  m.set_membership_changed_on(facts.membership_changed_on());
  auto& by_county = *m.mutable_status_by_county();
  for (const std::string& county : CountiesOf(facts)) {
    by_county[county] = StatusAsSeenBy(facts, county);
  }
  return m;
}

AggregateKind<MemberFacts> MemberAggregates(const RegistryProjection* projection) {
  return {
      .load = [projection](const std::string& id) -> absl::StatusOr<Loaded<MemberFacts>> {
        ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection->Load(id));
        if (!member.has_value()) return Loaded<MemberFacts>{};
        return Loaded<MemberFacts>{std::move(member->facts), member->version};
      },
      .evolve = [](MemberFacts facts,
                   const lianxin::v1::Event& event) { return Evolve(std::move(facts), event); },
      .stage =
          [projection](Transaction& txn, const std::string& id, const Loaded<MemberFacts>& before,
                       Events events, const MemberFacts& after) {
            projection->Stage(txn, id, before.version, before.state, std::move(events), after);
          },
  };
}

}  // namespace lianxin::registry
