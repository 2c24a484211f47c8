/**
 * How a task ends: an attempt's result (success, a retry after backoff, or the
 * final failure with its dead letter), a workflow run finishing for its task,
 * and a parent settling once its own action and all its children are done.
 * Each write is conditional on the task still running, so a cancel that got
 * there first wins and nothing is reported twice.
 */
import { and, eq, inArray, notInArray, sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { deadLetters, type TaskStatus, tasks } from "../../../db/schema";
import { backoffDelay } from "../../../lib/backoff";
import { newId } from "../../../lib/ids";
import { toIso } from "../../../lib/time";
import { getConfig } from "../../config/service";
import { publishEvent } from "../../events/publish";
import { increment } from "../../observability/collector";
import { finishScheduleRun } from "./schedule-outcome";
import { isTerminal, TERMINAL_STATUSES } from "./task-status";

type TaskRow = typeof tasks.$inferSelect;

export type AttemptResult =
  | { ok: true; output: unknown; costMicros: number }
  | { ok: false; code: string; message: string; retryable: boolean; costMicros: number; cancelled?: boolean };

export function taskQueue(env: Env, userId: string) {
  return env.TASK_QUEUE.getByName(userId);
}

/** Asks the user's queue to look for work; never waits for it (the queue may be the caller). */
export async function wakeQueue(env: Env, userId: string) {
  try {
    await taskQueue(env, userId).wake(userId);
  } catch (error) {
    console.error(JSON.stringify({ level: "warn", msg: "queue wake failed", error: String(error) }));
  }
}

export function taskRef(row: TaskRow) {
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    status: row.status,
    parent_id: row.parentId,
    attempt: row.attempt,
    retry_count: row.retryCount,
    error: row.error,
  };
}

/** Topics a task's events go to besides their type: the task itself and its parent (watchers of a tree). */
export function taskTopics(row: { id: string; parentId: string | null }) {
  return [`task:${row.id}`, ...(row.parentId ? [`task:${row.parentId}`] : [])];
}

const STATUS_EVENT = {
  running: "task.started",
  succeeded: "task.succeeded",
  failed: "task.failed",
  cancelled: "task.cancelled",
} as const;

export async function publishTaskStatus(env: Env, row: TaskRow) {
  const type = STATUS_EVENT[row.status as keyof typeof STATUS_EVENT];
  if (type) await publishEvent(env, row.userId, type, taskRef(row), taskTopics(row));
}

/** `task.retrying`: the task runs again at `at` (after a backoff, or at once after a manual retry). */
export async function publishRetrying(env: Env, row: TaskRow, at: number) {
  await publishEvent(
    env,
    row.userId,
    "task.retrying",
    { ...taskRef(row), next_attempt_at: toIso(at) },
    taskTopics(row),
  );
}

async function reload(env: Env, id: string) {
  return getDb(env).query.tasks.findFirst({ where: eq(tasks.id, id) });
}

/** Records an attempt's result on a running task. */
export async function completeTaskAttempt(env: Env, task: TaskRow, result: AttemptResult): Promise<void> {
  const db = getDb(env);
  const now = Date.now();
  const cost = sql`${tasks.costMicros} + ${result.costMicros}`;
  const running = and(eq(tasks.id, task.id), eq(tasks.status, "running"));
  if (result.ok) {
    await db
      .update(tasks)
      .set({ result: result.output, error: null, costMicros: cost, actionFinishedAt: now, updatedAt: now })
      .where(running);
    return settleTask(env, task.id);
  }
  if (result.cancelled) return;
  const error = `${result.code}: ${result.message}`;
  if (result.retryable && task.retryCount < task.maxRetries) {
    const policy = await getConfig(env, "task_queue");
    const at = now + backoffDelay({ baseMs: policy.retry_base_ms, maxMs: policy.retry_max_ms }, task.retryCount + 1);
    const update = await db
      .update(tasks)
      .set({
        status: "retrying",
        error,
        retryCount: task.retryCount + 1,
        runAfter: at,
        costMicros: cost,
        updatedAt: now,
      })
      .where(running);
    if (update.meta.changes === 1) {
      await publishRetrying(env, { ...task, status: "retrying", error, retryCount: task.retryCount + 1 }, at);
    }
    return;
  }
  await db.update(tasks).set({ error, costMicros: cost, actionFinishedAt: now, updatedAt: now }).where(running);
  await failTask(env, task.id, error, true);
}

/** A workflow run ended: its task ends with it (the run's steps had their own retries). */
export async function finishTaskFromRun(
  env: Env,
  taskId: string,
  run: { outcome: "succeeded" | "failed" | "cancelled"; output: unknown; error: string | null; costMicros: number },
) {
  const task = await reload(env, taskId);
  if (task?.status !== "running") return;
  const result: AttemptResult =
    run.outcome === "succeeded"
      ? { ok: true, output: run.output, costMicros: run.costMicros }
      : {
          ok: false,
          code: `run_${run.outcome}`,
          message: run.error ?? run.outcome,
          retryable: false,
          costMicros: run.costMicros,
        };
  await completeTaskAttempt(env, task, result);
  await wakeQueue(env, task.userId);
}

