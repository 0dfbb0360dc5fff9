// Tests of libs/common: the injectable clock and the JSON log escaping.
#include <string>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/log.h"
#include "libs/common/metrics.h"
#include "libs/common/time_util.h"
#include "prometheus/text_serializer.h"

namespace lianxin {
namespace {

TEST(ManualClock, MovesOnlyWhenTold) {
  absl::Time start = absl::FromCivil(absl::CivilDay(2026, 1, 1), absl::UTCTimeZone());
  ManualClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(absl::Hours(24 * 365));
  EXPECT_EQ(clock.Now(), absl::FromCivil(absl::CivilDay(2027, 1, 1), absl::UTCTimeZone()));
  clock.Set(start);
  EXPECT_EQ(clock.Now(), start);
}

TEST(ParseDate, AcceptsRealDaysOnly) {
  struct Case {
    const char* text;
    bool ok;
  } cases[] = {{"2026-02-28", true},  {"2026-02-29", false}, {"2024-02-29", true},
               {"2026-13-01", false}, {"2026-1-01", false},  {"", false},
               {"2026/01/01", false}, {"2026-01-01x", false}};
  for (const Case& c : cases) EXPECT_EQ(ParseDate(c.text).has_value(), c.ok) << c.text;
}

TEST(Timestamp, RoundTripsWithNanoseconds) {
  const absl::Time t = absl::FromUnixNanos(1798761600123456789);
  google::protobuf::Timestamp ts;
  ToTimestamp(t, &ts);
  EXPECT_EQ(ts.seconds(), 1798761600);
  EXPECT_EQ(ts.nanos(), 123456789);
  EXPECT_EQ(FromTimestamp(ts), t);
  EXPECT_EQ(FormatDate(absl::CivilDay(2026, 2, 3)), "2026-02-03");
}

TEST(JsonEscape, KeepsChineseTextAndEscapesControlCharacters) {
  EXPECT_EQ(JsonEscape("富蕴县 张三"), "富蕴县 张三");
  EXPECT_EQ(JsonEscape("a\"b\\c\n\t"), "a\\\"b\\\\c\\n\\t");
  EXPECT_EQ(JsonEscape(std::string("\x01", 1)), "\\u0001");
}

TEST(Metrics, ExportsEveryFamilyTheIssueNames) {
  Metrics metrics;
  metrics.ObserveRpc("/lianxin.v1.Echo/Say", "OK", absl::Milliseconds(2));
  metrics.ObserveCommit(absl::Milliseconds(1));
  metrics.SetOutbox(3, absl::Seconds(4));
  metrics.SetConsumerLag("lx.654322.registry.v1", 0, 7);
  metrics.CountQuarantined("lx.654322.registry.v1");
  std::string text = prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
  for (const char* name :
       {"lianxin_rpc_total", "lianxin_rpc_latency_seconds", "lianxin_commit_latency_seconds",
        "lianxin_outbox_depth", "lianxin_outbox_oldest_age_seconds",
        "lianxin_consumer_lag_messages", "lianxin_quarantined_total"}) {
    EXPECT_NE(text.find(name), std::string::npos) << name;
  }
  EXPECT_NE(text.find("lianxin_outbox_depth 3"), std::string::npos) << text;
}

}  // namespace
}  // namespace lianxin
