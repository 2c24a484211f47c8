/**
 * The audit log through HTTP: every mutation leaves one row naming the actor, the
 * action, the resource, old and new values, the client IP, user agent and request
 * id; secrets never reach it; owners read their own rows, admins everyone's.
 */
import { describe, expect, it } from "vitest";
import {
  type CallOptions,
  call,
  createApiKey,
  createUser,
  json,
  type TestUser,
  tokenFromOutbox,
} from "../../../test/worker/support/api";
import { rows } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";

type AuditEntry = {
  id: string;
  user_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  old_values: Record<string, unknown> | null;
  new_values: Record<string, unknown> | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
};
type Page = { items: AuditEntry[]; next_cursor: string | null };

const USER_AGENT = "edgewise-audit-test/1.0";

/**
 * Calls the API as a traceable client: a fixed user agent, an IP and a fresh
 * request id per call, which the returned `requestId` lets a test find in the log.
 */
function tracedClient(ip: string) {
  return async (path: string, options: CallOptions = {}) => {
    const requestId = `audit-${crypto.randomUUID()}`;
    const res = await call(path, {
      ...options,
      ip,
      headers: { ...options.headers, "user-agent": USER_AGENT, "x-request-id": requestId },
    });
    expect(res.headers.get("x-request-id")).toBe(requestId);
    return { res, requestId };
  };
}

/** The single audit row a request wrote, checked for the request's IP, user agent and id. */
async function auditRowOf(requestId: string, ip: string): Promise<AuditEntry> {
  const found = await rows<AuditEntry & { old_values: string | null; new_values: string | null }>(
    "SELECT * FROM audit_logs WHERE request_id = ?",
    requestId,
  );
  expect(found, `audit rows for ${requestId}`).toHaveLength(1);
  const row = found[0]!;
  expect(row).toMatchObject({ ip_address: ip, user_agent: USER_AGENT, request_id: requestId });
  return {
    ...row,
    old_values: row.old_values ? JSON.parse(row.old_values) : null,
    new_values: row.new_values ? JSON.parse(row.new_values) : null,
  };
}

