// lxkeys: the key tool of trust between counties (docs/architecture.md,
// "Trust between counties").
//
//   lxkeys create --out KEY                 Ed25519 key: KEY (0600) and KEY.pub
//   lxkeys add --root_key ROOT --directory DIR --key KEY[.pub] --jurisdiction J
//          [--service S] [--valid_from RFC3339] [--issuer TEXT]
//                                           the root signs a new edition with the key added
//   lxkeys rotate --root_key ROOT --directory DIR --key KEY --jurisdiction J
//                                           a new key for the county: added to the directory
//                                           (the old one stays valid for what it signed),
//                                           then written over KEY (the old kept as KEY.<id>)
//   lxkeys revoke --root_key ROOT --directory DIR --key_id ID [--from RFC3339]
//                                           events recorded from then on under ID are refused
//   lxkeys show --directory DIR --root ROOT.pub
//                                           verifies the edition and lists its keys
//
// The root key is the level above's (prefecture or province organization
// department); a county holds only its own key and the root's public key.
// Exit status: 0 done, 1 an error, 2 a usage error. No key material is printed.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/trust/directory.h"
#include "libs/trust/keys.h"

namespace lianxin::trust {
namespace {

struct Args {
  std::string command;
  std::map<std::string, std::string> flags;
};

int Usage(const std::string& message) {
  std::fprintf(stderr, "lxkeys: %s\nsee the banner of tools/lxkeys/main.cc\n", message.c_str());
  return 2;
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "lxkeys: %s\n", std::string(status.message()).c_str());
  return 1;
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  ts.set_nanos(
      static_cast<int32_t>((t - absl::FromUnixSeconds(ts.seconds())) / absl::Nanoseconds(1)));
  return ts;
}

std::string Format(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> TimeFlag(const Args& args, const std::string& name) {
  auto it = args.flags.find(name);
  if (it == args.flags.end()) return absl::Now();
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, it->second, &t, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", error));
  }
  return t;
}

// The directory file's current edition (verified), or an empty one if absent.
absl::StatusOr<KeyDirectory> LoadForEdit(const std::string& path, const PrivateKey& root) {
  if (!std::filesystem::exists(path)) return KeyDirectory();
  absl::StatusOr<CountyDirectory> current = CountyDirectory::ReadFile(path, root.public_key());
  if (!current.ok()) return current.status();
  return current->directory();
}

// Signs the next edition of `directory` and installs it at `path` (atomically, 0644).
absl::Status SaveEdition(KeyDirectory directory, const std::string& path, const PrivateKey& root,
                         const Args& args) {
  directory.set_serial(directory.serial() + 1);
  *directory.mutable_issued_at() = ToProto(absl::Now());
  if (auto it = args.flags.find("issuer"); it != args.flags.end()) {
    directory.set_issuer(it->second);
  }
  absl::StatusOr<SignedKeyDirectory> signed_directory = SignDirectory(directory, root);
  if (!signed_directory.ok()) return signed_directory.status();
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out || !signed_directory->SerializeToOstream(&out)) {
      return absl::UnavailableError(absl::StrCat("cannot write ", temporary));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) return absl::UnavailableError(absl::StrCat("cannot install ", path));
  std::printf("directory %s: edition %llu, %d keys\n", path.c_str(),
              static_cast<unsigned long long>(directory.serial()), directory.keys_size());
  return absl::OkStatus();
}

absl::StatusOr<PublicKey> ReadAnyPublic(const std::string& path) {
  // A county sends its public key (KEY.pub); its private key is accepted too
  // when the same operator holds both (the local deployment).
  absl::StatusOr<PublicKey> pub = PublicKey::ReadPem(path);
  if (pub.ok()) return pub;
  absl::StatusOr<PrivateKey> key = PrivateKey::ReadPem(path);
  if (!key.ok()) return pub.status();
  return key->public_key();
}

