/**
 * The cross-tenant table: Bob presents Alice's ids on every route that takes an
 * id, and reads every list. He never gets her data, and no route answers her
 * real id differently from an id that does not exist, so nothing confirms it
 * exists. The table must name every id-taking route in the OpenAPI document.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "./support/api";
import { expectError } from "./support/envelope";

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
/** Alice's graph: an entity, a relationship, a pending conflict and an attachment. */
const aliceGraph = { entity: "", relationship: "", conflict: "", attachment: "" };

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
    "graph:read",
    "graph:write",
  ]);
  const published = await call("/api/v1/events", {
    token: alice.accessToken,
    body: { type: "user.message", data: { text: aliceText } },
  });
  expect(published.status).toBe(201);
  await makeAliceGraph();
});

/** Alice's entities, a relationship, an attachment, and a note two of her devices edited at once (pending). */
async function makeAliceGraph() {
  const post = async (path: string, body: unknown) => {
    const res = await call(path, { token: alice.accessToken, body });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    return json<Record<string, unknown>>(res);
  };
  const note = await post("/api/v1/graph/entities", { type: "note", content: { name: aliceText, body: aliceText } });
  const room = await post("/api/v1/graph/entities", { type: "room", content: { name: "Alice Private room" } });
  aliceGraph.entity = String(note.id);
  aliceGraph.relationship = String(
    (await post("/api/v1/graph/relationships", { from_id: note.id, to_id: room.id, type: "related_to" })).id,
  );
  aliceGraph.attachment = String(
    (await post(`/api/v1/graph/entities/${note.id}/attachments`, { file_name: "a.txt", data_base64: btoa(aliceText) }))
      .id,
  );
  const edit = (device: string, body: string) => ({
    protocol_versions: [1],
    device_id: device,
    clock: {},
    cursor: 0,
    changes: [
      {
        op: "upsert",
        client_change_id: `${device}-1`,
        counter: 1,
        hlc: `${String(Date.now()).padStart(15, "0")}:000000:${device}`,
        entity_id: note.id,
        entity_type: "note",
        version: `${device}-v1`,
        parents: [note.version],
        content: { name: aliceText, body },
      },
    ],
  });
  await post("/api/v1/graph/sync/push", edit("alice-phone", "one"));
  const pushed = await post("/api/v1/graph/sync/push", edit("alice-laptop", "two"));
  aliceGraph.conflict = String((pushed.results as { conflict_id: string }[])[0]?.conflict_id);
}

const graphProbe = (route: string, id: keyof typeof aliceGraph, code: string, body?: unknown): Probe => ({
  route,
  aliceId: () => aliceGraph[id],
  body,
  status: 404,
  code,
});

const TABLE: Probe[] = [
  graphProbe("GET /api/v1/graph/entities/{id}", "entity", "unknown_entity"),
  graphProbe("PATCH /api/v1/graph/entities/{id}", "entity", "unknown_entity", { patch: { body: "bob was here" } }),
  graphProbe("DELETE /api/v1/graph/entities/{id}", "entity", "unknown_entity"),
  graphProbe("GET /api/v1/graph/entities/{id}/history", "entity", "unknown_entity"),
  graphProbe("GET /api/v1/graph/entities/{id}/neighbours", "entity", "unknown_entity"),
  graphProbe("GET /api/v1/graph/entities/{id}/attachments", "entity", "unknown_entity"),
  graphProbe("POST /api/v1/graph/entities/{id}/attachments", "entity", "unknown_entity", {
    file_name: "bob.txt",
    data_base64: btoa("bob"),
  }),
  graphProbe("GET /api/v1/graph/attachments/{id}", "attachment", "unknown_attachment"),
  graphProbe("DELETE /api/v1/graph/attachments/{id}", "attachment", "unknown_attachment"),
  graphProbe("DELETE /api/v1/graph/relationships/{id}", "relationship", "unknown_relationship"),
  graphProbe("GET /api/v1/graph/conflicts/{id}", "conflict", "unknown_conflict"),
  graphProbe("POST /api/v1/graph/conflicts/{id}/resolve", "conflict", "unknown_conflict", { choose: "local" }),
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
  it("Bob's graph lists, search, paths, sync feed and conflicts never show Alice's graph", async () => {
    for (const credential of [{ token: bob.accessToken }, { apiKey: bobKey.secret }]) {
      for (const path of [
        "/api/v1/graph/entities?include_deleted=true&limit=100",
        `/api/v1/graph/entities?q=${encodeURIComponent(aliceText.split(" ")[3] ?? "alice")}`,
        "/api/v1/graph/conflicts?limit=100",
        `/api/v1/graph/paths?from=${aliceGraph.entity}&to=${aliceGraph.entity}`,
      ]) {
        const text = await (await call(path, credential)).text();
        expect(text).not.toContain(aliceText);
        expect(text).not.toContain(aliceGraph.conflict);
      }
      const feed = await call("/api/v1/graph/sync/pull", {
        ...credential,
        body: { protocol_versions: [1], device_id: "bob-phone", cursor: 0 },
      });
      const text = await feed.text();
      expect(feed.status).toBe(200);
      for (const id of Object.values(aliceGraph)) expect(text).not.toContain(id);
    }
    const aliceSees = await call(`/api/v1/graph/entities/${aliceGraph.entity}`, { token: alice.accessToken });
    expect(await aliceSees.text()).toContain(aliceText);
    const conflict = await call(`/api/v1/graph/conflicts/${aliceGraph.conflict}`, { token: alice.accessToken });
    expect(await json(conflict)).toMatchObject({ resolution_status: "pending" });
  });

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
