#include "libs/common/county_settings.h"

#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

ABSL_FLAG(std::string, county_settings, "",
          "The county's settings file (key = value lines; libs/common/county_settings.h). "
          "Empty: the defaults of domain.md.");

namespace lianxin {
namespace {

// One key: its field, its range, and an extra check.
struct Key {
  const char* name;
  int CountySettings::*field;
  int min;
  int max;
  bool divides_12 = false;
};

const std::vector<Key>& Keys() {
  static const std::vector<Key> keys = {
      {"report_after_months", &CountySettings::report_after_months, 1, 6},
      {"quarterly_report_months", &CountySettings::quarterly_report_months, 1, 12, true},
      {"thought_report_months", &CountySettings::thought_report_months, 1, 12, true},
      {"first_report_grace_days", &CountySettings::first_report_grace_days, 0, 90},
      {"mail_back_check_months", &CountySettings::mail_back_check_months, 1, 12},
      {"receipt_due_months", &CountySettings::receipt_due_months, 1, 6},
      {"back_payment_limit_months", &CountySettings::back_payment_limit_months, 1, 24},
      {"class_hour_floor", &CountySettings::class_hour_floor, 32, 200},
      {"pre_departure_window_days", &CountySettings::pre_departure_window_days, 1, 365},
      {"returned_within_days", &CountySettings::returned_within_days, 0, 180},
      {"festival_days_before", &CountySettings::festival_days_before, 0, 60},
      {"festival_days_after", &CountySettings::festival_days_after, 0, 60},
      {"consultation_open_days", &CountySettings::consultation_open_days, 1, 90},
      {"service_month", &CountySettings::service_month, 1, 12},
  };
  return keys;
}

absl::Status Bad(int line, absl::string_view key, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("county settings line ", line, ": ", key, " ", why));
}

}  // namespace

absl::StatusOr<CountySettings> ParseCountySettings(absl::string_view text) {
  CountySettings settings;
  std::set<std::string> seen;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = line.substr(0, line.find('#'));
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("county settings line ", line_no, ": '", line, "' is not key = value"));
    }
    const absl::string_view key = absl::StripAsciiWhitespace(line.substr(0, eq));
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(eq + 1));
    const Key* known = nullptr;
    for (const Key& k : Keys()) {
      if (key == k.name) known = &k;
    }
    if (known == nullptr) return Bad(line_no, key, "is not a known setting");
    if (!seen.insert(std::string(key)).second) return Bad(line_no, key, "is given twice");
    int number = 0;
    if (!absl::SimpleAtoi(value, &number)) {
      return Bad(line_no, key, absl::StrCat("= '", value, "' is not a whole number"));
    }
    if (number < known->min || number > known->max) {
      return Bad(line_no, key,
                 absl::StrCat("= ", number, " is outside ", known->min, "–", known->max));
    }
    if (known->divides_12 && 12 % number != 0) {
      return Bad(line_no, key,
                 absl::StrCat("= ", number, " does not divide the year (1, 2, 3, 4, 6 or 12)"));
    }
    settings.*(known->field) = number;
  }
  if (settings.thought_report_months < settings.quarterly_report_months) {
    return absl::InvalidArgumentError(absl::StrCat(
        "county settings: thought_report_months = ", settings.thought_report_months,
        " is shorter than quarterly_report_months = ", settings.quarterly_report_months));
  }
  return settings;
}

absl::StatusOr<CountySettings> LoadCountySettings(const std::string& path) {
  if (path.empty()) return CountySettings();
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("county settings: cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<CountySettings> settings = ParseCountySettings(text.str());
  if (!settings.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", settings.status().message()));
  }
  return settings;
}

absl::StatusOr<CountySettings> CountySettingsFromFlag() {
  return LoadCountySettings(absl::GetFlag(FLAGS_county_settings));
}

}  // namespace lianxin
