/**
 * Automation runs with what its owner (and the API key it came through) hold when
 * it runs, not a copy taken when it was made: a leaked tasks:write key cannot edit
 * a step it could not run into a workflow a console schedule runs; work made
 * through a key that is then revoked gets no scopes from it; a deactivated
 * owner's queued tasks do not start and their runs take no further step.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../../test/worker/support/api";
import { getJson, waitFor } from "../../../../test/worker/support/automation";
import { fakeWebHost, setConfig } from "../../../../test/worker/support/config";
import { rows, run as runSql } from "../../../../test/worker/support/db";
import { expectError } from "../../../../test/worker/support/envelope";
import { CONFIG_REGISTRY } from "../../config/registry";

vi.setConfig({ testTimeout: 30_000 });

type Run = {
  id: string;
  status: string;
  error: string | null;
  steps: Array<{ step_id: string; status: string; error: string | null }>;
};
type Workflow = { id: string; latest_version: number };

const web = () => env.FAKE_WEB_URL;
const ended = (run: Run) => ["succeeded", "failed", "cancelled"].includes(run.status);
const later = () => new Date(Date.now() + 3_600_000).toISOString();

beforeAll(async () => {
  await setConfig("outbound", { ...CONFIG_REGISTRY.outbound.default, allow_private_hosts: [fakeWebHost()] });
});

async function created<T>(res: Response): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(201);
  return json<T>(res);
}

async function scheduleWorkflow(who: { token?: string; apiKey?: string }, workflowId: string) {
  return created<{ id: string }>(
    await call("/api/v1/schedules", {
      ...who,
      body: { name: "nightly", cron: "0 0 1 1 *", target: { kind: "workflow", workflow_id: workflowId, input: {} } },
    }),
  );
}

/** Runs the schedule now (as `user`) and waits for its workflow run to end. */
async function runScheduleNow(user: TestUser, scheduleId: string): Promise<Run> {
  const started = await created<{ workflow_run_id: string | null }>(
    await call(`/api/v1/schedules/${scheduleId}/run`, { method: "POST", token: user.accessToken }),
  );
  expect(started.workflow_run_id).toBeTruthy();
  return waitFor<Run>(user, `/api/v1/workflow-runs/${started.workflow_run_id}`, ended, 15_000);
}

const CLOCK = { kind: "tool", tool: "current_time", input: {} };

/** A task due in an hour (pending), with no retries: tests make it due when they choose. */
async function pendingTask(who: { token?: string; apiKey?: string }, action: Record<string, unknown>) {
  return created<{ id: string }>(
    await call("/api/v1/tasks", { ...who, body: { title: "later", action, max_retries: 0, run_at: later() } }),
  );
}

async function makeDue(taskId: string, userId: string) {
  await runSql("UPDATE tasks SET run_after = ? WHERE id = ?", Date.now() - 1_000, taskId);
  await env.TASK_QUEUE.getByName(userId).drain(userId);
}

/** A workflow made in the console (a session token) that only sleeps. */
async function restfulWorkflow(user: TestUser) {
  return created<Workflow>(
    await call("/api/v1/workflows", {
      token: user.accessToken,
      body: { name: "report", definition: { steps: [{ id: "rest", kind: "sleep", ms: 1 }] } },
    }),
  );
}

