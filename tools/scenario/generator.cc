#include "tools/scenario/generator.h"

#include <algorithm>
#include <map>
#include <span>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/scenario/catalog.h"
#include "tools/scenario/resident_id.h"

namespace lianxin::scenario {

using lianxin::v1::Gender;
using lianxin::v1::MemberCategory;
using lianxin::v1::MemberStatus;

namespace {

// ============================================================================
// Randomness and dates
// ============================================================================

// SplitMix64: small and the same on every platform (the std:: distributions
// are not), so a seed means the same plan everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (the modulo bias is far below what a scenario notices).
  int Uniform(int lo, int hi) {
    return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Percent(int percent) { return Uniform(0, 99) < percent; }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Next() % items.size()];
  }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Next() % N];
  }

 private:
  uint64_t state_;
};

// The seed of one member's draws: members are independent of each other, so
// a scaled population starts with the same people as a smaller one.
uint64_t MemberSeed(uint64_t seed, Fate fate, int index) {
  Rng mix(seed * 0x2545f4914f6cdd1dULL + static_cast<uint64_t>(fate) * 0x100000001b3ULL +
          static_cast<uint64_t>(index));
  return mix.Next();
}

std::string Date(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

// `day` plus `months` calendar months, clamped to the month's end.
absl::CivilDay PlusMonths(absl::CivilDay day, int months) {
  absl::CivilMonth month = absl::CivilMonth(day) + months;
  const int last_day = static_cast<int>(absl::CivilDay(month + 1) - absl::CivilDay(month));
  return absl::CivilDay(month.year(), month.month(), std::min(day.day(), last_day));
}

// ============================================================================
// People
// ============================================================================

struct WeightedCategory {
  MemberCategory category;
  int weight;
};

MemberCategory PickCategory(Rng& rng, std::span<const WeightedCategory> table) {
  int total = 0;
  for (const WeightedCategory& w : table) total += w.weight;
  int draw = rng.Uniform(0, total - 1);
  for (const WeightedCategory& w : table) {
    if (draw < w.weight) return w.category;
    draw -= w.weight;
  }
  return table.back().category;
}

using lianxin::v1::MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE;
using lianxin::v1::MEMBER_CATEGORY_FARMER;
using lianxin::v1::MEMBER_CATEGORY_GRADUATE;
using lianxin::v1::MEMBER_CATEGORY_LAID_OFF_WORKER;
using lianxin::v1::MEMBER_CATEGORY_RETIREE;
using lianxin::v1::MEMBER_CATEGORY_VETERAN;

// Who goes where (the survey's member kinds).
constexpr WeightedCategory kToPartner[] = {{MEMBER_CATEGORY_GRADUATE, 3},
                                           {MEMBER_CATEGORY_VETERAN, 2},
                                           {MEMBER_CATEGORY_FARMER, 2},
                                           {MEMBER_CATEGORY_LAID_OFF_WORKER, 1}};
constexpr WeightedCategory kToInland[] = {{MEMBER_CATEGORY_RETIREE, 3},
                                          {MEMBER_CATEGORY_GRADUATE, 3},
                                          {MEMBER_CATEGORY_FARMER, 2},
                                          {MEMBER_CATEGORY_LAID_OFF_WORKER, 1}};
constexpr WeightedCategory kToMines[] = {{MEMBER_CATEGORY_LAID_OFF_WORKER, 3},
                                         {MEMBER_CATEGORY_FARMER, 3},
                                         {MEMBER_CATEGORY_VETERAN, 2}};
constexpr WeightedCategory kSeasonal[] = {{MEMBER_CATEGORY_FARMER, 4},
                                          {MEMBER_CATEGORY_LAID_OFF_WORKER, 1},
                                          {MEMBER_CATEGORY_GRADUATE, 1}};
constexpr WeightedCategory kTransferring[] = {{MEMBER_CATEGORY_GRADUATE, 2},
                                              {MEMBER_CATEGORY_VETERAN, 1}};
constexpr WeightedCategory kIntoFuyun[] = {{MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE, 4},
                                           {MEMBER_CATEGORY_LAID_OFF_WORKER, 2},
                                           {MEMBER_CATEGORY_FARMER, 2},
                                           {MEMBER_CATEGORY_VETERAN, 1},
                                           {MEMBER_CATEGORY_GRADUATE, 1},
                                           {MEMBER_CATEGORY_RETIREE, 1}};
constexpr WeightedCategory kFromPartner[] = {{MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE, 3},
                                             {MEMBER_CATEGORY_GRADUATE, 2},
                                             {MEMBER_CATEGORY_VETERAN, 1},
                                             {MEMBER_CATEGORY_LAID_OFF_WORKER, 1}};

struct Person {
  std::string name;
  Gender gender = lianxin::v1::GENDER_UNSPECIFIED;
  absl::CivilDay birth;
  MemberCategory category = lianxin::v1::MEMBER_CATEGORY_UNSPECIFIED;
  std::string id_number;
  std::string phone;
  absl::CivilDay joined_on;
  bool probationary = false;
};

struct BirthYears {
  int first;
  int last;
  int male_percent;
};

BirthYears BirthYearsOf(MemberCategory category) {
  switch (category) {
    case MEMBER_CATEGORY_FARMER:
      return {1968, 1996, 65};
    case MEMBER_CATEGORY_LAID_OFF_WORKER:
      return {1966, 1982, 60};
    case MEMBER_CATEGORY_VETERAN:
      return {1978, 1999, 92};
    case MEMBER_CATEGORY_GRADUATE:
      return {1996, 2003, 50};
    case MEMBER_CATEGORY_RETIREE:
      return {1953, 1964, 55};
    default:
      return {1975, 1998, 75};
  }
}

std::string MakeName(Rng& rng, bool male, int kazakh_percent) {
  // One draw a statement: argument order is unspecified, the plan must not be.
  if (rng.Percent(kazakh_percent)) {
    const absl::string_view given =
        male ? rng.Pick(kKazakhMaleNames) : rng.Pick(kKazakhFemaleNames);
    const absl::string_view father = rng.Pick(kKazakhFatherNames);
    return absl::StrCat(given, "·", father);
  }
  const absl::string_view surname = rng.Pick(kSurnames);
  const absl::string_view given = male ? rng.Pick(kMaleGivenNames) : rng.Pick(kFemaleGivenNames);
  return absl::StrCat(surname, given);
}

std::string MakePhone(Rng& rng) {
  static constexpr absl::string_view kPrefixes[] = {"13", "15", "17", "18", "19"};
  const absl::string_view prefix = rng.Pick(kPrefixes);
  const int number = rng.Uniform(0, 999999999);
  return absl::StrFormat("%s%09d", prefix, number);
}

std::string Ordinal(int n) {
  static constexpr absl::string_view kNumerals[] = {"一", "二", "三", "四", "五", "六"};
  return std::string(kNumerals[(n - 1) % 6]);
}

std::string Address(Rng& rng, const Place& place) {
  const absl::string_view site = rng.Pick(place.sites);
  const int number = rng.Uniform(1, 299);
  return absl::StrCat(place.name, site, number, "号");
}

// A home branch of `place` ("库额尔齐斯镇第二党支部").
std::string HomeBranch(Rng& rng, const Place& place) {
  const absl::string_view district = rng.Pick(place.districts);
  const int branch = rng.Uniform(1, 4);
  return absl::StrCat(district, "第", Ordinal(branch), "党支部");
}

// The branch receiving mobile members in a partner county.
std::string PartnerInflowBranch(Rng& rng, const Place& place) {
  return absl::StrCat(rng.Pick(place.districts), "流动党员党支部");
}

std::string Occupation(Rng& rng, MemberCategory category, bool seasonal, bool mine) {
  switch (category) {
    case MEMBER_CATEGORY_FARMER:
      return std::string(mine ? rng.Pick(kMineWork) : rng.Pick(kSeasonalFarmWork));
    case MEMBER_CATEGORY_LAID_OFF_WORKER:
      return std::string(mine ? rng.Pick(kMineWork) : rng.Pick(kLaidOffWork));
    case MEMBER_CATEGORY_VETERAN:
      return std::string(rng.Pick(kVeteranWork));
    case MEMBER_CATEGORY_GRADUATE:
      return seasonal ? std::string("假期实践") : std::string(rng.Pick(kGraduateWork));
    case MEMBER_CATEGORY_RETIREE:
      return std::string(rng.Pick(kRetireeWork));
    default:
      return std::string(rng.Pick(kEnterpriseWork));
  }
}

// R10: a quarter's dues, roughly by kind (farmers 1 yuan a month, students
// and the unemployed 0.2, salaried 1–1.5 %, retired 0.5 %).
int64_t QuarterDuesFen(MemberCategory category) {
  switch (category) {
    case MEMBER_CATEGORY_FARMER:
      return 300;
    case MEMBER_CATEGORY_LAID_OFF_WORKER:
      return 60;
    case MEMBER_CATEGORY_RETIREE:
      return 6000;
    case MEMBER_CATEGORY_VETERAN:
      return 12000;
    case MEMBER_CATEGORY_GRADUATE:
      return 27000;
    default:
      return 36000;
  }
}

absl::string_view LetterPrefix(absl::string_view county) {
  if (county == kFuyun.code) return "富组转";
  if (county == kNanshan.code) return "南组转";
  return "天组转";
}

// ============================================================================
// Stories
// ============================================================================

// Appends one member's steps, each with its request_id "s<seed>/<key>/<n>":
// deterministic, so a re-run replays instead of repeating.
class Story {
 public:
  Story(Member* member, uint64_t seed) : member_(*member), seed_(seed) {}

  Step& Add(absl::string_view county) {
    Step* step = member_.add_steps();
    step->set_county(std::string(county));
    return *step;
  }
  std::string RequestId() const {
    return absl::StrCat("s", seed_, "/", member_.key(), "/", member_.steps_size());
  }
  static void AwaitEvents(Step& step, absl::string_view county, absl::string_view type, int count) {
    if (count <= 0) return;
    Await* await = step.add_awaits();
    await->set_county(std::string(county));
    await->set_event_type(std::string(type));
    await->set_count(static_cast<uint32_t>(count));
  }
  void Expect(absl::string_view county, MemberStatus status) {
    ExpectedStatus* expected = member_.add_expected_status();
    expected->set_county(std::string(county));
    expected->set_status(status);
  }
  Member& member() { return member_; }

 private:
  Member& member_;
  uint64_t seed_;
};

class Generator {
 public:
  explicit Generator(const GenerateOptions& options) : seed_(options.seed), today_(options.today) {}

  Member Make(Fate fate, int index);

 private:
  // ---- people and numbers ----
  Person MakePerson(Rng& rng, MemberCategory category, const Place& home);
  std::string CertificateNo(absl::string_view county, absl::CivilDay issued);
  std::string LetterNo(absl::string_view county);
  absl::CivilDay DaysAgo(int days) const { return today_ - days; }
  // Not after yesterday: the county's today may be ours minus a timezone.
  absl::CivilDay NotAfterYesterday(absl::CivilDay day) const { return std::min(day, today_ - 1); }
  absl::CivilDay ValidUntil(Rng& rng) const { return today_ + rng.Uniform(90, 720); }

  // ---- steps ----
  void Register(Story& story, const Place& home, const Person& person, std::string branch);
  void Outflow(Story& story, absl::string_view home, const Place& destination,
               const std::string& occupation, absl::CivilDay left_on,
               absl::CivilDay expected_return_on, const std::string& phone,
               const std::string& liaison, Rng& rng);
  std::string Certificate(Story& story, absl::string_view home, absl::CivilDay issued_on, Rng& rng);
  // The arrival of a member known to `destination` through the stream.
  void Arrive(Story& story, absl::string_view destination, const std::string& branch,
              absl::CivilDay arrived_on, const std::string& certificate_no,
              const std::string& contact_person, int outflows_seen, bool certificate_issued);
  // A member from an origin off lianxin, registered at the destination.
  void RegisterArrival(Story& story, absl::string_view destination, const Person& person,
                       const Place& origin, const std::string& branch, absl::CivilDay arrived_on,
                       const std::string& certificate_no, const std::string& contact_person,
                       Rng& rng);
  // Organization life (and sometimes dues) at the destination after arrival,
  // no later than `until`; returns the number of entries.
  int DestinationEntries(Story& story, absl::string_view destination, absl::CivilDay arrived_on,
                         absl::CivilDay until, MemberCategory category, Rng& rng);
  void MailBackCheck(Story& story, absl::string_view home, absl::CivilDay left_on, Rng& rng);
  // R8: a certificate issued on `issued_on` is checked yearly with the
  // appraisal: the check of this year, when one is due by now. Returns the
  // number of certificate entries added (0 or 1).
  int YearlyCheck(Story& story, absl::string_view home, absl::CivilDay issued_on);
  // Asked by the home county once it has seen the arrival and
  // `awaited_entries` certificate entries recorded at the destination.
  void RequestTransfer(Story& story, absl::string_view home, absl::string_view to,
                       const std::string& organization, int awaited_entries);
  void AcceptTransfer(Story& story, absl::string_view to, const std::string& branch);
  void RejectTransfer(Story& story, absl::string_view to, const std::string& reason);
  void Return(Story& story, absl::string_view county, absl::CivilDay returned_on,
              bool await_arrival, int awaited_entries);

  // ---- fates ----
  void AwayToPartner(Story& story, Rng& rng, const Place& partner, bool arrives);
  void AwayOffSystem(Story& story, Rng& rng, const Place& destination, bool mine);
  void TransferOut(Story& story, Rng& rng, const Place& partner, Fate fate);
  void MovedOn(Story& story, Rng& rng);
  void Returned(Story& story, Rng& rng, int index);
  void InflowFromPartner(Story& story, Rng& rng, const Place& partner, Fate fate);
  void InflowOffSystem(Story& story, Rng& rng, bool leaves);
  // Issue 16: the defects' paths.
  void TransferredInThenAway(Story& story, Rng& rng);
  void TransferOffSystem(Story& story, Rng& rng, bool withdrawn);
  void ChangedOrVisiting(Story& story, Rng& rng, const Place& partner, bool visiting);
  void TransferredInOnPaper(Story& story, Rng& rng);
  void ResidentTransferring(Story& story, Rng& rng);

  uint64_t seed_;
  absl::CivilDay today_;
  absl::flat_hash_set<std::string> id_numbers_;
  std::map<std::string, int, std::less<>> serials_;
};

Person Generator::MakePerson(Rng& rng, MemberCategory category, const Place& home) {
  Person p;
  p.category = category;
  const BirthYears years = BirthYearsOf(category);
  const bool male = rng.Percent(years.male_percent);
  p.gender = male ? lianxin::v1::GENDER_MALE : lianxin::v1::GENDER_FEMALE;
  p.name = MakeName(rng, male, home.kazakh_percent);
  const int birth_year = rng.Uniform(years.first, years.last);
  const int birth_month = rng.Uniform(1, 12);
  const int birth_day = rng.Uniform(1, 28);
  p.birth = absl::CivilDay(birth_year, birth_month, birth_day);
  // The sequence code's parity is the gender; a taken number moves on.
  int sequence = rng.Uniform(0, 499) * 2 + (male ? 1 : 0);
  for (;;) {
    p.id_number = MakeResidentIdNumber(home.code, p.birth, sequence);
    if (id_numbers_.insert(p.id_number).second) break;
    sequence = (sequence + 2) % 1000;
  }
  p.phone = MakePhone(rng);
  const int join_age =
      category == MEMBER_CATEGORY_GRADUATE ? rng.Uniform(20, 22) : rng.Uniform(19, 35);
  const int join_month = rng.Uniform(1, 12);
  const int join_day = rng.Uniform(1, 28);
  // Drawn whatever `today` is, so that the draws after it do not depend on the day.
  const int recent_join_days = rng.Uniform(400, 700);
  const bool on_probation = rng.Percent(20);
  const int probation_days = rng.Uniform(60, 330);
  p.joined_on = absl::CivilDay(p.birth.year() + join_age, join_month, join_day);
  if (p.joined_on > DaysAgo(400)) p.joined_on = DaysAgo(recent_join_days);
  // R11: a graduate may still be on probation (voted in within the year).
  if (category == MEMBER_CATEGORY_GRADUATE && on_probation) {
    p.probationary = true;
    p.joined_on = DaysAgo(probation_days);
  }
  return p;
}

std::string Generator::CertificateNo(absl::string_view county, absl::CivilDay issued) {
  const int serial = ++serials_[absl::StrCat("certificate/", county, "/", issued.year())];
  return absl::StrFormat("%s-%04d-%04d", county, issued.year(), serial);
}

std::string Generator::LetterNo(absl::string_view county) {
  const int serial = ++serials_[absl::StrCat("letter/", county)];
  return absl::StrFormat("%s〔%d〕%d号", LetterPrefix(county), today_.year(), serial);
}

void Generator::Register(Story& story, const Place& home, const Person& person,
                         std::string branch) {
  Step& step = story.Add(home.code);
  auto* r = step.mutable_register_member();
  r->set_request_id(story.RequestId());
  r->set_jurisdiction(std::string(home.code));
  r->set_branch(std::move(branch));
  r->set_name(person.name);
  r->set_id_number(person.id_number);
  r->set_gender(person.gender);
  r->set_birth_date(Date(person.birth));
  r->set_category(person.category);
  r->set_phone(person.phone);
  r->set_probationary(person.probationary);
  r->set_joined_on(Date(person.joined_on));
}

void Generator::Outflow(Story& story, absl::string_view home, const Place& destination,
                        const std::string& occupation, absl::CivilDay left_on,
                        absl::CivilDay expected_return_on, const std::string& phone,
                        const std::string& liaison, Rng& rng) {
  Step& step = story.Add(home);
  auto* o = step.mutable_register_outflow();
  o->set_request_id(story.RequestId());
  o->set_destination_jurisdiction(std::string(destination.code));
  o->set_destination_name(std::string(destination.name));
  o->set_destination_address(Address(rng, destination));
  o->set_occupation(occupation);
  o->set_left_on(Date(left_on));
  o->set_expected_return_on(Date(expected_return_on));
  o->set_contact_phone(phone);
  o->set_liaison_name(liaison);
}

std::string Generator::Certificate(Story& story, absl::string_view home, absl::CivilDay issued_on,
                                   Rng& rng) {
  std::string number = CertificateNo(home, issued_on);
  Step& step = story.Add(home);
  auto* c = step.mutable_issue_certificate();
  c->set_request_id(story.RequestId());
  c->set_certificate_no(number);
  c->set_issued_on(Date(issued_on));
  c->set_valid_until(Date(ValidUntil(rng)));
  return number;
}

void Generator::Arrive(Story& story, absl::string_view destination, const std::string& branch,
                       absl::CivilDay arrived_on, const std::string& certificate_no,
                       const std::string& contact_person, int outflows_seen,
                       bool certificate_issued) {
  Step& step = story.Add(destination);
  Story::AwaitEvents(step, destination, "OutflowRegistered", outflows_seen);
  // The destination checks the certificate presented against the one issued.
  if (certificate_issued) Story::AwaitEvents(step, destination, "CertificateIssued", 1);
  auto* a = step.mutable_record_arrival();
  a->set_request_id(story.RequestId());
  a->set_jurisdiction(std::string(destination));
  a->set_branch(branch);
  a->set_arrived_on(Date(arrived_on));
  a->set_certificate_no(certificate_no);
  a->set_contact_person(contact_person);
}

void Generator::RegisterArrival(Story& story, absl::string_view destination, const Person& person,
                                const Place& origin, const std::string& branch,
                                absl::CivilDay arrived_on, const std::string& certificate_no,
                                const std::string& contact_person, Rng& rng) {
  Step& step = story.Add(destination);
  auto* a = step.mutable_record_arrival();
  a->set_request_id(story.RequestId());
  a->set_jurisdiction(std::string(destination));
  a->set_branch(branch);
  a->set_arrived_on(Date(arrived_on));
  a->set_certificate_no(certificate_no);
  a->set_contact_person(contact_person);
  a->set_name(person.name);
  a->set_id_number(person.id_number);
  a->set_gender(person.gender);
  a->set_birth_date(Date(person.birth));
  a->set_category(person.category);
  a->set_phone(person.phone);
  a->set_probationary(person.probationary);
  a->set_joined_on(Date(person.joined_on));
  a->set_origin_jurisdiction(std::string(origin.code));
  a->set_origin_branch(absl::StrCat(origin.name, HomeBranch(rng, origin)));
}

int Generator::DestinationEntries(Story& story, absl::string_view destination,
                                  absl::CivilDay arrived_on, absl::CivilDay until,
                                  MemberCategory category, Rng& rng) {
  until = NotAfterYesterday(until);
  const int wanted = rng.Uniform(0, 4);
  int recorded = 0;
  absl::CivilDay day = arrived_on + rng.Uniform(5, 12);
  for (int i = 0; i < wanted && day <= until; ++i, day += rng.Uniform(28, 35)) {
    Step& step = story.Add(destination);
    auto* e = step.mutable_record_certificate_entry();
    e->set_request_id(story.RequestId());
    e->set_occurred_on(Date(day));
    e->set_activity(std::string(rng.Pick(kOrganizationLife)));
    e->set_kind(lianxin::v1::CERTIFICATE_ENTRY_KIND_ORGANIZATION_LIFE);
    ++recorded;
  }
  if (recorded > 0 && rng.Percent(40)) {
    Step& step = story.Add(destination);
    auto* e = step.mutable_record_certificate_entry();
    e->set_request_id(story.RequestId());
    e->set_occurred_on(Date(std::min(arrived_on + 20, until)));
    e->set_activity("缴纳党费（三个月）");
    e->set_kind(lianxin::v1::CERTIFICATE_ENTRY_KIND_DUES);
    e->set_amount_fen(QuarterDuesFen(category));
    ++recorded;
  }
  return recorded;
}

void Generator::MailBackCheck(Story& story, absl::string_view home, absl::CivilDay left_on,
                              Rng& rng) {
  // R8 (local): long-term holders mail the certificate back each quarter.
  if (today_ - left_on < 180 || !rng.Percent(35)) return;
  Step& step = story.Add(home);
  auto* e = step.mutable_record_certificate_entry();
  e->set_request_id(story.RequestId());
  e->set_occurred_on(Date(std::max(left_on + 1, DaysAgo(rng.Uniform(2, 60)))));
  e->set_activity("活动证季度寄回查验");
  e->set_kind(lianxin::v1::CERTIFICATE_ENTRY_KIND_MAIL_BACK_CHECK);
}

int Generator::YearlyCheck(Story& story, absl::string_view home, absl::CivilDay issued_on) {
  if (today_ - issued_on < 330) return 0;
  Step& step = story.Add(home);
  auto* e = step.mutable_record_certificate_entry();
  e->set_request_id(story.RequestId());
  e->set_occurred_on(Date(NotAfterYesterday(std::max(issued_on + 1, DaysAgo(7)))));
  e->set_activity("活动证年度查验（随民主评议）");
  e->set_kind(lianxin::v1::CERTIFICATE_ENTRY_KIND_YEARLY_CHECK);
  return 1;
}

void Generator::RequestTransfer(Story& story, absl::string_view home, absl::string_view to,
                                const std::string& organization, int awaited_entries) {
  Step& step = story.Add(home);
  Story::AwaitEvents(step, home, "ArrivalRecorded", 1);
  Story::AwaitEvents(step, home, "CertificateEntryRecorded", awaited_entries);
  auto* t = step.mutable_request_transfer();
  t->set_request_id(story.RequestId());
  t->set_to_jurisdiction(std::string(to));
  t->set_letter_no(LetterNo(home));
  t->set_to_organization(organization);
}

void Generator::AcceptTransfer(Story& story, absl::string_view to, const std::string& branch) {
  Step& step = story.Add(to);
  Story::AwaitEvents(step, to, "TransferRequested", 1);
  auto* a = step.mutable_accept_transfer();
  a->set_request_id(story.RequestId());
  a->set_branch(branch);
}

void Generator::RejectTransfer(Story& story, absl::string_view to, const std::string& reason) {
  Step& step = story.Add(to);
  Story::AwaitEvents(step, to, "TransferRequested", 1);
  auto* r = step.mutable_reject_transfer();
  r->set_request_id(story.RequestId());
  r->set_reason(reason);
}

void Generator::Return(Story& story, absl::string_view county, absl::CivilDay returned_on,
                       bool await_arrival, int awaited_entries) {
  Step& step = story.Add(county);
  if (await_arrival) {
    Story::AwaitEvents(step, county, "ArrivalRecorded", 1);
    Story::AwaitEvents(step, county, "CertificateEntryRecorded", awaited_entries);
  }
  auto* r = step.mutable_record_return();
  r->set_request_id(story.RequestId());
  r->set_returned_on(Date(returned_on));
}

// ---- fates ----

// The liaison at home (联络人), a branch committee member.
std::string Liaison(Rng& rng, const Place& home) {
  const bool male = rng.Percent(60);
  return MakeName(rng, male, home.kazakh_percent);
}

// The contact person at the destination, recorded on the certificate.
std::string Contact(Rng& rng, const Place& destination) {
  const bool male = rng.Percent(50);
  return MakeName(rng, male, destination.kazakh_percent);
}

void Generator::AwayToPartner(Story& story, Rng& rng, const Place& partner, bool arrives) {
  const MemberCategory category = PickCategory(rng, kToPartner);
  const Person p = MakePerson(rng, category, kFuyun);
  Register(story, kFuyun, p, HomeBranch(rng, kFuyun));
  const absl::CivilDay left_on =
      arrives ? DaysAgo(rng.Uniform(40, 500)) : DaysAgo(rng.Uniform(3, 25));
  const std::string occupation = Occupation(rng, p.category, false, false);
  const int months = rng.Uniform(6, 24);
  const std::string liaison = Liaison(rng, kFuyun);
  Outflow(story, kFuyun.code, partner, occupation, left_on, PlusMonths(left_on, months), p.phone,
          liaison, rng);
  std::string certificate;
  if (arrives || rng.Percent(50)) certificate = Certificate(story, kFuyun.code, left_on, rng);
  story.member().set_home_jurisdiction(std::string(kFuyun.code));
  if (!arrives) {
    story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
    story.Expect(partner.code, lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
    return;
  }
  const absl::CivilDay arrived_on = NotAfterYesterday(left_on + rng.Uniform(1, 5));
  const std::string branch = PartnerInflowBranch(rng, partner);
  const std::string contact = Contact(rng, partner);
  Arrive(story, partner.code, branch, arrived_on, certificate, contact, 1, !certificate.empty());
  DestinationEntries(story, partner.code, arrived_on, today_, p.category, rng);
  MailBackCheck(story, kFuyun.code, left_on, rng);
  YearlyCheck(story, kFuyun.code, left_on);
  story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED);
  story.Expect(partner.code, lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
}

void Generator::AwayOffSystem(Story& story, Rng& rng, const Place& destination, bool mine) {
  using Table = std::span<const WeightedCategory>;
  const MemberCategory category = PickCategory(rng, mine ? Table(kToMines) : Table(kToInland));
  const Person p = MakePerson(rng, category, kFuyun);
  Register(story, kFuyun, p, HomeBranch(rng, kFuyun));
  const absl::CivilDay left_on = DaysAgo(rng.Uniform(15, 700));
  const int months =
      p.category == MEMBER_CATEGORY_RETIREE ? rng.Uniform(24, 60) : rng.Uniform(6, 24);
  const std::string occupation = Occupation(rng, p.category, false, mine);
  const std::string liaison = Liaison(rng, kFuyun);
  Outflow(story, kFuyun.code, destination, occupation, left_on, PlusMonths(left_on, months),
          p.phone, liaison, rng);
  // R2: away six months or more needs the activity certificate.
  const bool certified = rng.Percent(50) || today_ - left_on >= 150;
  if (certified) {
    Certificate(story, kFuyun.code, left_on, rng);
    MailBackCheck(story, kFuyun.code, left_on, rng);
    YearlyCheck(story, kFuyun.code, left_on);
  }
  story.member().set_home_jurisdiction(std::string(kFuyun.code));
  story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
}

void Generator::TransferOut(Story& story, Rng& rng, const Place& partner, Fate fate) {
  const MemberCategory category = PickCategory(rng, kTransferring);
  const Person p = MakePerson(rng, category, kFuyun);
  Register(story, kFuyun, p, HomeBranch(rng, kFuyun));
  const absl::CivilDay left_on = DaysAgo(rng.Uniform(200, 500));
  const std::string occupation = Occupation(rng, p.category, false, false);
  const int months = rng.Uniform(24, 48);
  const std::string liaison = Liaison(rng, kFuyun);
  Outflow(story, kFuyun.code, partner, occupation, left_on, PlusMonths(left_on, months), p.phone,
          liaison, rng);
  const std::string certificate = Certificate(story, kFuyun.code, left_on, rng);
  const int checks = YearlyCheck(story, kFuyun.code, left_on);
  const absl::CivilDay arrived_on = left_on + rng.Uniform(1, 5);
  const std::string branch = PartnerInflowBranch(rng, partner);
  const std::string contact = Contact(rng, partner);
  Arrive(story, partner.code, branch, arrived_on, certificate, contact, 1, true);
  const int entries = DestinationEntries(story, partner.code, arrived_on, today_, p.category, rng);
  const std::string district(branch.substr(0, branch.find("流动党员党支部")));
  RequestTransfer(story, kFuyun.code, partner.code,
                  absl::StrCat("中共", partner.name, district, "工作委员会"), entries + checks);
  story.member().set_home_jurisdiction(std::string(kFuyun.code));
  switch (fate) {
    case Fate::kTransferredOut:
      AcceptTransfer(story, partner.code, branch);
      story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT);
      story.Expect(partner.code, lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN);
      break;
    case Fate::kTransferRejected:
      RejectTransfer(story, partner.code,
                     "介绍信所列接收党组织与党员实际所在支部不符，请核实后重新开具");
      story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED);
      story.Expect(partner.code, lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
      break;
    default:  // kTransferPending: the receipt is still to come back (R9)
      story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING);
      story.Expect(partner.code, lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
      break;
  }
}

void Generator::MovedOn(Story& story, Rng& rng) {
  const MemberCategory category = PickCategory(rng, kToPartner);
  const Person p = MakePerson(rng, category, kFuyun);
  Register(story, kFuyun, p, HomeBranch(rng, kFuyun));
  const absl::CivilDay left_on = DaysAgo(rng.Uniform(200, 360));
  const std::string liaison = Liaison(rng, kFuyun);
  const std::string occupation = Occupation(rng, p.category, false, false);
  Outflow(story, kFuyun.code, kTianshan, occupation, left_on, PlusMonths(left_on, 24), p.phone,
          liaison, rng);
  const std::string certificate = Certificate(story, kFuyun.code, left_on, rng);
  const absl::CivilDay arrived_on = left_on + rng.Uniform(1, 5);
  const std::string branch = PartnerInflowBranch(rng, kTianshan);
  const std::string contact = Contact(rng, kTianshan);
  Arrive(story, kTianshan.code, branch, arrived_on, certificate, contact, 1, true);
  const int entries =
      DestinationEntries(story, kTianshan.code, arrived_on, DaysAgo(40), p.category, rng);
  // Flow 6: the origin records the new destination once it has everything
  // Tianshan recorded (the new destination starts from the origin's copy).
  const absl::CivilDay moved_on = DaysAgo(rng.Uniform(3, 20));
  const std::string new_occupation = Occupation(rng, p.category, false, false);
  const std::string new_phone = MakePhone(rng);
  Outflow(story, kFuyun.code, kNanshan, new_occupation, moved_on, PlusMonths(moved_on, 12),
          new_phone, liaison, rng);
  Step& change = *story.member().mutable_steps(story.member().steps_size() - 1);
  Story::AwaitEvents(change, kFuyun.code, "ArrivalRecorded", 1);
  Story::AwaitEvents(change, kFuyun.code, "CertificateEntryRecorded", entries);
  story.member().set_home_jurisdiction(std::string(kFuyun.code));
  // Not yet received at Nanshan: Tianshan's copy stays equal to the others.
  story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
  story.Expect(kTianshan.code, lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
  story.Expect(kNanshan.code, lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
}

void Generator::Returned(Story& story, Rng& rng, int index) {
  const MemberCategory category = PickCategory(rng, kSeasonal);
  const Person p = MakePerson(rng, category, kFuyun);
  Register(story, kFuyun, p, HomeBranch(rng, kFuyun));
  // Seasonal work: left in a past season, back before today.
  const absl::CivilDay left_on = DaysAgo(rng.Uniform(150, 330));
  const int season_days = rng.Uniform(100, 200);
  const int days_back = rng.Uniform(2, 10);
  const absl::CivilDay returned_on = std::min(left_on + season_days, DaysAgo(days_back));
  const Place* destination = &kTianshan;
  if (index % 4 == 1) destination = &kNanshan;
  if (index % 4 == 2) destination = &rng.Pick(kInlandDestinations);
  if (index % 4 == 3) destination = &rng.Pick(kRegionMines);
  const bool on_system = destination == &kTianshan || destination == &kNanshan;
  const std::string occupation = Occupation(rng, p.category, true, index % 4 == 3);
  const int months = rng.Uniform(4, 7);
  const std::string liaison = Liaison(rng, kFuyun);
  Outflow(story, kFuyun.code, *destination, occupation, left_on, PlusMonths(left_on, months),
          p.phone, liaison, rng);
  story.member().set_home_jurisdiction(std::string(kFuyun.code));
  story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_RESIDENT);
  if (!on_system) {
    Return(story, kFuyun.code, returned_on, false, 0);
    return;
  }
  std::string certificate;
  if (rng.Percent(60)) certificate = Certificate(story, kFuyun.code, left_on, rng);
  const absl::CivilDay arrived_on = left_on + rng.Uniform(1, 5);
  const std::string branch = PartnerInflowBranch(rng, *destination);
  const std::string contact = Contact(rng, *destination);
  Arrive(story, destination->code, branch, arrived_on, certificate, contact, 1,
         !certificate.empty());
  int entries = 0;
  if (!certificate.empty()) {
    entries =
        DestinationEntries(story, destination->code, arrived_on, returned_on, p.category, rng);
  }
  Return(story, kFuyun.code, returned_on, true, entries);
  story.Expect(destination->code, lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
}

void Generator::InflowFromPartner(Story& story, Rng& rng, const Place& partner, Fate fate) {
  const MemberCategory category = fate == Fate::kTransferredIn ? MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE
                                                               : PickCategory(rng, kFromPartner);
  const Person p = MakePerson(rng, category, partner);
  Register(story, partner, p, HomeBranch(rng, partner));
  const absl::CivilDay left_on = fate == Fate::kInflowFromPartner ? DaysAgo(rng.Uniform(20, 600))
                                                                  : DaysAgo(rng.Uniform(200, 500));
  const std::string occupation = Occupation(rng, p.category, false, false);
  const int months = rng.Uniform(12, 36);
  const std::string liaison = Liaison(rng, partner);
  Outflow(story, partner.code, kFuyun, occupation, left_on, PlusMonths(left_on, months), p.phone,
          liaison, rng);
  std::string certificate;
  if (fate != Fate::kInflowFromPartner || rng.Percent(75)) {
    certificate = Certificate(story, partner.code, left_on, rng);
  }
  const absl::CivilDay arrived_on = NotAfterYesterday(left_on + rng.Uniform(1, 5));
  const std::string branch(rng.Pick(kFuyunInflowBranches));
  const std::string contact = Contact(rng, kFuyun);
  Arrive(story, kFuyun.code, branch, arrived_on, certificate, contact, 1, !certificate.empty());
  story.member().set_home_jurisdiction(std::string(partner.code));
  switch (fate) {
    case Fate::kInflowReturnedHome: {
      const int stay_days = rng.Uniform(90, 200);
      const int days_back = rng.Uniform(2, 10);
      const absl::CivilDay returned_on = std::min(arrived_on + stay_days, DaysAgo(days_back));
      const int entries = certificate.empty() ? 0
                                              : DestinationEntries(story, kFuyun.code, arrived_on,
                                                                   returned_on, p.category, rng);
      Return(story, partner.code, returned_on, true, entries);
      story.Expect(partner.code, lianxin::v1::MEMBER_STATUS_RESIDENT);
      story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
      break;
    }
    case Fate::kTransferredIn: {
      const int entries =
          DestinationEntries(story, kFuyun.code, arrived_on, today_, p.category, rng);
      RequestTransfer(story, partner.code, kFuyun.code, "中共富蕴县委组织部", entries);
      AcceptTransfer(story, kFuyun.code, branch);
      story.Expect(partner.code, lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT);
      story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN);
      break;
    }
    default:  // kInflowFromPartner
      if (!certificate.empty()) {
        DestinationEntries(story, kFuyun.code, arrived_on, today_, p.category, rng);
        MailBackCheck(story, partner.code, left_on, rng);
      }
      story.Expect(partner.code, lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED);
      story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
      break;
  }
}

void Generator::InflowOffSystem(Story& story, Rng& rng, bool leaves) {
  const Place& origin = rng.Pick(kInflowOrigins);
  const MemberCategory category = PickCategory(rng, kIntoFuyun);
  const Person p = MakePerson(rng, category, origin);
  const absl::CivilDay arrived_on =
      leaves ? DaysAgo(rng.Uniform(300, 600)) : DaysAgo(rng.Uniform(5, 900));
  // The activity certificate of the origin, when the member brought one.
  std::string certificate;
  if (rng.Percent(65)) certificate = CertificateNo(origin.code, arrived_on - rng.Uniform(2, 20));
  const std::string branch(rng.Pick(kFuyunInflowBranches));
  const std::string contact = Contact(rng, kFuyun);
  RegisterArrival(story, kFuyun.code, p, origin, branch, arrived_on, certificate, contact, rng);
  story.member().set_home_jurisdiction(std::string(origin.code));
  if (leaves) {
    const absl::CivilDay left_fuyun = NotAfterYesterday(arrived_on + rng.Uniform(60, 250));
    if (!certificate.empty()) {
      DestinationEntries(story, kFuyun.code, arrived_on, left_fuyun, p.category, rng);
    }
    Return(story, kFuyun.code, left_fuyun, false, 0);
    story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_INFLOW_CLOSED);
    return;
  }
  if (!certificate.empty()) {
    DestinationEntries(story, kFuyun.code, arrived_on, today_, p.category, rng);
  }
  story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE);
}

