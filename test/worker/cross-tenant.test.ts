/**
 * The cross-tenant table: Bob presents Alice's ids on every route that takes an
 * id, and reads every list. He never gets her data, and no route answers her
 * real id differently from an id that does not exist, so nothing confirms it
 * exists. The table must name every id-taking route in the OpenAPI document.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { setModelOverride } from "../../worker/features/chat-sessions/deps";
import { usageLedger } from "../../worker/features/usage/service";
import { call, createApiKey, createUser, json, type TestUser } from "./support/api";
import { createAgent, createSession, follow, scriptedModel, sendMessage } from "./support/chat";
import { rows, run } from "./support/db";
import { expectError } from "./support/envelope";
import { type FileDto, memorySearchPath, stored, text, uploadForm } from "./support/files";
import { allowLocalServers, install } from "./support/tools";

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
let aliceProvider: { id: string; name: string };
const aliceText = `for alice only ${crypto.randomUUID()}`;
let aliceAgent: { id: string; name: string };
let aliceBudget: { id: string };
const aliceSeededSession = crypto.randomUUID();
const aliceSeededWord = `zebracorn${crypto.randomUUID().slice(0, 8)}`;
/** Alice's own remote MCP server extension, her core extension's (derived) id, and one of her tool runs. */
let aliceMcp: { id: string };
let aliceCoreId: string;
let aliceExecutionInput: string;
const aliceWord = `alicesecret${crypto.randomUUID().slice(0, 8)}`;
let aliceSession: string;
let aliceTurn: string;
/** Alice's automation: a task, a workflow and its run, a schedule, a webhook and a dead letter. */
const aliceIds = { task: "", workflow: "", run: "", schedule: "", webhook: "", deadLetter: "" };

async function created(res: Response): Promise<Record<string, unknown>> {
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Record<string, unknown>;
}

async function seedAutomation() {
  const token = alice.accessToken;
  aliceIds.task = String(
    (await created(await call("/api/v1/tasks", { token, body: { title: aliceText, action: { kind: "group" } } }))).id,
  );
  const workflow = await created(
    await call("/api/v1/workflows", {
      token,
      body: { name: aliceText, definition: { steps: [{ id: "ask", kind: "approval", message: "ok?" }] } },
    }),
  );
  aliceIds.workflow = String(workflow.id);
  aliceIds.run = String(
    (await created(await call(`/api/v1/workflows/${aliceIds.workflow}/runs`, { token, body: {} }))).id,
  );
  const schedule = await created(
    await call("/api/v1/schedules", {
      token,
      body: {
        name: aliceText,
        cron: "0 0 1 1 *",
        target: { kind: "task", task: { title: "t", action: { kind: "group" } } },
      },
    }),
  );
  aliceIds.schedule = String(schedule.id);
  const hook = await created(
    await call("/api/v1/webhooks", { token, body: { name: aliceText, kind: "email", event_types: ["task.failed"] } }),
  );
  aliceIds.webhook = String((hook.webhook as { id: string }).id);
  aliceIds.deadLetter = crypto.randomUUID();
  await env.DB.prepare(
    "INSERT INTO dead_letters (id, user_id, source, source_id, summary, error, attempts) VALUES (?, ?, 'task', ?, ?, 'boom', 1)",
  )
    .bind(aliceIds.deadLetter, alice.id, aliceIds.task, aliceText)
    .run();
}
let aliceFile: FileDto;
let aliceMemoryId: string;
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
    "agents:read",
    "agents:write",
    "usage:read",
    "tools:read",
    "tools:execute",
    "extensions:read",
    "extensions:write",
    "events:write",
    "tasks:read",
    "tasks:write",
    "files:read",
    "files:write",
    "memory:read",
    "memory:write",
    "graph:read",
    "graph:write",
  ]);
  const provider = await call("/api/v1/providers", {
    token: alice.accessToken,
    body: { name: "alice-claude", kind: "anthropic", api_key: `sk-ant-${crypto.randomUUID()}` },
  });
  expect(provider.status).toBe(201);
  aliceProvider = await json(provider);
  await seedAliceAgents();
  const published = await call("/api/v1/events", {
    token: alice.accessToken,
    body: { type: "user.message", data: { text: aliceText } },
  });
  expect(published.status).toBe(201);

  await allowLocalServers();
  aliceMcp = await install(
    { token: alice.accessToken },
    { kind: "mcp", name: "alicetools", url: `${env.FAKE_MCP_URL}/mcp` },
  );
  const extensions = await json<{ items: { id: string; name: string }[] }>(
    await call("/api/v1/extensions", { token: alice.accessToken }),
  );
  aliceCoreId = extensions.items.find((extension) => extension.name === "core")!.id;
  aliceExecutionInput = `alice's sum ${crypto.randomUUID()}`;
  const ran = await call("/api/v1/tools/alicetools__echo/execute", {
    token: alice.accessToken,
    body: { input: { text: aliceExecutionInput } },
  });
  expect(ran.status).toBe(200);
  setModelOverride({ mock: () => scriptedModel([{ text: [`Alice's answer ${aliceWord}`] }]) });
  aliceSession = await createSession(alice, await createAgent(alice), "Alice Private plans");
  const accepted = await sendMessage(alice, aliceSession, `my plan is ${aliceWord}`);
  aliceTurn = accepted.turn_id;
  await follow(alice, aliceSession, accepted.stream_after);
  await seedAutomation();
  aliceFile = await stored(uploadForm(alice, "alice-private.txt", text(aliceText)));
  const memory = await call("/api/v1/memories", { token: alice.accessToken, body: { content: aliceText } });
  aliceMemoryId = (await json<{ id: string }>(memory)).id;
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

