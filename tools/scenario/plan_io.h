// Plans as JSON lines: the first line is the Plan without its members, each
// further line one Member (protobuf's JSON mapping, proto field names), so a
// benchmark can stream millions of members.
//
//   RETURN_IF_ERROR(WritePlanJsonLines(plan, out));
//   ASSIGN_OR_RETURN(Plan again, ReadPlanJsonLines(in));
#ifndef LIANXIN_TOOLS_SCENARIO_PLAN_IO_H_
#define LIANXIN_TOOLS_SCENARIO_PLAN_IO_H_

#include <istream>
#include <ostream>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/scenario/scenario.pb.h"

namespace lianxin::scenario {

// Writes `plan` to `out`. INTERNAL if a message cannot be printed, DATA_LOSS
// if the stream fails.
absl::Status WritePlanJsonLines(const Plan& plan, std::ostream& out);

// Reads a plan written by WritePlanJsonLines. INVALID_ARGUMENT naming the
// line if one does not parse; empty lines are skipped.
absl::StatusOr<Plan> ReadPlanJsonLines(std::istream& in);

}  // namespace lianxin::scenario

#endif  // LIANXIN_TOOLS_SCENARIO_PLAN_IO_H_
