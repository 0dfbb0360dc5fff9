#include "libs/domain/decision.h"

#include "libs/common/time_util.h"

namespace lianxin {

lianxin::v1::Event NewEvent(const DecisionContext& ctx, const char* type) {
  lianxin::v1::Event event;
  event.set_type(type);
  ToTimestamp(ctx.now, event.mutable_occurred_at());
  event.set_actor(ctx.actor);
  event.set_correlation_id(ctx.request_id);
  return event;
}

}  // namespace lianxin
