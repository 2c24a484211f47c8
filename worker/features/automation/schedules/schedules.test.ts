/**
 * Schedules: cron due times across time zones and DST, the preview, the API,
 * ticks fired by the owner's queue alarm, missed-run policies after downtime,
 * no duplicate run when triggers race, runs recorded with outcome, cost and
 * latency, and the owner's permissions.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { call, createApiKey, createUser, json, type TestUser } from "../../../../test/worker/support/api";
import { getJson, waitFor } from "../../../../test/worker/support/automation";
import { rows, run } from "../../../../test/worker/support/db";
import { expectError } from "../../../../test/worker/support/envelope";
import { checkCron, countTicks, latestTick, nextTicks } from "../engine/cron";
import { fireDueSchedules } from "../engine/schedule-fire";
import { runAutomationSweep } from "../engine/sweep";

// These tests wait on real clocks (backoff, alarms, token buckets); a loaded machine needs headroom.
vi.setConfig({ testTimeout: 20_000 });

type Schedule = { id: string; next_run_at: string | null; next_runs: string[]; enabled: boolean };
type ScheduleRun = {
  id: string;
  status: string;
  tick_at: string;
  trigger: string;
  task_id: string | null;
  missed_ticks: number;
  latency_ms: number | null;
  cost_micros: number;
};

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

describe("cron arithmetic", () => {
  it("reads the expression in its time zone, across the DST change", () => {
    // New York moves to daylight time on 2026-03-08: 09:00 local is 14:00Z, then 13:00Z.
    expect(nextTicks("0 9 * * *", "America/New_York", at("2026-03-07T00:00:00Z"), 3).map(iso)).toEqual([
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
      "2026-03-09T13:00:00.000Z",
    ]);
    // Half-hour offset zones.
    expect(nextTicks("0 0 * * *", "Asia/Kolkata", at("2026-06-01T00:00:00Z"), 1).map(iso)).toEqual([
      "2026-06-01T18:30:00.000Z",
    ]);
    // Weekdays only, in Berlin summer time (UTC+2).
    expect(nextTicks("0 9 * * 1-5", "Europe/Berlin", at("2026-07-03T12:00:00Z"), 2).map(iso)).toEqual([
      "2026-07-06T07:00:00.000Z",
      "2026-07-07T07:00:00.000Z",
    ]);
  });

  it("never fires a wall-clock time twice when the clocks go back, nor loses the day when they spring forward", () => {
    // Berlin, 2026-10-25: 02:00–03:00 happens twice. One tick that day.
    const autumn = nextTicks("30 2 * * *", "Europe/Berlin", at("2026-10-24T12:00:00Z"), 3);
    const autumnDays = autumn.map((t) => new Date(t).toISOString().slice(0, 10));
    expect(new Set(autumnDays).size).toBe(3);
    expect(autumn[0]).toBe(at("2026-10-25T00:30:00Z")); // 02:30 CEST, the first of the two
    expect(autumn[1]).toBe(at("2026-10-26T01:30:00Z")); // 02:30 CET
    // Berlin, 2026-03-29: 02:30 does not exist; the day still gets exactly one tick.
    const spring = nextTicks("30 2 * * *", "Europe/Berlin", at("2026-03-28T12:00:00Z"), 3);
    const springDays = spring.map((t) => new Date(t).toISOString().slice(0, 10));
    expect(springDays).toEqual(["2026-03-29", "2026-03-30", "2026-03-31"]);
    expect(spring[1]).toBe(at("2026-03-30T00:30:00Z"));
  });

  it("counts missed ticks and finds the latest one", () => {
    const from = at("2026-01-01T00:00:00Z");
    expect(countTicks("*/15 * * * *", "UTC", from, from + 3_600_000, 1_000)).toBe(5);
    expect(latestTick("*/15 * * * *", "UTC", from + 20 * 60_000)).toBe(from + 15 * 60_000);
    expect(checkCron("61 * * * *", "UTC").ok).toBe(false);
    expect(checkCron("0 * * * *", "Mars/Olympus").ok).toBe(false);
    expect(checkCron("*/5 * * * * *", "UTC").ok).toBe(true);
  });
});

/**
 * Creates a schedule and waits out the queue pump its creation started: a test that then
 * moves `next_run_at` and fires by hand is the only trigger left (an unfinished pump could
 * claim the tick first and record its run after the test has looked).
 */
async function createSchedule(user: TestUser, body: Record<string, unknown>) {
  const res = await call("/api/v1/schedules", { token: user.accessToken, body: { name: "s", ...body } });
  expect(res.status, await res.clone().text()).toBe(201);
  await env.TASK_QUEUE.getByName(user.id).drain(user.id);
  return json<Schedule>(res);
}

