#include "services/contact/projection.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"

namespace lianxin::contact {

using lianxin::v1::ConsultationTicket;
using lianxin::v1::ContactMemberState;
using lianxin::v1::Event;

std::map<std::string, std::string> MemberIndexRows(const std::string& member_id,
                                                   const ContactMemberState& state,
                                                   const std::string& jurisdiction,
                                                   const Settings& settings) {
  std::map<std::string, std::string> rows;
  if (std::optional<Obligations> o = ObligationsOf(state, jurisdiction, settings)) {
    rows[absl::StrCat("due/", FormatDate(o->EarliestDue()), "/", member_id)] = "";
    if (!state.lost_contact())
      rows[absl::StrCat("swp/", FormatDate(o->lost_on), "/", member_id)] = "";
    rows[absl::StrCat("trk/", member_id)] = "";
  }
  if (state.lost_contact()) rows[absl::StrCat("lost/", state.lost_on(), "/", member_id)] = "";
  if (!state.liaisons().empty() && state.facts().home_jurisdiction() == jurisdiction) {
    rows[absl::StrCat("lia/", CurrentLiaison(state), "/", member_id)] = "";
  }
  for (const std::string& lost_on : state.lost_history()) {
    rows[absl::StrCat("lh/", lost_on, "/", member_id)] = "";
  }
  for (int i = 0; i < state.contact_days_size(); ++i) {
    std::pair<std::string, std::string> day_kind = absl::StrSplit(state.contact_days(i), '/');
    rows[absl::StrCat("ct/", day_kind.first, "/", member_id, "/", i)] = day_kind.second;
  }
  return rows;
}

std::map<std::string, std::string> TicketIndexRows(const std::string& ticket_id,
                                                   const ConsultationTicket& ticket) {
  std::map<std::string, std::string> rows;
  if (!ticket.has_received_at()) return rows;
  const std::string day = FormatDate(CountyDay(FromTimestamp(ticket.received_at())));
  // "<resolution>" (0 = open), then "/b" for a branch's call (R14).
  rows[absl::StrCat("tk/", day, "/", ticket_id)] =
      absl::StrCat(ticket.closed() ? static_cast<int>(ticket.resolution()) : 0,
                   ticket.caller_kind() == lianxin::v1::CALLER_KIND_BRANCH ? "/b" : "");
  if (!ticket.closed()) rows[absl::StrCat("op/", day, "/", ticket_id)] = "";
  return rows;
}

ContactProjection::ContactProjection(EventStore* store, std::string jurisdiction, Settings settings)
    : store_(store), jurisdiction_(std::move(jurisdiction)), settings_(std::move(settings)) {}

absl::StatusOr<std::optional<LoadedMember>> ContactProjection::LoadMember(
    const std::string& member_id) const {
  absl::StatusOr<Aggregate> aggregate = store_->ReadAggregate(member_id);
  if (absl::IsNotFound(aggregate.status())) return std::nullopt;
  RETURN_IF_ERROR(aggregate.status());
  LoadedMember loaded;
  loaded.version = aggregate->version;
  if (!loaded.state.ParseFromString(aggregate->state)) {
    return absl::DataLossError(absl::StrCat("state of member ", member_id, " does not parse"));
  }
  return loaded;
}

absl::StatusOr<std::optional<LoadedTicket>> ContactProjection::LoadTicket(
    const std::string& ticket_id) const {
  absl::StatusOr<Aggregate> aggregate = store_->ReadAggregate(ticket_id);
  if (absl::IsNotFound(aggregate.status())) return std::nullopt;
  RETURN_IF_ERROR(aggregate.status());
  LoadedTicket loaded;
  loaded.version = aggregate->version;
  if (!loaded.ticket.ParseFromString(aggregate->state)) {
    return absl::DataLossError(absl::StrCat("state of ticket ", ticket_id, " does not parse"));
  }
  return loaded;
}

absl::StatusOr<LoadedLiaisonReports> ContactProjection::LoadLiaisonReports(
    const std::string& liaison_name) const {
  const std::string id = LiaisonReportsId(jurisdiction_, liaison_name);
  absl::StatusOr<Aggregate> aggregate = store_->ReadAggregate(id);
  LoadedLiaisonReports loaded;
  if (absl::IsNotFound(aggregate.status())) return loaded;
  RETURN_IF_ERROR(aggregate.status());
  loaded.version = aggregate->version;
  if (!loaded.reports.ParseFromString(aggregate->state)) {
    return absl::DataLossError(absl::StrCat("state of liaison reports ", id, " does not parse"));
  }
  return loaded;
}

void ContactProjection::StageRows(Transaction& txn,
                                  const std::map<std::string, std::string>& before,
                                  const std::map<std::string, std::string>& after) const {
  for (const auto& [key, value] : before) {
    if (!after.contains(key)) txn.Delete(Family::kIndexes, key);
  }
  for (const auto& [key, value] : after) {
    auto it = before.find(key);
    if (it == before.end() || it->second != value) txn.Put(Family::kIndexes, key, value);
  }
}

void ContactProjection::StageMember(Transaction& txn, const std::string& member_id,
                                    uint64_t expected_version, const ContactMemberState& before,
                                    std::vector<Event> events,
                                    const ContactMemberState& after) const {
  txn.Append(member_id, expected_version, std::move(events), after.SerializeAsString());
  StageRows(txn,
            expected_version == 0 ? std::map<std::string, std::string>()
                                  : MemberIndexRows(member_id, before, jurisdiction_, settings_),
            MemberIndexRows(member_id, after, jurisdiction_, settings_));
}

void ContactProjection::StageTicket(Transaction& txn, const std::string& ticket_id,
                                    uint64_t expected_version, const ConsultationTicket& before,
                                    std::vector<Event> events,
                                    const ConsultationTicket& after) const {
  txn.Append(ticket_id, expected_version, std::move(events), after.SerializeAsString());
  StageRows(txn, TicketIndexRows(ticket_id, before), TicketIndexRows(ticket_id, after));
}

absl::Status ContactProjection::ScanDated(
    const std::string& prefix, std::optional<absl::CivilDay> from, std::optional<absl::CivilDay> to,
    const std::function<bool(absl::CivilDay, const std::string&, const std::string&)>& fn) const {
  const std::string first = from.has_value() ? FormatDate(*from) : "";
  const std::string last = to.has_value() ? FormatDate(*to) : "";
  absl::Status status;
  RETURN_IF_ERROR(store_->ScanPrefix(
      Family::kIndexes, prefix, [&](const std::string& key, const std::string& value) {
        // key: <prefix><YYYY-MM-DD>/<id>[/<n>]
        const std::string rest = key.substr(prefix.size());
        const std::string date = rest.substr(0, 10);
        if (!first.empty() && date < first) return true;
        if (!last.empty() && date > last) return false;
        std::optional<absl::CivilDay> day = ParseDate(date);
        if (!day.has_value() || rest.size() < 12) {
          status = absl::DataLossError(absl::StrCat("index key ", key, " is malformed"));
          return false;
        }
        std::string id = rest.substr(11);
        if (prefix == "ct/") id = id.substr(0, id.rfind('/'));
        return fn(*day, id, value);
      }));
  return status;
}

absl::Status ContactProjection::ScanLiaisonMembers(
    const std::optional<std::string>& liaison_name,
    const std::function<void(const std::string&, const std::string&)>& fn) const {
  const std::string prefix =
      liaison_name.has_value() ? absl::StrCat("lia/", *liaison_name, "/") : "lia/";
  absl::Status status;
  RETURN_IF_ERROR(
      store_->ScanPrefix(Family::kIndexes, prefix, [&](const std::string& key, const std::string&) {
        // key: lia/<name>/<member>; member ids hold no '/', names may.
        const size_t slash = key.rfind('/');
        if (slash <= 4) {
          status = absl::DataLossError(absl::StrCat("index key ", key, " is malformed"));
          return false;
        }
        const std::string liaison = key.substr(4, slash - 4);
        // "lia/a/" also holds the rows of a liaison named "a/b".
        if (!liaison_name.has_value() || liaison == *liaison_name) {
          fn(liaison, key.substr(slash + 1));
        }
        return true;
      }));
  return status;
}

absl::StatusOr<uint32_t> ContactProjection::CountTracked() const {
  uint32_t count = 0;
  RETURN_IF_ERROR(
      store_->ScanPrefix(Family::kIndexes, "trk/", [&](const std::string&, const std::string&) {
        ++count;
        return true;
      }));
  return count;
}

AggregateKind<ContactMemberState> MemberAggregates(const ContactProjection* projection) {
  return {
      .load = [projection](const std::string& id) -> absl::StatusOr<Loaded<ContactMemberState>> {
        ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection->LoadMember(id));
        if (!member.has_value()) return Loaded<ContactMemberState>{};
        return Loaded<ContactMemberState>{std::move(member->state), member->version};
      },
      .evolve = [](ContactMemberState state,
                   const Event& event) { return Evolve(std::move(state), event); },
      .stage =
          [projection](Transaction& txn, const std::string& id,
                       const Loaded<ContactMemberState>& before, Events events,
                       const ContactMemberState& after) {
            projection->StageMember(txn, id, before.version, before.state, std::move(events),
                                    after);
          },
  };
}

