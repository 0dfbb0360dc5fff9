// The planner: properties on random inputs (no overlap, no capacity exceeded,
// every member placed or explained, same input -> same plan) and examples.
#include "services/education/domain/planner.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace lianxin::education {
namespace {

using lianxin::v1::CourseTopic;

constexpr int64_t kHour = 3600;
const int64_t kDay0 =
    absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2027, 1, 29), CountyTimeZone()));

CourseTopic Topic(int n) { return static_cast<CourseTopic>(1 + n % 6); }

struct Input {
  std::vector<PlanMember> members;
  std::vector<Candidate> candidates;
  Busy busy;
};

Input RandomInput(uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Input in;
  const int days = uniform(1, 14);
  const int places = uniform(1, 5);
  const int lecturers = uniform(1, 6);
  const int n_candidates = uniform(0, 80);
  for (int i = 0; i < n_candidates; ++i) {
    Candidate c;
    c.course_id = "c" + std::to_string(uniform(0, 9));
    c.topic = Topic(uniform(0, 5));
    c.mode = uniform(0, 5) == 0 ? lianxin::v1::COURSE_MODE_ONLINE
                                : lianxin::v1::COURSE_MODE_MOBILE_CLASSROOM;
    c.place = c.mode == lianxin::v1::COURSE_MODE_ONLINE
                  ? ""
                  : "p" + std::to_string(uniform(0, places - 1));
    c.lecturer = "l" + std::to_string(uniform(0, lecturers - 1));
    // Random starts on the hour or half hour: candidates overlap each other.
    const int64_t start = kDay0 + uniform(0, days - 1) * 24 * kHour + uniform(16, 44) * kHour / 2;
    c.time = {start, start + uniform(1, 6) * kHour / 2};
    c.capacity = static_cast<uint32_t>(uniform(0, 12));
    in.candidates.push_back(c);
  }
  const int n_members = uniform(0, 120);
  for (int i = 0; i < n_members; ++i) {
    PlanMember m;
    m.member_id = "m" + std::to_string(uniform(0, 100000)) + "-" + std::to_string(i);
    for (int k = uniform(0, 3); k > 0; --k) {
      CourseTopic t = Topic(uniform(0, 5));
      if (std::find(m.preferences.begin(), m.preferences.end(), t) == m.preferences.end()) {
        m.preferences.push_back(t);
      }
    }
    const int64_t from = kDay0 + uniform(0, days + 2) * 24 * kHour;
    m.available = {from, kDay0 + (days + 1) * 24 * kHour};
    for (int k = uniform(0, 2); k > 0; --k) {
      const int64_t start = kDay0 + uniform(0, days - 1) * 24 * kHour + uniform(16, 44) * kHour / 2;
      m.busy.push_back({start, start + 2 * kHour});
    }
    in.members.push_back(m);
  }
  for (int k = uniform(0, 3); k > 0; --k) {
    const int64_t start = kDay0 + uniform(0, days - 1) * 24 * kHour + uniform(16, 44) * kHour / 2;
    in.busy.lecturers["l" + std::to_string(uniform(0, lecturers - 1))].push_back(
        {start, start + 3 * kHour});
    in.busy.places["p" + std::to_string(uniform(0, places - 1))].push_back(
        {start, start + 3 * kHour});
  }
  return in;
}

bool AnyOverlap(const std::vector<Interval>& all, const Interval& i) {
  for (const Interval& other : all) {
    if (Overlaps(other, i)) return true;
  }
  return false;
}

