#include "tools/chaos/driver.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "lianxin/v1/appraisal.grpc.pb.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "lianxin/v1/education.grpc.pb.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/common/time_util.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/rpc.h"
#include "tools/scenario/resident_id.h"

namespace lianxin::chaos {

namespace v1 = ::lianxin::v1;

// A member as the driver believes it to be (from the replies it got).
struct LoadDriver::Member {
  enum class State { kHome, kAway, kArrived, kTransferPending, kTransferred, kReturned };
  std::string id;
  std::string home;
  std::string destination;
  State state = State::kHome;
  bool busy = false;  // a client is working on it
  bool dues_base_set = false;
  int months_paid = 0;             // dues paid for months 1..months_paid of this year
  std::set<std::string> enrolled;  // counties whose session it enrolled in
  std::set<std::string> attended;
};

namespace {

// Codes that answer a command for good: it was refused and nothing was written.
bool IsRefusal(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAUTHENTICATED:
      return true;
    default:
      return false;  // UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, INTERNAL…: ask again
  }
}

absl::CivilDay Today() { return absl::ToCivilDay(absl::Now(), CountyTimeZone()); }

constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈",   "杨",   "赵",
                                     "黄", "周", "吴", "马", "古丽", "阿依", "努尔"};
constexpr const char* kGivenNames[] = {"建国", "秀兰", "伟", "芳", "娜", "敏",   "静",
                                       "强",   "磊",   "洋", "艳", "勇", "米拉", "江"};

}  // namespace

// One client thread: its random source, its channels, and the operations.
class LoadDriver::Client {
 public:
  using State = Member::State;

  Client(LoadDriver* driver, int index)
      : driver_(driver), index_(index), rng_(driver->options_.seed * 7919 + index) {}

  void Run() {
    // Weights of the operations, in the order of Step's switch.
    std::discrete_distribution<int> pick({20, 15, 12, 12, 8, 8, 8, 10, 4, 4, 5});
    while (!driver_->stopping_.load()) Step(pick(rng_));
  }

