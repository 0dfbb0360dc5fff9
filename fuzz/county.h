// One county's four services in this process, over real RocksDB stores in a
// temporary directory, for the fuzz targets: each service's handlers (the
// UnaryService behind the gRPC edge) and its reactions (what the consumer
// applies). The clock stands still at 2026-06-15 10:00 in the county. Logs
// only errors unless LIANXIN_FUZZ_VERBOSE is set.
//
//   FuzzCounty& county = FuzzCounty::Get();  // built once per process
//   county.service(0).Invoke("GetMember", county.Caller(0), bytes, &reply);
#ifndef LIANXIN_FUZZ_COUNTY_H_
#define LIANXIN_FUZZ_COUNTY_H_

#include <memory>
#include <string>
#include <vector>

#include "libs/bus/applier.h"
#include "libs/runtime/auth.h"
#include "libs/runtime/rpc.h"

namespace lianxin::fuzz {

inline constexpr char kCounty[] = "654322";  // 富蕴县, the Fuyun scenario's home

class FuzzCounty {
 public:
  // The process's county, built on first use; stops the process if it cannot
  // be built (the fuzz target is then broken, not the input).
  static FuzzCounty& Get();

  // Registry, ContactTracking, EducationScheduling, Appraisal.
  static constexpr int kServices = 4;
  // "Registry", "ContactTracking", "EducationScheduling", "Appraisal".
  static const char* ServiceName(int index);

  UnaryService& service(int index);
  // The reactions of service `index` and the topics it consumes.
  EventHandler& reactions(int index);
  const std::vector<std::string>& topics(int index) const;
  EventStore& store(int index);
  // The county's scratch directory (removed at exit), for other files a test needs.
  const std::string& dir() const;

  // The callers a request may come from: 0 an operator of the county, 1 a
  // readonly user of the county, 2 an operator of a partner county (650102).
  static constexpr int kCallers = 3;
  const Principal& Caller(int index) const;

  struct Parts;  // the stores, projections, services and reactions

 private:
  FuzzCounty() = default;
  std::unique_ptr<Parts> parts_;
};

}  // namespace lianxin::fuzz

#endif  // LIANXIN_FUZZ_COUNTY_H_
