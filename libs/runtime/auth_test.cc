#include "libs/runtime/auth.h"

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/api.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "gtest/gtest.h"
#include "libs/runtime/testing.h"

namespace lianxin {
namespace {

using ::testing::HasSubstr;

constexpr char kTokens[] =
    "# lianxin tokens\n"
    "\n"
    "tok-operator-1  op-zhang  654322  operator   # 富蕴县\n"
    "tok-readonly-2\top-li\t654301\treadonly\n";

Authenticator Load() {
  absl::StatusOr<Authenticator> auth =
      Authenticator::FromText(DigestTokenFile(kTokens), "tokens.txt");
  EXPECT_TRUE(auth.ok()) << auth.status();
  return *std::move(auth);
}

TEST(AuthenticatorTest, FromText_SkipsCommentsAndBlankLines) {
  EXPECT_EQ(Load().token_count(), 2u);
}

TEST(AuthenticatorTest, AuthenticateHeader_OperatorTokenGivesMutatingPrincipal) {
  absl::StatusOr<Principal> p = Load().AuthenticateHeader("Bearer tok-operator-1");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->operator_id, "op-zhang");
  EXPECT_EQ(p->jurisdiction, "654322");
  EXPECT_EQ(p->role, Role::kOperator);
  EXPECT_TRUE(p->CanMutate());
  EXPECT_TRUE(CheckCanMutate(*p).ok());
}

TEST(AuthenticatorTest, AuthenticateHeader_ReadonlyPrincipalCannotMutate) {
  absl::StatusOr<Principal> p = Load().AuthenticateHeader("bearer   tok-readonly-2");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->operator_id, "op-li");
  EXPECT_FALSE(p->CanMutate());
  absl::Status s = CheckCanMutate(*p);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(s.message(), HasSubstr("readonly"));
}

TEST(AuthenticatorTest, FromText_MemberProxyMayRecordWhatIsSelfReported) {
  absl::StatusOr<Authenticator> auth = Authenticator::FromText(
      DigestTokenFile("tok-members-3 member-page-654322 654322 member-proxy\n"), "tokens.txt");
  ASSERT_TRUE(auth.ok()) << auth.status();
  absl::StatusOr<Principal> p = auth->AuthenticateHeader("Bearer tok-members-3");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->role, Role::kMemberProxy);
  EXPECT_EQ(RoleName(p->role), "member-proxy");
  EXPECT_TRUE(p->CanMutate());
  EXPECT_TRUE(p->SelfReported());
  EXPECT_FALSE(Load().AuthenticateHeader("Bearer tok-operator-1")->SelfReported());
}

TEST(CheckMemberScopeTest, AMemberProxyActsOnlyOnItsMember_OthersAreNotHeld) {
  Principal proxy{"member:654322-aa", "654322", Role::kMemberProxy, "654322-aa"};
  Principal operator_{"op-zhang", "654322", Role::kOperator};
  // A request with a member_id field (google.protobuf.Api has none: a county-wide call).
  google::protobuf::Api county_wide;
  struct Case {
    const Principal& who;
    const google::protobuf::Message& request;
    bool read;
    bool allowed;
  };
  // A request naming a member: `message Req { string member_id = 1; }`.
  google::protobuf::FileDescriptorProto file;
  file.set_name("req.proto");
  google::protobuf::DescriptorProto* type = file.add_message_type();
  type->set_name("Req");
  google::protobuf::FieldDescriptorProto* field = type->add_field();
  field->set_name("member_id");
  field->set_number(1);
  field->set_type(google::protobuf::FieldDescriptorProto::TYPE_STRING);
  field->set_label(google::protobuf::FieldDescriptorProto::LABEL_OPTIONAL);
  google::protobuf::DescriptorPool pool;
  const google::protobuf::FileDescriptor* built = pool.BuildFile(file);
  ASSERT_NE(built, nullptr);
  google::protobuf::DynamicMessageFactory factory(&pool);
  auto named = [&](const std::string& id) {
    std::unique_ptr<google::protobuf::Message> m(
        factory.GetPrototype(built->message_type(0))->New());
    m->GetReflection()->SetString(m.get(), m->GetDescriptor()->FindFieldByName("member_id"), id);
    return m;
  };
  auto own = named("654322-aa"), other = named("654322-bb"), none = named("");
  for (const Case& c : {Case{operator_, county_wide, false, true},
                        Case{operator_, *other, false, true}, Case{proxy, county_wide, true, true},
                        Case{proxy, county_wide, false, false}, Case{proxy, *own, false, true},
                        Case{proxy, *own, true, true}, Case{proxy, *other, true, false},
                        Case{proxy, *other, false, false}, Case{proxy, *none, false, false}}) {
    absl::Status s = CheckMemberScope(c.who, c.request, c.read);
    EXPECT_EQ(s.ok(), c.allowed) << s;
    if (!s.ok()) {
      EXPECT_THAT(s.message(), HasSubstr("member_id"));
    }
  }
}