  // Sends `request` to `service` of `county` until it is answered.
  template <class Stub, class Request, class Reply>
  Command::Outcome Send(const std::string& county, const std::string& service, const char* rpc,
                        grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Reply*),
                        const Request& request, Reply* reply) {
    Command command{
        .county = county, .service = service, .rpc = rpc, .request_id = request.request_id()};
    const DriverOptions& options = driver_->options_;
    const absl::Time give_up = absl::Now() + options.answer_deadline;
    for (;;) {
      ++command.attempts;
      const std::string address = options.cluster->Address(county, service);
      grpc::Status status(grpc::StatusCode::UNAVAILABLE, "the service is down");
      if (!address.empty()) {
        Stub stub(Channel(address));
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + options.call_timeout));
        context.AddMetadata("authorization", "Bearer " + ChaosCluster::Token(county));
        status = (stub.*method)(&context, request, reply);
      }
      if (status.ok()) {
        command.outcome = Command::Outcome::kAcked;
        command.detail.clear();
        break;
      }
      command.detail = FromGrpcStatus(status).ToString();
      if (IsRefusal(status.error_code())) {
        command.outcome = Command::Outcome::kRefused;
        break;
      }
      if (absl::Now() > give_up) break;  // kUnanswered
      absl::SleepFor(absl::Milliseconds(100));
    }
    const Command::Outcome outcome = command.outcome;
    absl::MutexLock lock(&driver_->mu_);
    driver_->commands_.push_back(std::move(command));
    return outcome;
  }

 private:
  std::shared_ptr<grpc::Channel> Channel(const std::string& address) {
    auto it = channels_.find(address);
    if (it == channels_.end()) {
      // The cluster's services listen on loopback in plaintext (ChaosCluster).
      absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(address, TlsFiles());
      if (!channel.ok()) {  // cannot happen: no TLS files to read, a loopback address
        std::fprintf(stderr, "lxchaos: %s\n", channel.status().ToString().c_str());
        std::abort();
      }
      it = channels_.emplace(address, *std::move(channel)).first;
    }
    return it->second;
  }

  std::string RequestId(const char* what) {
    return absl::StrCat(what, "-", driver_->options_.seed, "-", index_, "-", ++sent_);
  }
  const std::string& AnyCounty() {
    const auto& counties = driver_->options_.cluster->counties();
    return counties[rng_() % counties.size()];
  }
  std::string OtherCounty(const std::string& county) {
    for (;;) {
      const std::string& other = AnyCounty();
      if (other != county) return other;
    }
  }

  // A random member for which `wanted` holds, marked busy; null if none found.
  std::shared_ptr<Member> Checkout(const std::function<bool(const Member&)>& wanted) {
    absl::MutexLock lock(&driver_->mu_);
    auto& members = driver_->members_;
    if (members.empty()) return nullptr;
    for (int tries = 0; tries < 30; ++tries) {
      const std::shared_ptr<Member>& m = members[rng_() % members.size()];
      if (!m->busy && wanted(*m)) {
        m->busy = true;
        return m;
      }
    }
    return nullptr;
  }
  // Applies what the reply taught about `member` and frees it.
  void Release(const std::shared_ptr<Member>& member,
               const std::function<void(Member&)>& learn = nullptr) {
    absl::MutexLock lock(&driver_->mu_);
    if (learn) learn(*member);
    member->busy = false;
  }

  void Step(int op) {
    switch (op) {
      case 0:
        return Register();
      case 1:
        return Outflow();
      case 2:
        return Arrival();
      case 3:
        return Contact(/*at_destination=*/false);
      case 4:
        return Contact(/*at_destination=*/true);
      case 5:
        return Attend(/*at_destination=*/false);
      case 6:
        return Attend(/*at_destination=*/true);
      case 7:
        return PayDues();
      case 8:
        return RequestTransfer();
      case 9:
        return AcceptTransfer();
      default:
        return Return();
    }
  }

  void Register() {
    const std::string& county = AnyCounty();
    int n;
    {
      absl::MutexLock lock(&driver_->mu_);
      n = driver_->next_person_++;
    }
    const absl::CivilDay birth = absl::CivilDay(1960, 1, 1) + (n * 7) % 12000;
    v1::RegisterMemberRequest r;
    r.set_request_id(RequestId("reg"));
    r.set_jurisdiction(county);
    r.set_branch("城关镇第一党支部");
    r.set_name(absl::StrCat(kSurnames[n % 14], kGivenNames[(n / 14) % 14]));
    r.set_id_number(scenario::MakeResidentIdNumber(county, birth, 1 + 2 * ((n / 12000) % 500)));
    r.set_gender(v1::GENDER_MALE);
    r.set_birth_date(FormatDate(birth));
    r.set_category(v1::MEMBER_CATEGORY_FARMER);
    r.set_phone("13800138000");
    r.set_joined_on(FormatDate(absl::CivilDay(birth.year() + 25, 7, 1)));
    v1::RegisterMemberReply reply;
    if (Send(county, "registry", "RegisterMember", &v1::Registry::Stub::RegisterMember, r,
             &reply) != Command::Outcome::kAcked) {
      return;
    }
    auto member = std::make_shared<Member>();
    member->id = reply.member_id();
    member->home = county;
    absl::MutexLock lock(&driver_->mu_);
    driver_->members_.push_back(std::move(member));
  }

  void Outflow() {
    std::shared_ptr<Member> m = Checkout([](const Member& m) { return m.state == State::kHome; });
    if (m == nullptr) return;
    const std::string destination = OtherCounty(m->home);
    v1::RegisterOutflowRequest r;
    r.set_request_id(RequestId("out"));
    r.set_member_id(m->id);
    r.set_destination_jurisdiction(destination);
    r.set_destination_address("新华路8号金山大厦12楼");
    r.set_occupation("建筑工人");
    r.set_left_on(FormatDate(Today() - 30));
    r.set_expected_return_on(FormatDate(Today() + 335));
    r.set_contact_phone("13900139000");
    r.set_employer("新疆建工集团");
    r.set_liaison_name("王建国");
    r.set_destination_name("目的地");
    v1::MutationReply reply;
    const bool acked =
        Send(m->home, "registry", "RegisterOutflow", &v1::Registry::Stub::RegisterOutflow, r,
             &reply) == Command::Outcome::kAcked;
    Release(m, [&](Member& m) {
      if (!acked) return;
      m.state = State::kAway;
      m.destination = destination;
    });
  }

  void Arrival() {
    std::shared_ptr<Member> m = Checkout([](const Member& m) { return m.state == State::kAway; });
    if (m == nullptr) return;
    v1::RecordArrivalRequest r;
    r.set_request_id(RequestId("arr"));
    r.set_member_id(m->id);
    r.set_jurisdiction(m->destination);
    r.set_branch("流动党员党支部");
    r.set_arrived_on(FormatDate(Today() - 20));
    r.set_contact_person("李梅");
    v1::RecordArrivalReply reply;
    const bool acked =
        Send(m->destination, "registry", "RecordArrival", &v1::Registry::Stub::RecordArrival, r,
             &reply) == Command::Outcome::kAcked;
    Release(m, [&](Member& m) {
      if (acked) m.state = State::kArrived;
    });
  }

  void Contact(bool at_destination) {
    std::shared_ptr<Member> m = Checkout([&](const Member& m) {
      // R4: contacts are kept with mobile members only.
      return at_destination ? m.state == State::kArrived
                            : (m.state == State::kAway || m.state == State::kArrived);
    });
    if (m == nullptr) return;
    v1::RecordContactRequest r;
    r.set_request_id(RequestId("contact"));
    r.set_member_id(m->id);
    r.set_channel(v1::CONTACT_CHANNEL_PHONE);
    r.set_kind(v1::CONTACT_KIND_QUARTERLY_REPORT);
    r.set_occurred_on(FormatDate(Today() - 1));
    r.set_summary("电话汇报：在工地务工，思想稳定，按时参加组织生活");
    v1::ContactMutationReply reply;
    Send(at_destination ? m->destination : m->home, "contact", "RecordContact",
         &v1::ContactTracking::Stub::RecordContact, r, &reply);
    Release(m);
  }

  void Attend(bool at_destination) {
    std::shared_ptr<Member> m = Checkout([&](const Member& m) {
      const std::string& where = at_destination ? m.destination : m.home;
      const bool present = at_destination
                               ? m.state == State::kArrived
                               : (m.state == State::kHome || m.state == State::kReturned);
      return present && !m.attended.contains(where);
    });
    if (m == nullptr) return;
    const std::string county = at_destination ? m->destination : m->home;
    const std::string& session = driver_->sessions_.at(county);
    bool enrolled = m->enrolled.contains(county);
    if (!enrolled) {
      v1::EnrollRequest r;
      r.set_request_id(RequestId("enroll"));
      r.set_session_id(session);
      r.set_member_id(m->id);
      v1::EnrollReply reply;
      enrolled = Send(county, "education", "Enroll", &v1::EducationScheduling::Stub::Enroll, r,
                      &reply) == Command::Outcome::kAcked;
    }
    bool attended = false;
    if (enrolled) {
      v1::RecordAttendanceRequest r;
      r.set_request_id(RequestId("attend"));
      r.set_session_id(session);
      r.set_member_id(m->id);
      r.set_attended(true);
      v1::RecordAttendanceReply reply;
      attended = Send(county, "education", "RecordAttendance",
                      &v1::EducationScheduling::Stub::RecordAttendance, r,
                      &reply) == Command::Outcome::kAcked;
    }
    Release(m, [&](Member& m) {
      if (enrolled) m.enrolled.insert(county);
      if (attended) m.attended.insert(county);
    });
  }

  void PayDues() {
    const int this_month = Today().month();
    std::shared_ptr<Member> m = Checkout([&](const Member& m) {
      return m.state != State::kTransferred && m.months_paid < this_month;
    });
    if (m == nullptr) return;
    bool base_set = m->dues_base_set;
    if (!base_set) {
      v1::SetDuesBaseRequest r;
      r.set_request_id(RequestId("base"));
      r.set_member_id(m->id);
      r.set_basis(v1::DUES_BASIS_FARMER);
      r.set_year(Today().year());
      r.set_farmer_dues_fen(20);
      v1::SetDuesBaseReply reply;
      base_set = Send(m->home, "appraisal", "SetDuesBase", &v1::Appraisal::Stub::SetDuesBase, r,
                      &reply) == Command::Outcome::kAcked;
      if (!base_set) return Release(m);
    }
    v1::RecordDuesPaymentRequest r;
    r.set_request_id(RequestId("dues"));
    r.set_member_id(m->id);
    r.add_months(absl::FormatCivilTime(absl::CivilMonth(Today().year(), m->months_paid + 1)));
    r.set_amount_fen(20);
    r.set_paid_on(FormatDate(Today()));
    v1::MutationReply reply;
    const bool acked =
        Send(m->home, "appraisal", "RecordDuesPayment", &v1::Appraisal::Stub::RecordDuesPayment, r,
             &reply) == Command::Outcome::kAcked;
    Release(m, [&](Member& m) {
      m.dues_base_set = true;
      if (acked) ++m.months_paid;
    });
  }

  void RequestTransfer() {
    std::shared_ptr<Member> m =
        Checkout([](const Member& m) { return m.state == State::kArrived; });
    if (m == nullptr) return;
    v1::RequestTransferRequest r;
    r.set_request_id(RequestId("xfer"));
    r.set_member_id(m->id);
    r.set_to_jurisdiction(m->destination);
    r.set_letter_no(absl::StrCat("组转字〔", Today().year(), "〕", sent_, "号"));
    r.set_to_organization("接收地党委");
    v1::MutationReply reply;
    const bool acked =
        Send(m->home, "registry", "RequestTransfer", &v1::Registry::Stub::RequestTransfer, r,
             &reply) == Command::Outcome::kAcked;
    Release(m, [&](Member& m) {
      if (acked) m.state = State::kTransferPending;
    });
  }

  void AcceptTransfer() {
    std::shared_ptr<Member> m =
        Checkout([](const Member& m) { return m.state == State::kTransferPending; });
    if (m == nullptr) return;
    v1::AcceptTransferRequest r;
    r.set_request_id(RequestId("accept"));
    r.set_member_id(m->id);
    r.set_branch("接收地第二党支部");
    v1::MutationReply reply;
    const bool acked =
        Send(m->destination, "registry", "AcceptTransfer", &v1::Registry::Stub::AcceptTransfer, r,
             &reply) == Command::Outcome::kAcked;
    Release(m, [&](Member& m) {
      if (acked) m.state = State::kTransferred;
    });
  }

  void Return() {
    std::shared_ptr<Member> m = Checkout(
        [](const Member& m) { return m.state == State::kAway || m.state == State::kArrived; });
    if (m == nullptr) return;
    v1::RecordReturnRequest r;
    r.set_request_id(RequestId("ret"));
    r.set_member_id(m->id);
    r.set_returned_on(FormatDate(Today()));
    v1::MutationReply reply;
    const bool acked = Send(m->home, "registry", "RecordReturn", &v1::Registry::Stub::RecordReturn,
                            r, &reply) == Command::Outcome::kAcked;
    Release(m, [&](Member& m) {
      if (acked) m.state = State::kReturned;
    });
  }

  LoadDriver* const driver_;
  const int index_;
  std::mt19937_64 rng_;
  uint64_t sent_ = 0;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

