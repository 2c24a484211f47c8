/**
 * Schedules through the API: create, read with a preview of the next ticks,
 * change, delete, list their runs, and run one now. A schedule keeps the scopes
 * its creator held; every change wakes the owner's queue, whose alarm fires it.
 */
import { and, eq, sql } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { scheduleRuns, schedules, workflows } from "../../../db/schema";
import { AppError } from "../../../errors";
import { newId } from "../../../lib/ids";
import { keyset, toPage } from "../../../lib/pagination";
import type { RequestMeta } from "../../../lib/request-meta";
import { actorOf, auditInsert } from "../../audit/record";
import type { Principal } from "../../auth/principal";
import { getConfig } from "../../config/service";
import { checkCron, nextTick, nextTicks } from "../engine/cron";
import { runTick } from "../engine/schedule-fire";
import { type TaskOwner, taskOwnerOf } from "../engine/task-create";
import { wakeQueue } from "../engine/task-outcome";
import { type ScheduleTarget, toSchedule, toScheduleRun } from "./schemas";

type ScheduleRow = typeof schedules.$inferSelect;

function requireCron(cron: string, timezone: string) {
  const check = checkCron(cron, timezone);
  if (!check.ok) throw new AppError(422, "invalid_cron", check.message, { cron, timezone });
}

async function checkTarget(db: Db, owner: TaskOwner, target: ScheduleTarget) {
  if (target.kind === "task" && target.task.action.kind === "tool" && !owner.scopes.includes("tools:execute"))
    throw new AppError(403, "scope_not_allowed", "A tool task needs the tools:execute scope", {
      required: ["tools:execute"],
    });
  const workflowId =
    target.kind === "workflow"
      ? target.workflow_id
      : target.task.action.kind === "workflow"
        ? target.task.action.workflow_id
        : null;
  if (workflowId) {
    const found = await db.query.workflows.findFirst({
      where: and(eq(workflows.id, workflowId), eq(workflows.userId, owner.userId)),
    });
    if (!found) throw new AppError(422, "unknown_workflow", "No such workflow of yours", { workflow_id: workflowId });
  }
}

function storedTarget(target: ScheduleTarget) {
  if (target.kind === "task") return { targetKind: "task" as const, target: target.task as Record<string, unknown> };
  const { kind: _kind, ...rest } = target;
  return { targetKind: "workflow" as const, target: rest as Record<string, unknown> };
}

export async function getOwnSchedule(db: Db, userId: string, id: string) {
  const row = await db.query.schedules.findFirst({ where: and(eq(schedules.id, id), eq(schedules.userId, userId)) });
  if (!row) throw new AppError(404, "not_found", "Schedule not found");
  return row;
}

export function scheduleDetail(row: ScheduleRow) {
  const next = row.enabled ? nextTicks(row.cron, row.timezone, Date.now(), 5) : [];
  return { ...toSchedule(row), next_runs: next.map((tick) => new Date(tick).toISOString()) };
}

type CreateInput = {
  name: string;
  cron: string;
  timezone: string;
  target: ScheduleTarget;
  missed_policy: "skip" | "catch_up_once";
  enabled: boolean;
};

export async function createSchedule(env: Env, principal: Principal, input: CreateInput, meta: RequestMeta) {
  const owner = taskOwnerOf(principal);
  const db = getDb(env);
  requireCron(input.cron, input.timezone);
  await checkTarget(db, owner, input.target);
  const { max_per_user } = await getConfig(env, "schedules");
  const [count] = await db
    .select({ n: sql<number>`COUNT(*)` })
    .from(schedules)
    .where(eq(schedules.userId, owner.userId));
  if ((count?.n ?? 0) >= max_per_user)
    throw new AppError(409, "too_many_schedules", `At most ${max_per_user} schedules per user`);
  const now = Date.now();
  const row: ScheduleRow = {
    id: newId(),
    userId: owner.userId,
    name: input.name,
    cron: input.cron,
    timezone: input.timezone,
    ...storedTarget(input.target),
    missedPolicy: input.missed_policy,
    enabled: input.enabled,
    scopes: [...owner.scopes],
    apiKeyId: owner.apiKeyId,
    nextRunAt: input.enabled ? nextTick(input.cron, input.timezone, now) : null,
    lastRunAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await db.batch([
    db.insert(schedules).values(row),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: owner.userId,
      action: "schedule.create",
      resourceType: "schedule",
      resourceId: row.id,
      newValues: { name: row.name, cron: row.cron, timezone: row.timezone, target: row.targetKind },
    }),
  ]);
  await wakeQueue(env, owner.userId);
  return scheduleDetail(row);
}

