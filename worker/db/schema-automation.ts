/**
 * Tasks, workflows, schedules, webhooks, dead letters and the event store: the
 * tables of automation (docs/automation.md). D1 is the source of truth; the TaskQueue and
 * WorkflowRun Durable Objects only drive execution from it, so a crashed object
 * resumes from these rows. Times are epoch ms, every row is owned by `user_id`.
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt, updatedAt } from "./columns";
import { owner } from "./owner";

const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();

export const TASK_STATUSES = ["pending", "queued", "running", "retrying", "succeeded", "failed", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_KINDS = ["tool", "http", "agent", "sleep", "workflow", "group"] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
/** Why a task failed: its own action, or a child that did not succeed (only the latter is revived by a child's retry). */
export const TASK_FAILURE_CAUSES = ["action", "children"] as const;
export type TaskFailureCause = (typeof TASK_FAILURE_CAUSES)[number];

/**
 * A unit of work in the user's queue. `action` is what runs (a step definition or
 * a workflow reference); `group` tasks only gather children. A parent finishes
 * when its own action and all its children have.
 */
export const tasks = sqliteTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    parentId: text("parent_id"),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    kind: text("kind", { enum: TASK_KINDS }).notNull(),
    action: json<Record<string, unknown>>("action").notNull(),
    parameters: json<Record<string, unknown>>("parameters").notNull().default({}),
    /** 1 low, 2 normal, 3 high, 4 urgent: higher runs first. */
    priority: integer("priority").notNull().default(2),
    status: text("status", { enum: TASK_STATUSES }).notNull(),
    /** Token-bucket key in `integration_rate_limits` (e.g. `erp`, `slack`). */
    integration: text("integration"),
    result: json<unknown>("result"),
    error: text("error"),
    /** Set with status `failed`, cleared when the task is queued or reopened again. */
    failureCause: text("failure_cause", { enum: TASK_FAILURE_CAUSES }),
    retryCount: integer("retry_count").notNull().default(0),
    maxRetries: integer("max_retries").notNull().default(3),
    attempt: integer("attempt").notNull().default(0),
    timeoutMs: integer("timeout_ms"),
    /** When a pending/retrying/queued task may start next. */
    runAfter: integer("run_after").notNull(),
    progressPercent: integer("progress_percent").notNull().default(0),
    progressMessage: text("progress_message"),
    /** The scopes the creator held: the task never runs with more. */
    scopes: json<string[]>("scopes").notNull(),
    /** The API key it was created through, if any: it runs with no more than that key holds when it runs. */
    apiKeyId: text("api_key_id"),
    workflowRunId: text("workflow_run_id"),
    scheduleRunId: text("schedule_run_id"),
    costMicros: integer("cost_micros").notNull().default(0),
    /** Set when the task's own action has finished (its children may still run). */
    actionFinishedAt: integer("action_finished_at"),
    startedAt: integer("started_at"),
    completedAt: integer("completed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("tasks_user_idx").on(t.userId, t.createdAt, t.id),
    index("tasks_dispatch_idx").on(t.userId, t.status, t.priority, t.createdAt),
    index("tasks_parent_idx").on(t.parentId),
    index("tasks_status_idx").on(t.status, t.runAfter),
  ],
);

export const workflows = sqliteTable(
  "workflows",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    latestVersion: integer("latest_version").notNull().default(1),
    archivedAt: integer("archived_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("workflows_user_idx").on(t.userId, t.createdAt, t.id)],
);

/** Every saved definition is a new immutable version; runs pin the version they started with. */
export const workflowVersions = sqliteTable(
  "workflow_versions",
  {
    workflowId: text("workflow_id")
      .notNull()
      .references(() => workflows.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    userId: owner(),
    definition: json<Record<string, unknown>>("definition").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workflowId, t.version] })],
);

