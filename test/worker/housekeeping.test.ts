/**
 * The cron job (wrangler.toml [triggers]) run through the Worker's scheduled
 * handler: it deletes what has expired (denied sessions, refresh and one-time
 * tokens a week past expiry, idempotency records) and leaves everything live.
 */
import { createScheduledController } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createUser, json, type TestUser } from "./support/api";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The loopback's scheduled() (service_binding_extra_handlers, set in vitest.config.ts) is missing from its type. */
type ScheduledLoopback = { scheduled(controller: ScheduledController): Promise<{ outcome: string; noRetry: boolean }> };

async function runCron() {
  const result = await (exports.default as unknown as ScheduledLoopback).scheduled(
    createScheduledController({ scheduledTime: Date.now(), cron: "*/15 * * * *" }),
  );
  expect(result.outcome).toBe("ok");
}

async function exists(table: string, column: string, value: string) {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = ?`)
    .bind(value)
    .first<{ n: number }>();
  return row?.n === 1;
}

/** Rows for `user` expiring at each offset from now, written straight to D1; returns their ids by label. */
async function seedTokens(user: TestUser, offsets: Record<string, number>) {
  const now = Date.now();
  const ids: Record<string, { refresh: string; oneTime: string; denied: string; idem: string }> = {};
  const statements: D1PreparedStatement[] = [];
  for (const [label, offset] of Object.entries(offsets)) {
    const id = {
      refresh: crypto.randomUUID(),
      oneTime: crypto.randomUUID(),
      denied: crypto.randomUUID(),
      idem: crypto.randomUUID(),
    };
    ids[label] = id;
    statements.push(
      env.DB.prepare(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES (?, ?, ?, ?, ?)",
      ).bind(id.refresh, user.id, crypto.randomUUID(), `hash-${id.refresh}`, now + offset),
      env.DB.prepare(
        "INSERT INTO user_tokens (id, user_id, kind, token_hash, expires_at) VALUES (?, ?, 'reset_password', ?, ?)",
      ).bind(id.oneTime, user.id, `hash-${id.oneTime}`, now + offset),
      env.DB.prepare(
        "INSERT INTO revoked_sessions (family_id, user_id, reason, expires_at) VALUES (?, ?, 'logout', ?)",
      ).bind(id.denied, user.id, now + offset),
      env.DB.prepare(
        "INSERT INTO idempotency_records (principal_id, key, method, path, request_hash, expires_at) VALUES (?, ?, 'POST', '/api/v1/keys', 'h', ?)",
      ).bind(`user:${user.id}`, id.idem, now + offset),
    );
  }
  await env.DB.batch(statements);
  return ids;
}

describe("housekeeping cron", () => {
  it("deletes expired rows and keeps live ones", async () => {
    const user = await createUser();
    const ids = await seedTokens(user, {
      longGone: -8 * DAY,
      justExpired: -HOUR,
      live: +HOUR,
    });

    await runCron();

    const { longGone, justExpired, live } = ids as Record<string, (typeof ids)[string]>;
    // Past expiry: denied sessions and idempotency records go at once…
    expect(await exists("revoked_sessions", "family_id", justExpired!.denied)).toBe(false);
    expect(await exists("idempotency_records", "key", justExpired!.idem)).toBe(false);
    expect(await exists("revoked_sessions", "family_id", longGone!.denied)).toBe(false);
    expect(await exists("idempotency_records", "key", longGone!.idem)).toBe(false);
    // …refresh and one-time tokens only a week after (so reuse of a just-expired token is still recognised).
    expect(await exists("refresh_tokens", "id", longGone!.refresh)).toBe(false);
    expect(await exists("user_tokens", "id", longGone!.oneTime)).toBe(false);
    expect(await exists("refresh_tokens", "id", justExpired!.refresh)).toBe(true);
    expect(await exists("user_tokens", "id", justExpired!.oneTime)).toBe(true);
    // Live rows stay.
    expect(await exists("refresh_tokens", "id", live!.refresh)).toBe(true);
    expect(await exists("user_tokens", "id", live!.oneTime)).toBe(true);
    expect(await exists("revoked_sessions", "family_id", live!.denied)).toBe(true);
    expect(await exists("idempotency_records", "key", live!.idem)).toBe(true);
  });

  it("leaves live sessions, logouts and idempotency records working", async () => {
    const user = await createUser();
    const other = await createUser();
    const loggedOut = await call("/api/v1/auth/logout", { method: "POST", token: other.accessToken });
    expect(loggedOut.status).toBe(200);
    const body = { name: "kept", scopes: ["account:read"] };
    const first = await call("/api/v1/keys", {
      token: user.accessToken,
      body,
      headers: { "idempotency-key": "kept-key" },
    });
    expect(first.status).toBe(201);

    await runCron();

    expect((await call("/api/v1/me", { token: user.accessToken })).status).toBe(200);
    const refreshed = await call("/api/v1/auth/refresh", { body: { refresh_token: user.refreshToken }, ip: user.ip });
    expect(refreshed.status).toBe(200);
    // The logged-out access token is still denied: its denial outlives the token.
    const denied = await call("/api/v1/me", { token: other.accessToken });
    expect(denied.status).toBe(401);
    expect((await json<{ error: { code: string } }>(denied)).error.code).toBe("token_revoked");
    const replay = await call("/api/v1/keys", {
      token: user.accessToken,
      body,
      headers: { "idempotency-key": "kept-key" },
    });
    expect(replay.headers.get("idempotency-replayed")).toBe("true");
    expect(await replay.json()).toEqual(await first.json());
  });

  it("frees an idempotency key once its record expires", async () => {
    const user = await createUser();
    const headers = { "idempotency-key": "expiring-key" };
    const first = await call("/api/v1/keys", {
      token: user.accessToken,
      body: { name: "a", scopes: ["account:read"] },
      headers,
    });
    expect(first.status).toBe(201);
    await env.DB.prepare("UPDATE idempotency_records SET expires_at = ? WHERE principal_id = ? AND key = ?")
      .bind(Date.now() - 1, `user:${user.id}`, "expiring-key")
      .run();

    await runCron();

    const reused = await call("/api/v1/keys", {
      token: user.accessToken,
      body: { name: "b", scopes: ["account:read"] },
      headers,
    });
    expect(reused.status).toBe(201);
    expect(reused.headers.get("idempotency-replayed")).toBeNull();
  });

  it("drops cached tool results past their expiry and keeps fresh ones", async () => {
    const user = await createUser();
    const now = Date.now();
    const insert =
      "INSERT INTO tool_cache (key, user_id, tool, output, expires_at) VALUES (?, ?, 'calculator', '{}', ?)";
    const [stale, fresh] = [`stale-${crypto.randomUUID()}`, `fresh-${crypto.randomUUID()}`];
    await env.DB.batch([
      env.DB.prepare(insert).bind(stale, user.id, now - 1),
      env.DB.prepare(insert).bind(fresh, user.id, now + HOUR),
    ]);

    await runCron();

    expect(await exists("tool_cache", "key", stale)).toBe(false);
    expect(await exists("tool_cache", "key", fresh)).toBe(true);
  });
});
