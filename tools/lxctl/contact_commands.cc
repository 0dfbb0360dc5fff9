// lxctl's ContactTracking subcommands (R4, R5, R14, R15): see main.cc for the CLI.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "tools/lxctl/commands.h"

namespace lianxin::lxctl {
namespace {

namespace v1 = lianxin::v1;
using Stub = v1::ContactTracking::Stub;

using ContactClient = Client<v1::ContactTracking>;

absl::StatusOr<ContactClient> Connect(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ServiceChannel channel, ConnectTo(args, "contact"));
  return ContactClient(std::move(channel));
}

std::vector<FlagSpec> AsOfFlags() {
  return WithGlobalFlags({{.name = "as-of",
                           .value_name = "YYYY-MM-DD",
                           .help = "(default: today by the county's clock)"}});
}

// "2026-03-01 09:30" in the county's time (UTC+8), or "" when unset.
std::string CountyTime(const google::protobuf::Timestamp& at) {
  if (at.seconds() == 0 && at.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M", FromTimestamp(at), CountyTimeZone());
}

// An optional instant flag given as YYYY-MM-DD[THH:MM] in the county's time.
absl::Status SetInstant(const ParsedArgs& args, absl::string_view flag,
                        google::protobuf::Timestamp* out) {
  if (!args.Has(flag)) return absl::OkStatus();
  const std::string text = args.Get(flag);
  absl::Time t;
  std::string error;
  const absl::TimeZone county = CountyTimeZone();
  if (!absl::ParseTime("%Y-%m-%dT%H:%M", text, county, &t, &error) &&
      !absl::ParseTime("%Y-%m-%d", text, county, &t, &error)) {
    return UsageError(absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM, got ", text)));
  }
  ToTimestamp(t, out);
  return absl::OkStatus();
}

absl::StatusOr<int> RunAssignLiaison(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(uint64_t expected_version, UintFlag(args, "expected-version"));
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::AssignLiaisonRequest request;
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  request.set_expected_version(expected_version);
  request.set_liaison_name(args.Get("liaison"));
  request.set_liaison_phone(args.Get("phone"));
  v1::ContactMutationReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::AssignLiaison, request, &reply));
  return PrintMutation(args, args.member(), reply.version(), reply);
}

absl::StatusOr<int> RunRecordContact(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(uint64_t expected_version, UintFlag(args, "expected-version"));
  ASSIGN_OR_RETURN(int channel, EnumFlag(args, "channel", *v1::ContactChannel_descriptor()));
  ASSIGN_OR_RETURN(int kind, EnumFlag(args, "kind", *v1::ContactKind_descriptor()));
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::RecordContactRequest request;
  request.set_request_id(RequestId(args));
  request.set_member_id(args.member());
  request.set_expected_version(expected_version);
  request.set_channel(static_cast<v1::ContactChannel>(channel));
  request.set_kind(static_cast<v1::ContactKind>(kind));
  request.set_occurred_on(args.Get("on"));
  request.set_summary(args.Get("summary"));
  v1::ContactMutationReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::RecordContact, request, &reply));
  return PrintMutation(args, args.member(), reply.version(), reply);
}

absl::StatusOr<int> RunOverdue(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::ListOverdueRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_as_of(args.Get("as-of"));
  v1::ListOverdueReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListOverdue, request, &reply,
                                      &v1::ListOverdueReply::mutable_members));
  return PrintReply(args, reply, [&] {
    Table table(
        {"MEMBER", "NAME", "OBLIGATION", "DUE", "DAYS", "LAST CONTACT", "LOST", "TO", "LIAISON"});
    for (const v1::OverdueMember& m : reply.members()) {
      table.AddRow({m.member_id(), m.name(), m.obligation(), m.due_on(),
                    absl::StrCat(m.days_overdue()), m.last_contact_on(),
                    m.lost_contact() ? "yes" : "", m.destination_jurisdiction(), m.liaison_name()});
    }
    Print(absl::StrCat(table.Render(), reply.members_size(), " overdue\n"));
  });
}