LoadDriver::LoadDriver(DriverOptions options) : options_(std::move(options)) {}

LoadDriver::~LoadDriver() { Stop(); }

absl::Status LoadDriver::Prepare() {
  Client client(this, /*index=*/1000);
  const absl::Time hour = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) / 3600 * 3600);
  int i = 0;
  for (const std::string& county : options_.cluster->counties()) {
    v1::CreateCourseRequest course;
    course.set_request_id(absl::StrCat("course-", options_.seed, "-", county));
    course.set_jurisdiction(county);
    course.set_title("新时代党员义务与权利");
    course.set_topic(v1::COURSE_TOPIC_PARTY_BUILDING);
    course.set_mode(v1::COURSE_MODE_MOBILE_CLASSROOM);
    course.set_hours(3);
    v1::CreateCourseReply created;
    if (client.Send(county, "education", "CreateCourse",
                    &v1::EducationScheduling::Stub::CreateCourse, course,
                    &created) != Command::Outcome::kAcked) {
      return absl::InternalError(absl::StrCat("CreateCourse at ", county, " failed"));
    }
    // Sessions in the past, at different hours in each county, so that a
    // member can attend one at home and one at its destination.
    v1::ScheduleSessionRequest session;
    session.set_request_id(absl::StrCat("session-", options_.seed, "-", county));
    session.set_course_id(created.course_id());
    session.set_location(absl::StrCat("流动党员活动室", i + 1, "号"));
    ToTimestamp(hour - absl::Hours(48 + 4 * i), session.mutable_starts_at());
    ToTimestamp(hour - absl::Hours(45 + 4 * i), session.mutable_ends_at());
    session.set_capacity(10000);
    session.set_lecturer(absl::StrCat("讲师", i + 1));
    v1::ScheduleSessionReply scheduled;
    if (client.Send(county, "education", "ScheduleSession",
                    &v1::EducationScheduling::Stub::ScheduleSession, session,
                    &scheduled) != Command::Outcome::kAcked) {
      return absl::InternalError(absl::StrCat("ScheduleSession at ", county, " failed"));
    }
    sessions_[county] = scheduled.session_id();
    ++i;
  }
  return absl::OkStatus();
}

