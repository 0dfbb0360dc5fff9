#include "tools/scenario/contact_plan.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "grpcpp/grpcpp.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "libs/common/time_util.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/rpc.h"

namespace lianxin::scenario {
namespace {

namespace v1 = lianxin::v1;

constexpr const char* kLiaisons[][2] = {
    {"王建国", "13909061101"}, {"李秀英", "13909061102"}, {"马国庆", "13909061103"},
    {"哈力木", "13909061104"}, {"张春梅", "13909061105"}, {"努尔兰", "13909061106"},
};
constexpr const char* kTopics[] = {"组织关系转接", "务工求职", "党费缴纳", "流动党员活动证",
                                   "子女入学",     "社保医保", "工资拖欠", "学习资料"};

struct Away {
  const Member* member;
  absl::CivilDay left_on;
  std::string destination;
  bool received = false;        // the destination recorded the arrival
  absl::CivilDay last_left_on;  // the last outflow's left_on (the registry's now)
};

// The focus county's members away at the end of the plan (its own members, and
// members transferred in to it who left again): away since their first
// outflow from it, at the destination of the last (a change of destination).
std::vector<Away> MembersAway(const Plan& plan) {
  std::vector<Away> away;
  for (const Member& member : plan.members()) {
    bool is_away = false;
    for (const ExpectedStatus& e : member.expected_status()) {
      if (e.county() == plan.focus_county() && (e.status() == v1::MEMBER_STATUS_OUTFLOW_PENDING ||
                                                e.status() == v1::MEMBER_STATUS_OUTFLOW_RECEIVED ||
                                                e.status() == v1::MEMBER_STATUS_TRANSFER_PENDING)) {
        is_away = true;
      }
    }
    if (!is_away) continue;
    Away a{&member, absl::CivilDay(), "", false, absl::CivilDay()};
    bool found = false;
    for (const Step& step : member.steps()) {
      if (step.has_register_outflow() && step.county() == plan.focus_county()) {
        std::optional<absl::CivilDay> left = ParseDate(step.register_outflow().left_on());
        if (!left.has_value()) continue;
        if (!found) a.left_on = *left;  // away since the first outflow
        a.last_left_on = *left;
        a.destination = step.register_outflow().destination_jurisdiction();
        a.received = false;
        found = true;
      }
      if (step.has_record_arrival() && step.county() == a.destination) a.received = true;
    }
    if (found) away.push_back(a);
  }
  return away;
}

std::string SummaryOf(v1::ContactKind kind, int n) {
  switch (kind) {
    case v1::CONTACT_KIND_QUARTERLY_REPORT:
      return absl::StrCat("季度汇报（第", n, "次）：务工情况稳定，按时参加所在地组织生活");
    case v1::CONTACT_KIND_THOUGHT_REPORT:
      return "思想汇报：学习党的创新理论，结合务工实际谈体会";
    case v1::CONTACT_KIND_FAMILY_CONTACT:
      return "走访家属：家中老人身体健康，已转达支部问候";
    case v1::CONTACT_KIND_DESTINATION_ORGANIZATION:
      return "流入地党组织反馈：该党员参加主题党日，表现良好";
    default:
      return "电话联系：告知近期情况";
  }
}

}  // namespace

ContactPlan GenerateContactPlan(const Plan& plan,
                                const std::map<std::string, std::string>& member_ids) {
  ContactPlan out;
  out.focus_county = plan.focus_county();
  const absl::CivilDay today = ParseDate(plan.today()).value_or(absl::CivilDay(2026, 1, 1));
  const std::string prefix = absl::StrCat("scn", plan.seed(), "-contact-");
  const std::vector<Away> away = MembersAway(plan);
  for (size_t i = 0; i < away.size(); ++i) {
    const Away& a = away[i];
    auto id = member_ids.find(a.member->key());
    if (id == member_ids.end()) continue;
    const std::string& member_id = id->second;
    v1::AssignLiaisonRequest liaison;
    liaison.set_request_id(absl::StrCat(prefix, a.member->key(), "-liaison"));
    liaison.set_member_id(member_id);
    liaison.set_liaison_name(kLiaisons[i % std::size(kLiaisons)][0]);
    liaison.set_liaison_phone(kLiaisons[i % std::size(kLiaisons)][1]);
    out.liaisons.push_back({plan.focus_county(), liaison});

    // Every fifth member falls silent after the first report; one in seven
    // stops after the quarter before last (overdue); the rest report every quarter.
    const bool silent = i % 5 == 4 && today - a.left_on > 200;
    if (silent) ++out.silent_members;
    const bool misses_last_quarter = i % 7 == 3;
    int n = 0;
    auto add = [&](const std::string& county, v1::ContactKind kind, v1::ContactChannel channel,
                   absl::CivilDay on) {
      if (on < a.left_on || on > today) return;
      v1::RecordContactRequest r;
      r.set_request_id(absl::StrCat(prefix, a.member->key(), "-", ++n));
      r.set_member_id(member_id);
      r.set_channel(channel);
      r.set_kind(kind);
      r.set_occurred_on(FormatDate(on));
      r.set_summary(SummaryOf(kind, n));
      out.contacts.push_back({county, r});
    };
    const absl::CivilMonth first(a.left_on);
    const absl::CivilMonth last(today);
    const absl::CivilMonth last_quarter_start =
        absl::CivilMonth(today.year(), ((today.month() - 1) / 3) * 3 + 1) - 3;
    int quarters = 0;
    for (absl::CivilMonth m = first; m <= last; ++m) {
      const bool quarter_end = m.month() % 3 == 0;
      const absl::CivilDay report_day = absl::CivilDay(m) + static_cast<int>(10 + i % 15);
      if (quarter_end || m == last) {
        if (silent && quarters >= 1) break;
        const bool skipped = misses_last_quarter && m >= last_quarter_start;
        if (!skipped) {
          add(plan.focus_county(), v1::CONTACT_KIND_QUARTERLY_REPORT, v1::CONTACT_CHANNEL_PHONE,
              report_day);
          ++quarters;
        }
      }
      if (m.month() % 6 == 0 && !silent) {
        add(plan.focus_county(), v1::CONTACT_KIND_THOUGHT_REPORT, v1::CONTACT_CHANNEL_LETTER,
            report_day);
      }
      if (m.month() == 5 && i % 2 == 0 && !silent) {  // R16: the publicity and service month
        add(plan.focus_county(), v1::CONTACT_KIND_FAMILY_CONTACT, v1::CONTACT_CHANNEL_VISIT,
            report_day);
      }
      if (a.received && m.month() % 6 == 3 && !silent) {
        add(a.destination, v1::CONTACT_KIND_DESTINATION_ORGANIZATION, v1::CONTACT_CHANNEL_ONLINE,
            report_day);
      }
    }
  }

  // The liaisons' reports to the branch (联络人定期向支部汇报) for the four
  // quarters before today's, each filed 5 to 14 days after its quarter ends,
  // for the quarters in which one of the liaison's members was away; the
  // second and fifth liaisons have not reported for the last quarter yet.
  {
    // liaison → the earliest day one of their members is away since, as the
    // registry has it now (the last outflow's left_on).
    std::map<size_t, absl::CivilDay> first_left;
    for (size_t i = 0; i < away.size(); ++i) {
      if (!member_ids.contains(away[i].member->key())) continue;
      const size_t l = i % std::size(kLiaisons);
      if (!first_left.contains(l) || away[i].last_left_on < first_left[l]) {
        first_left[l] = away[i].last_left_on;
      }
    }
    const absl::CivilDay this_quarter(today.year(), ((today.month() - 1) / 3) * 3 + 1, 1);
    for (const auto& [l, left_on] : first_left) {
      const bool misses_last = l == 1 || l == 4;
      if (misses_last) ++out.liaisons_missing_last_quarter;
      for (int back = 4; back >= 1; --back) {
        const absl::CivilDay start(absl::CivilMonth(this_quarter) - 3 * back);
        const absl::CivilDay end = absl::CivilDay(absl::CivilMonth(start) + 3) - 1;
        if (left_on > end || (back == 1 && misses_last)) continue;
        v1::RecordLiaisonReportRequest r;
        r.set_request_id(absl::StrCat(prefix, "liaison-report-", l, "-", FormatDate(start)));
        r.set_jurisdiction(plan.focus_county());
        r.set_liaison_name(kLiaisons[l][0]);
        r.set_period_start(FormatDate(start));
        r.set_period_end(FormatDate(end));
        r.set_reported_on(FormatDate(std::min(today, end + static_cast<int>(5 + (l * 3) % 10))));
        r.set_branch_notes(absl::StrCat("支委会听取", kLiaisons[l][0],
                                        "汇报所联系流动党员的季度情况，逐人研究了下季度联系安排"));
        out.liaison_reports.push_back(r);
      }
    }
  }

  // The hotline year (R14): exactly the survey's figures.
  std::vector<v1::ConsultationResolution> resolutions;
  resolutions.insert(resolutions.end(), kSurveyDifficultiesResolved,
                     v1::CONSULTATION_RESOLUTION_DIFFICULTY_RESOLVED);
  resolutions.insert(resolutions.end(), kSurveyJobsReferred,
                     v1::CONSULTATION_RESOLUTION_JOB_REFERRED);
  const int others = kSurveyConsultations - kSurveyDifficultiesResolved - kSurveyJobsReferred;
  for (int k = 0; k < others; ++k) {
    resolutions.push_back(k % 5 == 4   ? v1::CONSULTATION_RESOLUTION_HANDLED_ON_BEHALF
                          : k % 2 == 0 ? v1::CONSULTATION_RESOLUTION_ANSWERED_AT_ONCE
                                       : v1::CONSULTATION_RESOLUTION_ANSWERED_AFTER_STUDY);
  }
  std::mt19937_64 rng(plan.seed());
  std::shuffle(resolutions.begin(), resolutions.end(), rng);
  // Two tickets received about three weeks before today, neither a difficulty
  // resolved nor a job referred, stay open (listed once open too long).
  std::set<int> left_open;
  for (int k = kSurveyConsultations - 15; k >= 0 && left_open.size() < 2; --k) {
    if (resolutions[k] != v1::CONSULTATION_RESOLUTION_DIFFICULTY_RESOLVED &&
        resolutions[k] != v1::CONSULTATION_RESOLUTION_JOB_REFERRED) {
      left_open.insert(k);
    }
  }
  for (int k = 0; k < kSurveyConsultations; ++k) {
    const absl::CivilDay day = today - 363 + (k * 362) / kSurveyConsultations;
    const absl::Time received = absl::FromCivil(
        absl::CivilSecond(day.year(), day.month(), day.day(), 9 + k % 8, 15, 0), CountyTimeZone());
    v1::OpenConsultationRequest open;
    open.set_request_id(absl::StrCat("scn", plan.seed(), "-ticket-", k));
    open.set_jurisdiction(plan.focus_county());
    open.set_caller_name(k % 3 == 0 ? "流动党员" : k % 3 == 1 ? "党员家属" : "企业党组织");
    open.set_caller_phone(absl::StrCat("1390906", 1000 + k));
    open.set_topic(kTopics[k % std::size(kTopics)]);
    open.set_question(absl::StrCat("咨询", kTopics[k % std::size(kTopics)], "事宜"));
    ToTimestamp(received, open.mutable_received_at());
    out.opens.push_back(open);
    v1::CloseConsultationRequest close;
    if (!left_open.contains(k)) {
      close.set_request_id(absl::StrCat("scn", plan.seed(), "-close-", k));
      close.set_answer(resolutions[k] == v1::CONSULTATION_RESOLUTION_JOB_REFERRED
                           ? "已推荐至县人社局招聘岗位"
                           : "已答复并跟进办理");
      close.set_resolution(resolutions[k]);
      const absl::Duration after = resolutions[k] == v1::CONSULTATION_RESOLUTION_ANSWERED_AT_ONCE
                                       ? absl::Minutes(20)
                                       : absl::Hours(26);
      ToTimestamp(received + after, close.mutable_closed_at());
    }
    out.closes.push_back(close);
  }
  return out;
}

absl::Status LoadContactPlan(const ContactPlan& plan,
                             const std::vector<ContactConnection>& counties,
                             absl::Duration step_deadline) {
  struct Stub {
    std::string token;
    std::unique_ptr<v1::ContactTracking::Stub> stub;
  };
  std::map<std::string, Stub> stubs;
  for (const ContactConnection& c : counties) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(c.address, c.tls);
    if (!channel.ok()) return channel.status();
    stubs[c.code] = {c.token, v1::ContactTracking::NewStub(*channel)};
  }
  // Calls `rpc` at `county`, retrying while the service cannot take it yet.
  auto call =
      [&](const std::string& county, const std::string& what,
          const std::function<grpc::Status(v1::ContactTracking::Stub&, grpc::ClientContext*)>& rpc)
      -> absl::Status {
    auto it = stubs.find(county);
    if (it == stubs.end()) {
      return absl::FailedPreconditionError(absl::StrCat("no contact service for ", county));
    }
    const absl::Time deadline = absl::Now() + step_deadline;
    for (absl::Duration backoff = absl::Milliseconds(50);;
         backoff = std::min(backoff * 2, absl::Seconds(1))) {
      grpc::ClientContext context;
      context.AddMetadata("authorization", absl::StrCat("Bearer ", it->second.token));
      context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      grpc::Status s = rpc(*it->second.stub, &context);
      if (s.ok()) return absl::OkStatus();
      const bool not_yet = s.error_code() == grpc::StatusCode::NOT_FOUND ||
                           s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
                           s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED;
      if (!not_yet || absl::Now() + backoff > deadline) {
        const absl::Status status = FromGrpcStatus(s);
        return absl::Status(status.code(),
                            absl::StrCat(what, " at ", county, ": ", status.message()));
      }
      absl::SleepFor(backoff);
    }
  };
  for (const auto& [county, request] : plan.liaisons) {
    v1::ContactMutationReply reply;
    absl::Status s = call(
        county, absl::StrCat("AssignLiaison ", request.member_id()),
        [&](auto& stub, auto* context) { return stub.AssignLiaison(context, request, &reply); });
    if (!s.ok()) return s;
  }
  for (const auto& [county, request] : plan.contacts) {
    v1::ContactMutationReply reply;
    absl::Status s = call(
        county, absl::StrCat("RecordContact ", request.request_id()),
        [&](auto& stub, auto* context) { return stub.RecordContact(context, request, &reply); });
    if (!s.ok()) return s;
  }
  for (const v1::RecordLiaisonReportRequest& request : plan.liaison_reports) {
    v1::RecordLiaisonReportReply reply;
    absl::Status s = call(
        plan.focus_county,
        absl::StrCat("RecordLiaisonReport ", request.liaison_name(), " ", request.period_start()),
        [&](auto& stub, auto* context) {
          return stub.RecordLiaisonReport(context, request, &reply);
        });
    if (!s.ok()) return s;
  }
  for (size_t k = 0; k < plan.opens.size(); ++k) {
    v1::OpenConsultationReply opened;
    absl::Status s = call(plan.focus_county, absl::StrCat("OpenConsultation ", k),
                          [&](auto& stub, auto* context) {
                            return stub.OpenConsultation(context, plan.opens[k], &opened);
                          });
    if (!s.ok()) return s;
    if (plan.closes[k].request_id().empty()) continue;
    v1::CloseConsultationRequest close = plan.closes[k];
    close.set_ticket_id(opened.ticket_id());
    v1::CloseConsultationReply closed;
    s = call(
        plan.focus_county, absl::StrCat("CloseConsultation ", opened.ticket_id()),
        [&](auto& stub, auto* context) { return stub.CloseConsultation(context, close, &closed); });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace lianxin::scenario