/** An hourly cron whose ticks sit half an hour either side of now: none falls due while a test runs. */
function hourlyAwayFromNow(now: number) {
  const minute = (new Date(now).getUTCMinutes() + 30) % 60;
  return `${minute} * * * *`;
}

const sleepTask = { kind: "task", task: { title: "tick", action: { kind: "sleep", ms: 0 } } };
const runsOf = (user: TestUser, id: string) =>
  getJson<{ items: ScheduleRun[] }>(user, `/api/v1/schedules/${id}/runs?limit=100`);

describe("the schedules API", () => {
  it("previews next runs and refuses bad cron expressions and zones", async () => {
    const user = await createUser();
    const res = await call("/api/v1/cron/preview", {
      token: user.accessToken,
      body: { cron: "0 9 * * *", timezone: "America/New_York", count: 2, after: "2026-03-07T00:00:00Z" },
    });
    expect(await json(res)).toEqual({
      next_runs: ["2026-03-07T14:00:00.000Z", "2026-03-08T13:00:00.000Z"],
      local: ["2026-03-07 09:00:00 America/New_York", "2026-03-08 09:00:00 America/New_York"],
    });
    for (const body of [
      { cron: "every day", timezone: "UTC" },
      { cron: "0 9 * * *", timezone: "Mars/Olympus" },
    ]) {
      await expectError(await call("/api/v1/cron/preview", { token: user.accessToken, body }), 422, "invalid_cron");
      await expectError(
        await call("/api/v1/schedules", { token: user.accessToken, body: { name: "x", ...body, target: sleepTask } }),
        422,
        "invalid_cron",
      );
    }
  });

  it("creates, shows the next runs, pauses and resumes a schedule", async () => {
    const user = await createUser();
    const created = await createSchedule(user, { cron: "0 9 * * *", timezone: "Europe/Berlin", target: sleepTask });
    expect(created.next_runs).toHaveLength(5);
    expect(created.next_run_at).toBe(created.next_runs[0]);
    const paused = await call(`/api/v1/schedules/${created.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { enabled: false },
    });
    expect(await json(paused)).toMatchObject({ enabled: false, next_run_at: null, next_runs: [] });
    const resumed = await call(`/api/v1/schedules/${created.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { enabled: true },
    });
    expect((await json<Schedule>(resumed)).next_run_at).toBe(created.next_run_at);
    const list = await getJson<{ items: Schedule[] }>(user, "/api/v1/schedules");
    expect(list.items.map((s) => s.id)).toEqual([created.id]);
    expect((await call(`/api/v1/schedules/${created.id}`, { method: "DELETE", token: user.accessToken })).status).toBe(
      200,
    );
    await expectError(await call(`/api/v1/schedules/${created.id}`, { token: user.accessToken }), 404, "not_found");
  });

  it("keeps the creator's scopes: a key without tools:execute cannot schedule a tool", async () => {
    const user = await createUser();
    const key = await createApiKey(user, ["tasks:write", "tasks:read"]);
    const res = await call("/api/v1/schedules", {
      apiKey: key.secret,
      body: {
        name: "t",
        cron: "0 * * * *",
        target: { kind: "task", task: { title: "t", action: { kind: "tool", tool: "echo" } } },
      },
    });
    await expectError(res, 403, "scope_not_allowed");
  });
});

