/**
 * The console in real headless Chromium against `wrangler dev` (global-setup.ts):
 * register → outbox → verify → login → live feed connected → create an API key
 * (secret shown once) → the feed shows apikey.created → revoke → logout; and a
 * wrong password shows the API's message; a dropped live connection resumes
 * without losing events; an expired access token is renewed transparently.
 * Build the console first: `npm run build:web`.
 */
import type { Browser, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { createVerifiedUser, publishMessage, uniqueEmail } from "./console-api";
import { launchBrowser, openPage } from "./support/browser";

let browser: Browser;
const baseURL = inject("baseUrl");

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

/** The console's stored tokens (web/src/api/session-store.ts); {} when signed out. */
const SESSION_KEY = "edgewise.session";
async function storedSession(page: Page): Promise<Record<string, unknown>> {
  const raw = await page.evaluate(`localStorage.getItem(${JSON.stringify(SESSION_KEY)})`);
  return typeof raw === "string" ? (JSON.parse(raw) as Record<string, unknown>) : {};
}

async function registerAndVerify(page: Page, email: string, password: string) {
  await page.goto("/register");
  await byTestId(page, "register-name").fill("E2E Tester");
  await byTestId(page, "register-email").fill(email);
  await byTestId(page, "register-password").fill(password);
  await byTestId(page, "register-submit").click();
  await byTestId(page, "check-email").waitFor();

  // Development mail goes to the outbox; the console links to it and makes the mail's link clickable.
  await byTestId(page, "outbox-link").click();
  await page.waitForURL(/\/outbox\?to=/);
  await byTestId(page, "mail-link-verify_email").first().click();
  await expect(byTestId(page, "verify-success").textContent()).resolves.toContain(email);
  await byTestId(page, "verify-login").click();
  await page.waitForURL(/\/login\?email=/);
}

async function login(page: Page, email: string, password: string) {
  await byTestId(page, "login-email").fill(email);
  await byTestId(page, "login-password").fill(password);
  await byTestId(page, "login-submit").click();
}

async function apiStatus(path: string, secret: string): Promise<number> {
  const res = await fetch(`${baseURL}${path}`, { headers: { authorization: `Bearer ${secret}` } });
  return res.status;
}

it("signs up, verifies, logs in, follows the live feed while managing an API key, and logs out", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  const email = uniqueEmail("console");
  const password = "e2e correct horse battery";

  await registerAndVerify(page, email, password);
  expect(await byTestId(page, "login-email").inputValue()).toBe(email);
  await login(page, email, password);

  await page.waitForURL(/\/feed$/);
  await page.locator('[data-testid="feed-status"][data-status="connected"]').waitFor();
  expect(await byTestId(page, "feed-status").textContent()).toBe("Connected");
  await page.locator('[data-testid="feed-event"][data-type="auth.login"]').first().waitFor();

  await byTestId(page, "nav-keys").click();
  await byTestId(page, "key-name").fill("e2e deploy key");
  await byTestId(page, "scope-keys:read").check();
  await byTestId(page, "key-create").click();
  const secret = (await byTestId(page, "key-secret").textContent()) ?? "";
  expect(secret).toMatch(/^ewk_/);
  expect(await apiStatus("/api/v1/keys", secret)).toBe(200);
  const row = page.locator('[data-testid="key-row"]', { hasText: "e2e deploy key" });
  await expect(row.getAttribute("data-state")).resolves.toBe("active");

  await byTestId(page, "nav-feed").click();
  const created = page.locator('[data-testid="feed-event"][data-type="apikey.created"]');
  await created.waitFor();
  expect(await created.textContent()).toContain("e2e deploy key");

  // The secret was shown once: back on the keys page only the prefix remains.
  await byTestId(page, "nav-keys").click();
  await row.waitFor();
  expect(await byTestId(page, "key-secret").count()).toBe(0);
  await row.locator('[data-testid="key-revoke"]').click();
  await row.locator('[data-testid="key-revoke-confirm"]').click();
  await page.locator('[data-testid="key-row"][data-state="revoked"]', { hasText: "e2e deploy key" }).waitFor();
  expect(await apiStatus("/api/v1/keys", secret)).toBe(401);

  await byTestId(page, "nav-feed").click();
  await page.locator('[data-testid="feed-event"][data-type="apikey.revoked"]').waitFor();
  expect(await byTestId(page, "hub-status").getAttribute("data-status")).toBe("connected");

  await byTestId(page, "logout").click();
  await page.waitForURL(/\/login$/);
  await byTestId(page, "login-submit").waitFor();
  expect(await storedSession(page)).toEqual({});
});

it("shows the API's message when the password is wrong", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  await page.goto("/login");
  await login(page, "demo@edgewise.dev", "not-the-right-password");
  const error = byTestId(page, "login-error");
  await error.waitFor();
  expect(await error.textContent()).toContain("Email or password is wrong");
  expect(new URL(page.url()).pathname).toBe("/login");
});

it("reconnects a dropped live connection with last_event_id and replays what it missed", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  const email = uniqueEmail("replay");
  const password = "e2e replay password";
  const token = await createVerifiedUser(baseURL, email, password);

  // Proxy the hub socket so the test can cut it, and hold the reconnection until the missed event exists.
  const routes: WebSocketRoute[] = [];
  let releaseReconnect = () => {};
  const reconnectAllowed = new Promise<void>((resolve) => {
    releaseReconnect = resolve;
  });
  await page.routeWebSocket(/\/api\/v1\/ws\?/, async (route) => {
    routes.push(route);
    if (routes.length > 1) await reconnectAllowed;
    route.connectToServer();
  });

  await page.goto("/login");
  await login(page, email, password);
  await page.locator('[data-testid="feed-status"][data-status="connected"]').waitFor();
  const before = await publishMessage(baseURL, token, "sent while connected");
  await page.locator('[data-testid="feed-event"]', { hasText: "sent while connected" }).waitFor();

  await routes[0]?.close({ code: 4001, reason: "Test cut the connection" });
  await page.locator('[data-testid="feed-status"]:not([data-status="connected"])').waitFor();
  await expect.poll(() => routes.length).toBe(2);
  await publishMessage(baseURL, token, "sent while disconnected");
  releaseReconnect();

  await page.locator('[data-testid="feed-event"]', { hasText: "sent while disconnected" }).waitFor();
  expect(new URL(routes[1]?.url() ?? "").searchParams.get("last_event_id")).toBe(String(before));
  expect(await byTestId(page, "feed-status").getAttribute("data-status")).toBe("connected");
  expect(await page.locator('[data-testid="feed-event"]', { hasText: "sent while connected" }).count()).toBe(1);
});

it("renews an expired access token with the refresh token without bothering the user", async (test) => {
  const page = await openPage(browser, { baseURL, test });
  const email = uniqueEmail("refresh");
  const password = "e2e refresh password";
  await createVerifiedUser(baseURL, email, password);
  await page.goto("/login");
  await login(page, email, password);
  await byTestId(page, "user-chip").waitFor();

  // An access token the API rejects with 401, as an expired one would be.
  const before = await storedSession(page);
  await page.evaluate(
    `localStorage.setItem(${JSON.stringify(SESSION_KEY)}, ${JSON.stringify(JSON.stringify({ ...before, accessToken: "expired.token.value" }))})`,
  );
  await page.goto("/account");
  await expect(byTestId(page, "user-chip").textContent()).resolves.toContain(email);
  const after = await storedSession(page);
  expect(after.accessToken).not.toBe("expired.token.value");
  expect(after.refreshToken).not.toBe(before.refreshToken);
});
