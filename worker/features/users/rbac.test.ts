/**
 * Roles and administration through HTTP: what viewer, developer and admin may do,
 * the admin's user list, role changes and deactivation (which stops the user's
 * tokens and keys), and system config (validated, public subset, registration switch).
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  call,
  createApiKey,
  createUser,
  json,
  login,
  type TestUser,
  tokenFromOutbox,
} from "../../../test/worker/support/api";
import { rows } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { CONFIG_REGISTRY } from "../config/registry";
import { getConfig } from "../config/service";

/** One admin acts in every test; it is never the subject of a change (self-changes are refused). */
let admin: TestUser;
beforeAll(async () => {
  admin = await createUser({ role: "admin" });
});

type User = { id: string; email: string; role: string; is_active: boolean };
type ConfigEntry = { key: string; value: unknown; is_public: boolean; is_default: boolean };

const patchUser = (id: string, body: unknown) =>
  call(`/api/v1/admin/users/${id}`, { method: "PATCH", token: admin.accessToken, body });

const putConfig = (key: string, value: unknown) =>
  call(`/api/v1/admin/config/${key}`, { method: "PUT", token: admin.accessToken, body: { value } });

async function adminConfig(): Promise<ConfigEntry[]> {
  const res = await call("/api/v1/admin/config", { token: admin.accessToken });
  expect(res.status).toBe(200);
  return (await json<{ items: ConfigEntry[] }>(res)).items;
}

describe("roles", () => {
  it("lets a viewer read its account, keys and audit log but not write keys", async () => {
    const viewer = await createUser({ role: "viewer" });
    for (const path of ["/api/v1/me", "/api/v1/keys", "/api/v1/audit"]) {
      expect((await call(path, { token: viewer.accessToken })).status, path).toBe(200);
    }
    const create = await call("/api/v1/keys", {
      token: viewer.accessToken,
      body: { name: "v", scopes: ["account:read"] },
    });
    const refused = await expectError(create, 403, "insufficient_scope");
    expect(refused.error.details).toMatchObject({ missing: ["keys:write"] });
    await expectError(
      await call(`/api/v1/keys/${crypto.randomUUID()}`, { method: "DELETE", token: viewer.accessToken }),
      403,
      "insufficient_scope",
    );
    const scopes = (await json<{ scopes: string[] }>(await call("/api/v1/me", { token: viewer.accessToken }))).scopes;
    expect(scopes.filter((scope) => !scope.endsWith(":read"))).toEqual(["account:write"]);
  });

  it("keeps a developer (and its keys) out of every /admin route with 403 insufficient_scope", async () => {
    const developer = await createUser();
    const key = await createApiKey(developer, ["account:read", "keys:read"]);
    const attempts: [string, string, unknown?][] = [
      ["GET", "/api/v1/admin/users"],
      ["GET", `/api/v1/admin/users/${admin.id}`],
      ["PATCH", `/api/v1/admin/users/${admin.id}`, { role: "viewer" }],
      ["GET", "/api/v1/admin/audit"],
      ["GET", "/api/v1/admin/config"],
      ["PUT", "/api/v1/admin/config/registration", { value: { open: false } }],
    ];
    for (const [method, path, body] of attempts) {
      for (const credential of [{ token: developer.accessToken }, { apiKey: key.secret }]) {
        await expectError(await call(path, { method, body, ...credential }), 403, "insufficient_scope");
      }
    }
    expect((await json<User>(await call(`/api/v1/admin/users/${admin.id}`, { token: admin.accessToken }))).role).toBe(
      "admin",
    );
  });
});

