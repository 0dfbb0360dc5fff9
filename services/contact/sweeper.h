// The lost-contact sweeper (R5): at an interval it takes the injected clock's
// now, walks the index of members by the day they count as lost (swp/, see
// projection.h) up to today — never every member — and commits a LostContact
// for each member still silent. ContactResumed comes with the next contact
// (the decider), not from here.
//
//   Sweeper sweeper(&projection, &clock, [&] { relay->Notify(); });
//   ASSIGN_OR_RETURN(int flagged, sweeper.RunOnce(clock.Now()));  // tests
//   sweeper.Start(absl::Minutes(10));                              // main
#ifndef LIANXIN_SERVICES_CONTACT_SWEEPER_H_
#define LIANXIN_SERVICES_CONTACT_SWEEPER_H_

#include <functional>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "services/contact/projection.h"

namespace lianxin::contact {

class Sweeper {
 public:
  // Not owned; must outlive the sweeper. `on_commit` (may be empty) is called
  // after a sweep that committed events.
  Sweeper(ContactProjection* projection, Clock* clock, std::function<void()> on_commit);
  ~Sweeper();

  // One sweep as of `now`: returns the number of members flagged lost.
  // A member changed concurrently (ABORTED) is left for the next sweep.
  absl::StatusOr<int> RunOnce(absl::Time now);

  // Sweeps every `interval` (from clock->Now()) on a thread until Stop.
  void Start(absl::Duration interval);
  // Joins the thread. Idempotent.
  void Stop();

 private:
  ContactProjection& projection_;
  Clock& clock_;
  std::function<void()> on_commit_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace lianxin::contact

#endif  // LIANXIN_SERVICES_CONTACT_SWEEPER_H_
