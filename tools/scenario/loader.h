// Loads a scenario Plan into running registries through the gRPC API, each
// command sent to the acting county's registry with that county's token, then
// waits until the cross-county stream has settled.
//
// Idempotent: every request carries the plan's deterministic request_id, so a
// re-run replays the first replies and changes nothing; a registration the
// registry already knows by its ID number (ALREADY_EXISTS naming the member)
// counts as loaded. Members load in parallel, each member's commands in order;
// a command that depends on an event decided in another county first polls
// (GetMemberHistory) until that event has arrived, with a deadline.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Loader> loader, Loader::Connect(counties, {}));
//   LoadReport report;
//   RETURN_IF_ERROR(loader->Load(plan, &report));
//   RETURN_IF_ERROR(loader->Settle(plan, /*check_counts=*/true, &report));
//   // report.statistics["654322"].outflow_count() == plan.expected_outflow_count()
#ifndef LIANXIN_TOOLS_SCENARIO_LOADER_H_
#define LIANXIN_TOOLS_SCENARIO_LOADER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/runtime/config.h"
#include "tools/scenario/scenario.pb.h"

namespace lianxin::scenario {

// One county's registry and the operator token to act as the county.
struct CountyConnection {
  std::string code;
  std::string name;
  std::string token;
  std::string registry;  // host:port
  TlsFiles tls;          // the endpoints file's; all empty = plaintext (loopback only)
};

struct LoadOptions {
  // Members loaded at the same time.
  int parallelism = 8;
  // Deadline of one RPC.
  absl::Duration rpc_timeout = absl::Seconds(10);
  // How long one command may wait for the events it depends on, or retry
  // while a registry is UNAVAILABLE.
  absl::Duration step_deadline = absl::Seconds(60);
  // How long Settle waits for every county to show the expected statuses.
  absl::Duration settle_deadline = absl::Seconds(120);
};

struct LoadReport {
  size_t members = 0;
  size_t commands = 0;
  absl::Duration load_time;
  absl::Duration settle_time;
  // Plan key → member_id.
  std::map<std::string, std::string> member_ids;
  // Members whose views were compared, by pair of counties ("654322↔650102").
  std::map<std::string, size_t> shared_members;
  // Each county's GetStatistics once settled.
  std::map<std::string, lianxin::v1::GetStatisticsReply> statistics;
};

class Loader {
 public:
  // Channels to every county's registry (connected on first use).
  // INVALID_ARGUMENT if a county lacks its registry address or token.
  static absl::StatusOr<std::unique_ptr<Loader>> Connect(std::vector<CountyConnection> counties,
                                                         LoadOptions options);
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // Sends every member's commands and fills report->member_ids, members and
  // commands. Stops at the first command that fails (its error names the
  // member, the step and the RPC). FAILED_PRECONDITION if the plan names a
  // county not connected.
  absl::Status Load(const Plan& plan, LoadReport* report);

  // After Load: waits until every county shows every member's expected
  // status, the views of a member shared by several counties are equal (R19)
  // and, with `check_counts` (the plan is all the focus county holds), the
  // focus county's outflow and inflow counts equal the plan's, the same on two
  // polls in a row; then fills report->statistics (every county) and
  // shared_members. DEADLINE_EXCEEDED naming what still differs.
  absl::Status Settle(const Plan& plan, bool check_counts, LoadReport* report);

  // One county's GetStatistics.
  absl::StatusOr<lianxin::v1::GetStatisticsReply> Statistics(const std::string& county);

 private:
  struct County {
    CountyConnection connection;
    std::unique_ptr<lianxin::v1::Registry::Stub> stub;
  };

  explicit Loader(LoadOptions options) : options_(options) {}

  void Prepare(const County& county, grpc::ClientContext* context) const;
  absl::Status LoadMember(const Member& member, std::string* member_id, size_t* commands);
  absl::Status AwaitEvents(const County& county, const std::string& member_id, const Await& await,
                           absl::Time deadline);
  absl::Status Execute(const County& county, const Step& step, std::string* member_id,
                       absl::Time deadline);
  absl::StatusOr<lianxin::v1::Member> GetMember(const County& county, const std::string& member_id);

  LoadOptions options_;
  absl::flat_hash_map<std::string, County> counties_;
};

// The member id an ALREADY_EXISTS reply of RegisterMember or RecordArrival
// names ("id_number: already registered as member 654322-ab12 in 654322
// (R18)"), or "" if the message names none.
std::string MemberIdFromAlreadyExists(absl::string_view message);

// The RPC a step calls, e.g. "RegisterOutflow".
absl::string_view StepRpc(const Step& step);

// A county's statistics for people: counts, then the outflow by category and
// by destination. Several lines, each ending in '\n'.
std::string FormatStatistics(absl::string_view code, absl::string_view name,
                             const lianxin::v1::GetStatisticsReply& statistics);

}  // namespace lianxin::scenario

#endif  // LIANXIN_TOOLS_SCENARIO_LOADER_H_
