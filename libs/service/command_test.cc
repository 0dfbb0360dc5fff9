#include "libs/service/command.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lianxin/v1/registry.pb.h"
#include "libs/common/clock.h"
#include "libs/common/status_macros.h"
#include "libs/runtime/current_rpc.h"
#include "libs/testing/testing.h"

namespace lianxin {
namespace {

using ::lianxin::testing::TempDir;
using lianxin::v1::Event;
using lianxin::v1::MutationReply;

// A test aggregate: the types of its events, in order, and the ids they were
// stamped with ("type@aggregate").
using Types = std::vector<std::string>;

class CommandKernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventStoreOptions options;
    options.path = dir_.Sub("store");
    options.source.set_jurisdiction("654322");
    options.source.set_service("registry");
    options.clock = &clock_;
    options.idempotency_retention = absl::Hours(1);
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    kind_.load = [this](const std::string& id) -> absl::StatusOr<Loaded<Types>> {
      ++loads_;
      absl::StatusOr<Aggregate> aggregate = store_->ReadAggregate(id);
      if (absl::IsNotFound(aggregate.status())) return Loaded<Types>{};
      if (!aggregate.ok()) return aggregate.status();
      Types types;
      if (!aggregate->state.empty()) types = absl::StrSplit(aggregate->state, ',');
      return Loaded<Types>{types, aggregate->version};
    };
    kind_.evolve = [](Types types, const Event& event) {
      types.push_back(absl::StrCat(event.type(), "@", event.aggregate_id()));
      return types;
    };
    kind_.stage = [](Transaction& txn, const std::string& id, const Loaded<Types>& before,
                     Events events, const Types& after) {
      txn.Append(id, before.version, std::move(events), absl::StrJoin(after, ","));
    };
  }

  static Event NewTyped(const char* type) {
    Event event;
    event.set_type(type);
    return event;
  }

  // A command adding one event of `type` to `id`, replying its version.
  absl::Status AddOne(const CommandKernel& kernel, const std::string& request_id,
                      const std::string& id, const char* type, MutationReply* reply) {
    return kernel.Run({.method = "/test.Service/AddOne", .request_id = request_id, .reply = reply},
                      [&](UnitOfWork& work) -> absl::Status {
                        ASSIGN_OR_RETURN(auto* pending, work.Add(kind_, id, NewTyped(type)));
                        reply->set_version(pending->version());
                        return absl::OkStatus();
                      });
  }

  absl::StatusOr<Types> Stored(const std::string& id) {
    ASSIGN_OR_RETURN(Loaded<Types> loaded, kind_.load(id));
    return loaded.state;
  }

  TempDir dir_;
  ManualClock clock_{absl::FromUnixSeconds(1790000000)};
  std::unique_ptr<EventStore> store_;
  AggregateKind<Types> kind_;
  int loads_ = 0;
  // The RPC the commands run in: idempotency records are keyed by its caller
  // and hold its request's digest.
  Principal caller_{.operator_id = "op-zhang", .jurisdiction = "654322", .role = Role::kOperator};
  lianxin::v1::RegisterOutflowRequest request_ = [] {
    lianxin::v1::RegisterOutflowRequest r;
    r.set_member_id("m-1");
    r.set_destination_jurisdiction("650102");
    return r;
  }();
  CurrentRpc rpc_{&caller_, "/test.Service/AddOne", &request_};
  ScopedCurrentRpc current_rpc_{&rpc_};
};

TEST_F(CommandKernelTest, CommitsEventsStampedWithTheirAggregateAndCallsTheHookOnce) {
  int commits = 0;
  const CommandKernel kernel(store_.get(), [&] { ++commits; });
  MutationReply reply;
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &reply).ok());
  EXPECT_EQ(reply.version(), 1u);
  EXPECT_EQ(commits, 1);
  absl::StatusOr<Types> stored = Stored("m-1");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, Types({"MemberRegistered@m-1"}));
}

TEST_F(CommandKernelTest, AKnownRequestIdReplaysTheFirstReplyWithoutDecidingAgain) {
  int commits = 0;
  const CommandKernel kernel(store_.get(), [&] { ++commits; });
  MutationReply first;
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &first).ok());
  MutationReply again;
  bool decided = false;
  absl::Status status = kernel.Run(
      {.method = "/test.Service/AddOne", .request_id = "r-1", .reply = &again}, [&](UnitOfWork&) {
        decided = true;
        return absl::OkStatus();
      });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_FALSE(decided);
  EXPECT_EQ(again.version(), first.version());
  EXPECT_EQ(commits, 1);
  EXPECT_EQ(*Stored("m-1"), Types({"MemberRegistered@m-1"}));
}

