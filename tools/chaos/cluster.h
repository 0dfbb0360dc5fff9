// The deployment lxchaos attacks: one lianxin-broker (three brokers, with a
// control FIFO for fault injection) and, for each county, the four services as
// real child processes on their own data directories, all on loopback.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<ChaosCluster> cluster,
//                    ChaosCluster::Start({.counties = {"654322", "650102", "440305"},
//                                         .work_dir = dir}));
//   cluster->Kill("654322", "registry");       // kill -9
//   RETURN_IF_ERROR(cluster->Restart("654322", "registry"));
//   std::string address = cluster->Address("654322", "registry");  // changes on restart
//
// Every method is thread-safe: the load driver reads addresses while the fault
// thread kills and restarts services.
#ifndef LIANXIN_TOOLS_CHAOS_CLUSTER_H_
#define LIANXIN_TOOLS_CHAOS_CLUSTER_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/testing/testing.h"

namespace lianxin::chaos {

// The four services of a county, in start order.
const std::vector<std::string>& Services();

struct ChaosOptions {
  std::vector<std::string> counties;
  // Where data dirs, tokens, logs and the endpoints file go (must exist).
  std::string work_dir;
  // Where the lianxin binaries are.
  std::string bin_dir;
  int brokers = 3;
  // Trust between counties on: a root key, one signing key per county and a
  // signed directory (under <work_dir>/keys), every service signing and
  // checking. The directory also gives the last county a key revoked a minute
  // before the start (keys/revoked.key), for the forge fault.
  bool trust = false;
  // --max_parked_per_source of every service (0: the services' default).
  uint64_t max_parked_per_source = 0;
};

class ChaosCluster {
 public:
  // Writes tokens and keys, starts the broker and every service, and waits
  // until each one listens.
  static absl::StatusOr<std::unique_ptr<ChaosCluster>> Start(ChaosOptions options);
  // SIGTERM to every process, then waits for them.
  ~ChaosCluster();

  const std::vector<std::string>& counties() const { return options_.counties; }
  // The bearer token of `county`'s operator.
  static std::string Token(const std::string& county);

  // host:port of a service ("" while it is down).
  std::string Address(const std::string& county, const std::string& service) const;
  // Where a county's services keep their stores (<data_dir>/<service>).
  std::string DataDir(const std::string& county) const;
  // The endpoints file (lxctl, lxaudit) naming every county, service and data
  // dir; rewritten at every (re)start.
  std::string EndpointsPath() const;
  std::string Bootstrap() const;
  // A file under <work_dir>/keys ("654322.key", "revoked.key", "root.pub").
  std::string KeyPath(const std::string& name) const { return Path("keys/" + name); }
  // The Kafka consumer group of a service (see libs/service/service_main.cc).
  static std::string GroupId(const std::string& county, const std::string& service);

  // SIGKILL: a crash at an arbitrary instant.
  void Kill(const std::string& county, const std::string& service);
  // SIGTERM and wait.
  void Stop(const std::string& county, const std::string& service);
  // Starts a service that was killed or stopped, on the same data dir.
  absl::Status Restart(const std::string& county, const std::string& service);

  // Stops the broker process: every topic, offset and group is lost.
  void StopBroker();
  // A new, empty broker process on the same ports.
  absl::Status StartBroker();
  // Sends a control command to the broker ("down 2", "up 2", "rtt all 200").
  absl::Status BrokerControl(const std::string& command);

  // The last lines of every process's stderr (for a failure report).
  std::string LogTails(int lines) const;

 private:
  explicit ChaosCluster(ChaosOptions options) : options_(std::move(options)) {}
  // Marks a service down and hands over its process (null if it was down).
  std::unique_ptr<testing::ChildProcess> TakeProcess(const std::string& county,
                                                     const std::string& service);
  // Starts a service and waits until it listens (without holding mu_).
  absl::Status StartService(const std::string& county, const std::string& service);
  // The keys and the directory of ChaosOptions::trust.
  absl::Status WriteKeys() const;
  absl::Status StartBrokerLocked(const std::string& ports) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriteEndpoints() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string Path(const std::string& name) const { return options_.work_dir + "/" + name; }
  std::string StderrPath(const std::string& county, const std::string& service) const {
    return Path(service + "-" + county + ".stderr");
  }

  const ChaosOptions options_;
  mutable absl::Mutex mu_;
  std::unique_ptr<testing::ChildProcess> broker_ ABSL_GUARDED_BY(mu_);
  std::string bootstrap_ ABSL_GUARDED_BY(mu_);
  std::string broker_ports_ ABSL_GUARDED_BY(mu_);
  struct Running {
    std::unique_ptr<testing::ChildProcess> process;
    std::string address;
  };
  // (county, service) -> its process.
  std::map<std::pair<std::string, std::string>, Running> services_ ABSL_GUARDED_BY(mu_);
};

}  // namespace lianxin::chaos

#endif  // LIANXIN_TOOLS_CHAOS_CLUSTER_H_
