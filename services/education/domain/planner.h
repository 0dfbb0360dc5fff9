// The seasonal training planner (R12: concentrated training when members come
// home for the Spring Festival; R13: members choose their topics). Pure and
// deterministic: the same input gives the same plan.
//
// Two steps:
//   1. GenerateCandidates: days of the window × daily slots × places, each
//      given the most wanted topic that has a course and a free lecturer
//      (no lecturer or place used twice at one time, existing bookings kept).
//   2. PlanSessions: assigns members to candidates, one session each,
//      preferred topics first, most constrained members first; a candidate is
//      opened (becomes a planned session) when its first member is placed and
//      its lecturer and place are free; capacity and members' enrolments are
//      respected; every member left out gets a reason.
//
//   std::vector<Candidate> candidates = GenerateCandidates(space);
//   PlanResult plan = PlanSessions(members, candidates, busy);
#ifndef LIANXIN_SERVICES_EDUCATION_DOMAIN_PLANNER_H_
#define LIANXIN_SERVICES_EDUCATION_DOMAIN_PLANNER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "lianxin/v1/education.pb.h"
#include "services/education/domain/rules.h"

namespace lianxin::education {

// A member to place.
struct PlanMember {
  std::string member_id;
  // Most wanted first.
  std::vector<lianxin::v1::CourseTopic> preferences;
  // When the member is home: [available.start, available.end).
  Interval available;
  // Sessions the member is already enrolled in.
  std::vector<Interval> busy;
  lianxin::v1::ExpectedHomeKind kind = lianxin::v1::EXPECTED_HOME_KIND_UNSPECIFIED;
};

// A session that could be held.
struct Candidate {
  std::string course_id;
  std::string title;
  lianxin::v1::CourseTopic topic = lianxin::v1::COURSE_TOPIC_UNSPECIFIED;
  lianxin::v1::CourseMode mode = lianxin::v1::COURSE_MODE_UNSPECIFIED;
  uint32_t hours = 0;
  // Empty for an online session (no place to book).
  std::string place;
  std::string lecturer;
  Interval time;
  uint32_t capacity = 0;
};

// Existing bookings of lecturers and places, by name.
struct Busy {
  std::map<std::string, std::vector<Interval>> lecturers;
  std::map<std::string, std::vector<Interval>> places;
};

struct PlanCourse {
  std::string course_id;
  std::string title;
  lianxin::v1::CourseTopic topic = lianxin::v1::COURSE_TOPIC_UNSPECIFIED;
  lianxin::v1::CourseMode mode = lianxin::v1::COURSE_MODE_UNSPECIFIED;
  uint32_t hours = 0;
};
struct PlanPlace {
  std::string name;
  uint32_t capacity = 0;
};
struct PlanLecturer {
  std::string name;
  // Empty: teaches every topic.
  std::vector<lianxin::v1::CourseTopic> topics;
};

// What candidates are made of.
struct CandidateSpace {
  absl::CivilDay window_start;
  absl::CivilDay window_end;  // inclusive
  std::vector<Slot> slots;
  std::vector<PlanCourse> courses;
  std::vector<PlanPlace> places;
  std::vector<PlanLecturer> lecturers;
  Busy busy;
  // Members' preferences, to put the most wanted topics first.
  std::vector<PlanMember> members;
  size_t max_candidates = 500;
};

// Deterministic candidates (at most max_candidates), in time order.
std::vector<Candidate> GenerateCandidates(const CandidateSpace& space);

struct PlannedAssignment {
  size_t member = 0;     // index into the members given
  size_t candidate = 0;  // index into the candidates given
  bool preferred = false;
};
struct PlannedUnplaced {
  size_t member = 0;
  lianxin::v1::UnplacedReason reason = lianxin::v1::UNPLACED_REASON_UNSPECIFIED;
};
struct PlanResult {
  // Candidates opened (indices), by start time, then index.
  std::vector<size_t> opened;
  // Number of members assigned to each candidate (size = candidates).
  std::vector<uint32_t> assigned;
  // By member id.
  std::vector<PlannedAssignment> assignments;
  std::vector<PlannedUnplaced> unplaced;
};

// Places members (see the file comment). Every member is either assigned
// once or unplaced with a reason.
PlanResult PlanSessions(const std::vector<PlanMember>& members,
                        const std::vector<Candidate>& candidates, const Busy& busy);

// Readable reason.
std::string UnplacedDetail(lianxin::v1::UnplacedReason reason);

}  // namespace lianxin::education

#endif  // LIANXIN_SERVICES_EDUCATION_DOMAIN_PLANNER_H_