void Generator::TransferredInThenAway(Story& story, Rng& rng) {
  InflowFromPartner(story, rng, kNanshan, Fate::kTransferredIn);
  story.member().clear_expected_status();
  // Defect 1: once Fuyun's own, the member leaves again; R2 is owed anew.
  const absl::CivilDay left_on = DaysAgo(rng.Uniform(1, 3));
  Outflow(story, kFuyun.code, kTianshan,
          Occupation(rng, MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE, false, false), left_on,
          PlusMonths(left_on, 12), MakePhone(rng), Liaison(rng, kFuyun), rng);
  Step& leave = *story.member().mutable_steps(story.member().steps_size() - 1);
  Story::AwaitEvents(leave, kFuyun.code, "TransferAccepted", 1);
  // Nanshan's part ended with the transfer (TRANSFERRED_OUT there); it does
  // not learn of the new outflow, so its copy is not compared.
  story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
  story.Expect(kTianshan.code, lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
}

void Generator::TransferOffSystem(Story& story, Rng& rng, bool withdrawn) {
  const Place& destination = rng.Pick(kInlandDestinations);
  AwayOffSystem(story, rng, destination, /*mine=*/false);
  story.member().clear_expected_status();
  // R20: the receiving committee does not run lianxin; the letter goes on paper.
  Step& request = story.Add(kFuyun.code);
  auto* t = request.mutable_request_transfer();
  t->set_request_id(story.RequestId());
  t->set_to_jurisdiction(std::string(destination.code));
  t->set_letter_no(LetterNo(kFuyun.code));
  t->set_to_organization(absl::StrCat("中共", destination.name, "委员会组织部"));
  if (withdrawn) {
    Step& step = story.Add(kFuyun.code);
    auto* w = step.mutable_withdraw_transfer();
    w->set_request_id(story.RequestId());
    w->set_reason("接收地党委要求按新格式重开介绍信，原信作废");
    story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING);
    return;
  }
  Step& step = story.Add(kFuyun.code);
  auto* r = step.mutable_record_transfer_receipt();
  r->set_request_id(story.RequestId());
  // received_on empty: the day it is recorded, never before the request.
  r->set_branch(absl::StrCat(destination.name, HomeBranch(rng, destination)));
  story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT);
}

