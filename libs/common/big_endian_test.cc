#include "libs/common/big_endian.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace lianxin {
namespace {

TEST(BigEndian64Test, RoundTripsAndSortsByNumber) {
  const std::vector<uint64_t> numbers = {
      0, 1, 255, 256, 65535, uint64_t{1} << 32, UINT64_MAX - 1, UINT64_MAX};
  for (size_t i = 0; i < numbers.size(); ++i) {
    const std::string bytes = BigEndian64(numbers[i]);
    EXPECT_EQ(bytes.size(), 8u);
    EXPECT_EQ(ParseBigEndian64(bytes), numbers[i]);
    if (i > 0) {
      EXPECT_LT(BigEndian64(numbers[i - 1]), bytes) << numbers[i];
    }
  }
  EXPECT_EQ(BigEndian64(0x0102030405060708), std::string("\x01\x02\x03\x04\x05\x06\x07\x08"));
}

TEST(BigEndian64Test, ParseRefusesAnythingButEightBytes) {
  EXPECT_FALSE(ParseBigEndian64("").has_value());
  EXPECT_FALSE(ParseBigEndian64("1234567").has_value());
  EXPECT_FALSE(ParseBigEndian64("123456789").has_value());
}

}  // namespace
}  // namespace lianxin
