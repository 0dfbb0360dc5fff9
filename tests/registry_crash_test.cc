// kill -9 of a registry under load (label fault): every command it
// acknowledged survives the crash, a retry of a command it never answered
// (same request_id) is answered once, and once the stream is quiet the
// destination agrees with the origin about every shared member.
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

// A command the registry answered OK: the member and its version then.
struct Acknowledged {
  std::string member_id;
  uint64_t version = 0;
  std::string type;  // the event it stored
};

// The client's record of the load, shared by its threads.
class Ledger {
 public:
  void Ack(Acknowledged a) {
    absl::MutexLock lock(&mu_);
    acked_.push_back(std::move(a));
  }
  void Unanswered(v1::RegisterMemberRequest r) {
    absl::MutexLock lock(&mu_);
    unanswered_registrations_.push_back(std::move(r));
  }
  void Unanswered(v1::RegisterOutflowRequest r) {
    absl::MutexLock lock(&mu_);
    unanswered_outflows_.push_back(std::move(r));
  }
  size_t acked() const {
    absl::MutexLock lock(&mu_);
    return acked_.size();
  }
  std::vector<Acknowledged> all_acked() const {
    absl::MutexLock lock(&mu_);
    return acked_;
  }
  std::vector<v1::RegisterMemberRequest> unanswered_registrations() const {
    absl::MutexLock lock(&mu_);
    return unanswered_registrations_;
  }
  std::vector<v1::RegisterOutflowRequest> unanswered_outflows() const {
    absl::MutexLock lock(&mu_);
    return unanswered_outflows_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Acknowledged> acked_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::RegisterMemberRequest> unanswered_registrations_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::RegisterOutflowRequest> unanswered_outflows_ ABSL_GUARDED_BY(mu_);
};

// Registers people at Fuyun and sends every second one to Tianshan, until a
// call fails (the registry is gone); records every reply.
void Load(std::shared_ptr<grpc::Channel> channel, Ledger* ledger) {
  std::unique_ptr<v1::Registry::Stub> stub = v1::Registry::NewStub(channel);
  auto context = [](grpc::ClientContext* c) {
    c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    c->AddMetadata("authorization", "Bearer " + OperatorToken(kFuyun));
  };
  for (int i = 0;; ++i) {
    const v1::RegisterMemberRequest registration =
        Registration(kFuyun, NewPerson("负载" + std::to_string(i)));
    v1::RegisterMemberReply registered;
    grpc::ClientContext c1;
    context(&c1);
    if (!stub->RegisterMember(&c1, registration, &registered).ok()) {
      ledger->Unanswered(registration);
      return;
    }
    ledger->Ack({registered.member_id(), registered.version(), "MemberRegistered"});
    if (i % 2 == 1) continue;
    const v1::RegisterOutflowRequest outflow = Outflow(registered.member_id(), kTianshan);
    v1::MutationReply moved;
    grpc::ClientContext c2;
    context(&c2);
    if (!stub->RegisterOutflow(&c2, outflow, &moved).ok()) {
      ledger->Unanswered(outflow);
      return;
    }
    ledger->Ack({registered.member_id(), moved.version(), "OutflowRegistered"});
  }
}

class RegistryCrashTest : public RegistryClusterTest {
 protected:
  std::vector<std::string> Counties() const override { return {kFuyun, kTianshan}; }
};

TEST_F(RegistryCrashTest, KilledMidLoad_KeepsEveryAcknowledgedCommand_AndSidesConverge) {
  Ledger ledger;
  std::vector<std::thread> clients;
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back(Load, cluster().NewChannel(cluster().address(kFuyun)), &ledger);
  }
  ASSERT_TRUE(WaitFor([&] { return ledger.acked() >= 150; }, absl::Seconds(40)))
      << ledger.acked() << " commands acknowledged";
  cluster().KillRegistry(kFuyun);
  for (std::thread& t : clients) t.join();
  const std::vector<Acknowledged> acked = ledger.all_acked();

  std::cout << acked.size() << " commands acknowledged before the kill, "
            << ledger.unanswered_registrations().size() + ledger.unanswered_outflows().size()
            << " unanswered\n";
  LX_ASSERT_OK(cluster().StartRegistry(kFuyun));

  // Every acknowledged command is there.
  std::map<std::string, std::vector<v1::HistoryEntry>> histories;
  for (const Acknowledged& a : acked) {
    SCOPED_TRACE(absl::StrCat(a.member_id, " ", a.type, " v", a.version));
    LX_ASSERT_OK_AND_ASSIGN(v1::Member m, cluster().Get(kFuyun, a.member_id));
    EXPECT_GE(m.version(), a.version);
    if (!histories.contains(a.member_id)) {
      LX_ASSERT_OK_AND_ASSIGN(histories[a.member_id], cluster().History(kFuyun, a.member_id));
    }
    const std::vector<v1::HistoryEntry>& h = histories[a.member_id];
    ASSERT_GE(h.size(), a.version);
    EXPECT_EQ(h[a.version - 1].type(), a.type);
    EXPECT_EQ(h[a.version - 1].version(), a.version);
  }

  // A retry of each unanswered command, with its request_id, is answered
  // (the first reply if it had been stored) and stores it once.
  for (const v1::RegisterMemberRequest& r : ledger.unanswered_registrations()) {
    v1::RegisterMemberReply reply;
    LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::RegisterMember, r, &reply));
    LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> h,
                            cluster().History(kFuyun, reply.member_id()));
    EXPECT_EQ(h.size(), 1u);
  }
  for (const v1::RegisterOutflowRequest& r : ledger.unanswered_outflows()) {
    v1::MutationReply reply;
    LX_ASSERT_OK(cluster().Call(kFuyun, &v1::Registry::Stub::RegisterOutflow, r, &reply));
    EXPECT_EQ(reply.version(), 2u);
    LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> h,
                            cluster().History(kFuyun, r.member_id()));
    EXPECT_EQ(h.size(), 2u);
  }

  // Once quiet, Tianshan agrees with Fuyun about every member sent there
  // (acknowledged or not), and holds no other.
  LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::Member> at_fuyun, cluster().ListAll(kFuyun));
  std::map<std::string, std::string> expected;
  for (const v1::Member& m : at_fuyun) {
    EXPECT_EQ(m.version(), m.status() == v1::MEMBER_STATUS_OUTFLOW_PENDING ? 2u : 1u);
    if (m.status() == v1::MEMBER_STATUS_OUTFLOW_PENDING) expected[m.member_id()] = SharedView(m);
  }
  ASSERT_GT(expected.size(), 40u);
  std::string differences;
  const bool agree = WaitFor(
      [&] {
        differences.clear();
        absl::StatusOr<std::vector<v1::Member>> at_tianshan = cluster().ListAll(kTianshan);
        if (!at_tianshan.ok()) return false;
        std::map<std::string, std::string> seen;
        for (const v1::Member& m : *at_tianshan) seen[m.member_id()] = SharedView(m);
        if (seen.size() != expected.size()) {
          absl::StrAppend(&differences, seen.size(), " members at Tianshan, ", expected.size(),
                          " sent\n");
        }
        for (const auto& [id, view] : expected) {
          auto it = seen.find(id);
          const std::string there = it == seen.end() ? "(absent)" : it->second;
          if (there != view) absl::StrAppend(&differences, id, ": ", there, " vs ", view, "\n");
        }
        return differences.empty();
      },
      absl::Seconds(45));
  EXPECT_TRUE(agree) << differences.substr(0, 3000);
}

}  // namespace
}  // namespace lianxin::registry_test