void Generator::ChangedOrVisiting(Story& story, Rng& rng, const Place& partner, bool visiting) {
  AwayToPartner(story, rng, partner, /*arrives=*/true);
  if (visiting) {
    // Defect 7: home for the Spring Festival, then back to work.
    const absl::CivilDay from = NextSpringFestival(today_ + 1) - rng.Uniform(2, 5);
    Step& step = story.Add(kFuyun.code);
    auto* v = step.mutable_record_visit_home();
    v->set_request_id(story.RequestId());
    v->set_home_from(Date(from));
    v->set_home_until(Date(from + rng.Uniform(10, 25)));
    return;
  }
  // Defect 4: a new address, phone, employer and return at home, a new
  // branch at the destination, the member staying there.
  Step& home = story.Add(kFuyun.code);
  Story::AwaitEvents(home, kFuyun.code, "ArrivalRecorded", 1);
  auto* c = home.mutable_record_outflow_change();
  c->set_request_id(story.RequestId());
  c->set_destination_address(Address(rng, partner));
  c->set_contact_phone(MakePhone(rng));
  c->set_employer(std::string(rng.Pick(kEnterpriseWork)));
  c->set_expected_return_on(Date(today_ + rng.Uniform(200, 400)));
  c->set_changed_on(Date(DaysAgo(1)));
  Step& there = story.Add(partner.code);
  auto* b = there.mutable_record_outflow_change();
  b->set_request_id(story.RequestId());
  b->set_destination_branch(PartnerInflowBranch(rng, partner));
  b->set_changed_on(Date(DaysAgo(1)));
}

