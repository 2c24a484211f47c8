/**
 * Tasks through HTTP with real local D1 and the TaskQueue Durable Object: the
 * status machine, progress, parent/child, priorities and the per-user concurrency
 * limit, retries with backoff against a flaky local server, cancellation, retry
 * of a failure, integration rate limits, filters, crash recovery and bad input.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../../test/worker/support/api";
import { crashAll, getJson, waitFor } from "../../../../test/worker/support/automation";
import { fakeWebHost, setConfig } from "../../../../test/worker/support/config";
import { expectError } from "../../../../test/worker/support/envelope";
import { CONFIG_REGISTRY } from "../../config/registry";
import { canTransition, TRANSITIONS } from "../engine/task-status";

// These tests wait on real clocks (backoff, alarms, token buckets); a loaded machine needs headroom.
vi.setConfig({ testTimeout: 20_000 });

type Task = {
  id: string;
  parent_id: string | null;
  status: string;
  priority: string;
  attempt: number;
  retry_count: number;
  progress: { percent: number; message: string | null };
  result: unknown;
  error: string | null;
  failure_cause: string | null;
  started_at: string | null;
  completed_at: string | null;
};
type Detail = Task & { children: { total: number; by_status: Record<string, number>; items: Task[] } };
type Page = { items: Task[]; next_cursor: string | null };

const web = () => env.FAKE_WEB_URL;
const queue = CONFIG_REGISTRY.task_queue.default;

beforeAll(async () => {
  await setConfig("outbound", { ...CONFIG_REGISTRY.outbound.default, allow_private_hosts: [fakeWebHost()] });
  await setConfig("task_queue", { ...queue, retry_base_ms: 50, retry_max_ms: 200 });
});

afterEach(async () => {
  await setConfig("task_queue", { ...queue, retry_base_ms: 50, retry_max_ms: 200 });
  await setConfig("integration_rate_limits", {});
});

async function create(user: TestUser, body: Record<string, unknown>) {
  const res = await call("/api/v1/tasks", { token: user.accessToken, body });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<Task & { children: Task[] }>(res);
}

const finished = (task: Task) => ["succeeded", "failed", "cancelled"].includes(task.status);
const waitTask = (user: TestUser, id: string, done: (task: Detail) => boolean = finished, timeout?: number) =>
  waitFor<Detail>(user, `/api/v1/tasks/${id}`, done, timeout);

describe("the status machine", () => {
  it("allows only the documented moves", () => {
    expect(canTransition("pending", "queued")).toBe(true);
    expect(canTransition("queued", "running")).toBe(true);
    expect(canTransition("running", "retrying")).toBe(true);
    expect(canTransition("retrying", "queued")).toBe(true);
    expect(canTransition("succeeded", "queued")).toBe(false);
    expect(canTransition("pending", "running")).toBe(false);
    expect(TRANSITIONS.succeeded).toEqual([]);
  });
});

describe("running tasks", () => {
  it("runs a task to success, reporting progress live", async () => {
    const user = await createUser();
    const task = await create(user, { title: "nap", action: { kind: "sleep", ms: 1_200 }, priority: "high" });
    expect(task).toMatchObject({ status: "queued", priority: "high", attempt: 0, parent_id: null });
    const done = await waitTask(user, task.id);
    expect(done).toMatchObject({ status: "succeeded", attempt: 1, progress: { percent: 100 } });
    expect(done.result).toMatchObject({ slept_ms: expect.any(Number) });
    const { items } = await getJson<{ items: { type: string; data: { id: string; percent?: number } }[] }>(
      user,
      "/api/v1/events?limit=500",
    );
    const mine = items.filter((event) => event.data.id === task.id).map((event) => event.type);
    expect(mine[0]).toBe("task.created");
    expect(mine).toContain("task.started");
    expect(mine).toContain("task.progress");
    expect(mine.at(-1)).toBe("task.succeeded");
  });

  it("keeps a task pending until run_at, then runs it", async () => {
    const user = await createUser();
    const runAt = new Date(Date.now() + 800).toISOString();
    const task = await create(user, { title: "later", action: { kind: "sleep", ms: 0 }, run_at: runAt });
    expect(task.status).toBe("pending");
    const done = await waitTask(user, task.id);
    expect(done.status).toBe("succeeded");
    expect(Date.parse(done.started_at ?? "")).toBeGreaterThanOrEqual(Date.parse(runAt) - 5);
  });

  it("finishes a parent when its children do, with the children's progress", async () => {
    const user = await createUser();
    const parent = await create(user, {
      title: "batch",
      action: { kind: "group" },
      children: [1, 2, 3].map((n) => ({ title: `part ${n}`, action: { kind: "sleep", ms: 100 * n } })),
    });
    expect(parent.children).toHaveLength(3);
    expect(parent.children.every((child) => child.parent_id === parent.id)).toBe(true);
    const done = await waitTask(user, parent.id);
    expect(done).toMatchObject({ status: "succeeded", progress: { percent: 100 } });
    expect(done.children).toMatchObject({ total: 3, by_status: { succeeded: 3 } });
    const ends = done.children.items.map((child) => Date.parse(child.completed_at ?? ""));
    expect(Date.parse(done.completed_at ?? "")).toBeGreaterThanOrEqual(Math.max(...ends));
  });

  it("tells a task's story from the event store: its events and its children's, oldest first", async () => {
    const user = await createUser();
    const parent = await create(user, {
      title: "story",
      action: { kind: "group" },
      children: [{ title: "chapter", action: { kind: "sleep", ms: 300 } }],
    });
    await create(user, { title: "unrelated", action: { kind: "sleep", ms: 0 } });
    await waitTask(user, parent.id);
    const { items } = await getJson<{ items: { id: number; type: string; data: { id: string } }[] }>(
      user,
      `/api/v1/tasks/${parent.id}/events`,
    );
    const [child] = parent.children;
    const story = items.map((event) => `${event.data.id === parent.id ? "parent" : "child"} ${event.type}`);
    expect(items.every((event) => event.data.id === parent.id || event.data.id === child?.id)).toBe(true);
    expect(story.filter((line) => line.startsWith("parent"))).toEqual([
      "parent task.created",
      "parent task.started",
      "parent task.succeeded",
    ]);
    expect(story).toContain("child task.succeeded");
    expect(story.at(-1)).toBe("parent task.succeeded");
    expect(items.map((event) => event.id)).toEqual([...items.map((event) => event.id)].sort((a, b) => a - b));
    await expectError(
      await call(`/api/v1/tasks/${parent.id}/events?limit=0`, { token: user.accessToken }),
      400,
      "validation_failed",
    );
  });

  it("fails a parent when a child fails for good, and a child can join an open parent", async () => {
    const user = await createUser();
    const parent = await create(user, {
      title: "sync",
      action: { kind: "group" },
      children: [{ title: "slow", action: { kind: "sleep", ms: 600 } }],
    });
    const child = await create(user, {
      title: "bad request",
      parent_id: parent.id,
      max_retries: 0,
      action: { kind: "http", url: `${web()}/status?code=400` },
    });
    expect(child.parent_id).toBe(parent.id);
    const done = await waitTask(user, parent.id);
    expect(done.status).toBe("failed");
    expect(done.error).toBe("1 of 2 child tasks did not succeed");
    expect((await getJson<Task>(user, `/api/v1/tasks/${child.id}`)).error).toMatch(
      /^http_status: GET .* answered 400$/,
    );
    await expectError(
      await call("/api/v1/tasks", {
        token: user.accessToken,
        body: { title: "too late", parent_id: parent.id, action: { kind: "sleep", ms: 0 } },
      }),
      409,
      "parent_finished",
    );
  });
});

describe("the queue", () => {
  it("starts the best task first and never runs more than the user's limit at once", async () => {
    await setConfig("task_queue", { ...queue, max_concurrent_per_user: 1 });
    const user = await createUser();
    const blocker = await create(user, { title: "blocker", action: { kind: "sleep", ms: 400 } });
    const order = ["low", "normal", "urgent", "high", "normal"];
    const queued = [];
    for (const [i, priority] of order.entries())
      queued.push(await create(user, { title: `p${i}-${priority}`, priority, action: { kind: "sleep", ms: 50 } }));
    const all = await Promise.all([blocker, ...queued].map((task) => waitTask(user, task.id)));
    expect(all.every((task) => task.status === "succeeded")).toBe(true);
    const byStart = [...all].sort((a, b) => Date.parse(a.started_at ?? "") - Date.parse(b.started_at ?? ""));
    expect(byStart.map((task) => task.priority)).toEqual(["normal", "urgent", "high", "normal", "normal", "low"]);
    expect(byStart[3]?.id).toBe(queued[1]?.id); // equal priority: older first
    for (let i = 1; i < byStart.length; i++) {
      expect(Date.parse(byStart[i]?.started_at ?? "")).toBeGreaterThanOrEqual(
        Date.parse(byStart[i - 1]?.completed_at ?? ""),
      );
    }
  });

  it("limits each user separately", async () => {
    await setConfig("task_queue", { ...queue, max_concurrent_per_user: 1 });
    const [alice, bob] = [await createUser(), await createUser()];
    const a = await create(alice, { title: "a", action: { kind: "sleep", ms: 500 } });
    const b = await create(bob, { title: "b", action: { kind: "sleep", ms: 500 } });
    const [doneA, doneB] = await Promise.all([waitTask(alice, a.id), waitTask(bob, b.id)]);
    // Overlapping runs: one user's limit does not hold up another's queue.
    expect(Date.parse(doneB.started_at ?? "")).toBeLessThan(Date.parse(doneA.completed_at ?? ""));
  });

  it("paces an integration by its token bucket", async () => {
    await setConfig("integration_rate_limits", { erp: { limit: 2, window_seconds: 2 } });
    const user = await createUser();
    const made = [];
    for (let i = 0; i < 4; i++)
      made.push(await create(user, { title: `erp ${i}`, integration: "erp", action: { kind: "sleep", ms: 0 } }));
    const done = await Promise.all(made.map((task) => waitTask(user, task.id, finished, 15_000)));
    const starts = done.map((task) => Date.parse(task.started_at ?? "")).sort((x, y) => x - y);
    expect(done.every((task) => task.status === "succeeded")).toBe(true);
    // Two tokens at once, then one per second.
    expect((starts[2] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(800);
    const { items } = await getJson<{ items: { type: string }[] }>(user, "/api/v1/events?limit=500");
    expect(items.some((event) => event.type === "integration.rate_limited")).toBe(true);
  });
});

describe("retries, cancellation and replay", () => {
  it("retries a flaky endpoint with backoff until it answers", async () => {
    const user = await createUser();
    const key = crypto.randomUUID();
    const task = await create(user, {
      title: "flaky",
      max_retries: 3,
      action: { kind: "http", url: `${web()}/flaky?key=${key}&fail=2` },
    });
    const done = await waitTask(user, task.id);
    expect(done).toMatchObject({ status: "succeeded", attempt: 3, retry_count: 2, error: null });
    expect(done.result).toMatchObject({ status: 200, body: { attempts: 3 } });
  });

  it("fails after its retries, lands in the dead letters, and runs again on retry", async () => {
    const user = await createUser();
    const key = crypto.randomUUID();
    const task = await create(user, {
      title: "flaky",
      max_retries: 1,
      action: { kind: "http", url: `${web()}/flaky?key=${key}&fail=3` },
    });
    const failed = await waitTask(user, task.id);
    expect(failed).toMatchObject({ status: "failed", attempt: 2, retry_count: 1 });
    expect(failed.error).toContain("answered 503");
    const letters = await getJson<{ items: { source: string; source_id: string }[] }>(user, "/api/v1/dead-letters");
    expect(letters.items.some((letter) => letter.source === "task" && letter.source_id === task.id)).toBe(true);

    const retried = await call(`/api/v1/tasks/${task.id}/retry`, { method: "POST", token: user.accessToken });
    expect(retried.status).toBe(200);
    expect((await json<Task>(retried)).status).toBe("queued");
    const done = await waitTask(user, task.id);
    expect(done).toMatchObject({ status: "succeeded", attempt: 4 });
    await expectError(
      await call(`/api/v1/tasks/${task.id}/retry`, { method: "POST", token: user.accessToken }),
      409,
      "not_retryable",
    );
  });

  it("cancels a running task and its children; the attempt stops", async () => {
    const user = await createUser();
    const name = crypto.randomUUID();
    const hangStats = async () =>
      json<{ opened: number; closed: number }>(await fetch(`${web()}/hang-stats?name=${name}`));
    const parent = await create(user, {
      title: "long",
      // A request the site never answers: the attempt lasts until something stops it.
      action: { kind: "http", method: "GET", url: `${web()}/hang?name=${name}` },
      timeout_ms: 600_000,
      children: [
        { title: "later", action: { kind: "sleep", ms: 20_000 }, run_at: new Date(Date.now() + 60_000).toISOString() },
      ],
    });
    await waitTask(user, parent.id, (task) => task.status === "running");
    await vi.waitFor(async () => expect(await hangStats()).toEqual({ opened: 1, closed: 0 }), {
      timeout: 10_000,
      interval: 20,
    });
    const res = await call(`/api/v1/tasks/${parent.id}/cancel`, { method: "POST", token: user.accessToken });
    expect(res.status).toBe(200);
    expect((await json<Task>(res)).status).toBe("cancelled");
    const detail = await getJson<Detail>(user, `/api/v1/tasks/${parent.id}`);
    expect(detail.children.by_status).toEqual({ cancelled: 1 });
    await expectError(
      await call(`/api/v1/tasks/${parent.id}/cancel`, { method: "POST", token: user.accessToken }),
      409,
      "task_finished",
    );
    // The attempt stops: its request is dropped, and its end writes nothing over the cancel.
    await vi.waitFor(async () => expect(await hangStats()).toEqual({ opened: 1, closed: 1 }), {
      timeout: 10_000,
      interval: 20,
    });
    await env.TASK_QUEUE.getByName(user.id).drain(user.id);
    expect(await getJson<Task>(user, `/api/v1/tasks/${parent.id}`)).toMatchObject({ status: "cancelled", attempt: 1 });
  });

  it("resumes an attempt interrupted by a crash without applying its side effect twice", async () => {
    const user = await createUser();
    const name = crypto.randomUUID();
    const task = await create(user, {
      title: "effect",
      action: { kind: "http", method: "POST", url: `${web()}/effect?name=${name}&delay=600`, body: { n: 1 } },
    });
    await waitTask(user, task.id, (t) => t.status === "running");
    const stub = env.TASK_QUEUE.getByName(user.id);
    await crashAll();
    expect((await getJson<Task>(user, `/api/v1/tasks/${task.id}`)).status).toBe("running");
    // The queue's alarm is its heartbeat; running it now stands in for waiting out the interval.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const done = await waitTask(user, task.id);
    expect(done.status).toBe("succeeded");
    const stats = await json<{ requests: number; applied: number; keys: string[] }>(
      await fetch(`${web()}/effect-stats?name=${name}`),
    );
    // Sent twice (the interrupted attempt and its resumption), applied once: same Idempotency-Key.
    expect(stats).toMatchObject({ requests: 2, applied: 1, keys: [`task:${task.id}`] });
  });
});

describe("retrying a child revives a parent that failed because of it", () => {
  const retry = (user: TestUser, id: string) =>
    call(`/api/v1/tasks/${id}/retry`, { method: "POST", token: user.accessToken });
  const eventsOf = async (user: TestUser, id: string) => {
    const { items } = await getJson<{ items: { type: string; data: { id: string } }[] }>(
      user,
      "/api/v1/events?limit=500",
    );
    return items.filter((event) => event.data.id === id).map((event) => event.type);
  };

  it("reopens the parent, which succeeds once the retried child does", async () => {
    const user = await createUser();
    const parent = await create(user, {
      title: "import",
      action: { kind: "group" },
      children: [
        {
          title: "fetch",
          max_retries: 0,
          action: { kind: "http", url: `${web()}/flaky?key=${crypto.randomUUID()}&fail=1` },
        },
        { title: "index", action: { kind: "sleep", ms: 0 } },
      ],
    });
    const failed = await waitTask(user, parent.id);
    expect(failed).toMatchObject({ status: "failed", failure_cause: "children" });
    expect(failed.error).toBe("1 of 2 child tasks did not succeed");
    const [fetchChild] = parent.children;

    const res = await retry(user, fetchChild!.id);
    expect(res.status).toBe(200);
    expect(await json<Task>(res)).toMatchObject({ status: "queued", failure_cause: null });
    // Reopened in the same batch as the re-queue: the parent is running again before the child can end.
    const reopened = await getJson<Task>(user, `/api/v1/tasks/${parent.id}`);
    expect(["running", "succeeded"]).toContain(reopened.status);
    expect(reopened.completed_at === null || reopened.status === "succeeded").toBe(true);

    const done = await waitTask(user, parent.id);
    expect(done).toMatchObject({ status: "succeeded", error: null, failure_cause: null, progress: { percent: 100 } });
    expect(done.children).toMatchObject({ total: 2, by_status: { succeeded: 2 } });
    const statuses = (await eventsOf(user, parent.id)).filter((type) => type !== "task.progress");
    expect(statuses.slice(statuses.indexOf("task.failed"))).toEqual(["task.failed", "task.started", "task.succeeded"]);
    expect(await eventsOf(user, fetchChild!.id)).toContain("task.retrying");
  });

  it("reopens every ancestor that failed only because of it", async () => {
    const user = await createUser();
    const top = await create(user, {
      title: "nightly",
      action: { kind: "group" },
      children: [{ title: "region", action: { kind: "group" }, run_at: new Date(Date.now() + 800).toISOString() }],
    });
    const region = top.children[0]!;
    const leaf = await create(user, {
      title: "store",
      parent_id: region.id,
      max_retries: 0,
      action: { kind: "http", url: `${web()}/flaky?key=${crypto.randomUUID()}&fail=1` },
    });
    expect(await waitTask(user, top.id)).toMatchObject({ status: "failed", failure_cause: "children" });
    expect(await getJson<Task>(user, `/api/v1/tasks/${region.id}`)).toMatchObject({ failure_cause: "children" });

    expect((await retry(user, leaf.id)).status).toBe(200);
    const [doneTop, doneRegion] = await Promise.all([waitTask(user, top.id), waitTask(user, region.id)]);
    expect(doneTop.status).toBe("succeeded");
    expect(doneRegion.status).toBe("succeeded");
  });

  it("leaves a parent that failed by its own action failed", async () => {
    const user = await createUser();
    const parent = await create(user, {
      title: "upload",
      max_retries: 0,
      action: { kind: "http", url: `${web()}/status?code=400` },
      children: [
        { title: "notify", action: { kind: "sleep", ms: 10 }, run_at: new Date(Date.now() + 60_000).toISOString() },
      ],
    });
    expect(await waitTask(user, parent.id)).toMatchObject({ status: "failed", failure_cause: "action" });
    const child = await getJson<Task>(user, `/api/v1/tasks/${parent.children[0]!.id}`);
    expect(child).toMatchObject({ status: "cancelled", error: "the parent task failed" });

    expect((await retry(user, child.id)).status).toBe(200);
    expect((await waitTask(user, child.id)).status).toBe("succeeded");
    expect(await getJson<Task>(user, `/api/v1/tasks/${parent.id}`)).toMatchObject({
      status: "failed",
      failure_cause: "action",
    });
  });

  it("leaves a parent the user cancelled cancelled", async () => {
    const user = await createUser();
    const parent = await create(user, {
      title: "report",
      action: { kind: "group" },
      children: [
        { title: "render", action: { kind: "sleep", ms: 10 }, run_at: new Date(Date.now() + 60_000).toISOString() },
      ],
    });
    expect((await call(`/api/v1/tasks/${parent.id}/cancel`, { method: "POST", token: user.accessToken })).status).toBe(
      200,
    );
    const childId = parent.children[0]!.id;
    expect((await retry(user, childId)).status).toBe(200);
    expect((await waitTask(user, childId)).status).toBe("succeeded");
    expect(await getJson<Task>(user, `/api/v1/tasks/${parent.id}`)).toMatchObject({
      status: "cancelled",
      failure_cause: null,
    });
  });
});

describe("listing", () => {
  it("filters by status, priority, parent and title", async () => {
    const user = await createUser();
    const parent = await create(user, {
      title: "Nightly report",
      priority: "low",
      action: { kind: "group" },
      children: [{ title: "fetch numbers", action: { kind: "sleep", ms: 0 } }],
    });
    const later = await create(user, {
      title: "later one",
      action: { kind: "sleep", ms: 0 },
      run_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await waitTask(user, parent.id);
    const ids = async (query: string) =>
      (await getJson<Page>(user, `/api/v1/tasks?${query}`)).items.map((task) => task.id);
    expect(await ids("status=pending")).toEqual([later.id]);
    expect(await ids("priority=low")).toEqual([parent.id]);
    expect(await ids(`parent_id=${parent.id}`)).toEqual([parent.children[0]?.id]);
    expect((await ids("parent_id=none")).sort()).toEqual([parent.id, later.id].sort());
    expect(await ids("q=Nightly")).toEqual([parent.id]);
    expect(await ids("status=succeeded,pending&limit=100")).toHaveLength(3);
    await expectError(await call("/api/v1/tasks?status=done", { token: user.accessToken }), 400, "validation_failed");
    // `%` and `_` in the search are characters to find, not wildcards.
    expect(await ids("q=%25")).toEqual([]);
    const odd = await create(user, { title: "report_50% done", action: { kind: "sleep", ms: 0 } });
    expect(await ids(`q=${encodeURIComponent("50%")}`)).toEqual([odd.id]);
    expect(await ids("q=_50")).toEqual([odd.id]);
    expect(await ids("q=t_5")).toEqual([odd.id]);
    // As a wildcard `_` would match "ort" in the title; as a character it matches nothing.
    expect(await ids("q=o_t")).toEqual([]);
  });
});

describe("bad input and permissions", () => {
  it("refuses bad bodies, tools without tools:execute, and others' parents", async () => {
    const user = await createUser();
    const bad = [
      { title: "x" },
      { title: "", action: { kind: "sleep", ms: 1 } },
      { title: "x", action: { kind: "teleport" } },
      { title: "x", action: { kind: "sleep", ms: -1 } },
      { title: "x", action: { kind: "sleep", ms: 1 }, priority: "asap" },
      { title: "x", action: { kind: "sleep", ms: 1 }, run_at: "tomorrow" },
    ];
    for (const body of bad)
      await expectError(await call("/api/v1/tasks", { token: user.accessToken, body }), 400, "validation_failed");

    const key = await createApiKey(user, ["tasks:write", "tasks:read"]);
    const tool = await call("/api/v1/tasks", {
      apiKey: key.secret,
      body: { title: "t", action: { kind: "tool", tool: "echo" } },
    });
    await expectError(tool, 403, "scope_not_allowed");

    const other = await createUser();
    const theirs = await create(other, { title: "theirs", action: { kind: "sleep", ms: 0 } });
    const adopt = await call("/api/v1/tasks", {
      token: user.accessToken,
      body: { title: "child", parent_id: theirs.id, action: { kind: "sleep", ms: 0 } },
    });
    await expectError(adopt, 422, "unknown_parent");

    const viewer = await createUser({ role: "viewer" });
    await expectError(
      await call("/api/v1/tasks", {
        token: viewer.accessToken,
        body: { title: "v", action: { kind: "sleep", ms: 0 } },
      }),
      403,
      "insufficient_scope",
    );
    expect((await call("/api/v1/tasks", { token: viewer.accessToken })).status).toBe(200);
  });
});