TEST_F(CommandKernelTest, TheSameRequestIdWithOtherContentIsRefusedNamingRequestId) {
  int commits = 0;
  const CommandKernel kernel(store_.get(), [&] { ++commits; });
  MutationReply first;
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &first).ok());
  request_.set_destination_jurisdiction("440305");  // same request_id, other content
  MutationReply again;
  bool decided = false;
  absl::Status status = kernel.Run(
      {.method = "/test.Service/AddOne", .request_id = "r-1", .reply = &again}, [&](UnitOfWork&) {
        decided = true;
        return absl::OkStatus();
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), "request_id: r-1 ")) << status;
  EXPECT_FALSE(decided);
  EXPECT_EQ(commits, 1);
  EXPECT_EQ(store_->LastSequence(), 1u);
}

TEST_F(CommandKernelTest, TheRequestIdFieldItselfIsNotPartOfTheContent) {
  const CommandKernel kernel(store_.get(), nullptr);
  MutationReply first;
  request_.set_request_id("r-1");
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &first).ok());
  request_.set_request_id("r-2");  // as a client resending under its new id would
  MutationReply again;
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &again).ok());
  EXPECT_EQ(again.version(), first.version());
  EXPECT_EQ(store_->LastSequence(), 1u);
}

TEST_F(CommandKernelTest, TheSameRequestIdForAnotherMethodOrPrincipalIsAnotherCommand) {
  const CommandKernel kernel(store_.get(), nullptr);
  MutationReply reply;
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &reply).ok());
  bool decided = false;
  ASSERT_TRUE(kernel
                  .Run({.method = "/test.Service/Other", .request_id = "r-1", .reply = &reply},
                       [&](UnitOfWork&) {
                         decided = true;
                         return absl::OkStatus();
                       })
                  .ok());
  EXPECT_TRUE(decided);
  caller_.operator_id = "op-wang";
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "OutflowRegistered", &reply).ok());
  EXPECT_EQ(reply.version(), 2u);
  EXPECT_EQ(*Stored("m-1"), Types({"MemberRegistered@m-1", "OutflowRegistered@m-1"}));
}

TEST_F(CommandKernelTest, AnExpiredRecordNoLongerAnswers) {
  const CommandKernel kernel(store_.get(), nullptr);
  MutationReply reply;
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &reply).ok());
  clock_.Advance(absl::Minutes(59));
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "OutflowRegistered", &reply).ok());
  EXPECT_EQ(reply.version(), 1u);    // still the first reply
  clock_.Advance(absl::Minutes(2));  // past the retention of one hour
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "OutflowRegistered", &reply).ok());
  EXPECT_EQ(reply.version(), 2u);  // decided and committed anew
  EXPECT_EQ(*Stored("m-1"), Types({"MemberRegistered@m-1", "OutflowRegistered@m-1"}));
}

TEST_F(CommandKernelTest, ARequestIdOutsideAnRpcIsAnInternalError) {
  const CommandKernel kernel(store_.get(), nullptr);
  MutationReply reply;
  ScopedCurrentRpc none(nullptr);
  EXPECT_EQ(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &reply).code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(store_->LastSequence(), 0u);
}

TEST_F(CommandKernelTest, ACommitThatLostARaceIsDecidedAgainOnFreshState) {
  const CommandKernel kernel(store_.get(), nullptr);
  MutationReply reply;
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &reply).ok());
  int attempts = 0;
  absl::Status status =
      kernel.Run({.method = "/test.Service/AddOne", .request_id = "r-2", .reply = &reply},
                 [&](UnitOfWork& work) -> absl::Status {
                   ++attempts;
                   ASSIGN_OR_RETURN(auto* member, work.Get(kind_, "m-1"));
                   if (attempts == 1) {
                     // Another writer commits to the member between load and commit.
                     MutationReply other;
                     RETURN_IF_ERROR(AddOne(kernel, "r-other", "m-1", "OutflowRegistered", &other));
                   }
                   RETURN_IF_ERROR(work.Add(kind_, "m-1", NewTyped("CertificateIssued")).status());
                   reply.set_version(member->version());
                   return absl::OkStatus();
                 });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(reply.version(), 3u);
  EXPECT_EQ(*Stored("m-1"),
            Types({"MemberRegistered@m-1", "OutflowRegistered@m-1", "CertificateIssued@m-1"}));
}