void Generator::TransferredInOnPaper(Story& story, Rng& rng) {
  const Place& origin = rng.Pick(kInflowOrigins);
  const Person p = MakePerson(rng, PickCategory(rng, kIntoFuyun), origin);
  Step& step = story.Add(kFuyun.code);
  auto* t = step.mutable_record_transfer_in();
  t->set_request_id(story.RequestId());
  t->set_jurisdiction(std::string(kFuyun.code));
  t->set_branch(std::string(rng.Pick(kFuyunInflowBranches)));
  t->set_letter_no(
      absl::StrFormat("%s组转〔%d〕%d号", origin.name, today_.year(), rng.Uniform(1, 300)));
  t->set_accepted_on(Date(DaysAgo(rng.Uniform(5, 200))));
  t->set_origin_jurisdiction(std::string(origin.code));
  t->set_origin_branch(absl::StrCat(origin.name, HomeBranch(rng, origin)));
  t->set_name(p.name);
  t->set_id_number(p.id_number);
  t->set_gender(p.gender);
  t->set_birth_date(Date(p.birth));
  t->set_category(p.category);
  t->set_phone(p.phone);
  t->set_probationary(p.probationary);
  t->set_joined_on(Date(std::min(p.joined_on, DaysAgo(210))));
  // As for every member: the home county of the registration (the origin).
  story.member().set_home_jurisdiction(std::string(origin.code));
  story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN);
}

