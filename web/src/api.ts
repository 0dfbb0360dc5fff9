// The console's API client: the Connect web client over the types generated
// from the protos (npm run gen), talking to lxgateway on the page's own origin.
// A signed-in session sends its CSRF token on every call.
import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { Registry } from "./gen/lianxin/v1/registry_pb";
import { ContactTracking } from "./gen/lianxin/v1/contact_pb";
import { EducationScheduling } from "./gen/lianxin/v1/education_pb";
import { Appraisal } from "./gen/lianxin/v1/appraisal_pb";
import { MemberPins, MemberSession, StaffSession, type MemberSessionInfo, type SessionInfo } from "./gen/session_pb";
import { reactive } from "vue";

export const session = reactive<{ info: SessionInfo | null }>({ info: null });

const csrf: Interceptor = (next) => async (req) => {
  if (session.info?.csrfToken) req.header.set("X-CSRF-Token", session.info.csrfToken);
  return next(req);
};

const transport = createConnectTransport({
  baseUrl: window.location.origin,
  interceptors: [csrf],
  fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }),
});

export const registry = createClient(Registry, transport);
export const contact = createClient(ContactTracking, transport);
export const education = createClient(EducationScheduling, transport);
export const appraisal = createClient(Appraisal, transport);
export const staff = createClient(StaffSession, transport);
export const memberPins = createClient(MemberPins, transport);

// The member page's own session and calls, under /m/ on the same origin: its
// cookie is scoped there and to one member; the gateway holds every call to
// that member (tools/lxgateway/member.h).
export const memberSession = reactive<{ info: MemberSessionInfo | null }>({ info: null });
const memberCsrf: Interceptor = (next) => async (req) => {
  if (memberSession.info?.csrfToken) req.header.set("X-CSRF-Token", memberSession.info.csrfToken);
  return next(req);
};
const memberTransport = createConnectTransport({
  baseUrl: `${window.location.origin}/m`,
  interceptors: [memberCsrf],
  fetch: (input, init) => fetch(input, { ...init, credentials: "same-origin" }),
});
export const member = {
  session: createClient(MemberSession, memberTransport),
  registry: createClient(Registry, memberTransport),
  contact: createClient(ContactTracking, memberTransport),
  education: createClient(EducationScheduling, memberTransport),
};

// The county the signed-in account works for.
export function county(): string {
  return session.info?.jurisdiction ?? "";
}

// A fresh idempotency key for one submission of a form.
export function requestId(): string {
  return crypto.randomUUID();
}

// Today in the county's calendar (UTC+8), "YYYY-MM-DD".
export function today(offsetDays = 0): string {
  const t = new Date(Date.now() + 8 * 3600_000 + offsetDays * 86400_000);
  return t.toISOString().slice(0, 10);
}

// The ledgers and reports the gateway exports (POST /lianxin.gateway.v1.Ledgers/Export,
// libs/ledger's sheets, as `lxctl export`), with their titles.
export const ledgerReports: { name: string; title: string }[] = [
  { name: "outflow", title: "流出党员台账" },
  { name: "inflow", title: "流入党员台账" },
  { name: "members", title: "党员名册" },
  { name: "overdue", title: "逾期未联系" },
  { name: "lost-contact", title: "失联党员" },
  { name: "class-hours", title: "学时未达标" },
  { name: "appraisal", title: "民主评议表" },
  { name: "dues-arrears", title: "党费欠缴" },
  { name: "lapse", title: "自行脱党候选" },
  { name: "lost-transfers", title: "接转回执逾期" },
];

export interface LedgerExport {
  report: string;
  format: "xlsx" | "csv";
  asOf?: string;
  year?: number;
  branch?: string;
}

// Downloads one ledger as a file and returns its name; a refusal throws a
// ConnectError like any call's (the body is a Connect error).
export async function downloadLedger(request: LedgerExport): Promise<string> {
  const reply = await fetch("/lianxin.gateway.v1.Ledgers/Export", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": session.info?.csrfToken ?? "" },
    body: JSON.stringify(request),
  });
  if (!reply.ok) {
    const body = await reply.json().catch(() => ({}));
    const code = Object.values(Code).find((c) => typeof c === "number" && Code[c].replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase() === body.code);
    throw new ConnectError(body.message ?? reply.statusText, typeof code === "number" ? code : Code.Unknown);
  }
  const disposition = reply.headers.get("Content-Disposition") ?? "";
  const encoded = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
  const name = encoded ? decodeURIComponent(encoded) : `${request.report}.${request.format}`;
  const url = URL.createObjectURL(await reply.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
