#include "libs/ledger/export.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lianxin/v1/appraisal.grpc.pb.h"
#include "lianxin/v1/contact.grpc.pb.h"
#include "lianxin/v1/education.grpc.pb.h"
#include "lianxin/v1/registry.grpc.pb.h"
#include "libs/common/all_pages.h"
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/runtime/rpc.h"

namespace lianxin::ledger {
namespace {

namespace v1 = lianxin::v1;

// Runs calls on the county's services with the caller's credentials.
class Services {
 public:
  // `page_size`: items per call of every paged list (0: the services' default).
  Services(const ExportChannels& channels, int32_t page_size)
      : channels_(channels), page_size_(page_size) {}

  int32_t page_size() const { return page_size_; }

  // One call of `method` on `channel` (the county's `service`, which a report
  // without that service cannot read).
  template <typename Stub, typename Request, typename Reply>
  absl::Status Call(const std::shared_ptr<grpc::ChannelInterface>& channel,
                    absl::string_view service,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Reply*),
                    const Request& request, Reply* reply) const {
    if (channel == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("this report needs the county's ", service, " service"));
    }
    Stub stub(channel);
    grpc::ClientContext context;
    if (channels_.prepare) channels_.prepare(&context);
    return FromGrpcStatus((stub.*method)(&context, request, reply));
  }

  // Every member of `request`'s direction, page after page.
  absl::StatusOr<std::vector<v1::Member>> AllMembers(v1::ListMembersRequest request) const {
    if (request.page_size() == 0) request.set_page_size(page_size_ != 0 ? page_size_ : 1000);
    std::vector<v1::Member> members;
    while (true) {
      v1::ListMembersReply reply;
      RETURN_IF_ERROR(
          Call(channels_.registry, "registry", &v1::Registry::Stub::ListMembers, request, &reply));
      for (v1::Member& member : *reply.mutable_members()) members.push_back(std::move(member));
      if (reply.next_page_token().empty()) return members;
      if (reply.next_page_token() == request.page_token()) {
        return absl::InternalError("ListMembers returned the same page token twice");
      }
      request.set_page_token(reply.next_page_token());
    }
  }

 private:
  const ExportChannels& channels_;
  int32_t page_size_;
};

// A list report: `method` of the county's `service` for the county (as of the
// header's date where the list has one), every page of its paged field
// `items`, laid out by `layout` with the county's members at hand for names
// and branches.
template <typename Stub, typename Request, typename Reply, typename Item, typename Layout>
absl::StatusOr<Sheet> ListSheet(
    const Services& services, const SheetHeader& header,
    const std::shared_ptr<grpc::ChannelInterface>& channel, absl::string_view service,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Reply*), Request request,
    google::protobuf::RepeatedPtrField<Item>* (Reply::*items)(), Layout layout) {
  request.set_jurisdiction(header.county_code);
  request.set_page_size(services.page_size());
  if constexpr (requires { request.set_as_of(std::string()); }) {
    request.set_as_of(FormatDate(header.as_of));
  }
  v1::ListMembersRequest all;
  all.set_jurisdiction(header.county_code);
  all.set_direction(v1::DIRECTION_ALL);
  ASSIGN_OR_RETURN(std::vector<v1::Member> members, services.AllMembers(all));
  MemberIndex index;
  for (v1::Member& m : members) index[m.member_id()] = std::move(m);
  Reply reply;
  RETURN_IF_ERROR(ReadAllPages(
      request,
      [&](const Request& r, Reply* page) {
        return services.Call(channel, service, method, r, page);
      },
      items, &reply));
  return layout(header, reply, index);
}

}  // namespace

absl::StatusOr<Sheet> BuildReport(const ExportRequest& request, const ExportChannels& channels) {
  const Services services(channels, request.page_size);
  const SheetHeader& header = request.header;
  switch (request.report) {
    case Report::kOutflow:
    case Report::kInflow:
    case Report::kMembers: {
      v1::ListMembersRequest list;
      list.set_jurisdiction(header.county_code);
      list.set_direction(request.report == Report::kOutflow  ? v1::DIRECTION_OUTFLOW
                         : request.report == Report::kInflow ? v1::DIRECTION_INFLOW
                                                             : v1::DIRECTION_ALL);
      ASSIGN_OR_RETURN(std::vector<v1::Member> members, services.AllMembers(list));
      if (!request.branch.empty()) {
        std::erase_if(members, [&](const v1::Member& m) {
          return m.branch() != request.branch && m.destination_branch() != request.branch;
        });
      }
      return MemberLedger(header, request.report, members);
    }
    case Report::kOverdue:
      return ListSheet(services, header, channels.contact, "contact",
                       &v1::ContactTracking::Stub::ListOverdue, v1::ListOverdueRequest(),
                       &v1::ListOverdueReply::mutable_members, OverdueSheet);
    case Report::kLostContact:
      return ListSheet(services, header, channels.contact, "contact",
                       &v1::ContactTracking::Stub::ListLostContact, v1::ListLostContactRequest(),
                       &v1::ListLostContactReply::mutable_members, LostContactSheet);
    case Report::kClassHours:
      return ListSheet(services, header, channels.education, "education",
                       &v1::EducationScheduling::Stub::ListBelowFloor, v1::ListBelowFloorRequest(),
                       &v1::ListBelowFloorReply::mutable_members, ClassHoursSheet);
    case Report::kAppraisal: {
      const int year = request.year != 0 ? request.year : static_cast<int>(header.as_of.year());
      if (year < 2000 || year > 2100) {
        return absl::InvalidArgumentError(absl::StrCat("year: ", year, " is not 2000-2100"));
      }
      v1::ListAppraisalSheetRequest list;
      list.set_year(year);
      list.set_branch(request.branch);
      return ListSheet(services, header, channels.appraisal, "appraisal",
                       &v1::Appraisal::Stub::ListAppraisalSheet, list,
                       &v1::ListAppraisalSheetReply::mutable_rows, AppraisalSheet);
    }
    case Report::kDuesArrears:
      return ListSheet(services, header, channels.appraisal, "appraisal",
                       &v1::Appraisal::Stub::ListDuesArrears, v1::ListDuesArrearsRequest(),
                       &v1::ListDuesArrearsReply::mutable_members, DuesArrearsSheet);
    case Report::kLapse:
      return ListSheet(services, header, channels.appraisal, "appraisal",
                       &v1::Appraisal::Stub::ListLapseCandidates, v1::ListLapseCandidatesRequest(),
                       &v1::ListLapseCandidatesReply::mutable_members, LapseSheet);
    case Report::kLostTransfers:
      return ListSheet(services, header, channels.registry, "registry",
                       &v1::Registry::Stub::ListLostTransfers, v1::ListLostTransfersRequest(),
                       &v1::ListLostTransfersReply::mutable_transfers, LostTransfersSheet);
  }
  return absl::InvalidArgumentError("report: unknown");
}

std::string ContentType(absl::string_view format) {
  return format == "csv" ? "text/csv; charset=utf-8"
                         : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

std::string DownloadName(const Sheet& sheet, absl::string_view format) {
  return absl::StrCat(sheet.county_name, "-", sheet.title, "-", FormatDate(sheet.as_of), ".",
                      format);
}

}  // namespace lianxin::ledger
