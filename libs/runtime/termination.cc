#include "libs/runtime/termination.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace lianxin {
namespace {

int g_pipe[2] = {-1, -1};  // [0] read by the waiter, [1] written by the handler

void OnTerminationSignal(int signo) {
  int saved_errno = errno;
  unsigned char byte = static_cast<unsigned char>(signo);
  // write() is async-signal-safe; if the pipe is full, a signal is already pending.
  [[maybe_unused]] ssize_t n = write(g_pipe[1], &byte, 1);
  errno = saved_errno;
}

absl::Status Install() {
  if (pipe2(g_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
  }
  fcntl(g_pipe[1], F_SETFL, O_NONBLOCK);
  struct sigaction action {};
  action.sa_handler = OnTerminationSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signo : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) {
    if (sigaction(signo, &action, nullptr) != 0) {
      return absl::InternalError(absl::StrCat("sigaction(", signo, "): ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status InstallTerminationHandlers() {
  static std::once_flag once;
  static absl::Status* status = nullptr;
  std::call_once(once, [] { status = new absl::Status(Install()); });
  return *status;
}

int WaitForTerminationSignal(absl::FunctionRef<void()> on_hangup,
                             absl::FunctionRef<void()> on_user1) {
  unsigned char byte = 0;
  while (true) {
    ssize_t n = read(g_pipe[0], &byte, 1);
    if (n == 1 && byte == SIGHUP) {
      on_hangup();
      continue;
    }
    if (n == 1 && byte == SIGUSR1) {
      on_user1();
      continue;
    }
    if (n == 1) return byte;
    if (n < 0 && errno == EINTR) continue;
    return SIGTERM;  // the pipe broke: treat as a request to stop
  }
}

}  // namespace lianxin
