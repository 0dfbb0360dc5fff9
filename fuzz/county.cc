#include "fuzz/county.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/common/clock.h"
#include "libs/common/log.h"
#include "services/appraisal/projection.h"
#include "services/appraisal/reactions.h"
#include "services/appraisal/service.h"
#include "services/contact/projection.h"
#include "services/contact/reactions.h"
#include "services/contact/service.h"
#include "services/education/projection.h"
#include "services/education/reactions.h"
#include "services/education/service.h"
#include "services/registry/identity.h"
#include "services/registry/projection.h"
#include "services/registry/reactions.h"
#include "services/registry/service.h"

namespace lianxin::fuzz {
namespace {

constexpr const char* kServiceNames[FuzzCounty::kServices] = {"Registry", "ContactTracking",
                                                              "EducationScheduling", "Appraisal"};
constexpr const char* kStoreNames[FuzzCounty::kServices] = {"registry", "contact", "education",
                                                            "appraisal"};

template <typename T>
T OrDie(absl::StatusOr<T> value, const char* what) {
  if (!value.ok()) {
    std::fprintf(stderr, "fuzz county: %s: %s\n", what, value.status().ToString().c_str());
    std::abort();
  }
  return *std::move(value);
}

// A directory of its own under $TMPDIR, removed when the process ends normally.
struct ScratchDir {
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lianxin-fuzz-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string path;
};

}  // namespace

struct FuzzCounty::Parts {
  ScratchDir dir;
  ManualClock clock{
      absl::FromCivil(absl::CivilSecond(2026, 6, 15, 10, 0, 0), absl::FixedTimeZone(8 * 3600))};
  std::set<std::string> on_system{kCounty, "650102", "440305"};
  Authenticator authenticator =
      OrDie(Authenticator::FromText(
                absl::StrCat(DigestOfToken("fuzz-token"), " fuzz ", kCounty, " operator\n"),
                "fuzz tokens"),
            "tokens");
  RpcPlumbing plumbing{.authenticator = &authenticator, .handler_threads = 1};
  std::unique_ptr<EventStore> stores[kServices];
  registry::IdentityHasher hasher =
      OrDie(registry::IdentityHasher::FromKey("fuzz-identity-key-32-bytes-long!"), "hasher");
  std::unique_ptr<registry::RegistryProjection> registry_projection;
  std::unique_ptr<contact::ContactProjection> contact_projection;
  std::unique_ptr<education::EducationProjection> education_projection;
  std::unique_ptr<appraisal::AppraisalProjection> appraisal_projection;
  std::unique_ptr<UnaryService> services[kServices];
  std::unique_ptr<EventHandler> reactions[kServices];
  std::vector<std::string> topics[kServices];
  Principal callers[kCallers] = {
      {.operator_id = "fuzz-operator", .jurisdiction = kCounty, .role = Role::kOperator},
      {.operator_id = "fuzz-reader", .jurisdiction = kCounty, .role = Role::kReadonly},
      {.operator_id = "fuzz-partner", .jurisdiction = "650102", .role = Role::kOperator},
  };

  Parts() {
    // A quarantine or a refusal is a warning a service logs; here it is the
    // fuzzer's daily bread, and the log lines would cost more than the run.
    if (std::getenv("LIANXIN_FUZZ_VERBOSE") == nullptr) SetLogLevel(LogLevel::kError);
    for (int i = 0; i < kServices; ++i) {
      EventStoreOptions options{.path = absl::StrCat(dir.path, "/", kStoreNames[i]),
                                .clock = &clock,
                                // Each input commits; a WAL sync each would
                                // make the fuzzer a disk benchmark.
                                .sync = false};
      options.source.set_jurisdiction(kCounty);
      options.source.set_service(kStoreNames[i]);
      stores[i] = OrDie(EventStore::Open(options), "store");
    }
    registry_projection =
        std::make_unique<registry::RegistryProjection>(stores[0].get(), kCounty, [&] {
          registry::Settings settings;
          settings.on_system.insert(on_system.begin(), on_system.end());
          return settings;
        }());
    services[0] = std::make_unique<registry::RegistryService>(
        registry::RegistryServiceOptions{.projection = registry_projection.get(),
                                         .hasher = &hasher,
                                         .clock = &clock,
                                         .plumbing = plumbing});
    reactions[0] = std::make_unique<registry::RegistryReactions>(registry_projection.get(), &clock);
    topics[0] = registry::RegistryReactions::Topics(kCounty);

    contact_projection =
        std::make_unique<contact::ContactProjection>(stores[1].get(), kCounty, contact::Settings());
    services[1] = std::make_unique<contact::ContactService>(
        contact::ContactServiceOptions{.projection = contact_projection.get(),
                                       .clock = &clock,
                                       .plumbing = plumbing,
                                       .on_system = on_system});
    reactions[1] =
        std::make_unique<contact::ContactReactions>(contact_projection.get(), &clock, on_system);
    topics[1] = contact::ContactReactions::Topics(kCounty);

    education_projection = std::make_unique<education::EducationProjection>(
        stores[2].get(), kCounty, education::Settings());
    services[2] = std::make_unique<education::EducationService>(education::EducationServiceOptions{
        .projection = education_projection.get(), .clock = &clock, .plumbing = plumbing});
    reactions[2] =
        std::make_unique<education::EducationReactions>(education_projection.get(), &clock);
    topics[2] = education::EducationReactions::Topics(kCounty);

    appraisal_projection = std::make_unique<appraisal::AppraisalProjection>(
        stores[3].get(), kCounty, appraisal::Settings());
    services[3] = std::make_unique<appraisal::AppraisalService>(appraisal::AppraisalServiceOptions{
        .projection = appraisal_projection.get(), .clock = &clock, .plumbing = plumbing});
    reactions[3] = std::make_unique<appraisal::AppraisalReactions>(appraisal_projection.get());
    topics[3] = appraisal::AppraisalReactions::Topics(kCounty);
  }
};

FuzzCounty& FuzzCounty::Get() {
  // Destroyed at exit: the stores close and their directory goes.
  static std::unique_ptr<FuzzCounty> county = [] {
    std::unique_ptr<FuzzCounty> c(new FuzzCounty());
    c->parts_ = std::make_unique<Parts>();
    return c;
  }();
  return *county;
}

const char* FuzzCounty::ServiceName(int index) { return kServiceNames[index]; }
UnaryService& FuzzCounty::service(int index) { return *parts_->services[index]; }
EventHandler& FuzzCounty::reactions(int index) { return *parts_->reactions[index]; }
const std::vector<std::string>& FuzzCounty::topics(int index) const {
  return parts_->topics[index];
}
EventStore& FuzzCounty::store(int index) { return *parts_->stores[index]; }
const std::string& FuzzCounty::dir() const { return parts_->dir.path; }
const Principal& FuzzCounty::Caller(int index) const { return parts_->callers[index]; }

}  // namespace lianxin::fuzz
