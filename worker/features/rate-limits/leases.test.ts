/**
 * Token leasing (limiter.ts): with a limit large enough that isolates take tokens
 * in batches, a key still gets exactly its limit — sequentially with headers that
 * count down one by one, and under concurrency with no request past the limit.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, createUser } from "../../../test/worker/support/api";
import { expectError } from "../../../test/worker/support/envelope";

const LIMIT = 100; // leases of 5 tokens (1/20)
const WINDOW_SECONDS = 3600; // refills 0.03 tokens/s: nothing comes back during the test

beforeAll(async () => {
  const admin = await createUser({ role: "admin" });
  const res = await call("/api/v1/admin/config/rate_limits", {
    method: "PUT",
    token: admin.accessToken,
    body: {
      value: {
        auth_per_ip: { limit: 1000, window_seconds: 60 },
        api_per_principal: { limit: LIMIT, window_seconds: WINDOW_SECONDS },
      },
    },
  });
  expect(res.status).toBe(200);
});

describe("leased rate-limit tokens", () => {
  it("grants exactly the limit one request at a time, with RateLimit-Remaining counting down by one", async () => {
    const user = await createUser();
    const remaining: number[] = [];
    for (let i = 0; i < LIMIT; i++) {
      const res = await call("/api/v1/me", { token: user.accessToken });
      expect(res.status).toBe(200);
      remaining.push(Number(res.headers.get("ratelimit-remaining")));
    }
    expect(remaining).toEqual(Array.from({ length: LIMIT }, (_, i) => LIMIT - 1 - i));
    await expectError(await call("/api/v1/me", { token: user.accessToken }), 429, "rate_limited");
    // Many sequential requests: on a loaded 2-core machine this outlasts the default 5 s.
  }, 20_000);

  it("never lets concurrent requests past the limit, and spends (nearly) all of it", async () => {
    const user = await createUser();
    const statuses: number[] = [];
    for (let wave = 0; wave < 6; wave++) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, () => call("/api/v1/me", { token: user.accessToken })),
      );
      statuses.push(...batch.map((res) => res.status));
    }
    const granted = statuses.filter((status) => status === 200).length;
    expect(granted).toBeLessThanOrEqual(LIMIT);
    // At worst the last batch (1/20 of the limit) is still held by this isolate when the bucket runs dry.
    expect(granted).toBeGreaterThanOrEqual(LIMIT - LIMIT / 20);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
  }, 20_000);
});
