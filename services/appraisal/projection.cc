#include "services/appraisal/projection.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"

namespace lianxin::appraisal {

using lianxin::v1::Event;

namespace {

constexpr char kAppraisedPrefix[] = "hm/";
constexpr char kGradePrefix[] = "gr/";
constexpr char kNoticePrefix[] = "nt/";
constexpr char kProbationPrefix[] = "pb/";
constexpr char kCyclePrefix[] = "cy/";

}  // namespace

std::map<std::string, std::string> IndexRowsOf(const std::string& jurisdiction,
                                               const Settings& settings,
                                               const std::string& aggregate_id,
                                               const std::string& state) {
  std::map<std::string, std::string> rows;
  if (state.empty()) return rows;
  if (IsCycleId(aggregate_id)) {
    rows[absl::StrCat(kCyclePrefix, aggregate_id)] = "";
    return rows;
  }
  AppraisalMemberFacts facts;
  if (!facts.ParseFromString(state)) return rows;
  const bool appraised = IsAppraisedBy(facts, jurisdiction);
  if (appraised) rows[absl::StrCat(kAppraisedPrefix, aggregate_id)] = "";
  for (const auto& grade : facts.grades()) {
    rows[absl::StrCat(kGradePrefix, grade.cycle_id(), "/", aggregate_id)] =
        absl::StrCat(static_cast<int>(grade.grade()));
  }
  for (const auto& notice : facts.notices()) {
    rows[absl::StrCat(kNoticePrefix, notice.year(), "/", aggregate_id)] = "";
  }
  if (appraised) {
    if (std::optional<absl::CivilDay> due = ProbationDueOn(facts, settings)) {
      rows[absl::StrCat(kProbationPrefix, FormatDate(*due), "/", aggregate_id)] = "";
    }
  }
  return rows;
}

AppraisalProjection::AppraisalProjection(EventStore* store, std::string jurisdiction,
                                         Settings settings)
    : store_(store), jurisdiction_(std::move(jurisdiction)), settings_(std::move(settings)) {}

absl::StatusOr<std::optional<LoadedMember>> AppraisalProjection::Load(
    const std::string& member_id) const {
  absl::StatusOr<Aggregate> aggregate = store_->ReadAggregate(member_id);
  if (absl::IsNotFound(aggregate.status())) return std::nullopt;
  if (!aggregate.ok()) return aggregate.status();
  LoadedMember loaded;
  loaded.member_id = member_id;
  if (!loaded.facts.ParseFromString(aggregate->state)) {
    return absl::DataLossError(absl::StrCat("member ", member_id, ": stored state does not parse"));
  }
  loaded.version = aggregate->version;
  return loaded;
}

absl::StatusOr<std::optional<LoadedCycle>> AppraisalProjection::LoadCycle(
    const std::string& cycle_id) const {
  absl::StatusOr<Aggregate> aggregate = store_->ReadAggregate(cycle_id);
  if (absl::IsNotFound(aggregate.status())) return std::nullopt;
  if (!aggregate.ok()) return aggregate.status();
  LoadedCycle loaded;
  if (!loaded.facts.ParseFromString(aggregate->state)) {
    return absl::DataLossError(absl::StrCat("cycle ", cycle_id, ": stored state does not parse"));
  }
  loaded.version = aggregate->version;
  return loaded;
}

void AppraisalProjection::StageRows(Transaction& txn, const std::string& aggregate_id,
                                    const std::string& before, const std::string& after) const {
  const auto old_rows = IndexRowsOf(jurisdiction_, settings_, aggregate_id, before);
  const auto new_rows = IndexRowsOf(jurisdiction_, settings_, aggregate_id, after);
  for (const auto& [key, value] : old_rows) {
    if (!new_rows.contains(key)) txn.Delete(Family::kIndexes, key);
  }
  for (const auto& [key, value] : new_rows) {
    auto old = old_rows.find(key);
    if (old == old_rows.end() || old->second != value) txn.Put(Family::kIndexes, key, value);
  }
}

namespace {

Event WithSource(Event event, const std::string& jurisdiction) {
  if (!event.has_source()) {
    event.mutable_source()->set_jurisdiction(jurisdiction);
    event.mutable_source()->set_service("appraisal");
  }
  return event;
}

}  // namespace

AppraisalMemberFacts AppraisalProjection::Stage(Transaction& txn, const LoadedMember& before,
                                                std::vector<Event> events) const {
  AppraisalMemberFacts after = before.facts;
  for (const Event& event : events) {
    Event stamped = event;
    stamped.set_aggregate_id(before.member_id);
    after = Evolve(std::move(after), WithSource(std::move(stamped), jurisdiction_));
  }
  StageMember(txn, before.member_id, {before.facts, before.version}, std::move(events), after);
  return after;
}

void AppraisalProjection::StageMember(Transaction& txn, const std::string& member_id,
                                      const Loaded<AppraisalMemberFacts>& before,
                                      std::vector<Event> events,
                                      const AppraisalMemberFacts& after) const {
  const std::string before_state = before.version == 0 ? "" : before.state.SerializeAsString();
  std::string after_state = after.SerializeAsString();
  StageRows(txn, member_id, before_state, after_state);
  txn.Append(member_id, before.version, std::move(events), std::move(after_state));
}

void AppraisalProjection::StageCycle(Transaction& txn, const std::string& cycle_id,
                                     const LoadedCycle& before, std::vector<Event> events) const {
  AppraisalCycleFacts after = before.facts;
  for (const Event& event : events) after = EvolveCycle(std::move(after), event);
  const std::string before_state = before.version == 0 ? "" : before.facts.SerializeAsString();
  std::string after_state = after.SerializeAsString();
  StageRows(txn, cycle_id, before_state, after_state);
  txn.Append(cycle_id, before.version, std::move(events), std::move(after_state));
}

absl::Status AppraisalProjection::ScanMembers(
    const std::string& prefix, const std::function<std::string(const std::string& key)>& member_of,
    const std::function<bool(const std::string& key)>& stop,
    const std::function<bool(const LoadedMember&)>& fn) const {
  absl::Status failure;
  RETURN_IF_ERROR(
      store_->ScanPrefix(Family::kIndexes, prefix, [&](const std::string& key, const std::string&) {
        if (stop && stop(key)) return false;
        absl::StatusOr<std::optional<LoadedMember>> member = Load(member_of(key));
        if (!member.ok()) {
          failure = member.status();
          return false;
        }
        return !member->has_value() || fn(**member);
      }));
  return failure;
}

absl::Status AppraisalProjection::ScanAppraised(
    const std::function<bool(const LoadedMember&)>& fn) const {
  return ScanMembers(
      kAppraisedPrefix, [](const std::string& key) { return key.substr(3); }, nullptr, fn);
}

absl::Status AppraisalProjection::ScanNoticed(
    int year, const std::function<bool(const LoadedMember&)>& fn) const {
  const std::string prefix = absl::StrCat(kNoticePrefix, year, "/");
  return ScanMembers(
      prefix, [&](const std::string& key) { return key.substr(prefix.size()); }, nullptr, fn);
}

absl::Status AppraisalProjection::ScanProbationDue(
    absl::CivilDay as_of, const std::function<bool(const LoadedMember&)>& fn) const {
  const std::string limit = absl::StrCat(kProbationPrefix, FormatDate(as_of), "0");
  return ScanMembers(
      kProbationPrefix, [](const std::string& key) { return key.substr(key.find('/', 3) + 1); },
      [&](const std::string& key) { return key >= limit; }, fn);
}

absl::StatusOr<int> AppraisalProjection::CountExcellent(const std::string& cycle_id,
                                                        const std::string& except) const {
  const std::string prefix = absl::StrCat(kGradePrefix, cycle_id, "/");
  const std::string excellent =
      absl::StrCat(static_cast<int>(lianxin::v1::APPRAISAL_GRADE_EXCELLENT));
  int count = 0;
  RETURN_IF_ERROR(store_->ScanPrefix(
      Family::kIndexes, prefix, [&](const std::string& key, const std::string& value) {
        if (value == excellent && key.substr(prefix.size()) != except) ++count;
        return true;
      }));
  return count;
}

absl::StatusOr<CycleGrades> AppraisalProjection::CountGrades(const std::string& cycle_id, int year,
                                                             const std::string& except) const {
  CycleGrades grades;
  ASSIGN_OR_RETURN(grades.excellent, CountExcellent(cycle_id, except));
  RETURN_IF_ERROR(ScanNoticed(year, [&](const LoadedMember& m) {
    if (m.member_id != except && CountsAsAppraised(m.facts, cycle_id, jurisdiction_)) {
      ++grades.appraised;
    }
    return true;
  }));
  return grades;
}

AggregateKind<AppraisalMemberFacts> MemberAggregates(const AppraisalProjection* projection) {
  return {
      .load = [projection](const std::string& id) -> absl::StatusOr<Loaded<AppraisalMemberFacts>> {
        ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection->Load(id));
        if (!member.has_value()) return Loaded<AppraisalMemberFacts>{};
        return Loaded<AppraisalMemberFacts>{std::move(member->facts), member->version};
      },
      .evolve =
          [projection](AppraisalMemberFacts facts, const Event& event) {
            return Evolve(std::move(facts), WithSource(event, projection->jurisdiction()));
          },
      .stage =
          [projection](Transaction& txn, const std::string& id,
                       const Loaded<AppraisalMemberFacts>& before, Events events,
                       const AppraisalMemberFacts& after) {
            projection->StageMember(txn, id, before, std::move(events), after);
          },
  };
}

AggregateKind<AppraisalCycleFacts> CycleAggregates(const AppraisalProjection* projection) {
  return {
      .load = [projection](const std::string& id) -> absl::StatusOr<Loaded<AppraisalCycleFacts>> {
        ASSIGN_OR_RETURN(std::optional<LoadedCycle> cycle, projection->LoadCycle(id));
        if (!cycle.has_value()) return Loaded<AppraisalCycleFacts>{};
        return Loaded<AppraisalCycleFacts>{std::move(cycle->facts), cycle->version};
      },
      .evolve = [](AppraisalCycleFacts facts,
                   const Event& event) { return EvolveCycle(std::move(facts), event); },
      .stage =
          [projection](Transaction& txn, const std::string& id,
                       const Loaded<AppraisalCycleFacts>& before, Events events,
                       const AppraisalCycleFacts&) {
            projection->StageCycle(txn, id, {before.state, before.version}, std::move(events));
          },
  };
}

}  // namespace lianxin::appraisal
