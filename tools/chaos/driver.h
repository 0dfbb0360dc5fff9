// The load driver: client threads that issue a random mix of commands across
// the counties of a ChaosCluster (registrations, outflows, arrivals, contacts
// at home and at the destination, training attendance, dues, transfers and
// returns) and record what became of every one.
//
// A client behaves as a careful government system would: a command that got
// no answer (the service was down, the call timed out) is sent again with the
// same request_id until it gets one, so its fate is known: acknowledged (OK,
// possibly the reply to the first, committed attempt) or refused (a rule, an
// unknown member, a fact that has not travelled yet). The checker then expects
// each acknowledged command in its service's log exactly once and no refused
// one at all.
//
//   LoadDriver driver({.cluster = cluster.get(), .threads = 4, .seed = 7});
//   RETURN_IF_ERROR(driver.Prepare());   // a course and a session per county
//   driver.Start();
//   ... faults ...
//   driver.Stop();
//   std::vector<Command> sent = driver.Commands();
#ifndef LIANXIN_TOOLS_CHAOS_DRIVER_H_
#define LIANXIN_TOOLS_CHAOS_DRIVER_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tools/chaos/cluster.h"

namespace lianxin::chaos {

// One command the driver sent, and its fate.
struct Command {
  enum class Outcome { kAcked, kRefused, kUnanswered };
  std::string county;   // whose service it was sent to
  std::string service;  // "registry", "contact", …
  std::string rpc;      // "RecordArrival"
  std::string request_id;
  Outcome outcome = Outcome::kUnanswered;
  std::string detail;  // the refusal's status, or the last error of an unanswered one
  int attempts = 0;
};

struct DriverOptions {
  ChaosCluster* cluster = nullptr;  // not owned
  int threads = 4;
  uint64_t seed = 1;
  // Deadline of one attempt.
  absl::Duration call_timeout = absl::Seconds(5);
  // How long a command is sent again before it counts as unanswered.
  absl::Duration answer_deadline = absl::Seconds(90);
};

class LoadDriver {
 public:
  explicit LoadDriver(DriverOptions options);
  ~LoadDriver();

  // Creates a course and schedules one session in each county (for attendance).
  absl::Status Prepare();
  // Starts the client threads.
  void Start();
  // Lets each thread finish (and get an answer to) its command, then joins them.
  void Stop();

  // Every command sent so far, in no particular order.
  std::vector<Command> Commands() const;
  // "412 acknowledged (RegisterMember 80, …), 37 refused, 0 unanswered".
  std::string Summary() const;

 private:
  struct Member;
  class Client;

  const DriverOptions options_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  // county -> the session members attend there.
  std::map<std::string, std::string> sessions_;

  mutable absl::Mutex mu_;
  std::vector<Command> commands_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Member>> members_ ABSL_GUARDED_BY(mu_);
  int next_person_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace lianxin::chaos

#endif  // LIANXIN_TOOLS_CHAOS_DRIVER_H_
