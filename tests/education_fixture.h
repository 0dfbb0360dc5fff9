// The education integration tests' fixture: the registry cluster of
// tests/registry_fixture.h (a real lianxin-broker, real registries) plus the
// education service of each county as a real child process (build/bin/education)
// on its own RocksDB, consuming its county's registry topic and inbox.
//
//   EducationCluster cluster({kFuyun, kTianshan});
//   ASSERT_OK(cluster.Start());
//   std::string id = *cluster.registry().Register(kFuyun, NewPerson("张三"));
//   ASSERT_TRUE(cluster.WaitForMember(kFuyun, id));
//   cluster.Education(kFuyun, &Stub::CreateCourse, request, &reply);
#ifndef LIANXIN_TESTS_EDUCATION_FIXTURE_H_
#define LIANXIN_TESTS_EDUCATION_FIXTURE_H_

#include "lianxin/v1/education.grpc.pb.h"
#include "lianxin/v1/education.pb.h"
#include "tests/registry_fixture.h"

namespace lianxin::education_test {

using namespace ::lianxin::registry_test;  // NOLINT: the shared fixture's vocabulary
using Stub = v1::EducationScheduling::Stub;

class EducationCluster {
 public:
  explicit EducationCluster(std::vector<std::string> counties)
      : counties_(counties), registry_(std::move(counties)) {}
  ~EducationCluster() {
    for (auto& [code, county] : services_) {
      county.stub.reset();
      county.channel.reset();
      if (county.process != nullptr) county.process->Signal(SIGTERM);
    }
    services_.clear();
  }

  absl::Status Start() {
    if (absl::Status s = registry_.Start(); !s.ok()) return s;
    for (const std::string& code : counties_) {
      if (absl::Status s = StartEducation(code); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status StartEducation(const std::string& code) {
    County& county = services_[code];
    county.process.reset();
    absl::StatusOr<RegistryCluster::ServiceProcess> started =
        registry_.StartService("education", code);
    if (!started.ok()) return started.status();
    county.process = std::move(started->process);
    county.channel = registry_.NewChannel(started->address);
    county.stub = v1::EducationScheduling::NewStub(county.channel);
    if (!county.channel->WaitForConnected(std::chrono::system_clock::now() +
                                          std::chrono::seconds(10))) {
      return absl::UnavailableError(
          absl::StrCat("education ", code, " does not accept connections"));
    }
    return absl::OkStatus();
  }

  RegistryCluster& registry() { return registry_; }
  // Where the education service of `code` keeps its RocksDB.
  std::string StorePath(const std::string& code) const {
    return registry_.dir().Sub(code) + "/education";
  }

  // Calls `method` of the education service of `county` as `token` (default:
  // the county's operator).
  template <typename Request, typename Reply>
  absl::Status Call(const std::string& county,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Reply*),
                    const Request& request, Reply* reply,
                    std::optional<std::string> token = std::nullopt) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    const std::string bearer = token.value_or(OperatorToken(county));
    if (!bearer.empty()) context.AddMetadata("authorization", "Bearer " + bearer);
    return FromGrpcStatus((services_.at(county).stub.get()->*method)(&context, request, reply));
  }

  // Waits until the education service of `county` knows the member (the
  // registry's event was consumed).
  bool WaitForMember(const std::string& county, const std::string& member_id, int year = 2026) {
    return WaitFor(
        [&] {
          v1::GetEducationRecordRequest request;
          request.set_member_id(member_id);
          request.set_year(year);
          v1::GetEducationRecordReply reply;
          return Call(county, &Stub::GetEducationRecord, request, &reply).ok();
        },
        kDeliveryTimeout);
  }

  absl::StatusOr<v1::GetEducationRecordReply> Record(const std::string& county,
                                                     const std::string& member_id, int year) {
    v1::GetEducationRecordRequest request;
    request.set_member_id(member_id);
    request.set_year(year);
    v1::GetEducationRecordReply reply;
    absl::Status s = Call(county, &Stub::GetEducationRecord, request, &reply);
    if (!s.ok()) return s;
    return reply;
  }

  // A course of `county`; returns its id.
  absl::StatusOr<std::string> Course(const std::string& county, const std::string& title,
                                     v1::CourseTopic topic, v1::CourseMode mode, uint32_t hours) {
    v1::CreateCourseRequest request;
    request.set_request_id(NewRequestId("course"));
    request.set_jurisdiction(county);
    request.set_title(title);
    request.set_topic(topic);
    request.set_mode(mode);
    request.set_hours(hours);
    v1::CreateCourseReply reply;
    absl::Status s = Call(county, &Stub::CreateCourse, request, &reply);
    if (!s.ok()) return s;
    return reply.course_id();
  }

  std::string Logs() const {
    std::string out = registry_.Logs();
    for (const std::string& code : counties_) {
      absl::StrAppend(&out, "--- education ", code, " stderr:\n", ReadFile(StderrPath(code)));
    }
    return out;
  }

 private:
  struct County {
    std::unique_ptr<ChildProcess> process;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<Stub> stub;
  };
  std::string StderrPath(const std::string& code) const {
    return registry_.ServiceStderrPath("education", code);
  }

  std::vector<std::string> counties_;
  // Declared before services_: destroyed after them (services stop first).
  RegistryCluster registry_;
  std::map<std::string, County> services_;
};

// A session request starting `start_offset_hours` from now, for `hours`.
inline v1::ScheduleSessionRequest SessionAt(const std::string& course_id, int start_offset_hours,
                                            int hours, const std::string& location,
                                            const std::string& lecturer, uint32_t capacity = 30) {
  v1::ScheduleSessionRequest r;
  r.set_request_id(NewRequestId("session"));
  r.set_course_id(course_id);
  r.set_location(location);
  // On the hour, so that sessions of one test touch or overlap exactly.
  const int64_t now_hour = absl::ToUnixSeconds(absl::Now()) / 3600 * 3600;
  r.mutable_starts_at()->set_seconds(now_hour + int64_t{start_offset_hours} * 3600);
  r.mutable_ends_at()->set_seconds(now_hour + int64_t{start_offset_hours + hours} * 3600);
  r.set_capacity(capacity);
  r.set_lecturer(lecturer);
  return r;
}

}  // namespace lianxin::education_test

#endif  // LIANXIN_TESTS_EDUCATION_FIXTURE_H_
