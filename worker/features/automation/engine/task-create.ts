/**
 * Creating tasks: the one path for a task and its children into the queue, used by
 * the tasks API (../tasks/service.ts) and by schedules firing (./schedule-fire.ts).
 * It checks the owner may run the action, writes the rows (and the audit row, when
 * a person asked) in one batch, announces them and wakes the owner's TaskQueue.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { type TaskStatus, tasks, workflows } from "../../../db/schema";
import { AppError } from "../../../errors";
import { newId } from "../../../lib/ids";
import type { RequestMeta } from "../../../lib/request-meta";
import { type Actor, auditInsert } from "../../audit/record";
import type { Principal } from "../../auth/principal";
import { getConfig } from "../../config/service";
import { publishEvent } from "../../events/publish";
import { runBatch, type Statement } from "./batch";
import { apiKeyIdOf, type Grant } from "./grant";
import type { ChildTaskBody, CreateTaskBody } from "./task-body";
import { taskRef, taskTopics, wakeQueue } from "./task-outcome";
import { isTerminal, PRIORITIES, type PriorityName } from "./task-status";

type TaskRow = typeof tasks.$inferSelect;

/**
 * Whose task it is, the scopes it may run with (the creator's, or a schedule's grant) and the
 * API key it came through: when it runs it gets no more than owner and key hold then (./grant.ts).
 */
export type TaskOwner = Grant;

/** A caller as a task owner: their tasks run with no more than the scopes they hold now. */
export function taskOwnerOf(principal: Principal): TaskOwner {
  return { userId: principal.userId, scopes: [...principal.scopes], apiKeyId: apiKeyIdOf(principal) };
}

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
    apiKeyId: owner.apiKeyId,
    createdAt: now,
    updatedAt: now,
  };
}

/** A new task's parent must be one of the owner's tasks, still open. */
async function checkParent(db: Db, owner: TaskOwner, parentId: string) {
  const parent = await getOwnTask(db, owner.userId, parentId).catch(() => {
    throw new AppError(422, "unknown_parent", "No such task of yours to be the parent", { parent_id: parentId });
  });
  if (isTerminal(parent.status)) throw new AppError(409, "parent_finished", "The parent task has already finished");
}

/** Creates a task (and its children) and wakes the queue; returns the rows, root first. */
export async function createTask(
  env: Env,
  owner: TaskOwner,
  body: CreateTaskBody,
  options: { audit?: { meta: RequestMeta; actor: Actor }; scheduleRunId?: string } = {},
): Promise<{ root: TaskRow; children: TaskRow[] }> {
  const db = getDb(env);
  if (body.parent_id) await checkParent(db, owner, body.parent_id);
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
    const newValues = { title: root.title, kind: root.kind, priority: body.priority, children: children.length };
    const entry = {
      ownerId: owner.userId,
      action: "task.create",
      resourceType: "task",
      resourceId: root.id,
      newValues,
    };
    writes.push(auditInsert(db, options.audit.meta, options.audit.actor, entry));
  }
  await runBatch(db, writes);
  const created = await db
    .select()
    .from(tasks)
    .where(inArray(tasks.id, [root.id, ...children.map((c) => c.id)]));
  const byId = new Map(created.map((row) => [row.id, row]));
  await Promise.all(created.map((row) => publishEvent(env, row.userId, "task.created", taskRef(row), taskTopics(row))));
  await wakeQueue(env, owner.userId);
  const row = (id: string) => byId.get(id) ?? notFound();
  return { root: row(root.id), children: children.map((child) => row(child.id)) };
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
