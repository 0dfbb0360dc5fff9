#include "libs/bus/wire.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace lianxin {

std::string EncodeDeliveryValue(const Event& event, const Delivery& delivery) {
  Event copy = event;
  copy.set_route_version(delivery.route_version());
  std::string out;
  copy.SerializeToString(&out);
  return out;
}

std::string DeliveryKey(const Event& event, const Delivery& delivery) {
  return delivery.key().empty() ? event.aggregate_id() : delivery.key();
}

std::string SourceName(const Source& source) {
  return absl::StrCat(source.jurisdiction(), "/", source.service());
}

StreamOrder StreamOrderOf(absl::string_view topic) {
  std::vector<absl::string_view> parts = absl::StrSplit(topic, '.');
  if (parts.size() != 4 || parts[0] != "lx" || parts[3] != "v1" || parts[1].empty() ||
      parts[2].empty()) {
    return StreamOrder::kIncreasingVersion;
  }
  return parts[2] == "inbox" ? StreamOrder::kRouteVersion : StreamOrder::kVersion;
}

std::string AppliedMarkerKey(StreamOrder order, absl::string_view topic, const Event& event) {
  const std::string stream = absl::StrCat(event.source().jurisdiction(), "/",
                                          event.source().service(), "/", event.aggregate_id());
  switch (order) {
    case StreamOrder::kVersion:
      return absl::StrCat("ver/", stream);
    case StreamOrder::kRouteVersion:
      return absl::StrCat("route/", stream);
    case StreamOrder::kIncreasingVersion:
      return absl::StrCat("topic/", topic, "/", stream);
  }
  return absl::StrCat("ver/", stream);
}

uint64_t StreamNumber(StreamOrder order, const Event& event) {
  return order == StreamOrder::kRouteVersion ? event.route_version() : event.version();
}

}  // namespace lianxin
