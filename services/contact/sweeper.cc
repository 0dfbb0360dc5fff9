#include "services/contact/sweeper.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/service/command.h"

namespace lianxin::contact {

using lianxin::v1::ContactMemberState;
using lianxin::v1::Event;

Sweeper::Sweeper(ContactProjection* projection, Clock* clock, std::function<void()> on_commit)
    : projection_(*projection), clock_(*clock), on_commit_(std::move(on_commit)) {}

Sweeper::~Sweeper() { Stop(); }

absl::StatusOr<int> Sweeper::RunOnce(absl::Time now) {
  const absl::CivilDay today = CountyDay(now);
  std::vector<std::string> due;
  RETURN_IF_ERROR(projection_.ScanDated(
      "swp/", std::nullopt, today, [&](absl::CivilDay, const std::string& id, const std::string&) {
        due.push_back(id);
        return true;
      }));
  // The relay is woken once per sweep, below, not after each member.
  const CommandKernel kernel(projection_.store(), nullptr);
  const AggregateKind<ContactMemberState> members = MemberAggregates(&projection_);
  int flagged = 0;
  for (const std::string& member_id : due) {
    bool lost = false;
    absl::Status status =
        kernel.Run({.method = "sweep", .retries = 0}, [&](UnitOfWork& work) -> absl::Status {
          ASSIGN_OR_RETURN(auto* member, work.Get(members, member_id));
          if (!member->exists()) return absl::OkStatus();
          const Context ctx{projection_.jurisdiction(),
                            now,
                            today,
                            kSystemActor,
                            absl::StrCat("sweep/", member_id, "/", FormatDate(today)),
                            {}};
          Events events = DecideLostContact(member->state, ctx, projection_.settings());
          lost = !events.empty();
          return work.Add(members, member_id, std::move(events)).status();
        });
    if (absl::IsAborted(status)) continue;  // changed meanwhile: next sweep
    RETURN_IF_ERROR(status);
    if (lost) ++flagged;
  }
  if (flagged > 0 && on_commit_) on_commit_();
  return flagged;
}

void Sweeper::Start(absl::Duration interval) {
  thread_ = std::thread([this, interval] {
    absl::MutexLock lock(&mu_);
    while (!stopping_) {
      mu_.Unlock();
      absl::StatusOr<int> flagged = RunOnce(clock_.Now());
      if (!flagged.ok()) {
        LogError("lost-contact sweep failed", {{"error", flagged.status().ToString()}});
      } else if (*flagged > 0) {
        LogInfo("lost-contact sweep", {{"flagged", absl::StrCat(*flagged)}});
      }
      mu_.Lock();
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval);
    }
  });
}

void Sweeper::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace lianxin::contact
