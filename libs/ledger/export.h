// One way to build a county's exported sheet from its services, used by
// `lxctl export` and the gateway's export (the console's 导出 buttons): which
// RPCs each report reads, how members are paged in, how a branch narrows it.
// The caller owns the channels and the credentials (`prepare` adds the bearer
// token and the deadline to each call's context).
//
//   ExportChannels channels{.registry = r, .contact = c, .prepare = AddToken};
//   ASSIGN_OR_RETURN(Sheet sheet, BuildReport({.report = Report::kOverdue,
//                                              .header = {"654322", "富蕴县", today}},
//                                             channels));
#ifndef LIANXIN_LIBS_LEDGER_EXPORT_H_
#define LIANXIN_LIBS_LEDGER_EXPORT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "libs/ledger/ledger.h"
#include "libs/ledger/reports.h"

namespace lianxin::ledger {

struct ExportRequest {
  Report report = Report::kOutflow;
  // The county exported, its name and the day the sheet is as of.
  SheetHeader header;
  // Member ledgers: only members of this branch (at home or at the
  // destination); the appraisal sheet: that branch's. Empty: all.
  std::string branch;
  // The appraisal sheet's year; 0: the year of `header.as_of`.
  int year = 0;
  // Items per call of every paged list read (0: the services' default, 1000
  // for members); every page is read, whatever the size.
  int32_t page_size = 0;
};

// The county's services. A report needs the registry and at most one other;
// a missing channel it needs is FAILED_PRECONDITION naming the service.
struct ExportChannels {
  std::shared_ptr<grpc::ChannelInterface> registry;
  std::shared_ptr<grpc::ChannelInterface> contact;
  std::shared_ptr<grpc::ChannelInterface> education;
  std::shared_ptr<grpc::ChannelInterface> appraisal;
  // Called on every call's context before it is sent.
  std::function<void(grpc::ClientContext*)> prepare;
};

// Reads what `request.report` shows from the services and lays it out.
// Errors are the services' (e.g. PERMISSION_DENIED for a caller of another
// county), INVALID_ARGUMENT for a year out of range.
absl::StatusOr<Sheet> BuildReport(const ExportRequest& request, const ExportChannels& channels);

// The MIME type and the download name ("富蕴县-流出党员台账-2026-12-07.xlsx") of
// a sheet written as `format` ("xlsx" or "csv").
std::string ContentType(absl::string_view format);
std::string DownloadName(const Sheet& sheet, absl::string_view format);

}  // namespace lianxin::ledger

#endif  // LIANXIN_LIBS_LEDGER_EXPORT_H_
