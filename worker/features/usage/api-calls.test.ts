/**
 * API-call counting: authenticated requests count towards their user's day in
 * usage_daily (flushed by a timer, or at once by GET /usage); anonymous and
 * refused-credential requests do not; a failed flush keeps its counts.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { call, createApiKey, createUser, json } from "../../../test/worker/support/api";
import { rows } from "../../../test/worker/support/db";
import { countApiCall, FLUSH_DELAY_MS, flushApiCalls } from "./api-calls";
import { utcDay } from "./days";

const stored = async (userId: string) =>
  (await rows<{ api_calls: number }>("SELECT api_calls FROM usage_daily WHERE user_id = ?", userId))[0]?.api_calls ?? 0;

const noWait = { waitUntil: () => {} };

describe("API-call counting", () => {
  it("counts a user's authenticated requests, by session or API key, and shows them in GET /usage", async () => {
    const user = await createUser();
    const { secret } = await createApiKey(user, ["account:read", "usage:read"]); // 1 call
    for (let i = 0; i < 3; i++) expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
    expect((await call("/api/v1/me", { apiKey: secret })).status).toBe(200);
    // Not counted: no credential, or one that is refused.
    await call("/api/v1/config");
    await call("/api/v1/me");
    await call("/api/v1/me", { token: "not-a-token" });
    await call("/api/v1/me", { apiKey: "ewk_not-a-real-key" });

    await flushApiCalls(env);
    expect(await stored(user.id)).toBe(5);
    const today = utcDay();
    const report = await call(`/api/v1/usage?from=${today}&to=${today}`, { apiKey: secret });
    const { days, totals } = await json<{ days: { api_calls: number }[]; totals: { api_calls: number } }>(report);
    expect(days[0]?.api_calls).toBe(5);
    expect(totals.api_calls).toBe(5);
    // GET /usage counts too, and writes what is pending before it reads.
    const again = await json<{ totals: { api_calls: number } }>(await call("/api/v1/usage", { apiKey: secret }));
    expect(again.totals.api_calls).toBe(6);
  });

  it("writes the counts by itself within the flush delay", async () => {
    const user = await createUser();
    await call("/api/v1/me", { token: user.accessToken });
    await call("/api/v1/me", { token: user.accessToken });
    await vi.waitFor(async () => expect(await stored(user.id)).toBe(2), {
      timeout: FLUSH_DELAY_MS + 3000,
      interval: 200,
    });
  });

  it("keeps the counts of a failed flush for the next one, without throwing", async () => {
    const user = await createUser();
    const broken = {
      DB: { prepare: env.DB.prepare.bind(env.DB), batch: () => Promise.reject(new Error("D1 is down")) },
    } as unknown as Env;
    await flushApiCalls(env);
    // Counted and flushed with no await in between, so no timer's flush can take them first.
    for (let i = 0; i < 4; i++) countApiCall(noWait, env, user.id);
    const failed = flushApiCalls(broken);
    await expect(failed).resolves.toBeUndefined();
    expect(await stored(user.id)).toBe(0);
    await flushApiCalls(env);
    expect(await stored(user.id)).toBe(4);
  });

  it("drops the counts of a user deleted before the flush, and still writes everyone else's", async () => {
    const gone = await createUser();
    const kept = await createUser();
    await flushApiCalls(env);
    countApiCall(noWait, env, gone.id);
    countApiCall(noWait, env, kept.id);
    await env.DB.prepare("DELETE FROM users WHERE id = ?").bind(gone.id).run();
    await flushApiCalls(env);
    expect(await stored(kept.id)).toBe(1);
    expect(await stored(gone.id)).toBe(0);
  });
});
