// The one ChildProcess of the tests, with a real child (/bin/sh).
#include "libs/testing/testing.h"

#include <signal.h>
#include <sys/wait.h>

#include "gtest/gtest.h"

namespace lianxin::testing {
namespace {

TEST(ChildProcessTest, ReadLineReturnsEachLineOnceThenTheEndAndWaitGivesTheExitStatus) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start({"/bin/sh", "-c", "echo \"$LIANXIN_TESTING_GREETING\"; echo two; exit 3"},
                          std::vector<std::string>{"LIANXIN_TESTING_GREETING=one"});
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ((*child)->ReadLine().value_or("?"), "one");
  EXPECT_EQ((*child)->ReadLine().value_or("?"), "two");
  EXPECT_EQ((*child)->ReadLine().status().code(), absl::StatusCode::kOutOfRange);
  absl::StatusOr<int> status = (*child)->Wait();
  ASSERT_TRUE(status.ok()) << status.status();
  ASSERT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 3);
  EXPECT_EQ((*child)->Wait().status().code(), absl::StatusCode::kFailedPrecondition);
  // WaitForLine still sees every line, ReadLine or not.
  EXPECT_EQ((*child)->WaitForLine("tw").value_or("?"), "two");
}

TEST(ChildProcessTest, WaitLeavesARunningChildRunningAfterItsTimeout) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start({"/bin/sh", "-c", "echo ready; exec sleep 30"});
  ASSERT_TRUE(child.ok()) << child.status();
  ASSERT_TRUE((*child)->WaitForLine("ready").ok());
  EXPECT_EQ((*child)->Wait(absl::Milliseconds(50)).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ((*child)->Stop(), -SIGTERM);  // ended by the test, not on its own
}

}  // namespace
}  // namespace lianxin::testing
