#include "services/contact/projector.h"

#include "absl/strings/str_cat.h"
#include "libs/memberfacts/member_facts.h"
#include "services/contact/domain/decider.h"
#include "services/contact/domain/liaison_report.h"
#include "services/contact/projection.h"

namespace lianxin::contact {
namespace {

using lianxin::v1::ConsultationTicket;
using lianxin::v1::ContactMemberState;

class ContactProjector : public Projector {
 public:
  ContactProjector(std::string jurisdiction, Settings settings)
      : jurisdiction_(std::move(jurisdiction)), settings_(std::move(settings)) {}

  std::string service() const override { return "contact"; }

  absl::StatusOr<std::string> Evolve(const std::string& state, const Event& event) const override {
    if (PayloadServiceOf(event) != PayloadService::kContact) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", event.event_id(), " (", event.type(), ") is not a contact event"));
    }
    if (IsLiaisonReportsId(event.aggregate_id())) {
      lianxin::v1::LiaisonReportsState reports;
      if (!reports.ParseFromString(state)) {
        return absl::InvalidArgumentError("liaison reports state does not parse");
      }
      return EvolveLiaisonReports(std::move(reports), event).SerializeAsString();
    }
    if (IsTicketId(event.aggregate_id())) {
      ConsultationTicket ticket;
      if (!ticket.ParseFromString(state)) {
        return absl::InvalidArgumentError("ticket state does not parse");
      }
      return EvolveTicket(std::move(ticket), event).SerializeAsString();
    }
    ContactMemberState member;
    if (!member.ParseFromString(state)) {
      return absl::InvalidArgumentError("member state does not parse");
    }
    return contact::Evolve(std::move(member), event).SerializeAsString();
  }

  std::vector<std::pair<std::string, std::string>> IndexRows(
      const std::string& aggregate_id, const std::string& state) const override {
    std::map<std::string, std::string> rows;
    if (IsLiaisonReportsId(aggregate_id)) {
      // A liaison's report log has no index rows.
    } else if (IsTicketId(aggregate_id)) {
      ConsultationTicket ticket;
      if (ticket.ParseFromString(state)) rows = TicketIndexRows(aggregate_id, ticket);
    } else {
      ContactMemberState member;
      if (member.ParseFromString(state)) {
        rows = MemberIndexRows(aggregate_id, member, jurisdiction_, settings_);
      }
    }
    return {rows.begin(), rows.end()};
  }

  std::vector<std::string> UnreplayedIndexPrefixes() const override { return {}; }

 private:
  std::string jurisdiction_;
  Settings settings_;
};

}  // namespace

std::unique_ptr<Projector> NewProjector(const std::string& jurisdiction, const Settings& settings) {
  return std::make_unique<ContactProjector>(jurisdiction, settings);
}

}  // namespace lianxin::contact
