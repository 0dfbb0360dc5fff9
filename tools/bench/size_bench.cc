// size_bench: does a read cost what it returns, or what the county holds?
//
// For each --sizes N, builds (once; reused from --dir afterwards) one county's
// registry store with N members written through the store, not the API: each
// member registered by the decider and committed with RegistryProjection::Stage
// (events, facts, index rows and counters, 1,000 members per commit); most are
// away (outflow to a county on or off lianxin, within or across the province),
// some with a certificate, some lost from contact. Then serves the store with
// the registry's gRPC service in this process (the real handlers, a real
// server on 127.0.0.1:0) and measures, one call at a time, the p50 and p99 of
// GetStatistics, GetMember (a random member) and ListMembers' first page.
//
//   size_bench --sizes=10000,1000000 --calls=2000 --dir=/tmp/lianxin-size
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/common/clock.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/eventstore/projector.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/server.h"
#include "services/registry/domain/decider.h"
#include "services/registry/identity.h"
#include "services/registry/projection.h"
#include "services/registry/service.h"

ABSL_FLAG(std::string, sizes, "10000,1000000", "County sizes (members) to measure.");
ABSL_FLAG(int, calls, 2000, "Calls of each read per size.");
ABSL_FLAG(std::string, dir, "/tmp/lianxin-size",
          "Where the stores are built (once per size) and kept.");

