// Two counties, each running all four services as real processes on one
// lianxin-broker: what the destination records about a member away (a contact,
// a training session) reaches the origin's contact, education and appraisal
// services; then lxaudit verifies every log of both counties and rebuilds every
// projection from its log.
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "lianxin/v1/education.grpc.pb.h"
#include "tests/appraisal_fixture.h"
#include "tests/contact_fixture.h"
#include "tests/education_fixture.h"
#include "tests/lxaudit_fixture.h"

namespace lianxin::registry_test {
namespace {

using appraisal_test::AppraisalCluster;
using education_test::SessionAt;
using lxaudit_test::LxauditRun;
using lxaudit_test::RunLxaudit;

class CountyEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LX_ASSERT_OK(cluster_.Start());
    for (const char* code : {kFuyun, kTianshan}) {
      for (const char* service : {"contact", "education"}) {
        absl::StatusOr<RegistryCluster::ServiceProcess> started = registries().StartService(
            service, code,
            service == std::string("contact") ? std::vector<std::string>{"--sweep_interval=200ms"}
                                              : std::vector<std::string>{});
        ASSERT_TRUE(started.ok()) << started.status();
        addresses_[absl::StrCat(service, "/", code)] = started->address;
        processes_.push_back(std::move(started->process));
      }
    }
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << registries().Logs();
  }

  RegistryCluster& registries() { return cluster_.registries(); }

  template <class Service>
  std::unique_ptr<typename Service::Stub> Stub(const std::string& service,
                                               const std::string& code) {
    return Service::NewStub(
        registries().NewChannel(addresses_.at(absl::StrCat(service, "/", code))));
  }

  // Calls `rpc` as county `code`'s operator.
  template <class Fn>
  static absl::Status As(const std::string& code, Fn rpc) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context.AddMetadata("authorization", "Bearer " + OperatorToken(code));
    return FromGrpcStatus(rpc(&context));
  }

  // The endpoints file lxaudit reads: both counties, every service.
  std::string WriteEndpoints() {
    const std::string path = registries().dir().Sub("endpoints-all.json");
    std::ofstream out(path);
    out << "{\"kafka\": \"" << registries().bootstrap() << "\", " << registries().EndpointsTlsJson()
        << "\"counties\": {";
    const char* sep = "";
    for (const char* code : {kFuyun, kTianshan}) {
      out << sep << "\"" << code << "\": {\"name\": \"" << code << "\", \"token\": \""
          << OperatorToken(code) << "\", \"registry\": \"" << registries().address(code)
          << "\", \"contact\": \"" << addresses_.at(absl::StrCat("contact/", code))
          << "\", \"education\": \"" << addresses_.at(absl::StrCat("education/", code))
          << "\", \"appraisal\": \"" << cluster_.address(code) << "\", \"data_dir\": \""
          << registries().dir().Sub(code) << "\"}";
      sep = ", ";
    }
    out << "}}\n";
    return path;
  }

  AppraisalCluster cluster_{{kFuyun, kTianshan}};
  std::map<std::string, std::string> addresses_;
  std::vector<std::unique_ptr<ChildProcess>> processes_;
};