void Generator::ResidentTransferring(Story& story, Rng& rng) {
  const Person p = MakePerson(rng, PickCategory(rng, kTransferring), kFuyun);
  Register(story, kFuyun, p, HomeBranch(rng, kFuyun));
  Step& step = story.Add(kFuyun.code);
  auto* t = step.mutable_request_transfer();
  t->set_request_id(story.RequestId());
  t->set_to_jurisdiction(std::string(kTianshan.code));
  t->set_letter_no(LetterNo(kFuyun.code));
  t->set_to_organization("中共乌鲁木齐市天山区委组织部");
  story.member().set_home_jurisdiction(std::string(kFuyun.code));
  story.Expect(kFuyun.code, lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING);
  story.Expect(kTianshan.code, lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED);
}

Member Generator::Make(Fate fate, int index) {
  Member member;
  member.set_key(absl::StrFormat("%s-%03d", FateName(fate), index + 1));
  member.set_fate(std::string(FateName(fate)));
  Rng rng(MemberSeed(seed_, fate, index));
  Story story(&member, seed_);
  const Place& partner = index % 2 == 0 ? kTianshan : kNanshan;
  switch (fate) {
    case Fate::kAwayPending:
      AwayToPartner(story, rng, partner, /*arrives=*/false);
      break;
    case Fate::kAwayReceived:
      AwayToPartner(story, rng, partner, /*arrives=*/true);
      break;
    case Fate::kAwayOffSystem:
      AwayOffSystem(story, rng, rng.Pick(kInlandDestinations), /*mine=*/false);
      break;
    case Fate::kAwayMine:
      AwayOffSystem(story, rng, rng.Pick(kRegionMines), /*mine=*/true);
      break;
    case Fate::kTransferPending:
    case Fate::kTransferredOut:
      TransferOut(story, rng, kTianshan, fate);
      break;
    case Fate::kTransferRejected:
      TransferOut(story, rng, kNanshan, fate);
      break;
    case Fate::kMovedOn:
      MovedOn(story, rng);
      break;
    case Fate::kReturned:
      Returned(story, rng, index);
      break;
    case Fate::kInflowFromPartner:
    case Fate::kInflowReturnedHome:
      InflowFromPartner(story, rng, partner, fate);
      break;
    case Fate::kTransferredIn:
      InflowFromPartner(story, rng, kNanshan, fate);
      break;
    case Fate::kInflowOffSystem:
      InflowOffSystem(story, rng, /*leaves=*/false);
      break;
    case Fate::kInflowOffSystemLeft:
      InflowOffSystem(story, rng, /*leaves=*/true);
      break;
    case Fate::kTransferredInThenAway:
      TransferredInThenAway(story, rng);
      break;
    case Fate::kTransferWithdrawn:
    case Fate::kTransferredOutOnPaper:
      TransferOffSystem(story, rng, fate == Fate::kTransferWithdrawn);
      break;
    case Fate::kChangedInDestination:
    case Fate::kVisitingHome:
      ChangedOrVisiting(story, rng, partner, fate == Fate::kVisitingHome);
      break;
    case Fate::kTransferredInOnPaper:
      TransferredInOnPaper(story, rng);
      break;
    case Fate::kResidentTransferring:
      ResidentTransferring(story, rng);
      break;
  }
  const Step& first = member.steps(0);
  if (first.has_register_member()) {
    member.set_name(first.register_member().name());
    member.set_category(first.register_member().category());
  } else if (first.has_record_transfer_in()) {
    member.set_name(first.record_transfer_in().name());
    member.set_category(first.record_transfer_in().category());
  } else {
    member.set_name(first.record_arrival().name());
    member.set_category(first.record_arrival().category());
  }
  member.set_registered_by(first.county());
  return member;
}

}  // namespace