export const RUN_STATUSES = ["running", "waiting", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const workflowRuns = sqliteTable(
  "workflow_runs",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    workflowId: text("workflow_id").notNull(),
    version: integer("version").notNull(),
    status: text("status", { enum: RUN_STATUSES }).notNull(),
    input: json<unknown>("input"),
    output: json<unknown>("output"),
    error: text("error"),
    scopes: json<string[]>("scopes").notNull(),
    /** The API key that started it (itself or through its task or schedule), if any. */
    apiKeyId: text("api_key_id"),
    taskId: text("task_id"),
    scheduleRunId: text("schedule_run_id"),
    progressPercent: integer("progress_percent").notNull().default(0),
    progressMessage: text("progress_message"),
    costMicros: integer("cost_micros").notNull().default(0),
    /** Last time the run's object advanced it; the cron sweep wakes runs that went quiet. */
    heartbeatAt: integer("heartbeat_at").notNull(),
    startedAt: integer("started_at").notNull(),
    finishedAt: integer("finished_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("workflow_runs_user_idx").on(t.userId, t.createdAt, t.id),
    index("workflow_runs_workflow_idx").on(t.workflowId, t.createdAt),
    index("workflow_runs_status_idx").on(t.status, t.heartbeatAt),
  ],
);

export const STEP_STATUSES = [
  "pending",
  "running",
  "retrying",
  "waiting",
  "succeeded",
  "failed",
  "skipped",
  "cancelled",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** One row per step of a run: written before a step starts and as soon as it ends. */
export const workflowStepRuns = sqliteTable(
  "workflow_step_runs",
  {
    runId: text("run_id")
      .notNull()
      .references(() => workflowRuns.id, { onDelete: "cascade" }),
    stepId: text("step_id").notNull(),
    userId: owner(),
    kind: text("kind").notNull(),
    /** Order of the step in the definition (depth-first), for display. */
    position: integer("position").notNull(),
    status: text("status", { enum: STEP_STATUSES }).notNull().default("pending"),
    attempt: integer("attempt").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at"),
    wakeAt: integer("wake_at"),
    input: json<unknown>("input"),
    output: json<unknown>("output"),
    error: text("error"),
    /** Sent with the step's side effect (HTTP `Idempotency-Key`, tool call id) on every attempt. */
    idempotencyKey: text("idempotency_key").notNull(),
    costMicros: integer("cost_micros").notNull().default(0),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.stepId] })],
);

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

export const workflowRunLogs = sqliteTable(
  "workflow_run_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    runId: text("run_id")
      .notNull()
      .references(() => workflowRuns.id, { onDelete: "cascade" }),
    userId: owner(),
    stepId: text("step_id"),
    level: text("level", { enum: LOG_LEVELS }).notNull(),
    message: text("message").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("workflow_run_logs_run_idx").on(t.runId, t.id)],
);

export const MISSED_RUN_POLICIES = ["skip", "catch_up_once"] as const;
export type MissedRunPolicy = (typeof MISSED_RUN_POLICIES)[number];
export const SCHEDULE_TARGETS = ["task", "workflow"] as const;

