// The endpoints file and the county lxctl acts as (see endpoints.h).
#include "tools/lxctl/endpoints.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

namespace lianxin::lxctl {
namespace {

std::string CountyList(const EndpointsFile& file) {
  std::vector<std::string> codes;
  for (const auto& [code, county] : file.counties()) codes.push_back(code);
  std::sort(codes.begin(), codes.end());
  return absl::StrJoin(codes, ", ");
}

}  // namespace

std::string ResolveEndpointsPath(absl::string_view flag_value, const char* env_endpoints,
                                 const char* env_home,
                                 const std::vector<std::string>& standard_paths) {
  if (!flag_value.empty()) return std::string(flag_value);
  if (env_endpoints != nullptr && *env_endpoints != '\0') return env_endpoints;
  if (env_home != nullptr && *env_home != '\0') return absl::StrCat(env_home, "/endpoints.json");
  for (const std::string& path : standard_paths) {
    if (access(path.c_str(), F_OK) == 0) return path;
  }
  return "";
}

std::vector<std::string> StandardEndpointsPaths() {
  std::vector<std::string> paths;
  const char* config_home = std::getenv("XDG_CONFIG_HOME");
  const char* home = std::getenv("HOME");
  if (config_home != nullptr && *config_home != '\0') {
    paths.push_back(absl::StrCat(config_home, "/lianxin/endpoints.json"));
  } else if (home != nullptr && *home != '\0') {
    paths.push_back(absl::StrCat(home, "/.config/lianxin/endpoints.json"));
  }
  paths.push_back("/etc/lianxin/endpoints.json");
  return paths;
}

std::string EndpointsPath(absl::string_view flag_value) {
  return ResolveEndpointsPath(flag_value, std::getenv("LIANXIN_ENDPOINTS"),
                              std::getenv("LIANXIN_HOME"), StandardEndpointsPaths());
}

absl::StatusOr<EndpointsFile> ParseEndpoints(absl::string_view json, absl::string_view source) {
  EndpointsFile file;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &file, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("endpoints file ", source, " is not valid: ", status.message().ToString()));
  }
  if (file.counties().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("endpoints file ", source, " lists no county"));
  }
  return file;
}

absl::StatusOr<EndpointsFile> LoadEndpoints(const std::string& path) {
  if (path.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "no endpoints file: give --endpoints FILE, set LIANXIN_ENDPOINTS, or install one at ",
        absl::StrJoin(StandardEndpointsPaths(), " or "),
        " (deploy/local/up.sh links the first to the local deployment's)"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(
        "cannot read endpoints file ", path,
        " (give --endpoints FILE or set LIANXIN_ENDPOINTS, or start deploy/local/up.sh)"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseEndpoints(text.str(), path);
}

absl::StatusOr<County> SelectCounty(const EndpointsFile& file, absl::string_view source,
                                    absl::string_view code) {
  std::string chosen(code);
  if (chosen.empty()) {
    if (file.counties_size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("--county is needed: ", source, " has counties ", CountyList(file)));
    }
    chosen = file.counties().begin()->first;
  }
  const auto it = file.counties().find(chosen);
  if (it == file.counties().end()) {
    return absl::NotFoundError(absl::StrCat("county ", chosen, " is not in ", source,
                                            " (counties: ", CountyList(file), ")"));
  }
  const CountyEndpoints& endpoints = it->second;
  if (endpoints.token().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("county ", chosen, " has no token in ", source));
  }
  // A relative path is relative to the endpoints file, wherever lxctl runs.
  auto resolve = [source](const std::string& path) -> std::string {
    if (path.empty() || path.front() == '/') return path;
    const size_t slash = source.rfind('/');
    if (slash == absl::string_view::npos) return path;
    return absl::StrCat(source.substr(0, slash + 1), path);
  };
  return County{.code = chosen,
                .name = endpoints.name(),
                .token = endpoints.token(),
                .registry = endpoints.registry(),
                .contact = endpoints.contact(),
                .education = endpoints.education(),
                .appraisal = endpoints.appraisal(),
                .tls = {.cert_file = resolve(file.tls_cert()),
                        .key_file = resolve(file.tls_key()),
                        .ca_file = resolve(file.tls_ca())}};
}

std::string County::Address(absl::string_view service) const {
  if (service == "registry") return registry;
  if (service == "contact") return contact;
  if (service == "education") return education;
  if (service == "appraisal") return appraisal;
  return "";
}

}  // namespace lianxin::lxctl