TEST(AuthenticatorTest, AuthenticateHeader_RejectsUnknownEmptyAndNonBearer) {
  Authenticator auth = Load();
  for (const char* header : {"Bearer tok-nope", "Bearer tok-operator-", "Bearer tok-operator-12",
                             "Bearer ", "Basic dG9rOng=", "tok-operator-1", ""}) {
    absl::StatusOr<Principal> p = auth.AuthenticateHeader(header);
    EXPECT_EQ(p.status().code(), absl::StatusCode::kUnauthenticated) << header;
  }
  EXPECT_THAT(auth.AuthenticateHeader("Bearer tok-nope").status().message(),
              HasSubstr("unknown bearer token"));
}

TEST(AuthenticatorTest, FromText_UnknownRoleNamesLineAndRole) {
  absl::StatusOr<Authenticator> auth = Authenticator::FromText(
      DigestTokenFile("# header\ntok-a op-a 654322 operator\ntok-b op-b 654322 auditor\n"),
      "tokens.txt");
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(auth.status().message(), HasSubstr("tokens.txt:3:"));
  EXPECT_THAT(auth.status().message(), HasSubstr("\"auditor\""));
}

TEST(AuthenticatorTest, FromText_WrongFieldCountNamesLine) {
  absl::StatusOr<Authenticator> auth =
      Authenticator::FromText(DigestTokenFile("tok-a op-a 654322\n"), "t.txt");
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(auth.status().message(), HasSubstr("t.txt:1:"));
  EXPECT_THAT(auth.status().message(), HasSubstr("want 4 fields"));
}

TEST(AuthenticatorTest, FromText_BadJurisdictionNamesLine) {
  for (const char* j : {"65432", "6543221", "65432x"}) {
    absl::StatusOr<Authenticator> auth = Authenticator::FromText(
        DigestTokenFile(absl::StrCat("\ntok-a op-a ", j, " operator\n")), "t.txt");
    EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument) << j;
    EXPECT_THAT(auth.status().message(), HasSubstr("t.txt:2:")) << j;
  }
}

TEST(AuthenticatorTest, FromText_DuplicateTokenNamesBothLines) {
  absl::StatusOr<Authenticator> auth = Authenticator::FromText(
      DigestTokenFile("tok-a op-a 654322 operator\ntok-a op-b 654301 readonly\n"), "t.txt");
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(auth.status().message(), HasSubstr("t.txt:2: duplicate token (first on line 1)"));
}

