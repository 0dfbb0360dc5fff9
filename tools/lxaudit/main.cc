// lxaudit: the auditor's tool. Verifies service logs, replays them with each
// service's own Projector and compares the result with the live projection,
// and explains a member's history.
//
//   lxaudit verify [--county C] [--service S] [--anchors]
//   -> "654322 registry: 1,234 events, chain intact (head 3fa2…)"; exit 1 on a break
//   lxaudit replay [--county C] [--service S] [--source local|kafka] [--scratch DIR]
//   -> "654322 registry: replayed 1,234 events of 100 aggregates …", the differing
//      aggregates, "rebuilt digest <hex>" / "live digest <hex>"; exit 1 if they differ
//   lxaudit timeline MEMBER [--source kafka|local] [--json]
//   lxaudit as-of MEMBER YYYY-MM-DD [--county C] [--json]
//   lxaudit export [--county C] [--service S] [--member M] [--source local|kafka]
//   lxaudit access [MEMBER] [--principal P] [--county C] [--json]
//   -> who read the member's personal data (or what P read): time, principal, RPC, member
//
// timeline, as-of and export show personal data: each run is recorded, before
// it shows anything, in the access log of the counties it reads
// (access-lxaudit.log in their data directories) or in --access-log FILE.
//
// Counties, their data directories and Kafka come from the endpoints file, as
// for lxctl: --endpoints FILE, else $LIANXIN_ENDPOINTS, else the local
// deployment's. Logs are opened read-only (a snapshot as of the open) while
// the services run. Progress goes to stderr on a terminal only. Exit status:
// 0 all good, 1 a break, a difference or an error, 2 a usage error.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "libs/bus/kafka_config.h"
#include "libs/common/clock.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/runtime/access_log.h"
#include "libs/trust/anchors.h"
#include "libs/trust/personal_data.h"
#include "tools/lxaudit/audit.h"
#include "tools/lxaudit/progress.h"
#include "tools/lxaudit/render.h"
#include "tools/lxaudit/services.h"
#include "tools/lxaudit/topics.h"
#include "tools/lxctl/args.h"
#include "tools/lxctl/endpoints.h"
#include "tools/lxctl/table.h"

namespace lianxin::lxaudit {
namespace {

using lxctl::CommandSpec;
using lxctl::FlagSpec;
using lxctl::ParsedArgs;
using lxctl::Positional;

struct Command {
  CommandSpec spec;
  absl::StatusOr<int> (*run)(const ParsedArgs& args);
};

absl::Status UsageError(const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat("usage: ", message));
}

void Out(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
}

// ---- Where things are ------------------------------------------------------

struct Deployment {
  lxctl::EndpointsFile file;
  std::string path;
  KafkaConfig kafka;
};

absl::StatusOr<Deployment> LoadDeployment(const ParsedArgs& args) {
  Deployment d;
  d.path = lxctl::EndpointsPath(args.Get("endpoints"));
  ASSIGN_OR_RETURN(d.file, lxctl::LoadEndpoints(d.path));
  d.kafka.bootstrap_servers = args.Has("kafka") ? args.Get("kafka") : d.file.kafka();
  d.kafka.ApplyEnvironment();
  return d;
}

// --county, or every county of the file (in code order).
absl::StatusOr<std::vector<std::string>> Counties(const Deployment& d, const ParsedArgs& args) {
  std::vector<std::string> codes;
  for (const auto& [code, county] : d.file.counties()) codes.push_back(code);
  std::sort(codes.begin(), codes.end());
  if (!args.Has("county")) return codes;
  const std::string code = args.Get("county");
  if (!d.file.counties().contains(code)) {
    return absl::NotFoundError(absl::StrCat("county ", code, " is not in ", d.path));
  }
  return std::vector<std::string>{code};
}

absl::StatusOr<std::vector<const AuditedService*>> Services(const ParsedArgs& args) {
  std::vector<const AuditedService*> services;
  if (args.Has("service")) {
    ASSIGN_OR_RETURN(const AuditedService* service, FindService(args.Get("service")));
    services.push_back(service);
  } else {
    for (const AuditedService& service : AuditedServices()) services.push_back(&service);
  }
  return services;
}

absl::StatusOr<std::string> LogPath(const Deployment& d, const std::string& county,
                                    const AuditedService& service) {
  const std::string& data_dir = d.file.counties().at(county).data_dir();
  if (data_dir.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("county ", county, " has no data_dir in ", d.path));
  }
  return absl::StrCat(data_dir, "/", service.name);
}

