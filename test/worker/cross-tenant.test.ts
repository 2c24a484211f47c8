/**
 * The cross-tenant table: Bob presents Alice's ids on every route that takes an
 * id, and reads every list. He never gets her data, and no route answers her
 * real id differently from an id that does not exist, so nothing confirms it
 * exists. The table must name every id-taking route in the OpenAPI document.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { setModelOverride } from "../../worker/features/sessions/deps";
import { call, createApiKey, createUser, json, type TestUser } from "./support/api";
import { createAgent, createSession, follow, scriptedModel, sendMessage } from "./support/chat";
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
const aliceWord = `alicesecret${crypto.randomUUID().slice(0, 8)}`;
let aliceSession: string;
let aliceTurn: string;

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
    "agents:read",
    "agents:write",
  ]);
  const published = await call("/api/v1/events", {
    token: alice.accessToken,
    body: { type: "user.message", data: { text: aliceText } },
  });
  expect(published.status).toBe(201);
  setModelOverride("mock", () => scriptedModel([{ text: [`Alice's answer ${aliceWord}`] }]));
  aliceSession = await createSession(alice, await createAgent(alice), "Alice Private plans");
  const accepted = await sendMessage(alice, aliceSession, `my plan is ${aliceWord}`);
  aliceTurn = accepted.turn_id;
  await follow(alice, aliceSession, accepted.stream_after);
});

const session = (route: string, extra: Partial<Probe> = {}): Probe => ({
  route,
  aliceId: () => aliceSession,
  status: 404,
  code: "not_found",
  ...extra,
});

const TABLE: Probe[] = [
  session("GET /api/v1/sessions/{id}"),
  session("PATCH /api/v1/sessions/{id}", { body: { title: "Bob was here" } }),
  session("DELETE /api/v1/sessions/{id}"),
  session("POST /api/v1/sessions/{id}/end"),
  session("GET /api/v1/sessions/{id}/messages"),
  session("POST /api/v1/sessions/{id}/messages", { body: { content: "hi from Bob" } }),
  session("POST /api/v1/sessions/{id}/turns/{turn_id}/cancel"),
  session("POST /api/v1/sessions/{id}/approvals/{call_id}", { body: { decision: "approve" } }),
  session("GET /api/v1/sessions/{id}/stream"),
  session("POST /api/v1/sessions/{id}/ws/ticket"),
  // Without an upgrade header every id gets 426; the upgrade itself is probed below.
  session("GET /api/v1/sessions/{id}/ws", { status: 426, code: "upgrade_required" }),
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

/** Ids for a route's later path parameters: Alice's real turn, or a made-up call id. */
const laterParams: Record<string, () => string> = { turn_id: () => aliceTurn, call_id: () => "call-1" };

function request(probe: Probe, id: string, credential: Credential) {
  const [method, template] = probe.route.split(" ") as [string, string];
  let path = template.replace(/\{[^}]+\}/, encodeURIComponent(id));
  for (const [name, value] of Object.entries(laterParams)) path = path.replace(`{${name}}`, value());
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
      for (const secret of [alice.email, "Alice Private", aliceKey.key.prefix, aliceWord]) {
        expect(text).not.toContain(secret);
      }

      const nobody = await request(probe, `missing-${crypto.randomUUID()}`, credential);
      const other = await expectError(nobody, probe.status, probe.code);
      expect(other.error.message).toBe(body.error.message);
    }
  });
});

describe("after Bob's attempts", () => {
  it("left Alice's session, its messages and its search entries as they were", async () => {
    const detail = await call(`/api/v1/sessions/${aliceSession}`, { token: alice.accessToken });
    expect(await detail.json()).toMatchObject({ title: "Alice Private plans", status: "active", message_count: 2 });
    const messages = await call(`/api/v1/sessions/${aliceSession}/messages`, { token: alice.accessToken });
    expect((await json<{ items: unknown[] }>(messages)).items).toHaveLength(2);
    const found = await call(`/api/v1/messages/search?q=${aliceWord}`, { token: alice.accessToken });
    expect((await json<{ items: unknown[] }>(found)).items).toHaveLength(2);
  });

  it("left Alice's key, account and the settings as they were", async () => {
    expect((await call("/api/v1/me", { apiKey: aliceKey.secret })).status).toBe(200);
    const me = await json<{ is_active: boolean; role: string }>(await call("/api/v1/me", { token: alice.accessToken }));
    expect(me).toMatchObject({ is_active: true, role: "developer" });
    const config = await json<{ items: { key: string; value: unknown }[] }>(await call("/api/v1/config"));
    expect(config.items.find((item) => item.key === "registration")).toMatchObject({ value: { open: true } });
  });
});

describe("the session WebSocket", () => {
  const upgrade = (sessionId: string, init: { ticket?: string; headers?: Record<string, string> }) =>
    call(`/api/v1/sessions/${sessionId}/ws${init.ticket ? `?ticket=${encodeURIComponent(init.ticket)}` : ""}`, {
      headers: { upgrade: "websocket", ...init.headers },
    });

  it("refuses Bob's credentials on Alice's session as if it did not exist", async () => {
    const credentials: Array<Record<string, string>> = [
      { authorization: `Bearer ${bob.accessToken}` },
      { "x-api-key": bobKey.secret },
    ];
    for (const headers of credentials) {
      const theirs = await expectError(await upgrade(aliceSession, { headers }), 404, "not_found");
      const nobody = await expectError(await upgrade(`missing-${crypto.randomUUID()}`, { headers }), 404, "not_found");
      expect(theirs.error.message).toBe(nobody.error.message);
    }
  });

  it("refuses a ticket Bob got for his own session on Alice's", async () => {
    const bobSession = await createSession(bob, await createAgent(bob));
    const res = await call(`/api/v1/sessions/${bobSession}/ws/ticket`, { method: "POST", token: bob.accessToken });
    const { ticket } = await json<{ ticket: string }>(res);
    await expectError(await upgrade(aliceSession, { ticket }), 401, "invalid_ticket");
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

  it("GET /sessions and /messages/search show Bob nothing of Alice's", async () => {
    for (const credential of [{ token: bob.accessToken }, { apiKey: bobKey.secret }]) {
      for (const path of [
        "/api/v1/sessions?limit=100",
        `/api/v1/sessions?agent_id=${encodeURIComponent(aliceSession)}`,
        `/api/v1/messages/search?q=${aliceWord}`,
        `/api/v1/messages/search?q=${aliceWord}&session_id=${aliceSession}`,
      ]) {
        const res = await call(path, credential);
        expect(res.status).toBe(200);
        const text = await res.text();
        const items = (JSON.parse(text) as { items: unknown[] }).items;
        if (path.includes("search")) expect(items).toEqual([]);
        for (const secret of [aliceSession, aliceWord, "Alice Private"]) expect(text).not.toContain(secret);
      }
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
