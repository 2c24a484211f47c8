/**
 * Sending webhook deliveries: the TaskQueue's delivery lane. Each attempt is
 * signed, goes through the outbound guard (the URL is the user's), and is logged
 * on the delivery. Failures retry with backoff up to `webhooks.max_attempts`,
 * then the delivery becomes a dead letter; a subscription whose attempts fail
 * `disable_after_failures` times in a row is disabled and its owner told.
 */
import { and, eq, gt, lte, sql } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { type DeliveryAttempt, deadLetters, users, webhookDeliveries, webhookSubscriptions } from "../../../db/schema";
import { backoffDelay } from "../../../lib/backoff";
import { decryptText } from "../../../lib/encryption";
import { newId } from "../../../lib/ids";
import { getConfig } from "../../config/service";
import { deliverQueued, outboxInsert } from "../../email/sender";
import { publishEvent } from "../../events/publish";
import { increment } from "../../observability/collector";
import { guardedFetch } from "../../outbound/guarded-fetch";
import type { StoredEvent } from "./event-store";
import { formatBody, summarize } from "./webhook-formats";
import { SIGNATURE_HEADER, signPayload, TIMESTAMP_HEADER } from "./webhook-signature";

type Delivery = typeof webhookDeliveries.$inferSelect;
type Subscription = typeof webhookSubscriptions.$inferSelect;

export const SECRET_PURPOSE = "webhook-secret";
const BATCH = 20;
const KEEP_ATTEMPTS = 20;

/** Starts due deliveries not already in flight; returns when the next pending one is due. */
export async function pumpDeliveries(
  env: Env,
  userId: string,
  inFlight: Set<string>,
  onDone: () => void,
): Promise<number | null> {
  const db = getDb(env);
  const now = Date.now();
  const due = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.userId, userId),
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, now),
      ),
    )
    .orderBy(webhookDeliveries.nextAttemptAt)
    .limit(BATCH);
  for (const delivery of due) {
    if (inFlight.has(delivery.id)) continue;
    inFlight.add(delivery.id);
    void deliverOnce(env, delivery)
      .catch((error) =>
        console.error(
          JSON.stringify({ level: "error", msg: "delivery failed to run", id: delivery.id, error: String(error) }),
        ),
      )
      .finally(() => {
        inFlight.delete(delivery.id);
        onDone();
      });
  }
  const [next] = await db
    .select({ at: sql<number | null>`MIN(${webhookDeliveries.nextAttemptAt})` })
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.userId, userId),
        eq(webhookDeliveries.status, "pending"),
        gt(webhookDeliveries.nextAttemptAt, now),
      ),
    );
  return next?.at ?? null;
}

type AttemptOutcome = { ok: boolean; statusCode: number | null; error: string | null; durationMs: number };

async function send(env: Env, sub: Subscription, delivery: Delivery, attempt: number): Promise<AttemptOutcome> {
  const started = Date.now();
  const event = delivery.event as unknown as StoredEvent;
  if (sub.kind === "email") return sendEmail(env, sub, event, started);
  const { timeout_ms } = await getConfig(env, "webhooks");
  const body = formatBody(sub.kind, event, { id: delivery.id, attempt, replay: delivery.replay });
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Edgewise-Webhooks/1",
    "x-edgewise-event": event.type,
    "x-edgewise-delivery": delivery.id,
    "idempotency-key": delivery.id,
    [TIMESTAMP_HEADER]: String(timestamp),
  };
  if (sub.secretSealed) {
    const secret = await decryptText(env.ENCRYPTION_KEY, SECRET_PURPOSE, sub.secretSealed);
    headers[SIGNATURE_HEADER] = await signPayload(secret, timestamp, body);
  }
  try {
    const res = await guardedFetch(
      env,
      sub.url ?? "",
      { method: "POST", headers, body },
      { timeoutMs: timeout_ms, maxRedirects: 0 },
    );
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 300;
    return {
      ok,
      statusCode: res.status,
      error: ok ? null : `answered ${res.status}`,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    return {
      ok: false,
      statusCode: null,
      error: error instanceof Error ? error.message : String(error),
      durationMs: Date.now() - started,
    };
  }
}

async function sendEmail(env: Env, sub: Subscription, event: StoredEvent, started: number): Promise<AttemptOutcome> {
  const db = getDb(env);
  const owner = await db.query.users.findFirst({ where: eq(users.id, sub.userId) });
  if (!owner) return { ok: false, statusCode: null, error: "owner not found", durationMs: 0 };
  const summary = summarize(event);
  const { id, statement } = outboxInsert(db, env, {
    userId: owner.id,
    to: owner.email,
    kind: "notification",
    subject: `[Edgewise] ${summary.slice(0, 120)}`,
    text: `${summary}\n\nEvent ${event.type} at ${event.ts}\n\n${JSON.stringify(event.data, null, 2)}\n`,
  });
  await statement;
  await deliverQueued(env, id);
  return { ok: true, statusCode: null, error: null, durationMs: Date.now() - started };
}

