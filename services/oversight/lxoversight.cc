// lxoversight: prints an oversight instance's figures and its "nobody
// manages them" list (the main job's report; a person reads the same through
// gRPC or the gateway).
//
//   lxoversight --address=127.0.0.1:17901 --scope=000000 --token_file=T --tls_ca=ca.pem
//               [--tls_cert=client.pem --tls_key=client.key] [--as_of=2026-06-30]
//   -> one line per area (province, prefecture, county), then the list
//
// The bearer token is read from --token_file (its first word), never from
// the command line. Exit code 0, 1 if a call fails.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lianxin/v1/oversight.grpc.pb.h"
#include "libs/runtime/channel.h"
#include "libs/runtime/rpc.h"

ABSL_FLAG(std::string, address, "", "host:port of the oversight service");
ABSL_FLAG(std::string, scope, "", "6-digit code of the area to report on");
ABSL_FLAG(std::string, as_of, "", "YYYY-MM-DD; empty = today");
ABSL_FLAG(std::string, token_file, "", "file whose first word is the bearer token");
ABSL_FLAG(std::string, tls_ca, "", "CA of the service's certificate (empty: plaintext)");
ABSL_FLAG(std::string, tls_cert, "", "client certificate (mutual TLS)");
ABSL_FLAG(std::string, tls_key, "", "client key (mutual TLS)");
ABSL_FLAG(int, limit, 20, "members of the list printed at most");

namespace lianxin::oversight {
namespace {

const char* LevelName(const std::string& level) {
  if (level == "country") return "全部";
  if (level == "province") return "省";
  if (level == "prefecture") return "地州市";
  return "县";
}

void PrintArea(const v1::AreaFigures& a) {
  std::string categories;
  for (const auto& c : a.by_category()) {
    absl::StrAppend(&categories, categories.empty() ? "" : " ", c.key().substr(16), "=", c.count());
  }
  std::cout << absl::StrFormat(
      "  %-6s %-6s 流出 %4d (区内 %d 跨省 %d)  流入 %4d  持证 %3d  接转中 %2d  失联 %2d  返乡 %2d  "
      "两不管 %2d  %s\n",
      a.code(), LevelName(a.level()), a.away(), a.within_province(), a.cross_province(),
      a.present_from_elsewhere(), a.certificate_holders(), a.pending_transfers(), a.lost_contact(),
      a.returned(), a.unmanaged(), categories);
}

int Run() {
  std::string token;
  std::ifstream(absl::GetFlag(FLAGS_token_file)) >> token;
  if (token.empty()) {
    std::cerr << "lxoversight: no token in --token_file\n";
    return 2;
  }
  TlsFiles tls;
  tls.ca_file = absl::GetFlag(FLAGS_tls_ca);
  tls.cert_file = absl::GetFlag(FLAGS_tls_cert);
  tls.key_file = absl::GetFlag(FLAGS_tls_key);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(absl::GetFlag(FLAGS_address), tls);
  if (!channel.ok()) {
    std::cerr << "lxoversight: " << channel.status() << "\n";
    return 1;
  }
  auto stub = v1::Oversight::NewStub(*channel);
  auto context = [&](grpc::ClientContext& c) {
    c.AddMetadata("authorization", "Bearer " + token);
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  };
  v1::GetFiguresRequest figures_request;
  figures_request.set_scope(absl::GetFlag(FLAGS_scope));
  figures_request.set_as_of(absl::GetFlag(FLAGS_as_of));
  v1::GetFiguresReply figures;
  {
    grpc::ClientContext c;
    context(c);
    absl::Status s = FromGrpcStatus(stub->GetFigures(&c, figures_request, &figures));
    if (!s.ok()) {
      std::cerr << "lxoversight: GetFigures: " << s << "\n";
      return 1;
    }
  }
  std::cout << "各级流动党员数（截至 " << figures.as_of() << "）\n";
  PrintArea(figures.total());
  for (const auto& a : figures.areas()) PrintArea(a);
  v1::ListUnmanagedRequest list_request;
  list_request.set_scope(absl::GetFlag(FLAGS_scope));
  list_request.set_as_of(absl::GetFlag(FLAGS_as_of));
  list_request.set_page_size(absl::GetFlag(FLAGS_limit));
  v1::ListUnmanagedReply list;
  {
    grpc::ClientContext c;
    context(c);
    absl::Status s = FromGrpcStatus(stub->ListUnmanaged(&c, list_request, &list));
    if (!s.ok()) {
      std::cerr << "lxoversight: ListUnmanaged: " << s << "\n";
      return 1;
    }
  }
  std::cout << "两不管（" << list.total() << " 人";
  for (const auto& k : list.by_kind()) std::cout << "；" << k.key().substr(15) << " " << k.count();
  std::cout << "）\n";
  for (const auto& m : list.members()) {
    std::cout << absl::StrFormat("  %-24s %-26s %s → %s  %s  %s\n", m.member_id(),
                                 v1::UnmanagedKind_Name(m.kind()).substr(15), m.home_jurisdiction(),
                                 m.other_jurisdiction(), m.since(), m.detail());
  }
  return 0;
}

}  // namespace
}  // namespace lianxin::oversight

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return lianxin::oversight::Run();
}
