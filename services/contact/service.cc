#include "services/contact/service.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/runtime/validate.h"
#include "libs/service/idempotency.h"
#include "libs/service/paging.h"

namespace lianxin::contact {

using lianxin::v1::ContactMemberState;
using lianxin::v1::Event;

namespace {

constexpr size_t kMaxParagraph = 2000;
// The members one liaison report may name.
constexpr int kMaxReportMembers = 500;

std::string Method(const char* rpc) { return absl::StrCat("/lianxin.v1.ContactTracking/", rpc); }

std::string OrEmpty(std::optional<absl::CivilDay> day) {
  return day.has_value() ? FormatDate(*day) : "";
}

}  // namespace

ContactService::ContactService(ContactServiceOptions options)
    : UnaryService("lianxin.v1.ContactTracking", options.plumbing),
      options_(std::move(options)),
      projection_(*options_.projection),
      county_(projection_.jurisdiction(), options_.clock, "contact service", options_.on_system),
      kernel_(projection_.store(), options_.on_commit),
      members_(MemberAggregates(&projection_)),
      tickets_(TicketAggregates(&projection_)),
      liaison_reports_(LiaisonReportAggregates(&projection_)) {
  Serve("AssignLiaison", &ContactService::AssignLiaison);
  Serve("RecordContact", &ContactService::RecordContact);
  Serve("ListOverdue", &ContactService::ListOverdue);
  Serve("OpenConsultation", &ContactService::OpenConsultation);
  Serve("CloseConsultation", &ContactService::CloseConsultation);
  Serve("GetContactStatistics", &ContactService::GetContactStatistics);
  Serve("ListLostContact", &ContactService::ListLostContact);
  Serve("GetContactHistory", &ContactService::GetContactHistory);
  Serve("ListOpenConsultations", &ContactService::ListOpenConsultations);
  Serve("GetLiaisonReport", &ContactService::GetLiaisonReport);
  Serve("RecordLiaisonReport", &ContactService::RecordLiaisonReport);
  Serve("ListMissingLiaisonReports", &ContactService::ListMissingLiaisonReports);
}

absl::Status ContactService::MutateMember(const Principal& caller, const char* rpc,
                                          const std::string& request_id,
                                          const std::string& member_id, uint64_t expected_version,
                                          const Decision& decide,
                                          lianxin::v1::ContactMutationReply* reply) {
  return kernel_.Run(
      {.method = Method(rpc), .request_id = request_id, .reply = reply},
      [&](UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(auto* member, work.Get(members_, member_id));
        if (!member->exists() || member->state.facts().member_id().empty()) {
          return absl::NotFoundError(absl::StrCat("member_id: ", member_id, " is not known to ",
                                                  projection_.jurisdiction(), "'s registry"));
        }
        RETURN_IF_ERROR(CheckExpectedVersion(expected_version, member_id, member->version()));
        ASSIGN_OR_RETURN(Events events,
                         decide(member->state, county_.NewContext(caller, request_id)));
        RETURN_IF_ERROR(work.Add(members_, member_id, std::move(events)).status());
        reply->set_version(member->version());
        return absl::OkStatus();
      });
}

absl::Status ContactService::AssignLiaison(const Principal& caller,
                                           const lianxin::v1::AssignLiaisonRequest& request,
                                           lianxin::v1::ContactMutationReply* reply) {
  RETURN_IF_ERROR(FieldChecker()
                      .RequestId(request.request_id())
                      .Text("member_id", request.member_id(), 1, 64)
                      .Text("liaison_name", request.liaison_name(), 1, 32)
                      .Phone("liaison_phone", request.liaison_phone())
                      .status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return MutateMember(
      caller, "AssignLiaison", request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const ContactMemberState& state, const Context& ctx) {
        return DecideAssignLiaison(state, request, ctx);
      },
      reply);
}

absl::Status ContactService::RecordContact(const Principal& caller,
                                           const lianxin::v1::RecordContactRequest& request,
                                           lianxin::v1::ContactMutationReply* reply) {
  RETURN_IF_ERROR(FieldChecker()
                      .RequestId(request.request_id())
                      .Text("member_id", request.member_id(), 1, 64)
                      .Require(lianxin::v1::ContactChannel_IsValid(request.channel()) &&
                                   request.channel() != lianxin::v1::CONTACT_CHANNEL_UNSPECIFIED,
                               "channel",
                               "is required (PHONE, LETTER, EMAIL, ONLINE, VISIT, IN_PERSON)")
                      .Require(lianxin::v1::ContactKind_IsValid(request.kind()) &&
                                   request.kind() != lianxin::v1::CONTACT_KIND_UNSPECIFIED,
                               "kind",
                               "is required (QUARTERLY_REPORT, THOUGHT_REPORT, LOCATION_CHANGE, "
                               "FAMILY_CONTACT, DESTINATION_ORGANIZATION, OTHER)")
                      .Date("occurred_on", request.occurred_on())
                      .Paragraph("summary", request.summary(), 1, kMaxParagraph)
                      .status());
  const absl::CivilDay today = county_.Today();
  if (*ParseDate(request.occurred_on()) > today) {
    return absl::InvalidArgumentError(absl::StrCat("occurred_on: ", request.occurred_on(),
                                                   " is in the future (today is ",
                                                   FormatDate(today), ")"));
  }
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return MutateMember(
      caller, "RecordContact", request.request_id(), request.member_id(),
      request.expected_version(),
      [&](const ContactMemberState& state, const Context& ctx) {
        return DecideRecordContact(state, request, ctx);
      },
      reply);
}

absl::Status ContactService::ListOverdue(const Principal& caller,
                                         const lianxin::v1::ListOverdueRequest& request,
                                         lianxin::v1::ListOverdueReply* reply) {
  FieldChecker check;
  Pager pager("ListOverdue", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  std::vector<std::string> ids;
  RETURN_IF_ERROR(
      projection_.ScanDated("due/", std::nullopt, as_of - 1,
                            [&](absl::CivilDay, const std::string& id, const std::string&) {
                              ids.push_back(id);
                              return true;
                            }));
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.LoadMember(id));
    if (!member.has_value()) continue;
    const ContactMemberState& s = member->state;
    std::optional<Obligations> o =
        ObligationsOf(s, projection_.jurisdiction(), projection_.settings());
    if (!o.has_value()) continue;
    std::optional<Overdue> late = MostOverdue(*o, as_of);
    if (!late.has_value()) continue;
    lianxin::v1::OverdueMember* m = reply->add_members();
    m->set_member_id(id);
    m->set_name(s.facts().registration().name());
    m->set_last_contact_on(s.last_contact_on());
    m->set_days_overdue(late->days_overdue);
    m->set_lost_contact(s.lost_contact());
    m->set_obligation(late->obligation);
    m->set_due_on(FormatDate(late->due_on));
    m->set_destination_jurisdiction(s.facts().outflow().destination_jurisdiction());
    if (!s.liaisons().empty()) m->set_liaison_name(s.liaisons().rbegin()->liaison_name());
    m->set_last_contact_self_reported(s.last_contact_self_reported());
  }
  reply->set_total_size(pager.Fill(
      [](const lianxin::v1::OverdueMember& m) {
        return OrderKey({DescendingKey(m.days_overdue()), m.member_id()});
      },
      reply->mutable_members(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status ContactService::OpenConsultation(const Principal& caller,
                                              const lianxin::v1::OpenConsultationRequest& request,
                                              lianxin::v1::OpenConsultationReply* reply) {
  FieldChecker check;
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction())
                      .RequestId(request.request_id())
                      .Text("caller_name", request.caller_name(), 1, 32)
                      .Phone("caller_phone", request.caller_phone())
                      .Text("topic", request.topic(), 1, 64)
                      .Paragraph("question", request.question(), 1, kMaxParagraph)
                      .Text("member_id", request.member_id(), 0, 64)
                      .Require(lianxin::v1::CallerKind_IsValid(request.caller_kind()),
                               "caller_kind", "is not a known value")
                      .Text("line", request.line(), 0, 32)
                      .Text("duty_staff", request.duty_staff(), 0, 32)
                      .status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return kernel_.Run(
      {.method = Method("OpenConsultation"), .request_id = request.request_id(), .reply = reply},
      [&](UnitOfWork& work) -> absl::Status {
        const std::string ticket_id =
            TicketId(projection_.jurisdiction(), projection_.store()->LastSequence() + 1);
        ASSIGN_OR_RETURN(Events events,
                         DecideOpenConsultation(ticket_id, request,
                                                county_.NewContext(caller, request.request_id())));
        RETURN_IF_ERROR(work.Seed(tickets_, ticket_id, {}).status());
        RETURN_IF_ERROR(work.Add(tickets_, ticket_id, std::move(events)).status());
        reply->set_ticket_id(ticket_id);
        return absl::OkStatus();
      });
}

absl::Status ContactService::CloseConsultation(const Principal& caller,
                                               const lianxin::v1::CloseConsultationRequest& request,
                                               lianxin::v1::CloseConsultationReply* reply) {
  RETURN_IF_ERROR(
      FieldChecker()
          .RequestId(request.request_id())
          .Text("ticket_id", request.ticket_id(), 1, 64)
          .Paragraph("answer", request.answer(), 1, kMaxParagraph)
          .Require(lianxin::v1::ConsultationResolution_IsValid(request.resolution()) &&
                       request.resolution() != lianxin::v1::CONSULTATION_RESOLUTION_UNSPECIFIED,
                   "resolution",
                   "is required (ANSWERED_AT_ONCE, ANSWERED_AFTER_STUDY, DIFFICULTY_RESOLVED, "
                   "JOB_REFERRED, HANDLED_ON_BEHALF)")
          .status());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  return kernel_.Run(
      {.method = Method("CloseConsultation"),
       .request_id = request.request_id(),
       .reply = reply,
       .retries = 0},
      [&](UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(auto* ticket, work.Get(tickets_, request.ticket_id()));
        if (!ticket->exists() || !IsTicketId(request.ticket_id())) {
          return absl::NotFoundError(absl::StrCat("ticket_id: ", request.ticket_id(),
                                                  " is not a ticket of ",
                                                  projection_.jurisdiction()));
        }
        ASSIGN_OR_RETURN(Events events,
                         DecideCloseConsultation(ticket->state, request,
                                                 county_.NewContext(caller, request.request_id())));
        RETURN_IF_ERROR(work.Add(tickets_, request.ticket_id(), std::move(events)).status());
        reply->set_version(ticket->version());
        return absl::OkStatus();
      });
}

absl::Status ContactService::GetContactStatistics(
    const Principal& caller, const lianxin::v1::GetContactStatisticsRequest& request,
    lianxin::v1::GetContactStatisticsReply* reply) {
  FieldChecker check;
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction())
                      .Date("from", request.from())
                      .status());
  ASSIGN_OR_RETURN(absl::CivilDay to, county_.AsOf("to", request.to()));
  const absl::CivilDay from = *ParseDate(request.from());
  if (to < from) return absl::InvalidArgumentError("to: is before from");
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  RETURN_IF_ERROR(projection_.ScanDated(
      "tk/", from, to, [&](absl::CivilDay, const std::string&, const std::string& value) {
        int resolution = 0;
        const bool from_branch = absl::EndsWith(value, "/b");
        if (!absl::SimpleAtoi(from_branch ? value.substr(0, value.size() - 2) : value,
                              &resolution)) {
          resolution = 0;
        }
        reply->set_consultations(reply->consultations() + 1);
        if (from_branch) reply->set_branch_consultations(reply->branch_consultations() + 1);
        if (resolution == 0) reply->set_consultations_open(reply->consultations_open() + 1);
        if (resolution == lianxin::v1::CONSULTATION_RESOLUTION_DIFFICULTY_RESOLVED) {
          reply->set_difficulties_resolved(reply->difficulties_resolved() + 1);
        }
        if (resolution == lianxin::v1::CONSULTATION_RESOLUTION_JOB_REFERRED) {
          reply->set_jobs_referred(reply->jobs_referred() + 1);
        }
        return true;
      }));
  RETURN_IF_ERROR(projection_.ScanDated(
      "ct/", from, to, [&](absl::CivilDay, const std::string&, const std::string& value) {
        int kind = 0;
        if (!absl::SimpleAtoi(value, &kind)) kind = 0;
        reply->set_contacts(reply->contacts() + 1);
        switch (kind) {
          case lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT:
            reply->set_quarterly_reports(reply->quarterly_reports() + 1);
            break;
          case lianxin::v1::CONTACT_KIND_THOUGHT_REPORT:
            reply->set_thought_reports(reply->thought_reports() + 1);
            break;
          case lianxin::v1::CONTACT_KIND_FAMILY_CONTACT:
            reply->set_family_contacts(reply->family_contacts() + 1);
            break;
          case lianxin::v1::CONTACT_KIND_DESTINATION_ORGANIZATION:
            reply->set_destination_organization_contacts(
                reply->destination_organization_contacts() + 1);
            break;
          default:
            break;
        }
        return true;
      }));
  RETURN_IF_ERROR(projection_.ScanDated(
      "lh/", from, to, [&](absl::CivilDay, const std::string&, const std::string&) {
        reply->set_lost_contact_count(reply->lost_contact_count() + 1);
        return true;
      }));
  RETURN_IF_ERROR(projection_.ScanDated(
      "due/", std::nullopt, to - 1, [&](absl::CivilDay, const std::string&, const std::string&) {
        reply->set_overdue_count(reply->overdue_count() + 1);
        return true;
      }));
  RETURN_IF_ERROR(
      projection_.ScanDated("lost/", std::nullopt, std::nullopt,
                            [&](absl::CivilDay, const std::string&, const std::string&) {
                              reply->set_lost_contact_now(reply->lost_contact_now() + 1);
                              return true;
                            }));
  ASSIGN_OR_RETURN(uint32_t tracked, projection_.CountTracked());
  reply->set_tracked_members(tracked);
  return absl::OkStatus();
}

absl::Status ContactService::ListLostContact(const Principal& caller,
                                             const lianxin::v1::ListLostContactRequest& request,
                                             lianxin::v1::ListLostContactReply* reply) {
  FieldChecker check;
  Pager pager("ListLostContact", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  std::vector<std::string> ids;
  RETURN_IF_ERROR(
      projection_.ScanDated("lost/", std::nullopt, std::nullopt,
                            [&](absl::CivilDay, const std::string& id, const std::string&) {
                              ids.push_back(id);
                              return true;
                            }));
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.LoadMember(id));
    if (!member.has_value()) continue;
    const ContactMemberState& s = member->state;
    lianxin::v1::LostContactMember* m = reply->add_members();
    m->set_member_id(id);
    m->set_name(s.facts().registration().name());
    // The last contact known now (a late entry may be later than the one the
    // flag was decided on, and still leave the member silent).
    m->set_last_contact_on(std::max(s.lost_last_contact_on(), s.last_contact_on()));
    m->set_lost_on(s.lost_on());
    m->set_destination_jurisdiction(s.facts().outflow().destination_jurisdiction());
    if (!s.liaisons().empty()) {
      m->set_liaison_name(s.liaisons().rbegin()->liaison_name());
      m->set_liaison_phone(s.liaisons().rbegin()->liaison_phone());
    }
  }
  reply->set_total_size(pager.Fill(
      [](const lianxin::v1::LostContactMember& m) {
        return OrderKey({m.lost_on(), m.member_id()});
      },
      reply->mutable_members(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status ContactService::GetContactHistory(const Principal& caller,
                                               const lianxin::v1::GetContactHistoryRequest& request,
                                               lianxin::v1::GetContactHistoryReply* reply) {
  FieldChecker check;
  check.Text("member_id", request.member_id(), 1, 64);
  Pager pager("GetContactHistory", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(check.status());
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.LoadMember(request.member_id()));
  if (!member.has_value() || member->state.facts().member_id().empty()) {
    return absl::NotFoundError(absl::StrCat("member_id: ", request.member_id(), " is not known to ",
                                            projection_.jurisdiction()));
  }
  const ContactMemberState& s = member->state;
  reply->set_member_id(request.member_id());
  reply->set_name(s.facts().registration().name());
  reply->set_home_jurisdiction(s.facts().home_jurisdiction());
  reply->set_away(s.facts().away());
  reply->set_away_since(OrEmpty(AwaySince(s)));
  reply->set_destination_jurisdiction(s.facts().outflow().destination_jurisdiction());
  for (auto it = s.liaisons().rbegin(); it != s.liaisons().rend(); ++it) {
    *reply->add_liaisons() = *it;
  }
  reply->set_member_contacts(s.member_contacts());
  reply->set_family_contacts(s.family_contacts());
  reply->set_destination_organization_contacts(s.destination_organization_contacts());
  if (std::optional<Obligations> o =
          ObligationsOf(s, projection_.jurisdiction(), projection_.settings())) {
    reply->set_quarterly_report_due_on(FormatDate(o->quarterly_report_due_on));
    reply->set_thought_report_due_on(FormatDate(o->thought_report_due_on));
    reply->set_annual_contact_due_on(FormatDate(o->annual_contact_due_on));
  }
  reply->set_lost_contact(s.lost_contact());
  reply->set_lost_on(s.lost_on());
  reply->set_last_contact_on(s.last_contact_on());
  reply->set_version(member->version);
  // Contacts page in the order recorded: by the event's version in the log.
  std::map<const lianxin::v1::ContactEntry*, std::string> recorded;
  RETURN_IF_ERROR(projection_.store()->ScanAggregate(request.member_id(), [&](const Event& e) {
    if (!e.has_contact_recorded()) return true;
    lianxin::v1::ContactEntry* entry = reply->add_contacts();
    recorded[entry] = AscendingKey(e.version());
    entry->set_channel(e.contact_recorded().channel());
    entry->set_kind(e.contact_recorded().kind());
    entry->set_occurred_on(e.contact_recorded().occurred_on());
    entry->set_summary(e.contact_recorded().summary());
    entry->set_recorded_in(e.contact_recorded().recorded_in());
    entry->set_actor(e.actor());
    entry->set_self_reported(e.contact_recorded().self_reported());
    entry->set_event_id(e.event_id());
    return true;
  }));
  reply->set_total_size(
      pager.Fill([&](const lianxin::v1::ContactEntry& entry) { return recorded.at(&entry); },
                 reply->mutable_contacts(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::Status ContactService::ListOpenConsultations(
    const Principal& caller, const lianxin::v1::ListOpenConsultationsRequest& request,
    lianxin::v1::ListOpenConsultationsReply* reply) {
  FieldChecker check;
  Pager pager("ListOpenConsultations", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  const absl::CivilDay last_received = as_of - projection_.settings().consultation_open_days - 1;
  std::vector<std::string> ids;
  RETURN_IF_ERROR(
      projection_.ScanDated("op/", std::nullopt, last_received,
                            [&](absl::CivilDay, const std::string& id, const std::string&) {
                              ids.push_back(id);
                              return true;
                            }));
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(std::optional<LoadedTicket> ticket, projection_.LoadTicket(id));
    if (!ticket.has_value()) continue;
    const absl::CivilDay received = CountyDay(FromTimestamp(ticket->ticket.received_at()));
    if (!ConsultationLongOpen(received, as_of, projection_.settings())) continue;
    lianxin::v1::ConsultationTicket* t = reply->add_tickets();
    *t = ticket->ticket;
    t->set_days_open(DaysBetween(received, as_of));
  }
  reply->set_total_size(pager.Fill(
      [](const lianxin::v1::ConsultationTicket& t) {
        return OrderKey({AscendingKey(t.received_at().seconds()),
                         AscendingKey(t.received_at().nanos()), t.ticket_id()});
      },
      reply->mutable_tickets(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LoadedMember>> ContactService::MembersInCharge(
    const std::string& liaison_name, const ReportPeriod& period) const {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(projection_.ScanLiaisonMembers(
      liaison_name, [&](const std::string&, const std::string& id) { ids.push_back(id); }));
  std::vector<LoadedMember> members;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(std::optional<LoadedMember> member, projection_.LoadMember(id));
    if (!member.has_value()) continue;
    if (InLiaisonCharge(member->state, liaison_name, projection_.jurisdiction(), period)) {
      members.push_back(*std::move(member));
    }
  }
  return members;
}

absl::Status ContactService::GetLiaisonReport(const Principal& caller,
                                              const lianxin::v1::GetLiaisonReportRequest& request,
                                              lianxin::v1::GetLiaisonReportReply* reply) {
  FieldChecker check;
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction())
                      .Text("liaison_name", request.liaison_name(), 1, 32)
                      .Date("period_start", request.period_start(), /*optional=*/true)
                      .Date("period_end", request.period_end(), /*optional=*/true)
                      .status());
  const absl::CivilDay today = county_.Today();
  ASSIGN_OR_RETURN(ReportPeriod period,
                   RequestedReportPeriod(request.period_start(), request.period_end(), today,
                                         projection_.settings()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  ASSIGN_OR_RETURN(std::vector<LoadedMember> members,
                   MembersInCharge(request.liaison_name(), period));
  ASSIGN_OR_RETURN(LoadedLiaisonReports reports,
                   projection_.LoadLiaisonReports(request.liaison_name()));
  reply->set_jurisdiction(projection_.jurisdiction());
  reply->set_liaison_name(request.liaison_name());
  reply->set_period_start(FormatDate(period.start));
  reply->set_period_end(FormatDate(period.end));
  reply->set_drafted_on(FormatDate(today));
  for (const LoadedMember& m : members) {
    *reply->add_members() = SummarizeForReport(m.state, period, today, projection_.jurisdiction(),
                                               projection_.settings());
    reply->set_liaison_phone(m.state.liaisons().rbegin()->liaison_phone());
  }
  std::stable_sort(reply->mutable_members()->begin(), reply->mutable_members()->end(),
                   [](const auto& a, const auto& b) { return a.name() < b.name(); });
  *reply->mutable_totals() = TotalsOf(reply->members());
  if (std::optional<lianxin::v1::LiaisonReported> made = ReportFor(reports.reports, period)) {
    reply->set_reported(true);
    reply->set_reported_on(made->reported_on());
  }
  reply->set_version(reports.version);
  return absl::OkStatus();
}

absl::Status ContactService::RecordLiaisonReport(
    const Principal& caller, const lianxin::v1::RecordLiaisonReportRequest& request,
    lianxin::v1::RecordLiaisonReportReply* reply) {
  FieldChecker check;
  county_.Jurisdiction(check, "jurisdiction", request.jurisdiction())
      .RequestId(request.request_id())
      .Text("liaison_name", request.liaison_name(), 1, 32)
      .Date("period_start", request.period_start(), /*optional=*/true)
      .Date("period_end", request.period_end(), /*optional=*/true)
      .Date("reported_on", request.reported_on(), /*optional=*/true)
      .Paragraph("branch_notes", request.branch_notes(), 0, kMaxParagraph)
      .Require(request.member_ids_size() <= kMaxReportMembers, "member_ids",
               absl::StrCat("names more than ", kMaxReportMembers, " members"));
  std::set<std::string> seen;
  for (int i = 0; i < request.member_ids_size(); ++i) {
    const std::string field = absl::StrCat("member_ids[", i, "]");
    check.Text(field, request.member_ids(i), 1, 64)
        .Require(seen.insert(request.member_ids(i)).second, field, "is named twice");
  }
  RETURN_IF_ERROR(check.status());
  const absl::CivilDay today = county_.Today();
  ASSIGN_OR_RETURN(ReportPeriod period,
                   RequestedReportPeriod(request.period_start(), request.period_end(), today,
                                         projection_.settings()));
  const absl::CivilDay reported_on =
      request.reported_on().empty() ? today : *ParseDate(request.reported_on());
  RETURN_IF_ERROR(county_.AuthorizeChange(caller));
  const std::string id = LiaisonReportsId(projection_.jurisdiction(), request.liaison_name());
  const std::vector<std::string> covered(request.member_ids().begin(), request.member_ids().end());
  return kernel_.Run(
      {.method = Method("RecordLiaisonReport"), .request_id = request.request_id(), .reply = reply},
      [&](UnitOfWork& work) -> absl::Status {
        ASSIGN_OR_RETURN(auto* reports, work.Get(liaison_reports_, id));
        RETURN_IF_ERROR(CheckExpectedVersion(request.expected_version(), id, reports->version()));
        ASSIGN_OR_RETURN(std::vector<LoadedMember> members,
                         MembersInCharge(request.liaison_name(), period));
        std::vector<std::string> in_charge;
        for (const LoadedMember& m : members) in_charge.push_back(m.state.member_id());
        ASSIGN_OR_RETURN(Events events, DecideRecordLiaisonReport(
                                            reports->state, request.liaison_name(), period,
                                            reported_on, request.branch_notes(), in_charge, covered,
                                            county_.NewContext(caller, request.request_id())));
        ASSIGN_OR_RETURN(auto* after, work.Add(liaison_reports_, id, std::move(events)));
        reply->set_version(after->version());
        const lianxin::v1::LiaisonReported& made = *after->state.reports().rbegin();
        *reply->mutable_member_ids() = made.member_ids();
        reply->set_period_start(made.period_start());
        reply->set_period_end(made.period_end());
        return absl::OkStatus();
      });
}

absl::Status ContactService::ListMissingLiaisonReports(
    const Principal& caller, const lianxin::v1::ListMissingLiaisonReportsRequest& request,
    lianxin::v1::ListMissingLiaisonReportsReply* reply) {
  FieldChecker check;
  Pager pager("ListMissingLiaisonReports", request.page_size(), request.page_token(), check);
  RETURN_IF_ERROR(county_.Jurisdiction(check, "jurisdiction", request.jurisdiction()).status());
  ASSIGN_OR_RETURN(absl::CivilDay as_of, county_.AsOf("as_of", request.as_of()));
  RETURN_IF_ERROR(county_.AuthorizeRead(caller));
  const ReportPeriod period = LastReportPeriod(as_of, projection_.settings());
  reply->set_period_start(FormatDate(period.start));
  reply->set_period_end(FormatDate(period.end));
  std::vector<std::string> liaisons;
  RETURN_IF_ERROR(projection_.ScanLiaisonMembers(
      std::nullopt, [&](const std::string& liaison, const std::string&) {
        if (liaisons.empty() || liaisons.back() != liaison) liaisons.push_back(liaison);
      }));
  for (const std::string& liaison : liaisons) {
    ASSIGN_OR_RETURN(std::vector<LoadedMember> members, MembersInCharge(liaison, period));
    if (members.empty()) continue;
    reply->set_liaisons_due(reply->liaisons_due() + 1);
    ASSIGN_OR_RETURN(LoadedLiaisonReports reports, projection_.LoadLiaisonReports(liaison));
    if (!ReportMissing(reports.reports, period, members.size())) {
      reply->set_liaisons_reported(reply->liaisons_reported() + 1);
      continue;
    }
    lianxin::v1::MissingLiaisonReport* missing = reply->add_liaisons();
    missing->set_liaison_name(liaison);
    missing->set_liaison_phone(members.front().state.liaisons().rbegin()->liaison_phone());
    missing->set_members(members.size());
    for (const lianxin::v1::LiaisonReported& made : reports.reports.reports()) {
      if (made.period_end() >= missing->last_period_end()) {
        missing->set_last_period_end(made.period_end());
        missing->set_last_reported_on(made.reported_on());
      }
    }
  }
  reply->set_total_size(
      pager.Fill([](const lianxin::v1::MissingLiaisonReport& m) { return m.liaison_name(); },
                 reply->mutable_liaisons(), reply->mutable_next_page_token()));
  return absl::OkStatus();
}

}  // namespace lianxin::contact
