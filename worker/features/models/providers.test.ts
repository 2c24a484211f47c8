/**
 * /api/v1/providers and /api/v1/models over HTTP with real local D1: keys are
 * encrypted at rest and never come back (responses, audit rows, anywhere in D1),
 * provider shapes and names are validated, base URLs the outbound guard refuses are
 * 422, the live check lists models from the fake OpenAI server (or reports its
 * error), and scopes are enforced.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { setConfig } from "../../../test/worker/support/config";
import { rows, snapshot } from "../../../test/worker/support/db";
import { expectError } from "../../../test/worker/support/envelope";
import { modelResolver } from "./resolve";

type Provider = {
  id: string;
  name: string;
  kind: string;
  base_url: string | null;
  has_api_key: boolean;
  api_key_hint: string | null;
};
type AuditRow = { action: string; old_values: string | null; new_values: string | null };

const fakeBase = () => `${env.FAKE_OPENAI_URL}/v1`;
const secretKey = () => `sk-fake-${crypto.randomUUID()}`;

async function addProvider(user: TestUser, body: Record<string, unknown>) {
  const res = await call("/api/v1/providers", { token: user.accessToken, body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return json<Provider>(res);
}

const auditOf = (id: string) =>
  rows<AuditRow>("SELECT action, old_values, new_values FROM audit_logs WHERE resource_id = ? ORDER BY created_at", id);

beforeEach(() =>
  setConfig("outbound", {
    allow_private_hosts: [new URL(env.FAKE_OPENAI_URL).host],
    max_response_bytes: 2_000_000,
    timeout_ms: 10_000,
  }),
);

describe("keys at rest", () => {
  it("encrypts the key, shows only a hint, and keeps it out of every response, audit row and table", async () => {
    const user = await createUser();
    const key = secretKey();
    const provider = await addProvider(user, {
      name: "fake",
      kind: "openai-compatible",
      base_url: fakeBase(),
      api_key: key,
    });
    expect(provider).toMatchObject({ name: "fake", has_api_key: true, api_key_hint: `…${key.slice(-4)}` });
    expect(JSON.stringify(provider)).not.toContain(key);

    const [stored] = await rows<{ api_key_encrypted: string }>(
      "SELECT api_key_encrypted FROM model_providers WHERE id = ?",
      provider.id,
    );
    expect(stored?.api_key_encrypted).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(JSON.stringify(await snapshot())).not.toContain(key);

    for (const path of [`/api/v1/providers/${provider.id}`, "/api/v1/providers", "/api/v1/models"]) {
      const res = await call(path, { token: user.accessToken });
      expect(res.status).toBe(200);
      expect(await res.text()).not.toContain(key);
    }
    const [created] = await auditOf(provider.id);
    expect(created?.action).toBe("model_provider.create");
    expect(JSON.parse(created!.new_values!)).toEqual({
      name: "fake",
      kind: "openai-compatible",
      base_url: fakeBase(),
      api_key: "***",
    });
  });

  it("replaces and removes keys through PATCH, auditing the change without the key", async () => {
    const user = await createUser();
    const provider = await addProvider(user, { name: "local", kind: "openai-compatible", base_url: fakeBase() });
    expect(provider).toMatchObject({ has_api_key: false, api_key_hint: null });
    const key = secretKey();
    const patch = (body: unknown) =>
      call(`/api/v1/providers/${provider.id}`, { method: "PATCH", token: user.accessToken, body });

    const withKey = await json<Provider>(await patch({ api_key: key, name: "renamed" }));
    expect(withKey).toMatchObject({ name: "renamed", has_api_key: true, api_key_hint: `…${key.slice(-4)}` });
    const short = await json<Provider>(await patch({ api_key: "sk-fake-1" }));
    expect(short).toMatchObject({ has_api_key: true, api_key_hint: null });
    const cleared = await json<Provider>(await patch({ api_key: null }));
    expect(cleared).toMatchObject({ has_api_key: false, api_key_hint: null });

    const audit = await auditOf(provider.id);
    expect(audit.map((row) => row.action)).toEqual([
      "model_provider.create",
      "model_provider.update",
      "model_provider.update",
      "model_provider.update",
    ]);
    expect(JSON.parse(audit[1]!.new_values!)).toMatchObject({ name: "renamed", api_key: "***", key_replaced: true });
    expect(JSON.parse(audit[3]!.new_values!)).toMatchObject({ api_key: null, key_replaced: false });
    expect(JSON.stringify(await snapshot())).not.toContain(key);
  });
});

describe("validation", () => {
  it("needs a base_url for openai-compatible and a key for hosted APIs (422)", async () => {
    const user = await createUser();
    const create = (body: unknown) => call("/api/v1/providers", { token: user.accessToken, body });
    await expectError(await create({ name: "nobase", kind: "openai-compatible" }), 422, "invalid_provider");
    await expectError(await create({ name: "nokey", kind: "anthropic" }), 422, "invalid_provider");
    const google = await addProvider(user, { name: "gemini", kind: "google", api_key: secretKey() });
    expect(google.base_url).toBeNull();
    const removeKey = call(`/api/v1/providers/${google.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { api_key: null },
    });
    await expectError(await removeKey, 422, "invalid_provider");
  });

  it("refuses reserved and malformed names and non-http base URLs (400), and a taken name (409)", async () => {
    const user = await createUser();
    const create = (body: unknown) => call("/api/v1/providers", { token: user.accessToken, body });
    const base = { kind: "openai-compatible", base_url: fakeBase() };
    for (const name of ["offline", "workers-ai", "Has Caps", "-dash", "a".repeat(41), "with:colon"])
      await expectError(await create({ ...base, name }), 400, "validation_failed");
    await expectError(await create({ name: "ftp", kind: "openai", base_url: "ftp://example.com" }), 400);
    await expectError(await create({ ...base, name: "x", kind: "workers-ai" }), 400, "validation_failed");

    await addProvider(user, { ...base, name: "taken" });
    await expectError(await create({ ...base, name: "taken" }), 409, "provider_name_taken");
    const other = await addProvider(user, { ...base, name: "other" });
    const rename = await call(`/api/v1/providers/${other.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { name: "taken" },
    });
    await expectError(rename, 409, "provider_name_taken");
    // Names are unique per user: another user may use the same one.
    const stranger = await createUser();
    expect((await addProvider(stranger, { ...base, name: "taken" })).name).toBe("taken");
  });

  it.each([
    ["http://10.0.0.1/v1", "10.0.0.1 is a private"],
    ["http://169.254.169.254/latest", "linkLocal"],
    ["http://127.0.0.1:11434/v1", "loopback"],
    ["http://db.private.test/v1", "resolves to 10.0.0.5"],
    ["http://localhost:11434/v1", "private name"],
  ])("refuses base_url %s unless allowlisted (422 base_url_refused)", async (baseUrl, reason) => {
    const user = await createUser();
    const before = await rows("SELECT id FROM model_providers WHERE user_id = ?", user.id);
    const res = await call("/api/v1/providers", {
      token: user.accessToken,
      body: { name: "inside", kind: "openai-compatible", base_url: baseUrl },
    });
    const body = await expectError(res, 422, "base_url_refused");
    expect(body.error.message).toContain(reason);
    expect(await rows("SELECT id FROM model_providers WHERE user_id = ?", user.id)).toEqual(before);

    const fine = await addProvider(user, { name: "fine", kind: "openai-compatible", base_url: fakeBase() });
    const moved = await call(`/api/v1/providers/${fine.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { base_url: baseUrl },
    });
    await expectError(moved, 422, "base_url_refused");
    const [row] = await rows<{ base_url: string }>("SELECT base_url FROM model_providers WHERE id = ?", fine.id);
    expect(row?.base_url).toBe(fakeBase());
  });
});

describe("check", () => {
  it("lists the provider's models through its API, for openai-compatible and openai kinds", async () => {
    const user = await createUser();
    for (const kind of ["openai-compatible", "openai"]) {
      const provider = await addProvider(user, { name: kind, kind, base_url: `${fakeBase()}/`, api_key: secretKey() });
      expect(provider.base_url).toBe(fakeBase());
      const res = await call(`/api/v1/providers/${provider.id}/check`, { method: "POST", token: user.accessToken });
      expect(res.status).toBe(200);
      const body = await json<{ ok: boolean; models: string[]; latency_ms: number }>(res);
      expect(body.ok).toBe(true);
      expect(body.models).toContain("fake-chat");
    }
  });

  it("reports the provider's own error as 422 provider_check_failed", async () => {
    const user = await createUser();
    const provider = await addProvider(user, {
      name: "badkey",
      kind: "openai-compatible",
      base_url: fakeBase(),
      api_key: "sk-wrong",
    });
    const res = await call(`/api/v1/providers/${provider.id}/check`, { method: "POST", token: user.accessToken });
    const body = await expectError(res, 422, "provider_check_failed");
    expect(body.error.message).toContain("Incorrect API key provided.");
    expect(body.error.details).toEqual({ status: 401 });
  });
});

describe("deleting", () => {
  it("deletes a provider (204, audited); agents naming it then skip it", async () => {
    const user = await createUser();
    const provider = await addProvider(user, { name: "gone", kind: "anthropic", api_key: secretKey() });
    const chain = ["gone:claude-haiku-4-5", "offline:assistant"];
    expect((await modelResolver.resolveChain(env, user.id, chain)).models).toHaveLength(2);

    const res = await call(`/api/v1/providers/${provider.id}`, { method: "DELETE", token: user.accessToken });
    expect(res.status).toBe(204);
    await expectError(await call(`/api/v1/providers/${provider.id}`, { token: user.accessToken }), 404, "not_found");
    expect((await auditOf(provider.id)).map((row) => row.action)).toEqual([
      "model_provider.create",
      "model_provider.delete",
    ]);
    const { models, skipped } = await modelResolver.resolveChain(env, user.id, chain);
    expect(models.map((model) => model.spec)).toEqual(["offline:assistant"]);
    expect(skipped[0]?.reason).toContain("unknown provider gone");
  });
});

describe("the model catalogue and scopes", () => {
  it("GET /models lists the built-ins, your providers, prices and the default model", async () => {
    const user = await createUser();
    await addProvider(user, { name: "groq", kind: "openai-compatible", base_url: fakeBase() });
    const res = await call("/api/v1/models", { token: user.accessToken });
    expect(res.status).toBe(200);
    const catalog = await json<{
      default_model: string;
      builtin: Array<{ spec: string; available: boolean }>;
      providers: Array<{ name: string; spec_prefix: string }>;
      prices: Record<string, unknown>;
    }>(res);
    expect(catalog.default_model).toBe("offline:assistant");
    expect(catalog.builtin).toContainEqual(expect.objectContaining({ spec: "offline:assistant", available: true }));
    expect(catalog.builtin.map((model) => model.spec)).toContain("workers-ai:@cf/meta/llama-3.1-8b-instruct");
    expect(catalog.providers).toEqual([expect.objectContaining({ name: "groq", spec_prefix: "groq:" })]);
    expect(catalog.prices["*"]).toEqual({ input_per_mtok: 0, output_per_mtok: 0 });
  });

  it("needs agents:write to change providers and agents:read to see them", async () => {
    const user = await createUser();
    const reader = await createApiKey(user, ["agents:read"]);
    const body = { name: "viaapikey", kind: "openai-compatible", base_url: fakeBase() };
    await expectError(await call("/api/v1/providers", { apiKey: reader.secret, body }), 403, "insufficient_scope");
    expect((await call("/api/v1/providers", { apiKey: reader.secret })).status).toBe(200);
    const outsider = await createApiKey(user, ["account:read"]);
    await expectError(await call("/api/v1/models", { apiKey: outsider.secret }), 403, "insufficient_scope");
    const writer = await createApiKey(user, ["agents:write"]);
    expect((await call("/api/v1/providers", { apiKey: writer.secret, body })).status).toBe(201);
  });
});
