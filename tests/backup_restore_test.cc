// The restore drill (label fault), across real processes on a real broker:
// Fuyun's and Tianshan's registries (signing and checking with the county
// keys) under load across the two counties; a backup of Fuyun's running
// registry (SIGUSR1); more load, every acknowledged command recorded; kill -9;
// Fuyun's data directory wiped; the backup copied back; the registry started.
// It must take back, from its service topic, every event it published after
// the backup (the same sequences and hashes), re-consume what the backup had
// not applied without applying anything twice, and then agree with Tianshan:
// every acknowledged command's effect present, new commands (and their routed
// copies) going on where the old ones stopped, `lxctl reconcile` 0
// disagreements, `lxaudit verify --anchors` intact and `replay` equal.
#include <signal.h>

#include <filesystem>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "libs/bus/topic_reader.h"
#include "libs/eventstore/event_store.h"
#include "tests/lxaudit_fixture.h"
#include "tests/registry_fixture.h"

namespace lianxin::registry_test {
namespace {

using ::lianxin::lxaudit_test::LxauditRun;
using ::lianxin::lxaudit_test::RunLxaudit;

// A command a registry answered OK: the member, its version then, the event.
struct Acknowledged {
  std::string county;
  std::string member_id;
  uint64_t version = 0;
  std::string type;
};

class BackupRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<RegistryCluster>(std::vector<std::string>{kFuyun, kTianshan});
    LX_ASSERT_OK(MakeKeys());
    for (const char* county : {kFuyun, kTianshan}) {
      cluster_->registry_args[county] = {"--signing_key=" + Keys(absl::StrCat(county, ".key")),
                                         "--trust_root=" + Keys("root.key.pub"),
                                         "--key_directory=" + Keys("directory.bin"),
                                         "--anchor_interval=1s", "--chain_check_interval=1s"};
    }
    LX_ASSERT_OK(cluster_->Start());
  }
  void TearDown() override {
    if (HasFailure() && cluster_ != nullptr) std::cerr << cluster_->Logs(40);
    cluster_.reset();
  }

  std::string Keys(const std::string& name) const { return cluster_->dir().Sub("keys/" + name); }