Source SourceOf(const std::string& county, const AuditedService& service) {
  Source source;
  source.set_jurisdiction(county);
  source.set_service(service.name);
  return source;
}

absl::StatusOr<ProjectorContext> ContextFor(const Deployment& d, const ParsedArgs& args,
                                            const std::string& county) {
  ProjectorContext context;
  context.jurisdiction = county;
  if (args.Has("counties-on-lianxin")) {
    context.counties_on_lianxin = absl::StrSplit(args.Get("counties-on-lianxin"), ',');
  } else {
    for (const auto& [code, c] : d.file.counties()) context.counties_on_lianxin.push_back(code);
  }
  if (args.Has("settings")) {
    for (absl::string_view item : absl::StrSplit(args.Get("settings"), ',', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
      int64_t value = 0;
      if (kv.first.empty() || !absl::SimpleAtoi(kv.second, &value)) {
        return UsageError(absl::StrCat("--settings: \"", item, "\" is not name=integer"));
      }
      context.settings[kv.first] = value;
    }
  }
  return context;
}

absl::StatusOr<absl::Duration> TimeoutOf(const ParsedArgs& args) {
  if (!args.Has("timeout")) return absl::Seconds(60);
  ASSIGN_OR_RETURN(uint64_t seconds, args.GetUint("timeout"));
  return absl::Seconds(seconds);
}

// The events of one log, read from its topic and put in log order.
absl::StatusOr<std::vector<Event>> TopicLog(const Deployment& d, const Source& source,
                                            absl::Duration timeout) {
  Progress progress(absl::StrCat("read ", ServiceTopic(source)), 0);
  ASSIGN_OR_RETURN(std::vector<Event> events,
                   ReadTopic(d.kafka, ServiceTopic(source), timeout, &progress));
  progress.Finish();
  return LogOrder(std::move(events), source);
}

// Every event of one log, local or from its topic, in log order; NOT_FOUND if
// the local log does not exist.
absl::Status ForEachEvent(const Deployment& d, const ParsedArgs& args, bool from_kafka,
                          const Source& source, const std::string& member,
                          const std::function<void(const Event&)>& fn) {
  if (from_kafka) {
    ASSIGN_OR_RETURN(absl::Duration timeout, TimeoutOf(args));
    ASSIGN_OR_RETURN(std::vector<Event> events, TopicLog(d, source, timeout));
    for (const Event& event : events) {
      if (member.empty() || event.aggregate_id() == member) fn(event);
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const AuditedService* service, FindService(source.service()));
  ASSIGN_OR_RETURN(std::string path, LogPath(d, source.jurisdiction(), *service));
  ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, OpenLog(path, source));
  auto call = [&](const Event& event) {
    fn(event);
    return true;
  };
  if (!member.empty()) return store->ScanAggregate(member, call);
  Progress progress(absl::StrCat("read ", path), store->LastSequence());
  RETURN_IF_ERROR(store->ScanLog(1, [&](const Event& event) {
    progress.Add(1);
    return call(event);
  }));
  return absl::OkStatus();
}

// Whether --source (else `fallback`) is kafka.
absl::StatusOr<bool> FromKafka(const ParsedArgs& args, const std::string& fallback) {
  const std::string source = args.Has("source") ? args.Get("source") : fallback;
  if (source != "local" && source != "kafka") {
    return UsageError(absl::StrCat("--source is local or kafka, not \"", source, "\""));
  }
  return source == "kafka";
}

// ---- verify ----------------------------------------------------------------

// Checks `log` (county/service) against the anchors every other county's
// registry keeps of it (libs/trust/anchors.h); prints one line per holder and
// returns the number of holders that disagree.
absl::StatusOr<int> VerifyAnchors(const Deployment& d, const std::string& county,
                                  const AuditedService& service, const EventStore& log) {
  ASSIGN_OR_RETURN(const AuditedService* registry, FindService("registry"));
  int disagreements = 0;
  for (const auto& [holder_county, unused] : d.file.counties()) {
    if (holder_county == county) continue;
    ASSIGN_OR_RETURN(std::string path, LogPath(d, holder_county, *registry));
    absl::StatusOr<std::unique_ptr<EventStore>> holder =
        OpenLog(path, SourceOf(holder_county, *registry));
    if (absl::IsNotFound(holder.status())) continue;
    RETURN_IF_ERROR(holder.status());
    uint64_t checked = 0;
    const absl::Status agree = trust::CheckAnchors(log, **holder, county, service.name, &checked);
    if (agree.ok()) {
      Out(absl::StrCat(county, " ", service.name, ": ", Grouped(checked), " anchors held by ",
                       holder_county, " agree"));
    } else {
      ++disagreements;
      Out(absl::StrCat(county, " ", service.name, ": REWRITTEN: the anchors held by ",
                       holder_county, " disagree: ", agree.message()));
    }
  }
  return disagreements;
}

absl::StatusOr<int> RunVerify(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(Deployment d, LoadDeployment(args));
  ASSIGN_OR_RETURN(std::vector<std::string> counties, Counties(d, args));
  ASSIGN_OR_RETURN(std::vector<const AuditedService*> services, Services(args));
  ASSIGN_OR_RETURN(uint64_t threads, args.GetUint("threads"));
  int breaks = 0;
  int logs = 0;
  for (const std::string& county : counties) {
    for (const AuditedService* service : services) {
      ASSIGN_OR_RETURN(std::string path, LogPath(d, county, *service));
      absl::StatusOr<std::unique_ptr<EventStore>> store = OpenLog(path, SourceOf(county, *service));
      if (absl::IsNotFound(store.status())) {
        if (args.Has("service")) return store.status();
        continue;  // the service does not run in this county
      }
      RETURN_IF_ERROR(store.status());
      ++logs;
      Progress progress(absl::StrCat("verify ", county, "/", service->name), 0);
      ASSIGN_OR_RETURN(VerifyResult result,
                       VerifyLog(**store, &progress, static_cast<int>(threads)));
      progress.Finish();
      if (result.broken.has_value()) {
        ++breaks;
        const ChainBreak& b = *result.broken;
        Out(absl::StrCat(county, " ", service->name, ": BROKEN at sequence ", b.sequence,
                         b.event_id.empty() ? "" : absl::StrCat(" (event_id ", b.event_id, ")"),
                         ": ", b.reason, "; ", Grouped(result.events),
                         " events before it are intact"));
      } else {
        Out(absl::StrCat(county, " ", service->name, ": ", Grouped(result.events),
                         " events, chain intact (head ", Hex(result.head_hash).substr(0, 16), ")"));
      }
      if (args.Has("anchors")) {
        ASSIGN_OR_RETURN(const int disagreements, VerifyAnchors(d, county, *service, **store));
        breaks += disagreements;
      }
    }
  }
  if (logs == 0) return absl::NotFoundError("no service log found to verify");
  Out(absl::StrCat(logs, " logs verified, ", breaks, breaks == 1 ? " break" : " breaks"));
  return breaks == 0 ? 0 : 1;
}

// ---- replay ----------------------------------------------------------------

absl::StatusOr<int> RunReplay(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(const bool from_kafka, FromKafka(args, "local"));
  ASSIGN_OR_RETURN(Deployment d, LoadDeployment(args));
  ASSIGN_OR_RETURN(std::vector<std::string> counties, Counties(d, args));
  ASSIGN_OR_RETURN(std::vector<const AuditedService*> services, Services(args));
  ASSIGN_OR_RETURN(uint64_t threads, args.GetUint("threads"));
  ASSIGN_OR_RETURN(absl::Duration timeout, TimeoutOf(args));
  int differing = 0;
  int replayed = 0;
  for (const std::string& county : counties) {
    for (const AuditedService* service : services) {
      const Source source = SourceOf(county, *service);
      ASSIGN_OR_RETURN(std::string path, LogPath(d, county, *service));
      // The live projection, if reachable (an auditor with only the stream has none).
      absl::StatusOr<std::unique_ptr<EventStore>> live = OpenLog(path, source);
      if (!live.ok() && !absl::IsNotFound(live.status())) return live.status();
      if (!live.ok() && !from_kafka) {
        if (args.Has("service")) return live.status();
        continue;
      }
      ASSIGN_OR_RETURN(ProjectorContext context, ContextFor(d, args, county));
      std::unique_ptr<Projector> projector = service->new_projector(context);
      const std::string label = absl::StrCat(county, " ", service->name);
      Progress progress(absl::StrCat("replay ", county, "/", service->name), 0);
      ReplayOptions options{.threads = static_cast<int>(threads), .progress = &progress};
      const absl::Time start = absl::Now();
      absl::StatusOr<Rebuilt> rebuilt;
      uint64_t events = 0;
      if (from_kafka) {
        ASSIGN_OR_RETURN(std::vector<Event> log, TopicLog(d, source, timeout));
        events = log.size();
        progress.set_total(events);
        rebuilt = ReplayEvents(log, *projector, options);
      } else {
        events = (*live)->LastSequence();
        rebuilt = ReplayLocalLog(**live, *projector, options);
      }
      progress.Finish();
      if (!rebuilt.ok()) {
        return absl::Status(rebuilt.status().code(),
                            absl::StrCat(label, ": ", rebuilt.status().message()));
      }
      const std::string scratch =
          args.Has("scratch") ? absl::StrCat(args.Get("scratch"), "/", county, "/", service->name)
                              : "";
      ASSIGN_OR_RETURN(ProjectionDigests digests, StoreRebuilt(*rebuilt, *projector, scratch));
      const double seconds = std::max(1e-9, absl::ToDoubleSeconds(absl::Now() - start));
      ++replayed;
      Out(absl::StrCat(label, ": replayed ", Grouped(events), " events of ",
                       Grouped(rebuilt->size()), " aggregates (", Grouped(digests.index_rows),
                       " index rows) from ", from_kafka ? ServiceTopic(source) : path, " in ",
                       absl::StrFormat("%.2f s (%s events/s)", seconds,
                                       Grouped(static_cast<uint64_t>(events / seconds)))));
      if (!scratch.empty()) Out(absl::StrCat(label, ": rebuilt projection written to ", scratch));
      if (args.Has("digests")) {
        for (const auto& [id, digest] : digests.by_aggregate) {
          Out(absl::StrCat(label, ": aggregate ", id, " ", Hex(digest)));
        }
      }
      Out(absl::StrCat(label, ": rebuilt digest ", digests.Total()));
      if (!live.ok()) {
        Out(absl::StrCat(label, ": no live projection at ", path, " to compare with"));
        continue;
      }
      if (from_kafka && events < (*live)->LastSequence()) {
        Out(absl::StrCat(label, ": the topic ends at sequence ", events, ", the live log at ",
                         (*live)->LastSequence(), " (not relayed yet): later events differ"));
      }
      ASSIGN_OR_RETURN(Comparison comparison, CompareWithLive(**live, *rebuilt, *projector));
      Out(absl::StrCat(label, ": live digest    ", comparison.live.Total()));
      for (const Difference& difference : comparison.differences) {
        Out(absl::StrCat(label, ": DIFFERS ",
                         difference.aggregate_id.empty() ? "(index)" : difference.aggregate_id,
                         ": ", difference.what));
      }
      if (comparison.differences.empty()) {
        Out(absl::StrCat(label, ": all ", Grouped(comparison.live.by_aggregate.size()),
                         " aggregates match"));
      } else {
        ++differing;
        Out(absl::StrCat(label, ": ", comparison.differences.size(), " differences"));
      }
    }
  }
  if (replayed == 0) return absl::NotFoundError("no service log found to replay");
  return differing == 0 ? 0 : 1;
}

// ---- the auditor's own reads ------------------------------------------------

// Records that this run of lxaudit (`command`) shows `member`'s personal data
// ("*": every member of the logs read) from `counties`: in the access log of
// each of those counties whose data directory is on this host
// (access-lxaudit.log), and in --access-log if given, before anything is
// shown. The principal is "<county>/lxaudit/<user>", with the person behind
// sudo as staff. FAILED_PRECONDITION if the read can be recorded nowhere.
absl::Status RecordAuditRead(const Deployment& d, const ParsedArgs& args,
                             const std::vector<std::string>& counties, absl::string_view command,
                             const std::string& member) {
  const passwd* account = getpwuid(geteuid());
  const std::string user = account != nullptr ? account->pw_name : absl::StrCat(geteuid());
  const char* sudo_user = std::getenv("SUDO_USER");
  const std::string staff = sudo_user != nullptr ? sudo_user : "";
  const std::string rpc = absl::StrCat("lxaudit ", command);
  int recorded = 0;
  auto record = [&](const std::string& path, absl::string_view county) -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<AccessLog> log, AccessLog::Open(path, &RealClock()));
    RETURN_IF_ERROR(log->Record(absl::StrCat(county, "/lxaudit/", user), staff, rpc, {member}));
    ++recorded;
    return absl::OkStatus();
  };
  for (const std::string& county : counties) {
    const std::string& data_dir = d.file.counties().at(county).data_dir();
    if (data_dir.empty() || !std::filesystem::is_directory(data_dir)) continue;
    RETURN_IF_ERROR(record(AccessLogPath(data_dir, "lxaudit"), county));
  }
  if (args.Has("access-log")) {
    RETURN_IF_ERROR(record(args.Get("access-log"), absl::StrJoin(counties, ",")));
  }
  if (recorded == 0) {
    return absl::FailedPreconditionError(
        "this read of personal data can be recorded nowhere: no county's data directory is on "
        "this host; name an access log with --access-log FILE");
  }
  return absl::OkStatus();
}

