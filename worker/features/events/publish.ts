/**
 * Publishing to a user's live hub from anywhere in the Worker. The data is
 * checked against the type's schema first: a bad event is a bug of ours, so it
 * throws. The hub numbers it; then it is appended to the event store, which
 * queues its webhook deliveries (../automation/engine/event-store.ts). Callers on a request path usually
 * wrap this in `waitUntil`.
 */
import type { Credential, CredentialFilter } from "../auth/credentials";
import type { Principal } from "../auth/principal";
import { storeEvent } from "../automation/engine/event-store";
import { increment } from "../observability/collector";
import { EVENT_SCHEMAS, type EventData, type EventType, type HubEvent, topicOf } from "./catalog";

export function userHub(env: Env, userId: string) {
  return env.USER_HUB.getByName(userId);
}

export async function publishEvent<T extends EventType>(
  env: Env,
  userId: string,
  type: T,
  data: EventData<T>,
  /** Extra topics beyond the type and its prefix, e.g. `entity:42` for per-entity subscriptions. */
  extraTopics: string[] = [],
): Promise<HubEvent> {
  const checked = EVENT_SCHEMAS[type].parse(data);
  const topics = [...new Set([topicOf(type), type, ...extraTopics])];
  increment("hub_events_published_total", { type });
  const event = await userHub(env, userId).publish({ type, data: checked, topics });
  await record(env, userId, event);
  return event;
}

/** Stores the event and wakes the owner's queue when it has deliveries to send; never fails the publish. */
async function record(env: Env, userId: string, event: HubEvent) {
  try {
    if ((await storeEvent(env, userId, event)) > 0) await env.TASK_QUEUE.getByName(userId).wake(userId);
  } catch (error) {
    console.error(
      JSON.stringify({ level: "error", msg: "event store failed", type: event.type, error: String(error) }),
    );
  }
}

/** The credential a principal's live sockets are tied to. */
export function credentialOf(principal: Principal): Credential {
  return principal.via === "api_key"
    ? { type: "api_key", id: principal.apiKeyId }
    : { type: "session", id: principal.sessionId };
}

/**
 * Closes a user's live sockets opened with a credential that just stopped working
 * (logout, revoked session or key), or all of them (password reset, deactivation).
 * Awaited by callers: when they answer, the sockets are closed. A hub failure is
 * logged, not raised — the credential itself is already dead in D1.
 */
export async function disconnectLive(env: Env, userId: string, filter: CredentialFilter, reason: string) {
  try {
    // Every object that holds this user's sockets: the live hub, the graph's sync object
    // and the chat sessions the hub lists as holding sockets of this credential.
    await Promise.all([
      userHub(env, userId).disconnect(filter, reason),
      env.GRAPH_SYNC.getByName(userId).disconnect(filter, reason),
      disconnectChatSessions(env, userId, filter, reason),
    ]);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "live disconnect failed", reason, error: String(error) }));
  }
}

/** A user may have sockets on many ChatSession objects; the hub knows which (user-hub/chat-sockets.ts). */
async function disconnectChatSessions(env: Env, userId: string, filter: CredentialFilter, reason: string) {
  const sessionIds = await userHub(env, userId).takeChatSockets(filter);
  await Promise.all(sessionIds.map((id) => env.CHAT_SESSION.getByName(id).disconnect(filter, reason)));
}

/** Fire-and-forget publish for request handlers: never delays or fails the response. */
export function publishLater<T extends EventType>(
  ctx: { waitUntil(promise: Promise<unknown>): void },
  env: Env,
  userId: string,
  type: T,
  data: EventData<T>,
) {
  ctx.waitUntil(
    publishEvent(env, userId, type, data).catch((error) =>
      console.error(JSON.stringify({ level: "error", msg: "event publish failed", type, error: String(error) })),
    ),
  );
}
