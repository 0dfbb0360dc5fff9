// The RPC the calling thread is serving for UnaryService: who called, which
// method, and the request as parsed. For code below a handler that must key its
// work by them without every handler passing them down (the command kernel's
// idempotency records, libs/service/idempotency.h).
//
//   if (const CurrentRpc* rpc = CurrentRpcCall(); rpc != nullptr) {
//     ... rpc->caller->operator_id, rpc->method, rpc->request->GetDescriptor() ...
//   }
#ifndef LIANXIN_LIBS_RUNTIME_CURRENT_RPC_H_
#define LIANXIN_LIBS_RUNTIME_CURRENT_RPC_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "libs/common/metrics.h"
#include "libs/runtime/auth.h"

namespace lianxin {

struct CurrentRpc {
  const Principal* caller = nullptr;                   // authenticated; never null
  absl::string_view method;                            // "/lianxin.v1.Registry/RecordReturn"
  const google::protobuf::Message* request = nullptr;  // as parsed; never null
  // Where a command observes its stages (may be null), and how long the call
  // waited in the server's queue for a handler thread.
  Metrics* metrics = nullptr;
  absl::Duration queued;
  // Set by the command kernel when the call's commit is durable: the reply
  // stage runs from here to the reply handed to gRPC.
  mutable absl::Time committed_at = absl::InfinitePast();
};

// The RPC the calling thread is handling, or null if it handles none. Valid
// until the handler returns.
const CurrentRpc* CurrentRpcCall();

// Makes `rpc` the calling thread's CurrentRpcCall() for its lifetime (then the
// previous one again). UnaryService sets it around each handler; tests of code
// below handlers set it themselves. `rpc` and what it points to must outlive it.
class ScopedCurrentRpc {
 public:
  explicit ScopedCurrentRpc(const CurrentRpc* rpc);
  ScopedCurrentRpc(const ScopedCurrentRpc&) = delete;
  ScopedCurrentRpc& operator=(const ScopedCurrentRpc&) = delete;
  ~ScopedCurrentRpc();

 private:
  const CurrentRpc* previous_;
};

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_CURRENT_RPC_H_
