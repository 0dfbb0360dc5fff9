#include "libs/runtime/testing.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "grpcpp/support/client_callback.h"
#include "libs/runtime/rpc.h"

namespace lianxin::testing {
namespace {

using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// Protobuf wire format: a length-delimited field (wire type 2) numbered `field`.
std::string LengthDelimitedField(int field, const std::string& value) {
  std::string out(1, static_cast<char>(field << 3 | 2));
  for (size_t n = value.size();; n >>= 7) {
    if (n < 0x80) {
      out.push_back(static_cast<char>(n));
      break;
    }
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
  }
  return out + value;
}

int Remaining(absl::Time deadline) {
  return static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now())));
}

// One bidi call: sends one message, collects every reply until the server ends it.
class OneRequestBidiCall : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  OneRequestBidiCall(grpc::GenericStub* stub, grpc::ClientContext* context,
                     const std::string& method, const std::string& request)
      : request_(ToByteBuffer(request)) {
    stub->PrepareBidiStreamingCall(context, method, grpc::StubOptions(), this);
    StartWrite(&request_);
    StartRead(&reply_);
    StartCall();
  }
  void OnWriteDone(bool ok) override {
    if (ok) StartWritesDone();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    replies_.push_back(FromByteBuffer(reply_));
    StartRead(&reply_);
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }
  // Waits for the end of the call (the context's deadline bounds it).
  absl::StatusOr<std::vector<std::string>> Replies() {
    done_.WaitForNotification();
    if (!status_.ok()) return FromGrpcStatus(status_);
    return replies_;
  }

 private:
  grpc::ByteBuffer request_;
  grpc::ByteBuffer reply_;
  std::vector<std::string> replies_;
  grpc::Status status_;
  absl::Notification done_;
};

}  // namespace

absl::StatusOr<int> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                const std::string& service, absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  // HealthCheckRequest { string service = 1; }
  grpc::ByteBuffer request = ToByteBuffer(service.empty() ? "" : LengthDelimitedField(1, service));
  grpc::ByteBuffer reply;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &reply,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();  // the context's deadline bounds the call
  if (!status.ok()) return FromGrpcStatus(status);
  // HealthCheckResponse { ServingStatus status = 1; }; absent = 0 (UNKNOWN).
  UnknownFieldSet fields;
  if (!fields.ParseFromString(FromByteBuffer(reply))) {
    return absl::DataLossError("unparsable HealthCheckResponse");
  }
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    if (f.number() == 1 && f.type() == UnknownField::TYPE_VARINT)
      return static_cast<int>(f.varint());
  }
  return 0;
}

absl::StatusOr<std::vector<std::string>> ListServicesByReflection(
    const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  // ServerReflectionRequest { string list_services = 7; }
  OneRequestBidiCall call(&stub, &context,
                          "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                          LengthDelimitedField(7, "*"));
  absl::StatusOr<std::vector<std::string>> replies = call.Replies();
  if (!replies.ok()) return replies.status();
  std::vector<std::string> names;
  for (const std::string& reply : *replies) {
    // ServerReflectionResponse { ListServiceResponse list_services_response = 6; }
    // ListServiceResponse { repeated ServiceResponse service = 1; }
    // ServiceResponse { string name = 1; }
    UnknownFieldSet response;
    if (!response.ParseFromString(reply)) return absl::DataLossError("unparsable reflection reply");
    for (int i = 0; i < response.field_count(); ++i) {
      if (response.field(i).number() != 6) continue;
      UnknownFieldSet list;
      if (!list.ParseFromString(response.field(i).length_delimited())) {
        return absl::DataLossError("unparsable ListServiceResponse");
      }
      for (int j = 0; j < list.field_count(); ++j) {
        if (list.field(j).number() != 1) continue;
        UnknownFieldSet service;
        if (!service.ParseFromString(list.field(j).length_delimited())) {
          return absl::DataLossError("unparsable ServiceResponse");
        }
        for (int k = 0; k < service.field_count(); ++k) {
          if (service.field(k).number() == 1) names.push_back(service.field(k).length_delimited());
        }
      }
    }
  }
  return names;
}

absl::StatusOr<std::string> HttpGet(int port, const std::string& path, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* p) { close(*p); });
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    return absl::UnavailableError(
        absl::StrCat("connect to port ", port, ": ", std::strerror(errno)));
  }
  std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1:", port, "\r\n\r\n");
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return absl::UnavailableError(absl::StrCat("send: ", std::strerror(errno)));
  }
  std::string response;
  char buf[4096];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    int ready = poll(&p, 1, Remaining(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return absl::DeadlineExceededError(absl::StrCat("GET ", path, " timed out"));
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::UnavailableError(absl::StrCat("read: ", std::strerror(errno)));
    if (n == 0) return response;
    response.append(buf, static_cast<size_t>(n));
  }
}