// ---- timeline --------------------------------------------------------------

// Every event of `member` in the logs of every county and service.
absl::StatusOr<std::vector<Event>> MemberEvents(const Deployment& d, const ParsedArgs& args,
                                                bool from_kafka, const std::string& member) {
  std::vector<Event> events;
  for (const auto& [county, unused] : d.file.counties()) {
    for (const AuditedService& service : AuditedServices()) {
      absl::Status s = ForEachEvent(d, args, from_kafka, SourceOf(county, service), member,
                                    [&](const Event& event) { events.push_back(event); });
      if (absl::IsNotFound(s)) continue;  // not deployed there
      RETURN_IF_ERROR(s);
    }
  }
  return events;
}

absl::StatusOr<int> RunTimeline(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(const bool from_kafka, FromKafka(args, "kafka"));
  ASSIGN_OR_RETURN(Deployment d, LoadDeployment(args));
  ASSIGN_OR_RETURN(std::vector<Event> events, MemberEvents(d, args, from_kafka, args.member()));
  if (events.empty()) {
    return absl::NotFoundError(absl::StrCat("no event of member ", args.member()));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> counties, Counties(d, args));
  RETURN_IF_ERROR(RecordAuditRead(d, args, counties, "timeline", args.member()));
  for (const TimelineEntry& entry : BuildTimeline(std::move(events))) {
    if (args.Has("json")) {
      ASSIGN_OR_RETURN(std::string json, TimelineJson(entry));
      Out(json);
    } else {
      Out(TimelineLine(entry));
    }
  }
  return 0;
}