async function listAll(path: string, token: string, limit = 100): Promise<AuditEntry[]> {
  const items: AuditEntry[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes("?") ? "&" : "?";
    const query = `${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res: Response = await call(`${path}${query}`, { token });
    expect(res.status).toBe(200);
    const page = await json<Page>(res);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

describe("what every mutation records", () => {
  it("records the account's life: register, verify, login, profile, keys, reset, logout", async () => {
    const ip = `203.0.113.${crypto.randomUUID().slice(0, 8)}`;
    const client = tracedClient(ip);
    const id = crypto.randomUUID().slice(0, 8);
    const email = `audited-${id}@example.com`;
    const password = `password-${id}-first`;

    const registered = await client("/api/v1/auth/register", { body: { email, password, name: "Before" } });
    const userId = (await json<{ id: string }>(registered.res)).id;
    const self = { user_id: userId, actor_type: "user", actor_id: userId };
    expect(await auditRowOf(registered.requestId, ip)).toMatchObject({
      ...self,
      action: "user.register",
      resource_type: "user",
      resource_id: userId,
      new_values: { email, name: "Before", role: "developer" },
    });

    const verifyToken = await tokenFromOutbox(email, "verify_email");
    const verified = await client("/api/v1/auth/verify-email", { body: { token: verifyToken } });
    expect(await auditRowOf(verified.requestId, ip)).toMatchObject({ ...self, action: "user.verify_email" });

    const loggedIn = await client("/api/v1/auth/login", { body: { email, password } });
    const session = await json<{ access_token: string; refresh_token: string; session_id: string }>(loggedIn.res);
    expect(await auditRowOf(loggedIn.requestId, ip)).toMatchObject({
      ...self,
      action: "auth.login",
      resource_type: "session",
      resource_id: session.session_id,
    });

    const renamed = await client("/api/v1/me", {
      method: "PATCH",
      token: session.access_token,
      body: { name: "After" },
    });
    expect(renamed.res.status).toBe(200);
    expect(await auditRowOf(renamed.requestId, ip)).toMatchObject({
      ...self,
      action: "user.update",
      old_values: { name: "Before" },
      new_values: { name: "After" },
    });

    const created = await client("/api/v1/keys", {
      token: session.access_token,
      body: { name: "audited key", scopes: ["account:read", "keys:write"] },
    });
    const { key, secret } = await json<{ key: { id: string; prefix: string }; secret: string }>(created.res);
    expect(await auditRowOf(created.requestId, ip)).toMatchObject({
      ...self,
      action: "apikey.create",
      resource_type: "api_key",
      resource_id: key.id,
      new_values: { name: "audited key", prefix: key.prefix, scopes: ["account:read", "keys:write"], expires_at: null },
    });

    // A key acting is recorded as the key, on its owner's log.
    const byKey = await client("/api/v1/keys", { apiKey: secret, body: { name: "child", scopes: ["account:read"] } });
    const child = (await json<{ key: { id: string } }>(byKey.res)).key;
    expect(await auditRowOf(byKey.requestId, ip)).toMatchObject({
      user_id: userId,
      actor_type: "api_key",
      actor_id: key.id,
      action: "apikey.create",
      resource_id: child.id,
    });

    const revoked = await client(`/api/v1/keys/${key.id}`, { method: "DELETE", token: session.access_token });
    const revokedAt = (await json<{ revoked_at: string }>(revoked.res)).revoked_at;
    expect(await auditRowOf(revoked.requestId, ip)).toMatchObject({
      ...self,
      action: "apikey.revoke",
      resource_id: key.id,
      old_values: { revoked_at: null },
      new_values: { revoked_at: revokedAt },
    });

    const loggedOut = await client("/api/v1/auth/logout", { method: "POST", token: session.access_token });
    expect(loggedOut.res.status).toBe(200);
    expect(await auditRowOf(loggedOut.requestId, ip)).toMatchObject({
      ...self,
      action: "auth.logout",
      resource_id: session.session_id,
    });

    await client("/api/v1/auth/password-reset/request", { body: { email } });
    const resetToken = await tokenFromOutbox(email, "reset_password");
    const newPassword = `password-${id}-second`;
    const reset = await client("/api/v1/auth/password-reset/confirm", {
      body: { token: resetToken, password: newPassword },
    });
    expect(reset.res.status).toBe(200);
    expect(await auditRowOf(reset.requestId, ip)).toMatchObject({
      ...self,
      action: "user.password_reset",
      new_values: { password: "***" },
    });

    // No secret of any kind reached the log: passwords, their hashes, tokens, the key or its hash.
    const [stored] = await rows<{ password_hash: string }>("SELECT password_hash FROM users WHERE id = ?", userId);
    const keyHashes = await rows<{ key_hash: string }>("SELECT key_hash FROM api_keys WHERE user_id = ?", userId);
    const log = JSON.stringify(await rows("SELECT * FROM audit_logs"));
    const secrets = [
      password,
      newPassword,
      stored!.password_hash,
      secret,
      ...keyHashes.map((row) => row.key_hash),
      session.access_token,
      session.refresh_token,
      verifyToken,
      resetToken,
    ];
    for (const value of secrets) expect(log).not.toContain(value);
  });

  it("records admin changes to a user on that user's log, and config changes on the system's", async () => {
    const admin = await createUser({ role: "admin" });
    const target = await createUser();
    const ip = `203.0.113.${crypto.randomUUID().slice(0, 8)}`;
    const client = tracedClient(ip);

    const changed = await client(`/api/v1/admin/users/${target.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      body: { role: "viewer" },
    });
    expect(changed.res.status).toBe(200);
    expect(await auditRowOf(changed.requestId, ip)).toMatchObject({
      user_id: target.id,
      actor_type: "user",
      actor_id: admin.id,
      action: "admin.user_update",
      resource_type: "user",
      resource_id: target.id,
      old_values: { role: "developer", is_active: true },
      new_values: { role: "viewer", is_active: true },
    });
    const visible = await listAll("/api/v1/audit?action=admin.user_update", target.accessToken);
    expect(visible.map((entry) => entry.request_id)).toEqual([changed.requestId]);

    const configured = await client("/api/v1/admin/config/registration", {
      method: "PUT",
      token: admin.accessToken,
      body: { value: { open: false } },
    });
    expect(configured.res.status).toBe(200);
    expect(await auditRowOf(configured.requestId, ip)).toMatchObject({
      user_id: null,
      actor_id: admin.id,
      action: "config.update",
      resource_type: "system_config",
      resource_id: "registration",
      old_values: { value: { open: true } },
      new_values: { value: { open: false } },
    });
    const restored = await call("/api/v1/admin/config/registration", {
      method: "PUT",
      token: admin.accessToken,
      body: { value: { open: true } },
    });
    expect(restored.status).toBe(200);
  });

  it("writes nothing for a refused change", async () => {
    const user = await createUser();
    const before = await rows("SELECT id FROM audit_logs");
    await expectError(
      await call("/api/v1/keys", { token: user.accessToken, body: { name: "x", scopes: ["admin:users"] } }),
      403,
      "scope_not_allowed",
    );
    await expectError(
      await call(`/api/v1/keys/${crypto.randomUUID()}`, { method: "DELETE", token: user.accessToken }),
      404,
    );
    await expectError(await call("/api/v1/me", { method: "PATCH", token: user.accessToken, body: { name: "" } }), 400);
    expect(await rows("SELECT id FROM audit_logs")).toEqual(before);
  });
});

