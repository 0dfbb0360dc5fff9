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

TEST(TerminationTest, HangupRunsTheCallbackAndKeepsWaiting) {
  ASSERT_TRUE(InstallTerminationHandlers().ok());
  raise(SIGHUP);
  raise(SIGHUP);
  raise(SIGTERM);
  int hangups = 0;
  EXPECT_EQ(WaitForTerminationSignal([&] { ++hangups; }), SIGTERM);
  EXPECT_EQ(hangups, 2);
}

}  // namespace
}  // namespace lianxin
