#include "tools/lxgateway/member.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "lianxin/v1/appraisal.pb.h"
#include "lianxin/v1/contact.pb.h"
#include "lianxin/v1/education.pb.h"
#include "lianxin/v1/registry.pb.h"
#include "tools/lxgateway/staff.h"

namespace lianxin::gateway {
namespace {

const MemberScope kMe{"654322-M000007", "654322", "王建国"};

absl::Status Scope(const std::string& path, google::protobuf::Message* request) {
  const MemberCall* call = FindMemberCall(path);
  if (call == nullptr) return absl::PermissionDeniedError("not on the allow-list");
  return call->scope(kMe, request);
}

TEST(MemberCalls, AllowOnlyTheMembersOwnReadsAndReports) {
  std::vector<std::string> allowed = MemberCallPaths();
  std::sort(allowed.begin(), allowed.end());
  EXPECT_EQ(allowed, (std::vector<std::string>{
                         "/lianxin.v1.ContactTracking/GetContactHistory",
                         "/lianxin.v1.ContactTracking/OpenConsultation",
                         "/lianxin.v1.ContactTracking/RecordContact",
                         "/lianxin.v1.EducationScheduling/GetEducationRecord",
                         "/lianxin.v1.Registry/GetMember",
                         "/lianxin.v1.Registry/RecordOutflowChange",
                     }));
  // Lists of the county, anyone's history, staff actions: not for a member.
  for (const char* path :
       {"/lianxin.v1.Registry/ListMembers", "/lianxin.v1.Registry/GetMemberHistory",
        "/lianxin.v1.Registry/RegisterOutflow", "/lianxin.v1.ContactTracking/ListOverdue",
        "/lianxin.v1.ContactTracking/AssignLiaison",
        "/lianxin.v1.ContactTracking/CloseConsultation", "/lianxin.v1.Appraisal/ListNotifications",
        "/lianxin.v1.Appraisal/RecordAppraisal", "/lianxin.gateway.v1.MemberPins/SetMemberPin"}) {
    EXPECT_EQ(FindMemberCall(path), nullptr) << path;
  }
}

TEST(MemberCalls, FillInTheMembersOwnId_WhenTheRequestNamesNone) {
  lianxin::v1::GetMemberRequest get;
  ASSERT_TRUE(Scope("/lianxin.v1.Registry/GetMember", &get).ok());
  EXPECT_EQ(get.member_id(), kMe.member_id);
  lianxin::v1::GetContactHistoryRequest history;
  ASSERT_TRUE(Scope("/lianxin.v1.ContactTracking/GetContactHistory", &history).ok());
  EXPECT_EQ(history.member_id(), kMe.member_id);
  lianxin::v1::GetEducationRecordRequest education;
  education.set_year(2026);
  ASSERT_TRUE(Scope("/lianxin.v1.EducationScheduling/GetEducationRecord", &education).ok());
  EXPECT_EQ(education.member_id(), kMe.member_id);
  EXPECT_EQ(education.year(), 2026);
}

TEST(MemberCalls, RefuseAnotherMembersId_NamingTheField) {
  struct Case {
    std::string path;
    std::unique_ptr<google::protobuf::Message> request;
  };
  std::vector<Case> cases;
  auto named = [](auto message) {
    message->set_member_id("654322-M000008");
    return std::unique_ptr<google::protobuf::Message>(message);
  };
  cases.push_back({"/lianxin.v1.Registry/GetMember", named(new lianxin::v1::GetMemberRequest)});
  cases.push_back({"/lianxin.v1.ContactTracking/GetContactHistory",
                   named(new lianxin::v1::GetContactHistoryRequest)});
  cases.push_back({"/lianxin.v1.EducationScheduling/GetEducationRecord",
                   named(new lianxin::v1::GetEducationRecordRequest)});
  cases.push_back(
      {"/lianxin.v1.ContactTracking/RecordContact", named(new lianxin::v1::RecordContactRequest)});
  cases.push_back({"/lianxin.v1.Registry/RecordOutflowChange",
                   named(new lianxin::v1::RecordOutflowChangeRequest)});
  cases.push_back({"/lianxin.v1.ContactTracking/OpenConsultation",
                   named(new lianxin::v1::OpenConsultationRequest)});
  for (Case& c : cases) {
    absl::Status status = Scope(c.path, c.request.get());
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << c.path;
    EXPECT_EQ(status.message().rfind("member_id: ", 0), 0u) << status;
  }
}

TEST(MemberCalls, RecordContact_FilesOnlineReportsOfThreeKinds) {
  struct Case {
    lianxin::v1::ContactKind kind;
    bool allowed;
  };
  for (const Case& c : {Case{lianxin::v1::CONTACT_KIND_QUARTERLY_REPORT, true},
                        Case{lianxin::v1::CONTACT_KIND_THOUGHT_REPORT, true},
                        Case{lianxin::v1::CONTACT_KIND_LOCATION_CHANGE, true},
                        Case{lianxin::v1::CONTACT_KIND_FAMILY_CONTACT, false},
                        Case{lianxin::v1::CONTACT_KIND_DESTINATION_ORGANIZATION, false},
                        Case{lianxin::v1::CONTACT_KIND_OTHER, false},
                        Case{lianxin::v1::CONTACT_KIND_UNSPECIFIED, false}}) {
    lianxin::v1::RecordContactRequest request;
    request.set_kind(c.kind);
    request.set_channel(lianxin::v1::CONTACT_CHANNEL_VISIT);  // a member cannot claim a visit
    absl::Status status = Scope("/lianxin.v1.ContactTracking/RecordContact", &request);
    EXPECT_EQ(status.ok(), c.allowed) << lianxin::v1::ContactKind_Name(c.kind) << " " << status;
    if (c.allowed) {
      EXPECT_EQ(request.member_id(), kMe.member_id);
      EXPECT_EQ(request.channel(), lianxin::v1::CONTACT_CHANNEL_ONLINE);
    } else {
      EXPECT_EQ(status.message().rfind("kind: ", 0), 0u) << status;
    }
  }
}

TEST(MemberCalls, OpenConsultation_IsTheMembersOwnCallToTheirCounty) {
  lianxin::v1::OpenConsultationRequest request;
  request.set_caller_name("冒名");
  request.set_caller_kind(lianxin::v1::CALLER_KIND_BRANCH);
  request.set_line("3");
  request.set_duty_staff("张三");
  request.set_topic("求助");
  ASSERT_TRUE(Scope("/lianxin.v1.ContactTracking/OpenConsultation", &request).ok());
  EXPECT_EQ(request.member_id(), kMe.member_id);
  EXPECT_EQ(request.jurisdiction(), "654322");
  EXPECT_EQ(request.caller_name(), "王建国");
  EXPECT_EQ(request.caller_kind(), lianxin::v1::CALLER_KIND_MEMBER);
  EXPECT_EQ(request.line(), "");
  EXPECT_EQ(request.duty_staff(), "");
  EXPECT_EQ(request.topic(), "求助");

  lianxin::v1::OpenConsultationRequest elsewhere;
  elsewhere.set_jurisdiction("650102");
  EXPECT_EQ(Scope("/lianxin.v1.ContactTracking/OpenConsultation", &elsewhere).code(),
            absl::StatusCode::kPermissionDenied);
}

TEST(MemberCalls, RecordOutflowChange_RefusesTheDestinationsBranch) {
  lianxin::v1::RecordOutflowChangeRequest request;
  request.set_employer("新疆有色金属公司");
  ASSERT_TRUE(Scope("/lianxin.v1.Registry/RecordOutflowChange", &request).ok());
  EXPECT_EQ(request.member_id(), kMe.member_id);
  request.set_destination_branch("某支部");
  absl::Status status = Scope("/lianxin.v1.Registry/RecordOutflowChange", &request);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status.message().rfind("destination_branch: ", 0), 0u);
}

TEST(IsValidPin, TakesSixToTwelveDigits_NotAllTheSame) {
  struct Case {
    const char* pin;
    bool valid;
  };
  for (const Case& c : {Case{"12345", false}, Case{"123456", true}, Case{"123456789012", true},
                        Case{"1234567890123", false}, Case{"111111", false}, Case{"12345a", false},
                        Case{"", false}, Case{"１２３４５６", false}}) {
    EXPECT_EQ(IsValidPin(c.pin), c.valid) << c.pin;
  }
}

class MemberPinsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/member_pins_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/member-pins.txt";
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string dir_, path_;
};

