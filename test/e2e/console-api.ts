/**
 * Direct API calls for the console tests (console.test.ts): set up an account
 * without clicking through the UI, and act on the hub from "outside" the page.
 */

type Json = Record<string, unknown>;

async function call(baseUrl: string, method: string, path: string, body?: Json, token?: string): Promise<Json> {
  const headers: Record<string, string> = {};
  if (body) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}/api/v1${path}`, {
    method,
    headers,
    body: body ? JSON.stringify(body) : null,
  });
  const json = (await res.json()) as Json;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

export function uniqueEmail(label: string): string {
  return `e2e-${label}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Registers and verifies an account through the API and the dev outbox; returns its access token. */
export async function createVerifiedUser(baseUrl: string, email: string, password: string): Promise<string> {
  await call(baseUrl, "POST", "/auth/register", { email, password, name: "E2E Helper" });
  const outbox = await call(baseUrl, "GET", `/dev/outbox?to=${encodeURIComponent(email)}&kind=verify_email`);
  const [message] = outbox.items as Array<{ text: string }>;
  const token = /[?&]token=([^\s&]+)/.exec(message?.text ?? "")?.[1];
  if (!token) throw new Error(`No verification link in the outbox for ${email}`);
  await call(baseUrl, "POST", "/auth/verify-email", { token: decodeURIComponent(token) });
  const login = await call(baseUrl, "POST", "/auth/login", { email, password });
  return String(login.access_token);
}

export async function publishMessage(baseUrl: string, token: string, text: string): Promise<number> {
  const result = await call(baseUrl, "POST", "/events", { type: "user.message", data: { text } }, token);
  return Number((result.event as Json).id);
}

/** POST /tasks as the user; returns the created task with its children. */
export async function createTask(baseUrl: string, token: string, body: Json) {
  return (await call(baseUrl, "POST", "/tasks", body, token)) as { id: string; children: Array<{ id: string }> };
}
