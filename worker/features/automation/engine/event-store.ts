/**
 * The append-only event store and webhook fan-out. `publishEvent` hands every
 * event here after the live hub has numbered it: one D1 batch appends it to
 * `event_log` and queues a delivery for each enabled subscription that matches
 * its type, topic or `*`; the owner's TaskQueue then sends them.
 * Progress events are live-only (too frequent to keep), and events about webhook
 * failures only go to email subscriptions, so a failing endpoint cannot feed itself.
 */
import { newId } from "../../../lib/ids";
import { type HubEvent, topicOf } from "../../events/catalog";

const LIVE_ONLY = new Set(["task.progress", "workflow.run_progress"]);
const EMAIL_ONLY_PREFIX = "integration.webhook_";

/** An event as stored and as webhooks receive it. */
export type StoredEvent = { id: string; seq: number; type: string; ts: string; data: unknown };

export function isStored(type: string): boolean {
  return !LIVE_ONLY.has(type);
}

/** Appends the event and queues its deliveries; returns how many deliveries were queued. */
export async function storeEvent(env: Env, userId: string, hubEvent: HubEvent): Promise<number> {
  if (!isStored(hubEvent.type)) return 0;
  const now = Date.now();
  const event: StoredEvent = {
    id: newId(),
    seq: hubEvent.id,
    type: hubEvent.type,
    ts: hubEvent.ts,
    data: hubEvent.data,
  };
  const kinds = hubEvent.type.startsWith(EMAIL_ONLY_PREFIX) ? ["email"] : ["webhook", "slack", "discord", "email"];
  const [, queued] = await env.DB.batch([
    env.DB.prepare("INSERT INTO event_log (id, user_id, seq, type, data, created_at) VALUES (?, ?, ?, ?, ?, ?)").bind(
      event.id,
      userId,
      event.seq,
      event.type,
      JSON.stringify(event.data),
      Date.parse(event.ts) || now,
    ),
    queueDeliveriesStatement(env, userId, event, now, kinds),
  ]);
  return queued?.meta.changes ?? 0;
}

/** INSERT … SELECT: one pending delivery per matching enabled subscription of the user. */
export function queueDeliveriesStatement(
  env: Env,
  userId: string,
  event: StoredEvent,
  now: number,
  kinds: string[],
  options: { subscriptionId?: string; replay?: boolean } = {},
) {
  const kindList = kinds.map((_, i) => `?${9 + i}`).join(", ");
  return env.DB.prepare(
    `INSERT INTO webhook_deliveries
       (id, subscription_id, user_id, event_id, event_type, event, status, attempts, next_attempt_at, attempt_log, replay, created_at, updated_at)
     SELECT lower(hex(randomblob(16))), s.id, s.user_id, ?1, ?2, ?3, 'pending', 0, ?4, '[]', ?5, ?4, ?4
       FROM webhook_subscriptions s
      WHERE s.user_id = ?6 AND s.enabled = 1 AND s.kind IN (${kindList})
        AND (?7 IS NULL OR s.id = ?7)
        AND EXISTS (SELECT 1 FROM json_each(s.event_types) WHERE value IN (?2, ?8, '*'))`,
  ).bind(
    event.id,
    event.type,
    JSON.stringify(event),
    now,
    options.replay ? 1 : 0,
    userId,
    options.subscriptionId ?? null,
    topicOf(event.type),
    ...kinds,
  );
}
