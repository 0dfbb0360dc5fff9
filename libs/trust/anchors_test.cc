#include "libs/trust/anchors.h"

#include "gtest/gtest.h"
#include "libs/testing/testing.h"

namespace lianxin::trust {
namespace {

using ::lianxin::testing::TempDir;

class AnchorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = *PrivateKey::Generate();
    county_ = *PrivateKey::Generate();
    KeyDirectory directory;
    CountyKey* entry = directory.add_keys();
    entry->set_key_id(county_.key_id());
    entry->set_jurisdiction("654322");
    entry->set_public_key(county_.public_key().raw());
    directory_ = std::make_unique<CountyDirectory>(*CountyDirectory::FromSigned(
        SignDirectory(directory, root_)->SerializeAsString(), root_.public_key()));
    signer_ = std::make_unique<CountySigner>(county_);
  }

  std::unique_ptr<EventStore> Open(const std::string& path, const std::string& jurisdiction) {
    Source source;
    source.set_jurisdiction(jurisdiction);
    source.set_service("registry");
    return *EventStore::Open({.path = path, .source = source, .signer = signer_.get()});
  }

  // Appends `n` events whose payload starts with `text`.
  void Write(EventStore& store, const std::string& text, int n) {
    for (int i = 0; i < n; ++i) {
      Transaction txn;
      Event event;
      event.set_type("Opaque");
      event.set_opaque(absl::StrCat(text, i));
      const std::string id = absl::StrCat(text, "-", i);
      txn.Append(id, 0, {event}, "");
      ASSERT_TRUE(store.Commit(std::move(txn)).ok());
    }
  }

  // Keeps `anchor` in `holder` as the keeper does.
  void Keep(EventStore& holder, const Anchor& anchor) {
    Transaction txn;
    txn.Put(Family::kApplied,
            AnchorRowKey(anchor.jurisdiction(), anchor.service(), anchor.sequence()),
            anchor.hash());
    ASSERT_TRUE(holder.Commit(std::move(txn)).ok());
  }

  PrivateKey root_, county_;
  std::unique_ptr<CountyDirectory> directory_;
  std::unique_ptr<CountySigner> signer_;
};

TEST_F(AnchorsTest, SignedAnchorVerifiesAndAnyChangeIsRefused) {
  TempDir dir;
  std::unique_ptr<EventStore> log = Open(dir.Sub("log"), "654322");
  Write(*log, "genuine", 3);
  absl::StatusOr<Anchor> head = HeadOf(*log, absl::Now());
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->sequence(), 3u);
  absl::StatusOr<SignedAnchor> signed_anchor = SignAnchor(*head, *signer_);
  ASSERT_TRUE(signed_anchor.ok());
  absl::StatusOr<Anchor> seen = VerifyAnchor(signed_anchor->SerializeAsString(), *directory_);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->hash(), head->hash());

  Anchor forged = *head;
  forged.set_sequence(2);
  SignedAnchor replayed = *signed_anchor;
  replayed.set_anchor(forged.SerializeAsString());
  EXPECT_EQ(VerifyAnchor(replayed.SerializeAsString(), *directory_).status().code(),
            absl::StatusCode::kUnauthenticated);
  Anchor neighbour = *head;
  neighbour.set_jurisdiction("650102");  // a county speaking for another
  absl::StatusOr<SignedAnchor> posing = SignAnchor(neighbour, *signer_);
  EXPECT_EQ(VerifyAnchor(posing->SerializeAsString(), *directory_).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AnchorsTest, LogRewrittenWithRecomputedHashesDisagreesWithItsAnchors) {
  TempDir dir;
  std::unique_ptr<EventStore> log = Open(dir.Sub("log"), "654322");
  std::unique_ptr<EventStore> partner = Open(dir.Sub("partner"), "650102");
  Write(*log, "genuine", 5);
  Keep(*partner, *HeadOf(*log, absl::Now()));
  Write(*log, "later", 2);
  Keep(*partner, *HeadOf(*log, absl::Now()));
  uint64_t checked = 0;
  EXPECT_TRUE(CheckAnchors(*log, *partner, "654322", "registry", &checked).ok());
  EXPECT_EQ(checked, 2u);

  // The same county's log written again with other content: its own chain
  // holds (every hash recomputed, even signed with the county's key).
  std::unique_ptr<EventStore> rewritten = Open(dir.Sub("rewritten"), "654322");
  Write(*rewritten, "rewritten", 7);
  ChainVerifier chain;
  ASSERT_TRUE(rewritten
                  ->ScanLog(1,
                            [&](const Event& event) {
                              EXPECT_TRUE(chain.Add(event).ok());
                              return true;
                            })
                  .ok());
  checked = 0;
  absl::Status caught = CheckAnchors(*rewritten, *partner, "654322", "registry", &checked);
  EXPECT_EQ(caught.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(caught.message().find("sequence 5"), std::string::npos) << caught;

  // A log cut short of what was anchored.
  std::unique_ptr<EventStore> truncated = Open(dir.Sub("truncated"), "654322");
  Write(*truncated, "genuine", 5);
  checked = 0;
  EXPECT_EQ(CheckAnchors(*truncated, *partner, "654322", "registry", &checked).code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace lianxin::trust
