/**
 * API keys through HTTP with real local D1: the secret is shown once and stored
 * only as a hash, lists page and never leak it, scopes are enforced and capped by
 * the creator's, and expiry, revocation, last use and role changes take effect.
 */
import { describe, expect, it, vi } from "vitest";
import { call, createApiKey, createUser, json } from "../../../test/worker/support/api";
import { setConfig } from "../../../test/worker/support/config";
import { rows, run, snapshot } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { sha256Hex } from "../../lib/crypto";

type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
};
type Page = { items: ApiKey[]; next_cursor: string | null };

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe("creating keys", () => {
  it("shows the secret once and stores only its hash", async () => {
    const user = await createUser();
    const res = await call("/api/v1/keys", {
      token: user.accessToken,
      body: { name: "ci", scopes: ["account:read", "keys:read"], expires_at: inAnHour() },
    });
    expect(res.status).toBe(201);
    const { key, secret } = await json<{ key: ApiKey; secret: string }>(res);
    expect(secret).toMatch(/^ewk_[\w-]{40,}$/);
    expect(key).toMatchObject({ name: "ci", scopes: ["account:read", "keys:read"], revoked_at: null });
    expect(secret.startsWith(key.prefix)).toBe(true);
    expect(key.prefix.length).toBeLessThan(secret.length / 2);

    const [stored] = await rows<{ key_hash: string }>("SELECT key_hash FROM api_keys WHERE id = ?", key.id);
    expect(stored?.key_hash).toBe(await sha256Hex(secret));
    expect(JSON.stringify(await snapshot())).not.toContain(secret);

    const one = await call(`/api/v1/keys/${key.id}`, { token: user.accessToken });
    expect(one.status).toBe(200);
    const text = await one.text();
    expect(text).not.toContain(secret);
    expect(JSON.parse(text)).not.toHaveProperty("secret");
  });

  it("lists keys newest first, page by page, never with their secrets", async () => {
    const user = await createUser();
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await createApiKey(user, ["account:read"]));

    const seen: ApiKey[] = [];
    const pageSizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const res = await call(`/api/v1/keys?limit=2${query}`, { token: user.accessToken });
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const { secret } of created) expect(text).not.toContain(secret);
      const page = JSON.parse(text) as Page;
      for (const item of page.items) expect(item).not.toHaveProperty("secret");
      pageSizes.push(page.items.length);
      seen.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);

    expect(pageSizes).toEqual([2, 2, 1]);
    // Every key exactly once, newest first (keys made in the same millisecond may come in either order).
    expect(seen.map((key) => key.id).sort()).toEqual(created.map(({ key }) => key.id).sort());
    const times = seen.map((key) => Date.parse(key.created_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    await expectError(
      await call("/api/v1/keys?cursor=not-a-cursor", { token: user.accessToken }),
      400,
      "invalid_cursor",
    );
  });

  it("leaves revoked keys out of the list unless include_revoked=true", async () => {
    const user = await createUser();
    const kept = await createApiKey(user, ["account:read"]);
    const gone = await createApiKey(user, ["account:read"]);
    expect((await call(`/api/v1/keys/${gone.key.id}`, { method: "DELETE", token: user.accessToken })).status).toBe(200);
    const ids = async (query: string) =>
      (await json<Page>(await call(`/api/v1/keys${query}`, { token: user.accessToken }))).items.map((key) => key.id);
    expect(await ids("")).toEqual([kept.key.id]);
    expect((await ids("?include_revoked=true")).sort()).toEqual([gone.key.id, kept.key.id].sort());
  });

  it("finds one of your keys by the prefix lists show, never another user's", async () => {
    const user = await createUser();
    const other = await createUser();
    const mine = await createApiKey(user, ["account:read"]);
    await createApiKey(user, ["account:read"]);
    const theirs = await createApiKey(other, ["account:read"]);
    const byPrefix = async (prefix: string) =>
      json<Page>(await call(`/api/v1/keys?prefix=${prefix}`, { token: user.accessToken }));
    expect((await byPrefix(mine.key.prefix)).items.map((key) => key.id)).toEqual([mine.key.id]);
    expect((await byPrefix(theirs.key.prefix)).items).toEqual([]);
    await expectError(await call("/api/v1/keys?prefix=nope", { token: user.accessToken }), 400, "validation_failed");
  });

  it("refuses an expiry in the past (422) and a malformed one (400)", async () => {
    const user = await createUser();
    const past = await call("/api/v1/keys", {
      token: user.accessToken,
      body: { name: "old", scopes: ["account:read"], expires_at: new Date(Date.now() - 1000).toISOString() },
    });
    await expectError(past, 422, "invalid_expiry");
    const malformed = await call("/api/v1/keys", {
      token: user.accessToken,
      body: { name: "bad", scopes: ["account:read"], expires_at: "next tuesday" },
    });
    await expectError(malformed, 400, "validation_failed");
    expect(await rows("SELECT id FROM api_keys WHERE user_id = ?", user.id)).toEqual([]);
  });
});

