// Reading the files a process is configured with: PEM files, and secrets
// (private keys, token digests) that must be readable by their owner only.
//
//   ASSIGN_OR_RETURN(std::string key, ReadSecretFile("--tls_key", config.tls.key_file));
#ifndef LIANXIN_LIBS_RUNTIME_FILES_H_
#define LIANXIN_LIBS_RUNTIME_FILES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace lianxin {

// The whole file. NOT_FOUND naming `what` (e.g. "--tls_ca") and `path` if it
// cannot be read.
absl::StatusOr<std::string> ReadConfigFile(absl::string_view what, const std::string& path);

// As ReadConfigFile, for a secret: PERMISSION_DENIED naming `what`, `path` and
// its mode if its group or others may read or write it (want 0600 or 0400).
absl::StatusOr<std::string> ReadSecretFile(absl::string_view what, const std::string& path);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_RUNTIME_FILES_H_
