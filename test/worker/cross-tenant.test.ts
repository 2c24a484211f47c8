/**
 * The cross-tenant table: Bob presents Alice's ids on every route that takes an
 * id, and reads every list. He never gets her data, and no route answers her
 * real id differently from an id that does not exist, so nothing confirms it
 * exists. The table must name every id-taking route in the OpenAPI document.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "./support/api";
import { expectError } from "./support/envelope";
import { type FileDto, memorySearchPath, stored, text, uploadForm } from "./support/files";

type Credential = { token: string } | { apiKey: string };
type Probe = {
  route: string;
  /** The id of Alice's that Bob tries. */
  aliceId: () => string;
  body?: unknown;
  status: number;
  code: string;
};

let alice: TestUser;
let bob: TestUser;
let aliceKey: { key: { id: string; prefix: string }; secret: string };
let bobKey: { key: { id: string }; secret: string };
const aliceText = `for alice only ${crypto.randomUUID()}`;
let aliceFile: FileDto;
let aliceMemoryId: string;

beforeAll(async () => {
  alice = await createUser({ name: "Alice Private" });
  bob = await createUser();
  aliceKey = await createApiKey(alice, ["account:read", "events:read"]);
  bobKey = await createApiKey(bob, [
    "account:read",
    "keys:read",
    "keys:write",
    "audit:read",
    "events:read",
    "files:read",
    "files:write",
    "memory:read",
    "memory:write",
  ]);
  const published = await call("/api/v1/events", {
    token: alice.accessToken,
    body: { type: "user.message", data: { text: aliceText } },
  });
  expect(published.status).toBe(201);
  aliceFile = await stored(uploadForm(alice, "alice-private.txt", text(aliceText)));
  const memory = await call("/api/v1/memories", { token: alice.accessToken, body: { content: aliceText } });
  aliceMemoryId = (await json<{ id: string }>(memory)).id;
});

const fileProbe = (route: string, status = 404, code = "not_found", body?: unknown): Probe => ({
  route,
  aliceId: () => aliceFile.id,
  status,
  code,
  ...(body === undefined ? {} : { body }),
});

const TABLE: Probe[] = [
  fileProbe("GET /api/v1/files/{id}"),
  fileProbe("DELETE /api/v1/files/{id}"),
  fileProbe("GET /api/v1/files/{id}/content"),
  fileProbe("POST /api/v1/files/{id}/links", 404, "not_found", { expires_in: 600 }),
  fileProbe("GET /api/v1/files/{id}/extraction"),
  fileProbe("POST /api/v1/files/{id}/index"),
  fileProbe("POST /api/v1/files/{id}/convert", 404, "not_found", { to: "json" }),
  fileProbe("DELETE /api/v1/files/{id}/index"),
  fileProbe("POST /api/v1/files/{id}/extraction"),
  fileProbe("POST /api/v1/files/{id}/tables/query", 404, "not_found", { limit: 5 }),
  { route: "GET /api/v1/memories/{id}", aliceId: () => aliceMemoryId, status: 404, code: "not_found" },
  {
    route: "PATCH /api/v1/memories/{id}",
    aliceId: () => aliceMemoryId,
    body: { content: "Bob was here" },
    status: 404,
    code: "not_found",
  },
  { route: "DELETE /api/v1/memories/{id}", aliceId: () => aliceMemoryId, status: 404, code: "not_found" },
  // A signed link's signature is the permission: without one, any id is refused alike.
  fileProbe("GET /api/v1/files/{id}/download", 400, "validation_failed"),
  { route: "GET /api/v1/keys/{id}", aliceId: () => aliceKey.key.id, status: 404, code: "not_found" },
  { route: "DELETE /api/v1/keys/{id}", aliceId: () => aliceKey.key.id, status: 404, code: "not_found" },
  { route: "GET /api/v1/admin/users/{id}", aliceId: () => alice.id, status: 403, code: "insufficient_scope" },
  {
    route: "PATCH /api/v1/admin/users/{id}",
    aliceId: () => alice.id,
    body: { is_active: false },
    status: 403,
    code: "insufficient_scope",
  },
  {
    route: "PUT /api/v1/admin/config/{key}",
    aliceId: () => "registration",
    body: { value: { open: false } },
    status: 403,
    code: "insufficient_scope",
  },
];

function request(probe: Probe, id: string, credential: Credential) {
  const [method, template] = probe.route.split(" ") as [string, string];
  const path = template.replace(/\{[^}]+\}/, encodeURIComponent(id));
  return call(path, { method, body: probe.body, ...credential });
}

it("covers every route in the OpenAPI document that takes an id", async () => {
  const doc = await json<{ paths: Record<string, Record<string, unknown>> }>(await call("/api/v1/openapi.json"));
  const idRoutes = Object.entries(doc.paths)
    .filter(([path]) => path.includes("{"))
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
  expect(TABLE.map((probe) => probe.route).sort()).toEqual(idRoutes.sort());
});

