// Keeping ID numbers unrebuildable: what of a member's identity may leave the
// home registry.
//
// The ID number itself is never stored or sent (only its keyed hash). Its
// masked form shows the last four characters only; the birth date (characters
// 7–14 of the number) leaves the home registry as the year at most, and the
// region (characters 1–6) is never shown, so nothing sent or printed holds
// more than the last four characters of a number together with its year.
// Events logged with the old mask (first six and last four) stay as they are
// for the hash chain; every reply, snapshot and export passes through here.
//
//   RedactIdentity(&event);                 // lxaudit export, partner replies
//   member.set_id_number_masked(MaskLastFour(stored));
#ifndef LIANXIN_LIBS_TRUST_PERSONAL_DATA_H_
#define LIANXIN_LIBS_TRUST_PERSONAL_DATA_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace lianxin::trust {

// "**************123X": the last four characters of an ID number or of any
// earlier masked form of it, the rest as '*', 18 characters in all.
std::string MaskLastFour(absl::string_view id_number_or_masked);

// "1987" of "1987-06-05" (empty stays empty; anything shorter than a year is
// dropped).
std::string BirthYear(absl::string_view birth_date);

// Rewrites, in `message` and every message inside it, each string field named
// `id_number_masked` to MaskLastFour and each named `birth_date` to BirthYear.
void RedactIdentity(google::protobuf::Message* message);

}  // namespace lianxin::trust

#endif  // LIANXIN_LIBS_TRUST_PERSONAL_DATA_H_
