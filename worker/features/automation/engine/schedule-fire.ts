/**
 * Firing schedules, safe to leave alone. Two things keep a tick from running
 * twice when triggers race (the owner's TaskQueue alarm, the cron sweep, a manual
 * run): moving `next_run_at` on is a conditional UPDATE from the tick that was
 * read, and every run is a row under a unique (schedule, tick) index. A tick found
 * later than the grace period follows the schedule's missed-run policy: `skip`
 * records the skipped ticks and waits for the next one; `catch_up_once` runs once
 * for all of them. Work runs with the scopes the owner granted the schedule,
 * narrowed to what the owner's role allows today; a deactivated owner's ticks are skipped.
 */
import { and, eq, lte, sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { scheduleRuns, schedules, users } from "../../../db/schema";
import { AppError } from "../../../errors";
import { newId } from "../../../lib/ids";
import { toIso } from "../../../lib/time";
import { scopesFor } from "../../auth/scopes";
import { getConfig } from "../../config/service";
import { publishEvent } from "../../events/publish";
import { increment } from "../../observability/collector";
import { countTicks, latestTick, nextTick } from "./cron";
import { startRun } from "./run-lifecycle";
import { markScheduleRunStarted } from "./schedule-outcome";
import type { CreateTaskBody } from "./task-body";
import { createTask } from "./task-create";

type ScheduleRow = typeof schedules.$inferSelect;
export type Trigger = "alarm" | "cron" | "manual";

/** Fires the user's due schedules; returns when the next one is due (for the queue's alarm). */
export async function fireDueSchedules(
  env: Env,
  userId: string,
  trigger: Trigger,
  now = Date.now(),
): Promise<number | null> {
  const db = getDb(env);
  const due = await db
    .select()
    .from(schedules)
    .where(and(eq(schedules.userId, userId), eq(schedules.enabled, true), lte(schedules.nextRunAt, now)))
    .limit(50);
  for (const schedule of due) await fireSchedule(env, schedule, trigger, now);
  const [next] = await db
    .select({ at: sql<number | null>`MIN(${schedules.nextRunAt})` })
    .from(schedules)
    .where(and(eq(schedules.userId, userId), eq(schedules.enabled, true)));
  return next?.at ?? null;
}

type Decision = { fire: boolean; tick: number; missed: number; reason: string | null };

/** What to do with a schedule whose tick `due` is found at `now`. */
export function decide(schedule: ScheduleRow, due: number, now: number, graceMs: number): Decision {
  const latest = latestTick(schedule.cron, schedule.timezone, now) ?? due;
  const ticks = Math.max(1, countTicks(schedule.cron, schedule.timezone, due, now, 1_000_000));
  if (latest === due && now - due <= graceMs) return { fire: true, tick: due, missed: 0, reason: null };
  if (schedule.missedPolicy === "catch_up_once") return { fire: true, tick: latest, missed: ticks - 1, reason: null };
  if (now - latest <= graceMs) return { fire: true, tick: latest, missed: ticks - 1, reason: null };
  return { fire: false, tick: latest, missed: ticks, reason: `${ticks} tick(s) missed; the policy is skip` };
}

/** Handles one due schedule; false if another trigger got there first. */
export async function fireSchedule(
  env: Env,
  schedule: ScheduleRow,
  trigger: Trigger,
  now = Date.now(),
): Promise<boolean> {
  const due = schedule.nextRunAt;
  if (due === null) return false;
  const { misfire_grace_ms } = await getConfig(env, "schedules");
  const decision = decide(schedule, due, now, misfire_grace_ms);
  const next = nextTick(schedule.cron, schedule.timezone, Math.max(now, decision.tick));
  const db = getDb(env);
  const advanced = await db
    .update(schedules)
    .set({ nextRunAt: next, lastRunAt: now, updatedAt: now })
    .where(and(eq(schedules.id, schedule.id), eq(schedules.nextRunAt, due)));
  if (advanced.meta.changes !== 1) return false;
  return runTick(env, schedule, decision, trigger, now);
}

/** Claims (schedule, tick) and starts its work; false if the tick was already claimed. */
export async function runTick(
  env: Env,
  schedule: ScheduleRow,
  decision: Decision,
  trigger: Trigger,
  now: number,
): Promise<boolean> {
  const db = getDb(env);
  const runId = newId();
  const owner = await db.query.users.findFirst({ where: eq(users.id, schedule.userId) });
  const skipReason = !owner?.isActive ? "the owner's account is deactivated" : decision.fire ? null : decision.reason;
  if (!(await claimTick(env, schedule, { runId, decision, trigger, skipReason, now }))) return false;
  if (skipReason || !owner) {
    await announceSkip(env, schedule, decision, skipReason ?? "skipped");
    return true;
  }
  const scopes = [...scopesFor(owner.role, schedule.scopes)];
  let started: { taskId: string | null; workflowRunId: string | null };
  try {
    started = await startTarget(env, schedule, runId, scopes);
  } catch (error) {
    const message = error instanceof AppError || error instanceof Error ? error.message : String(error);
    await db
      .update(scheduleRuns)
      .set({ status: "failed", error: message, finishedAt: Date.now() })
      .where(eq(scheduleRuns.id, runId));
    increment("schedule_runs_total", { outcome: "not_started" });
    return true;
  }
  await db.update(scheduleRuns).set(started).where(eq(scheduleRuns.id, runId));
  await publishEvent(env, schedule.userId, "schedule.fired", {
    schedule_id: schedule.id,
    schedule_run_id: runId,
    tick: toIso(decision.tick),
    task_id: started.taskId,
    workflow_run_id: started.workflowRunId,
  });
  return true;
}

/** Inserts the tick's run row (skipped, or started); the unique (schedule, tick) makes one trigger win. */
async function claimTick(
  env: Env,
  schedule: ScheduleRow,
  tick: { runId: string; decision: Decision; trigger: Trigger; skipReason: string | null; now: number },
): Promise<boolean> {
  const { runId, decision, trigger, skipReason, now } = tick;
  const claim = await getDb(env)
    .insert(scheduleRuns)
    .values({
      id: runId,
      scheduleId: schedule.id,
      userId: schedule.userId,
      tickAt: decision.tick,
      trigger,
      status: skipReason ? "skipped" : "started",
      missedTicks: decision.missed,
      error: skipReason,
      finishedAt: skipReason ? now : null,
      createdAt: now,
    })
    .onConflictDoNothing();
  return claim.meta.changes === 1;
}

async function announceSkip(env: Env, schedule: ScheduleRow, decision: Decision, reason: string) {
  increment("schedule_runs_total", { outcome: "skipped" });
  await publishEvent(env, schedule.userId, "schedule.skipped", {
    schedule_id: schedule.id,
    tick: toIso(decision.tick),
    missed_ticks: decision.missed,
    reason,
  });
}

/** Creates the schedule's task or starts its workflow run, with the scopes the owner still holds. */
async function startTarget(env: Env, schedule: ScheduleRow, runId: string, scopes: string[]) {
  if (schedule.targetKind === "task") {
    const owner = { userId: schedule.userId, scopes, apiKeyId: schedule.apiKeyId };
    const { root } = await createTask(env, owner, schedule.target as CreateTaskBody, { scheduleRunId: runId });
    return { taskId: root.id, workflowRunId: null };
  }
  const target = schedule.target as { workflow_id: string; version?: number; input?: unknown };
  const run = await startRun(env, {
    userId: schedule.userId,
    scopes,
    apiKeyId: schedule.apiKeyId,
    workflowId: target.workflow_id,
    version: target.version,
    input: target.input ?? {},
    scheduleRunId: runId,
  });
  await markScheduleRunStarted(env, runId, run.startedAt);
  return { taskId: null, workflowRunId: run.id };
}
