// The console's API client: the Connect web client over the types generated
// from the protos (npm run gen), talking to lxgateway on the page's own origin.
// A signed-in session sends its CSRF token on every call.
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { Registry } from "./gen/lianxin/v1/registry_pb";
import { ContactTracking } from "./gen/lianxin/v1/contact_pb";
import { EducationScheduling } from "./gen/lianxin/v1/education_pb";
import { Appraisal } from "./gen/lianxin/v1/appraisal_pb";
import { StaffSession, type SessionInfo } from "./gen/session_pb";
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
