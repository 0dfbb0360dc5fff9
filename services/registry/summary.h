// Readable one-line summaries of registry events, for GetMemberHistory and
// lxaudit timelines (Chinese, as operators read them).
#ifndef LIANXIN_SERVICES_REGISTRY_SUMMARY_H_
#define LIANXIN_SERVICES_REGISTRY_SUMMARY_H_

#include <string>

#include "lianxin/v1/events.pb.h"

namespace lianxin::registry {

// E.g. "流出登记：前往 650102 乌鲁木齐市天山区，建筑工人，2026-02-01 离开".
std::string Summarize(const lianxin::v1::Event& event);

}  // namespace lianxin::registry

#endif  // LIANXIN_SERVICES_REGISTRY_SUMMARY_H_
