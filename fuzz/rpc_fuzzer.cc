// Every RPC of the four services, with raw request bytes: parsing, validation,
// authorization, the decision and the commit, exactly as the gRPC edge runs
// them after authentication (UnaryService::Invoke), on real RocksDB stores.
//
// Input: "<Service>/<Method>\n", one byte choosing the caller (FuzzCounty::
// Caller: operator, readonly, partner county), then the request as it would
// arrive on the wire. E.g. "Registry/GetMember\n" "\0" <GetMemberRequest bytes>.
//
// LIANXIN_FUZZ_VERBOSE=1 prints each call's answer (to see what a corpus reaches).
//
// Finds: crashes, sanitizer reports, and an answer that is neither OK nor one
// of the codes a handler may give a bad request (api-contract.md): anything
// else (UNKNOWN, INTERNAL, DATA_LOSS) aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "fuzz/county.h"

namespace {

bool IsAnswerToABadRequest(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using lianxin::fuzz::FuzzCounty;
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == absl::string_view::npos || newline + 1 >= input.size()) return -1;
  const absl::string_view rpc = input.substr(0, newline);
  const size_t slash = rpc.find('/');
  if (slash == absl::string_view::npos) return -1;
  const absl::string_view service_name = rpc.substr(0, slash);
  const absl::string_view method = rpc.substr(slash + 1);
  const int caller = static_cast<uint8_t>(input[newline + 1]) % FuzzCounty::kCallers;
  const absl::string_view request = input.substr(newline + 2);

  FuzzCounty& county = FuzzCounty::Get();
  for (int s = 0; s < FuzzCounty::kServices; ++s) {
    if (service_name != FuzzCounty::ServiceName(s)) continue;
    std::string reply;
    const absl::Status status =
        county.service(s).Invoke(method, county.Caller(caller), request, &reply);
    static const bool verbose = std::getenv("LIANXIN_FUZZ_VERBOSE") != nullptr;
    if (verbose) {
      std::fprintf(stderr, "%.*s (caller %d): %s\n", static_cast<int>(rpc.size()), rpc.data(),
                   caller, status.ToString().c_str());
    }
    if (!IsAnswerToABadRequest(status)) {
      std::fprintf(stderr, "%.*s answered %s\n", static_cast<int>(rpc.size()), rpc.data(),
                   status.ToString().c_str());
      std::abort();
    }
    return 0;
  }
  return -1;
}
