#include "services/education/domain/roles.h"

#include "libs/memberfacts/member_facts.h"

namespace lianxin::education {

absl::Status MayRecordFromDestination(const lianxin::v1::MemberEducation& member,
                                      const lianxin::v1::Event& event) {
  return MayActAsCurrentDestination(!member.home_jurisdiction().empty(), member.away(),
                                    member.destination_jurisdiction(), event);
}

}  // namespace lianxin::education