// ---- as-of -----------------------------------------------------------------

absl::StatusOr<int> RunAsOf(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(const bool from_kafka, FromKafka(args, "local"));
  std::vector<std::string> parts = absl::StrSplit(args.member(), ' ');
  if (parts.size() != 2) return UsageError("as-of MEMBER YYYY-MM-DD");
  const std::string member = parts[0];
  std::optional<absl::CivilDay> day = ParseDate(parts[1]);
  if (!day.has_value()) {
    return UsageError(absl::StrCat("DATE: \"", parts[1], "\" is not YYYY-MM-DD"));
  }
  const absl::Time end = EndOfCountyDay(*day);
  ASSIGN_OR_RETURN(Deployment d, LoadDeployment(args));
  ASSIGN_OR_RETURN(std::vector<std::string> counties, Counties(d, args));
  RETURN_IF_ERROR(RecordAuditRead(d, args, counties, "as-of", member));
  int shown = 0;
  for (const std::string& county : counties) {
    for (const AuditedService& service : AuditedServices()) {
      ASSIGN_OR_RETURN(ProjectorContext context, ContextFor(d, args, county));
      std::unique_ptr<Projector> projector = service.new_projector(context);
      std::string state;
      uint64_t version = 0, total = 0;
      absl::Status failure;
      absl::Status s = ForEachEvent(
          d, args, from_kafka, SourceOf(county, service), member, [&](const Event& event) {
            ++total;
            if (!failure.ok() || FromTimestamp(event.occurred_at()) >= end) {
              return;
            }
            absl::StatusOr<std::string> next = projector->Evolve(state, event);
            if (!next.ok()) {
              failure = next.status();
              return;
            }
            state = *std::move(next);
            version = event.version();
          });
      if (absl::IsNotFound(s)) continue;
      RETURN_IF_ERROR(s);
      RETURN_IF_ERROR(failure);
      if (total == 0) continue;  // the member has no part in this log
      ++shown;
      std::string state_json = "null";
      if (version > 0) {
        if (*service.state_message != '\0') {
          ASSIGN_OR_RETURN(state_json, StateJson(service.state_message, state));
        } else {
          state_json = absl::StrCat("\"", Hex(state), "\"");
        }
      }
      if (args.Has("json")) {
        Out(absl::StrCat("{\"county\":\"", county, "\",\"service\":\"", service.name,
                         "\",\"member\":\"", member, "\",\"as_of\":\"", FormatDate(*day),
                         "\",\"version\":", version, ",\"events_total\":", total,
                         ",\"state\":", state_json, "}"));
      } else {
        Out(absl::StrCat(county, " ", service.name, " as of ", FormatDate(*day), " (end of day, ",
                         "UTC+8): version ", version, " of ", total, " events"));
        Out(absl::StrCat("  ", version == 0 ? "(no state yet)" : state_json));
      }
    }
  }
  if (shown == 0) return absl::NotFoundError(absl::StrCat("no event of member ", member));
  return 0;
}

