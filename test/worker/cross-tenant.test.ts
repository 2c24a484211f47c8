/**
 * The cross-tenant table: Bob presents Alice's ids on every route that takes an
 * id, and reads every list. He never gets her data, and no route answers her
 * real id differently from an id that does not exist, so nothing confirms it
 * exists. The table must name every id-taking route in the OpenAPI document.
 */
import { env } from "cloudflare:workers";
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
    "events:write",
    "tasks:read",
    "tasks:write",
  ]);
  const published = await call("/api/v1/events", {
    token: alice.accessToken,
    body: { type: "user.message", data: { text: aliceText } },
  });
  expect(published.status).toBe(201);
  await seedAutomation();
});

const TABLE: Probe[] = [
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
  ...automationProbes(),
];

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
