/**
 * `Idempotency-Key` on creating POSTs (/api/v1/keys, /api/v1/events): a retry gets
 * the first response again and creates nothing; the key is per caller and per body;
 * failures store nothing. Checked through HTTP and against the rows in D1.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../test/worker/support/api";
import { sha256Hex } from "../lib/crypto";

type Created = { key: { id: string; name: string }; secret: string };

function createKey(
  user: TestUser,
  idempotencyKey: string | undefined,
  body: unknown = { name: "ci", scopes: ["account:read"] },
) {
  const headers: Record<string, string> = idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey };
  return call("/api/v1/keys", { token: user.accessToken, body, headers });
}

async function keyRows(user: TestUser) {
  const { results } = await env.DB.prepare("SELECT id FROM api_keys WHERE user_id = ?")
    .bind(user.id)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

async function auditCount(user: TestUser, action: string) {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM audit_logs WHERE user_id = ? AND action = ?")
    .bind(user.id, action)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

const errorCode = async (res: Response) => (await json<{ error: { code: string } }>(res)).error.code;

describe("Idempotency-Key on POST /api/v1/keys", () => {
  it("answers a retry with the first response and creates one key", async () => {
    const user = await createUser();
    const first = await createKey(user, "create-ci-key-1");
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotency-replayed")).toBeNull();
    const created = await json<Created>(first);

    const retry = await createKey(user, "create-ci-key-1");
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotency-replayed")).toBe("true");
    expect(retry.headers.get("content-type")).toContain("application/json");
    expect(retry.headers.get("x-request-id")).toBeTruthy();
    expect(await json<Created>(retry)).toEqual(created);

    expect(await keyRows(user)).toEqual([created.key.id]);
    expect(await auditCount(user, "apikey.create")).toBe(1);
    // The replayed secret is the real one.
    expect((await call("/api/v1/me", { apiKey: created.secret })).status).toBe(200);
  });

  it("without the header, each POST creates a new key", async () => {
    const user = await createUser();
    expect((await createKey(user, undefined)).status).toBe(201);
    expect((await createKey(user, undefined)).status).toBe(201);
    expect(await keyRows(user)).toHaveLength(2);
  });

  it("refuses the same key with a different body with 422 and creates nothing more", async () => {
    const user = await createUser();
    expect((await createKey(user, "reused", { name: "one", scopes: ["account:read"] })).status).toBe(201);
    const other = await createKey(user, "reused", { name: "two", scopes: ["account:read"] });
    expect(other.status).toBe(422);
    expect(await errorCode(other)).toBe("idempotency_key_reused");
    expect(await keyRows(user)).toHaveLength(1);

    // The same key on another route is another request too.
    const elsewhere = await call("/api/v1/events", {
      token: user.accessToken,
      body: { type: "user.message", data: { text: "x" } },
      headers: { "idempotency-key": "reused" },
    });
    expect(elsewhere.status).toBe(422);
  });

  it("keeps keys per caller: another user, or the same user's API key, uses the same string independently", async () => {
    const alice = await createUser();
    const bob = await createUser();
    const a = await json<Created>(await createKey(alice, "shared-string"));
    const bobRes = await createKey(bob, "shared-string");
    expect(bobRes.status).toBe(201);
    expect(bobRes.headers.get("idempotency-replayed")).toBeNull();
    const b = await json<Created>(bobRes);
    expect(b.key.id).not.toBe(a.key.id);
    expect(b.secret).not.toBe(a.secret);
    expect(await keyRows(bob)).toEqual([b.key.id]);

    const aliceKey = await createApiKey(alice, ["keys:write", "account:read"]);
    const viaKey = await call("/api/v1/keys", {
      apiKey: aliceKey.secret,
      body: { name: "ci", scopes: ["account:read"] },
      headers: { "idempotency-key": "shared-string" },
    });
    expect(viaKey.status).toBe(201);
    expect(viaKey.headers.get("idempotency-replayed")).toBeNull();
    expect((await json<Created>(viaKey)).key.id).not.toBe(a.key.id);
  });

  it("stores nothing for a failed request, so a corrected retry with the same key succeeds", async () => {
    const user = await createUser();
    const invalid = await createKey(user, "fix-and-retry", { name: "", scopes: ["account:read"] });
    expect(invalid.status).toBe(400);
    const forbidden = await createKey(user, "fix-and-retry", { name: "admin", scopes: ["admin:users"] });
    expect(forbidden.status).toBe(403);
    expect(await errorCode(forbidden)).toBe("scope_not_allowed");
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_records WHERE key = ?")
      .bind("fix-and-retry")
      .first<{ n: number }>();
    expect(stored?.n).toBe(0);

    const fixed = await createKey(user, "fix-and-retry", { name: "fixed", scopes: ["account:read"] });
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get("idempotency-replayed")).toBeNull();
    expect(await keyRows(user)).toHaveLength(1);
  });

  it("refuses a malformed Idempotency-Key with 400 before doing anything", async () => {
    const user = await createUser();
    for (const key of ["", "has space", "x".repeat(256), "tab\tinside", "del\x7f"]) {
      const res = await createKey(user, key);
      expect(res.status, JSON.stringify(key)).toBe(400);
      expect(await errorCode(res)).toBe("invalid_idempotency_key");
    }
    expect((await createKey(user, "x".repeat(255))).status).toBe(201);
    expect(await keyRows(user)).toHaveLength(1);
  });

  it("never creates two keys from concurrent duplicates", async () => {
    const user = await createUser();
    const responses = await Promise.all([
      createKey(user, "racing"),
      createKey(user, "racing"),
      createKey(user, "racing"),
    ]);
    const statuses = responses.map((res) => res.status).sort();
    expect(statuses.filter((status) => status === 201).length).toBeGreaterThanOrEqual(1);
    for (const status of statuses) expect([201, 409]).toContain(status);
    expect(await keyRows(user)).toHaveLength(1);
    const ids = new Set(
      await Promise.all(
        responses.filter((res) => res.status === 201).map(async (res) => (await json<Created>(res)).key.id),
      ),
    );
    expect(ids.size).toBe(1);
  });
});

describe("stored responses", () => {
  it("keeps the replayable response encrypted: the key's secret is nowhere in D1", async () => {
    const user = await createUser();
    const created = await json<Created>(await createKey(user, "sealed-1"));
    const row = await env.DB.prepare("SELECT response_body FROM idempotency_records WHERE key = ?")
      .bind("sealed-1")
      .first<{ response_body: string }>();
    expect(row?.response_body).toMatch(/^v1\./);
    expect(row?.response_body).not.toContain(created.secret);
    expect(row?.response_body).not.toContain(created.key.id);
    const replay = await json<Created>(await createKey(user, "sealed-1"));
    expect(replay.secret).toBe(created.secret);
  });

  it("lets the same request take over a claim abandoned mid-way, but not a fresh one", async () => {
    const user = await createUser();
    const body = { name: "after-crash", scopes: ["account:read"] };
    // What a request that died after claiming its key leaves behind: a claim with no response.
    const requestHash = await sha256Hex(`POST /api/v1/keys\n${JSON.stringify(body)}`);
    const claimAt = async (key: string, createdAt: number) =>
      env.DB.prepare(
        `INSERT INTO idempotency_records (principal_id, key, method, path, request_hash, created_at, expires_at)
         VALUES (?, ?, 'POST', '/api/v1/keys', ?, ?, ?)`,
      )
        .bind(`user:${user.id}`, key, requestHash, createdAt, createdAt + 86_400_000)
        .run();
    await claimAt("abandoned", Date.now() - 120_000);
    await claimAt("running", Date.now());

    expect((await createKey(user, "abandoned", body)).status).toBe(201);
    const running = await createKey(user, "running", body);
    expect(running.status).toBe(409);
    expect(await errorCode(running)).toBe("idempotency_in_progress");
    expect(await keyRows(user)).toHaveLength(1);
  });
});

describe("Idempotency-Key on POST /api/v1/events", () => {
  it("publishes once and replays the same event", async () => {
    const user = await createUser();
    const body = { type: "user.message", data: { text: "exactly once" } };
    const send = () =>
      call("/api/v1/events", { token: user.accessToken, body, headers: { "idempotency-key": "evt-1" } });
    const first = await send();
    expect(first.status).toBe(201);
    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotency-replayed")).toBe("true");
    const event = (await json<{ event: { id: number } }>(first)).event;
    expect((await json<{ event: { id: number } }>(retry)).event).toEqual(event);

    const recent = await json<{ items: { data: unknown }[] }>(
      await call("/api/v1/events", { token: user.accessToken }),
    );
    expect(recent.items.filter((item) => JSON.stringify(item.data).includes("exactly once"))).toHaveLength(1);
  });
});