describe("using keys", () => {
  it("authenticates as a bearer token and as X-API-Key, with exactly the key's scopes", async () => {
    const user = await createUser();
    const { secret } = await createApiKey(user, ["account:read", "audit:read"]);
    for (const options of [{ apiKey: secret }, { headers: { authorization: `Bearer ${secret}` } }]) {
      const res = await call("/api/v1/me", options);
      expect(res.status).toBe(200);
      const body = await json<{ id: string; scopes: string[] }>(res);
      expect(body.id).toBe(user.id);
      expect(body.scopes.sort()).toEqual(["account:read", "audit:read"]);
    }
    await expectError(await call("/api/v1/me", { apiKey: "ewk_not-a-real-key" }), 401, "invalid_api_key");
  });

  it("enforces scopes: an account:read key gets 403 insufficient_scope on /keys", async () => {
    const user = await createUser();
    const { secret } = await createApiKey(user, ["account:read"]);
    const list = await expectError(await call("/api/v1/keys", { apiKey: secret }), 403, "insufficient_scope");
    expect(list.error.details).toMatchObject({ missing: ["keys:read"] });
    const create = await call("/api/v1/keys", { apiKey: secret, body: { name: "x", scopes: ["account:read"] } });
    await expectError(create, 403, "insufficient_scope");
  });

  it("records last_used_at after a key is used", async () => {
    const user = await createUser();
    const { key, secret } = await createApiKey(user, ["account:read"]);
    const read = async () =>
      (await json<ApiKey>(await call(`/api/v1/keys/${key.id}`, { token: user.accessToken }))).last_used_at;
    expect(await read()).toBeNull();
    const before = Date.now();
    expect((await call("/api/v1/me", { apiKey: secret })).status).toBe(200);
    await vi.waitFor(async () => expect(await read()).not.toBeNull(), { timeout: 3000, interval: 50 });
    expect(Date.parse((await read())!)).toBeGreaterThanOrEqual(before - 1000);
  });
});