absl::StatusOr<int> RunLostContact(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::ListLostContactRequest request;
  request.set_jurisdiction(client.county().code);
  v1::ListLostContactReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListLostContact, request, &reply,
                                      &v1::ListLostContactReply::mutable_members));
  return PrintReply(args, reply, [&] {
    Table table({"MEMBER", "NAME", "LAST CONTACT", "LOST ON", "TO", "LIAISON", "PHONE"});
    for (const v1::LostContactMember& m : reply.members()) {
      table.AddRow({m.member_id(), m.name(), m.last_contact_on(), m.lost_on(),
                    m.destination_jurisdiction(), m.liaison_name(), m.liaison_phone()});
    }
    Print(absl::StrCat(table.Render(), reply.members_size(), " lost contact\n"));
  });
}

absl::StatusOr<int> RunContacts(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::GetContactHistoryRequest request;
  request.set_member_id(args.member());
  v1::GetContactHistoryReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::GetContactHistory, request, &reply,
                                      &v1::GetContactHistoryReply::mutable_contacts));
  return PrintReply(args, reply, [&] {
    Table liaisons({"LIAISON", "PHONE", "ASSIGNED"});
    for (const v1::LiaisonTerm& t : reply.liaisons()) {
      liaisons.AddRow({t.liaison_name(), t.liaison_phone(), t.assigned_on()});
    }
    Table contacts({"ON", "KIND", "CHANNEL", "RECORDED IN", "SUMMARY"});
    for (const v1::ContactEntry& c : reply.contacts()) {
      contacts.AddRow({c.occurred_on(), EnumLabel(*v1::ContactKind_descriptor(), c.kind()),
                       EnumLabel(*v1::ContactChannel_descriptor(), c.channel()), c.recorded_in(),
                       c.summary()});
    }
    Print(
        absl::StrCat(FieldTable(reply).Render(), "\n", liaisons.Render(), "\n", contacts.Render()));
  });
}

absl::StatusOr<int> RunOpenConsultation(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::OpenConsultationRequest request;
  request.set_request_id(RequestId(args));
  request.set_jurisdiction(client.county().code);
  request.set_caller_name(args.Get("caller"));
  request.set_caller_phone(args.Get("phone"));
  request.set_topic(args.Get("topic"));
  request.set_question(args.Get("question"));
  request.set_member_id(args.Get("member"));
  RETURN_IF_ERROR(SetInstant(args, "received-at", request.mutable_received_at()));
  v1::OpenConsultationReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::OpenConsultation, request, &reply));
  return PrintReply(args, reply, [&] { Print(absl::StrCat(reply.ticket_id(), "\n")); });
}

absl::StatusOr<int> RunCloseConsultation(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(int resolution,
                   EnumFlag(args, "resolution", *v1::ConsultationResolution_descriptor()));
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::CloseConsultationRequest request;
  request.set_request_id(RequestId(args));
  request.set_ticket_id(args.Get("ticket"));
  request.set_answer(args.Get("answer"));
  request.set_resolution(static_cast<v1::ConsultationResolution>(resolution));
  RETURN_IF_ERROR(SetInstant(args, "closed-at", request.mutable_closed_at()));
  v1::CloseConsultationReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::CloseConsultation, request, &reply));
  return PrintMutation(args, request.ticket_id(), reply.version(), reply);
}

absl::StatusOr<int> RunOpenConsultations(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::ListOpenConsultationsRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_as_of(args.Get("as-of"));
  v1::ListOpenConsultationsReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListOpenConsultations, request, &reply,
                                      &v1::ListOpenConsultationsReply::mutable_tickets));
  return PrintReply(args, reply, [&] {
    Table table({"TICKET", "RECEIVED", "DAYS", "CALLER", "PHONE", "TOPIC"});
    for (const v1::ConsultationTicket& t : reply.tickets()) {
      table.AddRow({t.ticket_id(), CountyTime(t.received_at()), absl::StrCat(t.days_open()),
                    t.caller_name(), t.caller_phone(), t.topic()});
    }
    Print(absl::StrCat(table.Render(), reply.tickets_size(), " open too long\n"));
  });
}

