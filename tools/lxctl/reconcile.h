// R19: the two-way check between an origin county A and a destination county
// B. A pure comparison of the two sides' view of one member, and the helpers
// that choose and order the members to compare; lxctl reconcile does the I/O.
//
//   std::vector<Disagreement> found =
//       CompareMembers("654322", "650102", &member_at_a, &member_at_b);
//   // e.g. {"654322-7", "张三", "destination_branch", "一支部", ""}
#ifndef LIANXIN_TOOLS_LXCTL_RECONCILE_H_
#define LIANXIN_TOOLS_LXCTL_RECONCILE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "lianxin/v1/registry.pb.h"

namespace lianxin::lxctl {

// One thing the two sides disagree about.
struct Disagreement {
  std::string member_id;
  std::string name;
  // A Member field name ("certificate_no"), "status[<county>]" (the county's
  // own status against the one the other side derives for it),
  // "status_by_county[<county>]", or "member" (missing at one side).
  std::string field;
  std::string at_a;  // the value at A, as shown (statuses without prefix)
  std::string at_b;

  bool operator==(const Disagreement&) const = default;
};

// Every disagreement between A's (`a` = county code, `at_a` = its GetMember
// reply) and B's view of one member; nullptr means NOT_FOUND at that side,
// which is one disagreement ("member": "present" / "missing at <county>").
// Compared: home_jurisdiction, destination_jurisdiction, destination_branch,
// certificate_no, certificate_valid_until, transfer_to_jurisdiction,
// transfer_letter_no, transfer_pending, transfer_outcome,
// organization_life_entries, returned_on, lost_contact; status_by_county[A]
// and [B] on both sides; A's status against B's status_by_county[A], and B's
// status against A's status_by_county[B]. Empty when they agree.
std::vector<Disagreement> CompareMembers(absl::string_view a, absl::string_view b,
                                         const lianxin::v1::Member* at_a,
                                         const lianxin::v1::Member* at_b);

// True if `member`, as one side shows it, is shared with `county`: its
// status_by_county has that county.
bool SharesWith(const lianxin::v1::Member& member, absl::string_view county);

// Orders member ids "<county>-<n>" by county, then by number (654322-2 before
// 654322-10); other ids by plain comparison.
bool MemberIdLess(absl::string_view x, absl::string_view y);

}  // namespace lianxin::lxctl

#endif  // LIANXIN_TOOLS_LXCTL_RECONCILE_H_