CountyKey Entry(const PublicKey& key, const std::string& jurisdiction, const std::string& service,
                absl::Time valid_from) {
  CountyKey entry;
  entry.set_key_id(key.key_id());
  entry.set_jurisdiction(jurisdiction);
  entry.set_service(service);
  entry.set_public_key(key.raw());
  *entry.mutable_valid_from() = ToProto(valid_from);
  return entry;
}

int Create(const Args& args) {
  const std::string out = args.flags.count("out") ? args.flags.at("out") : "";
  if (out.empty()) return Usage("create needs --out");
  if (std::filesystem::exists(out)) return Usage(absl::StrCat(out, " exists; not overwritten"));
  absl::StatusOr<PrivateKey> key = PrivateKey::Generate();
  if (!key.ok()) return Fail(key.status());
  if (absl::Status s = key->WritePem(out); !s.ok()) return Fail(s);
  if (absl::Status s = key->public_key().WritePem(out + ".pub"); !s.ok()) return Fail(s);
  std::printf("key %s: %s (owner only), %s.pub\n", key->key_id().c_str(), out.c_str(), out.c_str());
  return 0;
}

absl::StatusOr<PrivateKey> RootKey(const Args& args) {
  auto it = args.flags.find("root_key");
  if (it == args.flags.end()) return absl::InvalidArgumentError("--root_key is required");
  return PrivateKey::ReadPem(it->second);
}

int Add(const Args& args) {
  for (const char* flag : {"directory", "key", "jurisdiction"}) {
    if (!args.flags.count(flag)) return Usage(absl::StrCat("add needs --", flag));
  }
  absl::StatusOr<PrivateKey> root = RootKey(args);
  if (!root.ok()) return Fail(root.status());
  absl::StatusOr<PublicKey> key = ReadAnyPublic(args.flags.at("key"));
  if (!key.ok()) return Fail(key.status());
  absl::StatusOr<absl::Time> valid_from = TimeFlag(args, "valid_from");
  if (!valid_from.ok()) return Fail(valid_from.status());
  const std::string& path = args.flags.at("directory");
  absl::StatusOr<KeyDirectory> directory = LoadForEdit(path, *root);
  if (!directory.ok()) return Fail(directory.status());
  for (const CountyKey& existing : directory->keys()) {
    if (existing.key_id() == key->key_id()) {
      std::printf("key %s is already in the directory\n", key->key_id().c_str());
      return 0;
    }
  }
  const std::string service = args.flags.count("service") ? args.flags.at("service") : "";
  *directory->add_keys() = Entry(*key, args.flags.at("jurisdiction"), service, *valid_from);
  if (absl::Status s = SaveEdition(*directory, path, *root, args); !s.ok()) return Fail(s);
  std::printf("added key %s for %s\n", key->key_id().c_str(),
              args.flags.at("jurisdiction").c_str());
  return 0;
}

int Rotate(const Args& args) {
  for (const char* flag : {"directory", "key", "jurisdiction"}) {
    if (!args.flags.count(flag)) return Usage(absl::StrCat("rotate needs --", flag));
  }
  absl::StatusOr<PrivateKey> root = RootKey(args);
  if (!root.ok()) return Fail(root.status());
  const std::string& key_path = args.flags.at("key");
  absl::StatusOr<PrivateKey> old_key = PrivateKey::ReadPem(key_path);
  if (!old_key.ok()) return Fail(old_key.status());
  absl::StatusOr<PrivateKey> new_key = PrivateKey::Generate();
  if (!new_key.ok()) return Fail(new_key.status());
  const std::string& path = args.flags.at("directory");
  absl::StatusOr<KeyDirectory> directory = LoadForEdit(path, *root);
  if (!directory.ok()) return Fail(directory.status());
  const std::string service = args.flags.count("service") ? args.flags.at("service") : "";
  *directory->add_keys() =
      Entry(new_key->public_key(), args.flags.at("jurisdiction"), service, absl::Now());
  // The edition that knows the new key goes first: no event is signed with a
  // key the directory does not have yet.
  if (absl::Status s = SaveEdition(*directory, path, *root, args); !s.ok()) return Fail(s);
  if (absl::Status s = old_key->WritePem(absl::StrCat(key_path, ".", old_key->key_id())); !s.ok()) {
    return Fail(s);
  }
  if (absl::Status s = new_key->WritePem(key_path); !s.ok()) return Fail(s);
  if (absl::Status s = new_key->public_key().WritePem(key_path + ".pub"); !s.ok()) return Fail(s);
  std::printf("rotated %s: key %s -> %s (the old key stays valid for what it signed)\n",
              args.flags.at("jurisdiction").c_str(), old_key->key_id().c_str(),
              new_key->key_id().c_str());
  return 0;
}

