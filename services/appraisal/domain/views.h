// The appraisal's views: pure functions of a member's state
// (AppraisalMemberFacts, the fold of its log) and a date: the months with
// organization life, dues and assigned work, the evidence of a year (R7), lapse
// runs (R6), arrears (R10) and the end of probation (R11). Nothing is
// recomputed by a batch job: queries and the deciders call these.
//
//   std::optional<v1::LapseCandidate> c = LapseCandidateOf(id, facts, today, settings);
#ifndef LIANXIN_SERVICES_APPRAISAL_DOMAIN_VIEWS_H_
#define LIANXIN_SERVICES_APPRAISAL_DOMAIN_VIEWS_H_

#include <optional>
#include <set>
#include <string>

#include "absl/time/civil_time.h"
#include "lianxin/v1/appraisal.pb.h"
#include "lianxin/v1/events.pb.h"
#include "services/appraisal/domain/rules.h"

namespace lianxin::appraisal {

using lianxin::v1::AppraisalMemberFacts;

// The month of a "YYYY-MM-DD" date, or nullopt.
std::optional<absl::CivilMonth> MonthOfDate(const std::string& date);

// R10: the dues base the member's branch set for `year`, or null.
const lianxin::v1::DuesBaseSet* BaseOfYear(const AppraisalMemberFacts& facts, int year);

// Months with organization life (home branch or certificate), with dues
// paid on or before `as_of`, with assigned work; months covered by a
// legitimate reason.
std::set<absl::CivilMonth> OrganizationLifeMonths(const AppraisalMemberFacts& facts);
std::set<absl::CivilMonth> DuesPaidMonths(const AppraisalMemberFacts& facts, absl::CivilDay as_of);
std::set<absl::CivilMonth> AssignedWorkMonths(const AppraisalMemberFacts& facts);
std::set<absl::CivilMonth> ExemptMonths(const AppraisalMemberFacts& facts);
// The first month on record for the member: the later of its joining and
// settings.records_from (nullopt if neither is known).
std::optional<absl::CivilMonth> FirstMonthOnRecord(const AppraisalMemberFacts& facts,
                                                   const Settings& settings);

// The member's evidence for `year`, months counted up to the last complete
// month before `as_of` (and within the year).
lianxin::v1::GetEvidenceReply BuildEvidence(const std::string& member_id,
                                            const AppraisalMemberFacts& facts, int year,
                                            absl::CivilDay as_of, const Settings& settings);

// R6: the member's runs of ≥ 6 months (each condition), or nullopt.
std::optional<lianxin::v1::LapseCandidate> LapseCandidateOf(const std::string& member_id,
                                                            const AppraisalMemberFacts& facts,
                                                            absl::CivilDay as_of,
                                                            const Settings& settings);

// R10: the unpaid months (of years with a dues base) up to the last complete
// month before `as_of`, or nullopt if none.
std::optional<lianxin::v1::DuesArrears> ArrearsOf(const std::string& member_id,
                                                  const AppraisalMemberFacts& facts,
                                                  absl::CivilDay as_of, const Settings& settings);

// R11: the end of probation of a probationary member still undecided
// (neither converted nor cancelled), else nullopt.
std::optional<absl::CivilDay> ProbationDueOn(const AppraisalMemberFacts& facts,
                                             const Settings& settings);

}  // namespace lianxin::appraisal

#endif  // LIANXIN_SERVICES_APPRAISAL_DOMAIN_VIEWS_H_