const fileProbe = (route: string, status = 404, code = "not_found", body?: unknown): Probe => ({
  route,
  aliceId: () => aliceFile.id,
  status,
  code,
  ...(body === undefined ? {} : { body }),
});

const session = (route: string, extra: Partial<Probe> = {}): Probe => ({
  route,
  aliceId: () => aliceSession,
  status: 404,
  code: "not_found",
  ...extra,
});

/** Alice's agent, a session of it with a searchable message and usage, and a budget on the agent. */
async function seedAliceAgents() {
  const agentRes = await call("/api/v1/agents", { token: alice.accessToken, body: { name: "Alice's secret agent" } });
  expect(agentRes.status).toBe(201);
  aliceAgent = await json(agentRes);
  await run(
    "INSERT INTO chat_sessions (id, user_id, agent_id, title) VALUES (?, ?, ?, 'Alice Private chat')",
    aliceSeededSession,
    alice.id,
    aliceAgent.id,
  );
  await run(
    "INSERT INTO message_search (content, user_id, session_id, message_id, role, created_at) VALUES (?, ?, ?, ?, 'user', ?)",
    `${aliceSeededWord} ${aliceText}`,
    alice.id,
    aliceSeededSession,
    crypto.randomUUID(),
    Date.now(),
  );
  const subject = { userId: alice.id, agentId: aliceAgent.id, sessionId: aliceSeededSession };
  await usageLedger.record(env, subject, {
    inputTokens: 777,
    outputTokens: 1,
    costMicros: 5,
    toolCalls: 0,
    interaction: true,
  });
  const budgetRes = await call("/api/v1/budgets", {
    token: alice.accessToken,
    body: { scope: "agent", scope_id: aliceAgent.id, period: "month", max_tokens: 1000 },
  });
  expect(budgetRes.status).toBe(201);
  aliceBudget = await json(budgetRes);
}

