/**
 * The console's agent and chat pages in real headless Chromium against `wrangler dev`
 * (global-setup.ts), with the offline model (no provider keys): create an agent from a
 * template → chat → `/calculator` runs as a tool call (tool card, streamed answer over
 * the session WebSocket, tokens and cost) → the conversation survives a reload → usage
 * charts; a dangerous `http_request` waits for the Approve button; a chat socket cut
 * while a turn waits resumes from its last seq and catches up; the tools page edits an
 * extension's settings (a field's validation error, a saved value after reload, a secret never shown).
 * Build the console first: `npm run build:web`.
 */
import type { Browser, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { launchBrowser, openPage } from "./support/browser";

const baseURL = inject("baseUrl");
const DEMO = { email: "demo@edgewise.dev", password: "edgewise-demo-pass" };
const ADMIN = { email: "admin@edgewise.dev", password: "edgewise-admin-pass" };

let browser: Browser;
let demoToken = "";

type Json = Record<string, unknown>;

async function api(method: string, path: string, body?: unknown, token = demoToken): Promise<Response> {
  return fetch(`${baseURL}/api/v1${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: body === undefined ? null : JSON.stringify(body),
  });
}

async function login(account: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${baseURL}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(account),
  });
  return String(((await res.json()) as Json).access_token);
}

/** The web extension (http_request) on for the demo user, and this server allowed as a "private" target. */
async function allowHttpRequestsToThisServer() {
  const installed = await api("POST", "/extensions", { name: "web" });
  if (installed.status === 409) await api("PATCH", `/extensions/${await extensionId("web")}`, { enabled: true });
  else expect(installed.status).toBe(201);
  const admin = await login(ADMIN);
  const outbound = { allow_private_hosts: ["127.0.0.1"], max_response_bytes: 2_000_000, timeout_ms: 10_000 };
  const res = await api("PUT", "/admin/config/outbound", { value: outbound }, admin);
  expect(res.status).toBe(200);
}

async function extensionId(name: string): Promise<string> {
  const list = (await (await api("GET", "/extensions")).json()) as { items: Array<{ id: string; name: string }> };
  return list.items.find((extension) => extension.name === name)?.id ?? "";
}

async function createAgent(template: string, name: string): Promise<string> {
  const res = await api("POST", "/agents/from-template", { template_id: template, name, model: "offline:assistant" });
  expect(res.status).toBe(201);
  return String(((await res.json()) as Json).id);
}

beforeAll(async () => {
  browser = await launchBrowser();
  demoToken = await login(DEMO);
});

afterAll(async () => {
  await browser?.close();
});

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function signIn(page: Page, next = "/agents") {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await byTestId(page, "login-email").fill(DEMO.email);
  await byTestId(page, "login-password").fill(DEMO.password);
  await byTestId(page, "login-submit").click();
}

async function send(page: Page, text: string) {
  await page.locator('[data-testid="chat-status"][data-status="connected"]').waitFor();
  await byTestId(page, "chat-input").fill(text);
  await byTestId(page, "chat-input").press("Enter");
}

const toolCard = (page: Page, tool: string, status?: string) =>
  page.locator(`[data-testid="tool-card"][data-tool="${tool}"]${status ? `[data-status="${status}"]` : ""}`);

const finalAnswer = (page: Page, text: string) =>
  page.locator('[data-testid="message"][data-role="assistant"][data-streaming="false"]', { hasText: text });

it("creates an agent from a template and chats with it: tool card, streamed answer, tokens and cost", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  const frames: string[] = [];
  page.on("websocket", (socket) => {
    if (socket.url().includes("/sessions/")) socket.on("framereceived", ({ payload }) => frames.push(String(payload)));
  });
  const name = `E2E calculator ${Date.now()}`;

  await signIn(page);
  await byTestId(page, "agent-from-template").click();
  const card = page.locator('[data-testid="template-card"][data-template-id="general-assistant"]');
  await card.locator('[data-testid="template-use"]').click();
  await card.locator('[data-testid="template-name"]').fill(name);
  await card.locator('[data-testid="template-model"]').fill("offline:assistant");
  await card.locator('[data-testid="template-create"]').click();
  await byTestId(page, "agent-created").waitFor();
  expect(await byTestId(page, "agent-model").inputValue()).toBe("offline:assistant");
  expect(await byTestId(page, "tool-calculator").isChecked()).toBe(true);

  await byTestId(page, "agent-start-chat").click();
  await page.waitForURL(/\/chat\?session=/);
  await send(page, '/calculator {"expression":"6*7"}');

  const calculator = toolCard(page, "calculator", "succeeded");
  await calculator.waitFor();
  expect(await calculator.locator('[data-testid="tool-input"]').textContent()).toContain('"6*7"');
  expect(await calculator.locator('[data-testid="tool-output"]').textContent()).toContain("42");
  expect(await calculator.locator('[data-testid="tool-time"]').textContent()).toMatch(/\d+(\.\d+)? m?s/);

  const answer = finalAnswer(page, "calculator returned");
  await answer.waitFor();
  expect(await answer.locator('[data-testid="message-text"]').textContent()).toContain("42");
  expect(await answer.locator('[data-testid="message-tokens"]').textContent()).toMatch(
    /^[1-9][\d,]* in · [1-9][\d,]* out tokens$/,
  );
  expect(await answer.locator('[data-testid="message-cost"]').textContent()).toMatch(/^\$[\d.]+$/);
  await expect(byTestId(page, "turn-totals").textContent()).resolves.toMatch(/2 steps, 1 tool call · [\d,]+ tokens/);
  // The answer arrived as text deltas over the session's WebSocket, not by reloading.
  expect(frames.some((frame) => frame.includes('"text.delta"') && frame.includes("42"))).toBe(true);

  // The conversation is stored: a reload shows it again from the session's messages.
  await page.reload();
  await toolCard(page, "calculator", "succeeded").waitFor();
  await finalAnswer(page, "calculator returned").waitFor();
  await expect(byTestId(page, "session-totals").textContent()).resolves.toMatch(/[1-9][\d,]* tokens · \$/);

  await byTestId(page, "nav-usage").click();
  await byTestId(page, "usage-totals").waitFor();
  await page.locator(".recharts-surface").first().waitFor();
  await expect(byTestId(page, "usage-agents").textContent()).resolves.toContain(name);
});

it("pauses a dangerous http_request until Approve is clicked, then shows its result", async (test) => {
  await allowHttpRequestsToThisServer();
  const agentId = await createAgent("web-automator", `E2E web ${Date.now()}`);
  const page = await openPage(browser, { baseURL, test });
  await signIn(page, `/chat?agent=${agentId}`);
  await page.waitForURL(/\/chat\?session=/);
  await send(page, `/http_request {"url":"${baseURL}/health","method":"GET"}`);

  const waiting = toolCard(page, "http_request", "awaiting_approval");
  await waiting.waitFor();
  await byTestId(page, "turn-awaiting").waitFor();
  expect(await waiting.locator('[data-testid="tool-input"]').textContent()).toContain("/health");
  await waiting.locator('[data-testid="tool-approve"]').click();

  const done = toolCard(page, "http_request", "succeeded");
  await done.waitFor();
  expect(await done.locator('[data-testid="tool-output"]').textContent()).toContain('"status": 200');
  await finalAnswer(page, "http_request returned").waitFor();
  expect(await byTestId(page, "turn-awaiting").count()).toBe(0);
});

it("edits extension settings on the tools page: a bad value is refused by its field, a good one persists, a secret is never shown", async (test) => {
  const secret = `sk-e2e-${Date.now()}`;
  const installed = await api("POST", "/extensions", { name: "web" });
  expect([201, 409]).toContain(installed.status);
  const page = await openPage(browser, { baseURL, test });
  await signIn(page, "/tools");
  const settingsOf = async (name: string) => {
    await page
      .locator(`[data-testid="extension"][data-extension="${name}"] [data-testid="extension-settings-toggle"]`)
      .click();
    return page.locator(`[data-testid="extension"][data-extension="${name}"] [data-testid="extension-settings"]`);
  };

  let core = await settingsOf("core");
  const zone = core.locator('[data-testid="setting-default_time_zone"]');
  await zone.fill("Mars/Olympus_Mons");
  await core.locator('[data-testid="settings-save"]').click();
  await expect(core.locator('[data-testid="setting-error-default_time_zone"]').textContent()).resolves.toContain(
    "IANA time zone",
  );
  await zone.fill("Europe/Berlin");
  await core.locator('[data-testid="settings-save"]').click();
  await core.locator('[data-testid="settings-saved"]').waitFor();
  expect(await core.locator('[data-testid="setting-error-default_time_zone"]').count()).toBe(0);

  let web = await settingsOf("web");
  expect(await web.locator('[data-testid="secret-search_api_key"]').getAttribute("data-configured")).toBe("false");
  const key = web.locator('[data-testid="setting-search_api_key"]');
  expect(await key.getAttribute("type")).toBe("password");
  await key.fill(secret);
  await web.locator('[data-testid="settings-save"]').click();
  await web.locator('[data-testid="settings-saved"]').waitFor();
  expect(await web.locator('[data-testid="secret-search_api_key"]').getAttribute("data-configured")).toBe("true");
  expect(await key.inputValue()).toBe("");

  await page.reload();
  core = await settingsOf("core");
  expect(await core.locator('[data-testid="setting-default_time_zone"]').inputValue()).toBe("Europe/Berlin");
  web = await settingsOf("web");
  expect(await web.locator('[data-testid="secret-search_api_key"]').textContent()).toMatch(/^set/);
  expect(await web.locator('[data-testid="setting-search_api_key"]').inputValue()).toBe("");
  expect(await page.content()).not.toContain(secret);
  expect(await (await api("GET", "/extensions")).text()).not.toContain(secret);

  // Back to the defaults for the other tests.
  const coreId = await extensionId("core");
  expect((await api("PATCH", `/extensions/${coreId}`, { config: { default_time_zone: null } })).status).toBe(200);
  expect(
    (await api("PATCH", `/extensions/${await extensionId("web")}`, { config: { search_api_key: null } })).status,
  ).toBe(200);
});

it("resumes a cut chat socket from its last seq and catches up on what happened meanwhile", async (test) => {
  await allowHttpRequestsToThisServer();
  const agentId = await createAgent("web-automator", `E2E resume ${Date.now()}`);
  const page = await openPage(browser, { baseURL, test });
  const routes: WebSocketRoute[] = [];
  let releaseReconnect = () => {};
  const reconnectAllowed = new Promise<void>((resolve) => {
    releaseReconnect = resolve;
  });
  await page.routeWebSocket(/\/sessions\/[^/]+\/ws\?/, async (route) => {
    routes.push(route);
    if (routes.length > 1) await reconnectAllowed;
    route.connectToServer();
  });
  await signIn(page, `/chat?agent=${agentId}`);
  await page.waitForURL(/\/chat\?session=/);
  const sessionId = new URL(page.url()).searchParams.get("session") ?? "";
  await send(page, `/http_request {"url":"${baseURL}/health","method":"HEAD"}`);
  await toolCard(page, "http_request", "awaiting_approval").waitFor();

  await routes[0]?.close({ code: 4001, reason: "Test cut the connection" });
  await page.locator('[data-testid="chat-status"]:not([data-status="connected"])').waitFor();
  await expect.poll(() => routes.length).toBe(2);
  const { active_turn, last_seq } = (await (await api("GET", `/sessions/${sessionId}`)).json()) as {
    active_turn: { pending_approvals: Array<{ call_id: string }> };
    last_seq: number;
  };
  const callId = active_turn.pending_approvals[0]?.call_id ?? "";
  expect((await api("POST", `/sessions/${sessionId}/approvals/${callId}`, { decision: "approve" })).status).toBe(200);
  releaseReconnect();

  await toolCard(page, "http_request", "succeeded").waitFor();
  await finalAnswer(page, "http_request returned").waitFor();
  expect(Number(new URL(routes[1]?.url() ?? "").searchParams.get("after"))).toBe(last_seq);
  expect(await page.locator('[data-testid="message"][data-role="user"]').count()).toBe(1);
  expect(await byTestId(page, "tool-card").count()).toBe(1);
});
