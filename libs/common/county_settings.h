// The settings a county owns (domain.md: the *local* rules and the county's
// own numbers), read by every service of the county from one file.
//
// The file holds "key = value" lines; '#' starts a comment; a key not given
// keeps its default (Fuyun's values, domain.md). Every value is checked when
// the service starts: a bad one is an error naming the line and the key, and
// the service does not start.
//
//   # /etc/lianxin/654322.settings
//   quarterly_report_months = 3   # R4: a contact report each quarter
//   class_hour_floor = 40         # R12: more than the national 32
//
//   ASSIGN_OR_RETURN(CountySettings s, LoadCountySettings(path));
//   contact_settings.quarterly_report_months = s.quarterly_report_months;
#ifndef LIANXIN_LIBS_COMMON_COUNTY_SETTINGS_H_
#define LIANXIN_LIBS_COMMON_COUNTY_SETTINGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lianxin {

struct CountySettings {
  // R1 (local): an absence of at least this many months is reported (1–6).
  int report_after_months = 3;
  // R4 (local) cadence: a contact report each period of this many months, a
  // thought report each period of that many (each divides 12; thought ≥ contact).
  int quarterly_report_months = 3;
  int thought_report_months = 6;
  // R4 grace: a member who left fewer than this many days before the end of
  // a period reports first at the end of the next one (0–90).
  int first_report_grace_days = 30;
  // R8 (local): a long-term holder mails the certificate back this often (1–12).
  int mail_back_check_months = 3;
  // R9 grace: a transfer receipt is due within this many months (1–6).
  int receipt_due_months = 1;
  // R10 grace: dues paid more than this many months late are flagged (1–24).
  int back_payment_limit_months = 6;
  // R12: class hours a member needs in a year (32–200; 32 is the national floor).
  int class_hour_floor = 32;
  // R12: pre-departure education counts this many days before leaving (1–365).
  int pre_departure_window_days = 90;
  // R12 (festival plan): a return this many days before the window still
  // counts as home (0–180).
  int returned_within_days = 60;
  // R12: the festival window's default: days before and after the Spring
  // Festival (0–60 each).
  int festival_days_before = 7;
  int festival_days_after = 15;
  // R14 (local): a hotline ticket open more than this many days is listed (1–90).
  int consultation_open_days = 7;
  // R16 (local): the publicity and service month (1–12; May).
  int service_month = 5;
};

// Parses the file's text. INVALID_ARGUMENT naming the line and key for an
// unknown key, a key given twice, a value that is not a whole number, or one
// out of its range.
absl::StatusOr<CountySettings> ParseCountySettings(absl::string_view text);

// Reads and parses the file at `path`; the defaults when `path` is empty.
// NOT_FOUND naming the path when it cannot be read.
absl::StatusOr<CountySettings> LoadCountySettings(const std::string& path);

// The file named by --county_settings (or LIANXIN_COUNTY_SETTINGS): what a
// service's main calls when it starts.
absl::StatusOr<CountySettings> CountySettingsFromFlag();

}  // namespace lianxin

#endif  // LIANXIN_LIBS_COMMON_COUNTY_SETTINGS_H_