TEST_F(MemberPinsTest, SetsAndResetsAPin_KeptOwnerOnly_AcrossRestarts) {
  auto pins = MemberPins::FromFile(path_);  // no file yet: empty
  ASSERT_TRUE(pins.ok()) << pins.status();
  EXPECT_EQ((*pins)->Find("654322-M000007"), std::nullopt);
  const std::string first = HashPassword("246810");
  ASSERT_TRUE((*pins)->Set("654322-M000007", first, "staff:lina", absl::Now()).ok());
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const std::string second = HashPassword("135790");
  ASSERT_TRUE((*pins)->Set("654322-M000007", second, "staff:lina", absl::Now()).ok());

  auto again = MemberPins::FromFile(path_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->size(), 1u);
  ASSERT_TRUE((*again)->Find("654322-M000007").has_value());
  EXPECT_TRUE(VerifyPassword("135790", *(*again)->Find("654322-M000007")));
  EXPECT_FALSE(VerifyPassword("246810", *(*again)->Find("654322-M000007")));
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("135790"), std::string::npos);
}

TEST_F(MemberPinsTest, RefusesAWorldReadableFile_AndAMalformedLine) {
  {
    std::ofstream out(path_);
    out << "654322-M000007 not-a-hash\n";
  }
  chmod(path_.c_str(), 0600);
  auto malformed = MemberPins::FromFile(path_);
  EXPECT_EQ(malformed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(malformed.status().message().find(":1:"), std::string::npos) << malformed.status();
  chmod(path_.c_str(), 0644);
  EXPECT_FALSE(MemberPins::FromFile(path_).ok());
}

TEST_F(MemberPinsTest, Set_LeavesTheStoreUnchangedWhenTheFileCannotBeWritten) {
  auto pins = MemberPins::FromFile(dir_ + "/missing-dir/pins.txt");
  ASSERT_TRUE(pins.ok());
  absl::Status status =
      (*pins)->Set("654322-M000007", HashPassword("246810"), "staff:lina", absl::Now());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ((*pins)->Find("654322-M000007"), std::nullopt);
}

}  // namespace
}  // namespace lianxin::gateway