const TABLE: Probe[] = [
  { route: "GET /api/v1/agents/{id}", aliceId: () => aliceAgent.id, status: 404, code: "not_found" },
  {
    route: "PATCH /api/v1/agents/{id}",
    aliceId: () => aliceAgent.id,
    body: { name: "Taken over" },
    status: 404,
    code: "not_found",
  },
  { route: "DELETE /api/v1/agents/{id}", aliceId: () => aliceAgent.id, status: 404, code: "not_found" },
  // Templates are shared by everyone; an agent id is not a template id.
  { route: "GET /api/v1/agent-templates/{id}", aliceId: () => aliceAgent.id, status: 404, code: "not_found" },
  {
    route: "PATCH /api/v1/budgets/{id}",
    aliceId: () => aliceBudget.id,
    body: { max_tokens: 1 },
    status: 404,
    code: "not_found",
  },
  { route: "DELETE /api/v1/budgets/{id}", aliceId: () => aliceBudget.id, status: 404, code: "not_found" },
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
  { route: "GET /api/v1/providers/{id}", aliceId: () => aliceProvider.id, status: 404, code: "not_found" },
  {
    route: "PATCH /api/v1/providers/{id}",
    aliceId: () => aliceProvider.id,
    body: { name: "stolen" },
    status: 404,
    code: "not_found",
  },
  { route: "DELETE /api/v1/providers/{id}", aliceId: () => aliceProvider.id, status: 404, code: "not_found" },
  { route: "POST /api/v1/providers/{id}/check", aliceId: () => aliceProvider.id, status: 404, code: "not_found" },
  {
    route: "PUT /api/v1/admin/config/{key}",
    aliceId: () => "registration",
    body: { value: { open: false } },
    status: 403,
    code: "insufficient_scope",
  },
  {
    route: "POST /api/v1/tools/{name}/execute",
    aliceId: () => "alicetools__echo",
    body: { input: { text: "from bob" } },
    status: 404,
    code: "tool_not_found",
  },
  { route: "GET /api/v1/extensions/{id}", aliceId: () => aliceMcp.id, status: 404, code: "not_found" },
  {
    route: "PATCH /api/v1/extensions/{id}",
    aliceId: () => aliceCoreId,
    body: { enabled: false },
    status: 404,
    code: "not_found",
  },
  { route: "DELETE /api/v1/extensions/{id}", aliceId: () => aliceMcp.id, status: 404, code: "not_found" },
  { route: "POST /api/v1/extensions/{id}/refresh", aliceId: () => aliceMcp.id, status: 404, code: "not_found" },
  { route: "GET /api/v1/extensions/{id}/executions", aliceId: () => aliceMcp.id, status: 404, code: "not_found" },
  ...automationProbes(),
];

/** Ids for a route's later path parameters: Alice's real turn, or a made-up call id. */
const laterParams: Record<string, () => string> = { turn_id: () => aliceTurn, call_id: () => "call-1" };

