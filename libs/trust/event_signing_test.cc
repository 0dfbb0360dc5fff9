#include "libs/trust/event_signing.h"

#include "gtest/gtest.h"
#include "libs/testing/testing.h"

namespace lianxin::trust {
namespace {

using ::lianxin::testing::TempDir;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

class EventSigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = *PrivateKey::Generate();
    county_ = *PrivateKey::Generate();
    rotated_ = *PrivateKey::Generate();
    rogue_ = *PrivateKey::Generate();
    KeyDirectory directory;
    for (const PrivateKey* key : {&county_, &rotated_}) {
      CountyKey* entry = directory.add_keys();
      entry->set_key_id(key->key_id());
      entry->set_jurisdiction("654322");
      entry->set_public_key(key->public_key().raw());
      *entry->mutable_valid_from() = At(kT0);
    }
    directory_ = std::make_unique<CountyDirectory>(*CountyDirectory::FromSigned(
        SignDirectory(directory, root_)->SerializeAsString(), root_.public_key()));
  }

  Event Signed(const PrivateKey& key) {
    Event event;
    event.mutable_source()->set_jurisdiction("654322");
    event.mutable_source()->set_service("registry");
    event.set_aggregate_id("m-1");
    event.set_version(1);
    event.set_type("OutflowRegistered");
    *event.mutable_recorded_at() = At(kT0 + absl::Hours(1));
    CountySigner signer(key);
    EXPECT_TRUE(signer.Sign(event).ok());
    event.set_hash(ComputeEventHash(event));
    return event;
  }

  PrivateKey root_, county_, rotated_, rogue_;
  std::unique_ptr<CountyDirectory> directory_;
};

TEST_F(EventSigningTest, SignedEventVerifiesUnderEitherKeyOfItsCounty) {
  EXPECT_TRUE(VerifyEventSignature(Signed(county_), *directory_).ok());
  EXPECT_TRUE(VerifyEventSignature(Signed(rotated_), *directory_).ok());
}

TEST_F(EventSigningTest, SignatureCoversTheCanonicalBytesButNotTheRouteVersion) {
  Event event = Signed(county_);
  event.set_route_version(7);  // set by the relay on an inbox copy
  EXPECT_TRUE(VerifyEventSignature(event, *directory_).ok());
  Event changed = event;
  changed.set_aggregate_id("m-2");
  EXPECT_EQ(VerifyEventSignature(changed, *directory_).code(), absl::StatusCode::kUnauthenticated);
  Event bumped = event;
  bumped.set_version(2);  // a replay with a bumped version
  EXPECT_EQ(VerifyEventSignature(bumped, *directory_).code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(EventSigningTest, EventClaimingAnotherCountyIsRefused) {
  Event event = Signed(county_);
  event.mutable_source()->set_jurisdiction("654323");
  EXPECT_EQ(VerifyEventSignature(event, *directory_).code(), absl::StatusCode::kNotFound);
}

TEST_F(EventSigningTest, UnsignedOrUnknownKeyIsRefused) {
  Event unsigned_event = Signed(county_);
  unsigned_event.clear_signature();
  unsigned_event.clear_signing_key_id();
  EXPECT_EQ(VerifyEventSignature(unsigned_event, *directory_).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(VerifyEventSignature(Signed(rogue_), *directory_).code(), absl::StatusCode::kNotFound);
  // A rogue key under a genuine key's id.
  Event impostor = Signed(rogue_);
  impostor.set_signing_key_id(county_.key_id());
  EXPECT_EQ(VerifyEventSignature(impostor, *directory_).code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(EventSigningTest, SignerReadsARotatedKeyFileWithoutRestart) {
  TempDir dir;
  ASSERT_TRUE(county_.WritePem(dir.Sub("county.key")).ok());
  absl::StatusOr<std::unique_ptr<CountySigner>> signer = CountySigner::Open(dir.Sub("county.key"));
  ASSERT_TRUE(signer.ok()) << signer.status();
  EXPECT_EQ((*signer)->key_id(), county_.key_id());
  ASSERT_TRUE(rotated_.WritePem(dir.Sub("county.key")).ok());
  EXPECT_TRUE(::lianxin::testing::WaitFor([&] { return (*signer)->key_id() == rotated_.key_id(); },
                                          absl::Seconds(10)));
}

TEST_F(EventSigningTest, StoreSignsEveryAppendedEventAndTheChainStillHolds) {
  TempDir dir;
  CountySigner signer(county_);
  Source source;
  source.set_jurisdiction("654322");
  source.set_service("registry");
  absl::StatusOr<std::unique_ptr<EventStore>> store =
      EventStore::Open({.path = dir.Sub("db"), .source = source, .signer = &signer});
  ASSERT_TRUE(store.ok()) << store.status();
  for (int i = 0; i < 3; ++i) {
    Transaction txn;
    Event event;
    event.set_type("Opaque");
    event.set_opaque("payload");
    txn.Append("m-1", static_cast<uint64_t>(i), {event}, "state");
    ASSERT_TRUE((*store)->Commit(std::move(txn)).ok());
  }
  ChainVerifier chain;
  int verified = 0;
  ASSERT_TRUE((*store)
                  ->ScanLog(1,
                            [&](const Event& event) {
                              EXPECT_TRUE(chain.Add(event).ok());
                              EXPECT_EQ(event.signing_key_id(), county_.key_id());
                              // recorded_at is the real clock's now, after kT0.
                              EXPECT_TRUE(VerifyEventSignature(event, *directory_).ok());
                              ++verified;
                              return true;
                            })
                  .ok());
  EXPECT_EQ(verified, 3);
}

}  // namespace
}  // namespace lianxin::trust
