// Chinese names of the API's enum values and of the counties on the system.
export const categoryText: Record<string, string> = {
  MEMBER_CATEGORY_FARMER: "农民", MEMBER_CATEGORY_LAID_OFF_WORKER: "下岗失业人员",
  MEMBER_CATEGORY_VETERAN: "退役军人", MEMBER_CATEGORY_GRADUATE: "高校毕业生",
  MEMBER_CATEGORY_RETIREE: "离退休人员", MEMBER_CATEGORY_ENTERPRISE_EMPLOYEE: "企业职工",
  MEMBER_CATEGORY_OTHER: "其他",
};

export const statusText: Record<string, string> = {
  MEMBER_STATUS_RESIDENT: "在籍", MEMBER_STATUS_OUTFLOW_PENDING: "已登记外出（待流入地接收）",
  MEMBER_STATUS_OUTFLOW_RECEIVED: "外出（流入地已接收）", MEMBER_STATUS_TRANSFER_PENDING: "组织关系转出中",
  MEMBER_STATUS_TRANSFERRED_OUT: "组织关系已转出", MEMBER_STATUS_INFLOW_EXPECTED: "待到达",
  MEMBER_STATUS_INFLOW_ACTIVE: "在本地", MEMBER_STATUS_INFLOW_CLOSED: "已离开",
  MEMBER_STATUS_TRANSFERRED_IN: "组织关系已转入",
};

export const countyText: Record<string, string> = {
  "654322": "富蕴县", "650102": "乌鲁木齐市天山区", "440305": "深圳市南山区",
  "510104": "成都市锦江区",
};

export function countyName(code: string): string {
  return countyText[code] ? `${countyText[code]}` : code;
}

// The name of an enum value, without its prefix, from a generated enum object.
export function enumKey(e: Record<string, string | number>, value: number): string {
  return String(e[value] ?? "");
}
