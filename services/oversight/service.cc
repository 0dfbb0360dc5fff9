#include "services/oversight/service.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/runtime/validate.h"
#include "services/oversight/figures.h"

namespace lianxin::oversight {

using lianxin::v1::AreaFigures;
using lianxin::v1::MemberFacts;
using lianxin::v1::UnmanagedMember;

namespace {

// Every member's views (county -> facts) and every county's figures within
// the instance's scope on one day.
struct Picture {
  std::map<std::string, AreaFigures> counties;
  std::vector<UnmanagedMember> unmanaged;
};

absl::StatusOr<Picture> TakePicture(const OversightProjection& projection,
                                    std::optional<absl::CivilDay> as_of, absl::CivilDay day,
                                    int receipt_due_months) {
  Picture picture;
  std::map<std::string, std::map<std::string, MemberFacts>> views;  // member -> county -> facts
  RETURN_IF_ERROR(projection.ForEachMember(
      projection.scope(), as_of,
      [&](const std::string& county, const std::string& member_id, const MemberFacts& facts) {
        auto [it, added] = picture.counties.try_emplace(county, NewArea(county));
        CountMember(facts, county, day, &it->second);
        views[member_id].emplace(county, facts);
      }));
  for (const auto& [member_id, by_county] : views) {
    for (UnmanagedMember& u : FindUnmanaged(member_id, by_county, day, receipt_due_months)) {
      auto home = picture.counties.find(u.home_jurisdiction());
      if (home != picture.counties.end()) home->second.set_unmanaged(home->second.unmanaged() + 1);
      picture.unmanaged.push_back(std::move(u));
    }
  }
  std::sort(picture.unmanaged.begin(), picture.unmanaged.end(),
            [](const UnmanagedMember& a, const UnmanagedMember& b) {
              return std::make_tuple(a.kind(), a.home_jurisdiction(), a.member_id()) <
                     std::make_tuple(b.kind(), b.home_jurisdiction(), b.member_id());
            });
  return picture;
}

// Unmanaged members per member away, the ranking's measure (lower is better).
double UnmanagedShare(const AreaFigures& f) {
  return f.away() == 0 ? (f.unmanaged() == 0 ? 0.0 : 1e9)
                       : static_cast<double>(f.unmanaged()) / static_cast<double>(f.away());
}

}  // namespace

absl::Status AuthorizeArea(const Principal& caller, const std::string& area, const char* field) {
  const std::string level = LevelOf(caller.jurisdiction);
  const bool allowed = level == "county" ? area == caller.jurisdiction
                                         : !level.empty() && Within(area, caller.jurisdiction);
  if (allowed) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat(field, ": ", area, " is outside the caller's area ", caller.jurisdiction));
}

OversightService::OversightService(OversightServiceOptions options)
    : UnaryService("lianxin.v1.Oversight", options.plumbing),
      options_(std::move(options)),
      county_(options_.projection->scope(), options_.clock, "oversight") {
  Serve("GetFigures", &OversightService::GetFigures);
  Serve("ListUnmanaged", &OversightService::ListUnmanaged);
}

absl::Status OversightService::CheckScope(const Principal& caller, const std::string& scope) const {
  // 000000 (the whole deployment) is no division of its own, so not FieldChecker's Jurisdiction.
  if (LevelOf(scope).empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("scope: '", scope, "' is not a 6-digit administrative division code"));
  }
  if (!Within(scope, options_.projection->scope())) {
    return absl::NotFoundError(absl::StrCat("scope: ", scope, " is not overseen here (",
                                            options_.projection->scope(), ")"));
  }
  return AuthorizeArea(caller, scope, "scope");
}

absl::Status OversightService::GetFigures(const Principal& caller,
                                          const lianxin::v1::GetFiguresRequest& request,
                                          lianxin::v1::GetFiguresReply* reply) {
  RETURN_IF_ERROR(FieldChecker().Date("as_of", request.as_of(), /*optional=*/true).status());
  RETURN_IF_ERROR(CheckScope(caller, request.scope()));
  std::optional<absl::CivilDay> as_of = ParseDate(request.as_of());
  const absl::CivilDay day = as_of.value_or(county_.Today());
  ASSIGN_OR_RETURN(Picture picture,
                   TakePicture(*options_.projection, as_of, day, options_.receipt_due_months));
  // Every area within the scope: its counties, their prefectures and province.
  std::map<std::string, AreaFigures> areas;
  auto add = [&](const std::string& code, const AreaFigures& county) {
    if (!Within(code, request.scope())) return;
    auto [it, added] = areas.try_emplace(code, NewArea(code));
    AddFigures(county, &it->second);
  };
  for (const auto& [code, figures] : picture.counties) {
    if (LevelOf(request.scope()) == "country") add(request.scope(), figures);
    add(ProvinceOf(code), figures);
    if (PrefectureOf(code) != ProvinceOf(code)) add(PrefectureOf(code), figures);
    add(code, figures);
  }
  auto total = areas.find(request.scope());
  *reply->mutable_total() = total != areas.end() ? total->second : NewArea(request.scope());
  reply->set_as_of(FormatDate(day));
  if (LevelOf(request.scope()) == "county") {
    std::vector<const AreaFigures*> ranked;
    for (const auto& [code, figures] : picture.counties) ranked.push_back(&figures);
    std::stable_sort(ranked.begin(), ranked.end(), [](const AreaFigures* a, const AreaFigures* b) {
      return UnmanagedShare(*a) < UnmanagedShare(*b);
    });
    for (size_t i = 0; i < ranked.size(); ++i) {
      if (ranked[i]->code() == request.scope()) reply->set_rank(static_cast<uint32_t>(i + 1));
    }
    reply->set_ranked(static_cast<uint32_t>(ranked.size()));
    return absl::OkStatus();
  }
  for (const char* level : {"province", "prefecture", "county"}) {
    for (const auto& [code, figures] : areas) {
      if (code != request.scope() && figures.level() == level) {
        *reply->add_areas() = figures;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status OversightService::ListUnmanaged(const Principal& caller,
                                             const lianxin::v1::ListUnmanagedRequest& request,
                                             lianxin::v1::ListUnmanagedReply* reply) {
  RETURN_IF_ERROR(FieldChecker()
                      .Date("as_of", request.as_of(), /*optional=*/true)
                      .Require(request.page_size() >= 0 && request.page_size() <= 1000, "page_size",
                               "must be 0–1000")
                      .status());
  RETURN_IF_ERROR(CheckScope(caller, request.scope()));
  std::optional<absl::CivilDay> as_of = ParseDate(request.as_of());
  const absl::CivilDay day = as_of.value_or(county_.Today());
  ASSIGN_OR_RETURN(Picture picture,
                   TakePicture(*options_.projection, as_of, day, options_.receipt_due_months));
  const size_t limit = request.page_size() == 0 ? 100 : static_cast<size_t>(request.page_size());
  std::map<std::string, uint64_t> by_kind;
  for (UnmanagedMember& u : picture.unmanaged) {
    if (!Within(u.home_jurisdiction(), request.scope()) &&
        !Within(u.other_jurisdiction(), request.scope())) {
      continue;
    }
    ++by_kind[lianxin::v1::UnmanagedKind_Name(u.kind())];
    reply->set_total(reply->total() + 1);
    if (static_cast<size_t>(reply->members_size()) < limit) *reply->add_members() = std::move(u);
  }
  for (const auto& [kind, count] : by_kind) {
    auto* c = reply->add_by_kind();
    c->set_key(kind);
    c->set_count(count);
  }
  return absl::OkStatus();
}

}  // namespace lianxin::oversight