/** An admin changes `user` through PATCH /admin/users/{id}. */
async function adminUpdate(user: TestUser, body: { role?: string; is_active?: boolean }) {
  const admin = await createUser({ role: "admin" });
  const res = await call(`/api/v1/admin/users/${user.id}`, { method: "PATCH", token: admin.accessToken, body });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Polls D1 (a deactivated owner can no longer read over HTTP) until the row failed with `error`. */
async function endsFailed(table: "tasks" | "workflow_runs", id: string, error: RegExp) {
  await vi.waitFor(
    async () => {
      const [row] = await rows<{ status: string; error: string | null }>(
        `SELECT status, error FROM ${table} WHERE id = ?`,
        id,
      );
      expect(row?.status).toBe("failed");
      expect(row?.error).toMatch(error);
    },
    { timeout: 10_000, interval: 50 },
  );
}

describe("a leaked key holding only tasks:write", () => {
  it("cannot edit an http or file step into a workflow a console-made schedule runs", async () => {
    const user = await createUser();
    const workflow = await restfulWorkflow(user);
    const schedule = await scheduleWorkflow({ token: user.accessToken }, workflow.id);
    const leaked = await createApiKey(user, ["tasks:write", "tasks:read"]);
    const edits = [
      { steps: [{ id: "exfiltrate", kind: "http", method: "POST", url: `${web()}/json`, body: { x: 1 } }] },
      { steps: [{ id: "read", kind: "tool", tool: "read_file", input: { file_id: "f" } }] },
    ];
    for (const definition of edits) {
      const refused = await expectError(
        await call(`/api/v1/workflows/${workflow.id}`, {
          method: "PATCH",
          apiKey: leaked.secret,
          body: { definition },
        }),
        403,
        "scope_not_allowed",
      );
      expect(refused.error.details).toMatchObject({ missing: expect.arrayContaining(["tools:execute"]) });
    }
    await expectError(
      await call("/api/v1/workflows", {
        apiKey: leaked.secret,
        body: { name: "new", definition: edits[0] },
      }),
      403,
      "scope_not_allowed",
    );
    expect((await getJson<Workflow>(user, `/api/v1/workflows/${workflow.id}`)).latest_version).toBe(1);
    const run = await runScheduleNow(user, schedule.id);
    expect(run.status).toBe("succeeded");
    expect(run.steps.map((s) => s.step_id)).toEqual(["rest"]);
  });

  it("names every scope the steps use that the key lacks; a key holding them may edit", async () => {
    const user = await createUser();
    const workflow = await restfulWorkflow(user);
    const definition = {
      steps: [
        { id: "read", kind: "tool", tool: "read_file", input: { file_id: "f" } },
        { id: "ask", kind: "agent", agent_id: "a", prompt: "hi" },
      ],
    };
    const narrow = await createApiKey(user, ["tasks:write", "tasks:read"]);
    const refused = await expectError(
      await call(`/api/v1/workflows/${workflow.id}`, { method: "PATCH", apiKey: narrow.secret, body: { definition } }),
      403,
      "scope_not_allowed",
    );
    expect([...(refused.error.details as { missing: string[] }).missing].sort()).toEqual([
      "agents:write",
      "files:read",
      "tools:execute",
    ]);
    const wide = await createApiKey(user, ["tasks:write", "tools:execute", "files:read", "agents:write"]);
    const saved = await call(`/api/v1/workflows/${workflow.id}`, {
      method: "PATCH",
      apiKey: wide.secret,
      body: { definition },
    });
    expect(saved.status, await saved.clone().text()).toBe(200);
  });
});

describe("work made through a key that is then revoked", () => {
  it("a schedule's run gets no scopes from the key: its http step is refused", async () => {
    const user = await createUser();
    const key = await createApiKey(user, ["tasks:write", "tasks:read", "tools:execute"]);
    const workflow = await created<Workflow>(
      await call("/api/v1/workflows", {
        apiKey: key.secret,
        body: { name: "fetcher", definition: { steps: [{ id: "fetch", kind: "http", url: `${web()}/json` }] } },
      }),
    );
    const schedule = await scheduleWorkflow({ apiKey: key.secret }, workflow.id);
    const revoked = await call(`/api/v1/keys/${key.key.id}`, { method: "DELETE", token: user.accessToken });
    expect(revoked.status).toBe(200);
    const run = await runScheduleNow(user, schedule.id);
    expect(run.status).toBe("failed");
    const fetch = run.steps.find((s) => s.step_id === "fetch");
    expect(fetch?.status).toBe("failed");
    expect(fetch?.error).toMatch(/tools:execute/);
  });

  it("a queued tool task gets no scopes from the key: the tool refuses it", async () => {
    const user = await createUser();
    const key = await createApiKey(user, ["tasks:write", "tasks:read", "tools:execute"]);
    const task = await pendingTask({ apiKey: key.secret }, CLOCK);
    await call(`/api/v1/keys/${key.key.id}`, { method: "DELETE", token: user.accessToken });
    await makeDue(task.id, user.id);
    await endsFailed("tasks", task.id, /tools:execute/);
  });
});

describe("an owner whose role was lowered", () => {
  it("their queued tool task runs with the new role's scopes: a viewer's tools:execute is gone", async () => {
    const user = await createUser();
    const task = await pendingTask({ token: user.accessToken }, CLOCK);
    await adminUpdate(user, { role: "viewer" });
    await makeDue(task.id, user.id);
    await endsFailed("tasks", task.id, /tools:execute/);
  });
});

describe("a deactivated owner", () => {
  it("their queued tasks do not start: they fail saying why", async () => {
    const user = await createUser();
    const task = await pendingTask({ token: user.accessToken }, { kind: "sleep", ms: 1 });
    await adminUpdate(user, { is_active: false });
    await makeDue(task.id, user.id);
    await endsFailed("tasks", task.id, /deactivated/);
  });

  it("their running workflow run takes no further step: it fails saying why", async () => {
    const user = await createUser();
    const workflow = await created<Workflow>(
      await call("/api/v1/workflows", {
        token: user.accessToken,
        body: {
          name: "slow",
          definition: {
            steps: [
              { id: "wait", kind: "delay", ms: 3_600_000 },
              { id: "fetch", kind: "http", url: `${web()}/json` },
            ],
          },
        },
      }),
    );
    const started = await created<Run>(
      await call(`/api/v1/workflows/${workflow.id}/runs`, { token: user.accessToken, body: { input: {} } }),
    );
    expect(ended(started)).toBe(false);
    await adminUpdate(user, { is_active: false });
    await env.WORKFLOW_RUN.getByName(started.id).kick();
    await endsFailed("workflow_runs", started.id, /owner_inactive/);
    const steps = await rows<{ step_id: string; status: string; attempt: number }>(
      "SELECT step_id, status, attempt FROM workflow_step_runs WHERE run_id = ? ORDER BY step_id",
      started.id,
    );
    expect(steps.find((s) => s.step_id === "fetch")).toMatchObject({ status: "cancelled", attempt: 0 });
  });
});