// ============================================================================
// Public
// ============================================================================

absl::string_view FateName(Fate fate) {
  switch (fate) {
    case Fate::kAwayPending:
      return "away-pending";
    case Fate::kAwayReceived:
      return "away-received";
    case Fate::kAwayOffSystem:
      return "away-inland";
    case Fate::kAwayMine:
      return "away-mine";
    case Fate::kTransferPending:
      return "transfer-pending";
    case Fate::kTransferRejected:
      return "transfer-rejected";
    case Fate::kMovedOn:
      return "moved-on";
    case Fate::kReturned:
      return "returned";
    case Fate::kTransferredOut:
      return "transferred-out";
    case Fate::kInflowFromPartner:
      return "inflow-partner";
    case Fate::kInflowOffSystem:
      return "inflow-offsystem";
    case Fate::kInflowReturnedHome:
      return "inflow-gone-home";
    case Fate::kInflowOffSystemLeft:
      return "inflow-left";
    case Fate::kTransferredIn:
      return "transferred-in";
    case Fate::kTransferredInThenAway:
      return "transferred-in-away";
    case Fate::kTransferWithdrawn:
      return "transfer-withdrawn";
    case Fate::kChangedInDestination:
      return "away-changed";
    case Fate::kVisitingHome:
      return "away-visiting";
    case Fate::kTransferredOutOnPaper:
      return "transferred-out-paper";
    case Fate::kTransferredInOnPaper:
      return "transferred-in-paper";
    case Fate::kResidentTransferring:
      return "resident-transferring";
  }
  return "unknown";
}

