// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status code (abseil 20220623 has none).
//
//   ASSIGN_OR_RETURN(Aggregate agg, store.ReadAggregate(id));
//   RETURN_IF_ERROR(store.Commit(txn).status());
#ifndef LIANXIN_LIBS_COMMON_STATUS_MACROS_H_
#define LIANXIN_LIBS_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define LX_CONCAT_INNER_(a, b) a##b
#define LX_CONCAT_(a, b) LX_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                                  \
  do {                                                                         \
    if (absl::Status lx_status_ = (expr); !lx_status_.ok()) return lx_status_; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(LX_CONCAT_(lx_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)   \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(tmp).value()

#endif  // LIANXIN_LIBS_COMMON_STATUS_MACROS_H_
