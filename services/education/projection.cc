#include "services/education/projection.h"

#include <openssl/sha.h>

#include <algorithm>
#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/common/status_macros.h"

namespace lianxin::education {

using lianxin::v1::EducationState;

std::set<std::string> IndexKeysOf(const std::string& id, const EducationState& state,
                                  const std::string& jurisdiction) {
  std::set<std::string> keys;
  switch (state.kind_case()) {
    case EducationState::kCourse:
      keys.insert(absl::StrCat("co/", id));
      break;
    case EducationState::kSession:
      keys.insert(absl::StrFormat("se/%012d/%s", Seconds(state.session().starts_at()), id));
      break;
    case EducationState::kCalendar:
      if (state.calendar().registered()) {
        keys.insert(absl::StrCat(
            CalendarKindOf(state.calendar()) == CalendarKind::kLecturer ? "le/" : "pl/",
            state.calendar().name()));
      }
      break;
    case EducationState::kMember: {
      const auto& member = state.member();
      if (member.home_jurisdiction() == jurisdiction) keys.insert(absl::StrCat("mh/", id));
      for (const auto& departure : member.pre_departures()) {
        if (departure.met_on().empty()) {
          keys.insert(absl::StrCat("pd/", departure.left_on(), "/", id));
        }
      }
      break;
    }
    case EducationState::kPlan:
      keys.insert(absl::StrCat("pn/", id));
      break;
    default:
      break;
  }
  return keys;
}

EducationProjection::EducationProjection(EventStore* store, std::string jurisdiction,
                                         Settings settings)
    : store_(store), jurisdiction_(std::move(jurisdiction)), settings_(std::move(settings)) {}

absl::StatusOr<Loaded> EducationProjection::Load(const std::string& aggregate_id) const {
  absl::StatusOr<Aggregate> aggregate = store_->ReadAggregate(aggregate_id);
  if (absl::IsNotFound(aggregate.status())) return Loaded{};
  if (!aggregate.ok()) return aggregate.status();
  Loaded loaded;
  if (!loaded.state.ParseFromString(aggregate->state)) {
    return absl::DataLossError(absl::StrCat("aggregate ", aggregate_id, ": state does not parse"));
  }
  loaded.version = aggregate->version;
  return loaded;
}

std::string SerializeState(const EducationState& state) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    state.SerializeToCodedStream(&coded);
  }
  return bytes;
}

void EducationProjection::Stage(Transaction& txn, const std::string& aggregate_id,
                                const Loaded& before, std::vector<lianxin::v1::Event> events,
                                const EducationState& after) const {
  txn.Append(aggregate_id, before.version, std::move(events), SerializeState(after));
  const std::set<std::string> old_keys = IndexKeysOf(aggregate_id, before.state, jurisdiction_);
  const std::set<std::string> new_keys = IndexKeysOf(aggregate_id, after, jurisdiction_);
  std::vector<std::string> removed, added;
  std::set_difference(old_keys.begin(), old_keys.end(), new_keys.begin(), new_keys.end(),
                      std::back_inserter(removed));
  std::set_difference(new_keys.begin(), new_keys.end(), old_keys.begin(), old_keys.end(),
                      std::back_inserter(added));
  for (std::string& key : removed) txn.Delete(Family::kIndexes, std::move(key));
  for (std::string& key : added) txn.Put(Family::kIndexes, std::move(key), "");
}

absl::Status EducationProjection::ScanIndex(
    const std::string& prefix, const std::string& start,
    const std::function<bool(const std::string& key)>& fn) const {
  return store_->ScanPrefix(Family::kIndexes, prefix,
                            [&](const std::string& key, const std::string&) {
                              if (!start.empty() && key < start) return true;
                              return fn(key);
                            });
}

Batch::Batch(const EducationProjection& projection)
    : owned_work_(std::make_unique<UnitOfWork>()),
      owned_kind_(std::make_unique<AggregateKind<EducationState>>(Aggregates(&projection))),
      work_(owned_work_.get()),
      kind_(owned_kind_.get()) {}

AggregateKind<EducationState> Aggregates(const EducationProjection* projection) {
  return {
      .load = [projection](const std::string& id) { return projection->Load(id); },
      .evolve =
          [projection](EducationState state, const lianxin::v1::Event& event) {
            return Evolve(std::move(state), event, projection->settings());
          },
      .stage =
          [projection](Transaction& txn, const std::string& id, const Loaded& before, Events events,
                       const EducationState& after) {
            projection->Stage(txn, id, before, std::move(events), after);
          },
  };
}

std::string DerivedId(const std::string& jurisdiction, const std::string& kind,
                      const std::string& seed) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(seed.data()), seed.size(), digest);
  return absl::StrCat(
      jurisdiction, "-", kind, "-",
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 8)));
}

}  // namespace lianxin::education