PopulationSpec FuyunSpec() {
  return {{{Fate::kAwayPending, 1},
           {Fate::kAwayReceived, 4},
           {Fate::kAwayOffSystem, 6},
           {Fate::kAwayMine, 6},
           {Fate::kTransferPending, 1},
           {Fate::kTransferRejected, 1},
           {Fate::kMovedOn, 1},
           {Fate::kReturned, 5},
           {Fate::kTransferredOut, 1},
           {Fate::kInflowFromPartner, 12},
           {Fate::kInflowOffSystem, 79},
           {Fate::kInflowReturnedHome, 2},
           {Fate::kInflowOffSystemLeft, 1},
           {Fate::kTransferredIn, 1},
           {Fate::kTransferredInThenAway, 1},
           {Fate::kTransferWithdrawn, 1},
           {Fate::kChangedInDestination, 1},
           {Fate::kVisitingHome, 1},
           {Fate::kTransferredOutOnPaper, 1},
           {Fate::kTransferredInOnPaper, 1},
           {Fate::kResidentTransferring, 1}}};
}

PopulationSpec ScaledSpec(int64_t members) {
  const PopulationSpec fuyun = FuyunSpec();
  int64_t total = 0;
  for (const auto& [fate, count] : fuyun.members) total += count;
  PopulationSpec scaled;
  std::vector<std::pair<int64_t, size_t>> remainders;  // (remainder, position)
  int64_t assigned = 0;
  for (size_t i = 0; i < fuyun.members.size(); ++i) {
    const int64_t exact = members * fuyun.members[i].second;
    scaled.members.push_back({fuyun.members[i].first, static_cast<int>(exact / total)});
    assigned += exact / total;
    remainders.push_back({exact % total, i});
  }
  // Largest remainder first; ties in spec order.
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; assigned < members; ++i, ++assigned) {
    ++scaled.members[remainders[i % remainders.size()].second].second;
  }
  return scaled;
}

