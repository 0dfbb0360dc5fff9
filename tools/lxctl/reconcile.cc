// R19 comparison of one member's two views (see reconcile.h).
#include "tools/lxctl/reconcile.h"

#include <tuple>

#include "absl/strings/str_cat.h"
#include "libs/memberfacts/member_facts.h"
#include "tools/lxctl/table.h"

namespace lianxin::lxctl {
namespace {

using lianxin::v1::Member;

std::string StatusText(lianxin::v1::MemberStatus status) {
  return EnumLabel(*lianxin::v1::MemberStatus_descriptor(), status);
}

// The status `member` derives for `county`, or "(absent)" when it has none.
std::string DerivedStatus(const Member& member, absl::string_view county) {
  const auto it = member.status_by_county().find(std::string(county));
  return it == member.status_by_county().end() ? "(absent)" : StatusText(it->second);
}

std::string BoolText(bool value) { return value ? "true" : "false"; }

}  // namespace

std::vector<Disagreement> CompareMembers(absl::string_view a, absl::string_view b,
                                         const Member* at_a, const Member* at_b) {
  std::vector<Disagreement> found;
  const Member* any = at_a != nullptr ? at_a : at_b;
  if (any == nullptr) return found;
  const std::string& member_id = any->member_id();
  const std::string& name = any->name();
  auto add = [&](std::string field, std::string value_a, std::string value_b) {
    if (value_a != value_b) {
      found.push_back({member_id, name, std::move(field), std::move(value_a), std::move(value_b)});
    }
  };
  if (at_a == nullptr || at_b == nullptr) {
    add("member", at_a != nullptr ? "present" : absl::StrCat("missing at ", a),
        at_b != nullptr ? "present" : absl::StrCat("missing at ", b));
    return found;
  }
  const Member& x = *at_a;
  const Member& y = *at_b;
  // A county whose part has ended (the inflow closed, the relationship
  // transferred out) no longer receives the member's events: past that point
  // only its own status must agree; what it derives for the other county
  // stops where its part ended (the member may have left again since).
  auto ended = [&](absl::string_view county) {
    for (const Member* side : {&x, &y}) {
      const auto it = side->status_by_county().find(std::string(county));
      if (it == side->status_by_county().end() || !PartEnded(it->second)) return false;
    }
    return true;
  };
  const bool a_ended = ended(a);
  const bool b_ended = ended(b);
  for (absl::string_view county : {a, b}) {
    if ((county == a && b_ended && !a_ended) || (county == b && a_ended && !b_ended)) continue;
    add(absl::StrCat("status_by_county[", county, "]"), DerivedStatus(x, county),
        DerivedStatus(y, county));
  }
  // Each side's own status against what the other side derives for it.
  if (!b_ended || a_ended) {
    add(absl::StrCat("status[", a, "]"), StatusText(x.status()), DerivedStatus(y, a));
  }
  if (!a_ended || b_ended) {
    add(absl::StrCat("status[", b, "]"), DerivedStatus(x, b), StatusText(y.status()));
  }
  if (a_ended || b_ended) return found;
  add("home_jurisdiction", x.home_jurisdiction(), y.home_jurisdiction());
  add("destination_jurisdiction", x.destination_jurisdiction(), y.destination_jurisdiction());
  add("destination_branch", x.destination_branch(), y.destination_branch());
  add("certificate_no", x.certificate_no(), y.certificate_no());
  add("certificate_valid_until", x.certificate_valid_until(), y.certificate_valid_until());
  add("transfer_to_jurisdiction", x.transfer_to_jurisdiction(), y.transfer_to_jurisdiction());
  add("transfer_letter_no", x.transfer_letter_no(), y.transfer_letter_no());
  add("transfer_pending", BoolText(x.transfer_pending()), BoolText(y.transfer_pending()));
  add("transfer_outcome", x.transfer_outcome(), y.transfer_outcome());
  add("organization_life_entries", absl::StrCat(x.organization_life_entries()),
      absl::StrCat(y.organization_life_entries()));
  add("returned_on", x.returned_on(), y.returned_on());
  add("lost_contact", BoolText(x.lost_contact()), BoolText(y.lost_contact()));
  return found;
}

bool SharesWith(const Member& member, absl::string_view county) {
  return member.status_by_county().contains(std::string(county));
}

bool MemberIdLess(absl::string_view x, absl::string_view y) {
  const size_t dash_x = x.rfind('-');
  const size_t dash_y = y.rfind('-');
  if (dash_x == absl::string_view::npos || dash_y == absl::string_view::npos) return x < y;
  const absl::string_view number_x = x.substr(dash_x + 1);
  const absl::string_view number_y = y.substr(dash_y + 1);
  return std::make_tuple(x.substr(0, dash_x), number_x.size(), number_x) <
         std::make_tuple(y.substr(0, dash_y), number_y.size(), number_y);
}

}  // namespace lianxin::lxctl
