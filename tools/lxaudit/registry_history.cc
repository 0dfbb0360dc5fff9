#include "tools/lxaudit/registry_history.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/service/command.h"
#include "services/registry/domain/decider.h"
#include "services/registry/projection.h"

namespace lianxin::lxaudit {
namespace {

namespace v1 = ::lianxin::v1;
using registry::Context;
using registry::Events;
using registry::LoadedMember;
using registry::RegistryProjection;

struct Member {
  std::string id;
  v1::MemberFacts facts;
  uint64_t version = 0;
};

// The event as another county's reaction records it in this log.
Event AsRecorded(Event event) {
  event.clear_routed_to();
  event.clear_also_to();
  return event;
}

}  // namespace

absl::StatusOr<HistoryStats> GenerateRegistryHistory(EventStore* store, ManualClock& clock,
                                                     const HistoryOptions& options) {
  registry::Settings settings;
  settings.on_system = {options.home, options.destination};
  RegistryProjection projection(store, options.home, settings);
  // One unit of work per step: every member of the wave in one commit, at
  // the versions the generator keeps in memory (nothing is loaded).
  const CommandKernel kernel(store, nullptr);
  const AggregateKind<v1::MemberFacts> members = registry::MemberAggregates(&projection);
  HistoryStats stats;
  const int steps = EventsPerMember(options);
  int next_member = 0;
  while (next_member < options.members) {
    const int count = std::min(options.wave, options.members - next_member);
    std::vector<Member> wave(count);
    for (int step = 0; step < steps; ++step) {
      const absl::Time now = clock.Now();
      const absl::CivilDay today = absl::ToCivilDay(now, CountyTimeZone());
      RETURN_IF_ERROR(
          kernel.Run({.method = "generate", .retries = 0}, [&](UnitOfWork& work) -> absl::Status {
            for (int i = 0; i < count; ++i) {
              Member& m = wave[i];
              const int n = next_member + i;
              Context ctx{.jurisdiction = options.home,
                          .now = now,
                          .today = today,
                          .actor = absl::StrCat("op-", options.home),
                          .request_id = absl::StrCat("gen-", n, "-", step)};
              absl::StatusOr<Events> events;
              bool recorded = false;  // decided by the destination, recorded here
              if (step == 0) {
                v1::RegisterMemberRequest r;
                r.set_jurisdiction(options.home);
                r.set_branch("城关镇第一党支部");
                r.set_name(absl::StrCat("成员", n));
                r.set_gender(n % 2 == 0 ? v1::GENDER_MALE : v1::GENDER_FEMALE);
                r.set_birth_date(FormatDate(absl::CivilDay(1970, 1, 1) + n % 9000));
                r.set_joined_on(FormatDate(absl::CivilDay(1995, 7, 1) + n % 9000));
                r.set_category(v1::MEMBER_CATEGORY_FARMER);
                r.set_phone("13800138000");
                const std::string id_hash = absl::StrFormat("%016x%016x", n, n * 2654435761u);
                m.id = absl::StrCat(options.home, "-", id_hash.substr(0, 16));
                events =
                    registry::DecideRegisterMember(r, id_hash, "654322********001X", ctx, settings);
              } else if (step == 1) {
                v1::RegisterOutflowRequest r;
                r.set_member_id(m.id);
                r.set_destination_jurisdiction(options.destination);
                r.set_destination_address("新华路8号");
                r.set_occupation("建筑工人");
                r.set_left_on(FormatDate(today - 30));
                r.set_expected_return_on(FormatDate(today + 335));
                r.set_contact_phone("13900139000");
                events = registry::DecideRegisterOutflow(m.facts, r, ctx, settings);
              } else if (step == 2) {
                v1::IssueCertificateRequest r;
                r.set_member_id(m.id);
                r.set_certificate_no(absl::StrCat("FY", n));
                r.set_valid_until(FormatDate(today + 365));
                events = registry::DecideIssueCertificate(m.facts, r, ctx, settings);
              } else if (step < steps - 2) {
                v1::RecordCertificateEntryRequest r;
                r.set_member_id(m.id);
                r.set_occurred_on(FormatDate(today));
                r.set_activity("寄回检查");
                r.set_kind(v1::CERTIFICATE_ENTRY_KIND_MAIL_BACK_CHECK);
                events = registry::DecideRecordCertificateEntry(m.facts, r, ctx, settings);
              } else if (step == steps - 2) {
                v1::RequestTransferRequest r;
                r.set_member_id(m.id);
                r.set_to_jurisdiction(options.destination);
                r.set_letter_no(absl::StrCat("L", n));
                r.set_to_organization("接收地党委");
                events = registry::DecideRequestTransfer(m.facts, r, ctx, settings);
              } else {
                v1::AcceptTransferRequest r;
                r.set_member_id(m.id);
                r.set_branch("天山区第一党支部");
                Context there = ctx;
                there.jurisdiction = options.destination;
                there.actor = absl::StrCat("op-", options.destination);
                events = registry::DecideAcceptTransfer(m.facts, r, there, settings);
                recorded = true;
              }
              if (!events.ok()) {
                return absl::Status(
                    events.status().code(),
                    absl::StrCat("member ", n, " step ", step, ": ", events.status().message()));
              }
              if (recorded) {
                for (Event& event : *events) event = AsRecorded(std::move(event));
              }
              const uint64_t appended = events->size();
              ASSIGN_OR_RETURN(auto* member, work.Seed(members, m.id, {m.facts, m.version}));
              RETURN_IF_ERROR(work.Add(members, m.id, *std::move(events)).status());
              m.facts = member->state;
              m.version += appended;
              stats.events += appended;
            }
            return absl::OkStatus();
          }));
      if (options.on_progress) options.on_progress(stats.events);
      clock.Advance(options.step);
    }
    for (Member& m : wave) stats.member_ids.push_back(m.id);
    next_member += count;
  }
  return stats;
}

}  // namespace lianxin::lxaudit