export async function updateSchedule(
  env: Env,
  principal: Principal,
  id: string,
  input: Partial<CreateInput>,
  meta: RequestMeta,
) {
  const owner = taskOwnerOf(principal);
  const db = getDb(env);
  const before = await getOwnSchedule(db, owner.userId, id);
  const cron = input.cron ?? before.cron;
  const timezone = input.timezone ?? before.timezone;
  requireCron(cron, timezone);
  if (input.target) await checkTarget(db, owner, input.target);
  const enabled = input.enabled ?? before.enabled;
  const retimed = cron !== before.cron || timezone !== before.timezone || (enabled && !before.enabled);
  const now = Date.now();
  const changes = {
    name: input.name ?? before.name,
    cron,
    timezone,
    ...(input.target && storedTarget(input.target)),
    ...(input.target && { scopes: [...owner.scopes], apiKeyId: owner.apiKeyId }),
    missedPolicy: input.missed_policy ?? before.missedPolicy,
    enabled,
    nextRunAt: !enabled ? null : retimed ? nextTick(cron, timezone, now) : before.nextRunAt,
    updatedAt: now,
  };
  await db.batch([
    db.update(schedules).set(changes).where(eq(schedules.id, id)),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: owner.userId,
      action: "schedule.update",
      resourceType: "schedule",
      resourceId: id,
      oldValues: { name: before.name, cron: before.cron, timezone: before.timezone, enabled: before.enabled },
      newValues: { name: changes.name, cron, timezone, enabled },
    }),
  ]);
  await wakeQueue(env, owner.userId);
  return scheduleDetail(await getOwnSchedule(db, owner.userId, id));
}

export async function deleteSchedule(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const { userId } = principal;
  const db = getDb(env);
  const row = await getOwnSchedule(db, userId, id);
  await db.batch([
    db.delete(schedules).where(eq(schedules.id, id)),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "schedule.delete",
      resourceType: "schedule",
      resourceId: id,
      oldValues: { name: row.name, cron: row.cron },
    }),
  ]);
  return toSchedule(row);
}

export async function listSchedules(db: Db, userId: string, query: { limit: number; cursor?: string | undefined }) {
  const page = keyset(schedules, query.cursor);
  const rows = await db
    .select()
    .from(schedules)
    .where(and(eq(schedules.userId, userId), page.where))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toSchedule);
}

export async function listScheduleRuns(
  db: Db,
  userId: string,
  id: string,
  query: { limit: number; cursor?: string | undefined },
) {
  // The cursor is checked first: a bad one is 400 whoever owns the id.
  const page = keyset(scheduleRuns, query.cursor);
  await getOwnSchedule(db, userId, id);
  const rows = await db
    .select()
    .from(scheduleRuns)
    .where(and(eq(scheduleRuns.userId, userId), eq(scheduleRuns.scheduleId, id), page.where))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toScheduleRun);
}

/** Runs the schedule's target now, as an extra tick; the regular ticks are untouched. */
export async function runScheduleNow(env: Env, userId: string, id: string) {
  const db = getDb(env);
  const schedule = await getOwnSchedule(db, userId, id);
  const now = Date.now();
  await runTick(env, schedule, { fire: true, tick: now, missed: 0, reason: null }, "manual", now);
  const run = await db.query.scheduleRuns.findFirst({
    where: and(eq(scheduleRuns.scheduleId, id), eq(scheduleRuns.tickAt, now)),
  });
  if (!run) throw new AppError(409, "tick_taken", "Another run started in the same millisecond; try again");
  return toScheduleRun(run);
}
