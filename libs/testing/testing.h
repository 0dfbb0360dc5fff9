// Test support shared by every lianxin test: temporary directories, waiting on
// a condition with a deadline, and real child processes (services, the broker,
// kcat, lxctl) with their output captured.
//
//   TempDir dir;
//   ASSIGN_OR_RETURN(auto broker, ChildProcess::Start({BinDir() + "/lianxin-broker"}));
//   ASSIGN_OR_RETURN(std::string bootstrap, broker->WaitForLine("127.0.0.1:"));
//   ASSERT_TRUE(WaitFor([&] { return Delivered() == 3; }));
#ifndef LIANXIN_LIBS_TESTING_TESTING_H_
#define LIANXIN_LIBS_TESTING_TESTING_H_

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace lianxin::testing {

// Polls `condition` every 10 ms until it holds or `timeout` passes; returns
// its last value. For waiting on another process, never for ordering threads.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(60));

// Where the build put the binaries (ctest sets LIANXIN_BIN_DIR), else "build/bin".
std::string BinDir();

// The whole content of a file ("" if it cannot be read).
std::string ReadFile(const std::string& path);

// The last `lines` lines of a file (a child's stderr, for a failure report).
std::string TailOfFile(const std::string& path, int lines);

// A directory under TEST_TMPDIR (or the system's temp dir), removed with its
// contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs `args` (args[0] searched in PATH) with stdout to `stdout_path` and
// stderr to `stdout_path`.err; kills it after `timeout`. Returns its exit code.
absl::StatusOr<int> RunProcess(const std::vector<std::string>& args, const std::string& stdout_path,
                               absl::Duration timeout = absl::Seconds(30));

// A running child process whose stdout is read line by line in the background
// and whose stderr goes to a file. SIGTERM, then SIGKILL, at destruction. The
// one child process of every test (services, the broker, tools, servers).
class ChildProcess {
 public:
  // Starts `args` (args[0] a path). stderr goes to `stderr_path` ("" = /dev/null).
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(std::vector<std::string> args,
                                                             const std::string& stderr_path = "");
  // The same with `extra_env` ("NAME=value") added to the test's environment,
  // taking precedence over it.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      std::vector<std::string> args, const std::vector<std::string>& extra_env,
      const std::string& stderr_path = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Waits for a stdout line starting with `prefix`; returns the line.
  absl::StatusOr<std::string> WaitForLine(const std::string& prefix,
                                          absl::Duration timeout = absl::Seconds(30));
  // Every stdout line so far.
  std::vector<std::string> Lines() const;
  // The next stdout line not yet returned by ReadLine; OUT_OF_RANGE at the end
  // of the output, DEADLINE_EXCEEDED if none comes within `timeout`.
  absl::StatusOr<std::string> ReadLine(absl::Duration timeout = absl::Seconds(30));

  pid_t pid() const { return pid_; }
  void Signal(int sig) const;
  // SIGTERM and wait (SIGKILL after `grace`); returns the exit code, or
  // -signal if it died of a signal.
  int Stop(absl::Duration grace = absl::Seconds(15));
  // SIGKILL and reap: a crash at an arbitrary instant.
  void Kill();
  // Waits for the child to exit on its own within `timeout` and reaps it;
  // returns its wait status (see WIFEXITED). DEADLINE_EXCEEDED if it is still
  // running (it is left running), FAILED_PRECONDITION if already reaped.
  absl::StatusOr<int> Wait(absl::Duration timeout = absl::Seconds(30));

 private:
  ChildProcess(pid_t pid, int stdout_fd);
  void ReadLines();
  int Reap(absl::Duration timeout);

  pid_t pid_;
  int stdout_fd_;
  int exit_code_ = 0;
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  size_t next_read_ ABSL_GUARDED_BY(mu_) = 0;  // ReadLine's position in lines_
  bool eof_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<std::thread> reader_;
};

}  // namespace lianxin::testing

#endif  // LIANXIN_LIBS_TESTING_TESTING_H_
