#include "services/contact/domain/roles.h"

#include "absl/strings/str_cat.h"

namespace lianxin::contact {

absl::Status MayRecordRoutedContact(const lianxin::v1::MemberFacts& facts,
                                    const lianxin::v1::Event& event) {
  if (facts.member_id().empty()) return absl::OkStatus();  // not observed yet
  const std::string& source = event.source().jurisdiction();
  if (facts.away() && facts.outflow().destination_jurisdiction() == source) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "role: ", source, " is not the current destination of member ", event.aggregate_id()));
}

}  // namespace lianxin::contact
