/** Request and response shapes of /api/v1/schedules. */
import { z } from "@hono/zod-openapi";
import { MISSED_RUN_POLICIES, SCHEDULE_RUN_STATUSES, type scheduleRuns, type schedules } from "../../../db/schema";
import { pageSchema } from "../../../lib/pagination";
import { toIso, toIsoOrNull } from "../../../lib/time";
import { ChildTaskBody } from "../engine/task-body";

const Cron = z.string().trim().min(1).max(120).openapi({
  description: "5 fields (min hour day month weekday), or 6 with seconds first; `@daily` etc.",
  example: "0 9 * * 1-5",
});
const TimeZone = z
  .string()
  .min(1)
  .max(64)
  .openapi({ description: "IANA time zone the cron is read in", example: "Europe/Berlin" });

export const ScheduleTarget = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("task"), task: ChildTaskBody }).strict(),
    z
      .object({
        kind: z.literal("workflow"),
        workflow_id: z.string().min(1).max(64),
        version: z.number().int().min(1).optional(),
        input: z.record(z.string(), z.unknown()).optional(),
      })
      .strict(),
  ])
  .openapi("ScheduleTarget", { description: "What each tick starts: a task, or a run of a workflow" });
export type ScheduleTarget = z.infer<typeof ScheduleTarget>;

export const CreateScheduleBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    cron: Cron,
    timezone: TimeZone.default("UTC"),
    target: ScheduleTarget,
    missed_policy: z.enum(MISSED_RUN_POLICIES).default("skip").openapi({
      description: "Ticks found late (downtime): `skip` them, or `catch_up_once` with one run for all of them",
    }),
    enabled: z.boolean().default(true),
  })
  .strict()
  .openapi("CreateScheduleRequest");

export const UpdateScheduleBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    cron: Cron.optional(),
    timezone: TimeZone.optional(),
    target: ScheduleTarget.optional(),
    missed_policy: z.enum(MISSED_RUN_POLICIES).optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .openapi("UpdateScheduleRequest");

export const ScheduleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    cron: z.string(),
    timezone: z.string(),
    target: ScheduleTarget,
    missed_policy: z.enum(MISSED_RUN_POLICIES),
    enabled: z.boolean(),
    next_run_at: z.string().nullable().openapi({ format: "date-time" }),
    last_run_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Schedule");

export function toTarget(row: typeof schedules.$inferSelect): ScheduleTarget {
  return row.targetKind === "task"
    ? { kind: "task", task: row.target as z.infer<typeof ChildTaskBody> }
    : ({ kind: "workflow", ...row.target } as ScheduleTarget);
}

export function toSchedule(row: typeof schedules.$inferSelect): z.infer<typeof ScheduleSchema> {
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    target: toTarget(row),
    missed_policy: row.missedPolicy,
    enabled: row.enabled,
    next_run_at: toIsoOrNull(row.nextRunAt),
    last_run_at: toIsoOrNull(row.lastRunAt),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

export const ScheduleDetailSchema = ScheduleSchema.extend({
  next_runs: z.array(z.string()).openapi({ description: "The next five ticks" }),
}).openapi("ScheduleDetail");
export const SchedulePageSchema = pageSchema(ScheduleSchema, "SchedulePage");

export const ScheduleRunSchema = z
  .object({
    id: z.string(),
    schedule_id: z.string(),
    tick_at: z.string().openapi({ format: "date-time" }),
    trigger: z.string().openapi({ description: "alarm, cron (the sweep) or manual" }),
    status: z.enum(SCHEDULE_RUN_STATUSES),
    task_id: z.string().nullable(),
    workflow_run_id: z.string().nullable(),
    missed_ticks: z.number().int(),
    latency_ms: z.number().int().nullable().openapi({ description: "From the tick to the work starting" }),
    cost_micros: z.number().int(),
    error: z.string().nullable(),
    finished_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ScheduleRun");

export function toScheduleRun(row: typeof scheduleRuns.$inferSelect): z.infer<typeof ScheduleRunSchema> {
  return {
    id: row.id,
    schedule_id: row.scheduleId,
    tick_at: toIso(row.tickAt),
    trigger: row.trigger,
    status: row.status,
    task_id: row.taskId,
    workflow_run_id: row.workflowRunId,
    missed_ticks: row.missedTicks,
    latency_ms: row.latencyMs,
    cost_micros: row.costMicros,
    error: row.error,
    finished_at: toIsoOrNull(row.finishedAt),
    created_at: toIso(row.createdAt),
  };
}
export const ScheduleRunPageSchema = pageSchema(ScheduleRunSchema, "ScheduleRunPage");

export const PreviewBody = z
  .object({
    cron: Cron,
    timezone: TimeZone.default("UTC"),
    count: z.number().int().min(1).max(50).default(5),
    after: z.iso.datetime({ offset: true }).optional().openapi({ description: "Ticks after this time (default now)" }),
  })
  .strict()
  .openapi("SchedulePreviewRequest");
export const PreviewSchema = z
  .object({
    next_runs: z.array(z.string()),
    local: z.array(z.string()).openapi({ description: "The same ticks in the zone" }),
  })
  .openapi("SchedulePreview");

export const ScheduleIdParam = z.object({ id: z.string().min(1).max(64) });
