/** Request and response shapes of /api/v1/tasks. */
import { z } from "@hono/zod-openapi";
import { TASK_FAILURE_CAUSES, TASK_KINDS, TASK_STATUSES, type tasks } from "../../../db/schema";
import { pageSchema } from "../../../lib/pagination";
import { toIso, toIsoOrNull } from "../../../lib/time";
import { HubEventSchema } from "../../events/catalog";
import { PRIORITY_NAMES, priorityName } from "../engine/task-status";

export { ChildTaskBody, CreateTaskBody, TaskAction } from "../engine/task-body";

export const TaskSchema = z
  .object({
    id: z.string(),
    parent_id: z.string().nullable(),
    title: z.string(),
    description: z.string(),
    kind: z.enum(TASK_KINDS),
    action: z.record(z.string(), z.unknown()),
    parameters: z.record(z.string(), z.unknown()),
    priority: z.enum(PRIORITY_NAMES),
    status: z.enum(TASK_STATUSES),
    integration: z.string().nullable(),
    result: z.unknown().nullable(),
    error: z.string().nullable(),
    failure_cause: z.enum(TASK_FAILURE_CAUSES).nullable().openapi({
      description:
        "Why a failed task failed: its own `action`, or `children` that did not succeed (retrying such a child reopens it)",
    }),
    retry_count: z.number().int(),
    max_retries: z.number().int(),
    attempt: z.number().int(),
    timeout_ms: z.number().int().nullable(),
    run_after: z.string().openapi({ format: "date-time" }),
    progress: z.object({ percent: z.number().int(), message: z.string().nullable() }),
    workflow_run_id: z.string().nullable(),
    schedule_run_id: z.string().nullable(),
    cost_micros: z.number().int(),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
    started_at: z.string().nullable().openapi({ format: "date-time" }),
    completed_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("Task");
export type TaskDto = z.infer<typeof TaskSchema>;

export const TaskDetailSchema = TaskSchema.extend({
  children: z.object({
    total: z.number().int(),
    by_status: z.record(z.string(), z.number().int()),
    items: z.array(TaskSchema).openapi({ description: "Up to 100 children, oldest first" }),
  }),
}).openapi("TaskDetail");

export const CreatedTaskSchema = TaskSchema.extend({ children: z.array(TaskSchema) }).openapi("CreatedTask");

export function toTask(row: typeof tasks.$inferSelect): TaskDto {
  return {
    id: row.id,
    parent_id: row.parentId,
    title: row.title,
    description: row.description,
    kind: row.kind,
    action: row.action,
    parameters: row.parameters,
    priority: priorityName(row.priority),
    status: row.status,
    integration: row.integration,
    result: row.result ?? null,
    error: row.error,
    failure_cause: row.failureCause,
    retry_count: row.retryCount,
    max_retries: row.maxRetries,
    attempt: row.attempt,
    timeout_ms: row.timeoutMs,
    run_after: toIso(row.runAfter),
    progress: { percent: row.progressPercent, message: row.progressMessage },
    workflow_run_id: row.workflowRunId,
    schedule_run_id: row.scheduleRunId,
    cost_micros: row.costMicros,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    started_at: toIsoOrNull(row.startedAt),
    completed_at: toIsoOrNull(row.completedAt),
  };
}

export const TaskPageSchema = pageSchema(TaskSchema, "TaskPage");

const csvOf = <T extends string>(values: readonly [T, ...T[]], what: string) =>
  z
    .string()
    .max(500)
    .optional()
    .transform((value, ctx) => {
      if (!value) return undefined;
      const items = value.split(",").map((item) => item.trim());
      const bad = items.find((item) => !(values as readonly string[]).includes(item));
      if (bad) {
        ctx.addIssue({ code: "custom", message: `Not a ${what}: ${bad}` });
        return z.NEVER;
      }
      return items as T[];
    })
    .openapi({ type: "string", description: `Comma-separated ${what}s (${values.join(", ")})` });

export const TaskListQuery = z.object({
  status: csvOf(TASK_STATUSES, "status"),
  kind: csvOf(TASK_KINDS, "kind"),
  priority: csvOf(PRIORITY_NAMES as [string, ...string[]], "priority"),
  parent_id: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ description: "Children of this task; `none` for top-level tasks" }),
  q: z.string().min(1).max(200).optional().openapi({ description: "Title contains this text" }),
});

export const TaskIdParam = z.object({ id: z.string().min(1).max(64) });

export const TaskEventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export const TaskEventsSchema = z
  .object({
    items: z.array(HubEventSchema).openapi({ description: "The task's and its children's events, oldest first" }),
  })
  .openapi("TaskEvents");
