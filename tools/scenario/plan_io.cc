#include "tools/scenario/plan_io.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace lianxin::scenario {
namespace {

absl::Status PrintLine(const google::protobuf::Message& message, std::ostream& out) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string line;
  const auto status = google::protobuf::util::MessageToJsonString(message, &line, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print ", message.GetTypeName(),
                                            " as JSON: ", status.message().ToString()));
  }
  out << line << '\n';
  if (!out) return absl::DataLossError("cannot write the plan");
  return absl::OkStatus();
}

absl::Status ParseLine(const std::string& line, int number, google::protobuf::Message* message) {
  const auto status = google::protobuf::util::JsonStringToMessage(line, message);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan line ", number, ": ", status.message().ToString()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WritePlanJsonLines(const Plan& plan, std::ostream& out) {
  Plan header = plan;
  header.clear_members();
  if (absl::Status s = PrintLine(header, out); !s.ok()) return s;
  for (const Member& member : plan.members()) {
    if (absl::Status s = PrintLine(member, out); !s.ok()) return s;
  }
  out.flush();
  if (!out) return absl::DataLossError("cannot write the plan");
  return absl::OkStatus();
}

absl::StatusOr<Plan> ReadPlanJsonLines(std::istream& in) {
  Plan plan;
  std::string line;
  int number = 0;
  bool header = true;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    if (header) {
      if (absl::Status s = ParseLine(line, number, &plan); !s.ok()) return s;
      header = false;
      continue;
    }
    if (absl::Status s = ParseLine(line, number, plan.add_members()); !s.ok()) return s;
  }
  if (header) return absl::InvalidArgumentError("plan: no header line");
  return plan;
}

}  // namespace lianxin::scenario
