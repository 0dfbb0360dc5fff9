// A parent for testing_test: starts `sleep 600` through ChildProcess, prints
// the child's pid, then waits to be killed. ChildProcess children must die
// with it (testing_test, ChildProcessTest.ChildrenDieWhenTheirParentIsKilled).
#include <unistd.h>

#include <cstdio>

#include "libs/testing/testing.h"

int main() {
  absl::StatusOr<std::unique_ptr<lianxin::testing::ChildProcess>> child =
      lianxin::testing::ChildProcess::Start({"/bin/sleep", "600"});
  if (!child.ok()) {
    std::fprintf(stderr, "%s\n", child.status().ToString().c_str());
    return 1;
  }
  std::printf("%d\n", static_cast<int>((*child)->pid()));
  std::fflush(stdout);
  for (;;) pause();
}
