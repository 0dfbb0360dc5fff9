// Calendar dates and protobuf timestamps, one way everywhere.
//
// Calendar dates travel as "YYYY-MM-DD" strings (api-contract.md); instants as
// google.protobuf.Timestamp.
//
//   std::optional<absl::CivilDay> day = ParseDate("2026-02-28");
//   ToTimestamp(clock.Now(), event.mutable_occurred_at());
#ifndef LIANXIN_LIBS_COMMON_TIME_UTIL_H_
#define LIANXIN_LIBS_COMMON_TIME_UTIL_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace lianxin {

// Parses "YYYY-MM-DD" (zero-padded, a real calendar day). nullopt otherwise.
std::optional<absl::CivilDay> ParseDate(std::string_view text);
// "YYYY-MM-DD".
std::string FormatDate(absl::CivilDay day);

// The counties' civil time: China Standard Time, UTC+8, all year. Every
// "today" and every date of an instant is taken in it.
absl::TimeZone CountyTimeZone();

// Whole days from `from` to `to` (negative if `to` is earlier).
int DaysBetween(absl::CivilDay from, absl::CivilDay to);
// `day` plus `months` calendar months, clamped to the month's last day
// (2026-01-31 + 1 month = 2026-02-28).
absl::CivilDay AddMonths(absl::CivilDay day, int months);

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* ts);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_COMMON_TIME_UTIL_H_