AggregateKind<ConsultationTicket> TicketAggregates(const ContactProjection* projection) {
  return {
      .load = [projection](const std::string& id) -> absl::StatusOr<Loaded<ConsultationTicket>> {
        ASSIGN_OR_RETURN(std::optional<LoadedTicket> ticket, projection->LoadTicket(id));
        if (!ticket.has_value()) return Loaded<ConsultationTicket>{};
        return Loaded<ConsultationTicket>{std::move(ticket->ticket), ticket->version};
      },
      .evolve = [](ConsultationTicket ticket,
                   const Event& event) { return EvolveTicket(std::move(ticket), event); },
      .stage =
          [projection](Transaction& txn, const std::string& id,
                       const Loaded<ConsultationTicket>& before, Events events,
                       const ConsultationTicket& after) {
            projection->StageTicket(txn, id, before.version, before.state, std::move(events),
                                    after);
          },
  };
}

}  // namespace lianxin::contact

namespace lianxin::contact {

AggregateKind<lianxin::v1::LiaisonReportsState> LiaisonReportAggregates(
    const ContactProjection* projection) {
  using lianxin::v1::LiaisonReportsState;
  return {
      .load = [projection](const std::string& id) -> absl::StatusOr<Loaded<LiaisonReportsState>> {
        absl::StatusOr<Aggregate> aggregate = projection->store()->ReadAggregate(id);
        if (absl::IsNotFound(aggregate.status())) return Loaded<LiaisonReportsState>{};
        RETURN_IF_ERROR(aggregate.status());
        Loaded<LiaisonReportsState> loaded;
        loaded.version = aggregate->version;
        if (!loaded.state.ParseFromString(aggregate->state)) {
          return absl::DataLossError(
              absl::StrCat("state of liaison reports ", id, " does not parse"));
        }
        return loaded;
      },
      .evolve = [](LiaisonReportsState state,
                   const Event& event) { return EvolveLiaisonReports(std::move(state), event); },
      .stage =
          [](Transaction& txn, const std::string& id, const Loaded<LiaisonReportsState>& before,
             Events events, const LiaisonReportsState& after) {
            txn.Append(id, before.version, std::move(events), after.SerializeAsString());
          },
  };
}

}  // namespace lianxin::contact
