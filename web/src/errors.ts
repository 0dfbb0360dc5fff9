// Errors shown in Chinese: from the error details (the field and the rule) when
// the service sent them, else from the field and rule its message names
// ("lecturer: … (R12 scheduling: …)"). A raw code is never shown.
import { Code, ConnectError } from "@connectrpc/connect";

const codeText: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: "填写有误",
  [Code.FailedPrecondition]: "不符合规定，无法办理",
  [Code.NotFound]: "未找到该记录",
  [Code.AlreadyExists]: "记录已存在",
  [Code.PermissionDenied]: "无权办理此事项",
  [Code.Unauthenticated]: "登录已失效，请重新登录",
  [Code.Aborted]: "记录刚被他人修改，请刷新后重试",
  [Code.Unavailable]: "服务暂时不可用，请稍后重试",
  [Code.ResourceExhausted]: "尝试次数过多，请稍后再试",
  [Code.DeadlineExceeded]: "服务响应超时，请稍后重试",
};

// Field names of the API, as a form labels them.
export const fieldText: Record<string, string> = {
  member_id: "党员", name: "姓名", id_number: "身份证号", birth_date: "出生日期",
  gender: "性别", category: "人员类别", phone: "联系电话", branch: "所在支部",
  joined_on: "入党日期", jurisdiction: "县（区）", destination_jurisdiction: "流入地",
  destination_address: "流入地地址", occupation: "从事职业", left_on: "外出日期",
  expected_return_on: "预计返回日期", contact_phone: "外出联系电话", certificate_no: "活动证编号",
  valid_until: "有效期至", arrived_on: "到达日期", occurred_on: "日期", activity: "活动内容",
  channel: "联系方式", kind: "联系类别", summary: "内容摘要", caller_name: "来电人",
  caller_phone: "来电号码", topic: "事项", question: "问题", course_id: "课程",
  session_id: "课次", location: "地点", starts_at: "开始时间", ends_at: "结束时间",
  capacity: "容量", lecturer: "授课人", hours: "学时", attended: "是否出席",
  months: "缴纳月份", amount_fen: "金额", monthly_income_fen: "月收入", basis: "收入类别",
  grade: "评议等次", remarks: "评语", cycle_id: "评议周期", year: "年度", title: "课程名称",
  mode: "教学方式", request_id: "提交编号", expected_version: "版本", page_token: "分页",
  body: "提交内容", authorization: "登录凭据", username: "用户名",
  member_code: "党员编号", pin: "PIN 码", employer: "工作单位", method: "办理事项",
  destination_branch: "流入地支部", changed_on: "变更日期",
};

// Rules of domain.md, as a person in the office knows them.
const ruleText: Record<string, string> = {
  R1: "外出须向支部报告", R2: "外出半年以上须转接组织关系或持活动证",
  R3: "流出登记须写明去向、期限、职业、地址和联系方式", R4: "须按时向支部汇报",
  R5: "失联认定须满六个月", R6: "自行脱党须经支部决定", R7: "民主评议每年一次，优秀不超过三分之一",
  R8: "活动证登记规定", R9: "组织关系介绍信回执须一个月内退回", R10: "党费按收入比例计算",
  R11: "预备期规定", R12: "教育培训安排规定", R13: "教学方式与授课人专长须相符",
  R14: "服务热线登记规定", R17: "组织关系接转规定", R18: "同一身份证号不得重复登记",
  R20: "向未接入系统的党组织转接须纸质办理", R21: "目标责任书规定", R22: "党籍处置须有依据",
  R24: "季节性外出规定",
};

// The clash a scheduling message names, in Chinese.
function clashText(message: string): string | null {
  if (/lecturer is in one session/.test(message)) return "时间冲突：同一授课人同一时间只能讲授一个课次";
  if (/place holds one session/.test(message)) return "时间冲突：该地点这一时段已被占用";
  if (/member is in one session/.test(message)) return "时间冲突：该党员这一时段已有其他课次";
  if (/is full/.test(message)) return "该课次名额已满";
  if (/seats exceed/.test(message)) return "人数超过场地容量";
  if (/already enrolled/.test(message)) return "该党员已报名此课次";
  return null;
}

function fieldOf(message: string): string | null {
  const m = /^([a-z_]+(?:\.[a-z_]+)*)\s*:/.exec(message);
  return m ? m[1] : null;
}

function label(field: string): string {
  const last = field.split(".").pop() ?? field;
  return fieldText[last] ?? "填写内容";
}

interface Violation {
  field?: string;
  description?: string;
}

// One line of Chinese for an error the API returned (or a network failure).
export function describeError(e: unknown): string {
  if (!(e instanceof ConnectError)) return "网络连接失败，请检查网络后重试";
  const message = e.rawMessage ?? "";
  let field: string | null = null;
  let rule: string | null = null;
  for (const d of e.details) {
    const debug = ("debug" in d ? d.debug : undefined) as Record<string, unknown> | undefined;
    if (!debug) continue;
    const violations = debug["fieldViolations"] as Violation[] | undefined;
    if (violations?.length && violations[0].field) field = violations[0].field;
    if (typeof debug["reason"] === "string" && /^R\d+$/.test(debug["reason"])) rule = debug["reason"];
  }
  field ??= fieldOf(message);
  rule ??= /\b(R\d+)\b/.exec(message)?.[1] ?? null;
  const what = clashText(message) ?? (rule && ruleText[rule]) ?? codeText[e.code] ?? "办理失败";
  const parts = [field ? `${label(field)}：${what}` : what];
  if (rule) parts.push(`（依据规则 ${rule}）`);
  return parts.join("");
}