void CheckProperties(const Input& in, const PlanResult& plan) {
  // Every member placed once or explained once.
  std::map<size_t, int> seen;
  for (const auto& a : plan.assignments) ++seen[a.member];
  for (const auto& u : plan.unplaced) {
    ++seen[u.member];
    EXPECT_NE(u.reason, lianxin::v1::UNPLACED_REASON_UNSPECIFIED);
  }
  ASSERT_EQ(seen.size(), in.members.size());
  for (const auto& [member, count] : seen) EXPECT_EQ(count, 1) << in.members[member].member_id;

  // Capacity, availability, enrolments.
  std::vector<uint32_t> count(in.candidates.size(), 0);
  std::set<size_t> opened(plan.opened.begin(), plan.opened.end());
  for (const auto& a : plan.assignments) {
    const Candidate& c = in.candidates[a.candidate];
    const PlanMember& m = in.members[a.member];
    ++count[a.candidate];
    EXPECT_TRUE(opened.contains(a.candidate));
    EXPECT_GE(c.time.start, m.available.start);
    EXPECT_LE(c.time.end, m.available.end);
    EXPECT_FALSE(AnyOverlap(m.busy, c.time)) << m.member_id;
    EXPECT_EQ(a.preferred, std::find(m.preferences.begin(), m.preferences.end(), c.topic) !=
                               m.preferences.end());
  }
  for (size_t c = 0; c < in.candidates.size(); ++c) {
    EXPECT_LE(count[c], in.candidates[c].capacity);
    EXPECT_EQ(count[c], plan.assigned[c]);
    EXPECT_EQ(opened.contains(c), count[c] > 0);
  }
  // No lecturer or place in two overlapping sessions, nor over a booking.
  for (size_t a : plan.opened) {
    const Candidate& x = in.candidates[a];
    auto lecturer_busy = in.busy.lecturers.find(x.lecturer);
    if (lecturer_busy != in.busy.lecturers.end()) {
      EXPECT_FALSE(AnyOverlap(lecturer_busy->second, x.time));
    }
    auto place_busy = in.busy.places.find(x.place);
    if (!x.place.empty() && place_busy != in.busy.places.end()) {
      EXPECT_FALSE(AnyOverlap(place_busy->second, x.time));
    }
    for (size_t b : plan.opened) {
      if (a == b) continue;
      const Candidate& y = in.candidates[b];
      if (!Overlaps(x.time, y.time)) continue;
      EXPECT_NE(x.lecturer, y.lecturer) << a << " and " << b;
      if (!x.place.empty()) {
        EXPECT_NE(x.place, y.place) << a << " and " << b;
      }
    }
  }
  // Maximal: no unplaced member fits an opened session with room, or a
  // candidate that could still be opened (lecturer and place free).
  for (const auto& u : plan.unplaced) {
    const PlanMember& m = in.members[u.member];
    for (size_t c = 0; c < in.candidates.size(); ++c) {
      const Candidate& x = in.candidates[c];
      if (x.time.start < m.available.start || x.time.end > m.available.end ||
          AnyOverlap(m.busy, x.time) || count[c] >= x.capacity) {
        continue;
      }
      EXPECT_FALSE(opened.contains(c)) << m.member_id << " fits opened " << c;
      bool free = true;
      auto lecturer_busy = in.busy.lecturers.find(x.lecturer);
      if (lecturer_busy != in.busy.lecturers.end()) {
        free &= !AnyOverlap(lecturer_busy->second, x.time);
      }
      auto place_busy = in.busy.places.find(x.place);
      if (!x.place.empty() && place_busy != in.busy.places.end()) {
        free &= !AnyOverlap(place_busy->second, x.time);
      }
      for (size_t b : plan.opened) {
        const Candidate& y = in.candidates[b];
        if (Overlaps(x.time, y.time) &&
            (x.lecturer == y.lecturer || (!x.place.empty() && x.place == y.place))) {
          free = false;
        }
      }
      EXPECT_FALSE(free) << m.member_id << " could open " << c;
    }
  }
  // Opened sessions in time order.
  for (size_t i = 1; i < plan.opened.size(); ++i) {
    EXPECT_LE(in.candidates[plan.opened[i - 1]].time.start,
              in.candidates[plan.opened[i]].time.start);
  }
}