Plan Generate(const PopulationSpec& spec, const GenerateOptions& options) {
  Plan plan;
  plan.set_seed(options.seed);
  plan.set_today(Date(options.today));
  plan.set_focus_county(std::string(kFuyun.code));
  for (const Place* county : {&kFuyun, &kTianshan, &kNanshan}) {
    plan.add_counties(std::string(county->code));
  }
  Generator generator(options);
  for (const auto& [fate, count] : spec.members) {
    for (int i = 0; i < count; ++i) {
      Member* member = plan.add_members();
      *member = generator.Make(fate, i);
      if (CountsAsOutflow(*member, plan.focus_county())) {
        plan.set_expected_outflow_count(plan.expected_outflow_count() + 1);
      }
      for (const ExpectedStatus& expected : member->expected_status()) {
        if (expected.county() != plan.focus_county()) continue;
        if (expected.status() == lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE) {
          plan.set_expected_inflow_count(plan.expected_inflow_count() + 1);
        }
      }
    }
  }
  return plan;
}

bool IsOutflowStatus(MemberStatus status) {
  return status == lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING ||
         status == lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED ||
         status == lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING;
}

absl::CivilDay NextSpringFestival(absl::CivilDay day) {
  // Lunar New Year's days.
  static constexpr absl::CivilDay kFestivals[] = {
      absl::CivilDay(2026, 2, 17), absl::CivilDay(2027, 2, 6),  absl::CivilDay(2028, 1, 26),
      absl::CivilDay(2029, 2, 13), absl::CivilDay(2030, 2, 3),  absl::CivilDay(2031, 1, 23),
      absl::CivilDay(2032, 2, 11), absl::CivilDay(2033, 1, 31), absl::CivilDay(2034, 2, 19),
      absl::CivilDay(2035, 2, 8)};
  for (absl::CivilDay festival : kFestivals) {
    if (festival >= day) return festival;
  }
  return kFestivals[std::size(kFestivals) - 1];
}

bool CountsAsOutflow(const Member& member, absl::string_view focus_county) {
  bool away = false;
  for (const Step& step : member.steps()) {
    if (step.has_register_outflow()) away = true;
    if (step.has_record_return() || step.has_accept_transfer()) away = false;
  }
  for (const ExpectedStatus& expected : member.expected_status()) {
    if (expected.county() != focus_county) continue;
    if (expected.status() == lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING) return away;
    return IsOutflowStatus(expected.status());
  }
  return false;
}

}  // namespace lianxin::scenario