describe("firing", () => {
  it("fires on its own from the owner's queue alarm and records outcome, cost and latency", async () => {
    const user = await createUser();
    const schedule = await createSchedule(user, { cron: "*/2 * * * * *", target: sleepTask });
    const { items } = await waitFor<{ items: ScheduleRun[] }>(
      user,
      `/api/v1/schedules/${schedule.id}/runs`,
      (page) => page.items.some((r) => r.status === "succeeded"),
      8_000,
    );
    await call(`/api/v1/schedules/${schedule.id}`, {
      method: "PATCH",
      token: user.accessToken,
      body: { enabled: false },
    });
    const done = items.find((r) => r.status === "succeeded") as ScheduleRun;
    expect(done).toMatchObject({ trigger: "alarm", missed_ticks: 0, cost_micros: 0 });
    const task = await getJson<{ schedule_run_id: string; status: string; started_at: string }>(
      user,
      `/api/v1/tasks/${done.task_id}`,
    );
    expect(task).toMatchObject({ schedule_run_id: done.id, status: "succeeded" });
    // Latency is due → started: from the tick to the moment its task began, never negative.
    expect(done.latency_ms).toBe(Date.parse(task.started_at) - Date.parse(done.tick_at));
    expect(done.latency_ms).toBeGreaterThanOrEqual(0);
    const ticks = items.map((r) => r.tick_at);
    expect(new Set(ticks).size).toBe(ticks.length);
  });

  it("skips ticks missed during downtime under the skip policy", async () => {
    const user = await createUser();
    const cron = hourlyAwayFromNow(Date.now());
    const schedule = await createSchedule(user, { cron, target: sleepTask, missed_policy: "skip" });
    // Four ticks were missed: three hours of them and the latest, half an hour ago (past the grace period).
    const latest = latestTick(cron, "UTC", Date.now()) as number;
    await run("UPDATE schedules SET next_run_at = ? WHERE id = ?", latest - 3 * 3_600_000, schedule.id);
    await fireDueSchedules(env, user.id, "cron");
    const { items } = await runsOf(user, schedule.id);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: "skipped", task_id: null, missed_ticks: 4 });
    const after = await getJson<Schedule>(user, `/api/v1/schedules/${schedule.id}`);
    expect(Date.parse(after.next_run_at ?? "")).toBeGreaterThan(Date.now());
    expect(await rows("SELECT id FROM tasks WHERE user_id = ?", user.id)).toEqual([]);
  });

  it("runs once for all missed ticks under catch_up_once", async () => {
    const user = await createUser();
    const schedule = await createSchedule(user, {
      cron: "*/10 * * * *",
      target: sleepTask,
      missed_policy: "catch_up_once",
    });
    await run("UPDATE schedules SET next_run_at = ? WHERE id = ?", Date.now() - 3 * 3_600_000, schedule.id);
    await fireDueSchedules(env, user.id, "cron");
    await fireDueSchedules(env, user.id, "cron");
    const { items } = await runsOf(user, schedule.id);
    expect(items).toHaveLength(1);
    expect(items[0]?.status).toMatch(/started|succeeded/);
    expect(items[0]?.missed_ticks).toBeGreaterThanOrEqual(17);
    expect(await rows("SELECT id FROM tasks WHERE user_id = ?", user.id)).toHaveLength(1);
  });

  it("starts one run per tick when the alarm, the cron sweep and a retry race", async () => {
    const user = await createUser();
    const schedule = await createSchedule(user, { cron: "* * * * *", target: sleepTask });
    const tick = latestTick("* * * * *", "UTC", Date.now()) as number;
    await run("UPDATE schedules SET next_run_at = ? WHERE id = ?", tick, schedule.id);
    await Promise.all([
      fireDueSchedules(env, user.id, "alarm"),
      runAutomationSweep(env),
      fireDueSchedules(env, user.id, "cron"),
      env.TASK_QUEUE.getByName(user.id).drain(user.id),
    ]);
    const { items } = await runsOf(user, schedule.id);
    const forTick = items.filter((r) => r.tick_at === iso(tick));
    expect(forTick).toHaveLength(1);
    expect(forTick[0]?.status).toMatch(/started|succeeded/);
    const tasks = await rows("SELECT id FROM tasks WHERE schedule_run_id = ?", forTick[0]?.id);
    expect(tasks).toHaveLength(1);
  });

  it("skips the ticks of a deactivated owner", async () => {
    const user = await createUser();
    const schedule = await createSchedule(user, { cron: "0 * * * *", target: sleepTask });
    await run("UPDATE schedules SET next_run_at = ? WHERE id = ?", Date.now() - 1_000, schedule.id);
    await run("UPDATE users SET is_active = 0 WHERE id = ?", user.id);
    await fireDueSchedules(env, user.id, "cron");
    const [row] = await rows<{ status: string; error: string }>(
      "SELECT status, error FROM schedule_runs WHERE schedule_id = ?",
      schedule.id,
    );
    expect(row).toEqual({ status: "skipped", error: "the owner's account is deactivated" });
  });

  it("runs a schedule now on request, apart from its ticks", async () => {
    const user = await createUser();
    const schedule = await createSchedule(user, { cron: "0 0 1 1 *", target: sleepTask });
    const res = await call(`/api/v1/schedules/${schedule.id}/run`, { method: "POST", token: user.accessToken });
    expect(res.status).toBe(201);
    const started = await json<ScheduleRun>(res);
    expect(started).toMatchObject({ trigger: "manual", status: "started" });
    const after = await getJson<Schedule>(user, `/api/v1/schedules/${schedule.id}`);
    expect(after.next_run_at).toBe(schedule.next_run_at);
  });
});
