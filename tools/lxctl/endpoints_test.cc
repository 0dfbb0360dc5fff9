// Tests of the endpoints file: the api-contract.md shape, extra keys, county choice.
#include "tools/lxctl/endpoints.h"

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/testing/testing.h"

namespace lianxin::lxctl {
namespace {

using ::testing::HasSubstr;

// The shape of api-contract.md, "Local deployment", with keys lxctl does not
// know (top level, per county, nested) that must be ignored.
constexpr char kTwoCounties[] = R"json({
  "kafka": "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094",
  "tokens_file": "/tmp/tokens.txt",
  "generated_at": {"by": "up.sh", "pid": 42},
  "counties": {
    "654322": {
      "name": "富蕴县",
      "token": "3f9ac1",
      "registry": "127.0.0.1:17101",
      "contact": "127.0.0.1:17102",
      "education": "127.0.0.1:17103",
      "appraisal": "127.0.0.1:17104",
      "data_dir": "/tmp/lianxin/654322",
      "metrics": "127.0.0.1:17110",
      "ports": [1, 2, 3]
    },
    "650102": {
      "name": "乌鲁木齐市天山区",
      "token": "77aa00",
      "registry": "127.0.0.1:17201"
    }
  }
})json";

TEST(ParseEndpoints, ReadsTheContractShapeAndIgnoresExtraKeys) {
  absl::StatusOr<EndpointsFile> file = ParseEndpoints(kTwoCounties, "endpoints.json");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->kafka(), "127.0.0.1:19092,127.0.0.1:19093,127.0.0.1:19094");
  ASSERT_EQ(file->counties_size(), 2);
  const CountyEndpoints& fuyun = file->counties().at("654322");
  EXPECT_EQ(fuyun.name(), "富蕴县");
  EXPECT_EQ(fuyun.token(), "3f9ac1");
  EXPECT_EQ(fuyun.registry(), "127.0.0.1:17101");
  EXPECT_EQ(fuyun.contact(), "127.0.0.1:17102");
  EXPECT_EQ(fuyun.appraisal(), "127.0.0.1:17104");
  EXPECT_EQ(fuyun.data_dir(), "/tmp/lianxin/654322");
  EXPECT_EQ(file->counties().at("650102").contact(), "");  // not deployed: absent
}

TEST(ParseEndpoints, RejectsTextThatIsNotTheShape) {
  for (const char* bad : {"", "not json", "{\"counties\": []}", "{\"counties\": {\"654322\": 7}}",
                          "{\"counties\": {}}", "{\"kafka\": \"x\"}"}) {
    absl::StatusOr<EndpointsFile> file = ParseEndpoints(bad, "e.json");
    EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(file.status().message(), HasSubstr("e.json")) << bad;
  }
}

TEST(SelectCounty, PicksTheCountyAndItsToken) {
  absl::StatusOr<EndpointsFile> file = ParseEndpoints(kTwoCounties, "e.json");
  ASSERT_TRUE(file.ok());
  absl::StatusOr<County> county = SelectCounty(*file, "e.json", "650102");
  ASSERT_TRUE(county.ok()) << county.status();
  EXPECT_EQ(county->code, "650102");
  EXPECT_EQ(county->name, "乌鲁木齐市天山区");
  EXPECT_EQ(county->token, "77aa00");
  EXPECT_EQ(county->registry, "127.0.0.1:17201");
}

