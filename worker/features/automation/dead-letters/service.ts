/**
 * The dead-letter queue: tasks, webhook deliveries and workflow runs that gave up
 * after their retries. Replaying one re-queues the original — the task runs
 * again, the delivery is sent again, the run resumes from the step that failed —
 * so completed work is never repeated.
 */
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { deadLetters, webhookDeliveries, webhookSubscriptions } from "../../../db/schema";
import { AppError } from "../../../errors";
import { keyset, toPage } from "../../../lib/pagination";
import type { RequestMeta } from "../../../lib/request-meta";
import { actorOf, auditInsert } from "../../audit/record";
import type { Principal } from "../../auth/principal";
import { resumeRun } from "../engine/run-resume";
import { wakeQueue } from "../engine/task-outcome";
import { retryTask } from "../engine/task-retry";
import { toDeadLetter } from "./schemas";

export async function listDeadLetters(
  db: Db,
  userId: string,
  query: { limit: number; cursor?: string | undefined; source?: string | undefined; replayed?: string | undefined },
) {
  const page = keyset(deadLetters, query.cursor);
  const rows = await db
    .select()
    .from(deadLetters)
    .where(
      and(
        eq(deadLetters.userId, userId),
        query.source ? eq(deadLetters.source, query.source as "task") : undefined,
        query.replayed === "true"
          ? isNotNull(deadLetters.replayedAt)
          : query.replayed === "false"
            ? isNull(deadLetters.replayedAt)
            : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toDeadLetter);
}

export async function getOwnDeadLetter(db: Db, userId: string, id: string) {
  const row = await db.query.deadLetters.findFirst({
    where: and(eq(deadLetters.id, id), eq(deadLetters.userId, userId)),
  });
  if (!row) throw new AppError(404, "not_found", "Dead letter not found");
  return row;
}

async function replayDelivery(env: Env, userId: string, deliveryId: string) {
  const db = getDb(env);
  const delivery = await db.query.webhookDeliveries.findFirst({
    where: and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.userId, userId)),
  });
  if (!delivery) throw new AppError(409, "source_gone", "The delivery no longer exists");
  const sub = await db.query.webhookSubscriptions.findFirst({
    where: eq(webhookSubscriptions.id, delivery.subscriptionId),
  });
  if (!sub?.enabled)
    throw new AppError(409, "subscription_disabled", "Enable the webhook before replaying its deliveries");
  if (delivery.status !== "failed" && delivery.status !== "cancelled")
    throw new AppError(409, "not_replayable", `The delivery is ${delivery.status}`);
  await db
    .update(webhookDeliveries)
    .set({ status: "pending", attempts: 0, nextAttemptAt: Date.now(), updatedAt: Date.now() })
    .where(eq(webhookDeliveries.id, deliveryId));
  await wakeQueue(env, userId);
  return { source: "webhook_delivery" as const, id: deliveryId, status: "pending" };
}

export async function replayDeadLetter(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const { userId } = principal;
  const db = getDb(env);
  const letter = await getOwnDeadLetter(db, userId, id);
  let requeued: { source: typeof letter.source; id: string; status: string };
  if (letter.source === "task") {
    const task = await retryTask(env, principal, letter.sourceId, null).catch((error) => {
      if (error instanceof AppError && error.status === 404)
        throw new AppError(409, "source_gone", "The task no longer exists");
      throw error;
    });
    requeued = { source: "task", id: task.id, status: task.status };
  } else if (letter.source === "webhook_delivery") {
    requeued = await replayDelivery(env, userId, letter.sourceId);
  } else {
    const run = await resumeRun(env, userId, letter.sourceId);
    requeued = { source: "workflow_run", id: run.id, status: run.status };
  }
  const now = Date.now();
  await db.batch([
    db
      .update(deadLetters)
      .set({ replayCount: sql`${deadLetters.replayCount} + 1`, replayedAt: now })
      .where(eq(deadLetters.id, id)),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "dead_letter.replay",
      resourceType: "dead_letter",
      resourceId: id,
      newValues: { source: letter.source, source_id: letter.sourceId },
    }),
  ]);
  return { dead_letter: toDeadLetter({ ...letter, replayCount: letter.replayCount + 1, replayedAt: now }), requeued };
}

export async function discardDeadLetter(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const { userId } = principal;
  const db = getDb(env);
  const letter = await getOwnDeadLetter(db, userId, id);
  await db.batch([
    db.delete(deadLetters).where(eq(deadLetters.id, id)),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "dead_letter.discard",
      resourceType: "dead_letter",
      resourceId: id,
      oldValues: { source: letter.source, source_id: letter.sourceId, error: letter.error },
    }),
  ]);
  return toDeadLetter(letter);
}
