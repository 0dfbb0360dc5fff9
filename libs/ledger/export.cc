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
#include "libs/common/status_macros.h"
#include "libs/common/time_util.h"
#include "libs/runtime/rpc.h"

namespace lianxin::ledger {
namespace {

namespace v1 = lianxin::v1;

// Makes the stubs of the services a report needs and runs its calls with the
// caller's credentials.
class Services {
 public:
  explicit Services(const ExportChannels& channels) : channels_(channels) {}

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
    if (request.page_size() == 0) request.set_page_size(1000);
    std::vector<v1::Member> members;
    while (true) {
      v1::ListMembersReply reply;
      RETURN_IF_ERROR(Registry(&v1::Registry::Stub::ListMembers, request, &reply));
      for (v1::Member& member : *reply.mutable_members()) members.push_back(std::move(member));
      if (reply.next_page_token().empty()) return members;
      if (reply.next_page_token() == request.page_token()) {
        return absl::InternalError("ListMembers returned the same page token twice");
      }
      request.set_page_token(reply.next_page_token());
    }
  }

  template <typename Request, typename Reply>
  absl::Status Registry(grpc::Status (v1::Registry::Stub::*method)(grpc::ClientContext*,
                                                                   const Request&, Reply*),
                        const Request& request, Reply* reply) const {
    return Call(channels_.registry, "registry", method, request, reply);
  }
  template <typename Request, typename Reply>
  absl::Status Contact(grpc::Status (v1::ContactTracking::Stub::*method)(grpc::ClientContext*,
                                                                         const Request&, Reply*),
                       const Request& request, Reply* reply) const {
    return Call(channels_.contact, "contact", method, request, reply);
  }
  template <typename Request, typename Reply>
  absl::Status Education(grpc::Status (v1::EducationScheduling::Stub::*method)(grpc::ClientContext*,
                                                                               const Request&,
                                                                               Reply*),
                         const Request& request, Reply* reply) const {
    return Call(channels_.education, "education", method, request, reply);
  }
  template <typename Request, typename Reply>
  absl::Status Appraisal(grpc::Status (v1::Appraisal::Stub::*method)(grpc::ClientContext*,
                                                                     const Request&, Reply*),
                         const Request& request, Reply* reply) const {
    return Call(channels_.appraisal, "appraisal", method, request, reply);
  }

 private:
  const ExportChannels& channels_;
};

// Builds `Reply`'s sheet with `layout` once the list is read.
template <typename Request, typename Reply, typename Read, typename Layout>
absl::StatusOr<Sheet> ListSheet(const Services& services, const SheetHeader& header,
                                Request request, Read read, Layout layout) {
  v1::ListMembersRequest all;
  all.set_jurisdiction(header.county_code);
  all.set_direction(v1::DIRECTION_ALL);
  ASSIGN_OR_RETURN(std::vector<v1::Member> members, services.AllMembers(all));
  MemberIndex index;
  for (v1::Member& m : members) index[m.member_id()] = std::move(m);
  Reply reply;
  RETURN_IF_ERROR(read(request, &reply));
  return layout(header, reply, index);
}

}  // namespace

absl::StatusOr<Sheet> BuildReport(const ExportRequest& request, const ExportChannels& channels) {
  const Services services(channels);
  const SheetHeader& header = request.header;
  const std::string& county = header.county_code;
  const std::string as_of = FormatDate(header.as_of);
  switch (request.report) {
    case Report::kOutflow:
    case Report::kInflow:
    case Report::kMembers: {
      v1::ListMembersRequest list;
      list.set_jurisdiction(county);
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
    case Report::kOverdue: {
      v1::ListOverdueRequest list;
      list.set_jurisdiction(county);
      list.set_as_of(as_of);
      return ListSheet<v1::ListOverdueRequest, v1::ListOverdueReply>(
          services, header, list,
          [&](const auto& r, auto* reply) {
            return services.Contact(&v1::ContactTracking::Stub::ListOverdue, r, reply);
          },
          OverdueSheet);
    }
    case Report::kLostContact: {
      v1::ListLostContactRequest list;
      list.set_jurisdiction(county);
      return ListSheet<v1::ListLostContactRequest, v1::ListLostContactReply>(
          services, header, list,
          [&](const auto& r, auto* reply) {
            return services.Contact(&v1::ContactTracking::Stub::ListLostContact, r, reply);
          },
          LostContactSheet);
    }
    case Report::kClassHours: {
      v1::ListBelowFloorRequest list;
      list.set_jurisdiction(county);
      list.set_as_of(as_of);
      return ListSheet<v1::ListBelowFloorRequest, v1::ListBelowFloorReply>(
          services, header, list,
          [&](const auto& r, auto* reply) {
            return services.Education(&v1::EducationScheduling::Stub::ListBelowFloor, r, reply);
          },
          ClassHoursSheet);
    }
    case Report::kAppraisal: {
      const int year = request.year != 0 ? request.year : static_cast<int>(header.as_of.year());
      if (year < 2000 || year > 2100) {
        return absl::InvalidArgumentError(absl::StrCat("year: ", year, " is not 2000-2100"));
      }
      v1::ListAppraisalSheetRequest list;
      list.set_jurisdiction(county);
      list.set_year(year);
      list.set_branch(request.branch);
      list.set_as_of(as_of);
      return ListSheet<v1::ListAppraisalSheetRequest, v1::ListAppraisalSheetReply>(
          services, header, list,
          [&](const auto& r, auto* reply) {
            return services.Appraisal(&v1::Appraisal::Stub::ListAppraisalSheet, r, reply);
          },
          AppraisalSheet);
    }
    case Report::kDuesArrears: {
      v1::ListDuesArrearsRequest list;
      list.set_jurisdiction(county);
      list.set_as_of(as_of);
      return ListSheet<v1::ListDuesArrearsRequest, v1::ListDuesArrearsReply>(
          services, header, list,
          [&](const auto& r, auto* reply) {
            return services.Appraisal(&v1::Appraisal::Stub::ListDuesArrears, r, reply);
          },
          DuesArrearsSheet);
    }
    case Report::kLapse: {
      v1::ListLapseCandidatesRequest list;
      list.set_jurisdiction(county);
      list.set_as_of(as_of);
      return ListSheet<v1::ListLapseCandidatesRequest, v1::ListLapseCandidatesReply>(
          services, header, list,
          [&](const auto& r, auto* reply) {
            return services.Appraisal(&v1::Appraisal::Stub::ListLapseCandidates, r, reply);
          },
          LapseSheet);
    }
    case Report::kLostTransfers: {
      v1::ListLostTransfersRequest list;
      list.set_jurisdiction(county);
      list.set_as_of(as_of);
      return ListSheet<v1::ListLostTransfersRequest, v1::ListLostTransfersReply>(
          services, header, list,
          [&](const auto& r, auto* reply) {
            return services.Registry(&v1::Registry::Stub::ListLostTransfers, r, reply);
          },
          LostTransfersSheet);
    }
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
