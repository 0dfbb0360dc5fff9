// Waiting for SIGTERM / SIGINT, the signals that stop a lianxin service, and
// acting on SIGHUP (reload the token file) and SIGUSR1 (write a backup)
// meanwhile.
//
//   RETURN_IF_ERROR(InstallTerminationHandlers());  // early in main
//   … start servers …
//   int signal = WaitForTerminationSignal([&] { auth.ReloadAndLog(); });
//   server->Shutdown(config.shutdown_grace);
#ifndef LIANXIN_LIBS_RUNTIME_TERMINATION_H_
#define LIANXIN_LIBS_RUNTIME_TERMINATION_H_

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace lianxin {

// Installs handlers for SIGTERM, SIGINT, SIGHUP and SIGUSR1 that only record the signal
// (a self-pipe; no other work in signal context). Idempotent. Returns INTERNAL
// if the pipe or a handler cannot be set up.
absl::Status InstallTerminationHandlers();

// Blocks until SIGTERM or SIGINT arrives (or has arrived) after
// InstallTerminationHandlers, and returns the signal number; runs `on_hangup`
// on this thread for each SIGHUP meanwhile, and `on_user1` for each SIGUSR1.
// Each signal is seen once. Must not be called before
// InstallTerminationHandlers succeeded.
int WaitForTerminationSignal(
    absl::FunctionRef<void()> on_hangup = [] {}, absl::FunctionRef<void()> on_user1 = [] {});

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_TERMINATION_H_