// ---- export ----------------------------------------------------------------

absl::StatusOr<int> RunExport(const ParsedArgs& args) {
  ASSIGN_OR_RETURN(const bool from_kafka, FromKafka(args, "local"));
  ASSIGN_OR_RETURN(Deployment d, LoadDeployment(args));
  ASSIGN_OR_RETURN(std::vector<std::string> counties, Counties(d, args));
  ASSIGN_OR_RETURN(std::vector<const AuditedService*> services, Services(args));
  RETURN_IF_ERROR(
      RecordAuditRead(d, args, counties, "export", args.Has("member") ? args.Get("member") : "*"));
  uint64_t exported = 0;
  absl::Status failure;
  for (const std::string& county : counties) {
    for (const AuditedService* service : services) {
      absl::Status s = ForEachEvent(d, args, from_kafka, SourceOf(county, *service),
                                    args.Get("member"), [&](const Event& event) {
                                      if (!failure.ok()) return;
                                      // Old events keep their stored mask and
                                      // birth date; an export shows neither.
                                      Event shown = event;
                                      trust::RedactIdentity(&shown);
                                      absl::StatusOr<std::string> json = EventJson(shown);
                                      if (!json.ok()) {
                                        failure = json.status();
                                        return;
                                      }
                                      Out(*json);
                                      ++exported;
                                    });
      if (absl::IsNotFound(s) && !args.Has("service")) continue;
      RETURN_IF_ERROR(s);
      RETURN_IF_ERROR(failure);
    }
  }
  std::fflush(stdout);
  std::fprintf(stderr, "%s events exported\n", Grouped(exported).c_str());
  return 0;
}