namespace lianxin {
namespace {

namespace v1 = lianxin::v1;
using registry::RegistryProjection;
using SteadyClock = std::chrono::steady_clock;

constexpr char kCounty[] = "654322";
constexpr char kToken[] = "size-bench-token-654322";

registry::Settings CountySettings() {
  registry::Settings settings;
  settings.on_system = {kCounty, "650102", "654301"};
  return settings;
}

std::string MemberId(int n) { return absl::StrFormat("%s-%016d", kCounty, n); }

// Writes `members` members into the store at `path` (which must be new).
absl::Status Build(const std::string& path, int members) {
  EventStoreOptions options;
  options.path = path;
  options.source.set_jurisdiction(kCounty);
  options.source.set_service("registry");
  options.sync = false;  // one sync at the end: a load, not a measurement
  ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, EventStore::Open(options));
  const registry::Settings settings = CountySettings();
  RegistryProjection projection(store.get(), kCounty, settings);
  std::mt19937 random(21);
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
  static constexpr const char* kDestinations[] = {"650102", "654301", "110101", "440305"};
  const auto start = SteadyClock::now();
  Transaction txn;
  int in_txn = 0;
  for (int n = 0; n < members; ++n) {
    registry::Context ctx{.jurisdiction = kCounty,
                          .now = absl::Now(),
                          .today = today,
                          .actor = "size-bench",
                          .request_id = absl::StrCat("rq-", n)};
    v1::RegisterMemberRequest r;
    r.set_jurisdiction(kCounty);
    r.set_branch(absl::StrCat("第", n % 40 + 1, "党支部"));
    r.set_name("张三");
    r.set_birth_date("1980-01-01");
    r.set_joined_on("2005-07-01");
    r.set_category(static_cast<v1::MemberCategory>(1 + n % 4));
    const std::string member = MemberId(n);
    absl::StatusOr<Events> registered = registry::DecideRegisterMember(
        r, absl::StrFormat("%016d", n), "654322********001X", ctx, settings);
    if (!registered.ok()) return registered.status();
    Events events = *std::move(registered);
    v1::MemberFacts facts;
    for (Event e : events) {
      e.set_aggregate_id(member);
      facts = registry::Evolve(std::move(facts), e);
    }
    auto add = [&](absl::StatusOr<Events> more) -> absl::Status {
      if (!more.ok()) return more.status();
      for (Event e : *more) {
        e.set_aggregate_id(member);
        facts = registry::Evolve(std::move(facts), e);
        events.push_back(std::move(e));
      }
      return absl::OkStatus();
    };
    const int kind = static_cast<int>(random() % 10);
    if (kind < 7) {  // 70 % away
      v1::RegisterOutflowRequest o;
      o.set_member_id(member);
      o.set_destination_jurisdiction(kDestinations[random() % 4]);
      o.set_destination_address("新华路8号");
      o.set_occupation("建筑工人");
      o.set_left_on(FormatDate(today - static_cast<int>(random() % 400)));
      o.set_expected_return_on(FormatDate(today + 120 + static_cast<int>(random() % 300)));
      RETURN_IF_ERROR(add(registry::DecideRegisterOutflow(facts, o, ctx, settings)));
      if (kind < 4) {
        v1::IssueCertificateRequest c;
        c.set_member_id(member);
        c.set_certificate_no(absl::StrCat("FY-", n));
        c.set_valid_until(FormatDate(today + 1 + static_cast<int>(random() % 700)));
        RETURN_IF_ERROR(add(registry::DecideIssueCertificate(facts, c, ctx, settings)));
      }
      if (kind == 6) {
        Event lost;
        lost.set_type("LostContactFlagged");
        lost.mutable_lost_contact_flagged()->set_last_contact_on(FormatDate(today - 200));
        lost.mutable_lost_contact_flagged()->set_flagged_on(FormatDate(today));
        RETURN_IF_ERROR(add(Events{lost}));
      }
    }
    projection.Stage(txn, member, 0, v1::MemberFacts(), std::move(events), facts);
    if (++in_txn == 1000 || n + 1 == members) {
      RETURN_IF_ERROR(store->Commit(std::move(txn)).status());
      txn = Transaction();
      in_txn = 0;
    }
    if ((n + 1) % 100000 == 0) {
      std::fprintf(stderr, "  %d members written (%.0f s)\n", n + 1,
                   std::chrono::duration<double>(SteadyClock::now() - start).count());
    }
  }
  Transaction marker;  // a store built whole keeps its counters from the start
  marker.Put(Family::kIndexes, kCountersBuiltKey, "1");
  RETURN_IF_ERROR(store->Commit(std::move(marker)).status());
  return absl::OkStatus();
}

struct Latencies {
  std::vector<double> ms;
  double Percentile(double p) {
    std::sort(ms.begin(), ms.end());
    return ms.empty() ? 0 : ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
  }
};

using Figures = std::map<std::string, std::pair<double, double>>;  // read -> (p50, p99) ms

absl::StatusOr<Figures> Measure(const std::string& path, int members, int calls) {
  EventStoreOptions options;
  options.path = path;
  options.source.set_jurisdiction(kCounty);
  options.source.set_service("registry");
  ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store, EventStore::Open(options));
  RegistryProjection projection(store.get(), kCounty, CountySettings());
  ASSIGN_OR_RETURN(registry::IdentityHasher hasher,
                   registry::IdentityHasher::FromKey("0123456789abcdef0123456789abcdef"));
  ASSIGN_OR_RETURN(Authenticator authenticator,
                   Authenticator::FromText(
                       DigestTokenFile(absl::StrCat(kToken, " bench-op ", kCounty, " operator\n")),
                       "bench tokens"));
  registry::RegistryService service(
      {.projection = &projection, .hasher = &hasher, .plumbing = {&authenticator, nullptr}});
  ASSIGN_OR_RETURN(
      std::unique_ptr<RpcServer> server,
      RpcServer::Start({"127.0.0.1:0", nullptr, {{v1::Registry::service_full_name(), &service}}}));
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel,
                   OpenChannel(server->address(), TlsFiles()));
  std::unique_ptr<v1::Registry::Stub> stub = v1::Registry::NewStub(channel);
  std::mt19937 random(7);
  auto context = [](grpc::ClientContext& c) {
    c.AddMetadata("authorization", absl::StrCat("Bearer ", kToken));
    c.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  };
  std::map<std::string, std::function<grpc::Status()>> reads = {
      {"GetStatistics",
       [&] {
         grpc::ClientContext c;
         context(c);
         v1::GetStatisticsRequest request;
         request.set_jurisdiction(kCounty);
         v1::GetStatisticsReply reply;
         return stub->GetStatistics(&c, request, &reply);
       }},
      {"GetMember",
       [&] {
         grpc::ClientContext c;
         context(c);
         v1::GetMemberRequest request;
         request.set_member_id(MemberId(static_cast<int>(random() % members)));
         v1::GetMemberReply reply;
         return stub->GetMember(&c, request, &reply);
       }},
      {"ListMembers first page",
       [&] {
         grpc::ClientContext c;
         context(c);
         v1::ListMembersRequest request;
         request.set_jurisdiction(kCounty);
         request.set_direction(v1::DIRECTION_OUTFLOW);
         v1::ListMembersReply reply;
         grpc::Status status = stub->ListMembers(&c, request, &reply);
         if (status.ok() && reply.members_size() != 100) {
           return grpc::Status(grpc::StatusCode::INTERNAL, "not a full page");
         }
         return status;
       }},
  };
  Figures figures;
  for (auto& [name, call] : reads) {
    for (int i = 0; i < 50; ++i) call();  // warm the connection and the block cache
    Latencies latencies;
    for (int i = 0; i < calls; ++i) {
      const auto start = SteadyClock::now();
      grpc::Status status = call();
      latencies.ms.push_back(
          std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
      if (!status.ok()) {
        return absl::InternalError(absl::StrCat(name, ": ", status.error_message()));
      }
    }
    figures[name] = {latencies.Percentile(0.5), latencies.Percentile(0.99)};
  }
  server->Shutdown(absl::Seconds(5));
  return figures;
}

