#include "libs/common/big_endian.h"

namespace lianxin {

std::string BigEndian64(uint64_t n) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(n & 0xff);
    n >>= 8;
  }
  return out;
}

std::optional<uint64_t> ParseBigEndian64(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  uint64_t n = 0;
  for (unsigned char c : bytes) n = (n << 8) | c;
  return n;
}

}  // namespace lianxin
