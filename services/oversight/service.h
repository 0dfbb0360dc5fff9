// The Oversight gRPC service (proto/lianxin/v1/oversight.proto): validate,
// authorize by the caller's area, then count from the projection.
//
//   OversightService service({.projection = &projection, .clock = &RealClock(),
//                             .plumbing = {&auth, &metrics}});
//   RpcServer::Start({address, credentials, {{"lianxin.v1.Oversight", &service}}});
#ifndef LIANXIN_SERVICES_OVERSIGHT_SERVICE_H_
#define LIANXIN_SERVICES_OVERSIGHT_SERVICE_H_

#include "absl/status/status.h"
#include "lianxin/v1/oversight.pb.h"
#include "libs/common/clock.h"
#include "libs/runtime/rpc.h"
#include "libs/service/county.h"
#include "services/oversight/projection.h"

namespace lianxin::oversight {

struct OversightServiceOptions {
  const OversightProjection* projection = nullptr;  // not owned
  Clock* clock = &RealClock();                      // not owned
  RpcPlumbing plumbing;
  // R9's receipt deadline, for the "nobody manages them" list.
  int receipt_due_months = 1;
};

// May `caller` read the figures of `area`? A province or prefecture
// principal: areas within its own; a county principal: its own county only.
// PERMISSION_DENIED naming `field` otherwise (docs/security.md).
absl::Status AuthorizeArea(const Principal& caller, const std::string& area, const char* field);

class OversightService final : public UnaryService {
 public:
  explicit OversightService(OversightServiceOptions options);

 private:
  absl::Status GetFigures(const Principal& caller, const lianxin::v1::GetFiguresRequest& request,
                          lianxin::v1::GetFiguresReply* reply);
  absl::Status ListUnmanaged(const Principal& caller,
                             const lianxin::v1::ListUnmanagedRequest& request,
                             lianxin::v1::ListUnmanagedReply* reply);

  // The scope field checked: a 6-digit code within this instance's scope
  // that `caller` may read.
  absl::Status CheckScope(const Principal& caller, const std::string& scope) const;

  const OversightServiceOptions options_;
  ServiceCounty county_;  // the instance's scope, clock and day
};

}  // namespace lianxin::oversight

#endif  // LIANXIN_SERVICES_OVERSIGHT_SERVICE_H_
