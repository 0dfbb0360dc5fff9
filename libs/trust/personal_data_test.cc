#include "libs/trust/personal_data.h"

#include "gtest/gtest.h"
#include "lianxin/v1/events.pb.h"

namespace lianxin::trust {
namespace {

TEST(PersonalData, MaskKeepsTheLastFourOnly) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"65432219870605123X", "**************123X"},
      {"654322********123X", "**************123X"},  // the old mask
      {"**************123X", "**************123X"},
      {"", ""},
      {"123", "******************"},
  };
  for (const Case& c : cases) EXPECT_EQ(MaskLastFour(c.in), c.out) << c.in;
}

TEST(PersonalData, RedactsEveryNestedRegistration) {
  lianxin::v1::Event event;
  auto* registered = event.mutable_member_registered();
  registered->set_id_number_masked("654322********123X");
  registered->set_birth_date("1987-06-05");
  registered->set_name("张三");
  lianxin::v1::Event outflow;
  auto* snapshot = outflow.mutable_outflow_registered()->mutable_snapshot();
  snapshot->mutable_registration()->set_id_number_masked("654322********123X");
  snapshot->mutable_registration()->set_birth_date("1987-06-05");
  RedactIdentity(&event);
  RedactIdentity(&outflow);
  EXPECT_EQ(event.member_registered().id_number_masked(), "**************123X");
  EXPECT_EQ(event.member_registered().birth_date(), "1987");
  EXPECT_EQ(event.member_registered().name(), "张三");
  EXPECT_EQ(outflow.outflow_registered().snapshot().registration().id_number_masked(),
            "**************123X");
  EXPECT_EQ(outflow.outflow_registered().snapshot().registration().birth_date(), "1987");
}

}  // namespace
}  // namespace lianxin::trust
