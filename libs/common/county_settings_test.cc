// The county settings file: defaults, every key's range at its boundaries,
// and errors that name the line and the key.
#include "libs/common/county_settings.h"

#include <cstdio>
#include <fstream>

#include "gtest/gtest.h"

namespace lianxin {
namespace {

TEST(ParseCountySettings, EmptyTextKeepsTheDefaultsOfDomainMd) {
  absl::StatusOr<CountySettings> s = ParseCountySettings("# nothing set\n\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->report_after_months, 3);
  EXPECT_EQ(s->quarterly_report_months, 3);
  EXPECT_EQ(s->thought_report_months, 6);
  EXPECT_EQ(s->class_hour_floor, 32);
  EXPECT_EQ(s->service_month, 5);
  EXPECT_EQ(s->receipt_due_months, 1);
}

TEST(ParseCountySettings, ReadsKeysCommentsAndBlanks) {
  absl::StatusOr<CountySettings> s = ParseCountySettings(
      "class_hour_floor = 40   # more than the national floor\n"
      "  service_month=6\n"
      "quarterly_report_months = 2\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->class_hour_floor, 40);
  EXPECT_EQ(s->service_month, 6);
  EXPECT_EQ(s->quarterly_report_months, 2);
}

TEST(ParseCountySettings, EveryRangeAtItsBoundaries) {
  struct Case {
    const char* text;
    bool ok;
  } cases[] = {
      {"class_hour_floor = 31", false},
      {"class_hour_floor = 32", true},
      {"class_hour_floor = 200", true},
      {"class_hour_floor = 201", false},
      {"service_month = 0", false},
      {"service_month = 12", true},
      {"service_month = 13", false},
      {"report_after_months = 6", true},
      {"report_after_months = 7", false},
      {"quarterly_report_months = 5", false},
      {"quarterly_report_months = 4", true},
      {"thought_report_months = 12", true},
      {"first_report_grace_days = -1", false},
      {"first_report_grace_days = 0", true},
      {"receipt_due_months = 0", false},
      {"festival_days_after = 61", false},
      {"consultation_open_days = 90", true},
      {"back_payment_limit_months = 25", false},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseCountySettings(c.text).ok(), c.ok) << c.text;
}

TEST(ParseCountySettings, ErrorsNameTheLineAndTheKey) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"\nclass_hour_floor = 20\n", "line 2: class_hour_floor = 20 is outside 32–200"},
      {"quarterly_report_months = 5", "does not divide the year"},
      {"festival_window = 14", "line 1: festival_window is not a known setting"},
      {"service_month = May", "service_month = 'May' is not a whole number"},
      {"service_month = 5\nservice_month = 6", "line 2: service_month is given twice"},
      {"service_month 5", "line 1: 'service_month 5' is not key = value"},
      {"quarterly_report_months = 6\nthought_report_months = 3", "thought_report_months = 3"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CountySettings> s = ParseCountySettings(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find(c.says), std::string::npos) << s.status();
  }
}

TEST(LoadCountySettings, ReadsTheFileAndNamesItInErrors) {
  EXPECT_TRUE(LoadCountySettings("").ok());
  EXPECT_EQ(LoadCountySettings("/nonexistent/654322.settings").status().code(),
            absl::StatusCode::kNotFound);
  const std::string path = ::testing::TempDir() + "/county.settings";
  {
    std::ofstream out(path);
    out << "mail_back_check_months = 13\n";
  }
  absl::StatusOr<CountySettings> bad = LoadCountySettings(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(path), std::string::npos);
  EXPECT_NE(bad.status().message().find("mail_back_check_months"), std::string::npos);
  {
    std::ofstream out(path);
    out << "mail_back_check_months = 2\n";
  }
  absl::StatusOr<CountySettings> good = LoadCountySettings(path);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->mail_back_check_months, 2);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lianxin
