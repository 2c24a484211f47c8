/**
 * Rate limits through HTTP with the real RateLimiter Durable Object: an admin
 * lowers the limits through the config API, then each bucket (per IP on /auth,
 * per user session, per API key) runs dry on its own and answers 429 with
 * Retry-After and RateLimit-* headers in the error envelope.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createUser, type TestUser } from "../../../test/worker/support/api";
import { rows } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";

const LIMIT = 5;
const WINDOW_SECONDS = 60;

beforeAll(async () => {
  // createUser spends 3 auth requests per (unique) IP, under the limit set here.
  const admin = await createUser({ role: "admin" });
  const rule = { limit: LIMIT, window_seconds: WINDOW_SECONDS };
  const res = await call("/api/v1/admin/config/rate_limits", {
    method: "PUT",
    token: admin.accessToken,
    body: { value: { auth_per_ip: rule, api_per_principal: rule } },
  });
  expect(res.status, await res.clone().text()).toBe(200);
});

function expectRateHeaders(res: Response, remaining: number) {
  expect(res.headers.get("ratelimit-limit")).toBe(String(LIMIT));
  expect(res.headers.get("ratelimit-remaining")).toBe(String(remaining));
  const reset = Number(res.headers.get("ratelimit-reset"));
  expect(reset).toBeGreaterThan(0);
  expect(reset).toBeLessThanOrEqual(WINDOW_SECONDS);
}

async function expectLimited(res: Response) {
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  expectRateHeaders(res, 0);
  const body = await expectError(res, 429, "rate_limited");
  expect(body.error.details).toMatchObject({ limit: LIMIT, retry_after_seconds: retryAfter });
}

/** Spends a whole bucket with `request`, checking the headers count down, then expects the next to be 429. */
async function drain(request: () => Promise<Response>, expectedStatus: number) {
  for (let remaining = LIMIT - 1; remaining >= 0; remaining--) {
    const res = await request();
    expect(res.status).toBe(expectedStatus);
    expectRateHeaders(res, remaining);
  }
  await expectLimited(await request());
}

const me = (credential: { token: string } | { apiKey: string }) => call("/api/v1/me", credential);

describe("auth routes, per client IP", () => {
  it("answers 429 once an IP has spent its budget, on every auth route, and not for another IP", async () => {
    const ip = `203.0.113.${crypto.randomUUID()}`;
    const attempt = (from: string) =>
      call("/api/v1/auth/login", { body: { email: "nobody@example.com", password: "wrong-password" }, ip: from });
    await drain(() => attempt(ip), 401);

    const id = crypto.randomUUID().slice(0, 8);
    const register = await call("/api/v1/auth/register", {
      body: { email: `limited-${id}@example.com`, password: `password-${id}`, name: "Limited" },
      ip,
    });
    await expectLimited(register);
    expect(await rows("SELECT id FROM users WHERE email = ?", `limited-${id}@example.com`)).toEqual([]);

    const elsewhere = await attempt(`203.0.113.${crypto.randomUUID()}`);
    expect(elsewhere.status).toBe(401);
    expectRateHeaders(elsewhere, LIMIT - 1);
  });
});

describe("API routes, per user and per API key", () => {
  let user: TestUser;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    user = await createUser();
    // Spends 2 of the session's requests; each key starts with a bucket of its own.
    key = (await createApiKey(user, ["account:read", "keys:write"])).secret;
    otherKey = (await createApiKey(user, ["account:read"])).secret;
  });

  it("limits a user's session and refuses the request before it runs", async () => {
    for (let remaining = LIMIT - 3; remaining >= 0; remaining--) {
      const res = await me({ token: user.accessToken });
      expect(res.status).toBe(200);
      expectRateHeaders(res, remaining);
    }
    await expectLimited(await me({ token: user.accessToken }));
    const before = await rows("SELECT id FROM api_keys WHERE user_id = ?", user.id);
    const create = await call("/api/v1/keys", {
      token: user.accessToken,
      body: { name: "n", scopes: ["account:read"] },
    });
    await expectLimited(create);
    expect(await rows("SELECT id FROM api_keys WHERE user_id = ?", user.id)).toEqual(before);
  });

  it("gives each API key a bucket separate from the session's and from other keys", async () => {
    await expectLimited(await me({ token: user.accessToken }));
    await drain(() => me({ apiKey: key }), 200);
    const other = await me({ apiKey: otherKey });
    expect(other.status).toBe(200);
    expectRateHeaders(other, LIMIT - 1);
  });

  it("limits the graph routes by the same bucket, and answers 429 before validating the request", async () => {
    const reader = await createUser();
    const paths = (query: string) => call(`/api/v1/graph/paths?${query}`, { token: reader.accessToken });
    await drain(() => paths("from=x&to=y&max_depth=abc"), 400);
    // Order: authenticate → rate limit → scopes → validate, so a flood of bad requests is limited too.
    await expectLimited(await paths("from=x&to=y&max_depth=abc"));
    await expectLimited(await call("/api/v1/graph/entities?limit=5", { token: reader.accessToken }));
  });

  it("keeps users apart: another user's session is unaffected", async () => {
    const other = await createUser();
    const res = await me({ token: other.accessToken });
    expect(res.status).toBe(200);
    expectRateHeaders(res, LIMIT - 1);
  });
});
