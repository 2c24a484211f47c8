/**
 * Retrying a failed or cancelled task (POST /tasks/{id}/retry and dead-letter
 * replays). The task and its failed or cancelled descendants are queued again;
 * ancestors that failed only because a child did not succeed are reopened in the
 * same D1 batch, so they settle again when their children finish. An ancestor that
 * failed by its own action, or was cancelled, is left as it is.
 */
import { and, eq, inArray } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { tasks } from "../../../db/schema";
import { AppError } from "../../../errors";
import type { RequestMeta } from "../../../lib/request-meta";
import { actorOf, auditInsert } from "../../audit/record";
import type { Principal } from "../../auth/principal";
import { getOwnTask } from "./task-create";
import { publishRetrying, publishTaskStatus, settleTask, wakeQueue } from "./task-outcome";

type TaskRow = typeof tasks.$inferSelect;

const REQUEUE_TREE = `WITH RECURSIVE tree(id) AS (SELECT id FROM tasks WHERE id = ?1 AND user_id = ?2
    UNION ALL SELECT t.id FROM tasks t JOIN tree ON t.parent_id = tree.id)
  UPDATE tasks SET status = 'queued', error = NULL, failure_cause = NULL, result = NULL, retry_count = 0,
         run_after = ?3, completed_at = NULL, action_finished_at = NULL, progress_percent = 0,
         progress_message = NULL, workflow_run_id = NULL, updated_at = ?3
   WHERE id IN (SELECT id FROM tree) AND status IN ('failed', 'cancelled')
  RETURNING id`;

// Its own action is done (action_finished_at stays), so the reopened parent only waits for its children.
const REOPEN_PARENT = `UPDATE tasks SET status = 'running', error = NULL, failure_cause = NULL, completed_at = NULL,
         progress_message = NULL, updated_at = ?3
   WHERE id = ?1 AND user_id = ?2 AND status = 'failed' AND failure_cause = 'children'
  RETURNING id`;

/** The ancestors a retry of `task` reopens, nearest first: each failed because of its children. */
async function revivableAncestors(db: Db, task: TaskRow): Promise<TaskRow[]> {
  const chain: TaskRow[] = [];
  let parentId = task.parentId;
  while (parentId) {
    const parent = await db.query.tasks.findFirst({
      where: and(eq(tasks.id, parentId), eq(tasks.userId, task.userId)),
    });
    if (parent?.status !== "failed" || parent.failureCause !== "children") break;
    chain.push(parent);
    parentId = parent.parentId;
  }
  return chain;
}

/**
 * Re-queues a failed or cancelled task, with a fresh retry budget; completed work (succeeded children) is kept.
 * `meta` is null when the caller audits the retry itself (a dead-letter replay). Returns the task row.
 */
export async function retryTask(env: Env, principal: Principal, id: string, meta: RequestMeta | null) {
  const { userId } = principal;
  const db = getDb(env);
  const task = await getOwnTask(db, userId, id);
  if (task.status !== "failed" && task.status !== "cancelled")
    throw new AppError(
      409,
      "not_retryable",
      `Only failed or cancelled tasks can be retried; this one is ${task.status}`,
    );
  const now = Date.now();
  const ancestors = await revivableAncestors(db, task);
  const results = await env.DB.batch<{ id: string }>([
    ...ancestors.map((row) => env.DB.prepare(REOPEN_PARENT).bind(row.id, userId, now)),
    env.DB.prepare(REQUEUE_TREE).bind(id, userId, now),
  ]);
  const reopened = results.slice(0, -1).flatMap((result) => result.results.map((row) => row.id));
  const requeued = results.at(-1)?.results.map((row) => row.id) ?? [];
  if (meta) {
    await auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "task.retry",
      resourceType: "task",
      resourceId: id,
      oldValues: { status: task.status, error: task.error },
      newValues: { status: "queued", requeued: requeued.length, reopened },
    });
  }
  await announce(env, requeued, reopened, now);
  await wakeQueue(env, userId);
  return getOwnTask(db, userId, id);
}

/**
 * Tells the live feed: re-queued tasks as `task.retrying` (due now), reopened parents
 * as `task.started`. Each reopened parent is then settled again, nearest first: that
 * reports its progress, and ends it at once should its children all be done already.
 */
async function announce(env: Env, requeued: string[], reopened: string[], now: number) {
  const ids = [...requeued, ...reopened];
  if (!ids.length) return;
  const rows = await getDb(env).select().from(tasks).where(inArray(tasks.id, ids));
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const row of requeued.map((taskId) => byId.get(taskId))) if (row) await publishRetrying(env, row, now);
  for (const taskId of reopened) {
    const row = byId.get(taskId);
    if (row) await publishTaskStatus(env, row);
    await settleTask(env, taskId);
  }
}
