#include "libs/trust/personal_data.h"

#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"

namespace lianxin::trust {

std::string MaskLastFour(absl::string_view value) {
  constexpr size_t kShown = 4;
  constexpr size_t kLength = 18;
  if (value.empty()) return "";
  const absl::string_view last =
      value.size() > kShown ? value.substr(value.size() - kShown) : absl::string_view();
  return std::string(kLength - last.size(), '*') + std::string(last);
}

std::string BirthYear(absl::string_view birth_date) {
  if (birth_date.size() < 4) return "";
  return std::string(birth_date.substr(0, 4));
}

void RedactIdentity(google::protobuf::Message* message) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          RedactIdentity(reflection->MutableRepeatedMessage(message, field, i));
        }
      } else {
        RedactIdentity(reflection->MutableMessage(message, field));
      }
      continue;
    }
    if (field->type() != FieldDescriptor::TYPE_STRING || field->is_repeated()) continue;
    if (field->name() == "id_number_masked") {
      reflection->SetString(message, field, MaskLastFour(reflection->GetString(*message, field)));
    } else if (field->name() == "birth_date") {
      reflection->SetString(message, field, BirthYear(reflection->GetString(*message, field)));
    }
  }
}

}  // namespace lianxin::trust
