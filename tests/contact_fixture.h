// The contact integration tests' fixture: the registry cluster of
// registry_fixture.h (a real lianxin-broker and registries as child
// processes) plus each county's contact service (build/bin/contact) as a
// child process on the same broker, with a short --sweep_interval so that
// lost contact (R5) is detected from the real clock within the test.
//
//   ContactCluster cluster({kFuyun, kTianshan});
//   LX_ASSERT_OK(cluster.Start());
//   ... cluster.registry() as in registry tests ...
//   EXPECT_TRUE(cluster.WaitForContactMember(kFuyun, id));
//   LX_EXPECT_OK(cluster.RecordContact(kTianshan, Contact(id, "2026-03-01")));
#ifndef LIANXIN_TESTS_CONTACT_FIXTURE_H_
#define LIANXIN_TESTS_CONTACT_FIXTURE_H_

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lianxin/v1/contact.grpc.pb.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {

inline v1::RecordContactRequest ContactReport(
    const std::string& member_id, int offset = -1,
    v1::ContactKind kind = v1::CONTACT_KIND_QUARTERLY_REPORT) {
  v1::RecordContactRequest r;
  r.set_request_id(NewRequestId("contact"));
  r.set_member_id(member_id);
  r.set_channel(v1::CONTACT_CHANNEL_PHONE);
  r.set_kind(kind);
  r.set_occurred_on(Day(offset));
  r.set_summary("电话汇报：在工地务工，思想稳定，按时参加组织生活");
  return r;
}

class ContactCluster {
 public:
  explicit ContactCluster(std::vector<std::string> counties)
      : counties_(counties), registry_(std::move(counties)) {}
  ~ContactCluster() {
    for (auto& [code, c] : contacts_) {
      c.stub.reset();
      if (c.process != nullptr) c.process->Signal(SIGTERM);
    }
    contacts_.clear();
  }

  absl::Status Start() {
    if (absl::Status s = registry_.Start(); !s.ok()) return s;
    for (const std::string& code : counties_) {
      if (absl::Status s = StartContact(code); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status StartContact(const std::string& code) {
    Service& c = contacts_[code];
    c.process.reset();
    absl::StatusOr<RegistryCluster::ServiceProcess> started =
        registry_.StartService("contact", code, {"--sweep_interval=200ms"});
    if (!started.ok()) return started.status();
    c.process = std::move(started->process);
    c.address = started->address;
    auto channel = registry_.NewChannel(c.address);
    c.stub = v1::ContactTracking::NewStub(channel);
    return absl::OkStatus();
  }

  RegistryCluster& registry() { return registry_; }
  // host:port of the contact service of `code`.
  const std::string& address(const std::string& code) { return contacts_.at(code).address; }

  template <typename Request, typename Reply>
  absl::Status Call(const std::string& county,
                    grpc::Status (v1::ContactTracking::Stub::*method)(grpc::ClientContext*,
                                                                      const Request&, Reply*),
                    const Request& request, Reply* reply,
                    std::optional<std::string> token = std::nullopt) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const std::string bearer = token.value_or(OperatorToken(county));
    if (!bearer.empty()) context.AddMetadata("authorization", "Bearer " + bearer);
    return FromGrpcStatus((contacts_.at(county).stub.get()->*method)(&context, request, reply));
  }

  absl::StatusOr<uint64_t> RecordContact(const std::string& county,
                                         const v1::RecordContactRequest& r) {
    v1::ContactMutationReply reply;
    absl::Status s = Call(county, &v1::ContactTracking::Stub::RecordContact, r, &reply);
    if (!s.ok()) return s;
    return reply.version();
  }

  absl::StatusOr<v1::GetContactHistoryReply> History(const std::string& county,
                                                     const std::string& member_id) {
    v1::GetContactHistoryRequest request;
    request.set_member_id(member_id);
    v1::GetContactHistoryReply reply;
    absl::Status s = Call(county, &v1::ContactTracking::Stub::GetContactHistory, request, &reply);
    if (!s.ok()) return s;
    return reply;
  }

  absl::StatusOr<v1::ListLostContactReply> Lost(const std::string& county) {
    v1::ListLostContactRequest request;
    request.set_jurisdiction(county);
    v1::ListLostContactReply reply;
    absl::Status s = Call(county, &v1::ContactTracking::Stub::ListLostContact, request, &reply);
    if (!s.ok()) return s;
    return reply;
  }

  // Waits until `county`'s contact service knows the member and `condition`
  // holds for its history.
  bool WaitForHistory(const std::string& county, const std::string& member_id,
                      const std::function<bool(const v1::GetContactHistoryReply&)>& condition) {
    return WaitFor(
        [&] {
          absl::StatusOr<v1::GetContactHistoryReply> h = History(county, member_id);
          return h.ok() && condition(*h);
        },
        kDeliveryTimeout);
  }

  // Waits until `county`'s registry shows the member's lost_contact as `lost`.
  bool WaitForRegistryLost(const std::string& county, const std::string& member_id, bool lost) {
    return WaitFor(
        [&] {
          absl::StatusOr<v1::Member> m = registry_.Get(county, member_id);
          return m.ok() && m->lost_contact() == lost;
        },
        kDeliveryTimeout);
  }

  // An endpoints file naming every county's registry and contact service,
  // for lxctl (--endpoints); its path.
  std::string WriteEndpoints() {
    const std::string path = registry_.dir().Sub("endpoints.json");
    std::ofstream out(path);
    out << "{\"kafka\": \"" << registry_.bootstrap() << "\", " << registry_.EndpointsTlsJson()
        << "\"counties\": {";
    const char* sep = "";
    for (const std::string& county : counties_) {
      out << sep << "\"" << county << "\": {\"name\": \"" << county << "\", \"token\": \""
          << OperatorToken(county) << "\", \"registry\": \"" << registry_.address(county)
          << "\", \"contact\": \"" << address(county) << "\", \"data_dir\": \""
          << registry_.dir().Sub(county) << "\"}";
      sep = ", ";
    }
    out << "}}\n";
    return path;
  }

  static std::string LastChars(const std::string& text, size_t n) {
    return text.size() <= n ? text : text.substr(text.size() - n);
  }

  std::string Logs() {
    std::string out = registry_.Logs();
    for (const std::string& code : counties_) {
      absl::StrAppend(&out, "--- contact ", code, " stderr (tail):\n",
                      LastChars(ReadFile(registry_.ServiceStderrPath("contact", code)), 3000));
    }
    return out;
  }

 private:
  struct Service {
    std::unique_ptr<ChildProcess> process;
    std::string address;
    std::unique_ptr<v1::ContactTracking::Stub> stub;
  };
  std::vector<std::string> counties_;
  RegistryCluster registry_;
  std::map<std::string, Service> contacts_;
};

}  // namespace lianxin::registry_test

#endif  // LIANXIN_TESTS_CONTACT_FIXTURE_H_
