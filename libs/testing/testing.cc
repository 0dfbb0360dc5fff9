#include "libs/testing/testing.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"

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

// How a child's standard streams are opened: stdin is /dev/null; stdout is
// `stdout_fd` if >= 0, else `stdout_path` (truncated); stderr is `stderr_path`
// opened with `stderr_flags`.
struct Streams {
  int stdout_fd = -1;
  const char* stdout_path = nullptr;
  const char* stderr_path = "/dev/null";
  int stderr_flags = O_WRONLY | O_CREAT | O_APPEND;
};

// The program `file` names: itself if it has a slash, else the first
// executable of that name on PATH (as posix_spawnp finds it).
std::string ProgramPath(const std::string& file) {
  if (file.find('/') != std::string::npos) return file;
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", file);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return file;
}

// The thread every child is forked from. A child asks the kernel for SIGKILL
// when its parent dies (PR_SET_PDEATHSIG), so that a test, lxchaos or a bench
// killed with -9 leaves no service, broker or tool running. The kernel sends
// it when the thread that forked the child ends, not the process: hence one
// thread that lives as long as the process forks them all.
class Spawner {
 public:
  static Spawner& Get() {
    static Spawner* spawner = new Spawner();
    return *spawner;
  }

  // Runs `fork_child` on the spawner thread and returns what it returned.
  absl::StatusOr<pid_t> Run(std::function<absl::StatusOr<pid_t>()> fork_child) {
    absl::MutexLock calls(&call_mu_);  // one request at a time
    absl::MutexLock lock(&mu_);
    request_ = std::move(fork_child);
    result_.reset();
    auto answered = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return result_.has_value(); };
    mu_.Await(absl::Condition(&answered));
    return *result_;
  }

 private:
  Spawner() {
    std::thread([this] { Loop(); }).detach();
  }

  void Loop() {
    for (;;) {
      std::function<absl::StatusOr<pid_t>()> request;
      {
        absl::MutexLock lock(&mu_);
        auto asked = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return request_ != nullptr; };
        mu_.Await(absl::Condition(&asked));
        request = std::move(request_);
        request_ = nullptr;
      }
      absl::StatusOr<pid_t> pid = request();
      absl::MutexLock lock(&mu_);
      result_ = std::move(pid);
    }
  }

  absl::Mutex call_mu_;
  absl::Mutex mu_;
  std::function<absl::StatusOr<pid_t>()> request_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::StatusOr<pid_t>> result_ ABSL_GUARDED_BY(mu_);
};

// Starts `args` (envp: its environment) with `streams`; the child is killed
// when this process dies. Returns INTERNAL naming the program if it cannot
// be started (exec failed: the child reports its errno through a pipe).
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& args, char* const* envp,
                            const Streams& streams) {
  const std::string program = ProgramPath(args.at(0));
  std::vector<char*> argv = Argv(args);
  return Spawner::Get().Run([&]() -> absl::StatusOr<pid_t> {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return absl::InternalError("pipe");
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid == 0) {
      // Only async-signal-safe calls from here on.
      int err = 0;
      if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
      int in = open("/dev/null", O_RDONLY);
      if (in < 0 || dup2(in, 0) < 0) err = errno;
      if (err == 0 && streams.stdout_fd >= 0 && dup2(streams.stdout_fd, 1) < 0) err = errno;
      if (err == 0 && streams.stdout_fd < 0) {
        int out = open(streams.stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || dup2(out, 1) < 0) err = errno;
      }
      if (err == 0) {
        int fd = open(streams.stderr_path, streams.stderr_flags, 0644);
        if (fd < 0 || dup2(fd, 2) < 0) err = errno;
      }
      if (err == 0) {
        execve(program.c_str(), argv.data(), envp);
        err = errno;
      }
      (void)!write(report[1], &err, sizeof(err));
      _exit(127);
    }
    close(report[1]);
    if (pid < 0) {
      close(report[0]);
      return absl::InternalError(absl::StrCat("fork for ", args[0], ": ", strerror(errno)));
    }
    int err = 0;
    ssize_t n;
    do {
      n = read(report[0], &err, sizeof(err));
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n > 0) {
      waitpid(pid, nullptr, 0);
      return absl::InternalError(absl::StrCat("spawn ", args[0], ": ", strerror(err)));
    }
    return pid;
  });
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
  const std::string stderr_path = stdout_path + ".err";
  absl::StatusOr<pid_t> spawned = Spawn(args, environ,
                                        Streams{.stdout_path = stdout_path.c_str(),
                                                .stderr_path = stderr_path.c_str(),
                                                .stderr_flags = O_WRONLY | O_CREAT | O_TRUNC});
  if (!spawned.ok()) return spawned.status();
  const pid_t pid = *spawned;
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
  // Of two entries with one name, getenv finds the first.
  std::vector<char*> env = Argv(extra_env);
  env.pop_back();
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  env.push_back(nullptr);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError("pipe");
  absl::StatusOr<pid_t> pid =
      Spawn(args, env.data(),
            Streams{.stdout_fd = fds[1],
                    .stderr_path = stderr_path.empty() ? "/dev/null" : stderr_path.c_str()});
  close(fds[1]);
  if (!pid.ok()) {
    close(fds[0]);
    return pid.status();
  }
  std::unique_ptr<ChildProcess> child(new ChildProcess(*pid, fds[0]));
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