// ---- access ----------------------------------------------------------------

// The access logs of the chosen counties' services: the reads of MEMBER, or by
// --principal (jurisdiction/role/operator_id, or the operator id alone), in time order.
absl::StatusOr<int> RunAccess(const ParsedArgs& args) {
  const std::string& member = args.member();
  const std::string principal = args.Has("principal") ? args.Get("principal") : "";
  if (member.empty() && principal.empty()) {
    return UsageError("access MEMBER, or access --principal P");
  }
  ASSIGN_OR_RETURN(Deployment d, LoadDeployment(args));
  ASSIGN_OR_RETURN(std::vector<std::string> counties, Counties(d, args));
  std::vector<std::pair<std::string, AccessRecord>> shown;  // county, read
  // The log at `path`, of `county`; its chain is checked as it is read.
  auto read = [&](const std::string& path, const std::string& county) -> absl::Status {
    absl::StatusOr<std::vector<AccessRecord>> records = ReadAccessLog(path);
    if (absl::IsNotFound(records.status())) return absl::OkStatus();  // not deployed there
    RETURN_IF_ERROR(records.status());
    for (AccessRecord& r : *records) {
      if (!member.empty() && r.member != member && r.member != "*") continue;
      if (!principal.empty() && r.principal != principal &&
          !absl::EndsWith(r.principal, absl::StrCat("/", principal)) && r.staff != principal) {
        continue;
      }
      shown.emplace_back(county, std::move(r));
    }
    return absl::OkStatus();
  };
  for (const std::string& county : counties) {
    const std::string& data_dir = d.file.counties().at(county).data_dir();
    if (data_dir.empty()) continue;
    for (const AuditedService& service : AuditedServices()) {
      RETURN_IF_ERROR(read(AccessLogPath(data_dir, service.name), county));
    }
    RETURN_IF_ERROR(read(AccessLogPath(data_dir, "lxaudit"), county));  // the auditors' own reads
  }
  if (args.Has("access-log")) RETURN_IF_ERROR(read(args.Get("access-log"), ""));
  std::stable_sort(shown.begin(), shown.end(),
                   [](const auto& a, const auto& b) { return a.second.at < b.second.at; });
  for (const auto& [county, r] : shown) {
    const std::string at = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", r.at, absl::UTCTimeZone());
    if (args.Has("json")) {
      Out(absl::StrCat("{\"at\":\"", at, "\",\"county\":\"", county, "\",\"principal\":\"",
                       JsonEscape(r.principal), "\",\"staff\":\"", JsonEscape(r.staff),
                       "\",\"rpc\":\"", JsonEscape(r.rpc), "\",\"member\":\"", JsonEscape(r.member),
                       "\"}"));
    } else {
      const std::string who =
          r.staff.empty() ? r.principal : absl::StrCat(r.principal, " (", r.staff, ")");
      Out(absl::StrCat(at, "  ", county, "  ", who, "  ", r.rpc, "  ", r.member));
    }
  }
  return 0;
}

