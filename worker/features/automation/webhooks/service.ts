/**
 * Webhook subscriptions: per event type (or topic, or `*`), with a signing
 * secret shown once and stored sealed, a delivery log, a test ping, and replay of
 * a time range of stored (and archived) events to one subscription.
 */
import { and, eq } from "drizzle-orm";
import { type Db, getDb } from "../../../db/client";
import { webhookDeliveries, webhookSubscriptions } from "../../../db/schema";
import { AppError } from "../../../errors";
import { randomToken } from "../../../lib/crypto";
import { encryptText } from "../../../lib/encryption";
import { newId } from "../../../lib/ids";
import { keyset, toPage } from "../../../lib/pagination";
import type { RequestMeta } from "../../../lib/request-meta";
import { actorOf, auditInsert } from "../../audit/record";
import type { Principal } from "../../auth/principal";
import { topicOf } from "../../events/catalog";
import { runBatch, type Statement } from "../engine/batch";
import { readArchivedEvents, readStoredEvents } from "../engine/event-archive";
import type { StoredEvent } from "../engine/event-store";
import { wakeQueue } from "../engine/task-outcome";
import { SECRET_PURPOSE } from "../engine/webhook-deliver";
import { toDelivery, toWebhook } from "./schemas";

type Subscription = typeof webhookSubscriptions.$inferSelect;
const MAX_REPLAY = 1_000;

export async function getOwnWebhook(db: Db, userId: string, id: string) {
  const row = await db.query.webhookSubscriptions.findFirst({
    where: and(eq(webhookSubscriptions.id, id), eq(webhookSubscriptions.userId, userId)),
  });
  if (!row) throw new AppError(404, "not_found", "Webhook not found");
  return row;
}

type CreateInput = {
  name: string;
  kind: Subscription["kind"];
  url?: string | undefined;
  event_types: string[];
  enabled: boolean;
};

export async function createWebhook(env: Env, principal: Principal, input: CreateInput, meta: RequestMeta) {
  const { userId } = principal;
  if (input.kind !== "email" && !input.url) throw new AppError(422, "url_required", "A webhook needs a url");
  const secret = input.kind === "email" ? null : randomToken("whsec", 24);
  const now = Date.now();
  const row: Subscription = {
    id: newId(),
    userId,
    name: input.name,
    kind: input.kind,
    url: input.kind === "email" ? null : (input.url ?? null),
    secretSealed: secret ? await encryptText(env.ENCRYPTION_KEY, SECRET_PURPOSE, secret) : null,
    eventTypes: [...new Set(input.event_types)],
    enabled: input.enabled,
    disabledReason: null,
    consecutiveFailures: 0,
    lastSuccessAt: null,
    lastFailureAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const db = getDb(env);
  await db.batch([
    db.insert(webhookSubscriptions).values(row),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "webhook.create",
      resourceType: "webhook",
      resourceId: row.id,
      newValues: { name: row.name, kind: row.kind, url: row.url, event_types: row.eventTypes },
    }),
  ]);
  return { webhook: toWebhook(row), secret };
}

export async function updateWebhook(
  env: Env,
  principal: Principal,
  id: string,
  input: Partial<CreateInput>,
  meta: RequestMeta,
) {
  const { userId } = principal;
  const db = getDb(env);
  const before = await getOwnWebhook(db, userId, id);
  const reenabled = input.enabled === true && !before.enabled;
  const changes = {
    name: input.name ?? before.name,
    url: before.kind === "email" ? null : (input.url ?? before.url),
    eventTypes: input.event_types ? [...new Set(input.event_types)] : before.eventTypes,
    enabled: input.enabled ?? before.enabled,
    ...(reenabled && { consecutiveFailures: 0, disabledReason: null }),
    updatedAt: Date.now(),
  };
  await db.batch([
    db.update(webhookSubscriptions).set(changes).where(eq(webhookSubscriptions.id, id)),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "webhook.update",
      resourceType: "webhook",
      resourceId: id,
      oldValues: { name: before.name, url: before.url, event_types: before.eventTypes, enabled: before.enabled },
      newValues: { name: changes.name, url: changes.url, event_types: changes.eventTypes, enabled: changes.enabled },
    }),
  ]);
  return toWebhook(await getOwnWebhook(db, userId, id));
}

