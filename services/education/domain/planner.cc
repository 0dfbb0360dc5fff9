#include "services/education/domain/planner.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace lianxin::education {

using lianxin::v1::CourseTopic;
using lianxin::v1::UnplacedReason;

namespace {

bool AnyOverlap(const std::vector<Interval>& intervals, const Interval& interval) {
  for (const Interval& other : intervals) {
    if (Overlaps(other, interval)) return true;
  }
  return false;
}

const std::vector<Interval>& Lookup(const std::map<std::string, std::vector<Interval>>& map,
                                    const std::string& key) {
  static const std::vector<Interval>* const kNone = new std::vector<Interval>();
  auto it = map.find(key);
  return it == map.end() ? *kNone : it->second;
}

bool Teaches(const PlanLecturer& lecturer, CourseTopic topic) {
  return lecturer.topics.empty() ||
         std::find(lecturer.topics.begin(), lecturer.topics.end(), topic) != lecturer.topics.end();
}

int64_t StartOfDay(absl::CivilDay day) {
  return absl::ToUnixSeconds(absl::FromCivil(day, CountyTimeZone()));
}

}  // namespace

std::vector<Candidate> GenerateCandidates(const CandidateSpace& space) {
  std::vector<Candidate> out;
  // Demand per topic: members wanting it, weighted by rank (first choice most).
  std::map<CourseTopic, int64_t> demand;
  for (const PlanMember& member : space.members) {
    for (size_t rank = 0; rank < member.preferences.size(); ++rank) {
      demand[member.preferences[rank]] += static_cast<int64_t>(8 >> std::min<size_t>(rank, 3));
    }
  }
  // Courses by topic, first by id; topics without a schedulable course drop out.
  std::map<CourseTopic, std::vector<const PlanCourse*>> courses;
  std::vector<PlanCourse> sorted_courses = space.courses;
  std::sort(sorted_courses.begin(), sorted_courses.end(),
            [](const PlanCourse& a, const PlanCourse& b) { return a.course_id < b.course_id; });
  for (const PlanCourse& course : sorted_courses) {
    if (IsSchedulableMode(course.mode)) courses[course.topic].push_back(&course);
  }
  if (courses.empty()) return out;
  std::vector<PlanPlace> places = space.places;
  std::sort(places.begin(), places.end(),
            [](const PlanPlace& a, const PlanPlace& b) { return a.name < b.name; });
  std::vector<PlanLecturer> lecturers = space.lecturers;
  std::sort(lecturers.begin(), lecturers.end(),
            [](const PlanLecturer& a, const PlanLecturer& b) { return a.name < b.name; });
  std::vector<Slot> slots = space.slots;
  std::sort(slots.begin(), slots.end(),
            [](const Slot& a, const Slot& b) { return a.start_minute < b.start_minute; });
  std::map<CourseTopic, size_t> rotation;  // next course of a topic

  for (absl::CivilDay day = space.window_start; day <= space.window_end; ++day) {
    for (const Slot& slot : slots) {
      const int64_t start = StartOfDay(day) + int64_t{slot.start_minute} * 60;
      const Interval time{start, start + int64_t{slot.minutes} * 60};
      std::set<std::string> lecturers_used;
      for (const PlanPlace& place : places) {
        if (out.size() >= space.max_candidates) return out;
        if (place.capacity == 0 || AnyOverlap(Lookup(space.busy.places, place.name), time)) {
          continue;
        }
        // The most wanted topic with a course and a free lecturer.
        const PlanLecturer* chosen_lecturer = nullptr;
        CourseTopic chosen_topic = lianxin::v1::COURSE_TOPIC_UNSPECIFIED;
        int64_t best = 0;
        for (const auto& [topic, topic_courses] : courses) {
          const int64_t want = demand.contains(topic) ? demand[topic] : 0;
          if (chosen_lecturer != nullptr && want <= best) continue;
          for (const PlanLecturer& lecturer : lecturers) {
            if (lecturers_used.contains(lecturer.name) || !Teaches(lecturer, topic) ||
                AnyOverlap(Lookup(space.busy.lecturers, lecturer.name), time)) {
              continue;
            }
            chosen_lecturer = &lecturer;
            chosen_topic = topic;
            best = want;
            break;
          }
        }
        if (chosen_lecturer == nullptr) continue;
        lecturers_used.insert(chosen_lecturer->name);
        const std::vector<const PlanCourse*>& options = courses[chosen_topic];
        const PlanCourse& course = *options[rotation[chosen_topic]++ % options.size()];
        // Seats taken lower the topic's remaining demand (8 per first choice).
        demand[chosen_topic] -= int64_t{place.capacity} * 8;
        Candidate candidate;
        candidate.course_id = course.course_id;
        candidate.title = course.title;
        candidate.topic = course.topic;
        candidate.mode = course.mode;
        candidate.hours = course.hours;
        candidate.place = NeedsPlace(course.mode) ? place.name : "";
        candidate.lecturer = chosen_lecturer->name;
        candidate.time = time;
        candidate.capacity = place.capacity;
        out.push_back(std::move(candidate));
      }
    }
  }
  return out;
}

