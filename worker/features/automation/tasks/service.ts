/**
 * Tasks through the API (and schedules): create with children, read, list with
 * filters, cancel a tree (retrying one is ../engine/task-retry.ts). Running them is the
 * TaskQueue's job (../engine/queue.ts); every change here wakes it.
 */
import { and, asc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { containsText } from "../../../db/like";
import { type TaskStatus, tasks } from "../../../db/schema";
import { AppError } from "../../../errors";
import { keyset, toPage } from "../../../lib/pagination";
import type { RequestMeta } from "../../../lib/request-meta";
import { actorOf, auditInsert } from "../../audit/record";
import type { Principal } from "../../auth/principal";
import { createTask as createTaskRows, getOwnTask, taskOwnerOf } from "../engine/task-create";
import { cancelTaskTree, wakeQueue } from "../engine/task-outcome";
import { isTerminal, PRIORITIES, type PriorityName } from "../engine/task-status";
import type { CreateTaskBody } from "./schemas";
import { toTask } from "./schemas";

type TaskRow = typeof tasks.$inferSelect;

/** Creates a task (and its children) for the caller, audited, and wakes their queue. */
export async function createTask(env: Env, principal: Principal, body: CreateTaskBody, meta: RequestMeta) {
  const { root, children } = await createTaskRows(env, taskOwnerOf(principal), body, {
    audit: { meta, actor: actorOf(principal) },
  });
  return { ...toTask(root), children: children.map(toTask) };
}

export type TaskFilters = {
  limit: number;
  cursor?: string | undefined;
  status?: TaskStatus[] | undefined;
  kind?: string[] | undefined;
  priority?: string[] | undefined;
  parentId?: string | undefined;
  q?: string | undefined;
};

export async function listTasks(db: Db, userId: string, filters: TaskFilters) {
  const page = keyset(tasks, filters.cursor);
  const conditions: Array<SQL | undefined> = [eq(tasks.userId, userId), page.where];
  if (filters.status) conditions.push(inArray(tasks.status, filters.status));
  if (filters.kind) conditions.push(inArray(tasks.kind, filters.kind as TaskRow["kind"][]));
  if (filters.priority)
    conditions.push(
      inArray(
        tasks.priority,
        filters.priority.map((p) => PRIORITIES[p as PriorityName]),
      ),
    );
  if (filters.parentId === "none") conditions.push(isNull(tasks.parentId));
  else if (filters.parentId) conditions.push(eq(tasks.parentId, filters.parentId));
  if (filters.q) conditions.push(containsText(tasks.title, filters.q));
  const rows = await db
    .select()
    .from(tasks)
    .where(and(...conditions))
    .orderBy(...page.orderBy)
    .limit(filters.limit + 1);
  return toPage(rows, filters.limit, toTask);
}

export async function taskDetail(db: Db, userId: string, id: string) {
  const task = await getOwnTask(db, userId, id);
  const [counts, items] = await Promise.all([
    db
      .select({ status: tasks.status, n: sql<number>`COUNT(*)` })
      .from(tasks)
      .where(eq(tasks.parentId, id))
      .groupBy(tasks.status),
    db.select().from(tasks).where(eq(tasks.parentId, id)).orderBy(asc(tasks.createdAt), asc(tasks.id)).limit(100),
  ]);
  const byStatus = Object.fromEntries(counts.map((row) => [row.status, row.n]));
  const total = counts.reduce((sum, row) => sum + row.n, 0);
  return { ...toTask(task), children: { total, by_status: byStatus, items: items.map(toTask) } };
}

/** Cancels the task and its unfinished descendants; 409 if it had already finished. */
export async function cancelTask(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const { userId } = principal;
  const db = getDb(env);
  const task = await getOwnTask(db, userId, id);
  if (isTerminal(task.status)) throw new AppError(409, "task_finished", `The task has already ${task.status}`);
  const cancelled = await cancelTaskTree(env, task, "cancelled by the user");
  await auditInsert(db, meta, actorOf(principal), {
    ownerId: userId,
    action: "task.cancel",
    resourceType: "task",
    resourceId: id,
    oldValues: { status: task.status },
    newValues: { status: "cancelled", cancelled: cancelled.length },
  });
  await wakeQueue(env, userId);
  return toTask(await getOwnTask(db, userId, id));
}