export const schedules = sqliteTable(
  "schedules",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    name: text("name").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull().default("UTC"),
    targetKind: text("target_kind", { enum: SCHEDULE_TARGETS }).notNull(),
    /** A task to create (the POST /tasks body) or `{workflow_id, input}`. */
    target: json<Record<string, unknown>>("target").notNull(),
    missedPolicy: text("missed_policy", { enum: MISSED_RUN_POLICIES }).notNull().default("skip"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    scopes: json<string[]>("scopes").notNull(),
    /** The API key it was created through, if any (see tasks.apiKeyId). */
    apiKeyId: text("api_key_id"),
    nextRunAt: integer("next_run_at"),
    lastRunAt: integer("last_run_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("schedules_user_idx").on(t.userId, t.createdAt, t.id),
    index("schedules_due_idx").on(t.enabled, t.nextRunAt),
  ],
);

export const SCHEDULE_RUN_STATUSES = ["started", "succeeded", "failed", "cancelled", "skipped"] as const;
export type ScheduleRunStatus = (typeof SCHEDULE_RUN_STATUSES)[number];

/** One row per tick: the unique (schedule, tick) claim is what keeps two triggers from both firing it. */
export const scheduleRuns = sqliteTable(
  "schedule_runs",
  {
    id: text("id").primaryKey(),
    scheduleId: text("schedule_id")
      .notNull()
      .references(() => schedules.id, { onDelete: "cascade" }),
    userId: owner(),
    tickAt: integer("tick_at").notNull(),
    trigger: text("trigger").notNull(),
    status: text("status", { enum: SCHEDULE_RUN_STATUSES }).notNull(),
    taskId: text("task_id"),
    workflowRunId: text("workflow_run_id"),
    /** Ticks this run stands for beyond its own (missed ticks folded into one catch-up run, or skipped). */
    missedTicks: integer("missed_ticks").notNull().default(0),
    latencyMs: integer("latency_ms"),
    costMicros: integer("cost_micros").notNull().default(0),
    error: text("error"),
    finishedAt: integer("finished_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("schedule_runs_tick_idx").on(t.scheduleId, t.tickAt),
    index("schedule_runs_user_idx").on(t.userId, t.scheduleId, t.createdAt, t.id),
  ],
);

export const SUBSCRIPTION_KINDS = ["webhook", "slack", "discord", "email"] as const;
export type SubscriptionKind = (typeof SUBSCRIPTION_KINDS)[number];

export const webhookSubscriptions = sqliteTable(
  "webhook_subscriptions",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    name: text("name").notNull(),
    kind: text("kind", { enum: SUBSCRIPTION_KINDS }).notNull(),
    url: text("url"),
    /** The signing secret, AES-GCM sealed (we need it back to sign). */
    secretSealed: text("secret_sealed"),
    /** Exact types, topics (`task`) or `*`. */
    eventTypes: json<string[]>("event_types").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    disabledReason: text("disabled_reason"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    lastSuccessAt: integer("last_success_at"),
    lastFailureAt: integer("last_failure_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_subs_user_idx").on(t.userId, t.createdAt, t.id)],
);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed", "cancelled"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type DeliveryAttempt = { at: number; status_code: number | null; error: string | null; duration_ms: number };

export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    subscriptionId: text("subscription_id")
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: "cascade" }),
    userId: owner(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    /** The event as stored: `{id, seq, type, ts, data}`. */
    event: json<Record<string, unknown>>("event").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    attemptLog: json<DeliveryAttempt[]>("attempt_log").notNull().default([]),
    replay: integer("replay", { mode: "boolean" }).notNull().default(false),
    deliveredAt: integer("delivered_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("webhook_deliveries_sub_idx").on(t.subscriptionId, t.createdAt, t.id),
    index("webhook_deliveries_due_idx").on(t.userId, t.status, t.nextAttemptAt),
  ],
);

export const DEAD_LETTER_SOURCES = ["task", "webhook_delivery", "workflow_run"] as const;
export type DeadLetterSource = (typeof DEAD_LETTER_SOURCES)[number];

/** What gave up after its retries: inspectable, and replayable (which re-queues the original). */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    source: text("source", { enum: DEAD_LETTER_SOURCES }).notNull(),
    sourceId: text("source_id").notNull(),
    summary: text("summary").notNull(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    payload: json<unknown>("payload"),
    replayCount: integer("replay_count").notNull().default(0),
    replayedAt: integer("replayed_at"),
    createdAt: createdAt(),
  },
  (t) => [index("dead_letters_user_idx").on(t.userId, t.createdAt, t.id)],
);

/**
 * The append-only event store: every published event, newest kept in D1 and older
 * ones moved to R2 by the cron (`events/<user>/…ndjson`). `seq` is the hub's id.
 */
export const eventLog = sqliteTable(
  "event_log",
  {
    id: text("id").primaryKey(),
    userId: owner(),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    data: json<unknown>("data"),
    createdAt: createdAt(),
  },
  (t) => [index("event_log_user_idx").on(t.userId, t.createdAt, t.id), index("event_log_created_idx").on(t.createdAt)],
);
