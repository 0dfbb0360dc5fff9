#include "tools/lxgateway/dispatcher.h"

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "libs/runtime/rpc.h"
#include "tools/lxgateway/connect.h"

namespace lianxin::gateway {
namespace {

using google::protobuf::Message;
using google::protobuf::MessageFactory;

ForwardResult InvalidArgument(std::string field, std::string description) {
  ForwardResult result;
  const std::string message = field.empty() ? description : absl::StrCat(field, ": ", description);
  result.status = absl::InvalidArgumentError(message);
  result.status_details_bin = BadRequestStatusDetails(
      absl::StatusCode::kInvalidArgument, message,
      {{field.empty() ? "body" : std::move(field), std::move(description)}});
  return result;
}

// Metadata values must be printable ASCII; anything else is not a credential.
bool IsPrintableAscii(absl::string_view s) {
  for (char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

std::string FieldOfJsonError(absl::string_view message) {
  // "(category): invalid value …" or "favouriteColour: Cannot find field."
  std::string field;
  if (const size_t close = message.find("):");
      absl::StartsWith(message, "(") && close != absl::string_view::npos) {
    field = std::string(message.substr(1, close - 1));
  } else if (const size_t colon = message.find(": "); colon != absl::string_view::npos) {
    field = std::string(message.substr(0, colon));
  }
  if (field.empty()) return "";
  for (char c : field) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '[' &&
        c != ']') {
      return "";
    }
  }
  return field;
}

absl::StatusOr<std::unique_ptr<Dispatcher>> Dispatcher::Create(
    const std::map<std::string, std::shared_ptr<grpc::ChannelInterface>>& services) {
  auto dispatcher = std::unique_ptr<Dispatcher>(new Dispatcher());
  for (const auto& [name, channel] : services) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    if (service == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("service ", name, " is not known"));
    }
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (method->client_streaming() || method->server_streaming()) continue;
      Route route;
      route.path = absl::StrCat("/", service->full_name(), "/", method->name());
      route.method = method;
      route.channel = channel;
      dispatcher->routes_.emplace(route.path, std::move(route));
    }
  }
  return dispatcher;
}

const Route* Dispatcher::Find(absl::string_view path) const {
  auto it = routes_.find(path);
  return it == routes_.end() ? nullptr : &it->second;
}

ForwardResult Dispatcher::Forward(const Route& route, const ForwardedCall& call) const {
  const Message* input_prototype =
      MessageFactory::generated_factory()->GetPrototype(route.method->input_type());
  const Message* output_prototype =
      MessageFactory::generated_factory()->GetPrototype(route.method->output_type());
  if (input_prototype == nullptr || output_prototype == nullptr) {
    return {absl::InternalError("no generated message for " + route.path), "", ""};
  }
  std::unique_ptr<Message> request(input_prototype->New());
  google::protobuf::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  const std::string body =
      absl::StripAsciiWhitespace(call.json_body).empty() ? "{}" : call.json_body;
  if (auto parsed = google::protobuf::util::JsonStringToMessage(body, request.get(), parse);
      !parsed.ok()) {
    const std::string message(parsed.message());
    return InvalidArgument(FieldOfJsonError(message), message);
  }
  if (!IsPrintableAscii(call.authorization)) {
    return {absl::UnauthenticatedError("authorization: not a bearer token"), "", ""};
  }
  if (call.scope) {
    if (absl::Status scoped = call.scope(request.get()); !scoped.ok()) {
      ForwardResult refused;
      const std::string message(scoped.message());
      const size_t colon = message.find(": ");
      refused.status = scoped;
      refused.status_details_bin = BadRequestStatusDetails(
          scoped.code(), message,
          {{colon == std::string::npos ? "body" : message.substr(0, colon),
            colon == std::string::npos ? message : message.substr(colon + 2)}});
      return refused;
    }
  }

  std::string bytes;
  request->SerializeToString(&bytes);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(call.timeout));
  if (!call.authorization.empty()) context.AddMetadata("authorization", call.authorization);
  for (const auto& [key, value] : call.metadata) context.AddMetadata(key, value);
  grpc::GenericStub stub(route.channel);
  grpc::CompletionQueue queue;
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request_buffer(&slice, 1);
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> rpc =
      stub.PrepareUnaryCall(&context, route.path, request_buffer, &queue);
  rpc->StartCall();
  grpc::ByteBuffer reply_buffer;
  grpc::Status status;
  rpc->Finish(&reply_buffer, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }

  ForwardResult result;
  if (!status.ok()) {
    result.status = FromGrpcStatus(status);
    result.status_details_bin = status.error_details();
    return result;
  }
  std::vector<grpc::Slice> slices;
  if (!reply_buffer.Dump(&slices).ok()) {
    result.status = absl::InternalError("reply could not be read");
    return result;
  }
  std::string reply_bytes;
  for (const grpc::Slice& s : slices) {
    reply_bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  std::unique_ptr<Message> reply(output_prototype->New());
  if (!reply->ParseFromString(reply_bytes)) {
    result.status =
        absl::InternalError("reply is not a " + route.method->output_type()->full_name());
    return result;
  }
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  if (auto printed = google::protobuf::util::MessageToJsonString(*reply, &result.json, print);
      !printed.ok()) {
    result.status = absl::InternalError(std::string(printed.message()));
  }
  return result;
}

}  // namespace lianxin::gateway
