// The one big-endian encoding of 64-bit numbers, for keys that must sort by
// number (RocksDB's bytewise order): log sequences, versions, markers, anchors.
//
//   std::string key = absl::StrCat("anchor/", BigEndian64(sequence));
//   std::optional<uint64_t> n = ParseBigEndian64(value);  // nullopt unless 8 bytes
#ifndef LIANXIN_LIBS_COMMON_BIG_ENDIAN_H_
#define LIANXIN_LIBS_COMMON_BIG_ENDIAN_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace lianxin {

// 8 bytes, most significant first, so that keys sort by number.
std::string BigEndian64(uint64_t n);
// The inverse; nullopt unless `bytes` is 8 bytes long.
std::optional<uint64_t> ParseBigEndian64(absl::string_view bytes);

}  // namespace lianxin

#endif  // LIANXIN_LIBS_COMMON_BIG_ENDIAN_H_
