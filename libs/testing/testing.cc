#include "libs/testing/testing.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace lianxin::testing {
namespace {

// Waits for `pid` until `deadline`; returns its wait status, or -1.
int WaitForExit(pid_t pid, absl::Time deadline) {
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 || absl::Now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

std::vector<char*> Argv(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (absl::Now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string BinDir() {
  const char* dir = std::getenv("LIANXIN_BIN_DIR");
  return dir != nullptr ? dir : "build/bin";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TailOfFile(const std::string& path, int lines) {
  std::vector<std::string> all = absl::StrSplit(ReadFile(path), '\n');
  const size_t from = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
  return absl::StrJoin(all.begin() + from, all.end(), "\n") + "\n";
}

TempDir::TempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(
      base != nullptr ? std::string(base) : std::filesystem::temp_directory_path().string(),
      "/lianxin.XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) std::abort();
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

absl::StatusOr<int> RunProcess(const std::vector<std::string>& args, const std::string& stdout_path,
                               absl::Duration timeout) {
  std::vector<char*> argv = Argv(args);
  const std::string stderr_path = stdout_path + ".err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return absl::InternalError(absl::StrCat("spawn ", args[0], ": ", strerror(rc)));
  int status = WaitForExit(pid, absl::Now() + timeout);
  if (status == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return absl::DeadlineExceededError(absl::StrCat(absl::StrJoin(args, " "), " timed out"));
  }
  if (!WIFEXITED(status)) return absl::InternalError(absl::StrCat(args[0], " was killed"));
  return WEXITSTATUS(status);
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(std::vector<std::string> args,
                                                                  const std::string& stderr_path) {
  return Start(std::move(args), {}, stderr_path);
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    std::vector<std::string> args, const std::vector<std::string>& extra_env,
    const std::string& stderr_path) {
  std::vector<char*> argv = Argv(args);
  // Of two entries with one name, getenv finds the first.
  std::vector<char*> env = Argv(extra_env);
  env.pop_back();
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  env.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2,
                                   stderr_path.empty() ? "/dev/null" : stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return absl::InternalError(absl::StrCat("spawn ", args[0], ": ", strerror(rc)));
  }
  std::unique_ptr<ChildProcess> child(new ChildProcess(pid, fds[0]));
  child->reader_ = std::make_unique<std::thread>([raw = child.get()] { raw->ReadLines(); });
  return child;
}

ChildProcess::ChildProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}

ChildProcess::~ChildProcess() {
  Stop();
  if (reader_ != nullptr && reader_->joinable()) reader_->join();
  close(stdout_fd_);
}

void ChildProcess::ReadLines() {
  std::string partial;
  char buffer[4096];
  for (;;) {
    ssize_t n = read(stdout_fd_, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buffer, static_cast<size_t>(n));
    size_t newline;
    while ((newline = partial.find('\n')) != std::string::npos) {
      absl::MutexLock lock(&mu_);
      lines_.push_back(partial.substr(0, newline));
      partial.erase(0, newline + 1);
    }
  }
  absl::MutexLock lock(&mu_);
  if (!partial.empty()) lines_.push_back(partial);
  eof_ = true;
}

absl::StatusOr<std::string> ChildProcess::WaitForLine(const std::string& prefix,
                                                      absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  size_t seen = 0;
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    for (; seen < lines_.size(); ++seen) {
      if (absl::StartsWith(lines_[seen], prefix)) return lines_[seen];
    }
    if (eof_) {
      return absl::UnavailableError(
          absl::StrCat("process ", pid_, " ended its output without a line '", prefix, "'"));
    }
    const size_t count = lines_.size();
    auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return lines_.size() != count || eof_;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&changed), deadline)) {
      return absl::DeadlineExceededError(
          absl::StrCat("process ", pid_, " printed no line '", prefix, "'"));
    }
  }
}

std::vector<std::string> ChildProcess::Lines() const {
  absl::MutexLock lock(&mu_);
  return lines_;
}

absl::StatusOr<std::string> ChildProcess::ReadLine(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return next_read_ < lines_.size() || eof_;
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&ready), timeout)) {
    return absl::DeadlineExceededError(absl::StrCat("no line from process ", pid_, " in time"));
  }
  if (next_read_ == lines_.size()) {
    return absl::OutOfRangeError(absl::StrCat("end of the output of process ", pid_));
  }
  return lines_[next_read_++];
}

absl::StatusOr<int> ChildProcess::Wait(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("the child process was reaped already");
  {
    // The end of the child's output is its exit.
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(&eof_), timeout)) {
      return absl::DeadlineExceededError(absl::StrCat("process ", pid_, " still running"));
    }
  }
  int status = 0;
  if (waitpid(pid_, &status, 0) != pid_) return absl::InternalError("waitpid failed");
  exit_code_ = ExitCode(status);
  pid_ = -1;
  return status;
}

void ChildProcess::Signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);
}

int ChildProcess::Reap(absl::Duration timeout) {
  int status = WaitForExit(pid_, absl::Now() + timeout);
  if (status == -1) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  exit_code_ = ExitCode(status);
  pid_ = -1;
  return exit_code_;
}

int ChildProcess::Stop(absl::Duration grace) {
  if (pid_ <= 0) return exit_code_;
  kill(pid_, SIGTERM);
  return Reap(grace);
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap(absl::Seconds(10));
}

}  // namespace lianxin::testing
