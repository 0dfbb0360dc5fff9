// The files an operator installs, as their parsers read them: the endpoints
// file (JSON), the county directory (protobuf, signed by the root), a
// county's settings file, a service's token file and the gateway's staff
// accounts file.
//
// Input: one byte choosing the parser, then the file's bytes. The county
// directory is read twice: as it comes (the root's signature must refuse it
// unless it is one) and, if its bytes parse as a KeyDirectory, signed by the
// root, so the checks behind the signature are reached too.
//
// Finds: crashes, sanitizer reports, and a parser that accepts a file and
// then produces something its own checks forbid (aborts).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/common/county_settings.h"
#include "libs/runtime/auth.h"
#include "libs/trust/directory.h"
#include "libs/trust/keys.h"
#include "tools/lxctl/endpoints.h"
#include "tools/lxgateway/staff.h"

namespace {

void Require(bool holds, const char* what) {
  if (!holds) {
    std::fprintf(stderr, "accepted, yet %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lianxin;
  if (size < 1) return -1;
  const absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0: {
      absl::StatusOr<lxctl::EndpointsFile> file = lxctl::ParseEndpoints(text, "fuzz.json");
      if (file.ok()) Require(!file->counties().empty(), "the endpoints file lists no county");
      return 0;
    }
    case 1: {
      static const trust::PrivateKey* root = new trust::PrivateKey(*trust::PrivateKey::Generate());
      absl::StatusOr<trust::CountyDirectory> as_is =
          trust::CountyDirectory::FromSigned(text, root->public_key());
      Require(!as_is.ok(), "an unsigned directory was taken");
      trust::KeyDirectory directory;
      if (!directory.ParseFromArray(text.data(), static_cast<int>(text.size()))) return 0;
      absl::StatusOr<trust::SignedKeyDirectory> signed_directory =
          trust::SignDirectory(directory, *root);
      if (!signed_directory.ok()) return 0;
      absl::StatusOr<trust::CountyDirectory> parsed = trust::CountyDirectory::FromSigned(
          signed_directory->SerializeAsString(), root->public_key());
      if (parsed.ok()) {
        for (const std::string& county : parsed->Counties()) {
          Require(county.size() == 6, "a county code is not 6 digits");
        }
      }
      return 0;
    }
    case 2: {
      absl::StatusOr<CountySettings> settings = ParseCountySettings(text);
      if (settings.ok()) {
        Require(settings->service_month >= 1 && settings->service_month <= 12,
                "the service month is not 1-12");
      }
      return 0;
    }
    case 3: {
      absl::StatusOr<Authenticator> tokens = Authenticator::FromText(text, "fuzz tokens");
      if (tokens.ok()) Require(tokens->token_count() > 0, "a token file holds no token");
      return 0;
    }
    case 4:
      gateway::StaffAccounts::FromText(text, "fuzz staff").IgnoreError();
      return 0;
  }
  return 0;
}