describe.each(TABLE)("$route with Alice's id", (probe) => {
  it(`answers Bob ${probe.status} ${probe.code}, exactly as for an id that does not exist`, async () => {
    for (const credential of [{ token: bob.accessToken }, { apiKey: bobKey.secret }]) {
      const theirs = await request(probe, probe.aliceId(), credential);
      const text = await theirs.clone().text();
      const body = await expectError(theirs, probe.status, probe.code);
      for (const secret of [alice.email, "Alice Private", aliceKey.key.prefix]) expect(text).not.toContain(secret);

      const nobody = await request(probe, `missing-${crypto.randomUUID()}`, credential);
      const other = await expectError(nobody, probe.status, probe.code);
      expect(other.error.message).toBe(body.error.message);
    }
  });
});

describe("after Bob's attempts", () => {
  it("left Alice's key, account and the settings as they were", async () => {
    expect((await call("/api/v1/me", { apiKey: aliceKey.secret })).status).toBe(200);
    const me = await json<{ is_active: boolean; role: string }>(await call("/api/v1/me", { token: alice.accessToken }));
    expect(me).toMatchObject({ is_active: true, role: "developer" });
    const config = await json<{ items: { key: string; value: unknown }[] }>(await call("/api/v1/config"));
    expect(config.items.find((item) => item.key === "registration")).toMatchObject({ value: { open: true } });
  });
});

describe("lists", () => {
  it("GET /keys shows Bob his keys and never Alice's", async () => {
    for (const credential of [{ token: bob.accessToken }, { apiKey: bobKey.secret }]) {
      const res = await call("/api/v1/keys?include_revoked=true&limit=100", credential);
      const ids = (await json<{ items: { id: string }[] }>(res)).items.map((key) => key.id);
      expect(ids).toContain(bobKey.key.id);
      expect(ids).not.toContain(aliceKey.key.id);
    }
  });

  it("GET /audit shows Bob his rows only, even when he asks for Alice's", async () => {
    for (const query of ["", `?user_id=${alice.id}`, "?action=apikey.create&limit=100"]) {
      const res = await call(`/api/v1/audit${query}`, { token: bob.accessToken });
      expect(res.status).toBe(200);
      const text = await res.text();
      const items = (JSON.parse(text) as { items: { user_id: string }[] }).items;
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((item) => item.user_id === bob.id)).toBe(true);
      for (const secret of [alice.id, alice.email, aliceKey.key.id]) expect(text).not.toContain(secret);
    }
  });

  it("GET /events shows Bob his feed, never Alice's events", async () => {
    const mine = await call("/api/v1/events", { token: alice.accessToken });
    expect(await mine.text()).toContain(aliceText);
    for (const credential of [{ token: bob.accessToken }, { apiKey: bobKey.secret }]) {
      const res = await call("/api/v1/events?limit=500", credential);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(aliceText);
      expect(text).not.toContain(aliceKey.key.id);
    }
  });

  it("GET /files shows Bob none of Alice's files, whatever he filters by", async () => {
    for (const query of ["", "?q=alice-private", "?content_type=text/*&limit=100"]) {
      const res = await call(`/api/v1/files${query}`, { token: bob.accessToken });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(aliceFile.id);
      expect(text).not.toContain("alice-private");
    }
  });

  it("memory lists and searches show Bob none of Alice's memories", async () => {
    const answers = [
      await call("/api/v1/memories?limit=100", { token: bob.accessToken }),
      ...(await Promise.all(
        ["hybrid", "keyword", "vector"].map((mode) =>
          call(memorySearchPath(aliceText, { mode, limit: 50 }), { token: bob.accessToken }),
        ),
      )),
    ];
    for (const res of answers) {
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(aliceMemoryId);
      expect(text).not.toContain("for alice only");
    }
    const mine = await call(memorySearchPath(aliceText), { token: alice.accessToken });
    expect(await mine.text()).toContain(aliceMemoryId);
  });

  it("an Idempotency-Key Alice used means nothing for Bob's request", async () => {
    const key = `shared-${crypto.randomUUID()}`;
    const body = { name: "same name", scopes: ["account:read"] };
    const first = await call("/api/v1/keys", { token: alice.accessToken, body, headers: { "idempotency-key": key } });
    expect(first.status).toBe(201);
    const aliceCreated = await json<{ key: { id: string }; secret: string }>(first);
    const second = await call("/api/v1/keys", { token: bob.accessToken, body, headers: { "idempotency-key": key } });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotency-replayed")).toBeNull();
    const text = await second.text();
    expect(text).not.toContain(aliceCreated.secret);
    expect(text).not.toContain(aliceCreated.key.id);
  });
});
