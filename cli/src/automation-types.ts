/**
 * Shapes of the automation API (tasks, workflows, schedules) the CLI reads; loose, so new
 * fields pass, and tied to the Worker's schemas at compile time (`reads`, ./reads.ts).
 */
import { z } from "zod";
import type {
  PreviewSchema,
  ScheduleDetailSchema,
  SchedulePageSchema,
  ScheduleRunPageSchema,
  ScheduleRunSchema,
} from "../../worker/features/automation/schedules/schemas";
import type { TaskDetailSchema, TaskPageSchema, TaskSchema } from "../../worker/features/automation/tasks/schemas";
import type {
  RunDetailSchema,
  RunPageSchema,
  WorkflowPageSchema,
  WorkflowSchema,
} from "../../worker/features/automation/workflows/schemas";
import type { RecentResponse } from "../../worker/features/events/schemas";
import { reads } from "./reads";

const Progress = z.looseObject({ percent: z.number(), message: z.string().nullable() });

export const Task = reads<z.infer<typeof TaskSchema>>()(
  z.looseObject({
    id: z.string(),
    parent_id: z.string().nullable(),
    title: z.string(),
    kind: z.string(),
    priority: z.string(),
    status: z.string(),
    attempt: z.number(),
    retry_count: z.number(),
    error: z.string().nullable(),
    result: z.unknown(),
    progress: Progress,
    created_at: z.string(),
    completed_at: z.string().nullable(),
  }),
);
export type Task = z.infer<typeof Task>;
export const TaskPage = reads<z.infer<typeof TaskPageSchema>>()(
  z.looseObject({ items: z.array(Task), next_cursor: z.string().nullable() }),
);
export const TaskDetail = reads<z.infer<typeof TaskDetailSchema>>()(
  Task.extend({
    children: z.looseObject({ total: z.number(), by_status: z.record(z.string(), z.number()) }),
  }),
);
export type TaskDetail = z.infer<typeof TaskDetail>;

export const Workflow = reads<z.infer<typeof WorkflowSchema>>()(
  z.looseObject({
    id: z.string(),
    name: z.string(),
    latest_version: z.number(),
    created_at: z.string(),
  }),
);
export const WorkflowPage = reads<z.infer<typeof WorkflowPageSchema>>()(
  z.looseObject({ items: z.array(Workflow), next_cursor: z.string().nullable() }),
);
export const Run = reads<z.infer<typeof RunDetailSchema>>()(
  z.looseObject({
    id: z.string(),
    workflow_id: z.string(),
    version: z.number(),
    status: z.string(),
    error: z.string().nullable(),
    progress: Progress,
    started_at: z.string(),
    steps: z
      .array(z.looseObject({ step_id: z.string(), kind: z.string(), status: z.string(), attempt: z.number() }))
      .optional(),
  }),
);
export type Run = z.infer<typeof Run>;
export const RunPage = reads<z.infer<typeof RunPageSchema>>()(
  z.looseObject({ items: z.array(Run), next_cursor: z.string().nullable() }),
);

export const Schedule = reads<z.infer<typeof ScheduleDetailSchema>>()(
  z.looseObject({
    id: z.string(),
    name: z.string(),
    cron: z.string(),
    timezone: z.string(),
    enabled: z.boolean(),
    missed_policy: z.string(),
    next_run_at: z.string().nullable(),
    next_runs: z.array(z.string()).optional(),
  }),
);
export const SchedulePage = reads<z.infer<typeof SchedulePageSchema>>()(
  z.looseObject({ items: z.array(Schedule), next_cursor: z.string().nullable() }),
);
export const ScheduleRun = reads<z.infer<typeof ScheduleRunSchema>>()(
  z.looseObject({
    id: z.string(),
    tick_at: z.string(),
    trigger: z.string(),
    status: z.string(),
    latency_ms: z.number().nullable(),
    cost_micros: z.number(),
    task_id: z.string().nullable(),
    workflow_run_id: z.string().nullable(),
    error: z.string().nullable(),
  }),
);
export const ScheduleRunPage = reads<z.infer<typeof ScheduleRunPageSchema>>()(
  z.looseObject({ items: z.array(ScheduleRun), next_cursor: z.string().nullable() }),
);
export const Preview = reads<z.infer<typeof PreviewSchema>>()(
  z.looseObject({ next_runs: z.array(z.string()), local: z.array(z.string()) }),
);
export const RecentEvents = reads<z.infer<typeof RecentResponse>>()(z.looseObject({ last_event_id: z.number() }));