/** One attempt of one delivery, and its bookkeeping. */
export async function deliverOnce(env: Env, delivery: Delivery): Promise<void> {
  const db = getDb(env);
  const sub = await db.query.webhookSubscriptions.findFirst({
    where: eq(webhookSubscriptions.id, delivery.subscriptionId),
  });
  if (!sub?.enabled) return cancelDelivery(db, delivery);
  const attempt = delivery.attempts + 1;
  const outcome = await send(env, sub, delivery, attempt);
  const policy = await getConfig(env, "webhooks");
  const now = Date.now();
  const last = outcome.ok || attempt >= policy.max_attempts;
  const status = outcome.ok ? "succeeded" : last ? "failed" : "pending";
  const nextAttemptAt = last
    ? now
    : now + backoffDelay({ baseMs: policy.retry_base_ms, maxMs: policy.retry_max_ms }, attempt);
  const [update] = await db.batch(attemptStatements(db, sub, delivery, { outcome, status, nextAttemptAt, now }));
  if (update.meta.changes === 1 && status !== "pending") increment("webhook_deliveries_total", { outcome: status });
  if (update.meta.changes !== 1 || outcome.ok) return;
  if (status === "failed") await deadLetterDelivery(env, sub, delivery, attempt, outcome.error ?? "failed");
  // Read back: deliveries run concurrently, so the count this attempt started with may be stale.
  const fresh = await db.query.webhookSubscriptions.findFirst({ where: eq(webhookSubscriptions.id, sub.id) });
  if ((fresh?.consecutiveFailures ?? 0) >= policy.disable_after_failures)
    await disableSubscription(env, sub, policy.disable_after_failures);
}

/** A pending delivery of a disabled subscription is cancelled, not sent. */
async function cancelDelivery(db: Db, delivery: Delivery) {
  const cancelled = await db
    .update(webhookDeliveries)
    .set({ status: "cancelled", lastError: "subscription disabled", updatedAt: Date.now() })
    .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, "pending")));
  if (cancelled.meta.changes === 1) increment("webhook_deliveries_total", { outcome: "cancelled" });
}

/**
 * The batch that records an attempt: the delivery (only if no other attempt got there
 * first) with its attempt log, and the subscription's run of successes or failures.
 */
function attemptStatements(
  db: Db,
  sub: Subscription,
  delivery: Delivery,
  attempt: { outcome: AttemptOutcome; status: "succeeded" | "failed" | "pending"; nextAttemptAt: number; now: number },
) {
  const { outcome, status, nextAttemptAt, now } = attempt;
  const entry: DeliveryAttempt = {
    at: now,
    status_code: outcome.statusCode,
    error: outcome.error,
    duration_ms: outcome.durationMs,
  };
  return [
    db
      .update(webhookDeliveries)
      .set({
        status,
        attempts: delivery.attempts + 1,
        nextAttemptAt,
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error,
        attemptLog: [...delivery.attemptLog, entry].slice(-KEEP_ATTEMPTS),
        deliveredAt: outcome.ok ? now : null,
        updatedAt: now,
      })
      .where(
        and(
          eq(webhookDeliveries.id, delivery.id),
          eq(webhookDeliveries.status, "pending"),
          eq(webhookDeliveries.attempts, delivery.attempts),
        ),
      ),
    db
      .update(webhookSubscriptions)
      .set(
        outcome.ok
          ? { consecutiveFailures: 0, lastSuccessAt: now }
          : { consecutiveFailures: sql`${webhookSubscriptions.consecutiveFailures} + 1`, lastFailureAt: now },
      )
      .where(eq(webhookSubscriptions.id, sub.id)),
  ] as const;
}

async function deadLetterDelivery(env: Env, sub: Subscription, delivery: Delivery, attempts: number, error: string) {
  const id = newId();
  const summary = `${delivery.eventType} to ${sub.name}`;
  await getDb(env)
    .insert(deadLetters)
    .values({
      id,
      userId: sub.userId,
      source: "webhook_delivery",
      sourceId: delivery.id,
      summary,
      error,
      attempts,
      payload: { subscription_id: sub.id, event: delivery.event },
      createdAt: Date.now(),
    });
  increment("dead_letters_total", { source: "webhook_delivery" });
  await publishEvent(env, sub.userId, "integration.webhook_failed", {
    subscription_id: sub.id,
    delivery_id: delivery.id,
    attempts,
    error,
  });
  await publishEvent(env, sub.userId, "system.dead_letter", {
    id,
    source: "webhook_delivery",
    source_id: delivery.id,
    summary,
  });
}

/** Turns a failing subscription off, cancels what it still had queued, and tells its owner. */
async function disableSubscription(env: Env, sub: Subscription, failures: number) {
  const db = getDb(env);
  const reason = `${failures} delivery attempts in a row failed`;
  const [update, cancelled] = await db.batch([
    db
      .update(webhookSubscriptions)
      .set({ enabled: false, disabledReason: reason, updatedAt: Date.now() })
      .where(and(eq(webhookSubscriptions.id, sub.id), eq(webhookSubscriptions.enabled, true))),
    db
      .update(webhookDeliveries)
      .set({ status: "cancelled", lastError: "subscription disabled", updatedAt: Date.now() })
      .where(and(eq(webhookDeliveries.subscriptionId, sub.id), eq(webhookDeliveries.status, "pending"))),
  ]);
  if (cancelled.meta.changes) increment("webhook_deliveries_total", { outcome: "cancelled" }, cancelled.meta.changes);
  if (update.meta.changes !== 1) return;
  await publishEvent(env, sub.userId, "integration.webhook_disabled", {
    subscription_id: sub.id,
    name: sub.name,
    reason,
  });
  const owner = await db.query.users.findFirst({ where: eq(users.id, sub.userId) });
  if (!owner) return;
  const { id, statement } = outboxInsert(db, env, {
    userId: owner.id,
    to: owner.email,
    kind: "webhook_disabled",
    subject: `[Edgewise] Webhook "${sub.name}" was disabled`,
    text: `Your webhook "${sub.name}" (${sub.url ?? sub.kind}) was disabled: ${reason}.\n\nFix the endpoint, then enable it again in the console or with PATCH /api/v1/webhooks/${sub.id}.\n`,
  });
  await statement;
  await deliverQueued(env, id);
}
