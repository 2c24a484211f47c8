/**
 * Helpers for worker tests: call the Worker through its public fetch handler and
 * make verified, logged-in users the way a person would (register → outbox
 * link → verify → login). Each user gets a unique email and client IP, so
 * per-IP auth rate limits never couple tests.
 */
import { exports } from "cloudflare:workers";

export const BASE = "http://edgewise.test";

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export type CallOptions = {
  method?: string;
  token?: string;
  apiKey?: string;
  body?: unknown;
  /** Sent as-is (for malformed-JSON tests); wins over `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  ip?: string;
};

export async function call(path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  if (options.apiKey) headers.set("x-api-key", options.apiKey);
  if (options.ip) headers.set("cf-connecting-ip", options.ip);
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return exports.default.fetch(
    new Request(`${BASE}${path}`, { method: options.method ?? (body ? "POST" : "GET"), headers, body }),
  );
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export type TestUser = {
  id: string;
  email: string;
  password: string;
  ip: string;
  accessToken: string;
  refreshToken: string;
  sessionId: string;
};

/** The token from the newest outbox message of a kind sent to an address. */
export async function tokenFromOutbox(email: string, kind: "verify_email" | "reset_password"): Promise<string> {
  const res = await call(`/api/v1/dev/outbox?to=${encodeURIComponent(email)}&kind=${kind}`);
  const { items } = await json<{ items: { text: string }[] }>(res);
  const match = /token=([\w%-]+)/.exec(items[0]?.text ?? "");
  if (!match?.[1]) throw new Error(`no ${kind} mail for ${email}`);
  return decodeURIComponent(match[1]);
}

export async function login(email: string, password: string, ip: string) {
  const res = await call("/api/v1/auth/login", { body: { email, password }, ip });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return json<{ access_token: string; refresh_token: string; session_id: string; user: { id: string } }>(res);
}

/** A new verified user, logged in. `role` other than developer is set directly in D1 (as an admin would). */
export async function createUser(
  options: { role?: "admin" | "developer" | "viewer"; name?: string } = {},
): Promise<TestUser> {
  const id = unique();
  const email = `user-${id}@example.com`;
  const password = `password-${id}`;
  const ip = `198.51.100.${counter % 250}-${id}`;
  const reg = await call("/api/v1/auth/register", {
    body: { email, password, name: options.name ?? `User ${id}` },
    ip,
  });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.status} ${await reg.text()}`);
  const verify = await call("/api/v1/auth/verify-email", {
    body: { token: await tokenFromOutbox(email, "verify_email") },
    ip,
  });
  if (verify.status !== 200) throw new Error(`verify failed: ${verify.status}`);
  if (options.role && options.role !== "developer") {
    const { env } = await import("cloudflare:workers");
    await env.DB.prepare("UPDATE users SET role = ? WHERE email = ?").bind(options.role, email).run();
  }
  const session = await login(email, password, ip);
  return {
    id: session.user.id,
    email,
    password,
    ip,
    accessToken: session.access_token,
    refreshToken: session.refresh_token,
    sessionId: session.session_id,
  };
}

/** An API key of `user` with the given scopes; returns the secret. */
export async function createApiKey(user: TestUser, scopes: string[], extra: Record<string, unknown> = {}) {
  const res = await call("/api/v1/keys", {
    token: user.accessToken,
    body: { name: `key-${unique()}`, scopes, ...extra },
  });
  if (res.status !== 201) throw new Error(`key create failed: ${res.status} ${await res.text()}`);
  return json<{ key: { id: string; prefix: string }; secret: string }>(res);
}