TEST(SelectCounty, MissingCountyIsNotFoundListingTheCounties) {
  absl::StatusOr<EndpointsFile> file = ParseEndpoints(kTwoCounties, "e.json");
  ASSERT_TRUE(file.ok());
  absl::StatusOr<County> county = SelectCounty(*file, "e.json", "440305");
  EXPECT_EQ(county.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(county.status().message(), "county 440305 is not in e.json (counties: 650102, 654322)");
}

TEST(SelectCounty, NoCodeNeedsExactlyOneCounty) {
  absl::StatusOr<EndpointsFile> two = ParseEndpoints(kTwoCounties, "e.json");
  ASSERT_TRUE(two.ok());
  absl::StatusOr<County> county = SelectCounty(*two, "e.json", "");
  EXPECT_EQ(county.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(county.status().message(), "--county is needed: e.json has counties 650102, 654322");

  absl::StatusOr<EndpointsFile> one =
      ParseEndpoints(R"({"counties": {"654322": {"name": "富蕴县", "token": "t"}}})", "e.json");
  ASSERT_TRUE(one.ok());
  county = SelectCounty(*one, "e.json", "");
  ASSERT_TRUE(county.ok()) << county.status();
  EXPECT_EQ(county->code, "654322");
  EXPECT_EQ(county->registry, "");  // not deployed yet
}

TEST(SelectCounty, CountyWithoutTokenFails) {
  absl::StatusOr<EndpointsFile> file =
      ParseEndpoints(R"({"counties": {"654322": {"registry": "127.0.0.1:1"}}})", "e.json");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(SelectCounty(*file, "e.json", "654322").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ResolveEndpointsPath, FlagThenEnvironmentThenHomeThenFirstStandardPathThatExists) {
  testing::TempDir dir;
  const std::string user = dir.Sub("user.json");
  const std::string system = dir.Sub("system.json");
  const std::vector<std::string> standard = {user, system};
  EXPECT_EQ(ResolveEndpointsPath("flag.json", "env.json", "/home", standard), "flag.json");
  EXPECT_EQ(ResolveEndpointsPath("", "env.json", "/home", standard), "env.json");
  EXPECT_EQ(ResolveEndpointsPath("", "", "/home", standard), "/home/endpoints.json");
  EXPECT_EQ(ResolveEndpointsPath("", nullptr, nullptr, standard), "");
  std::ofstream(system) << "{}";
  EXPECT_EQ(ResolveEndpointsPath("", "", "", standard), system);
  std::ofstream(user) << "{}";
  EXPECT_EQ(ResolveEndpointsPath("", nullptr, nullptr, standard), user);
}

TEST(LoadEndpoints, NoFileFoundSaysWhereToPutOne) {
  const auto file = LoadEndpoints("");
  ASSERT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(file.status().message().find("/etc/lianxin/endpoints.json"), std::string::npos);
  EXPECT_NE(file.status().message().find("LIANXIN_ENDPOINTS"), std::string::npos);
}

TEST(EndpointsPath, EnvironmentThenStandardPathsNeverTheSourceTree) {
  testing::TempDir dir;
  unsetenv("LIANXIN_ENDPOINTS");
  unsetenv("LIANXIN_HOME");
  setenv("XDG_CONFIG_HOME", dir.path().c_str(), 1);
  EXPECT_EQ(StandardEndpointsPaths().front(), dir.Sub("lianxin/endpoints.json"));
  const std::string found = EndpointsPath("");
  EXPECT_TRUE(found.empty() || found == "/etc/lianxin/endpoints.json") << found;
  setenv("LIANXIN_ENDPOINTS", "/x/e.json", 1);
  EXPECT_EQ(EndpointsPath(""), "/x/e.json");
  EXPECT_EQ(EndpointsPath("/y/f.json"), "/y/f.json");
  unsetenv("LIANXIN_ENDPOINTS");
  unsetenv("XDG_CONFIG_HOME");
}

TEST(LoadEndpoints, ReadsAFileAndReportsAMissingOne) {
  const std::string path = ::testing::TempDir() + "/lxctl_endpoints_test.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << kTwoCounties;
  }
  absl::StatusOr<EndpointsFile> file = LoadEndpoints(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->counties_size(), 2);

  absl::StatusOr<EndpointsFile> missing = LoadEndpoints(path + ".absent");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(path + ".absent"));
}

}  // namespace
}  // namespace lianxin::lxctl
