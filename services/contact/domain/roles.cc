#include "services/contact/domain/roles.h"

#include "libs/memberfacts/member_facts.h"

namespace lianxin::contact {

absl::Status MayRecordRoutedContact(const lianxin::v1::MemberFacts& facts,
                                    const lianxin::v1::Event& event) {
  return MayActAsCurrentDestination(!facts.member_id().empty(), facts.away(),
                                    facts.outflow().destination_jurisdiction(), event);
}

}  // namespace lianxin::contact
