// The bus integration tests' broker: a real lianxin-broker process (the
// rest of the test support is libs/testing).
#ifndef LIANXIN_TESTS_BUS_TESTING_H_
#define LIANXIN_TESTS_BUS_TESTING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/testing/testing.h"

namespace lianxin::testing {

// A running lianxin-broker process; stopped (SIGTERM) at destruction.
class BrokerProcess {
 public:
  // Starts lianxin-broker with `args` and waits for its bootstrap line.
  static absl::StatusOr<std::unique_ptr<BrokerProcess>> Start(std::vector<std::string> args = {}) {
    args.insert(args.begin(), BinDir() + "/lianxin-broker");
    absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Start(std::move(args));
    if (!child.ok()) return child.status();
    absl::StatusOr<std::string> bootstrap = (*child)->WaitForLine("", absl::Seconds(20));
    if (!bootstrap.ok()) return bootstrap.status();
    return std::unique_ptr<BrokerProcess>(new BrokerProcess(*std::move(child), *bootstrap));
  }

  const std::string& bootstrap() const { return bootstrap_; }
  pid_t pid() const { return process_->pid(); }

  // The brokers' ports, for a restart on the same ones ("9092,9093,9094").
  std::string ports() const {
    std::vector<std::string> ports;
    for (absl::string_view hostport : absl::StrSplit(bootstrap_, ',')) {
      ports.emplace_back(hostport.substr(hostport.rfind(':') + 1));
    }
    return absl::StrJoin(ports, ",");
  }

  void Signal(int sig) { process_->Signal(sig); }

  // SIGTERM and wait; returns the exit code.
  int Stop() { return process_->Stop(); }

 private:
  BrokerProcess(std::unique_ptr<ChildProcess> process, std::string bootstrap)
      : process_(std::move(process)), bootstrap_(std::move(bootstrap)) {}
  std::unique_ptr<ChildProcess> process_;
  std::string bootstrap_;
};

}  // namespace lianxin::testing

#endif  // LIANXIN_TESTS_BUS_TESTING_H_
