// Crash test: a child process (event_store_crash_child) commits from several
// threads and reports each acknowledged commit on a pipe; the test kills it
// with SIGKILL after a number of acknowledgements, reopens the store and
// checks that every acknowledged commit is there and the chain verifies.
// Repeated over several kills so the chain continues across crashes.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "libs/eventstore/event_store.h"
#include "libs/testing/testing.h"

namespace lianxin {
namespace {

constexpr int kWriterThreads = 4;
constexpr int kAcksPerRun = 300;
constexpr int kRuns = 3;
constexpr absl::Duration kRunDeadline = absl::Seconds(120);

struct Ack {
  uint64_t sequence;
  std::string aggregate_id;
  uint64_t version;
};

std::string ChildPath() {
  if (const char* bin_dir = std::getenv("LIANXIN_BIN_DIR"); bin_dir != nullptr) {
    std::string path = absl::StrCat(bin_dir, "/event_store_crash_child");
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return "";
  self[n] = '\0';
  return (std::filesystem::path(self).parent_path() / "event_store_crash_child").string();
}

using ::lianxin::testing::TempDir;

// Runs the child against `store_path` until it has acknowledged `wanted`
// commits (or the deadline passes), kills it with SIGKILL and returns every
// complete acknowledgement line it wrote, including those still in the pipe.
std::vector<Ack> RunAndKill(const std::string& child, const std::string& store_path, int wanted) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << errno;
    return {};
  }
  const std::string threads = absl::StrCat(kWriterThreads);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
    char* const argv[] = {const_cast<char*>(child.c_str()), const_cast<char*>(store_path.c_str()),
                          const_cast<char*>(threads.c_str()), nullptr};
    execv(child.c_str(), argv);
    _exit(127);
  }
  close(fds[1]);
  EXPECT_GT(pid, 0);

  std::string buffer;
  std::vector<Ack> acks;
  auto take_lines = [&] {
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      std::vector<std::string> fields = absl::StrSplit(buffer.substr(0, newline), ' ');
      buffer.erase(0, newline + 1);
      Ack ack;
      if (fields.size() == 4 && fields[0] == "ack" && absl::SimpleAtoi(fields[1], &ack.sequence) &&
          absl::SimpleAtoi(fields[3], &ack.version)) {
        ack.aggregate_id = fields[2];
        acks.push_back(std::move(ack));
      } else {
        ADD_FAILURE() << "unexpected line from child: " << fields.size();
      }
    }
  };
  auto read_some = [&]() -> bool {  // false at end of file
    char chunk[4096];
    const ssize_t n = read(fds[0], chunk, sizeof(chunk));
    if (n <= 0) return n < 0 && errno == EINTR;
    buffer.append(chunk, static_cast<size_t>(n));
    take_lines();
    return true;
  };

  const absl::Time deadline = absl::Now() + kRunDeadline;
  bool open = true;
  while (open && static_cast<int>(acks.size()) < wanted && absl::Now() < deadline) {
    pollfd readable{fds[0], POLLIN, 0};
    const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (poll(&readable, 1, std::max(timeout_ms, 0)) > 0) open = read_some();
  }
  EXPECT_GE(static_cast<int>(acks.size()), wanted) << "child stopped or was too slow";
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child exited on its own, status " << status;
  while (read_some()) {
  }  // acknowledgements written before the kill
  close(fds[0]);
  return acks;
}

TEST(EventStoreCrashTest, KillNine_KeepsEveryAcknowledgedCommitAndTheChainVerifies) {
  const std::string child = ChildPath();
  ASSERT_EQ(access(child.c_str(), X_OK), 0) << "crash child not found at " << child;
  TempDir dir;
  Source source;
  source.set_jurisdiction("654322");
  source.set_service("registry");

  std::vector<Ack> acknowledged;
  for (int run = 0; run < kRuns; ++run) {
    std::vector<Ack> acks = RunAndKill(child, dir.path(), kAcksPerRun);
    acknowledged.insert(acknowledged.end(), acks.begin(), acks.end());

    absl::StatusOr<std::unique_ptr<EventStore>> store =
        EventStore::Open({.path = dir.path(), .source = source});
    ASSERT_TRUE(store.ok()) << "run " << run << ": " << store.status();

    std::map<uint64_t, Event> log;
    ChainVerifier verifier(std::string(32, '\0'));
    absl::Status chain;
    ASSERT_TRUE((*store)
                    ->ScanLog(1,
                              [&](const Event& event) {
                                chain = verifier.Add(event);
                                log.emplace(event.sequence(), event);
                                return chain.ok();
                              })
                    .ok());
    ASSERT_TRUE(chain.ok()) << "run " << run << ": " << chain;
    EXPECT_EQ(log.size(), (*store)->LastSequence());

    for (const Ack& ack : acknowledged) {
      auto it = log.find(ack.sequence);
      ASSERT_NE(it, log.end()) << "run " << run << ": acknowledged sequence " << ack.sequence
                               << " lost";
      EXPECT_EQ(it->second.aggregate_id(), ack.aggregate_id);
      EXPECT_EQ(it->second.version(), ack.version);
      absl::StatusOr<Aggregate> aggregate = (*store)->ReadAggregate(ack.aggregate_id);
      ASSERT_TRUE(aggregate.ok()) << aggregate.status();
      EXPECT_GE(aggregate->version, ack.version);
    }
    // Every event has its outbox row until a relay deletes it.
    absl::StatusOr<std::pair<uint64_t, absl::Time>> stats = (*store)->OutboxStats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->first, log.size());
  }
  EXPECT_GE(acknowledged.size(), static_cast<size_t>(kRuns * kAcksPerRun));
}

}  // namespace
}  // namespace lianxin
