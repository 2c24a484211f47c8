/**
 * Automation in /metrics: running tasks, workflow runs, schedules and webhook
 * deliveries through the API moves the counters an operator watches. Other test
 * files share the MetricsHub, so each check is "moved by at least this much".
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { call, createUser, json, type TestUser } from "../../../test/worker/support/api";
import { waitFor } from "../../../test/worker/support/automation";
import { fakeWebHost, setConfig } from "../../../test/worker/support/config";
import { run } from "../../../test/worker/support/db";
import { sample, settle, steady } from "../../../test/worker/support/live";
import { fireDueSchedules } from "../automation/engine/schedule-fire";
import { CONFIG_REGISTRY } from "../config/registry";

vi.setConfig({ testTimeout: 20_000 });

const web = () => env.FAKE_WEB_URL;
type Ended = { id: string; status: string };
const ended = (item: Ended) => ["succeeded", "failed", "cancelled"].includes(item.status);

beforeAll(async () => {
  await setConfig("outbound", { ...CONFIG_REGISTRY.outbound.default, allow_private_hosts: [fakeWebHost()] });
  await setConfig("webhooks", { ...CONFIG_REGISTRY.webhooks.default, retry_base_ms: 30, retry_max_ms: 100 });
});

async function post<T>(user: TestUser, path: string, body?: unknown): Promise<T> {
  const res = await call(path, { token: user.accessToken, ...(body ? { body } : { method: "POST" }) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return json<T>(res);
}

/** Reads `series` before `act`, then waits until each has moved by at least its expected amount. */
async function expectMoves(series: Record<string, number>, act: () => Promise<unknown>) {
  const names = Object.keys(series);
  const read = (text: string) => names.map((name) => sample(text, name));
  const before = await steady(read);
  await act();
  const moved = (values: number[]) => values.map((value, i) => value - (before[i] ?? 0));
  const enough = (values: number[]) => moved(values).every((delta, i) => delta >= (series[names[i]!] ?? 0));
  const after = moved(await settle(read, enough, 30_000));
  for (const [i, name] of names.entries()) expect(after[i], name).toBeGreaterThanOrEqual(series[name] ?? 0);
}

describe("automation metrics", () => {
  it("counts tasks by final status and their dead letters", async () => {
    const user = await createUser();
    const waitTask = (id: string) => waitFor<Ended>(user, `/api/v1/tasks/${id}`, ended);
    await expectMoves(
      {
        'tasks_total{status="succeeded"}': 1,
        'tasks_total{status="failed"}': 1,
        'tasks_total{status="cancelled"}': 1,
        'dead_letters_total{source="task"}': 1,
      },
      async () => {
        const ok = await post<Ended>(user, "/api/v1/tasks", { title: "ok", action: { kind: "sleep", ms: 0 } });
        const bad = await post<Ended>(user, "/api/v1/tasks", {
          title: "bad",
          max_retries: 0,
          action: { kind: "http", url: `${web()}/status?code=400` },
        });
        const later = await post<Ended>(user, "/api/v1/tasks", {
          title: "later",
          action: { kind: "sleep", ms: 0 },
          run_at: new Date(Date.now() + 60_000).toISOString(),
        });
        await post(user, `/api/v1/tasks/${later.id}/cancel`);
        expect((await waitTask(ok.id)).status).toBe("succeeded");
        expect((await waitTask(bad.id)).status).toBe("failed");
      },
    );
  });

  it("counts workflow runs by status and step retries by kind", async () => {
    const user = await createUser();
    const workflow = await post<{ id: string }>(user, "/api/v1/workflows", {
      name: "metrics",
      definition: {
        steps: [
          {
            id: "fetch",
            kind: "http",
            url: `${web()}/flaky?key=${crypto.randomUUID()}&fail=2`,
            retry: { max_attempts: 3, backoff_ms: 20 },
          },
        ],
      },
    });
    await expectMoves(
      { 'workflow_runs_total{status="succeeded"}': 1, 'workflow_step_retries_total{kind="http"}': 2 },
      async () => {
        const started = await post<Ended>(user, `/api/v1/workflows/${workflow.id}/runs`, { input: {} });
        const done = await waitFor<Ended>(user, `/api/v1/workflow-runs/${started.id}`, ended);
        expect(done.status).toBe("succeeded");
      },
    );
  });

  it("counts schedule runs by outcome and times due → started", async () => {
    const user = await createUser();
    const target = { kind: "task", task: { title: "tick", action: { kind: "sleep", ms: 0 } } };
    await expectMoves(
      {
        'schedule_runs_total{outcome="succeeded"}': 1,
        'schedule_runs_total{outcome="skipped"}': 1,
        schedule_start_latency_seconds_count: 1,
        'schedule_start_latency_seconds_bucket{le="+Inf"}': 1,
      },
      async () => {
        const every2s = await post<{ id: string }>(user, "/api/v1/schedules", {
          name: "often",
          cron: "*/2 * * * * *",
          target,
        });
        await waitFor<{ items: Ended[] }>(user, `/api/v1/schedules/${every2s.id}/runs`, (page) =>
          page.items.some((item) => item.status === "succeeded"),
        );
        await call(`/api/v1/schedules/${every2s.id}`, {
          method: "PATCH",
          token: user.accessToken,
          body: { enabled: false },
        });
        // A deactivated owner's tick is skipped whatever the clock says.
        const owner = await createUser();
        const hourly = await post<{ id: string }>(owner, "/api/v1/schedules", { name: "h", cron: "0 * * * *", target });
        // The pump its creation started has finished: the call below is the only trigger.
        await env.TASK_QUEUE.getByName(owner.id).drain(owner.id);
        await run("UPDATE schedules SET next_run_at = ? WHERE id = ?", Date.now() - 1_000, hourly.id);
        await run("UPDATE users SET is_active = 0 WHERE id = ?", owner.id);
        await fireDueSchedules(env, owner.id, "cron");
      },
    );
  });

  it("counts webhook deliveries by outcome and the dead letters of those that gave up", async () => {
    const [happy, unlucky] = [await createUser(), await createUser()];
    const broken = crypto.randomUUID();
    await fetch(`${web()}/receiver/fail?id=${broken}&count=-1`, { method: "POST" });
    const hook = (user: TestUser, id: string) =>
      post(user, "/api/v1/webhooks", {
        name: "hook",
        url: `${web()}/receiver?id=${id}`,
        event_types: ["user.message"],
      });
    await hook(happy, crypto.randomUUID());
    await hook(unlucky, broken);
    await expectMoves(
      {
        'webhook_deliveries_total{outcome="succeeded"}': 1,
        'webhook_deliveries_total{outcome="failed"}': 1,
        'dead_letters_total{source="webhook_delivery"}': 1,
      },
      async () => {
        for (const user of [happy, unlucky])
          await post(user, "/api/v1/events", { type: "user.message", data: { text: "count me" } });
      },
    );
  });
});