absl::StatusOr<int> RunContactStats(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::GetContactStatisticsRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_from(args.Get("from"));
  request.set_to(args.Get("to"));
  v1::GetContactStatisticsReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::GetContactStatistics, request, &reply));
  return PrintReply(args, reply, [&] { Print(FieldTable(reply).Render()); });
}

std::vector<FlagSpec> PeriodFlags(std::vector<FlagSpec> more) {
  more.insert(more.begin(),
              {{.name = "period-start",
                .value_name = "YYYY-MM-DD",
                .help = "first day of the report period (default: the last complete quarter)"},
               {.name = "period-end",
                .value_name = "YYYY-MM-DD",
                .help = "its last day (with --period-start)"}});
  return more;
}

absl::StatusOr<int> RunLiaisonReport(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::GetLiaisonReportRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_liaison_name(args.Get("liaison"));
  request.set_period_start(args.Get("period-start"));
  request.set_period_end(args.Get("period-end"));
  v1::GetLiaisonReportReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::GetLiaisonReport, request, &reply));
  return PrintReply(args, reply, [&] {
    Table table({"MEMBER", "NAME", "TO", "QUARTERLY", "THOUGHT", "SELF", "ABOUT", "LAST IN PERIOD",
                 "NEXT DUE", "OVERDUE", "LOST"});
    for (const v1::LiaisonReportMember& m : reply.members()) {
      table.AddRow(
          {m.member_id(), m.name(), m.destination_jurisdiction(),
           absl::StrCat(m.quarterly_reports()), absl::StrCat(m.thought_reports()),
           absl::StrCat(m.self_contacts()), absl::StrCat(m.contacts_about()),
           m.last_contact_in_period_on(),
           m.next_due_on().empty() ? "" : absl::StrCat(m.next_obligation(), " ", m.next_due_on()),
           m.overdue() ? absl::StrCat(m.days_overdue(), " days") : "",
           m.lost_contact() ? m.lost_on() : ""});
    }
    const v1::LiaisonReportTotals& t = reply.totals();
    Print(absl::StrCat(
        "联络人 ", reply.liaison_name(), " ", reply.liaison_phone(), "  period ",
        reply.period_start(), " to ", reply.period_end(), "  drafted ", reply.drafted_on(), "\n",
        table.Render(), t.members(), " members, ", t.members_contacted(), " contacted, ",
        t.members_not_contacted(), " not; ", t.contacts(), " contacts (", t.self_contacts(),
        " with the member, ", t.contacts_about(), " about them); ", t.overdue(), " overdue, ",
        t.lost_contact(), " lost contact\n",
        reply.reported() ? absl::StrCat("reported to the branch on ", reply.reported_on())
                         : std::string("not reported to the branch yet"),
        "\n"));
  });
}

absl::StatusOr<int> RunRecordLiaisonReport(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(uint64_t expected_version, UintFlag(args, "expected-version"));
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::RecordLiaisonReportRequest request;
  request.set_request_id(RequestId(args));
  request.set_jurisdiction(client.county().code);
  request.set_liaison_name(args.Get("liaison"));
  request.set_expected_version(expected_version);
  request.set_period_start(args.Get("period-start"));
  request.set_period_end(args.Get("period-end"));
  request.set_reported_on(args.Get("on"));
  request.set_branch_notes(args.Get("notes"));
  if (args.Has("members")) {
    for (absl::string_view id : absl::StrSplit(args.Get("members"), ',', absl::SkipEmpty())) {
      request.add_member_ids(std::string(id));
    }
  }
  v1::RecordLiaisonReportReply reply;
  RETURN_IF_ERROR(client.Call(&Stub::RecordLiaisonReport, request, &reply));
  return PrintReply(args, reply, [&] {
    Print(absl::StrCat(request.liaison_name(), " reported for ", reply.period_start(), " to ",
                       reply.period_end(), ": ", reply.member_ids_size(), " members, version ",
                       reply.version(), "\n"));
  });
}