describe("scope ceilings", () => {
  it("never grants a key more than its creator holds", async () => {
    const viewer = await createUser({ role: "viewer" });
    const byViewer = await call("/api/v1/keys", {
      token: viewer.accessToken,
      body: { name: "v", scopes: ["account:read"] },
    });
    await expectError(byViewer, 403, "insufficient_scope");

    const developer = await createUser();
    const escalate = await call("/api/v1/keys", {
      token: developer.accessToken,
      body: { name: "d", scopes: ["account:read", "admin:users"] },
    });
    const refused = await expectError(escalate, 403, "scope_not_allowed");
    expect(refused.error.details).toEqual({ not_granted: ["admin:users"] });

    // A key can only mint keys within its own scopes, even when its owner's role allows more.
    const minter = await createApiKey(developer, ["keys:write", "account:read"]);
    const wider = await call("/api/v1/keys", { apiKey: minter.secret, body: { name: "w", scopes: ["keys:read"] } });
    await expectError(wider, 403, "scope_not_allowed");
    const narrower = await call("/api/v1/keys", {
      apiKey: minter.secret,
      body: { name: "n", scopes: ["account:read"] },
    });
    expect(narrower.status).toBe(201);

    const admin = await createUser({ role: "admin" });
    expect((await createApiKey(admin, ["admin:users"])).secret).toMatch(/^ewk_/);
    expect(await rows("SELECT id FROM api_keys WHERE user_id = ?", viewer.id)).toEqual([]);
  });

  it("narrows an existing key when its owner's role is lowered, and restores it when raised", async () => {
    const user = await createUser();
    const { secret } = await createApiKey(user, ["account:read", "keys:read", "keys:write"]);
    const mint = () => call("/api/v1/keys", { apiKey: secret, body: { name: "child", scopes: ["account:read"] } });
    expect((await mint()).status).toBe(201);

    await run("UPDATE users SET role = 'viewer' WHERE id = ?", user.id);
    await expectError(await mint(), 403, "insufficient_scope");
    expect((await call("/api/v1/keys", { apiKey: secret })).status).toBe(200);
    const scopes = (await json<{ scopes: string[] }>(await call("/api/v1/me", { apiKey: secret }))).scopes;
    expect(scopes.sort()).toEqual(["account:read", "keys:read"]);

    await run("UPDATE users SET role = 'developer' WHERE id = ?", user.id);
    expect((await mint()).status).toBe(201);
  });
});

describe("keys made with keys", () => {
  it("never outlive the key that made them (422 expiry_beyond_creating_key) and change nothing", async () => {
    const user = await createUser();
    const limit = new Date(Date.now() + 3600_000);
    const minter = await createApiKey(user, ["keys:write", "account:read"], { expires_at: limit.toISOString() });
    const before = await rows("SELECT id FROM api_keys WHERE user_id = ?", user.id);

    for (const expiresAt of [undefined, new Date(limit.getTime() + 60_000).toISOString()]) {
      const res = await call("/api/v1/keys", {
        apiKey: minter.secret,
        body: { name: "child", scopes: ["account:read"], ...(expiresAt ? { expires_at: expiresAt } : {}) },
      });
      const refused = await expectError(res, 422, "expiry_beyond_creating_key");
      expect(refused.error.details).toEqual({ max_expires_at: limit.toISOString() });
    }
    expect(await rows("SELECT id FROM api_keys WHERE user_id = ?", user.id)).toEqual(before);
    expect(
      await rows("SELECT id FROM audit_logs WHERE user_id = ? AND action = 'apikey.create'", user.id),
    ).toHaveLength(before.length);

    const within = await call("/api/v1/keys", {
      apiKey: minter.secret,
      body: { name: "child", scopes: ["account:read"], expires_at: new Date(limit.getTime() - 60_000).toISOString() },
    });
    expect(within.status).toBe(201);
    // A person (or a key without an expiry) may still make a key that never expires.
    const forever = await createApiKey(user, ["keys:write", "account:read"]);
    const child = await call("/api/v1/keys", { apiKey: forever.secret, body: { name: "c", scopes: ["account:read"] } });
    expect(child.status).toBe(201);
  });
});

describe("revoking a key that made keys", () => {
  it("revokes every key made with it, at any depth, and no other key", async () => {
    const user = await createUser();
    const parent = await createApiKey(user, ["keys:write", "account:read"]);
    const mint = async (secret: string, scopes: string[]) => {
      const res = await call("/api/v1/keys", { apiKey: secret, body: { name: "child", scopes } });
      expect(res.status, await res.clone().text()).toBe(201);
      return json<{ key: { id: string }; secret: string }>(res);
    };
    const child = await mint(parent.secret, ["keys:write", "account:read"]);
    const grandchild = await mint(child.secret, ["account:read"]);
    const sibling = await createApiKey(user, ["account:read"]);

    const revoked = await call(`/api/v1/keys/${parent.key.id}`, { method: "DELETE", token: user.accessToken });
    expect(revoked.status).toBe(200);
    for (const key of [parent, child, grandchild]) {
      await expectError(await call("/api/v1/me", { apiKey: key.secret }), 401, "api_key_revoked");
    }
    expect((await call("/api/v1/me", { apiKey: sibling.secret })).status).toBe(200);
    const [audit] = await rows<{ new_values: string }>(
      "SELECT new_values FROM audit_logs WHERE user_id = ? AND action = 'apikey.revoke'",
      user.id,
    );
    expect(JSON.parse(audit!.new_values).made_with_it.sort()).toEqual([child.key.id, grandchild.key.id].sort());
  });
});

