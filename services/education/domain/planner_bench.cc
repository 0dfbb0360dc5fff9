// Benchmark of the seasonal planner: 10,000 members x 500 candidate sessions
// (the Spring Festival fortnight of a county). Run by hand, Release build:
//   build/release/bin/planner_bench --benchmark_min_time=2
// Results: docs/benchmarks.md.
#include <random>

#include "benchmark/benchmark.h"
#include "services/education/domain/planner.h"

namespace lianxin::education {
namespace {

constexpr int64_t kHour = 3600;

struct Input {
  std::vector<PlanMember> members;
  std::vector<Candidate> candidates;
  Busy busy;
};

// 500 candidates: 14 days x 2 slots x 18 places, one lecturer per place,
// capacities 3/8 of max_capacity to max_capacity; 10,000 members home from a random day, 0–3
// preferences, some already enrolled somewhere.
Input MakeInput(size_t members, size_t candidates, int max_capacity = 40) {
  std::mt19937 rng(20270129);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int64_t day0 =
      absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2027, 1, 29), CountyTimeZone()));
  Input in;
  for (size_t i = 0; i < candidates; ++i) {
    const int slot = static_cast<int>(i / 18);
    const int place = static_cast<int>(i % 18);
    Candidate c;
    c.topic = static_cast<lianxin::v1::CourseTopic>(1 + (place + slot) % 6);
    c.course_id = "course-" + std::to_string(c.topic);
    c.mode = lianxin::v1::COURSE_MODE_MOBILE_CLASSROOM;
    c.hours = 3;
    c.place = "place-" + std::to_string(place);
    c.lecturer = "lecturer-" + std::to_string(place);
    const int64_t start = day0 + (slot / 2) * 24 * kHour + (slot % 2 == 0 ? 9 : 15) * kHour;
    c.time = {start, start + 3 * kHour};
    c.capacity = static_cast<uint32_t>(uniform(max_capacity * 3 / 8, max_capacity));
    in.candidates.push_back(c);
  }
  for (size_t i = 0; i < members; ++i) {
    PlanMember m;
    m.member_id = "654322-" + std::to_string(1000000 + i);
    for (int k = uniform(0, 3); k > 0; --k) {
      auto topic = static_cast<lianxin::v1::CourseTopic>(uniform(1, 6));
      if (std::find(m.preferences.begin(), m.preferences.end(), topic) == m.preferences.end()) {
        m.preferences.push_back(topic);
      }
    }
    m.available = {day0 + uniform(0, 10) * 24 * kHour, day0 + 14 * 24 * kHour};
    if (uniform(0, 9) == 0) {
      const int64_t start = day0 + uniform(0, 13) * 24 * kHour + 9 * kHour;
      m.busy.push_back({start, start + 3 * kHour});
    }
    in.members.push_back(std::move(m));
  }
  return in;
}

void BM_PlanSessions(benchmark::State& state) {
  const Input in = MakeInput(static_cast<size_t>(state.range(0)),
                             static_cast<size_t>(state.range(1)), static_cast<int>(state.range(2)));
  size_t placed = 0;
  for (auto _ : state) {
    PlanResult plan = PlanSessions(in.members, in.candidates, in.busy);
    placed = plan.assignments.size();
    benchmark::DoNotOptimize(plan);
  }
  state.counters["members"] = static_cast<double>(in.members.size());
  state.counters["candidates"] = static_cast<double>(in.candidates.size());
  state.counters["placed"] = static_cast<double>(placed);
}
// Ample seats (~13,750 for 10,000 members) and scarce ones (~3,500: most
// members are unplaced after scanning every candidate).
BENCHMARK(BM_PlanSessions)
    ->Args({10000, 500, 40})
    ->Args({10000, 500, 10})
    ->Args({1000, 500, 40})
    ->Unit(benchmark::kMillisecond);

void BM_GenerateAndPlan(benchmark::State& state) {
  Input in = MakeInput(10000, 0);
  CandidateSpace space;
  space.window_start = absl::CivilDay(2027, 1, 29);
  space.window_end = absl::CivilDay(2027, 2, 11);
  space.slots = Settings().slots;
  for (int t = 1; t <= 6; ++t) {
    space.courses.push_back({"course-" + std::to_string(t), "课程",
                             static_cast<lianxin::v1::CourseTopic>(t),
                             lianxin::v1::COURSE_MODE_MOBILE_CLASSROOM, 3});
  }
  for (int p = 0; p < 18; ++p) space.places.push_back({"place-" + std::to_string(p), 30});
  for (int l = 0; l < 24; ++l) space.lecturers.push_back({"lecturer-" + std::to_string(l), {}});
  space.members = in.members;
  space.max_candidates = 500;
  size_t placed = 0;
  for (auto _ : state) {
    std::vector<Candidate> candidates = GenerateCandidates(space);
    PlanResult plan = PlanSessions(space.members, candidates, space.busy);
    placed = plan.assignments.size();
    benchmark::DoNotOptimize(plan);
  }
  state.counters["placed"] = static_cast<double>(placed);
}
BENCHMARK(BM_GenerateAndPlan)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lianxin::education

BENCHMARK_MAIN();