TEST(AuthenticatorTest, FromText_NoTokensIsAnError) {
  EXPECT_EQ(Authenticator::FromText(DigestTokenFile("# nothing\n\n"), "t.txt").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AuthenticatorTest, FromText_TokenWhereItsDigestBelongs_IsRefused) {
  absl::StatusOr<Authenticator> auth = Authenticator::FromText(kTokens, "t.txt");
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(auth.status().message(),
              HasSubstr("t.txt:3: the first field must be the token's digest"));
  EXPECT_EQ(Authenticator::FromText("sha256:abcd op-a 654322 operator\n", "t.txt").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AuthenticatorTest, DigestOfToken_IsSha256InHex) {
  // printf %s abc | sha256sum
  EXPECT_EQ(DigestOfToken("abc"),
            "sha256:"
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(DigestTokenFile("# c\n abc  op 654322 operator # x\n"),
            "# c\n "
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad "
            " op "
            "654322 operator # x\n");
}

TEST(AuthenticatorTest, FromFile_ReadsFileAndReportsMissingOne) {
  std::string path = ::testing::TempDir() + "/auth_test_tokens.txt";
  {
    std::ofstream out(path);
    out << DigestTokenFile(kTokens);
  }
  // Others may read it: refused.
  chmod(path.c_str(), 0644);
  absl::StatusOr<Authenticator> readable = Authenticator::FromFile(path);
  EXPECT_EQ(readable.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(readable.status().message(), HasSubstr("0644"));
  chmod(path.c_str(), 0600);
  absl::StatusOr<Authenticator> auth = Authenticator::FromFile(path);
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_EQ(auth->token_count(), 2u);
  std::remove(path.c_str());

  EXPECT_EQ(Authenticator::FromFile(path).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Authenticator::FromFile("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PrincipalFromCertificateTest, ReadsThePrincipalUri) {
  struct Case {
    const char* subject_alt_names;
    absl::StatusCode code;
    const char* operator_id;  // expected principal; null = none
    const char* jurisdiction;
    Role role;
  };
  const Case cases[] = {
      {"URI:urn:lianxin:principal:654322:operator:gov-hr", absl::StatusCode::kOk, "gov-hr",
       "654322", Role::kOperator},
      {"DNS:x,URI:urn:lianxin:principal:650102:readonly:a:b", absl::StatusCode::kOk, "a:b",
       "650102", Role::kReadonly},
      {"DNS:transport-only", absl::StatusCode::kOk, nullptr, "", Role::kReadonly},
      {"URI:https://example.cn/x", absl::StatusCode::kOk, nullptr, "", Role::kReadonly},
      {"URI:urn:lianxin:principal:65432:operator:x", absl::StatusCode::kInvalidArgument},
      {"URI:urn:lianxin:principal:654322:admin:x", absl::StatusCode::kInvalidArgument},
      {"URI:urn:lianxin:principal:654322:operator:", absl::StatusCode::kInvalidArgument},
      {"URI:urn:lianxin:principal:654322:operator:a,URI:urn:lianxin:principal:"
       "654322:operator:b",
       absl::StatusCode::kInvalidArgument},
  };
  absl::StatusOr<testing::SelfSignedCertificate> ca = testing::MakeSelfSignedCertificate();
  ASSERT_TRUE(ca.ok()) << ca.status();
  for (const Case& c : cases) {
    absl::StatusOr<testing::SelfSignedCertificate> cert =
        testing::MakeCertificate(c.subject_alt_names, &*ca);
    ASSERT_TRUE(cert.ok()) << cert.status();
    absl::StatusOr<std::optional<Principal>> principal = PrincipalFromCertificate(cert->cert_pem);
    ASSERT_EQ(principal.status().code(), c.code) << c.subject_alt_names << principal.status();
    if (!principal.ok()) continue;
    if (c.operator_id == nullptr) {
      EXPECT_FALSE(principal->has_value()) << c.subject_alt_names;
      continue;
    }
    ASSERT_TRUE(principal->has_value()) << c.subject_alt_names;
    EXPECT_EQ((*principal)->operator_id, c.operator_id);
    EXPECT_EQ((*principal)->jurisdiction, c.jurisdiction);
    EXPECT_EQ((*principal)->role, c.role);
  }
  EXPECT_EQ(PrincipalFromCertificate("not a certificate").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lianxin