int Revoke(const Args& args) {
  for (const char* flag : {"directory", "key_id"}) {
    if (!args.flags.count(flag)) return Usage(absl::StrCat("revoke needs --", flag));
  }
  absl::StatusOr<PrivateKey> root = RootKey(args);
  if (!root.ok()) return Fail(root.status());
  absl::StatusOr<absl::Time> from = TimeFlag(args, "from");
  if (!from.ok()) return Fail(from.status());
  const std::string& path = args.flags.at("directory");
  absl::StatusOr<KeyDirectory> directory = LoadForEdit(path, *root);
  if (!directory.ok()) return Fail(directory.status());
  bool found = false;
  for (CountyKey& key : *directory->mutable_keys()) {
    if (key.key_id() != args.flags.at("key_id")) continue;
    found = true;
    *key.mutable_revoked_from() = ToProto(*from);
  }
  if (!found) {
    return Fail(absl::NotFoundError(absl::StrCat("no key ", args.flags.at("key_id"))));
  }
  if (absl::Status s = SaveEdition(*directory, path, *root, args); !s.ok()) return Fail(s);
  std::printf("revoked key %s from %s\n", args.flags.at("key_id").c_str(),
              Format(ToProto(*from)).c_str());
  return 0;
}

int Show(const Args& args) {
  for (const char* flag : {"directory", "root"}) {
    if (!args.flags.count(flag)) return Usage(absl::StrCat("show needs --", flag));
  }
  absl::StatusOr<PublicKey> root = PublicKey::ReadPem(args.flags.at("root"));
  if (!root.ok()) return Fail(root.status());
  absl::StatusOr<CountyDirectory> directory =
      CountyDirectory::ReadFile(args.flags.at("directory"), *root);
  if (!directory.ok()) return Fail(directory.status());
  const KeyDirectory& d = directory->directory();
  std::printf("edition %llu issued %s by %s, root key %s\n",
              static_cast<unsigned long long>(d.serial()), Format(d.issued_at()).c_str(),
              d.issuer().empty() ? "-" : d.issuer().c_str(), root->key_id().c_str());
  std::printf("%-16s  %-6s  %-9s  %-20s  %s\n", "KEY", "COUNTY", "SERVICE", "VALID FROM",
              "REVOKED FROM");
  for (const CountyKey& key : d.keys()) {
    std::printf("%-16s  %-6s  %-9s  %-20s  %s\n", key.key_id().c_str(), key.jurisdiction().c_str(),
                key.service().empty() ? "*" : key.service().c_str(),
                Format(key.valid_from()).c_str(),
                key.has_revoked_from() ? Format(key.revoked_from()).c_str() : "-");
  }
  return 0;
}

int Main(int argc, char** argv) {
  if (argc < 2) return Usage("no command (create, add, rotate, revoke, show)");
  Args args;
  args.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) return Usage(absl::StrCat("unexpected argument ", arg));
    arg = arg.substr(2);
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      args.flags[arg.substr(0, eq)] = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      args.flags[arg] = argv[++i];
    } else {
      return Usage(absl::StrCat("--", arg, " needs a value"));
    }
  }
  if (args.command == "create") return Create(args);
  if (args.command == "add") return Add(args);
  if (args.command == "rotate") return Rotate(args);
  if (args.command == "revoke") return Revoke(args);
  if (args.command == "show") return Show(args);
  return Usage(absl::StrCat("unknown command ", args.command));
}

}  // namespace
}  // namespace lianxin::trust

int main(int argc, char** argv) { return lianxin::trust::Main(argc, argv); }