PlanResult PlanSessions(const std::vector<PlanMember>& members,
                        const std::vector<Candidate>& candidates, const Busy& busy) {
  PlanResult result;
  const size_t n = candidates.size();
  result.assigned.assign(n, 0);
  std::vector<char> opened(n, 0);
  // A candidate whose lecturer or place is booked already can never open.
  std::vector<char> blocked(n, 0);
  for (size_t c = 0; c < n; ++c) {
    const Candidate& candidate = candidates[c];
    blocked[c] = candidate.capacity == 0 ||
                 AnyOverlap(Lookup(busy.lecturers, candidate.lecturer), candidate.time) ||
                 (!candidate.place.empty() &&
                  AnyOverlap(Lookup(busy.places, candidate.place), candidate.time));
  }
  std::map<std::string, std::vector<size_t>> lecturer_open, place_open;
  auto can_open = [&](size_t c) {
    if (blocked[c]) return false;
    const Candidate& candidate = candidates[c];
    for (size_t other : lecturer_open[candidate.lecturer]) {
      if (Overlaps(candidates[other].time, candidate.time)) return false;
    }
    if (!candidate.place.empty()) {
      for (size_t other : place_open[candidate.place]) {
        if (Overlaps(candidates[other].time, candidate.time)) return false;
      }
    }
    return true;
  };
  auto fits = [&](const PlanMember& member, size_t c) {
    const Interval& time = candidates[c].time;
    return time.start >= member.available.start && time.end <= member.available.end &&
           !AnyOverlap(member.busy, time);
  };

  // Candidates by topic, in (start, index) order.
  std::vector<size_t> by_time(n);
  std::iota(by_time.begin(), by_time.end(), 0);
  std::stable_sort(by_time.begin(), by_time.end(), [&](size_t a, size_t b) {
    return candidates[a].time.start < candidates[b].time.start;
  });
  std::map<CourseTopic, std::vector<size_t>> by_topic;
  for (size_t c : by_time) by_topic[candidates[c].topic].push_back(c);

  // Most constrained first: fewest fitting candidates, then member id.
  std::vector<size_t> fitting(members.size(), 0);
  for (size_t m = 0; m < members.size(); ++m) {
    for (size_t c = 0; c < n; ++c) fitting[m] += fits(members[m], c) && !blocked[c];
  }
  std::vector<size_t> order(members.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (fitting[a] != fitting[b]) return fitting[a] < fitting[b];
    if (members[a].member_id != members[b].member_id) {
      return members[a].member_id < members[b].member_id;
    }
    return a < b;
  });

  std::vector<long> placed(members.size(), -1);
  std::vector<char> preferred(members.size(), 0);
  // Picks for a member among `pool`: an opened session with room first (fill
  // before opening), else the earliest one that can open.
  auto pick = [&](const PlanMember& member, const std::vector<size_t>& pool) -> long {
    long first_openable = -1;
    for (size_t c : pool) {
      if (result.assigned[c] >= candidates[c].capacity || !fits(member, c)) continue;
      if (opened[c]) return static_cast<long>(c);
      if (first_openable < 0 && can_open(c)) first_openable = static_cast<long>(c);
    }
    return first_openable;
  };
  auto place = [&](size_t m, size_t c, bool is_preferred) {
    if (!opened[c]) {
      opened[c] = 1;
      lecturer_open[candidates[c].lecturer].push_back(c);
      if (!candidates[c].place.empty()) place_open[candidates[c].place].push_back(c);
    }
    ++result.assigned[c];
    placed[m] = static_cast<long>(c);
    preferred[m] = is_preferred;
  };

  size_t max_rank = 0;
  for (const PlanMember& member : members) max_rank = std::max(max_rank, member.preferences.size());
  for (size_t rank = 0; rank < max_rank; ++rank) {
    for (size_t m : order) {
      const PlanMember& member = members[m];
      if (placed[m] >= 0 || rank >= member.preferences.size()) continue;
      auto pool = by_topic.find(member.preferences[rank]);
      if (pool == by_topic.end()) continue;
      if (long c = pick(member, pool->second); c >= 0) place(m, static_cast<size_t>(c), true);
    }
  }
  // Then any topic, for members with no choice or whose choices are taken.
  for (size_t m : order) {
    if (placed[m] >= 0) continue;
    if (long c = pick(members[m], by_time); c >= 0) {
      const auto& prefs = members[m].preferences;
      place(m, static_cast<size_t>(c),
            std::find(prefs.begin(), prefs.end(), candidates[c].topic) != prefs.end());
    }
  }

  for (size_t m = 0; m < members.size(); ++m) {
    if (placed[m] >= 0) {
      result.assignments.push_back({m, static_cast<size_t>(placed[m]), preferred[m] != 0});
      continue;
    }
    const PlanMember& member = members[m];
    UnplacedReason reason = lianxin::v1::UNPLACED_REASON_NO_SESSIONS;
    if (n > 0) {
      bool in_window = false, free = false, with_room = false;
      for (size_t c = 0; c < n; ++c) {
        const Interval& time = candidates[c].time;
        if (time.start < member.available.start || time.end > member.available.end) continue;
        in_window = true;
        if (AnyOverlap(member.busy, time)) continue;
        free = true;
        if (result.assigned[c] < candidates[c].capacity) with_room = true;
      }
      reason = !in_window  ? lianxin::v1::UNPLACED_REASON_NOT_AVAILABLE
               : !free     ? lianxin::v1::UNPLACED_REASON_OVERLAPS_ENROLMENT
               : with_room ? lianxin::v1::UNPLACED_REASON_LECTURER_OR_PLACE_TAKEN
                           : lianxin::v1::UNPLACED_REASON_SESSIONS_FULL;
    }
    result.unplaced.push_back({m, reason});
  }
  auto by_member = [&](size_t a, size_t b) {
    if (members[a].member_id != members[b].member_id) {
      return members[a].member_id < members[b].member_id;
    }
    return a < b;
  };
  std::sort(result.assignments.begin(), result.assignments.end(),
            [&](const PlannedAssignment& a, const PlannedAssignment& b) {
              return by_member(a.member, b.member);
            });
  std::sort(result.unplaced.begin(), result.unplaced.end(),
            [&](const PlannedUnplaced& a, const PlannedUnplaced& b) {
              return by_member(a.member, b.member);
            });
  for (size_t c : by_time) {
    if (opened[c]) result.opened.push_back(c);
  }
  return result;
}

std::string UnplacedDetail(UnplacedReason reason) {
  switch (reason) {
    case lianxin::v1::UNPLACED_REASON_NOT_AVAILABLE:
      return "no session falls in the member's days at home";
    case lianxin::v1::UNPLACED_REASON_SESSIONS_FULL:
      return "every session the member could attend is full";
    case lianxin::v1::UNPLACED_REASON_OVERLAPS_ENROLMENT:
      return "every session overlaps one the member is enrolled in";
    case lianxin::v1::UNPLACED_REASON_LECTURER_OR_PLACE_TAKEN:
      return "the sessions with room cannot be held: lecturer or place taken at that time";
    case lianxin::v1::UNPLACED_REASON_NO_SESSIONS:
      return "no candidate sessions (no course, place or lecturer fits the window)";
    default:
      return "unknown";
  }
}

}  // namespace lianxin::education
