// The one ChildProcess of the tests, with a real child (/bin/sh), and its
// children dying with their parent.
#include "libs/testing/testing.h"

#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

// Whether `pid` is a process that has not ended (a zombie has ended).
bool Running(pid_t pid) {
  const std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

TEST(ChildProcessTest, ChildrenDieWhenTheirParentIsKilled) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> parent =
      ChildProcess::Start({BinDir() + "/testing_spawning_parent"});
  ASSERT_TRUE(parent.ok()) << parent.status();
  absl::StatusOr<std::string> line = (*parent)->ReadLine();
  ASSERT_TRUE(line.ok()) << line.status();
  pid_t grandchild = 0;
  ASSERT_TRUE(absl::SimpleAtoi(*line, &grandchild)) << *line;
  ASSERT_TRUE(Running(grandchild));
  (*parent)->Kill();  // SIGKILL: the parent cleans nothing up itself
  EXPECT_TRUE(WaitFor([&] { return !Running(grandchild); }, absl::Seconds(10)));
}

TEST(ChildProcessTest, ChildOutlivesTheThreadThatStartedIt) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child;
  std::thread([&] {
    child = ChildProcess::Start({"/bin/sh", "-c", "sleep 0.3; echo alive; exec sleep 30"});
  }).join();
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_TRUE((*child)->WaitForLine("alive", absl::Seconds(10)).ok());
  EXPECT_EQ((*child)->Stop(), -SIGTERM);
}

TEST(ChildProcessTest, StartOfAMissingProgramIsAnErrorNamingIt) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start({"/nonexistent/lianxin-program"});
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.status().message().find("/nonexistent/lianxin-program"), std::string::npos);
}

}  // namespace
}  // namespace lianxin::testing