describe("admin: users", () => {
  it("lists users with role, is_active and email filters, page by page", async () => {
    const viewer = await createUser({ role: "viewer" });
    const developer = await createUser();
    const disabled = await createUser();
    expect((await patchUser(disabled.id, { is_active: false })).status).toBe(200);
    const list = async (query: string) => {
      const res = await call(`/api/v1/admin/users?${query}`, { token: admin.accessToken });
      expect(res.status, query).toBe(200);
      return json<{ items: User[]; next_cursor: string | null }>(res);
    };
    const ids = (users: User[]) => users.map((user) => user.id);

    const viewers = (await list("role=viewer&limit=100")).items;
    expect(ids(viewers)).toContain(viewer.id);
    expect(ids(viewers)).not.toContain(developer.id);
    expect(viewers.every((user) => user.role === "viewer")).toBe(true);

    const inactive = (await list("is_active=false&limit=100")).items;
    expect(ids(inactive)).toEqual([disabled.id]);
    expect(ids((await list("is_active=true&limit=100")).items)).not.toContain(disabled.id);

    expect(ids((await list(`email=${encodeURIComponent(developer.email.toUpperCase())}`)).items)).toEqual([
      developer.id,
    ]);
    expect((await list("email=no-such-address")).items).toEqual([]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page.items));
      cursor = page.next_cursor;
    } while (cursor);
    const all = await rows<{ id: string }>("SELECT id FROM users");
    expect(seen.sort()).toEqual(all.map((row) => row.id).sort());
  });

  it("matches the email filter literally, underscores and percent signs included", async () => {
    const id = crypto.randomUUID().slice(0, 8);
    const email = `first_last-${id}@example.com`;
    const reg = await call("/api/v1/auth/register", {
      body: { email, password: `password-${id}`, name: "Underscore" },
      ip: `192.0.2.rbac-${id}`,
    });
    expect(reg.status).toBe(201);
    const byEmail = async (filter: string) => {
      const res = await call(`/api/v1/admin/users?email=${encodeURIComponent(filter)}`, { token: admin.accessToken });
      return (await json<{ items: User[] }>(res)).items.map((user) => user.email);
    };
    expect(await byEmail(email)).toEqual([email]);
    expect(await byEmail(`first_last-${id}`)).toEqual([email]);
    expect(await byEmail("%")).toEqual([]);
  });

  it("changes a user's role, which narrows their existing session at once", async () => {
    const target = await createUser();
    const res = await patchUser(target.id, { role: "viewer" });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: target.id, role: "viewer", is_active: true });
    const create = await call("/api/v1/keys", {
      token: target.accessToken,
      body: { name: "k", scopes: ["account:read"] },
    });
    await expectError(create, 403, "insufficient_scope");
    expect((await json<User>(await call("/api/v1/me", { token: target.accessToken }))).role).toBe("viewer");
  });

  it("deactivates a user: their tokens, keys and logins get 403 account_disabled until reactivated", async () => {
    const target = await createUser();
    const key = await createApiKey(target, ["account:read"]);
    const res = await patchUser(target.id, { is_active: false });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: target.id, is_active: false });

    await expectError(await call("/api/v1/me", { token: target.accessToken }), 403, "account_disabled");
    await expectError(await call("/api/v1/me", { apiKey: key.secret }), 403, "account_disabled");
    await expectError(
      await call("/api/v1/auth/login", { body: { email: target.email, password: target.password }, ip: target.ip }),
      403,
      "account_disabled",
    );
    await expectError(
      await call("/api/v1/auth/refresh", { body: { refresh_token: target.refreshToken }, ip: target.ip }),
      401,
      "invalid_refresh_token",
    );

    expect((await patchUser(target.id, { is_active: true })).status).toBe(200);
    expect((await call("/api/v1/me", { apiKey: key.secret })).status).toBe(200);
    // Deactivation ended the old session for good; a new login works.
    await expectError(await call("/api/v1/me", { token: target.accessToken }), 401, "token_revoked");
    const fresh = await login(target.email, target.password, target.ip);
    expect((await call("/api/v1/me", { token: fresh.access_token })).status).toBe(200);
  });

  it("refuses to change the admin's own account (409), unknown users (404) and empty changes (400)", async () => {
    await expectError(await patchUser(admin.id, { role: "viewer" }), 409, "cannot_modify_self");
    await expectError(await patchUser(admin.id, { is_active: false }), 409, "cannot_modify_self");
    await expectError(await patchUser(crypto.randomUUID(), { role: "viewer" }), 404, "not_found");
    const other = await createUser();
    await expectError(await patchUser(other.id, {}), 400, "validation_failed");
    await expectError(await patchUser(other.id, { role: "owner" }), 400, "validation_failed");
    const [self] = await rows<{ role: string; is_active: number }>(
      "SELECT role, is_active FROM users WHERE id = ?",
      admin.id,
    );
    expect(self).toEqual({ role: "admin", is_active: 1 });
  });
});

