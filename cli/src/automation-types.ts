/** Shapes of the automation API (tasks, workflows, schedules) the CLI reads; loose, so new fields pass. */
import { z } from "zod";

const Progress = z.looseObject({ percent: z.number(), message: z.string().nullable() });

export const Task = z.looseObject({
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
});
export type Task = z.infer<typeof Task>;
export const TaskPage = z.looseObject({ items: z.array(Task), next_cursor: z.string().nullable() });
export const TaskDetail = Task.extend({
  children: z.looseObject({ total: z.number(), by_status: z.record(z.string(), z.number()) }),
});
export type TaskDetail = z.infer<typeof TaskDetail>;

export const Workflow = z.looseObject({
  id: z.string(),
  name: z.string(),
  latest_version: z.number(),
  created_at: z.string(),
});
export const WorkflowPage = z.looseObject({ items: z.array(Workflow), next_cursor: z.string().nullable() });
export const Run = z.looseObject({
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
});
export type Run = z.infer<typeof Run>;
export const RunPage = z.looseObject({ items: z.array(Run), next_cursor: z.string().nullable() });

export const Schedule = z.looseObject({
  id: z.string(),
  name: z.string(),
  cron: z.string(),
  timezone: z.string(),
  enabled: z.boolean(),
  missed_policy: z.string(),
  next_run_at: z.string().nullable(),
  next_runs: z.array(z.string()).optional(),
});
export const SchedulePage = z.looseObject({ items: z.array(Schedule), next_cursor: z.string().nullable() });
export const ScheduleRun = z.looseObject({
  id: z.string(),
  tick_at: z.string(),
  trigger: z.string(),
  status: z.string(),
  latency_ms: z.number().nullable(),
  cost_micros: z.number(),
  task_id: z.string().nullable(),
  workflow_run_id: z.string().nullable(),
  error: z.string().nullable(),
});
export const ScheduleRunPage = z.looseObject({ items: z.array(ScheduleRun), next_cursor: z.string().nullable() });
export const Preview = z.looseObject({ next_runs: z.array(z.string()), local: z.array(z.string()) });
export const RecentEvents = z.looseObject({ last_event_id: z.number() });