/** Ends a running task as failed: children still open are cancelled; a dead letter keeps it for replay. */
export async function failTask(env: Env, id: string, error: string, deadLetter: boolean) {
  const db = getDb(env);
  const now = Date.now();
  const task = await reload(env, id);
  if (!task) return;
  const update = await db
    .update(tasks)
    .set({ status: "failed", failureCause: "action", error, completedAt: now, updatedAt: now })
    .where(and(eq(tasks.id, id), eq(tasks.status, "running")));
  if (update.meta.changes !== 1) return;
  const failed = { ...task, status: "failed" as const, failureCause: "action" as const, error, completedAt: now };
  if (deadLetter) {
    const letterId = newId();
    const summary = `task "${task.title}" (${task.kind})`;
    await db.insert(deadLetters).values({
      id: letterId,
      userId: task.userId,
      source: "task",
      sourceId: task.id,
      summary,
      error,
      attempts: task.attempt,
      payload: { title: task.title, kind: task.kind, action: task.action, parameters: task.parameters },
      createdAt: now,
    });
    increment("dead_letters_total", { source: "task" });
    await publishEvent(env, task.userId, "system.dead_letter", {
      id: letterId,
      source: "task",
      source_id: task.id,
      summary,
    });
  }
  await cancelOpenChildren(env, task);
  await afterTerminal(env, failed);
}

async function cancelOpenChildren(env: Env, task: TaskRow) {
  const db = getDb(env);
  const open = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.parentId, task.id), notInArray(tasks.status, [...TERMINAL_STATUSES])));
  for (const child of open) await cancelTaskTree(env, child, "the parent task failed");
}

/** Cancels a task and its unfinished descendants; returns the rows it cancelled. */
export async function cancelTaskTree(env: Env, root: TaskRow, reason: string): Promise<TaskRow[]> {
  const db = getDb(env);
  const now = Date.now();
  const { results } = await env.DB.prepare(
    `WITH RECURSIVE tree(id) AS (SELECT id FROM tasks WHERE id = ?1 AND user_id = ?2
       UNION ALL SELECT t.id FROM tasks t JOIN tree ON t.parent_id = tree.id)
     UPDATE tasks SET status = 'cancelled', error = ?3, completed_at = ?4, updated_at = ?4
      WHERE id IN (SELECT id FROM tree) AND status NOT IN ('succeeded', 'failed', 'cancelled')
     RETURNING id`,
  )
    .bind(root.id, root.userId, reason, now)
    .all<{ id: string }>();
  const ids = results.map((row) => row.id);
  if (!ids.length) return [];
  const cancelled = await db.select().from(tasks).where(inArray(tasks.id, ids));
  await taskQueue(env, root.userId).abort(ids);
  for (const row of cancelled) {
    increment("tasks_total", { status: "cancelled" });
    if (row.kind === "workflow" && row.workflowRunId)
      await env.WORKFLOW_RUN.getByName(row.workflowRunId).cancel(`task cancelled: ${reason}`);
    await publishTaskStatus(env, row);
    if (row.scheduleRunId) await finishScheduleRun(env, row.scheduleRunId, "cancelled", row.costMicros, reason);
  }
  const top = cancelled.find((row) => row.id === root.id);
  if (top?.parentId) await settleTask(env, top.parentId);
  return cancelled;
}

/**
 * Ends a running task whose action is done once its children are: succeeded if
 * all of them did, failed otherwise. Also reports a parent's progress.
 */
export async function settleTask(env: Env, id: string): Promise<void> {
  const db = getDb(env);
  const task = await reload(env, id);
  if (task?.status !== "running") return;
  const counts = await db
    .select({ status: tasks.status, n: sql<number>`COUNT(*)` })
    .from(tasks)
    .where(eq(tasks.parentId, id))
    .groupBy(tasks.status);
  const total = counts.reduce((sum, row) => sum + row.n, 0);
  const done = counts.filter((row) => isTerminal(row.status)).reduce((sum, row) => sum + row.n, 0);
  const failed = counts
    .filter((row) => row.status !== "succeeded" && isTerminal(row.status))
    .reduce((s, r) => s + r.n, 0);
  if (total > 0 && task.actionFinishedAt) {
    const percent = Math.floor((done / total) * 100);
    if (percent !== task.progressPercent)
      await reportProgress(env, task, percent, `${done} of ${total} child tasks done`);
  }
  if (!task.actionFinishedAt || done < total) return;
  const now = Date.now();
  const status: TaskStatus = failed ? "failed" : "succeeded";
  const error = failed ? `${failed} of ${total} child tasks did not succeed` : null;
  const failureCause = failed ? ("children" as const) : null;
  const update = await db
    .update(tasks)
    .set({ status, failureCause, error, completedAt: now, updatedAt: now, progressPercent: 100, progressMessage: null })
    .where(and(eq(tasks.id, id), eq(tasks.status, "running")));
  if (update.meta.changes !== 1) return;
  await afterTerminal(env, { ...task, status, failureCause, error, completedAt: now });
}

async function afterTerminal(env: Env, row: TaskRow) {
  increment("tasks_total", { status: row.status });
  await publishTaskStatus(env, row);
  if (row.scheduleRunId) {
    const outcome = row.status === "succeeded" ? "succeeded" : row.status === "cancelled" ? "cancelled" : "failed";
    await finishScheduleRun(env, row.scheduleRunId, outcome, row.costMicros, row.error);
  }
  if (row.parentId) await settleTask(env, row.parentId);
}

/** Writes a task's progress and publishes it live (topic `task:<id>`). */
export async function reportProgress(env: Env, task: TaskRow, percent: number, message: string | null) {
  await getDb(env)
    .update(tasks)
    .set({ progressPercent: percent, progressMessage: message, updatedAt: Date.now() })
    .where(and(eq(tasks.id, task.id), notInArray(tasks.status, [...TERMINAL_STATUSES])));
  await publishEvent(env, task.userId, "task.progress", { id: task.id, percent, message }, taskTopics(task));
}
