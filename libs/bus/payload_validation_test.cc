// Consumed payloads against the gRPC edge's field checks: one table entry per
// kind, a valid payload passing and a broken field named.
#include "libs/bus/payload_validation.h"

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"

namespace lianxin {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

namespace v1 = ::lianxin::v1;

TEST(PayloadKindsTest, EveryKindOfThePayloadOneofHasAnEntry) {
  const google::protobuf::OneofDescriptor* payload =
      Event::descriptor()->FindOneofByName("payload");
  ASSERT_NE(payload, nullptr);
  std::set<int> listed;
  for (const PayloadKind& kind : PayloadKinds()) {
    EXPECT_TRUE(listed.insert(kind.field_number).second) << "listed twice: " << kind.field_number;
  }
  for (int i = 0; i < payload->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = payload->field(i);
    EXPECT_TRUE(listed.contains(field->number()))
        << field->name() << " (" << field->number()
        << ") has no entry in PayloadKinds(): give it a validator, or none if no consumer "
           "applies it";
  }
  EXPECT_EQ(listed.size(), static_cast<size_t>(payload->field_count()));
}

struct Case {
  std::string name;
  std::function<void(Event&)> fill;
  // Empty: valid. Else the field the message must name.
  std::string field;
};

TEST(ValidatePayloadTest, EachConsumedKindPassesOrNamesTheBrokenField) {
  const std::vector<Case> cases = {
      {"registration",
       [](Event& e) {
         auto* r = e.mutable_member_registered();
         r->set_home_jurisdiction("654322");
         r->set_branch("第一支部");
         r->set_name("张三");
         r->set_id_hash(std::string(64, 'a'));
         r->set_id_number_masked("**************123X");
         r->set_category(v1::MEMBER_CATEGORY_FARMER);
         r->set_joined_on("2001-07-01");
       },
       ""},
      {"registration, name too long",
       [](Event& e) { e.mutable_member_registered()->set_name(std::string(33, 'x')); }, "name"},
      {"registration, hash not hex",
       [](Event& e) {
         e.mutable_member_registered()->set_name("张三");
         e.mutable_member_registered()->set_id_hash("not-a-hash");
       },
       "id_hash"},
      {"registration, a full ID number where the mask goes",
       [](Event& e) {
         e.mutable_member_registered()->set_name("张三");
         e.mutable_member_registered()->set_id_number_masked("65432219900101123");
       },
       "id_number_masked"},
      {"outflow",
       [](Event& e) {
         e.mutable_outflow_registered()->set_destination_jurisdiction("650102");
         e.mutable_outflow_registered()->set_left_on("2026-03-01");
       },
       ""},
      {"outflow, bad destination",
       [](Event& e) {
         e.mutable_outflow_registered()->set_destination_jurisdiction("65010");
         e.mutable_outflow_registered()->set_left_on("2026-03-01");
       },
       "destination_jurisdiction"},
      {"outflow, a snapshot with a control character in the name",
       [](Event& e) {
         e.mutable_outflow_registered()->set_destination_jurisdiction("650102");
         e.mutable_outflow_registered()->set_left_on("2026-03-01");
         e.mutable_outflow_registered()->mutable_snapshot()->mutable_registration()->set_name(
             "a\x01");
       },
       "name"},
      {"certificate",
       [](Event& e) {
         e.mutable_certificate_issued()->set_certificate_no("C-1");
         e.mutable_certificate_issued()->set_valid_until("2027-01-01");
       },
       ""},
      {"certificate, no number",
       [](Event& e) { e.mutable_certificate_issued()->set_valid_until("2027-01-01"); },
       "certificate_no"},
      {"arrival",
       [](Event& e) {
         e.mutable_arrival_recorded()->set_branch("b");
         e.mutable_arrival_recorded()->set_arrived_on("2026-03-02");
       },
       ""},
      {"arrival, a date that is no day",
       [](Event& e) {
         e.mutable_arrival_recorded()->set_branch("b");
         e.mutable_arrival_recorded()->set_arrived_on("2026-02-30");
       },
       "arrived_on"},
      {"certificate entry, negative dues",
       [](Event& e) {
         e.mutable_certificate_entry_recorded()->set_occurred_on("2026-03-02");
         e.mutable_certificate_entry_recorded()->set_amount_fen(-5);
       },
       "amount_fen"},
      {"transfer request, no letter",
       [](Event& e) { e.mutable_transfer_requested()->set_to_jurisdiction("650102"); },
       "letter_no"},
      {"transfer accepted, unknown county",
       [](Event& e) { e.mutable_transfer_accepted()->set_to_jurisdiction("999999"); },
       "to_jurisdiction"},
      {"transfer rejected, no reason", [](Event& e) { e.mutable_transfer_rejected(); }, "reason"},
      {"return", [](Event& e) { e.mutable_return_recorded()->set_returned_on("2026-05-01"); }, ""},
      {"return, no date", [](Event& e) { e.mutable_return_recorded(); }, "returned_on"},
      {"lost contact flagged, bad date",
       [](Event& e) { e.mutable_lost_contact_flagged()->set_flagged_on("yesterday"); },
       "flagged_on"},
      {"contact restored, bad date",
       [](Event& e) { e.mutable_contact_restored()->set_contact_on("2026-13-01"); }, "contact_on"},
      {"duplicate suspected, no member", [](Event& e) { e.mutable_duplicate_suspected(); },
       "existing_member_id"},
      {"transfer withdrawn, reason too long",
       [](Event& e) { e.mutable_transfer_withdrawn()->set_reason(std::string(257, 'r')); },
       "reason"},
      {"details changed, bad phone",
       [](Event& e) { e.mutable_outflow_details_changed()->set_contact_phone("call me"); },
       "contact_phone"},
      {"visit home, no end",
       [](Event& e) { e.mutable_visit_home_recorded()->set_home_from("2026-01-20"); },
       "home_until"},
      {"standing changed, unknown change",
       [](Event& e) {
         e.mutable_membership_standing_changed()->set_change(static_cast<v1::MembershipChange>(99));
       },
       "change"},
      {"criticism, no grounds", [](Event& e) { e.mutable_criticism_recorded(); }, "grounds"},
      {"contact",
       [](Event& e) {
         e.mutable_contact_recorded()->set_member_id("654322-00ff");
         e.mutable_contact_recorded()->set_occurred_on("2026-03-03");
         e.mutable_contact_recorded()->set_summary("quarterly report");
       },
       ""},
      {"contact, summary too long",
       [](Event& e) {
         e.mutable_contact_recorded()->set_member_id("654322-00ff");
         e.mutable_contact_recorded()->set_occurred_on("2026-03-03");
         e.mutable_contact_recorded()->set_summary(std::string(2001, 's'));
       },
       "summary"},
      {"lost contact, no member",
       [](Event& e) { e.mutable_lost_contact()->set_lost_on("2026-03-03"); }, "member_id"},
      {"contact resumed, no date",
       [](Event& e) { e.mutable_contact_resumed()->set_member_id("m"); }, "contact_on"},
      {"attendance, too many hours",
       [](Event& e) {
         e.mutable_attendance_recorded()->set_member_id("m");
         e.mutable_attendance_recorded()->set_attended(true);
         e.mutable_attendance_recorded()->set_hours(33);
       },
       "hours"},
      {"material, unknown mode",
       [](Event& e) {
         e.mutable_material_delivered()->set_member_id("m");
         e.mutable_material_delivered()->set_delivered_on("2026-03-03");
         e.mutable_material_delivered()->set_mode(static_cast<v1::CourseMode>(77));
       },
       "mode"},
      {"appraisal notice, a year out of range",
       [](Event& e) {
         e.mutable_appraisal_notice_sent()->set_cycle_id("c");
         e.mutable_appraisal_notice_sent()->set_year(30000);
       },
       "year"},
      {"lapse decision, remarks too long",
       [](Event& e) { e.mutable_lapse_decision_recorded()->set_remarks(std::string(501, 'r')); },
       "remarks"},
      {"probation, extension past a year",
       [](Event& e) { e.mutable_probation_outcome_recorded()->set_extension_months(18); },
       "extension_months"},
      {"a kind no consumer applies", [](Event& e) { e.mutable_course_created(); }, ""},
      {"no payload", [](Event&) {}, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Event event;
    event.set_type("Kind");
    c.fill(event);
    const absl::Status valid = ValidatePayload(event);
    if (c.field.empty()) {
      EXPECT_TRUE(valid.ok()) << valid;
      continue;
    }
    ASSERT_TRUE(absl::IsInvalidArgument(valid)) << valid;
    EXPECT_THAT(valid.message(), HasSubstr(absl::StrCat("Kind.", c.field, ":")));
  }
}

TEST(ValidatePayloadTest, TheMessageNamesTheFieldNeverItsValue) {
  Event event;
  event.set_type("MemberRegistered");
  event.mutable_member_registered()->set_name("张三");
  event.mutable_member_registered()->set_birth_date("1990-02-31");
  const absl::Status valid = ValidatePayload(event);
  ASSERT_FALSE(valid.ok());
  EXPECT_THAT(valid.message(), HasSubstr("birth_date"));
  EXPECT_THAT(valid.message(), Not(HasSubstr("1990")));
}

}  // namespace
}  // namespace lianxin