// ---- commands --------------------------------------------------------------

std::vector<FlagSpec> Common(std::vector<FlagSpec> flags) {
  flags.push_back(
      {.name = "endpoints",
       .value_name = "FILE",
       .help = "endpoints file (else $LIANXIN_ENDPOINTS, else the local deployment's)"});
  flags.push_back({.name = "kafka",
                   .value_name = "HOST:PORT,...",
                   .help = "Kafka bootstrap servers (else the endpoints file's)"});
  flags.push_back({.name = "timeout",
                   .value_name = "SECONDS",
                   .help = "how long reading a topic to its end may take (60)"});
  return flags;
}

const FlagSpec kAccessLog{
    .name = "access-log",
    .value_name = "FILE",
    .help = "also record (or, for access, also read) the auditor's reads of personal data here"};
const FlagSpec kCounty{.name = "county",
                       .value_name = "CODE",
                       .help = "only this county (default: every county of the endpoints file)"};
const FlagSpec kService{
    .name = "service", .value_name = "NAME", .help = "only this service (default: every service)"};
const FlagSpec kJson{.name = "json", .help = "one JSON object per line"};

const std::vector<Command>& Commands() {
  static const auto* const commands = new std::vector<Command>{
      {{.name = "verify",
        .summary = "Checks each service log's hash chain and sequence continuity.",
        .details = "Reports the first broken link of each log (sequence, event id); exit 1 on "
                   "any break. Reads the RocksDB logs read-only while the services run.",
        .flags = Common({kCounty,
                         kService,
                         {.name = "anchors",
                          .help = "also check each log against the anchors the other "
                                  "counties' registries keep of it"},
                         {.name = "threads",
                          .value_name = "N",
                          .help = "parts of a log checked at once (default: cores)"}})},
       RunVerify},
      {{.name = "replay",
        .summary = "Rebuilds each projection from its log and compares it with the live one.",
        .details = "Lists the aggregates whose digest differs; exit 1 if any does.",
        .flags = Common(
            {kCounty,
             kService,
             {.name = "source",
              .value_name = "local|kafka",
              .help = "the RocksDB log (default) or the service topic from the beginning"},
             {.name = "scratch",
              .value_name = "DIR",
              .help = "write the rebuilt projection to DIR/<county>/<service> (RocksDB)"},
             {.name = "threads", .value_name = "N", .help = "evolve threads (default: cores)"},
             {.name = "digests", .help = "print every aggregate's rebuilt digest"},
             {.name = "settings",
              .value_name = "NAME=N,...",
              .help = "the services' local-rule flags, e.g. mail_back_check_months=2"},
             {.name = "counties-on-lianxin",
              .value_name = "CODES",
              .help = "counties running lianxin (default: those of the endpoints file)"}})},
       RunReplay},
      {{.name = "timeline",
        .positional = Positional::kMember,
        .summary = "A member's events across services and counties, in domain-time order.",
        .flags = Common({kJson,
                         kAccessLog,
                         {.name = "source",
                          .value_name = "kafka|local",
                          .help = "the topics (default) or the local logs"}})},
       RunTimeline},
      {{.name = "as-of",
        .positional = Positional::kMember,
        .summary = "A member's state at the end of a past date (MEMBER YYYY-MM-DD).",
        .flags = Common(
            {kCounty,
             kJson,
             kAccessLog,
             {.name = "source",
              .value_name = "local|kafka",
              .help = "the local logs (default) or the topics"},
             {.name = "settings", .value_name = "NAME=N,...", .help = "as for replay"},
             {.name = "counties-on-lianxin", .value_name = "CODES", .help = "as for replay"}})},
       RunAsOf},
      {{.name = "export",
        .summary = "Events as JSON lines, payload decoded.",
        .flags = Common({kCounty,
                         kService,
                         kAccessLog,
                         {.name = "member", .value_name = "MEMBER", .help = "only this member"},
                         {.name = "source",
                          .value_name = "local|kafka",
                          .help = "the local logs (default) or the topics"}})},
       RunExport},
      {{.name = "access",
        .positional = Positional::kOptionalMember,
        .summary = "Who read a member's personal data, or what a principal read (access log).",
        .details = "Reads each service's append-only access log in the county's data "
                   "directory, and the auditors' own (access-lxaudit.log): time, county, "
                   "principal (and the staff member behind it), RPC, member (* for a whole "
                   "export); oldest first. A log whose hash chain is broken is an error "
                   "naming the line.",
        .flags = Common({kCounty,
                         kJson,
                         kAccessLog,
                         {.name = "principal",
                          .value_name = "P",
                          .help = "only reads by P (jurisdiction/role/operator_id, or the "
                                  "operator id)"}})},
       RunAccess},
  };
  return *commands;
}