export async function deleteWebhook(env: Env, principal: Principal, id: string, meta: RequestMeta) {
  const { userId } = principal;
  const db = getDb(env);
  const row = await getOwnWebhook(db, userId, id);
  await db.batch([
    db.delete(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)),
    auditInsert(db, meta, actorOf(principal), {
      ownerId: userId,
      action: "webhook.delete",
      resourceType: "webhook",
      resourceId: id,
      oldValues: { name: row.name, url: row.url },
    }),
  ]);
  return toWebhook(row);
}

export async function listWebhooks(db: Db, userId: string, query: { limit: number; cursor?: string | undefined }) {
  const page = keyset(webhookSubscriptions, query.cursor);
  const rows = await db
    .select()
    .from(webhookSubscriptions)
    .where(and(eq(webhookSubscriptions.userId, userId), page.where))
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toWebhook);
}

export async function listDeliveries(
  db: Db,
  userId: string,
  id: string,
  query: { limit: number; cursor?: string | undefined; status?: string | undefined },
) {
  // The cursor is checked first: a bad one is 400 whoever owns the id.
  const page = keyset(webhookDeliveries, query.cursor);
  await getOwnWebhook(db, userId, id);
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, id),
        eq(webhookDeliveries.userId, userId),
        query.status ? eq(webhookDeliveries.status, query.status as "pending") : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toDelivery);
}

function deliveryRow(sub: Subscription, event: StoredEvent, replay: boolean) {
  const now = Date.now();
  return {
    id: newId(),
    subscriptionId: sub.id,
    userId: sub.userId,
    eventId: event.id,
    eventType: event.type,
    event: event as unknown as Record<string, unknown>,
    status: "pending" as const,
    nextAttemptAt: now,
    replay,
    createdAt: now,
    updatedAt: now,
  };
}

function requireEnabled(sub: Subscription) {
  if (!sub.enabled) throw new AppError(409, "webhook_disabled", "Enable the webhook first");
}

/** Sends this subscription a test event now (whatever its event types). */
export async function pingWebhook(env: Env, userId: string, id: string) {
  const db = getDb(env);
  const sub = await getOwnWebhook(db, userId, id);
  requireEnabled(sub);
  const event: StoredEvent = {
    id: newId(),
    seq: 0,
    type: "integration.webhook_test",
    ts: new Date().toISOString(),
    data: { subscription_id: sub.id, message: "Test delivery from Edgewise" },
  };
  const row = deliveryRow(sub, event, false);
  await db.insert(webhookDeliveries).values(row);
  await wakeQueue(env, userId);
  return toDelivery({ ...row, attempts: 0, lastStatusCode: null, lastError: null, attemptLog: [], deliveredAt: null });
}

function matches(filters: string[], type: string) {
  return filters.includes("*") || filters.includes(type) || filters.includes(topicOf(type));
}

/** Queues the user's stored events in [from, to] that the subscription (and `types`) match, marked as replays. */
export async function replayEvents(
  env: Env,
  userId: string,
  id: string,
  input: { from: string; to: string; event_types?: string[] | undefined },
) {
  const db = getDb(env);
  const sub = await getOwnWebhook(db, userId, id);
  requireEnabled(sub);
  const from = Date.parse(input.from);
  const to = Date.parse(input.to);
  if (to < from) throw new AppError(422, "invalid_range", "`to` is before `from`");
  const archived = await readArchivedEvents(env, userId, from, to);
  const stored = await readStoredEvents(env, userId, from, to, MAX_REPLAY);
  const seen = new Set<string>();
  const events = [...archived, ...stored].filter((event) => {
    if (seen.has(event.id)) return false;
    seen.add(event.id);
    return matches(sub.eventTypes, event.type) && (!input.event_types || matches(input.event_types, event.type));
  });
  if (events.length > MAX_REPLAY)
    throw new AppError(422, "range_too_large", `At most ${MAX_REPLAY} events per replay; narrow the range`);
  const writes: Statement[] = events.map((event) => db.insert(webhookDeliveries).values(deliveryRow(sub, event, true)));
  for (let i = 0; i < writes.length; i += 50) await runBatch(db, writes.slice(i, i + 50));
  await wakeQueue(env, userId);
  const archivedIds = new Set(archived.map((event) => event.id));
  return { queued: events.length, from_archive: events.filter((event) => archivedIds.has(event.id)).length };
}
