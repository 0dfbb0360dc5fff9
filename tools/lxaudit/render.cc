#include "tools/lxaudit/render.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "libs/common/time_util.h"

namespace lianxin::lxaudit {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::StatusOr<std::string> ToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) return absl::InternalError(std::string(status.message()));
  return json;
}

std::string ScalarText(const Message& message, const Reflection& reflection,
                       const FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (field.type() == FieldDescriptor::TYPE_BYTES) return "…";
      return reflection.GetString(message, &field);
    case FieldDescriptor::CPPTYPE_ENUM:
      return reflection.GetEnum(message, &field)->name();
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection.GetBool(message, &field) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(reflection.GetInt32(message, &field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(reflection.GetInt64(message, &field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(reflection.GetUInt32(message, &field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(reflection.GetUInt64(message, &field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(reflection.GetDouble(message, &field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(reflection.GetFloat(message, &field));
    default:
      return "";
  }
}

std::string LogName(const Event& event) {
  return absl::StrCat(event.source().jurisdiction(), "/", event.source().service());
}

}  // namespace

absl::Time EndOfCountyDay(absl::CivilDay day) {
  return absl::FromCivil(absl::CivilSecond(day + 1), CountyTimeZone());
}

absl::StatusOr<std::string> EventJson(const Event& event) { return ToJson(event); }

std::string PayloadSummary(const Event& event, size_t limit) {
  const Reflection& reflection = *event.GetReflection();
  const FieldDescriptor* payload_field =
      event.GetDescriptor()->FindFieldByNumber(static_cast<int>(event.payload_case()));
  if (payload_field == nullptr || payload_field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    return "";
  }
  const Message& payload = reflection.GetMessage(event, payload_field);
  std::vector<const FieldDescriptor*> fields;
  payload.GetReflection()->ListFields(payload, &fields);
  std::string out;
  for (const FieldDescriptor* field : fields) {
    if (field->is_repeated() || field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) continue;
    std::string text = ScalarText(payload, *payload.GetReflection(), *field);
    if (text.empty()) continue;
    std::string pair = absl::StrCat(field->name(), "=", text);
    if (out.size() + pair.size() + 1 > limit) {
      absl::StrAppend(&out, out.empty() ? "" : " ", "…");
      break;
    }
    absl::StrAppend(&out, out.empty() ? "" : " ", pair);
  }
  return out;
}

std::vector<TimelineEntry> BuildTimeline(std::vector<Event> events) {
  auto key = [](const Event& e) {
    return std::make_tuple(FromTimestamp(e.occurred_at()), FromTimestamp(e.recorded_at()),
                           LogName(e), e.sequence());
  };
  std::sort(events.begin(), events.end(),
            [&](const Event& a, const Event& b) { return key(a) < key(b); });
  std::vector<TimelineEntry> entries;
  std::map<std::string, size_t> by_event_id;  // event id -> entry index
  for (Event& event : events) {
    if (!event.causation_id().empty()) {
      auto it = by_event_id.find(event.causation_id());
      if (it != by_event_id.end() && entries[it->second].event.type() == event.type()) {
        entries[it->second].also_recorded_in.push_back(LogName(event));
        by_event_id[event.event_id()] = it->second;
        continue;
      }
    }
    by_event_id[event.event_id()] = entries.size();
    entries.push_back({std::move(event), {}});
  }
  return entries;
}

std::string TimelineLine(const TimelineEntry& entry) {
  const Event& e = entry.event;
  std::string line = absl::StrCat(
      absl::FormatTime("%Y-%m-%d %H:%M:%S +08", FromTimestamp(e.occurred_at()), CountyTimeZone()),
      "  ", e.source().jurisdiction(), " ", e.source().service(), "  ", e.type(), "  by ",
      e.actor().empty() ? "-" : e.actor(), "  (recorded ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", FromTimestamp(e.recorded_at()), absl::UTCTimeZone()),
      ", seq ", e.sequence());
  if (!entry.also_recorded_in.empty()) {
    absl::StrAppend(&line, "; also ", absl::StrJoin(entry.also_recorded_in, ", "));
  }
  absl::StrAppend(&line, ")");
  if (std::string summary = PayloadSummary(e); !summary.empty()) {
    absl::StrAppend(&line, "  ", summary);
  }
  return line;
}

absl::StatusOr<std::string> TimelineJson(const TimelineEntry& entry) {
  absl::StatusOr<std::string> event = ToJson(entry.event);
  if (!event.ok()) return event.status();
  std::vector<std::string> also;
  for (const std::string& log : entry.also_recorded_in)
    also.push_back(absl::StrCat("\"", log, "\""));
  return absl::StrCat("{\"also_recorded_in\":[", absl::StrJoin(also, ","), "],\"event\":", *event,
                      "}");
}

absl::StatusOr<std::string> StateJson(const std::string& message_name, const std::string& state) {
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(message_name);
  if (descriptor == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unknown state message ", message_name));
  }
  const Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
  std::unique_ptr<Message> message(prototype->New());
  if (!message->ParseFromString(state)) {
    return absl::InvalidArgumentError(absl::StrCat("state does not parse as ", message_name));
  }
  return ToJson(*message);
}

}  // namespace lianxin::lxaudit