// The plan as member id -> (course, place, lecturer, start) or reason.
std::map<std::string, std::string> Canonical(const Input& in, const PlanResult& plan) {
  std::map<std::string, std::string> out;
  for (const auto& a : plan.assignments) {
    const Candidate& c = in.candidates[a.candidate];
    out[in.members[a.member].member_id] =
        c.course_id + "|" + c.place + "|" + c.lecturer + "|" + std::to_string(c.time.start);
  }
  for (const auto& u : plan.unplaced) {
    out[in.members[u.member].member_id] = "unplaced " + std::to_string(u.reason);
  }
  return out;
}

TEST(PlanSessions, PropertiesHoldOnRandomInputs) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE(seed);
    const Input in = RandomInput(seed);
    const PlanResult plan = PlanSessions(in.members, in.candidates, in.busy);
    CheckProperties(in, plan);
    if (HasFatalFailure()) return;

    // Same input, same plan.
    const PlanResult again = PlanSessions(in.members, in.candidates, in.busy);
    EXPECT_EQ(plan.opened, again.opened);
    EXPECT_EQ(Canonical(in, plan), Canonical(in, again));

    // The order members are given in does not change the plan.
    Input shuffled = in;
    std::mt19937 rng(seed);
    std::shuffle(shuffled.members.begin(), shuffled.members.end(), rng);
    EXPECT_EQ(
        Canonical(in, plan),
        Canonical(shuffled, PlanSessions(shuffled.members, shuffled.candidates, shuffled.busy)));
  }
}

TEST(PlanSessions, PreferredTopicsFirstWhenThereIsRoom) {
  Input in;
  for (int t = 0; t < 6; ++t) {
    Candidate c;
    c.course_id = "c" + std::to_string(t);
    c.topic = Topic(t);
    c.place = "p" + std::to_string(t);
    c.lecturer = "l" + std::to_string(t);
    c.time = {kDay0 + 9 * kHour, kDay0 + 12 * kHour};
    c.capacity = 100;
    in.candidates.push_back(c);
  }
  for (int i = 0; i < 60; ++i) {
    PlanMember m;
    m.member_id = "m" + std::to_string(i);
    m.preferences = {Topic(i), Topic(i + 1)};
    m.available = {kDay0, kDay0 + 24 * kHour};
    in.members.push_back(m);
  }
  const PlanResult plan = PlanSessions(in.members, in.candidates, in.busy);
  ASSERT_EQ(plan.assignments.size(), 60u);
  for (const auto& a : plan.assignments) {
    EXPECT_TRUE(a.preferred);
    EXPECT_EQ(in.candidates[a.candidate].topic, in.members[a.member].preferences[0]);
  }
}

TEST(PlanSessions, SecondChoiceWhenTheFirstIsFullAndReasonsOtherwise) {
  Input in;
  Candidate law{"c-law",
                "法律",
                lianxin::v1::COURSE_TOPIC_LAW,
                lianxin::v1::COURSE_MODE_MOBILE_CLASSROOM,
                3,
                "p1",
                "l1",
                {kDay0 + 9 * kHour, kDay0 + 12 * kHour},
                1};
  Candidate ethics = law;
  ethics.course_id = "c-ethics";
  ethics.topic = lianxin::v1::COURSE_TOPIC_PROFESSIONAL_ETHICS;
  ethics.place = "p2";
  ethics.lecturer = "l2";
  in.candidates = {law, ethics};
  auto member = [&](const std::string& id, std::vector<CourseTopic> prefs, Interval available,
                    std::vector<Interval> busy = {}) {
    in.members.push_back({id, std::move(prefs), available, std::move(busy)});
  };
  const Interval day{kDay0, kDay0 + 24 * kHour};
  member("a", {lianxin::v1::COURSE_TOPIC_LAW, lianxin::v1::COURSE_TOPIC_PROFESSIONAL_ETHICS}, day);
  member("b", {lianxin::v1::COURSE_TOPIC_LAW, lianxin::v1::COURSE_TOPIC_PROFESSIONAL_ETHICS}, day);
  member("c", {lianxin::v1::COURSE_TOPIC_LAW}, day);
  member("d", {}, {kDay0 + 24 * kHour, kDay0 + 48 * kHour});         // home the next day only
  member("e", {}, day, {{kDay0 + 11 * kHour, kDay0 + 13 * kHour}});  // enrolled elsewhere
  const PlanResult plan = PlanSessions(in.members, in.candidates, in.busy);
  CheckProperties(in, plan);
  std::map<std::string, std::string> got = Canonical(in, plan);
  EXPECT_EQ(got.size(), 5u);
  // Two seats for three members who want law first; one gets ethics.
  int placed = 0;
  for (const char* id : {"a", "b", "c"}) placed += got[id].rfind("unplaced", 0) != 0;
  EXPECT_EQ(placed, 2);
  EXPECT_EQ(got["d"], "unplaced " + std::to_string(lianxin::v1::UNPLACED_REASON_NOT_AVAILABLE));
  EXPECT_EQ(got["e"],
            "unplaced " + std::to_string(lianxin::v1::UNPLACED_REASON_OVERLAPS_ENROLMENT));
}

