#include "services/oversight/figures.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "libs/common/time_util.h"
#include "libs/memberfacts/member_facts.h"
#include "libs/runtime/validate.h"
#include "services/registry/domain/rules.h"

namespace lianxin::oversight {

using lianxin::v1::AreaFigures;
using lianxin::v1::Event;
using lianxin::v1::MemberFacts;
using lianxin::v1::UnmanagedMember;

namespace {

// A division code (libs/runtime/validate.h), or 000000 for every province.
bool IsCode(std::string_view code) {
  return code == "000000" || IsJurisdictionCode(absl::string_view(code.data(), code.size()));
}

void Increment(uint64_t (AreaFigures::*get)() const, void (AreaFigures::*set)(uint64_t),
               AreaFigures* figures, uint64_t by = 1) {
  (figures->*set)((figures->*get)() + by);
}

void AddByKey(const std::string& key, uint64_t count,
              google::protobuf::RepeatedPtrField<lianxin::v1::CountByKey>* counts) {
  for (auto& c : *counts) {
    if (c.key() == key) {
      c.set_count(c.count() + count);
      return;
    }
  }
  auto* c = counts->Add();
  c->set_key(key);
  c->set_count(count);
  std::sort(counts->begin(), counts->end(),
            [](const auto& a, const auto& b) { return a.key() < b.key(); });
}

void StripFacts(MemberFacts* facts) {
  auto* r = facts->mutable_registration();
  r->clear_name();
  r->clear_id_hash();
  r->clear_id_number_masked();
  r->clear_birth_date();
  r->clear_phone();
  auto* o = facts->mutable_outflow();
  o->clear_destination_address();
  o->clear_contact_phone();
  o->clear_employer();
  o->clear_liaison_name();
  o->clear_responsibility_terms();
  o->clear_snapshot();
  facts->mutable_arrival()->clear_contact_person();
  facts->mutable_transfer()->clear_snapshot();
}

UnmanagedMember Unmanaged(std::string_view member_id, lianxin::v1::UnmanagedKind kind,
                          const std::string& home, const std::string& other, std::string since,
                          std::string detail) {
  UnmanagedMember u;
  u.set_member_id(std::string(member_id));
  u.set_kind(kind);
  u.set_home_jurisdiction(home);
  u.set_other_jurisdiction(other);
  u.set_since(std::move(since));
  u.set_detail(std::move(detail));
  return u;
}

}  // namespace

std::string LevelOf(std::string_view code) {
  if (!IsCode(code)) return "";
  if (code == "000000") return "country";
  if (code.substr(2) == "0000") return "province";
  if (code.substr(4) == "00") return "prefecture";
  return "county";
}

std::string ScopePrefix(std::string_view code) {
  const std::string level = LevelOf(code);
  if (level == "country") return "";
  if (level == "province") return std::string(code.substr(0, 2));
  if (level == "prefecture") return std::string(code.substr(0, 4));
  return std::string(code);
}

bool Within(std::string_view inner, std::string_view outer) {
  if (LevelOf(inner).empty() || LevelOf(outer).empty()) return false;
  const std::string prefix = ScopePrefix(outer);
  return inner.substr(0, prefix.size()) == prefix;
}

std::string PrefectureOf(std::string_view county) {
  return std::string(county.substr(0, 4)) + "00";
}
std::string ProvinceOf(std::string_view county) {
  return std::string(county.substr(0, 2)) + "0000";
}

std::optional<absl::CivilDay> EventDay(const Event& event) {
  std::string_view own;
  switch (event.payload_case()) {
    case Event::kMemberRegistered:
      own = event.member_registered().joined_on();
      break;
    case Event::kOutflowRegistered:
      own = event.outflow_registered().left_on();
      break;
    case Event::kCertificateIssued:
      own = event.certificate_issued().issued_on();
      break;
    case Event::kArrivalRecorded:
      own = event.arrival_recorded().arrived_on();
      break;
    case Event::kCertificateEntryRecorded:
      own = event.certificate_entry_recorded().occurred_on();
      break;
    case Event::kTransferRequested:
      own = event.transfer_requested().requested_on();
      break;
    case Event::kTransferAccepted:
      own = event.transfer_accepted().accepted_on();
      break;
    case Event::kTransferRejected:
      own = event.transfer_rejected().rejected_on();
      break;
    case Event::kTransferWithdrawn:
      own = event.transfer_withdrawn().withdrawn_on();
      break;
    case Event::kReturnRecorded:
      own = event.return_recorded().returned_on();
      break;
    case Event::kLostContactFlagged:
      own = event.lost_contact_flagged().flagged_on();
      break;
    case Event::kContactRestored:
      own = event.contact_restored().contact_on();
      break;
    case Event::kOutflowDetailsChanged:
      own = event.outflow_details_changed().changed_on();
      break;
    case Event::kMembershipStandingChanged:
      own = event.membership_standing_changed().decided_on();
      break;
    case Event::kCriticismRecorded:
      own = event.criticism_recorded().recorded_on();
      break;
    default:
      break;
  }
  if (std::optional<absl::CivilDay> day = ParseDate(own); day.has_value()) return day;
  if (!event.has_recorded_at()) return std::nullopt;
  return absl::ToCivilDay(FromTimestamp(event.recorded_at()), CountyTimeZone());
}

std::optional<MemberFacts> FactsAsOf(const std::vector<Event>& log, absl::CivilDay as_of) {
  std::optional<MemberFacts> facts;
  for (const Event& event : log) {
    std::optional<absl::CivilDay> day = EventDay(event);
    if (!day.has_value() || *day > as_of) break;
    facts = FoldMemberFacts(facts.has_value() ? *std::move(facts) : MemberFacts(), event);
  }
  return facts;
}

Event WithoutPersonalData(Event event) {
  if (event.has_member_registered()) {
    auto* r = event.mutable_member_registered();
    r->clear_name();
    r->clear_id_hash();
    r->clear_id_number_masked();
    r->clear_birth_date();
    r->clear_phone();
  }
  if (event.has_outflow_registered()) {
    auto* o = event.mutable_outflow_registered();
    o->clear_destination_address();
    o->clear_contact_phone();
    o->clear_employer();
    o->clear_liaison_name();
    o->clear_responsibility_terms();
    if (o->has_snapshot()) StripFacts(o->mutable_snapshot());
  }
  if (event.has_transfer_requested() && event.transfer_requested().has_snapshot()) {
    StripFacts(event.mutable_transfer_requested()->mutable_snapshot());
  }
  if (event.has_arrival_recorded()) event.mutable_arrival_recorded()->clear_contact_person();
  if (event.has_outflow_details_changed()) {
    auto* c = event.mutable_outflow_details_changed();
    c->clear_destination_address();
    c->clear_contact_phone();
    c->clear_employer();
  }
  event.clear_signature();
  return event;
}

AreaFigures NewArea(std::string_view code) {
  AreaFigures figures;
  figures.set_code(std::string(code));
  figures.set_level(LevelOf(code));
  return figures;
}

void CountMember(const MemberFacts& f, std::string_view county, absl::CivilDay today,
                 AreaFigures* figures) {
  using A = AreaFigures;
  switch (StatusAsSeenBy(f, county)) {
    case lianxin::v1::MEMBER_STATUS_RESIDENT:
      Increment(&A::resident, &A::set_resident, figures);
      if (!f.returned_on().empty()) Increment(&A::returned, &A::set_returned, figures);
      break;
    case lianxin::v1::MEMBER_STATUS_OUTFLOW_PENDING:
    case lianxin::v1::MEMBER_STATUS_OUTFLOW_RECEIVED:
    case lianxin::v1::MEMBER_STATUS_TRANSFER_PENDING: {
      std::optional<std::string> destination = registry::OutflowDestinationCounted(f, county);
      if (!destination.has_value()) {
        Increment(&A::resident, &A::set_resident, figures);
        break;
      }
      Increment(&A::away, &A::set_away, figures);
      AddByKey(lianxin::v1::MemberCategory_Name(f.registration().category()), 1,
               figures->mutable_by_category());
      if (registry::SameProvince(county, *destination)) {
        Increment(&A::within_province, &A::set_within_province, figures);
      } else {
        Increment(&A::cross_province, &A::set_cross_province, figures);
      }
      std::optional<absl::CivilDay> valid_until = ParseDate(f.certificate().valid_until());
      if (valid_until.has_value() && *valid_until >= today) {
        Increment(&A::certificate_holders, &A::set_certificate_holders, figures);
      }
      if (f.lost_contact()) Increment(&A::lost_contact, &A::set_lost_contact, figures);
      break;
    }
    case lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT:
      Increment(&A::transferred_out, &A::set_transferred_out, figures);
      break;
    case lianxin::v1::MEMBER_STATUS_INFLOW_EXPECTED:
      Increment(&A::expected_inflow, &A::set_expected_inflow, figures);
      break;
    case lianxin::v1::MEMBER_STATUS_INFLOW_ACTIVE:
      Increment(&A::present_from_elsewhere, &A::set_present_from_elsewhere, figures);
      if (f.lost_contact()) Increment(&A::lost_contact, &A::set_lost_contact, figures);
      break;
    case lianxin::v1::MEMBER_STATUS_TRANSFERRED_IN:
      Increment(&A::transferred_in, &A::set_transferred_in, figures);
      break;
    default:
      break;
  }
  if (f.transfer_pending()) Increment(&A::pending_transfers, &A::set_pending_transfers, figures);
}

void AddFigures(const AreaFigures& part, AreaFigures* total) {
  using A = AreaFigures;
  Increment(&A::away, &A::set_away, total, part.away());
  Increment(&A::present_from_elsewhere, &A::set_present_from_elsewhere, total,
            part.present_from_elsewhere());
  Increment(&A::within_province, &A::set_within_province, total, part.within_province());
  Increment(&A::cross_province, &A::set_cross_province, total, part.cross_province());
  for (const auto& c : part.by_category())
    AddByKey(c.key(), c.count(), total->mutable_by_category());
  Increment(&A::certificate_holders, &A::set_certificate_holders, total,
            part.certificate_holders());
  Increment(&A::pending_transfers, &A::set_pending_transfers, total, part.pending_transfers());
  Increment(&A::lost_contact, &A::set_lost_contact, total, part.lost_contact());
  Increment(&A::returned, &A::set_returned, total, part.returned());
  Increment(&A::expected_inflow, &A::set_expected_inflow, total, part.expected_inflow());
  Increment(&A::transferred_out, &A::set_transferred_out, total, part.transferred_out());
  Increment(&A::transferred_in, &A::set_transferred_in, total, part.transferred_in());
  Increment(&A::resident, &A::set_resident, total, part.resident());
  Increment(&A::unmanaged, &A::set_unmanaged, total, part.unmanaged());
}

std::vector<UnmanagedMember> FindUnmanaged(std::string_view member_id,
                                           const std::map<std::string, MemberFacts>& views,
                                           absl::CivilDay today, int receipt_due_months) {
  std::vector<UnmanagedMember> found;
  // The home's view decides the home's duties; a member whose home this
  // instance does not hold is judged by the destination's view alone below.
  std::string home;
  for (const auto& [county, facts] : views) {
    const auto status = StatusAsSeenBy(facts, county);
    if (facts.home_jurisdiction() == county &&
        status != lianxin::v1::MEMBER_STATUS_TRANSFERRED_OUT &&
        status != lianxin::v1::MEMBER_STATUS_MEMBERSHIP_ENDED) {
      home = county;
    }
  }
  if (!home.empty()) {
    const MemberFacts& h = views.at(home);
    const std::string destination = DestinationOf(h);
    // Away to a county on lianxin that has not recorded the arrival in 30 days.
    std::optional<absl::CivilDay> left_on = ParseDate(h.outflow().left_on());
    if (h.away() && !h.arrived() && h.outflow().destination_on_system() && left_on.has_value() &&
        DaysBetween(*left_on, today) > kArrivalDueDays) {
      found.push_back(Unmanaged(member_id, lianxin::v1::UNMANAGED_KIND_NO_ARRIVAL, home,
                                destination, h.outflow().left_on(),
                                absl::StrCat("no arrival recorded ", DaysBetween(*left_on, today),
                                             " days after departure")));
    }
    // R9: the receipt of a pending transfer is overdue.
    registry::Settings settings;
    settings.receipt_due_months = receipt_due_months;
    if (std::optional<int> overdue = registry::LostTransferDaysOverdue(h, today, settings);
        overdue.has_value()) {
      found.push_back(Unmanaged(member_id, lianxin::v1::UNMANAGED_KIND_TRANSFER_RECEIPT_OVERDUE,
                                home, h.transfer().to_jurisdiction(), h.transfer().requested_on(),
                                absl::StrCat("receipt ", *overdue, " days overdue")));
    }
    // The destination's own view, if this instance holds it and its part is live.
    auto at = views.find(destination);
    if (!destination.empty() && at != views.end() &&
        !PartEnded(StatusAsSeenBy(at->second, destination))) {
      const MemberFacts& d = at->second;
      if (h.lost_contact() != d.lost_contact()) {
        found.push_back(
            Unmanaged(member_id, lianxin::v1::UNMANAGED_KIND_LOST_AT_ONE_SIDE, home, destination,
                      h.lost_contact() ? h.last_contact_on() : d.last_contact_on(),
                      absl::StrCat("lost contact at ", h.lost_contact() ? home : destination,
                                   ", in contact at ", h.lost_contact() ? destination : home)));
      }
      std::vector<std::string> differ;
      auto compare = [&](const char* field, const std::string& a, const std::string& b) {
        if (a != b) differ.push_back(absl::StrCat(field, " ", a, "|", b));
      };
      compare("home_jurisdiction", h.home_jurisdiction(), d.home_jurisdiction());
      compare("destination_jurisdiction", h.outflow().destination_jurisdiction(),
              d.outflow().destination_jurisdiction());
      compare("arrived", h.arrived() ? "yes" : "no", d.arrived() ? "yes" : "no");
      compare("destination_branch", h.arrival().branch(), d.arrival().branch());
      compare("certificate_no", h.certificate().certificate_no(), d.certificate().certificate_no());
      compare("transfer_pending", h.transfer_pending() ? "yes" : "no",
              d.transfer_pending() ? "yes" : "no");
      compare("returned_on", h.returned_on(), d.returned_on());
      if (!differ.empty()) {
        std::string detail;
        for (const std::string& d : differ) absl::StrAppend(&detail, detail.empty() ? "" : "; ", d);
        found.push_back(Unmanaged(member_id, lianxin::v1::UNMANAGED_KIND_VIEWS_DISAGREE, home,
                                  destination, "", std::move(detail)));
      }
    }
  }
  return found;
}

}  // namespace lianxin::oversight
