#include "services/education/domain/rules.h"

#include "libs/common/time_util.h"

namespace lianxin::education {

using lianxin::v1::CourseMode;

absl::CivilDay CountyDay(int64_t unix_seconds) {
  return absl::ToCivilDay(absl::FromUnixSeconds(unix_seconds), CountyTimeZone());
}

int64_t Seconds(const google::protobuf::Timestamp& t) { return t.seconds(); }

bool Overlaps(const Interval& a, const Interval& b) { return a.start < b.end && b.start < a.end; }

std::optional<lianxin::v1::Booking> CalendarClash(const lianxin::v1::CalendarState& calendar,
                                                  const Interval& interval) {
  for (const auto& booking : calendar.bookings()) {
    if (Overlaps({Seconds(booking.starts_at()), Seconds(booking.ends_at())}, interval)) {
      return booking;
    }
  }
  return std::nullopt;
}

std::optional<lianxin::v1::Enrolment> EnrolmentClash(const lianxin::v1::MemberEducation& member,
                                                     const Interval& interval) {
  for (const auto& enrolment : member.enrolments()) {
    if (Overlaps({Seconds(enrolment.starts_at()), Seconds(enrolment.ends_at())}, interval)) {
      return enrolment;
    }
  }
  return std::nullopt;
}

bool SessionFull(const lianxin::v1::Session& session) {
  return static_cast<uint32_t>(session.enrolled_size()) >= session.capacity();
}

bool IsDeliveryMode(CourseMode mode) {
  return mode == lianxin::v1::COURSE_MODE_MAIL || mode == lianxin::v1::COURSE_MODE_HOME_DELIVERY ||
         mode == lianxin::v1::COURSE_MODE_ONLINE;
}

bool IsSchedulableMode(CourseMode mode) {
  return mode != lianxin::v1::COURSE_MODE_UNSPECIFIED && mode != lianxin::v1::COURSE_MODE_MAIL &&
         mode != lianxin::v1::COURSE_MODE_HOME_DELIVERY;
}

bool NeedsPlace(CourseMode mode) { return mode != lianxin::v1::COURSE_MODE_ONLINE; }

bool MeetsPreDeparture(absl::CivilDay on, absl::CivilDay left_on, const Settings& settings) {
  return on < left_on && left_on - on <= settings.pre_departure_window_days;
}

uint32_t CreditedHours(const lianxin::v1::EducationEntry& entry) {
  if (entry.kind() == "attendance" && !entry.attended()) return 0;
  return entry.hours();
}

bool BelowFloor(uint32_t hours, const Settings& settings) { return hours < settings.floor_hours; }

YearlyRecord RecordOfYear(const lianxin::v1::MemberEducation& member, int year,
                          absl::CivilDay as_of, const Settings& settings) {
  YearlyRecord record;
  for (const auto& entry : member.entries()) {
    std::optional<absl::CivilDay> on = ParseDate(entry.occurred_on());
    if (!on.has_value() || on->year() != year || *on > as_of) continue;
    record.hours += CreditedHours(entry);
    if (entry.kind() == "attendance" && entry.attended()) ++record.sessions_attended;
    if (entry.kind() == "delivery") ++record.deliveries;
  }
  for (const auto& departure : member.pre_departures()) {
    std::optional<absl::CivilDay> left_on = ParseDate(departure.left_on());
    if (!left_on.has_value() || left_on->year() != year) continue;
    if (departure.met_on().empty()) record.pre_departure_done = false;
  }
  record.below_floor = BelowFloor(record.hours, settings);
  return record;
}

std::optional<ExpectedHome> ExpectedHomeIn(const lianxin::v1::MemberEducation& member,
                                           absl::CivilDay window_start, absl::CivilDay window_end,
                                           bool include_residents, const Settings& settings) {
  if (member.away()) {
    std::optional<absl::CivilDay> back = ParseDate(member.expected_return_on());
    if (back.has_value() && *back <= window_end) {
      return ExpectedHome{lianxin::v1::EXPECTED_HOME_KIND_RETURNING, std::max(*back, window_start)};
    }
    std::optional<absl::CivilDay> visit_from = ParseDate(member.visit_home_from());
    std::optional<absl::CivilDay> visit_until = ParseDate(member.visit_home_until());
    if (visit_from.has_value() && visit_until.has_value() && *visit_from <= window_end &&
        *visit_until >= window_start) {
      return ExpectedHome{lianxin::v1::EXPECTED_HOME_KIND_VISITING,
                          std::max(*visit_from, window_start)};
    }
    return std::nullopt;
  }
  if (std::optional<absl::CivilDay> returned = ParseDate(member.returned_on());
      returned.has_value() && *returned <= window_end &&
      window_end - *returned <= settings.returned_within_days) {
    return ExpectedHome{lianxin::v1::EXPECTED_HOME_KIND_RETURNED,
                        std::max(*returned, window_start)};
  }
  if (include_residents)
    return ExpectedHome{lianxin::v1::EXPECTED_HOME_KIND_RESIDENT, window_start};
  return std::nullopt;
}

}  // namespace lianxin::education
