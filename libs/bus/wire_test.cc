#include "libs/bus/wire.h"

#include "gtest/gtest.h"

namespace lianxin {
namespace {

TEST(Wire, BigEndian64_RoundTripsAndSortsByNumber) {
  for (uint64_t n : {0ull, 1ull, 255ull, 256ull, 0x0102030405060708ull, ~0ull}) {
    EXPECT_EQ(ParseBigEndian64(BigEndian64(n)), n);
  }
  EXPECT_LT(BigEndian64(255), BigEndian64(256));
  EXPECT_FALSE(ParseBigEndian64("short").has_value());
}

TEST(Wire, StreamOrderOf_InboxServiceAndOtherTopics) {
  EXPECT_EQ(StreamOrderOf("lx.654322.inbox.v1"), StreamOrder::kRouteVersion);
  EXPECT_EQ(StreamOrderOf("lx.654322.registry.v1"), StreamOrder::kVersion);
  EXPECT_EQ(StreamOrderOf("lx.identity.v1"), StreamOrder::kIncreasingVersion);
  EXPECT_EQ(StreamOrderOf("something"), StreamOrder::kIncreasingVersion);
}

TEST(Wire, DeliveryValue_CarriesRouteVersionOfTheDelivery) {
  Event event;
  event.set_aggregate_id("m-1");
  event.set_version(4);
  Delivery delivery;
  delivery.set_topic("lx.650102.inbox.v1");
  delivery.set_route_version(2);
  Event decoded;
  ASSERT_TRUE(decoded.ParseFromString(EncodeDeliveryValue(event, delivery)));
  EXPECT_EQ(decoded.route_version(), 2u);
  EXPECT_EQ(decoded.version(), 4u);
  EXPECT_EQ(DeliveryKey(event, delivery), "m-1");
  delivery.set_key("idhash");
  EXPECT_EQ(DeliveryKey(event, delivery), "idhash");
}

TEST(Wire, AppliedMarkerKey_NamesTheStream) {
  Event event;
  event.mutable_source()->set_jurisdiction("654322");
  event.mutable_source()->set_service("registry");
  event.set_aggregate_id("m-1");
  EXPECT_EQ(AppliedMarkerKey(StreamOrder::kVersion, "lx.654322.registry.v1", event),
            "ver/654322/registry/m-1");
  EXPECT_EQ(AppliedMarkerKey(StreamOrder::kRouteVersion, "lx.650102.inbox.v1", event),
            "route/654322/registry/m-1");
  EXPECT_EQ(AppliedMarkerKey(StreamOrder::kIncreasingVersion, "lx.identity.v1", event),
            "topic/lx.identity.v1/654322/registry/m-1");
}

}  // namespace
}  // namespace lianxin
