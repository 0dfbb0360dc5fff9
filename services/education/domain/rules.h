// The education rules (domain.md R12, R13), one function per rule. Pure: no
// I/O, no clock. Times are Unix seconds; calendar days are the county's
// (UTC+8).
//
//   if (std::optional<lianxin::v1::Booking> clash = CalendarClash(lecturer, {start, end})) ...
//   YearlyRecord record = RecordOfYear(member, 2026, as_of, settings);
#ifndef LIANXIN_SERVICES_EDUCATION_DOMAIN_RULES_H_
#define LIANXIN_SERVICES_EDUCATION_DOMAIN_RULES_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lianxin/v1/education.pb.h"
#include "lianxin/v1/events.pb.h"
#include "libs/common/time_util.h"

namespace lianxin::education {

// A daily time slot of concentrated training, in county time.
struct Slot {
  int start_minute = 9 * 60;  // minutes after midnight
  int minutes = 180;
};

// Per-county settings.
struct Settings {
  // R12: class hours a member must have in a calendar year.
  uint32_t floor_hours = 32;
  // R12: education counts as pre-departure when given at most this many days
  // before the departure date (and before it).
  int pre_departure_window_days = 90;
  // Planning: a return recorded this many days before a window still counts
  // the member as home for it.
  int returned_within_days = 60;
  // Planning: the daily slots of concentrated training.
  std::vector<Slot> slots = {{9 * 60, 180}, {15 * 60, 180}};
  // Counties running lianxin (training at a destination is routed to them).
  std::set<std::string> on_system;
};

// The county's calendar day of an instant given in Unix seconds.
absl::CivilDay CountyDay(int64_t unix_seconds);
int64_t Seconds(const google::protobuf::Timestamp& t);

// A half-open time interval [start, end) in Unix seconds.
struct Interval {
  int64_t start = 0;
  int64_t end = 0;
};

// Scheduling (R12): two sessions overlap when each starts before the other
// ends; touching sessions (one ends when the next starts) do not.
bool Overlaps(const Interval& a, const Interval& b);

// Scheduling (R12): a lecturer, or a place, cannot be in two overlapping
// sessions. Returns the booking `interval` clashes with, if any.
std::optional<lianxin::v1::Booking> CalendarClash(const lianxin::v1::CalendarState& calendar,
                                                  const Interval& interval);

// Scheduling (R12): a member cannot be enrolled in two overlapping sessions.
// Returns the enrolment `interval` clashes with, if any.
std::optional<lianxin::v1::Enrolment> EnrolmentClash(const lianxin::v1::MemberEducation& member,
                                                     const Interval& interval);

// Scheduling (R12): a session is full when its enrolments reach its capacity.
bool SessionFull(const lianxin::v1::Session& session);

// R13: material is delivered by mail, home delivery or online; sessions are
// held for the other modes.
bool IsDeliveryMode(lianxin::v1::CourseMode mode);
bool IsSchedulableMode(lianxin::v1::CourseMode mode);
// An online session has no place to double-book.
bool NeedsPlace(lianxin::v1::CourseMode mode);

// R12: education on `on` counts for a departure on `left_on` when it comes
// before the departure day and at most pre_departure_window_days earlier.
bool MeetsPreDeparture(absl::CivilDay on, absl::CivilDay left_on, const Settings& settings);

// The credit an entry gives: hours of an attendance or a delivery.
uint32_t CreditedHours(const lianxin::v1::EducationEntry& entry);

// A member's education in one calendar year, counting entries up to `as_of`.
struct YearlyRecord {
  uint32_t hours = 0;
  uint32_t sessions_attended = 0;
  uint32_t deliveries = 0;
  // Every departure of the year had its education (true when none was due).
  bool pre_departure_done = true;
  bool below_floor = false;
};
YearlyRecord RecordOfYear(const lianxin::v1::MemberEducation& member, int year,
                          absl::CivilDay as_of, const Settings& settings);

// R12: fewer class hours than the yearly floor.
bool BelowFloor(uint32_t hours, const Settings& settings);

// Planning (R12: concentrated training when members come home for the Spring
// Festival): whether and when the member is home in [window_start,
// window_end]. A member away is expected home from expected_return_on when
// that falls in or before the window; a member who came home within
// returned_within_days before the window's end is home; a member away who
// visits home (VisitHomeRecorded) on days in the window is home from the first
// of them; residents only when asked for.
struct ExpectedHome {
  lianxin::v1::ExpectedHomeKind kind = lianxin::v1::EXPECTED_HOME_KIND_UNSPECIFIED;
  absl::CivilDay from;  // first day home in the window
};
std::optional<ExpectedHome> ExpectedHomeIn(const lianxin::v1::MemberEducation& member,
                                           absl::CivilDay window_start, absl::CivilDay window_end,
                                           bool include_residents, const Settings& settings);

}  // namespace lianxin::education

#endif  // LIANXIN_SERVICES_EDUCATION_DOMAIN_RULES_H_
