// The contact-tracking part of the Fuyun scenario: liaisons for the focus
// county's members away, a year of contact history (quarterly and thought
// reports, family contacts, contacts recorded by the destination's branch;
// some members fall silent and are found lost by the contact service's
// sweeper, R5), the liaisons' quarterly reports to the branch, and the survey's hotline year: 302
// consultations, 136 difficulties resolved, 52 jobs referred (R14).
//
// GenerateContactPlan is pure (seeded by the plan); LoadContactPlan sends it to
// the counties' ContactTracking services with deterministic request_ids, so a
// re-run changes nothing.
//
//   ContactPlan contacts = GenerateContactPlan(plan, report.member_ids);
//   RETURN_IF_ERROR(LoadContactPlan(contacts, connections, absl::Seconds(60)));
#ifndef LIANXIN_TOOLS_SCENARIO_CONTACT_PLAN_H_
#define LIANXIN_TOOLS_SCENARIO_CONTACT_PLAN_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lianxin/v1/contact.pb.h"
#include "libs/runtime/config.h"
#include "tools/scenario/scenario.pb.h"

namespace lianxin::scenario {

// The survey's hotline figures (domain.md: consultations / difficulties
// solved / jobs found).
inline constexpr int kSurveyConsultations = 302;
inline constexpr int kSurveyDifficultiesResolved = 136;
inline constexpr int kSurveyJobsReferred = 52;

struct ContactPlan {
  std::string focus_county;
  // (acting county, request), in the order to send them.
  std::vector<std::pair<std::string, lianxin::v1::AssignLiaisonRequest>> liaisons;
  std::vector<std::pair<std::string, lianxin::v1::RecordContactRequest>> contacts;
  // Tickets of the focus county; closes[i] closes opens[i] (ticket_id filled
  // in by the loader), unless its request_id is empty (left open).
  std::vector<lianxin::v1::OpenConsultationRequest> opens;
  std::vector<lianxin::v1::CloseConsultationRequest> closes;
  // Members of the focus county who fall silent for more than 6 months.
  int silent_members = 0;
  // The liaisons' reports to the branch for the four quarters before today
  // (issue 16), focus county; two liaisons have not reported for the last one.
  std::vector<lianxin::v1::RecordLiaisonReportRequest> liaison_reports;
  // Liaisons whose report for the last quarter is left missing.
  int liaisons_missing_last_quarter = 0;
};

// `member_ids`: plan key → member id (LoadReport::member_ids). Tickets are
// received in the 363 days before the plan's today.
ContactPlan GenerateContactPlan(const Plan& plan,
                                const std::map<std::string, std::string>& member_ids);

// One county's ContactTracking service and the operator token to act as it.
struct ContactConnection {
  std::string code;
  std::string token;
  std::string address;  // host:port
  TlsFiles tls;         // the endpoints file's; all empty = plaintext (loopback only)
};

// Sends the plan. A contact the service cannot take yet (its registry topic
// has not brought the member: NOT_FOUND, FAILED_PRECONDITION) is retried
// until `step_deadline`.
absl::Status LoadContactPlan(const ContactPlan& plan,
                             const std::vector<ContactConnection>& counties,
                             absl::Duration step_deadline);

}  // namespace lianxin::scenario

#endif  // LIANXIN_TOOLS_SCENARIO_CONTACT_PLAN_H_
