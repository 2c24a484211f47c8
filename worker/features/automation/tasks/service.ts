/**
 * Tasks through the API (and schedules): create with children, read, list with
 * filters, cancel a tree (retrying one is ./retry.ts). Running them is the
 * TaskQueue's job (./queue.ts); every change here wakes it.
 */
import { and, asc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { containsText } from "../../../db/like";
import { type TaskStatus, tasks, workflows } from "../../../db/schema";
import { AppError } from "../../../errors";
import { newId } from "../../../lib/ids";
import { keyset, toPage } from "../../../lib/pagination";
import type { RequestMeta } from "../../../lib/request-meta";
import { type Actor, auditInsert } from "../../audit/record";
import { getConfig } from "../../config/service";
import { publishEvent } from "../../events/publish";
import { runBatch, type Statement } from "../engine/batch";
import { cancelTaskTree, taskRef, taskTopics, wakeQueue } from "../engine/task-outcome";
import { isTerminal, PRIORITIES, type PriorityName } from "../engine/task-status";
import type { ChildTaskBody, CreateTaskBody } from "./schemas";
import { toTask } from "./schemas";

type TaskRow = typeof tasks.$inferSelect;

/** Whose task it is, and the scopes it may run with (the creator's, or a schedule's grant). */
export type TaskOwner = { userId: string; scopes: readonly string[] };
export type Audit = { meta: RequestMeta; actor: Actor };

function notFound(): never {
  throw new AppError(404, "not_found", "Task not found");
}

export async function getOwnTask(db: Db, userId: string, id: string): Promise<TaskRow> {
  const row = await db.query.tasks.findFirst({ where: and(eq(tasks.id, id), eq(tasks.userId, userId)) });
  return row ?? notFound();
}

async function checkAction(db: Db, owner: TaskOwner, action: ChildTaskBody["action"]) {
  if (action.kind === "tool" && !owner.scopes.includes("tools:execute"))
    throw new AppError(403, "scope_not_allowed", "A tool task needs the tools:execute scope", {
      required: ["tools:execute"],
    });
  if (action.kind === "workflow") {
    const workflow = await db.query.workflows.findFirst({
      where: and(eq(workflows.id, action.workflow_id), eq(workflows.userId, owner.userId)),
    });
    if (!workflow)
      throw new AppError(422, "unknown_workflow", "No such workflow of yours", { workflow_id: action.workflow_id });
  }
}

function buildRow(
  owner: TaskOwner,
  body: ChildTaskBody,
  parentId: string | null,
  defaults: { retries: number },
  now: number,
) {
  const runAfter = body.run_at ? Date.parse(body.run_at) : now;
  return {
    id: newId(),
    userId: owner.userId,
    parentId,
    title: body.title,
    description: body.description ?? "",
    kind: body.action.kind,
    action: body.action as Record<string, unknown>,
    parameters: body.parameters ?? {},
    priority: PRIORITIES[body.priority as PriorityName],
    status: (runAfter > now ? "pending" : "queued") as TaskStatus,
    integration: body.integration ?? null,
    maxRetries: body.max_retries ?? defaults.retries,
    timeoutMs: body.timeout_ms ?? null,
    runAfter,
    scopes: [...owner.scopes],
    createdAt: now,
    updatedAt: now,
  };
}

/** Creates a task (and its children) and wakes the queue. */
export async function createTask(
  env: Env,
  owner: TaskOwner,
  body: CreateTaskBody,
  options: { audit?: Audit; scheduleRunId?: string } = {},
) {
  const db = getDb(env);
  if (body.parent_id) {
    const parent = await getOwnTask(db, owner.userId, body.parent_id).catch(() => {
      throw new AppError(422, "unknown_parent", "No such task of yours to be the parent", {
        parent_id: body.parent_id,
      });
    });
    if (isTerminal(parent.status)) throw new AppError(409, "parent_finished", "The parent task has already finished");
  }
  for (const item of [body, ...(body.children ?? [])]) await checkAction(db, owner, item.action);
  const policy = await getConfig(env, "task_queue");
  const now = Date.now();
  const defaults = { retries: policy.default_max_retries };
  const root = {
    ...buildRow(owner, body, body.parent_id ?? null, defaults, now),
    scheduleRunId: options.scheduleRunId ?? null,
  };
  const children = (body.children ?? []).map((child) => buildRow(owner, child, root.id, defaults, now));
  const writes: Statement[] = [
    db.insert(tasks).values(root),
    ...children.map((child) => db.insert(tasks).values(child)),
  ];
  if (options.audit) {
    writes.push(
      auditInsert(db, options.audit.meta, options.audit.actor, {
        ownerId: owner.userId,
        action: "task.create",
        resourceType: "task",
        resourceId: root.id,
        newValues: { title: root.title, kind: root.kind, priority: body.priority, children: children.length },
      }),
    );
  }
  await runBatch(db, writes);
  const created = await db
    .select()
    .from(tasks)
    .where(inArray(tasks.id, [root.id, ...children.map((c) => c.id)]));
  const byId = new Map(created.map((row) => [row.id, row]));
  await Promise.all(created.map((row) => publishEvent(env, row.userId, "task.created", taskRef(row), taskTopics(row))));
  await wakeQueue(env, owner.userId);
  const task = byId.get(root.id) ?? notFound();
  return { ...toTask(task), children: children.map((child) => toTask(byId.get(child.id) ?? notFound())) };
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
export async function cancelTask(env: Env, userId: string, id: string, audit: Audit) {
  const db = getDb(env);
  const task = await getOwnTask(db, userId, id);
  if (isTerminal(task.status)) throw new AppError(409, "task_finished", `The task has already ${task.status}`);
  const cancelled = await cancelTaskTree(env, task, "cancelled by the user");
  await auditInsert(db, audit.meta, audit.actor, {
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

/** Tasks of a user the queue may run now, best first. */
export function readyTasks(db: Db, userId: string, now: number, limit: number) {
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.userId, userId), eq(tasks.status, "queued"), sql`${tasks.runAfter} <= ${now}`))
    .orderBy(sql`${tasks.priority} DESC`, asc(tasks.createdAt), asc(tasks.id))
    .limit(limit);
}