describe("keys per user", () => {
  it("caps active keys at api_keys.max_active_per_user (409 too_many_api_keys); revoked and expired ones do not count", async () => {
    await setConfig("api_keys", { max_active_per_user: 3 });
    try {
      const user = await createUser();
      const keys = [];
      for (let i = 0; i < 3; i++) keys.push(await createApiKey(user, ["account:read"]));
      const before = await snapshot();
      const over = await call("/api/v1/keys", {
        token: user.accessToken,
        body: { name: "x", scopes: ["account:read"] },
      });
      const refused = await expectError(over, 409, "too_many_api_keys");
      expect(refused.error.details).toEqual({ max_active: 3 });
      const after = await snapshot();
      expect(after.api_keys).toEqual(before.api_keys);
      expect(after.audit_logs).toEqual(before.audit_logs);

      await run("UPDATE api_keys SET expires_at = ? WHERE id = ?", Date.now() - 1000, keys[0]!.key.id);
      expect((await createApiKey(user, ["account:read"])).secret).toMatch(/^ewk_/);
      await expectError(
        await call("/api/v1/keys", { token: user.accessToken, body: { name: "y", scopes: ["account:read"] } }),
        409,
        "too_many_api_keys",
      );
      const revoked = await call(`/api/v1/keys/${keys[1]!.key.id}`, { method: "DELETE", token: user.accessToken });
      expect(revoked.status).toBe(200);
      expect((await createApiKey(user, ["account:read"])).secret).toMatch(/^ewk_/);

      // Another user's keys are their own count.
      const other = await createUser();
      expect((await createApiKey(other, ["account:read"])).secret).toMatch(/^ewk_/);
    } finally {
      await setConfig("api_keys", { max_active_per_user: 50 });
    }
  });
});

describe("expiry and revocation", () => {
  it("stops a key once its expires_at passes (401 api_key_expired)", async () => {
    const user = await createUser();
    const { key, secret } = await createApiKey(user, ["account:read"], { expires_at: inAnHour() });
    expect((await call("/api/v1/me", { apiKey: secret })).status).toBe(200);
    await run("UPDATE api_keys SET expires_at = ? WHERE id = ?", Date.now() - 1, key.id);
    const res = await call("/api/v1/me", { apiKey: secret });
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    await expectError(res, 401, "api_key_expired");
  });

  it("revokes a key at once (401 api_key_revoked); revoking again is 409, an unknown id 404", async () => {
    const user = await createUser();
    const { key, secret } = await createApiKey(user, ["account:read"]);
    const res = await call(`/api/v1/keys/${key.id}`, { method: "DELETE", token: user.accessToken });
    expect(res.status).toBe(200);
    const revoked = await json<ApiKey>(res);
    expect(revoked.id).toBe(key.id);
    expect(Date.parse(revoked.revoked_at ?? "")).toBeGreaterThan(Date.now() - 60_000);

    await expectError(await call("/api/v1/me", { apiKey: secret }), 401, "api_key_revoked");
    await expectError(
      await call(`/api/v1/keys/${key.id}`, { method: "DELETE", token: user.accessToken }),
      409,
      "already_revoked",
    );
    await expectError(
      await call(`/api/v1/keys/${crypto.randomUUID()}`, { method: "DELETE", token: user.accessToken }),
      404,
      "not_found",
    );
  });
});