absl::StatusOr<SelfSignedCertificate> MakeSelfSignedCertificate() {
  return MakeCertificate("DNS:localhost,IP:127.0.0.1", nullptr);
}

absl::StatusOr<SelfSignedCertificate> MakeCertificate(const std::string& subject_alt_names,
                                                      const SelfSignedCertificate* issuer,
                                                      absl::Duration valid_for) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (key == nullptr || cert == nullptr) return absl::InternalError("EVP_EC_gen / X509_new failed");
  // The issuer's certificate and key (this certificate's own when self-signed).
  std::unique_ptr<X509, decltype(&X509_free)> issuer_cert(nullptr, X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> issuer_key(nullptr, EVP_PKEY_free);
  if (issuer != nullptr) {
    std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(
        BIO_new_mem_buf(issuer->cert_pem.data(), static_cast<int>(issuer->cert_pem.size())),
        BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
        BIO_new_mem_buf(issuer->key_pem.data(), static_cast<int>(issuer->key_pem.size())),
        BIO_free);
    issuer_cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    issuer_key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    if (issuer_cert == nullptr || issuer_key == nullptr) {
      return absl::InvalidArgumentError("issuer: PEM does not parse");
    }
  }
  static std::atomic<long> serial{1};
  X509* x = cert.get();
  X509_set_version(x, 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), static_cast<long>(absl::ToInt64Seconds(valid_for)));
  X509_set_pubkey(x, key.get());
  X509_NAME* name = X509_get_subject_name(x);
  const char* common_name = issuer == nullptr ? "localhost" : "lianxin test client";
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(x, issuer == nullptr ? name : X509_get_subject_name(issuer_cert.get()));
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer == nullptr ? x : issuer_cert.get(), x, nullptr, nullptr, 0);
  const std::pair<int, std::string> extensions[] = {
      {NID_basic_constraints, issuer == nullptr ? "critical,CA:TRUE" : "critical,CA:FALSE"},
      {NID_key_usage,
       issuer == nullptr ? "critical,digitalSignature,keyCertSign" : "critical,digitalSignature"},
      {NID_ext_key_usage, "serverAuth,clientAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_subject_alt_name, subject_alt_names},
  };
  for (const auto& [nid, value] : extensions) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) return absl::InternalError(absl::StrCat("extension ", value));
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  EVP_PKEY* signer = issuer == nullptr ? key.get() : issuer_key.get();
  if (X509_sign(x, signer, EVP_sha256()) == 0) return absl::InternalError("X509_sign failed");

  auto pem = [](auto write) -> std::string {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    write(bio.get());
    char* data = nullptr;
    long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
  };
  SelfSignedCertificate out;
  out.cert_pem = pem([&](BIO* b) { PEM_write_bio_X509(b, x); });
  out.key_pem = pem([&](BIO* b) {
    PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  if (out.cert_pem.empty() || out.key_pem.empty())
    return absl::InternalError("PEM encoding failed");
  return out;
}

}  // namespace lianxin::testing