std::string Usage() {
  std::string text =
      "usage: lxaudit COMMAND [ARGS] [--county CODE] [--endpoints FILE]\n\n"
      "The auditor's tool: verify, replay and explain lianxin's event logs. Commands:\n";
  lxctl::Table table;
  for (const Command& command : Commands()) {
    table.AddRow({absl::StrCat("  ", command.spec.name), command.spec.summary});
  }
  absl::StrAppend(&text, table.Render(),
                  "\n`lxaudit COMMAND --help` shows a command's flags. Exit status: 0 all good, "
                  "1 a break, a difference or an error, 2 a usage error.\n");
  return text;
}

int Main(std::vector<std::string> argv) {
  if (argv.empty() || argv[0] == "--help" || argv[0] == "-h" || argv[0] == "help") {
    std::fputs(Usage().c_str(), argv.empty() ? stderr : stdout);
    return argv.empty() ? 2 : 0;
  }
  const Command* command = nullptr;
  for (const Command& c : Commands()) {
    if (c.spec.name == argv[0]) command = &c;
  }
  if (command == nullptr) {
    std::fprintf(stderr, "lxaudit: unknown command '%s' (see lxaudit --help)\n", argv[0].c_str());
    return 2;
  }
  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  // as-of takes MEMBER and DATE: joined into the one positional ParseArgs knows.
  if (command->spec.name == "as-of") {
    std::vector<std::string> positional, flags;
    for (size_t i = 0; i < rest.size(); ++i) {
      if (absl::StartsWith(rest[i], "-")) {
        flags.push_back(rest[i]);
        const bool takes_value = rest[i].find('=') == std::string::npos && rest[i] != "--json" &&
                                 rest[i] != "--help" && rest[i] != "-h";
        if (takes_value && i + 1 < rest.size()) flags.push_back(rest[++i]);
      } else {
        positional.push_back(rest[i]);
      }
    }
    if (positional.size() == 2) {
      flags.insert(flags.begin(), absl::StrCat(positional[0], " ", positional[1]));
      rest = flags;
    }
  }
  absl::StatusOr<ParsedArgs> args = lxctl::ParseArgs(command->spec, rest);
  if (!args.ok()) {
    std::fprintf(stderr, "lxaudit: %s\n", std::string(args.status().message()).c_str());
    return 2;
  }
  if (args->help()) {
    // The help text is lxctl's shape; the program is this one.
    std::string help = lxctl::HelpText(command->spec);
    if (absl::StartsWith(help, "usage: lxctl ")) help.replace(7, 5, "lxaudit");
    if (absl::StartsWith(help, "usage: lxaudit as-of MEMBER")) help.insert(27, " DATE");
    std::fputs(help.c_str(), stdout);
    return 0;
  }
  absl::StatusOr<int> code = command->run(*args);
  std::fflush(stdout);
  if (!code.ok()) {
    std::fprintf(stderr, "lxaudit: %s: %s\n",
                 absl::StatusCodeToString(code.status().code()).c_str(),
                 std::string(code.status().message()).c_str());
    return absl::StartsWith(code.status().message(), "usage: ") ? 2 : 1;
  }
  return *code;
}

}  // namespace
}  // namespace lianxin::lxaudit

int main(int argc, char** argv) {
  return lianxin::lxaudit::Main(std::vector<std::string>(argv + 1, argv + argc));
}
