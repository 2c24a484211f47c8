/**
 * The workflow engine inside workerd: definitions validated and versioned; a
 * multi-step run with templated inputs, a branch and a parallel group; retries
 * against a flaky local server; approval waits; delays; cancellation; a crash
 * mid-step that resumes without repeating a completed side effect; workflow tasks.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { call, createUser, json, type TestUser } from "../../../../test/worker/support/api";
import { crashAll, getJson, waitFor } from "../../../../test/worker/support/automation";
import { fakeWebHost, setConfig } from "../../../../test/worker/support/config";
import { expectError } from "../../../../test/worker/support/envelope";
import { CONFIG_REGISTRY } from "../../config/registry";
import { automationDeps, setAutomationDeps } from "../engine/deps";

// These tests wait on real clocks (backoff, alarms, token buckets); a loaded machine needs headroom.
vi.setConfig({ testTimeout: 20_000 });

type Step = {
  step_id: string;
  kind: string;
  status: string;
  attempt: number;
  input: unknown;
  output: unknown;
  error: string | null;
};
type Run = {
  id: string;
  status: string;
  version: number;
  output: Record<string, unknown>;
  error: string | null;
  progress: { percent: number; message: string | null };
  steps: Step[];
};

const web = () => env.FAKE_WEB_URL;
let restore: (() => void) | undefined;

beforeAll(async () => {
  await setConfig("outbound", { ...CONFIG_REGISTRY.outbound.default, allow_private_hosts: [fakeWebHost()] });
});
afterEach(() => restore?.());

async function createWorkflow(user: TestUser, definition: unknown, name = "wf") {
  const res = await call("/api/v1/workflows", { token: user.accessToken, body: { name, definition } });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<{ id: string; latest_version: number; version: number }>(res);
}

async function startRun(user: TestUser, workflowId: string, input: Record<string, unknown> = {}, version?: number) {
  const res = await call(`/api/v1/workflows/${workflowId}/runs`, {
    token: user.accessToken,
    body: { input, ...(version && { version }) },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<Run>(res);
}

const ended = (run: Run) => ["succeeded", "failed", "cancelled"].includes(run.status);
const waitRun = (user: TestUser, id: string, done: (run: Run) => boolean = ended) =>
  waitFor<Run>(user, `/api/v1/workflow-runs/${id}`, done);
const step = (run: Run, id: string) => run.steps.find((s) => s.step_id === id) as Step;

describe("a multi-step run", () => {
  it("passes outputs between steps, takes a branch and runs a parallel group", async () => {
    const user = await createUser();
    const calls: unknown[] = [];
    const base = automationDeps().tools;
    restore = setAutomationDeps({
      tools: {
        ...base,
        async execute(_env, caller, name, input) {
          calls.push({ name, input, callId: caller.callId });
          return {
            executionId: crypto.randomUUID(),
            status: "succeeded",
            output: { echoed: input },
            executionTimeMs: 1,
            costMicros: 7,
          };
        },
      },
    });
    const wf = await createWorkflow(user, {
      steps: [
        { id: "fetch", kind: "http", url: `${web()}/json` },
        {
          id: "check",
          kind: "branch",
          if: { left: "{{ steps.fetch.output.body.ok }}", op: "eq", right: true },
          do: [
            {
              id: "fan",
              kind: "parallel",
              branches: [
                [
                  {
                    id: "left",
                    kind: "tool",
                    tool: "echo",
                    input: { method: "{{ steps.fetch.output.body.method }}", who: "{{ input.who }}" },
                  },
                ],
                [
                  { id: "right", kind: "sleep", ms: 100 },
                  { id: "after-right", kind: "tool", tool: "echo", input: "hi {{ input.who }}" },
                ],
              ],
            },
          ],
          else: [{ id: "never", kind: "http", url: `${web()}/status?code=500` }],
        },
        { id: "final", kind: "tool", tool: "echo", input: { from: "{{ steps.left.output.echoed }}" } },
      ],
    });
    const started = await startRun(user, wf.id, { who: "ada" });
    const run = await waitRun(user, started.id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(step(run, "check").output).toEqual({ branch: "do" });
    expect(step(run, "never").status).toBe("skipped");
    expect(step(run, "fan").status).toBe("succeeded");
    expect(step(run, "left").input).toMatchObject({ input: { method: "GET", who: "ada" } });
    expect(step(run, "after-right").output).toEqual({ echoed: "hi ada" });
    expect(step(run, "final").output).toEqual({ echoed: { from: { method: "GET", who: "ada" } } });
    expect(run.output).toHaveProperty("final");
    expect(run.progress.percent).toBe(100);
    expect(calls).toHaveLength(3);
    expect(calls).toContainEqual(expect.objectContaining({ name: "echo", callId: `${run.id}:left` }));
    const { items } = await getJson<{ items: { message: string }[] }>(user, `/api/v1/workflow-runs/${run.id}/logs`);
    expect(items.map((line) => line.message)).toContain("took the do branch");
  });

  it("retries a step against a flaky server with backoff, and fails a run whose step gives up", async () => {
    const user = await createUser();
    const key = crypto.randomUUID();
    const wf = await createWorkflow(user, {
      steps: [
        {
          id: "call",
          kind: "http",
          url: `${web()}/flaky?key=${key}&fail=2`,
          retry: { max_attempts: 4, backoff_ms: 20 },
        },
      ],
    });
    const run = await waitRun(user, (await startRun(user, wf.id)).id);
    expect(run.status).toBe("succeeded");
    expect(step(run, "call")).toMatchObject({
      status: "succeeded",
      attempt: 3,
      output: { status: 200, body: { attempts: 3 } },
    });

    const stubborn = await createWorkflow(user, {
      steps: [
        {
          id: "call",
          kind: "http",
          url: `${web()}/flaky?key=${crypto.randomUUID()}&fail=9`,
          retry: { max_attempts: 2, backoff_ms: 20 },
        },
      ],
    });
    const failed = await waitRun(user, (await startRun(user, stubborn.id)).id);
    expect(failed).toMatchObject({ status: "failed", error: expect.stringContaining("step call failed") });
    expect(step(failed, "call").attempt).toBe(2);
  });

  it("waits out a delay step", async () => {
    const user = await createUser();
    const wf = await createWorkflow(user, {
      steps: [
        { id: "pause", kind: "delay", ms: 400 },
        { id: "done", kind: "sleep", ms: 0 },
      ],
    });
    const started = await startRun(user, wf.id);
    expect(started.status).toBe("waiting");
    const run = await waitRun(user, started.id);
    expect(run.status).toBe("succeeded");
    expect((step(run, "pause").output as { waited_ms: number }).waited_ms).toBeGreaterThanOrEqual(400);
  });

  it("runs an agent-prompt step through the agent seam", async () => {
    const user = await createUser();
    restore = setAutomationDeps({
      agents: { prompt: async (_env, request) => ({ ok: true, text: `answer to: ${request.prompt}`, costMicros: 42 }) },
    });
    const wf = await createWorkflow(user, {
      steps: [{ id: "ask", kind: "agent", agent_id: "a1", prompt: "Summarise {{ input.topic }}" }],
    });
    const run = await waitRun(user, (await startRun(user, wf.id, { topic: "ERP sync" })).id);
    expect(step(run, "ask").output).toEqual({ text: "answer to: Summarise ERP sync", session_id: null });
    expect((await getJson<{ cost_micros: number }>(user, `/api/v1/workflow-runs/${run.id}`)).cost_micros).toBe(42);
  });
});

describe("agent steps through the chat pipeline", () => {
  it("asks a real agent (offline provider, real calculator) and passes its answer on", async () => {
    const user = await createUser();
    const agent = await json<{ id: string }>(
      await call("/api/v1/agents", {
        token: user.accessToken,
        body: { name: "calc", model: "offline:assistant", tools: ["calculator"] },
      }),
    );
    const wf = await createWorkflow(user, {
      steps: [{ id: "ask", kind: "agent", agent_id: agent.id, prompt: '/calculator {"expression":"{{ input.a }}*7"}' }],
    });
    const run = await waitRun(user, (await startRun(user, wf.id, { a: 6 })).id);
    expect(run.status).toBe("succeeded");
    const output = step(run, "ask").output as { text: string; session_id: string };
    expect(output.text).toContain("42");
    const session = await getJson<{ agent_id: string; title: string }>(user, `/api/v1/sessions/${output.session_id}`);
    expect(session.agent_id).toBe(agent.id);
    expect(session.title).toMatch(/^Workflow step /);

    const missing = await createWorkflow(user, {
      steps: [{ id: "ask", kind: "agent", agent_id: "no-such-agent", prompt: "hello" }],
    });
    const failed = await waitRun(user, (await startRun(user, missing.id)).id);
    expect(failed.status).toBe("failed");
  });
});

describe("approvals and cancellation", () => {
  it("waits for approval, then goes on when approved", async () => {
    const user = await createUser();
    const wf = await createWorkflow(user, {
      steps: [
        { id: "ask", kind: "approval", message: "Post the report for {{ input.who }}?" },
        { id: "post", kind: "sleep", ms: 0 },
      ],
    });
    const started = await startRun(user, wf.id, { who: "ops" });
    const waiting = await waitRun(user, started.id, (run) => run.status === "waiting");
    expect(step(waiting, "ask").status).toBe("waiting");
    expect(step(waiting, "post").status).toBe("pending");
    const events = await getJson<{ items: { type: string; data: { message?: string } }[] }>(
      user,
      "/api/v1/events?limit=200",
    );
    expect(events.items.find((e) => e.type === "workflow.approval_requested")?.data.message).toBe(
      "Post the report for ops?",
    );

    await expectError(
      await call(`/api/v1/workflow-runs/${started.id}/approvals`, {
        token: user.accessToken,
        body: { step_id: "post", decision: "approve" },
      }),
      422,
      "not_an_approval",
    );
    const res = await call(`/api/v1/workflow-runs/${started.id}/approvals`, {
      token: user.accessToken,
      body: { step_id: "ask", decision: "approve", comment: "go" },
    });
    expect(res.status).toBe(200);
    const run = await waitRun(user, started.id);
    expect(run.status).toBe("succeeded");
    expect(step(run, "ask").output).toMatchObject({ approved: true, comment: "go" });
    await expectError(
      await call(`/api/v1/workflow-runs/${started.id}/approvals`, {
        token: user.accessToken,
        body: { step_id: "ask", decision: "reject" },
      }),
      409,
      "not_waiting",
    );
  });

  it("fails the run when the approval is rejected", async () => {
    const user = await createUser();
    const wf = await createWorkflow(user, {
      steps: [
        { id: "ask", kind: "approval", message: "ok?" },
        { id: "post", kind: "sleep", ms: 0 },
      ],
    });
    const started = await startRun(user, wf.id);
    await waitRun(user, started.id, (run) => run.status === "waiting");
    await call(`/api/v1/workflow-runs/${started.id}/approvals`, {
      token: user.accessToken,
      body: { step_id: "ask", decision: "reject" },
    });
    const run = await waitRun(user, started.id);
    expect(run.status).toBe("failed");
    expect(step(run, "post").status).toBe("cancelled");
  });

  it("cancels a run: the step in flight stops and the rest never start", async () => {
    const user = await createUser();
    const wf = await createWorkflow(user, {
      steps: [
        { id: "long", kind: "sleep", ms: 30_000 },
        { id: "next", kind: "sleep", ms: 0 },
      ],
    });
    const started = await startRun(user, wf.id);
    const res = await call(`/api/v1/workflow-runs/${started.id}/cancel`, { method: "POST", token: user.accessToken });
    expect(res.status).toBe(200);
    const run = await json<Run>(res);
    expect(run.status).toBe("cancelled");
    expect(run.steps.map((s) => s.status)).toEqual(["cancelled", "cancelled"]);
    await expectError(
      await call(`/api/v1/workflow-runs/${started.id}/cancel`, { method: "POST", token: user.accessToken }),
      409,
      "run_finished",
    );
  });
});

describe("durability", () => {
  it("resumes after a crash mid-step and never repeats a completed side effect", async () => {
    const user = await createUser();
    const names = { a: crypto.randomUUID(), b: crypto.randomUUID(), c: crypto.randomUUID() };
    const effect = (id: string, name: string, delay = 0) => ({
      id,
      kind: "http",
      method: "POST",
      url: `${web()}/effect?name=${name}&delay=${delay}`,
      body: { step: id },
    });
    const wf = await createWorkflow(user, {
      steps: [effect("a", names.a), effect("b", names.b, 700), effect("c", names.c)],
    });
    const started = await startRun(user, wf.id);
    await waitRun(user, started.id, (run) => step(run, "b").status === "running");
    await crashAll();
    // The object's alarm is its heartbeat: run it now rather than wait out the interval.
    expect(await runDurableObjectAlarm(env.WORKFLOW_RUN.getByName(started.id))).toBe(true);
    const run = await waitRun(user, started.id);
    expect(run.status).toBe("succeeded");
    const stats = async (name: string) =>
      json<{ requests: number; applied: number }>(await fetch(`${web()}/effect-stats?name=${name}`));
    expect(await stats(names.a)).toMatchObject({ requests: 1, applied: 1 });
    expect(await stats(names.b)).toMatchObject({ requests: 2, applied: 1 });
    expect(await stats(names.c)).toMatchObject({ requests: 1, applied: 1 });
    const { items } = await getJson<{ items: { step_id: string | null; message: string }[] }>(
      user,
      `/api/v1/workflow-runs/${run.id}/logs`,
    );
    expect(
      items.some((line) => line.step_id === "b" && line.message.startsWith("resuming after an interruption")),
    ).toBe(true);
  });
});

describe("definitions", () => {
  it("validates definitions and reports every issue", async () => {
    const user = await createUser();
    const bad = {
      steps: [
        { id: "a", kind: "tool", tool: "echo", input: "{{ steps.b.output }}" },
        { id: "b", kind: "sleep", ms: 1 },
        { id: "b", kind: "sleep", ms: 1 },
        { id: "c", kind: "tool", tool: "echo", input: "{{ steps.nope.output }}" },
      ],
    };
    const res = await call("/api/v1/workflows", { token: user.accessToken, body: { name: "bad", definition: bad } });
    const body = await expectError(res, 422, "invalid_definition");
    expect((body.error.details as { code: string }[]).map((issue) => issue.code).sort()).toEqual([
      "duplicate_step_id",
      "forward_step_ref",
      "unknown_step_ref",
    ]);
    const checked = await json<{ valid: boolean; issues: unknown[] }>(
      await call("/api/v1/workflow-definitions/validate", {
        token: user.accessToken,
        body: { definition: { steps: [{ id: "x", kind: "teleport" }] } },
      }),
    );
    expect(checked.valid).toBe(false);
    expect(checked.issues.length).toBeGreaterThan(0);
    const ok = await json<{ valid: boolean }>(
      await call("/api/v1/workflow-definitions/validate", {
        token: user.accessToken,
        body: { definition: { steps: [{ id: "x", kind: "sleep", ms: 1 }] } },
      }),
    );
    expect(ok.valid).toBe(true);
  });

  it("versions definitions; a run keeps the version it started with", async () => {
    const user = await createUser();
    const wf = await createWorkflow(user, { steps: [{ id: "one", kind: "sleep", ms: 0 }] });
    const patched = await call(`/api/v1/workflows/${wf.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { definition: { steps: [{ id: "two", kind: "sleep", ms: 0 }] } },
    });
    expect((await json<{ latest_version: number }>(patched)).latest_version).toBe(2);
    const v1 = await waitRun(user, (await startRun(user, wf.id, {}, 1)).id);
    const v2 = await waitRun(user, (await startRun(user, wf.id)).id);
    expect(v1.steps.map((s) => s.step_id)).toEqual(["one"]);
    expect(v2).toMatchObject({ version: 2, steps: [{ step_id: "two" }] });
    const versions = await getJson<{ items: { version: number }[] }>(user, `/api/v1/workflows/${wf.id}/versions`);
    expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    // An editor that started from v1 cannot overwrite v2; one that started from v2 saves v3.
    const save = (base_version: number) =>
      call(`/api/v1/workflows/${wf.id}`, {
        method: "PATCH",
        token: user.accessToken,
        body: { base_version, definition: { steps: [{ id: "three", kind: "sleep", ms: 0 }] } },
      });
    await expectError(await save(1), 409, "version_conflict");
    const v3 = await save(2);
    expect(v3.status).toBe(200);
    expect(await json(v3)).toMatchObject({ latest_version: 3, version: 3, definition: { steps: [{ id: "three" }] } });
    expect((await call(`/api/v1/workflows/${wf.id}`, { method: "DELETE", token: user.accessToken })).status).toBe(200);
    await expectError(
      await call(`/api/v1/workflows/${wf.id}/runs`, { token: user.accessToken, body: {} }),
      409,
      "workflow_archived",
    );
  });

  it("runs a workflow as a task; the task ends with the run", async () => {
    const user = await createUser();
    const wf = await createWorkflow(user, { steps: [{ id: "s", kind: "sleep", ms: 50 }] });
    const res = await call("/api/v1/tasks", {
      token: user.accessToken,
      body: { title: "wf task", action: { kind: "workflow", workflow_id: wf.id, input: { x: 1 } } },
    });
    const task = await json<{ id: string }>(res);
    const done = await waitFor<{ status: string; workflow_run_id: string; result: unknown }>(
      user,
      `/api/v1/tasks/${task.id}`,
      (t) => t.status === "succeeded" || t.status === "failed",
    );
    expect(done.status).toBe("succeeded");
    const run = await getJson<Run & { task_id: string }>(user, `/api/v1/workflow-runs/${done.workflow_run_id}`);
    expect(run).toMatchObject({ status: "succeeded", task_id: task.id });
  });
});
