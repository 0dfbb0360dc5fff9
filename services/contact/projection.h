// The contact service's RocksDB view: the member and ticket states (aggregate
// states) and the query indexes derived from them, kept in the same
// Transaction as the events. Index rows (Family::kIndexes) are a pure function
// of (aggregate id, state) — IndexRows — so a change rewrites exactly the rows
// that differ and lxaudit can rebuild them from the log:
//   due/<earliest R4 due date>/<member>   members tracked at home (ListOverdue)
//   swp/<lost_on>/<member>                tracked, not flagged lost (the sweeper, R5)
//   lost/<lost_on>/<member>               flagged lost now (ListLostContact)
//   lh/<lost_on>/<member>                 every lost contact (statistics by period)
//   ct/<occurred_on>/<member>/<n>         every contact, value = kind (statistics)
//   trk/<member>                          tracked at home now
//   tk/<received day>/<ticket>            every ticket, value = resolution (0 = open)
//   op/<received day>/<ticket>            tickets still open (R14)
//   lia/<liaison name>/<member>           the member's current liaison, home here
//                                         (the liaison's report, issue 16)
//
//   ContactProjection projection(store, "654322", settings);
//   ASSIGN_OR_RETURN(std::optional<LoadedMember> m, projection.LoadMember(member_id));
#ifndef LIANXIN_SERVICES_CONTACT_PROJECTION_H_
#define LIANXIN_SERVICES_CONTACT_PROJECTION_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lianxin/v1/events.pb.h"
#include "libs/eventstore/event_store.h"
#include "libs/service/command.h"
#include "services/contact/domain/decider.h"
#include "services/contact/domain/liaison_report.h"

namespace lianxin::contact {

struct LoadedMember {
  lianxin::v1::ContactMemberState state;
  uint64_t version = 0;
};

struct LoadedLiaisonReports {
  lianxin::v1::LiaisonReportsState reports;
  uint64_t version = 0;
};

struct LoadedTicket {
  lianxin::v1::ConsultationTicket ticket;
  uint64_t version = 0;
};

// The index rows of one aggregate (member or ticket, told apart by its id).
std::map<std::string, std::string> MemberIndexRows(const std::string& member_id,
                                                   const lianxin::v1::ContactMemberState& state,
                                                   const std::string& jurisdiction,
                                                   const Settings& settings);
std::map<std::string, std::string> TicketIndexRows(const std::string& ticket_id,
                                                   const lianxin::v1::ConsultationTicket& ticket);

class ContactProjection {
 public:
  // `store` is not owned and must outlive the projection.
  ContactProjection(EventStore* store, std::string jurisdiction, Settings settings);

  const std::string& jurisdiction() const { return jurisdiction_; }
  const Settings& settings() const { return settings_; }
  EventStore* store() const { return store_; }

  // The member's state and version, or nullopt if this log has none.
  absl::StatusOr<std::optional<LoadedMember>> LoadMember(const std::string& member_id) const;
  absl::StatusOr<std::optional<LoadedTicket>> LoadTicket(const std::string& ticket_id) const;
  // The liaison's report log (LiaisonReportsId), empty at version 0 if none.
  absl::StatusOr<LoadedLiaisonReports> LoadLiaisonReports(const std::string& liaison_name) const;

  // Adds to `txn` the append of `events` (aggregate at `expected_version`),
  // the new state and the index rows that changed.
  void StageMember(Transaction& txn, const std::string& member_id, uint64_t expected_version,
                   const lianxin::v1::ContactMemberState& before,
                   std::vector<lianxin::v1::Event> events,
                   const lianxin::v1::ContactMemberState& after) const;
  void StageTicket(Transaction& txn, const std::string& ticket_id, uint64_t expected_version,
                   const lianxin::v1::ConsultationTicket& before,
                   std::vector<lianxin::v1::Event> events,
                   const lianxin::v1::ConsultationTicket& after) const;

  // Calls fn(date, aggregate id, value) for the rows of `prefix` ("due/",
  // "swp/", "lost/", "lh/", "ct/", "tk/", "op/") whose date is in [from, to]
  // (nullopt = unbounded), in date order, until fn returns false.
  absl::Status ScanDated(const std::string& prefix, std::optional<absl::CivilDay> from,
                         std::optional<absl::CivilDay> to,
                         const std::function<bool(absl::CivilDay date, const std::string& id,
                                                  const std::string& value)>& fn) const;
  // Calls fn(liaison name, member id) for the members whose current liaison
  // is `liaison_name` (every liaison when nullopt), by liaison then member.
  absl::Status ScanLiaisonMembers(
      const std::optional<std::string>& liaison_name,
      const std::function<void(const std::string& liaison, const std::string& member_id)>& fn)
      const;
  // Number of members tracked at home now.
  absl::StatusOr<uint32_t> CountTracked() const;

 private:
  void StageRows(Transaction& txn, const std::map<std::string, std::string>& before,
                 const std::map<std::string, std::string>& after) const;

  EventStore* store_;
  std::string jurisdiction_;
  Settings settings_;
};

// The members and the consultation tickets of `projection` as the command
// kernel loads, evolves and stages them (none recorded: version 0).
AggregateKind<lianxin::v1::ContactMemberState> MemberAggregates(
    const ContactProjection* projection);
AggregateKind<lianxin::v1::ConsultationTicket> TicketAggregates(
    const ContactProjection* projection);
// Liaisons' report logs (no index rows of their own).
AggregateKind<lianxin::v1::LiaisonReportsState> LiaisonReportAggregates(
    const ContactProjection* projection);

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_PROJECTION_H_