describe("admin: system config", () => {
  it("lists every setting with its default until one is set", async () => {
    const items = await adminConfig();
    expect(items.map((item) => item.key).sort()).toEqual(Object.keys(CONFIG_REGISTRY).sort());
    expect(items.find((item) => item.key === "registration")).toMatchObject({
      value: { open: true },
      is_public: true,
      is_default: true,
    });
    expect(items.find((item) => item.key === "rate_limits")).toMatchObject({
      value: { auth_per_ip: { limit: 30, window_seconds: 60 } },
      is_public: false,
    });
  });

  it("shows the deployment's default (CONFIG_DEFAULTS) until a setting is written, ignoring invalid entries", async () => {
    const deployment = JSON.parse(env.CONFIG_DEFAULTS) as { rate_limits: unknown };
    expect((await adminConfig()).find((item) => item.key === "rate_limits")).toEqual(
      expect.objectContaining({ value: deployment.rate_limits, is_default: true }),
    );
    const odd = { ...env, CONFIG_DEFAULTS: '{"rate_limits": {"api_per_principal": 5}, "no_such_setting": 1}' };
    expect(await getConfig(odd, "rate_limits")).toEqual(CONFIG_REGISTRY.rate_limits.default);
    expect(await getConfig({ ...env, CONFIG_DEFAULTS: "not json" }, "registration")).toEqual({ open: true });
  });

  it("refuses invalid values (422) and unknown keys (404), changing nothing", async () => {
    const before = await adminConfig();
    const invalid = await expectError(
      await putConfig("rate_limits", { auth_per_ip: { limit: 0, window_seconds: 60 } }),
      422,
      "invalid_config_value",
    );
    expect(Array.isArray(invalid.error.details)).toBe(true);
    await expectError(await putConfig("registration", { open: "yes" }), 422, "invalid_config_value");
    await expectError(await putConfig("no_such_setting", { open: true }), 404, "unknown_config_key");
    expect(await adminConfig()).toEqual(before);
    expect(await rows("SELECT key FROM system_config")).toEqual([]);
  });

  it("closes and reopens registration through the public setting", async () => {
    const publicConfig = async () => (await json<{ items: ConfigEntry[] }>(await call("/api/v1/config"))).items;
    const publicKeys = Object.entries(CONFIG_REGISTRY).filter(([, entry]) => entry.isPublic);
    expect((await publicConfig()).map((item) => item.key)).toEqual(publicKeys.map(([key]) => key));
    expect(await json(await call("/api/v1/config"))).toMatchObject({ environment: "development" });

    const closed = await putConfig("registration", { open: false });
    expect(closed.status).toBe(200);
    expect(await json(closed)).toMatchObject({ key: "registration", value: { open: false }, is_default: false });
    expect((await publicConfig()).find((item) => item.key === "registration")).toMatchObject({
      value: { open: false },
    });

    const id = crypto.randomUUID().slice(0, 8);
    const attempt = { email: `late-${id}@example.com`, password: `password-${id}`, name: "Late" };
    const ip = `192.0.2.closed-${id}`;
    await expectError(await call("/api/v1/auth/register", { body: attempt, ip }), 403, "registration_closed");
    expect(await rows("SELECT id FROM users WHERE email = ?", attempt.email)).toEqual([]);

    expect((await putConfig("registration", { open: true })).status).toBe(200);
    expect((await call("/api/v1/auth/register", { body: attempt, ip })).status).toBe(201);
    expect(await tokenFromOutbox(attempt.email, "verify_email")).toMatch(/^ewv_/);
  });
});