function automationProbes(): Probe[] {
  const probe = (route: string, id: () => string, body?: unknown): Probe => ({
    route,
    aliceId: id,
    body,
    status: 404,
    code: "not_found",
  });
  const task = () => aliceIds.task;
  const workflow = () => aliceIds.workflow;
  const run = () => aliceIds.run;
  const schedule = () => aliceIds.schedule;
  const webhook = () => aliceIds.webhook;
  const letter = () => aliceIds.deadLetter;
  const range = {
    from: new Date(Date.now() - 3_600_000).toISOString(),
    to: new Date(Date.now() + 3_600_000).toISOString(),
  };
  return [
    probe("GET /api/v1/tasks/{id}", task),
    probe("GET /api/v1/tasks/{id}/events", task),
    probe("POST /api/v1/tasks/{id}/cancel", task),
    probe("POST /api/v1/tasks/{id}/retry", task),
    probe("GET /api/v1/workflows/{id}", workflow),
    probe("PATCH /api/v1/workflows/{id}", workflow, { name: "stolen" }),
    probe("DELETE /api/v1/workflows/{id}", workflow),
    probe("GET /api/v1/workflows/{id}/versions", workflow),
    probe("POST /api/v1/workflows/{id}/runs", workflow, {}),
    probe("GET /api/v1/workflow-runs/{id}", run),
    probe("GET /api/v1/workflow-runs/{id}/logs", run),
    probe("POST /api/v1/workflow-runs/{id}/cancel", run),
    probe("POST /api/v1/workflow-runs/{id}/approvals", run, { step_id: "ask", decision: "approve" }),
    probe("GET /api/v1/schedules/{id}", schedule),
    probe("PATCH /api/v1/schedules/{id}", schedule, { enabled: false }),
    probe("DELETE /api/v1/schedules/{id}", schedule),
    probe("GET /api/v1/schedules/{id}/runs", schedule),
    probe("POST /api/v1/schedules/{id}/run", schedule),
    probe("GET /api/v1/dead-letters/{id}", letter),
    probe("POST /api/v1/dead-letters/{id}/replay", letter),
    probe("DELETE /api/v1/dead-letters/{id}", letter),
    probe("GET /api/v1/webhooks/{id}", webhook),
    probe("PATCH /api/v1/webhooks/{id}", webhook, { enabled: false }),
    probe("DELETE /api/v1/webhooks/{id}", webhook),
    probe("GET /api/v1/webhooks/{id}/deliveries", webhook),
    probe("POST /api/v1/webhooks/{id}/test", webhook),
    probe("POST /api/v1/webhooks/{id}/replay", webhook, range),
  ];
}

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

  it("left Alice's key, account, provider and the settings as they were", async () => {
    expect((await call("/api/v1/me", { apiKey: aliceKey.secret })).status).toBe(200);
    const provider = await call(`/api/v1/providers/${aliceProvider.id}`, { token: alice.accessToken });
    expect(await json(provider)).toMatchObject({ name: "alice-claude", has_api_key: true });
    const me = await json<{ is_active: boolean; role: string }>(await call("/api/v1/me", { token: alice.accessToken }));
    expect(me).toMatchObject({ is_active: true, role: "developer" });
    const config = await json<{ items: { key: string; value: unknown }[] }>(await call("/api/v1/config"));
    expect(config.items.find((item) => item.key === "registration")).toMatchObject({ value: { open: true } });
    const agent = await call(`/api/v1/agents/${aliceAgent.id}`, { token: alice.accessToken });
    expect(await json(agent)).toMatchObject({ name: "Alice's secret agent" });
    expect(await rows("SELECT max_tokens FROM budgets WHERE id = ?", aliceBudget.id)).toEqual([{ max_tokens: 1000 }]);
  });

  it("left Alice's extensions installed and enabled, and her tools running only for her", async () => {
    const { items } = await json<{ items: { id: string; enabled: boolean }[] }>(
      await call("/api/v1/extensions", { token: alice.accessToken }),
    );
    expect(items.map((extension) => [extension.id, extension.enabled])).toEqual([
      [aliceCoreId, true],
      [aliceMcp.id, true],
    ]);
    const runs = await json<{ items: { tool: string; source: string }[] }>(
      await call("/api/v1/tool-executions", { token: alice.accessToken }),
    );
    expect(runs.items.map((run) => run.tool)).toEqual(["alicetools__echo"]);
  });

  it("left Alice's automation as it was", async () => {
    const token = alice.accessToken;
    expect(await json(await call(`/api/v1/tasks/${aliceIds.task}`, { token }))).toMatchObject({
      status: expect.not.stringMatching(/cancelled/),
    });
    expect(await json(await call(`/api/v1/workflows/${aliceIds.workflow}`, { token }))).toMatchObject({
      name: aliceText,
      archived_at: null,
    });
    expect(await json(await call(`/api/v1/workflow-runs/${aliceIds.run}`, { token }))).toMatchObject({
      status: "waiting",
    });
    expect(await json(await call(`/api/v1/schedules/${aliceIds.schedule}`, { token }))).toMatchObject({
      enabled: true,
    });
    expect(await json(await call(`/api/v1/webhooks/${aliceIds.webhook}`, { token }))).toMatchObject({ enabled: true });
    expect((await call(`/api/v1/dead-letters/${aliceIds.deadLetter}`, { token })).status).toBe(200);
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

  it("GET /providers and GET /models show Bob none of Alice's providers", async () => {
    for (const credential of [{ token: bob.accessToken }, { apiKey: bobKey.secret }]) {
      for (const path of ["/api/v1/providers?limit=100", "/api/v1/models"]) {
        const res = await call(path, credential);
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(text).not.toContain(aliceProvider.id);
        expect(text).not.toContain("alice-claude");
      }
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

  it("GET /agents, /budgets, /usage and /usage/agents show Bob nothing of Alice's", async () => {
    for (const credential of [{ token: bob.accessToken }, { apiKey: bobKey.secret }]) {
      for (const path of ["/api/v1/agents?limit=100", "/api/v1/budgets?limit=100", "/api/v1/usage/agents"]) {
        const res = await call(path, credential);
        expect(res.status, path).toBe(200);
        const text = await res.text();
        // Bob has an agent of his own (the session WebSocket probe made it), never one of Alice's.
        if (!path.startsWith("/api/v1/agents"))
          expect((JSON.parse(text) as { items: unknown[] }).items, path).toEqual([]);
        for (const secret of [aliceAgent.id, aliceBudget.id, "Alice's secret agent"])
          expect(text).not.toContain(secret);
      }
      const usage = await json<{ totals: { input_tokens: number } }>(await call("/api/v1/usage", credential));
      expect(usage.totals.input_tokens).toBe(0);
      const filtered = await call(`/api/v1/budgets?scope=agent&scope_id=${aliceAgent.id}`, credential);
      expect((await json<{ items: unknown[] }>(filtered)).items).toEqual([]);
    }
  });

  it("POST /budgets on Alice's agent or session answers Bob as for ids that do not exist", async () => {
    for (const [scope, id] of [
      ["agent", () => aliceAgent.id],
      ["session", () => aliceSeededSession],
    ] as const) {
      const body = (scopeId: string) => ({ scope, scope_id: scopeId, period: "total", max_tokens: 10 });
      const theirs = await call("/api/v1/budgets", { token: bob.accessToken, body: body(id()) });
      const missing = await call("/api/v1/budgets", { token: bob.accessToken, body: body(crypto.randomUUID()) });
      const a = await expectError(theirs, 404, "not_found");
      const b = await expectError(missing, 404, "not_found");
      expect(a.error.message).toBe(b.error.message);
    }
    expect(await rows("SELECT id FROM budgets WHERE user_id = ?", bob.id)).toEqual([]);
  });

  it("GET /messages/search never finds Alice's messages for Bob, even with her session or agent id", async () => {
    const mine = await json<{ items: unknown[] }>(
      await call(`/api/v1/messages/search?q=${aliceSeededWord}`, { token: alice.accessToken }),
    );
    expect(mine.items).toHaveLength(1);
    for (const credential of [{ token: bob.accessToken }, { apiKey: bobKey.secret }]) {
      for (const query of ["", `&session_id=${aliceSeededSession}`, `&agent_id=${aliceAgent.id}`]) {
        const res = await call(`/api/v1/messages/search?q=${aliceSeededWord}${query}`, credential);
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(JSON.parse(text)).toEqual({ items: [] });
      }
    }
  });

  it("GET /tools, /extensions and /tool-executions show Bob his own, never Alice's", async () => {
    for (const credential of [{ token: bob.accessToken }, { apiKey: bobKey.secret }]) {
      for (const path of ["/api/v1/tools", "/api/v1/extensions", "/api/v1/tool-executions?limit=100"]) {
        const res = await call(path, credential);
        expect(res.status, path).toBe(200);
        const text = await res.text();
        for (const secret of ["alicetools", aliceMcp.id, aliceCoreId, aliceExecutionInput]) {
          expect(text, path).not.toContain(secret);
        }
      }
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

  it("automation lists show Bob nothing of Alice's", async () => {
    for (const path of [
      "/tasks?limit=100",
      "/workflows?archived=true",
      "/workflow-runs",
      "/schedules",
      "/webhooks",
      "/dead-letters",
    ]) {
      const res = await call(`/api/v1${path}`, { apiKey: bobKey.secret });
      expect(res.status, path).toBe(200);
      const text = await res.text();
      expect(text, path).not.toContain(aliceText);
      for (const id of Object.values(aliceIds)) expect(text, path).not.toContain(id);
    }
    const history = await call(`/api/v1/events/history?from=${new Date(Date.now() - 3_600_000).toISOString()}`, {
      apiKey: bobKey.secret,
    });
    expect(await history.text()).not.toContain(aliceText);
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
