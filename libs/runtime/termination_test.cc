#include "libs/runtime/termination.h"

#include <signal.h>

#include "gtest/gtest.h"

namespace lianxin {
namespace {

TEST(TerminationTest, WaitReturnsEachSignalOnce) {
  ASSERT_TRUE(InstallTerminationHandlers().ok());
  ASSERT_TRUE(InstallTerminationHandlers().ok());  // idempotent
  raise(SIGTERM);
  raise(SIGINT);
  EXPECT_EQ(WaitForTerminationSignal(), SIGTERM);
  EXPECT_EQ(WaitForTerminationSignal(), SIGINT);
}

}  // namespace
}  // namespace lianxin