absl::StatusOr<int> RunMissingLiaisonReports(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(ContactClient client, Connect(args));
  v1::ListMissingLiaisonReportsRequest request;
  request.set_jurisdiction(client.county().code);
  request.set_as_of(args.Get("as-of"));
  v1::ListMissingLiaisonReportsReply reply;
  RETURN_IF_ERROR(client.CallAllPages(&Stub::ListMissingLiaisonReports, request, &reply,
                                      &v1::ListMissingLiaisonReportsReply::mutable_liaisons));
  return PrintReply(args, reply, [&] {
    Table table({"LIAISON", "PHONE", "MEMBERS", "LAST PERIOD", "REPORTED ON"});
    for (const v1::MissingLiaisonReport& m : reply.liaisons()) {
      table.AddRow({m.liaison_name(), m.liaison_phone(), absl::StrCat(m.members()),
                    m.last_period_end(), m.last_reported_on()});
    }
    Print(absl::StrCat(table.Render(), reply.liaisons_size(), " of ", reply.liaisons_due(),
                       " liaisons have not reported for ", reply.period_start(), " to ",
                       reply.period_end(), "\n"));
  });
}

}  // namespace

std::vector<Command> ContactCommands() {
  return {
      {{.name = "assign-liaison",
        .positional = Positional::kMember,
        .summary = "Assigns or reassigns the member's liaison (AssignLiaison).",
        .flags = MutationFlags({
            {.name = "liaison",
             .value_name = "NAME",
             .help = "the branch committee member",
             .required = true,
             .aliases = {"liaison-name"}},
            {.name = "phone",
             .value_name = "PHONE",
             .help = "the liaison's phone",
             .required = true,
             .aliases = {"liaison-phone"}},
        })},
       RunAssignLiaison},
      {{.name = "record-contact",
        .positional = Positional::kMember,
        .summary = "Records a contact with a member away or about them, R4/R15 (RecordContact).",
        .flags = MutationFlags({
            {.name = "channel",
             .value_name = "CHANNEL",
             .help = "PHONE, LETTER, EMAIL, ONLINE, VISIT or IN_PERSON",
             .required = true},
            {.name = "kind",
             .value_name = "KIND",
             .help = "QUARTERLY_REPORT, THOUGHT_REPORT, LOCATION_CHANGE, FAMILY_CONTACT, "
                     "DESTINATION_ORGANIZATION or OTHER",
             .required = true},
            {.name = "on",
             .value_name = "YYYY-MM-DD",
             .help = "the day it happened (not in the future)",
             .required = true,
             .aliases = {"occurred-on"}},
            {.name = "summary",
             .value_name = "TEXT",
             .help = "what was said or done",
             .required = true},
        })},
       RunRecordContact},
      {{.name = "overdue",
        .summary = "Lists members whose R4 contact is overdue, most overdue first (ListOverdue).",
        .flags = AsOfFlags()},
       RunOverdue},
      {{.name = "lost-contact",
        .summary = "Lists members flagged lost contact, R5 (ListLostContact).",
        .flags = WithGlobalFlags({})},
       RunLostContact},
      {{.name = "contacts",
        .positional = Positional::kMember,
        .summary = "Shows a member's liaisons, due dates and contacts (GetContactHistory).",
        .flags = WithGlobalFlags({})},
       RunContacts},
      {{.name = "open-consultation",
        .summary = "Logs a hotline call, R14 (OpenConsultation); prints the ticket id.",
        .flags = MutationFlags(
            {
                {.name = "caller",
                 .value_name = "NAME",
                 .help = "who called",
                 .required = true,
                 .aliases = {"caller-name"}},
                {.name = "phone",
                 .value_name = "PHONE",
                 .help = "the caller's phone",
                 .required = true,
                 .aliases = {"caller-phone"}},
                {.name = "topic",
                 .value_name = "TEXT",
                 .help = "the matter in a few words",
                 .required = true},
                {.name = "question",
                 .value_name = "TEXT",
                 .help = "the question",
                 .required = true},
                {.name = "member", .value_name = "MEMBER", .help = "the member concerned"},
                {.name = "received-at",
                 .value_name = "YYYY-MM-DD[THH:MM]",
                 .help = "when the call came in, county time (default: now)"},
            },
            /*on_member=*/false)},
       RunOpenConsultation},
      {{.name = "close-consultation",
        .summary = "Closes a hotline ticket with the answer, R14 (CloseConsultation).",
        .flags = MutationFlags(
            {
                {.name = "ticket",
                 .value_name = "TICKET",
                 .help = "the ticket id",
                 .required = true,
                 .aliases = {"ticket-id"}},
                {.name = "answer",
                 .value_name = "TEXT",
                 .help = "the answer given",
                 .required = true},
                {.name = "resolution",
                 .value_name = "RESOLUTION",
                 .help = "ANSWERED_AT_ONCE, ANSWERED_AFTER_STUDY, DIFFICULTY_RESOLVED, "
                         "JOB_REFERRED or HANDLED_ON_BEHALF",
                 .required = true},
                {.name = "closed-at",
                 .value_name = "YYYY-MM-DD[THH:MM]",
                 .help = "when it was closed, county time (default: now)"},
            },
            /*on_member=*/false)},
       RunCloseConsultation},
      {{.name = "open-consultations",
        .summary = "Lists hotline tickets open longer than the county's days, R14 "
                   "(ListOpenConsultations).",
        .flags = AsOfFlags()},
       RunOpenConsultations},
      {{.name = "contact-stats",
        .summary = "Shows the county's contact and hotline figures for a period "
                   "(GetContactStatistics).",
        .flags = WithGlobalFlags({
            {.name = "from", .value_name = "YYYY-MM-DD", .help = "first day", .required = true},
            {.name = "to", .value_name = "YYYY-MM-DD", .help = "last day (default: today)"},
        })},
       RunContactStats},
      {{.name = "liaison-report",
        .summary = "Drafts a liaison's report to the branch on the members in their charge for "
                   "a quarter (GetLiaisonReport).",
        .flags = WithGlobalFlags(PeriodFlags({
            {.name = "liaison",
             .value_name = "NAME",
             .help = "the liaison, as assigned",
             .required = true,
             .aliases = {"liaison-name"}},
        }))},
       RunLiaisonReport},
      {{.name = "record-liaison-report",
        .summary = "Records that a liaison reported to the branch for a quarter "
                   "(RecordLiaisonReport).",
        .flags = MutationFlags(PeriodFlags({
                                   {.name = "liaison",
                                    .value_name = "NAME",
                                    .help = "the liaison, as assigned",
                                    .required = true,
                                    .aliases = {"liaison-name"}},
                                   {.name = "on",
                                    .value_name = "YYYY-MM-DD",
                                    .help = "the day of the report (default: today)",
                                    .aliases = {"reported-on"}},
                                   {.name = "notes",
                                    .value_name = "TEXT",
                                    .help = "the branch's notes",
                                    .aliases = {"branch-notes"}},
                                   {.name = "members",
                                    .value_name = "MEMBER,...",
                                    .help = "the members covered (default: all in the "
                                            "liaison's charge)"},
                                   {.name = "expected-version",
                                    .value_name = "N",
                                    .help = "fail with ABORTED unless the liaison's report log "
                                            "is at version N (0 = any)"},
                               }),
                               /*on_member=*/false)},
       RunRecordLiaisonReport},
      {{.name = "missing-liaison-reports",
        .summary = "Lists liaisons whose report for the last quarter is missing "
                   "(ListMissingLiaisonReports).",
        .flags = AsOfFlags()},
       RunMissingLiaisonReports},
  };
}

}  // namespace lianxin::lxctl