TEST(GenerateCandidates, NoLecturerOrPlaceTwiceAtOnceAndWantedTopicsFirst) {
  CandidateSpace space;
  space.window_start = absl::CivilDay(2027, 1, 29);
  space.window_end = absl::CivilDay(2027, 2, 11);
  space.slots = Settings().slots;
  space.courses = {
      {"c-law", "法律", lianxin::v1::COURSE_TOPIC_LAW, lianxin::v1::COURSE_MODE_MOBILE_CLASSROOM,
       3},
      {"c-pb", "党建", lianxin::v1::COURSE_TOPIC_PARTY_BUILDING,
       lianxin::v1::COURSE_MODE_CULTURAL_ACTIVITY, 2},
      {"c-mail", "邮寄", lianxin::v1::COURSE_TOPIC_LAW, lianxin::v1::COURSE_MODE_MAIL, 2}};
  space.places = {{"镇活动室", 40}, {"矿区会议室", 25}, {"closed", 0}};
  space.lecturers = {{"王", {lianxin::v1::COURSE_TOPIC_LAW}}, {"李", {}}};
  space.busy.lecturers["李"] = {{kDay0 + 9 * kHour, kDay0 + 12 * kHour}};
  for (int i = 0; i < 100; ++i) {
    space.members.push_back({"m" + std::to_string(i), {lianxin::v1::COURSE_TOPIC_LAW}, {}, {}});
  }
  space.max_candidates = 1000;
  const std::vector<Candidate> candidates = GenerateCandidates(space);
  ASSERT_FALSE(candidates.empty());
  EXPECT_LE(candidates.size(), 14u * 2 * 2);
  EXPECT_EQ(candidates[0].topic, lianxin::v1::COURSE_TOPIC_LAW);
  for (size_t a = 0; a < candidates.size(); ++a) {
    EXPECT_NE(candidates[a].course_id, "c-mail");
    EXPECT_NE(candidates[a].place, "closed");
    if (candidates[a].lecturer == "李") {
      EXPECT_FALSE(Overlaps(candidates[a].time, {kDay0 + 9 * kHour, kDay0 + 12 * kHour}));
    }
    for (size_t b = a + 1; b < candidates.size(); ++b) {
      if (!Overlaps(candidates[a].time, candidates[b].time)) continue;
      EXPECT_NE(candidates[a].lecturer, candidates[b].lecturer);
      EXPECT_NE(candidates[a].place, candidates[b].place);
    }
  }
  space.max_candidates = 5;
  EXPECT_EQ(GenerateCandidates(space).size(), 5u);
  EXPECT_EQ(GenerateCandidates(space).front().time.start, candidates.front().time.start);
}

}  // namespace
}  // namespace lianxin::education