void LoadDriver::Start() {
  stopping_ = false;
  for (int i = 0; i < options_.threads; ++i) {
    threads_.emplace_back([this, i] { Client(this, i).Run(); });
  }
}

void LoadDriver::Stop() {
  stopping_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

std::vector<Command> LoadDriver::Commands() const {
  absl::MutexLock lock(&mu_);
  return commands_;
}

std::string LoadDriver::Summary() const {
  std::map<std::string, int> acked_by_rpc;
  std::map<std::string, int> refused_by_reason;
  int acked = 0, refused = 0, unanswered = 0, retried = 0;
  {
    absl::MutexLock lock(&mu_);
    for (const Command& c : commands_) {
      if (c.attempts > 1) ++retried;
      switch (c.outcome) {
        case Command::Outcome::kAcked:
          ++acked;
          ++acked_by_rpc[c.rpc];
          break;
        case Command::Outcome::kRefused:
          ++refused;
          ++refused_by_reason[absl::StrCat(c.rpc, " ", c.detail.substr(0, c.detail.find(':')))];
          break;
        case Command::Outcome::kUnanswered:
          ++unanswered;
          break;
      }
    }
  }
  return absl::StrCat(
      acked, " acknowledged (", absl::StrJoin(acked_by_rpc, ", ", absl::PairFormatter(" ")), "), ",
      refused, " refused (", absl::StrJoin(refused_by_reason, ", ", absl::PairFormatter(" ")),
      "), ", unanswered, " unanswered, ", retried, " sent more than once");
}

}  // namespace lianxin::chaos
