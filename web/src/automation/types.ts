/**
 * Automation resources as the console reads them; they mirror the zod schemas in
 * worker/features/{tasks,workflows,schedules,webhooks,dead-letters}/schemas.ts.
 */

export type Progress = { percent: number; message: string | null };

export type Task = {
  id: string;
  parent_id: string | null;
  title: string;
  description: string;
  kind: string;
  action: Record<string, unknown>;
  parameters: Record<string, unknown>;
  priority: "low" | "normal" | "high" | "urgent";
  status: string;
  result: unknown;
  error: string | null;
  failure_cause: "action" | "children" | null;
  attempt: number;
  retry_count: number;
  max_retries: number;
  progress: Progress;
  workflow_run_id: string | null;
  run_after: string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
};
export type TaskDetail = Task & { children: { total: number; by_status: Record<string, number>; items: Task[] } };

export type Workflow = {
  id: string;
  name: string;
  description: string;
  latest_version: number;
  definition: unknown;
  created_at: string;
};
export type WorkflowVersion = { version: number; definition: unknown; created_at: string };
export type StepRun = {
  step_id: string;
  kind: string;
  status: string;
  attempt: number;
  error: string | null;
  output: unknown;
  duration_ms: number | null;
};
export type Run = {
  id: string;
  workflow_id: string;
  version: number;
  status: string;
  error: string | null;
  progress: Progress;
  started_at: string;
  steps?: StepRun[];
};
export type LogLine = { id: number; step_id: string | null; level: string; message: string; created_at: string };
export type Issue = { path: string; message: string; code: string };

export type Schedule = {
  id: string;
  name: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  missed_policy: string;
  next_run_at: string | null;
  next_runs?: string[];
};
export type ScheduleRun = {
  id: string;
  tick_at: string;
  trigger: string;
  status: string;
  latency_ms: number | null;
  cost_micros: number;
  error: string | null;
};

export type Webhook = {
  id: string;
  name: string;
  kind: string;
  url: string | null;
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  consecutive_failures: number;
};
export type Delivery = {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
};
export type DeadLetter = {
  id: string;
  source: string;
  source_id: string;
  summary: string;
  error: string;
  attempts: number;
  replay_count: number;
  created_at: string;
};
