// Finding a deployment's services: the endpoints file (api-contract.md, "Local
// deployment") and the county lxctl acts as.
//
// The file is `--endpoints FILE`, else $LIANXIN_ENDPOINTS, else
// $LIANXIN_HOME/endpoints.json, else the first that exists of the user's
// $XDG_CONFIG_HOME/lianxin/endpoints.json (~/.config/…; deploy/local/up.sh
// links it to the local deployment's file) and the system's
// /etc/lianxin/endpoints.json. Never a path inside the build or source tree.
//
//   std::string path = EndpointsPath(flag_value);
//   ASSIGN_OR_RETURN(EndpointsFile file, LoadEndpoints(path));
//   ASSIGN_OR_RETURN(County county, SelectCounty(file, path, "654322"));
//   // county.registry == "127.0.0.1:17101", county.token == "…"
#ifndef LIANXIN_TOOLS_LXCTL_ENDPOINTS_H_
#define LIANXIN_TOOLS_LXCTL_ENDPOINTS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/runtime/config.h"
#include "tools/lxctl/endpoints.pb.h"

namespace lianxin::lxctl {

// The county lxctl acts as, with its token and its services' addresses.
struct County {
  std::string code;  // 6-digit county code
  std::string name;
  std::string token;
  // host:port of each service; empty when not deployed.
  std::string registry;
  std::string contact;
  std::string education;
  std::string appraisal;
  // CA, client certificate and key for the channels (all empty = plaintext),
  // paths resolved against the endpoints file's directory.
  TlsFiles tls;

  // The address of `service` ("registry", "contact", …); empty if unknown.
  std::string Address(absl::string_view service) const;
};

// The endpoints file to read, from the first that is set of: `flag_value`,
// `env_endpoints` ($LIANXIN_ENDPOINTS), `env_home` + "/endpoints.json"
// ($LIANXIN_HOME); else the first of `standard_paths` that exists; else "".
// Null or empty means unset.
std::string ResolveEndpointsPath(absl::string_view flag_value, const char* env_endpoints,
                                 const char* env_home,
                                 const std::vector<std::string>& standard_paths);
// The per-user and the system-wide endpoints file, in that order.
std::vector<std::string> StandardEndpointsPaths();
// As ResolveEndpointsPath, from the environment and the standard paths.
std::string EndpointsPath(absl::string_view flag_value);

// Parses the file's JSON text; unknown keys are ignored. INVALID_ARGUMENT
// naming `source` if it is not JSON of that shape or lists no county.
absl::StatusOr<EndpointsFile> ParseEndpoints(absl::string_view json, absl::string_view source);
// Reads and parses the file at `path`; NOT_FOUND if it cannot be read (or
// `path` is empty: no file was found), naming where to put one.
absl::StatusOr<EndpointsFile> LoadEndpoints(const std::string& path);

// The county `code` of `file` (read from `source`); with an empty `code`, the
// only county. NOT_FOUND naming the counties there if `code` is not one of
// them; INVALID_ARGUMENT listing them if `code` is empty and there are several;
// FAILED_PRECONDITION if the county has no token. The file's tls_* paths are
// resolved against `source`'s directory.
absl::StatusOr<County> SelectCounty(const EndpointsFile& file, absl::string_view source,
                                    absl::string_view code);

}  // namespace lianxin::lxctl

#endif  // LIANXIN_TOOLS_LXCTL_ENDPOINTS_H_
