/**
 * Extensions through HTTP: the catalogue, the default core extension, installing,
 * configuring (validated against the schema, secrets sealed at rest and never
 * returned), enabling and disabling (tools come and go), removing, audit rows, and
 * each extension's executions.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { rows, snapshot } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { allowLocalServers, as, type Extension, install, outcomeOf, runTool } from "../../../test/worker/support/tools";

type Catalog = {
  items: {
    name: string;
    version: string;
    publisher: string;
    default_enabled: boolean;
    tools: { name: string; dangerous: boolean }[];
    config_schema: { properties: Record<string, { writeOnly?: boolean }> };
    secret_fields: string[];
  }[];
};

const extensions = async (user: TestUser) =>
  (await json<{ items: Extension[] }>(await call("/api/v1/extensions", as(user)))).items;
const toolNames = async (user: TestUser) =>
  (await json<{ items: { name: string }[] }>(await call("/api/v1/tools", as(user)))).items.map((tool) => tool.name);
const patch = (user: TestUser, id: string, body: unknown) =>
  call(`/api/v1/extensions/${id}`, { ...as(user), method: "PATCH", body });

beforeEach(() => allowLocalServers());

describe("the catalogue", () => {
  it("lists core and web with semver versions, tools, and config schemas marking secrets writeOnly", async () => {
    const user = await createUser();
    const { items } = await json<Catalog>(await call("/api/v1/extensions/catalog", as(user)));
    const byName = Object.fromEntries(items.map((item) => [item.name, item]));
    expect(byName.core).toMatchObject({ version: "1.0.0", publisher: "edgewise", default_enabled: true });
    expect(byName.core?.tools.map((tool) => tool.name)).toEqual(["calculator", "current_time"]);
    expect(byName.web?.tools).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: "http_request", dangerous: true })]),
    );
    expect(byName.web?.secret_fields).toEqual(["search_api_key"]);
    expect(byName.web?.config_schema.properties.search_api_key?.writeOnly).toBe(true);
    for (const item of items) expect(item.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("a new user", () => {
  it("has core on without installing it, and web only once installed", async () => {
    const user = await createUser();
    const [core, ...others] = await extensions(user);
    expect(others).toEqual([]);
    expect(core).toMatchObject({ name: "core", kind: "builtin", enabled: true, created_at: null });
    expect(await toolNames(user)).toEqual(["calculator", "current_time"]);
    expect(await rows("SELECT id FROM user_extensions WHERE user_id = ?", user.id)).toEqual([]);

    const web = await install(as(user), { name: "web" });
    expect(web).toMatchObject({ name: "web", enabled: true, secrets: { search_api_key: { configured: false } } });
    expect(await toolNames(user)).toEqual(["calculator", "current_time", "http_fetch", "http_request", "web_search"]);
    const one = await json<Extension>(await call(`/api/v1/extensions/${web.id}`, as(user)));
    expect(one.id).toBe(web.id);
  });

  it("refuses a second install (409), an unknown built-in (422) and a bad name (400)", async () => {
    const user = await createUser();
    await install(as(user), { name: "web" });
    const again = await call("/api/v1/extensions", { ...as(user), body: { name: "web" } });
    await expectError(again, 409, "already_installed");
    const core = await call("/api/v1/extensions", { ...as(user), body: { name: "core" } });
    await expectError(core, 409, "already_installed");
    await expectError(
      await call("/api/v1/extensions", { ...as(user), body: { name: "nope" } }),
      422,
      "unknown_extension",
    );
    const bad = await call("/api/v1/extensions", { ...as(user), body: { name: "Bad Name!" } });
    await expectError(bad, 400, "validation_failed");
    const mixed = await call("/api/v1/extensions", { ...as(user), body: { name: "web", url: "https://a.example" } });
    await expectError(mixed, 400, "validation_failed");
  });
});

describe("configuration", () => {
  it("validates against the schema: 422 with the issues, nothing stored", async () => {
    const user = await createUser();
    const web = await install(as(user), { name: "web" });
    for (const config of [{ search_api_key: 42 }, { unknown_field: true }]) {
      const body = await expectError(await patch(user, web.id, { config }), 422, "invalid_config");
      expect(Array.isArray(body.error.details)).toBe(true);
    }
    const install422 = await call("/api/v1/extensions", {
      ...as(await createUser()),
      body: { name: "web", config: { search_api_key: "" } },
    });
    const issues = (await expectError(install422, 422, "invalid_config")).error.details as { path: string }[];
    expect(issues[0]?.path).toBe("search_api_key");
    const [core] = await extensions(user);
    await expectError(
      await patch(user, core!.id, { config: { default_time_zone: "Nowhere/Land" } }),
      422,
      "invalid_config",
    );
    expect(await rows("SELECT name FROM user_extensions WHERE user_id = ?", user.id)).toEqual([{ name: "web" }]);
  });

  it("seals secrets at rest, never returns them, and removes them with null", async () => {
    const user = await createUser();
    const secret = `sk-search-${crypto.randomUUID()}`;
    const web = await install(as(user), { name: "web", config: { search_api_key: secret } });
    expect(web.secrets).toEqual({ search_api_key: { configured: true } });
    expect(web.config).toEqual({});

    const [row] = await rows<{ config: string; secrets_encrypted: string }>(
      "SELECT config, secrets_encrypted FROM user_extensions WHERE id = ?",
      web.id,
    );
    expect(row?.secrets_encrypted).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(JSON.parse(row!.config)).toEqual({});
    expect(JSON.stringify(await snapshot())).not.toContain(secret);
    for (const path of ["/api/v1/extensions", `/api/v1/extensions/${web.id}`]) {
      expect(await (await call(path, as(user))).text()).not.toContain(secret);
    }
    const audit = await rows<{ action: string }>("SELECT action FROM audit_logs WHERE user_id = ?", user.id);
    expect(audit.map((entry) => entry.action)).toContain("extension.install");

    const cleared = await json<Extension>(await patch(user, web.id, { config: { search_api_key: null } }));
    expect(cleared.secrets).toEqual({ search_api_key: { configured: false } });
    const [after] = await rows<{ secrets_encrypted: string | null }>(
      "SELECT secrets_encrypted FROM user_extensions WHERE id = ?",
      web.id,
    );
    expect(after?.secrets_encrypted).toBeNull();
  });

  it("keeps other fields when one is patched", async () => {
    const user = await createUser();
    const web = await install(as(user), { name: "web", config: { search_api_key: "key-one" } });
    const disabled = await json<Extension>(await patch(user, web.id, { enabled: false }));
    expect(disabled).toMatchObject({ enabled: false, secrets: { search_api_key: { configured: true } } });
    await expectError(await patch(user, web.id, {}), 400, "validation_failed");
  });
});

describe("enabling, disabling, removing", () => {
  it("takes a disabled extension's tools away until it is enabled again", async () => {
    const user = await createUser();
    const web = await install(as(user), { name: "web" });
    await patch(user, web.id, { enabled: false });
    expect(await toolNames(user)).not.toContain("http_fetch");
    await expectError(
      await runTool(as(user), "http_fetch", { input: { url: "https://a.test" } }),
      404,
      "tool_not_found",
    );
    await patch(user, web.id, { enabled: true });
    expect(await toolNames(user)).toContain("http_fetch");
  });

  it("lets core be disabled (a row appears under the same id) but not removed", async () => {
    const user = await createUser();
    const [core] = await extensions(user);
    const disabled = await json<Extension>(await patch(user, core!.id, { enabled: false }));
    expect(disabled).toMatchObject({ id: core!.id, enabled: false });
    expect(await toolNames(user)).toEqual([]);
    expect(await rows("SELECT id FROM user_extensions WHERE user_id = ?", user.id)).toEqual([{ id: core!.id }]);
    const removal = await call(`/api/v1/extensions/${core!.id}`, { ...as(user), method: "DELETE" });
    await expectError(removal, 409, "cannot_uninstall");
    await patch(user, core!.id, { enabled: true });
    expect(await toolNames(user)).toEqual(["calculator", "current_time"]);
  });

  it("removes an installed extension; its id then answers 404", async () => {
    const user = await createUser();
    const web = await install(as(user), { name: "web" });
    expect((await call(`/api/v1/extensions/${web.id}`, { ...as(user), method: "DELETE" })).status).toBe(200);
    await expectError(await call(`/api/v1/extensions/${web.id}`, as(user)), 404, "not_found");
    expect((await extensions(user)).map((extension) => extension.name)).toEqual(["core"]);
    const actions = await rows<{ action: string }>("SELECT action FROM audit_logs WHERE user_id = ?", user.id);
    expect(actions.map((entry) => entry.action)).toEqual(expect.arrayContaining(["extension.uninstall"]));
  });

  it("refreshing a built-in is a 409", async () => {
    const user = await createUser();
    const [core] = await extensions(user);
    const res = await call(`/api/v1/extensions/${core!.id}/refresh`, { ...as(user), method: "POST" });
    await expectError(res, 409, "not_refreshable");
  });
});

describe("scopes", () => {
  it("needs extensions:read to look and extensions:write to change", async () => {
    const user = await createUser();
    const reader = await createApiKey(user, ["extensions:read"]);
    expect((await call("/api/v1/extensions", { apiKey: reader.secret })).status).toBe(200);
    const install403 = await call("/api/v1/extensions", { apiKey: reader.secret, body: { name: "web" } });
    await expectError(install403, 403, "insufficient_scope");
    const viewer = await createUser({ role: "viewer" });
    expect((await call("/api/v1/extensions/catalog", as(viewer))).status).toBe(200);
    await expectError(await call("/api/v1/extensions", { ...as(viewer), body: { name: "web" } }), 403);
  });
});

describe("extension executions", () => {
  it("lists the executions of one extension's tools", async () => {
    const user = await createUser();
    const [core] = await extensions(user);
    const web = await install(as(user), { name: "web" });
    await outcomeOf(as(user), "calculator", { expression: "1 + 1" });
    await outcomeOf(as(user), "current_time", {});
    await outcomeOf(as(user), "http_fetch", { url: "http://10.0.0.1/" });
    const list = async (id: string, query = "") =>
      (
        await json<{ items: { tool: string; extension: string }[] }>(
          await call(`/api/v1/extensions/${id}/executions${query}`, as(user)),
        )
      ).items;
    expect((await list(core!.id)).map((item) => item.tool)).toEqual(["current_time", "calculator"]);
    expect(await list(web.id)).toEqual([expect.objectContaining({ tool: "http_fetch", extension: "web" })]);
    expect((await list(core!.id, "?tool=calculator")).map((item) => item.tool)).toEqual(["calculator"]);
  });
});
