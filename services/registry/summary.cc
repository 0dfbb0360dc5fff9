#include "services/registry/summary.h"

#include "absl/strings/str_cat.h"

namespace lianxin::registry {

namespace {

const char* EntryKindName(lianxin::v1::CertificateEntryKind kind) {
  switch (kind) {
    case lianxin::v1::CERTIFICATE_ENTRY_KIND_DUES:
      return "交纳党费";
    case lianxin::v1::CERTIFICATE_ENTRY_KIND_MAIL_BACK_CHECK:
      return "季度寄回查验";
    case lianxin::v1::CERTIFICATE_ENTRY_KIND_YEARLY_CHECK:
      return "年度查验";
    default:
      return "组织生活";
  }
}

}  // namespace

std::string Summarize(const lianxin::v1::Event& event) {
  switch (event.payload_case()) {
    case lianxin::v1::Event::kMemberRegistered: {
      const auto& r = event.member_registered();
      if (r.origin_off_system()) {
        return absl::StrCat("流入登记（原籍 ", r.home_jurisdiction(), " 未接入）：", r.name(), "，",
                            r.branch());
      }
      return absl::StrCat("登记党员：", r.name(), "，", r.home_jurisdiction(), " ", r.branch());
    }
    case lianxin::v1::Event::kOutflowRegistered: {
      const auto& o = event.outflow_registered();
      return absl::StrCat(
          o.previous_destination_jurisdiction().empty()
              ? "流出登记：前往 "
              : absl::StrCat("变更流入地：由 ", o.previous_destination_jurisdiction(), " 改为 "),
          o.destination_jurisdiction(), o.destination_name().empty() ? "" : " ",
          o.destination_name(), "，", o.occupation(), "，", o.left_on(), " 离开，预计 ",
          o.expected_return_on(), " 返回", o.destination_on_system() ? "" : "（流入地未接入）");
    }
    case lianxin::v1::Event::kCertificateIssued: {
      const auto& c = event.certificate_issued();
      return absl::StrCat("发放流动党员活动证 ", c.certificate_no(), "，", c.issued_on(),
                          " 起有效至 ", c.valid_until());
    }
    case lianxin::v1::Event::kArrivalRecorded: {
      const auto& a = event.arrival_recorded();
      return absl::StrCat("流入地 ", a.destination_jurisdiction(), " 报到登记：", a.branch(), "，",
                          a.arrived_on(), " 报到",
                          a.certificate_no().empty() ? "" : "，持活动证 " + a.certificate_no(),
                          a.contact_person().empty() ? "" : "，联系人 " + a.contact_person());
    }
    case lianxin::v1::Event::kCertificateEntryRecorded: {
      const auto& e = event.certificate_entry_recorded();
      return absl::StrCat("活动证记载（", e.recorded_by_jurisdiction(), "）：",
                          EntryKindName(e.kind()), " ", e.activity(), "，", e.occurred_on(),
                          e.amount_fen() > 0 ? absl::StrCat("，", e.amount_fen(), " 分") : "");
    }
    case lianxin::v1::Event::kTransferRequested: {
      const auto& t = event.transfer_requested();
      return absl::StrCat("申请转接组织关系：", t.from_jurisdiction(), " → ", t.to_jurisdiction(),
                          t.to_organization().empty() ? "" : " " + t.to_organization(), "，介绍信 ",
                          t.letter_no(), "，", t.requested_on());
    }
    case lianxin::v1::Event::kTransferAccepted: {
      const auto& a = event.transfer_accepted();
      if (!a.letter_no().empty()) {
        return absl::StrCat("转入组织关系（原籍未接入，介绍信 ", a.letter_no(), "）：", a.branch(),
                            "，", a.accepted_on());
      }
      return absl::StrCat(a.to_jurisdiction(), " 接收组织关系（",
                          a.paper_receipt() ? "纸质回执" : "回执", "）：", a.branch(), "，",
                          a.accepted_on());
    }
    case lianxin::v1::Event::kTransferRejected: {
      const auto& r = event.transfer_rejected();
      return absl::StrCat("组织关系转接被退回：", r.reason(), "，", r.rejected_on());
    }
    case lianxin::v1::Event::kReturnRecorded: {
      const auto& r = event.return_recorded();
      return absl::StrCat(
          "返回原籍：", r.returned_on(), r.certificate_handed_back() ? "，交回活动证" : "",
          r.certificate_audit().empty() ? "" : "（稽核：" + r.certificate_audit() + "）",
          r.responsibility_settlement().empty()
              ? ""
              : absl::StrCat("，责任书兑现：", r.responsibility_settlement(),
                             r.responsibility_met() ? "（已兑现）" : "（未兑现）"));
    }
    case lianxin::v1::Event::kLostContactFlagged:
      return absl::StrCat("失联（超过六个月未联系），最后联系 ",
                          event.lost_contact_flagged().last_contact_on());
    case lianxin::v1::Event::kContactRestored:
      return absl::StrCat("恢复联系：", event.contact_restored().contact_on());
    case lianxin::v1::Event::kDuplicateSuspected: {
      const auto& d = event.duplicate_suspected();
      return absl::StrCat("疑似重复登记：身份证号已由 ", d.existing_jurisdiction(), " 登记为 ",
                          d.existing_member_id(), "，待合并");
    }
    case lianxin::v1::Event::kCriticismRecorded: {
      const auto& c = event.criticism_recorded();
      return absl::StrCat("批评教育：", c.grounds(), "，", c.recorded_on());
    }
    case lianxin::v1::Event::kTransferWithdrawn: {
      const auto& w = event.transfer_withdrawn();
      return absl::StrCat("撤回组织关系转接：", w.reason(), "，", w.withdrawn_on());
    }
    case lianxin::v1::Event::kOutflowDetailsChanged: {
      const auto& c = event.outflow_details_changed();
      std::string changes;
      auto add = [&](const char* label, const std::string& value) {
        if (!value.empty()) absl::StrAppend(&changes, changes.empty() ? "" : "，", label, value);
      };
      add("地址 ", c.destination_address());
      add("联系电话已更新", c.contact_phone().empty() ? "" : " ");
      add("工作单位 ", c.employer());
      add("职业 ", c.occupation());
      add("预计返回 ", c.expected_return_on());
      add("流入地支部 ", c.destination_branch());
      return absl::StrCat(c.self_reported() ? "本人报告" : "", "流出信息变更（",
                          c.recorded_by_jurisdiction(), "）：", changes, "，", c.changed_on());
    }
    case lianxin::v1::Event::kVisitHomeRecorded: {
      const auto& v = event.visit_home_recorded();
      return absl::StrCat("临时回乡：", v.home_from(), " 至 ", v.home_until(), "，之后返回流入地");
    }
    case lianxin::v1::Event::kMembershipStandingChanged: {
      const auto& c = event.membership_standing_changed();
      const char* what = "按自行脱党处理";
      switch (c.change()) {
        case lianxin::v1::MEMBERSHIP_CHANGE_PROBATION_CONVERTED:
          what = "预备党员按期转正";
          break;
        case lianxin::v1::MEMBERSHIP_CHANGE_PROBATION_CANCELLED:
          what = "取消预备党员资格";
          break;
        case lianxin::v1::MEMBERSHIP_CHANGE_PERSUADED_TO_WITHDRAW:
          what = "劝退";
          break;
        case lianxin::v1::MEMBERSHIP_CHANGE_REMOVED:
          what = "除名";
          break;
        case lianxin::v1::MEMBERSHIP_CHANGE_EXPELLED:
          what = "清除";
          break;
        default:
          break;
      }
      return absl::StrCat(what, "（支部决定 ", c.decided_on(), "）",
                          c.grounds().empty() ? "" : "：" + c.grounds(),
                          c.approved_by().empty() ? "" : "，" + c.approved_by() + " 批准");
    }
    default:
      return event.type();
  }
}

}  // namespace lianxin::registry