  // The root key, each county's key, and the directory the root signs.
  absl::Status MakeKeys() {
    std::filesystem::create_directories(cluster_->dir().Sub("keys"));
    auto lxkeys = [&](std::vector<std::string> args) -> absl::Status {
      args.insert(args.begin(), BinDir() + "/lxkeys");
      const std::string out = cluster_->dir().Sub("lxkeys.out");
      absl::StatusOr<int> code = RunProcess(args, out);
      if (!code.ok()) return code.status();
      if (*code != 0) {
        return absl::InternalError(absl::StrCat("lxkeys ", args[1], ": ", ReadFile(out + ".err")));
      }
      return absl::OkStatus();
    };
    if (absl::Status s = lxkeys({"create", "--out", Keys("root.key")}); !s.ok()) return s;
    for (const char* county : {kFuyun, kTianshan}) {
      const std::string key = Keys(absl::StrCat(county, ".key"));
      if (absl::Status s = lxkeys({"create", "--out", key}); !s.ok()) return s;
      if (absl::Status s =
              lxkeys({"add", "--root_key", Keys("root.key"), "--directory", Keys("directory.bin"),
                      "--key", key + ".pub", "--jurisdiction", county, "--issuer", "test root"});
          !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }

  std::string FuyunStore() const { return cluster_->dir().Sub(kFuyun) + "/registry"; }

  // Fuyun registry's log head, read beside the running service.
  absl::StatusOr<LogHead> FuyunHead() const {
    EventStoreOptions options;
    options.path = FuyunStore();
    options.source.set_jurisdiction(kFuyun);
    options.source.set_service("registry");
    options.read_only = true;
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    if (!store.ok()) return store.status();
    return (*store)->Head();
  }

  // Waits until Fuyun's service topic holds every event of its log (its
  // outbox has drained): until then a lost disk would lose the rest.
  bool WaitUntilPublished() {
    return WaitFor(
        [&] {
          absl::StatusOr<LogHead> head = FuyunHead();
          if (!head.ok()) return false;
          absl::StatusOr<std::vector<Event>> events = ReadTopicEvents(
              {cluster_->bootstrap(), {}}, "lx.654322.registry.v1", absl::Seconds(10));
          if (!events.ok()) return false;
          std::set<uint64_t> sequences;
          for (const Event& event : *events) sequences.insert(event.sequence());
          return sequences.size() == head->sequence;
        },
        absl::Seconds(30));
  }

  // Registers `n` people at Fuyun, sends every second one to Tianshan, where
  // every fourth gets a certificate at home (routed to Tianshan's inbox) and
  // arrives (Fuyun records the arrival: a consumed event's effect).
  void Load(int n, const std::string& tag, std::vector<Acknowledged>* acked) {
    std::vector<std::string> away;
    for (int i = 0; i < n; ++i) {
      LX_ASSERT_OK_AND_ASSIGN(std::string id,
                              cluster_->Register(kFuyun, NewPerson(absl::StrCat(tag, i))));
      acked->push_back({kFuyun, id, 1, "MemberRegistered"});
      if (i % 2 == 1) continue;
      LX_ASSERT_OK(cluster_->RegisterOutflow(kFuyun, Outflow(id, kTianshan)));
      acked->push_back({kFuyun, id, 2, "OutflowRegistered"});
      away.push_back(id);
    }
    for (size_t i = 0; i < away.size(); i += 2) {
      const std::string& id = away[i];
      LX_ASSERT_OK(cluster_->IssueCertificate(kFuyun, Certificate(id, absl::StrCat("FY", tag, i))));
      acked->push_back({kFuyun, id, 3, "CertificateIssued"});
      ASSERT_TRUE(cluster_->WaitForStatus(kTianshan, id, v1::MEMBER_STATUS_INFLOW_EXPECTED))
          << cluster_->StatusAt(kTianshan, id);
      LX_ASSERT_OK(cluster_->RecordArrival(kTianshan, Arrival(id, kTianshan)));
      ASSERT_TRUE(cluster_->WaitForStatus(kFuyun, id, v1::MEMBER_STATUS_OUTFLOW_RECEIVED))
          << cluster_->StatusAt(kFuyun, id);
      acked->push_back({kFuyun, id, 4, "ArrivalRecorded"});
    }
  }

  // Every member Fuyun holds: version and the fields both sides share.
  std::map<std::string, std::string> FuyunView() {
    std::map<std::string, std::string> view;
    absl::StatusOr<std::vector<v1::Member>> all = cluster_->ListAll(kFuyun);
    EXPECT_TRUE(all.ok()) << all.status();
    if (!all.ok()) return view;
    for (const v1::Member& m : *all) {
      view[m.member_id()] = absl::StrCat("v", m.version(), " ", SharedView(m));
    }
    return view;
  }

  std::string WriteEndpoints() {
    const std::string path = cluster_->dir().Sub("endpoints.json");
    std::ofstream out(path);
    out << "{\"kafka\": \"" << cluster_->bootstrap() << "\", " << cluster_->EndpointsTlsJson()
        << "\"counties\": {";
    const char* sep = "";
    for (const char* county : {kFuyun, kTianshan}) {
      out << sep << "\"" << county << "\": {\"name\": \"县" << county << "\", \"token\": \""
          << OperatorToken(county) << "\", \"registry\": \"" << cluster_->address(county)
          << "\", \"data_dir\": \"" << cluster_->dir().Sub(county) << "\"}";
      sep = ", ";
    }
    out << "}}\n";
    return path;
  }

  std::unique_ptr<RegistryCluster> cluster_;
};

TEST_F(BackupRestoreTest, RestoredRegistry_TakesBackItsPublishedTail_AndLosesNothingAcknowledged) {
  std::vector<Acknowledged> acked;
  ASSERT_NO_FATAL_FAILURE(Load(12, "备份前", &acked));

  // The backup, taken while the registry serves.
  const std::string backups = cluster_->dir().Sub(kFuyun) + "/backups/registry";
  cluster_->SignalRegistry(kFuyun, SIGUSR1);
  std::string backup;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::error_code error;
        for (const auto& entry : std::filesystem::directory_iterator(backups, error)) {
          const std::string name = entry.path().filename().string();
          if (name[0] != '.' && std::filesystem::exists(entry.path() / "backup.json")) {
            backup = entry.path().string();
            return true;
          }
        }
        return false;
      },
      absl::Seconds(30)))
      << cluster_->Logs();
  EXPECT_EQ(std::filesystem::status(backup).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  EXPECT_EQ(
      std::filesystem::status(backup + "/backup.json").permissions() & std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::string manifest = ReadFile(backup + "/backup.json");
  EXPECT_THAT(manifest, ::testing::HasSubstr("\"service\": \"registry\""));
  // Off the host: the copy an operator keeps elsewhere.
  const std::string offsite = cluster_->dir().Sub("offsite-backup");
  std::filesystem::copy(backup, offsite, std::filesystem::copy_options::recursive);

  // More load after the backup: commands at Fuyun, arrivals Fuyun consumes.
  const size_t acked_before_backup = acked.size();
  ASSERT_NO_FATAL_FAILURE(Load(12, "备份后", &acked));
  ASSERT_TRUE(WaitUntilPublished()) << cluster_->Logs();
  LX_ASSERT_OK_AND_ASSIGN(const LogHead head_before, FuyunHead());
  const std::map<std::string, std::string> view_before = FuyunView();

  // The disk is lost: kill -9, the data directory wiped, the backup put back.
  cluster_->KillRegistry(kFuyun);
  std::filesystem::remove_all(cluster_->dir().Sub(kFuyun));
  std::filesystem::create_directories(cluster_->dir().Sub(kFuyun));
  std::filesystem::copy(offsite, FuyunStore(), std::filesystem::copy_options::recursive);
  LX_ASSERT_OK(cluster_->StartRegistry(kFuyun));
  const std::string log = ReadFile(cluster_->dir().Sub("registry-654322.stderr"));
  EXPECT_THAT(log, ::testing::HasSubstr("caught up after a restore")) << log;

  // The same log as before the crash: sequences and hashes taken back.
  LX_ASSERT_OK_AND_ASSIGN(const LogHead head_after, FuyunHead());
  EXPECT_EQ(head_after.sequence, head_before.sequence);
  EXPECT_EQ(absl::BytesToHexString(head_after.hash), absl::BytesToHexString(head_before.hash));

  // Every acknowledged command, before and after the backup, is there.
  for (const Acknowledged& a : acked) {
    SCOPED_TRACE(absl::StrCat(a.member_id, " ", a.type, " v", a.version));
    LX_ASSERT_OK_AND_ASSIGN(std::vector<v1::HistoryEntry> h,
                            cluster_->History(kFuyun, a.member_id));
    ASSERT_GE(h.size(), a.version);
    EXPECT_EQ(h[a.version - 1].type(), a.type);
  }
  EXPECT_GT(acked.size(), acked_before_backup);

  // New work goes on where the old stopped: new sequences, versions and
  // route_versions (a reused route_version would be skipped by Tianshan as a
  // duplicate, and the member never expected there).
  std::vector<Acknowledged> after;
  ASSERT_NO_FATAL_FAILURE(Load(8, "恢复后", &after));
  for (const Acknowledged& a : acked) {
    if (a.type != "ArrivalRecorded") continue;
    LX_ASSERT_OK(cluster_->RecordCertificateEntry(kTianshan, OrganizationLife(a.member_id)));
  }
  for (const Acknowledged& a : acked) {
    if (a.type != "ArrivalRecorded") continue;
    ASSERT_TRUE(cluster_->WaitForMember(kFuyun, a.member_id, [](const v1::Member& m) {
      return m.organization_life_entries() == 1;
    })) << a.member_id;
  }

  // Nothing consumed before the crash was applied twice: each member of
  // before the crash is as it was, but for the one entry just recorded.
  const std::map<std::string, std::string> view_after = FuyunView();
  for (const auto& [id, view] : view_before) {
    auto it = view_after.find(id);
    ASSERT_NE(it, view_after.end()) << id;
    if (absl::StrContains(view, "org_life=0") && absl::StrContains(it->second, "org_life=1")) {
      EXPECT_THAT(it->second, ::testing::StartsWith("v5 ")) << id << " was " << view;
    } else {
      EXPECT_EQ(it->second, view) << id;
    }
  }

  // The two counties agree, and the restored log passes the audit.
  const std::string endpoints = WriteEndpoints();
  const std::string reconcile_out = cluster_->dir().Sub("reconcile.out");
  absl::StatusOr<int> reconciled =
      RunProcess({BinDir() + "/lxctl", "--endpoints", endpoints, "reconcile", "--origin", kFuyun,
                  "--destination", kTianshan},
                 reconcile_out);
  const std::string reconcile = ReadFile(reconcile_out) + ReadFile(reconcile_out + ".err");
  ASSERT_TRUE(reconciled.ok()) << reconciled.status();
  EXPECT_EQ(*reconciled, 0) << reconcile;
  EXPECT_THAT(reconcile, ::testing::HasSubstr("0 disagreements"));

  LxauditRun verify =
      RunLxaudit(cluster_->dir().path(), {"verify", "--endpoints", endpoints, "--county", kFuyun});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, ::testing::HasSubstr("654322 registry:"));
  EXPECT_THAT(verify.out, ::testing::HasSubstr("chain intact"));
  ASSERT_TRUE(WaitFor(
      [&] {
        LxauditRun anchored =
            RunLxaudit(cluster_->dir().path(), {"verify", "--anchors", "--endpoints", endpoints});
        return anchored.code == 0;
      },
      absl::Seconds(30)));
  LxauditRun replay =
      RunLxaudit(cluster_->dir().path(), {"replay", "--endpoints", endpoints, "--county", kFuyun});
  EXPECT_EQ(replay.code, 0) << replay.out << replay.err;
}

}  // namespace
}  // namespace lianxin::registry_test