describe("who can read the log", () => {
  async function twoUsersWithHistory(): Promise<[TestUser, TestUser]> {
    const alice = await createUser();
    const bob = await createUser();
    await createApiKey(alice, ["account:read"]);
    await createApiKey(bob, ["account:read"]);
    return [alice, bob];
  }

  it("shows each user only their own rows, page by page", async () => {
    const [alice, bob] = await twoUsersWithHistory();
    for (const user of [alice, bob]) {
      const own = await listAll("/api/v1/audit", user.accessToken, 2);
      const expected = await rows<{ id: string }>("SELECT id FROM audit_logs WHERE user_id = ?", user.id);
      expect(own.length).toBeGreaterThanOrEqual(4);
      expect(own.map((entry) => entry.id).sort()).toEqual(expected.map((row) => row.id).sort());
      expect(own.every((entry) => entry.user_id === user.id)).toBe(true);
    }
    const keysOnly = await listAll("/api/v1/audit?action=apikey.create&resource_type=api_key", alice.accessToken);
    expect(keysOnly).toHaveLength(1);
  });

  it("lets an admin read everyone's rows and filter by user; others get 403", async () => {
    const [alice, bob] = await twoUsersWithHistory();
    const admin = await createUser({ role: "admin" });
    const all = await listAll("/api/v1/admin/audit", admin.accessToken);
    const total = await rows<{ n: number }>("SELECT count(*) AS n FROM audit_logs");
    expect(all).toHaveLength(total[0]!.n);
    const owners = new Set(all.map((entry) => entry.user_id));
    expect(owners.has(alice.id) && owners.has(bob.id)).toBe(true);

    const aliceOnly = await listAll(`/api/v1/admin/audit?user_id=${alice.id}`, admin.accessToken, 3);
    expect(aliceOnly.length).toBeGreaterThanOrEqual(4);
    expect(aliceOnly.every((entry) => entry.user_id === alice.id)).toBe(true);

    await expectError(await call("/api/v1/admin/audit", { token: alice.accessToken }), 403, "insufficient_scope");
    await expectError(
      await call(`/api/v1/admin/audit?user_id=${bob.id}`, { token: alice.accessToken }),
      403,
      "insufficient_scope",
    );
  });
});