TEST_F(CountyEndToEndTest,
       DestinationsContactAndTraining_ReachTheOriginsEvidence_AndEveryLogReplays) {
  LX_ASSERT_OK_AND_ASSIGN(std::string id, registries().RegisterAway(kFuyun, kTianshan, "马秀兰"));
  LX_ASSERT_OK(registries().RecordArrival(kTianshan, Arrival(id, kTianshan)));

  // A contact recorded by Tianshan's operator, once Tianshan's contact service
  // has learnt of the member from its registry.
  auto tianshan_contact = Stub<v1::ContactTracking>("contact", kTianshan);
  const v1::RecordContactRequest contact = ContactReport(id, -1, v1::CONTACT_KIND_QUARTERLY_REPORT);
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::ContactMutationReply reply;
        return As(kTianshan,
                  [&](grpc::ClientContext* context) {
                    return tianshan_contact->RecordContact(context, contact, &reply);
                  })
            .ok();
      },
      kDeliveryTimeout));

  // Three class hours at Tianshan, held yesterday.
  auto tianshan_education = Stub<v1::EducationScheduling>("education", kTianshan);
  v1::CreateCourseRequest course;
  course.set_request_id(NewRequestId("course"));
  course.set_jurisdiction(kTianshan);
  course.set_title("新时代党员义务与权利");
  course.set_topic(v1::COURSE_TOPIC_PARTY_BUILDING);
  course.set_mode(v1::COURSE_MODE_MOBILE_CLASSROOM);
  course.set_hours(3);
  v1::CreateCourseReply created;
  LX_ASSERT_OK(As(kTianshan, [&](grpc::ClientContext* context) {
    return tianshan_education->CreateCourse(context, course, &created);
  }));
  const v1::ScheduleSessionRequest schedule =
      SessionAt(created.course_id(), -24, 3, "天山区建筑工地流动课堂", "古丽米拉");
  v1::ScheduleSessionReply session;
  LX_ASSERT_OK(As(kTianshan, [&](grpc::ClientContext* context) {
    return tianshan_education->ScheduleSession(context, schedule, &session);
  }));
  v1::EnrollRequest enroll;
  enroll.set_request_id(NewRequestId("enroll"));
  enroll.set_session_id(session.session_id());
  enroll.set_member_id(id);
  ASSERT_TRUE(WaitFor(
      [&] {
        v1::EnrollReply reply;
        return As(kTianshan,
                  [&](grpc::ClientContext* context) {
                    return tianshan_education->Enroll(context, enroll, &reply);
                  })
            .ok();
      },
      kDeliveryTimeout));
  v1::RecordAttendanceRequest attend;
  attend.set_request_id(NewRequestId("attend"));
  attend.set_session_id(session.session_id());
  attend.set_member_id(id);
  attend.set_attended(true);
  v1::RecordAttendanceReply attended;
  LX_ASSERT_OK(As(kTianshan, [&](grpc::ClientContext* context) {
    return tianshan_education->RecordAttendance(context, attend, &attended);
  }));

  // Fuyun's appraisal evidence counts both, as the destination's share.
  const int year = absl::ToCivilDay(absl::FromUnixSeconds(schedule.starts_at().seconds()),
                                    absl::FixedTimeZone(8 * 3600))
                       .year();
  ASSERT_TRUE(cluster_.WaitForEvidence(kFuyun, id, [&](const v1::GetEvidenceReply& e) {
    return e.year() == year && e.education_hours() == 3 && e.destination_contacts() == 1;
  })) << cluster_.Evidence(kFuyun, id)->DebugString();
  absl::StatusOr<v1::GetEvidenceReply> evidence = cluster_.Evidence(kFuyun, id);
  ASSERT_TRUE(evidence.ok());
  ASSERT_EQ(evidence->contacts_size(), 1);
  EXPECT_EQ(evidence->contacts(0).kind(), "CONTACT_KIND_QUARTERLY_REPORT");
  EXPECT_EQ(evidence->contacts(0).count(), 1u);

  // Fuyun's own contact and education services have it too.
  auto fuyun_contact = Stub<v1::ContactTracking>("contact", kFuyun);
  v1::GetContactHistoryRequest history_request;
  history_request.set_member_id(id);
  v1::GetContactHistoryReply history;
  LX_ASSERT_OK(As(kFuyun, [&](grpc::ClientContext* context) {
    return fuyun_contact->GetContactHistory(context, history_request, &history);
  }));
  ASSERT_EQ(history.contacts_size(), 1);
  EXPECT_EQ(history.contacts(0).recorded_in(), kTianshan);

  // Every log of both counties verifies, and every projection (registry,
  // contact, education, appraisal) is what its log rebuilds.
  const std::string endpoints = WriteEndpoints();
  for (const char* code : {kFuyun, kTianshan}) {
    LxauditRun verify = RunLxaudit(registries().dir().path(),
                                   {"verify", "--endpoints", endpoints, "--county", code});
    EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
    LxauditRun replay = RunLxaudit(registries().dir().path(),
                                   {"replay", "--endpoints", endpoints, "--county", code});
    EXPECT_EQ(replay.code, 0) << replay.out << replay.err;
    for (const char* service : {"registry", "contact", "education", "appraisal"}) {
      EXPECT_NE(replay.out.find(service), std::string::npos) << replay.out;
    }
  }
}

}  // namespace
}  // namespace lianxin::registry_test