int Run() {
  std::vector<int> sizes;
  for (absl::string_view s : absl::StrSplit(absl::GetFlag(FLAGS_sizes), ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(s, &n) || n < 100) {
      std::fprintf(stderr, "--sizes: %s is not a size of at least 100\n", std::string(s).c_str());
      return 2;
    }
    sizes.push_back(n);
  }
  std::vector<Figures> all;
  for (int n : sizes) {
    const std::string path = absl::StrCat(absl::GetFlag(FLAGS_dir), "/", n, "/registry");
    const std::string done = absl::StrCat(absl::GetFlag(FLAGS_dir), "/", n, "/complete");
    if (!std::filesystem::exists(done)) {
      std::filesystem::remove_all(path);
      std::fprintf(stderr, "building a county of %d members at %s\n", n, path.c_str());
      const auto start = SteadyClock::now();
      if (absl::Status s = Build(path, n); !s.ok()) {
        std::fprintf(stderr, "build: %s\n", s.ToString().c_str());
        return 1;
      }
      std::ofstream(done) << "built\n";
      std::fprintf(stderr, "  built in %.0f s\n",
                   std::chrono::duration<double>(SteadyClock::now() - start).count());
    }
    absl::StatusOr<Figures> figures = Measure(path, n, absl::GetFlag(FLAGS_calls));
    if (!figures.ok()) {
      std::fprintf(stderr, "measure %d: %s\n", n, figures.status().ToString().c_str());
      return 1;
    }
    all.push_back(*std::move(figures));
  }
  std::printf("| read |");
  for (int n : sizes) std::printf(" %d p50 ms | p99 ms |", n);
  if (sizes.size() >= 2) std::printf(" p50 ratio last/first | p99 ratio |");
  std::printf("\n|---|");
  for (size_t i = 0; i < sizes.size(); ++i) std::printf("---:|---:|");
  if (sizes.size() >= 2) std::printf("---:|---:|");
  std::printf("\n");
  for (const auto& [name, unused] : all.front()) {
    std::printf("| %s |", name.c_str());
    for (Figures& f : all) std::printf(" %.3f | %.3f |", f[name].first, f[name].second);
    if (sizes.size() >= 2) {
      std::printf(" %.2f | %.2f |", all.back()[name].first / all.front()[name].first,
                  all.back()[name].second / all.front()[name].second);
    }
    std::printf("\n");
  }
  return 0;
}

}  // namespace
}  // namespace lianxin

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("size_bench --sizes=10000,1000000 --calls=2000");
  absl::ParseCommandLine(argc, argv);
  return lianxin::Run();
}