TEST_F(CommandKernelTest, WithoutRetriesALostRaceAnswersAborted) {
  const CommandKernel kernel(store_.get(), nullptr);
  MutationReply reply;
  ASSERT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &reply).ok());
  int attempts = 0;
  absl::Status status = kernel.Run(
      {.method = "/test.Service/AddOne", .request_id = "r-2", .reply = &reply, .retries = 0},
      [&](UnitOfWork& work) -> absl::Status {
        ++attempts;
        RETURN_IF_ERROR(work.Get(kind_, "m-1").status());
        MutationReply other;
        RETURN_IF_ERROR(AddOne(kernel, "r-other", "m-1", "OutflowRegistered", &other));
        return work.Add(kind_, "m-1", NewTyped("CertificateIssued")).status();
      });
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_EQ(attempts, 1);
}

TEST_F(CommandKernelTest, ADecisionErrorCommitsNothing) {
  int commits = 0;
  const CommandKernel kernel(store_.get(), [&] { ++commits; });
  MutationReply reply;
  absl::Status status =
      kernel.Run({.method = "/test.Service/AddOne", .request_id = "r-1", .reply = &reply},
                 [&](UnitOfWork& work) -> absl::Status {
                   RETURN_IF_ERROR(work.Add(kind_, "m-1", NewTyped("MemberRegistered")).status());
                   return absl::FailedPreconditionError("status: not allowed");
                 });
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(commits, 0);
  EXPECT_EQ(store_->LastSequence(), 0u);
  // The request_id is still free: a corrected retry goes through.
  EXPECT_TRUE(AddOne(kernel, "r-1", "m-1", "MemberRegistered", &reply).ok());
}

TEST_F(CommandKernelTest, WorkWithoutRequestIdAndWithoutEventsCommitsNothing) {
  int commits = 0;
  const CommandKernel kernel(store_.get(), [&] { ++commits; });
  absl::Status status = kernel.Run({.method = "sweep", .retries = 0}, [&](UnitOfWork& work) {
    return work.Get(kind_, "m-1").status();
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(commits, 0);
  EXPECT_EQ(store_->LastSequence(), 0u);
}

TEST_F(CommandKernelTest, AUnitHoldsSeveralAggregatesLoadedOnceAndCommittedTogether) {
  const CommandKernel kernel(store_.get(), nullptr);
  MutationReply reply;
  absl::Status status =
      kernel.Run({.method = "/test.Service/Enroll", .request_id = "r-1", .reply = &reply},
                 [&](UnitOfWork& work) -> absl::Status {
                   RETURN_IF_ERROR(work.Add(kind_, "session-1", NewTyped("SeatTaken")).status());
                   RETURN_IF_ERROR(work.Add(kind_, "m-1", NewTyped("MemberEnrolled")).status());
                   ASSIGN_OR_RETURN(auto* member, work.Add(kind_, "m-1", NewTyped("Noted")));
                   reply.set_version(member->version());
                   return absl::OkStatus();
                 });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(reply.version(), 2u);
  EXPECT_EQ(loads_, 2);  // each aggregate once
  EXPECT_EQ(*Stored("m-1"), Types({"MemberEnrolled@m-1", "Noted@m-1"}));
  EXPECT_EQ(*Stored("session-1"), Types({"SeatTaken@session-1"}));
}

TEST_F(CommandKernelTest, AnIdUsedAsTwoKindsOfAggregateIsAnInternalError) {
  AggregateKind<Types> other = kind_;
  UnitOfWork work;
  ASSERT_TRUE(work.Get(kind_, "m-1").ok());
  EXPECT_EQ(work.Get(other, "m-1").status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(work.Seed(kind_, "m-1", {}).status().code(), absl::StatusCode::kInternal);
}

TEST(CheckExpectedVersionTest, AnswersAbortedOnlyForAnotherVersion) {
  EXPECT_TRUE(CheckExpectedVersion(0, "m-1", 7).ok());
  EXPECT_TRUE(CheckExpectedVersion(7, "m-1", 7).ok());
  absl::Status status = CheckExpectedVersion(6, "m-1", 7);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_NE(status.message().find("expected_version"), std::string::npos);
}

}  // namespace
}  // namespace lianxin
