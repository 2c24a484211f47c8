/**
 * UserHub: one per user (`idFromName(userId)`). Holds the user's live WebSockets
 * with the Hibernation API, a bounded replay buffer, and fans out every event
 * published for the user to the sockets subscribed to its topics.
 * The Worker authenticates before forwarding an upgrade here (features/events/routes.ts)
 * and publishes with `publish()` (features/events/publish.ts).
 */

import { DurableObject } from "cloudflare:workers";
import {
  ClientMessage,
  HEARTBEAT_MS,
  MAX_CLIENT_FRAME_BYTES,
  type ServerMessage,
} from "../../shared/live-hub/protocol";
import type { Credential, CredentialFilter } from "../../worker/features/auth/credentials";
import { getConfig } from "../../worker/features/config/service";
import type { HubEvent } from "../../worker/features/events/catalog";
import { metricsHub } from "../../worker/features/observability/collector";
import {
  answerPingsWhileAsleep,
  assertNever,
  closeSocketsOf,
  echoClose,
  jsonError,
  parseClientFrame,
  pong,
  sendFrame,
} from "../sockets";
import { ChatSocketIndex } from "./chat-sockets";
import { CONNECT_HEADER, ConnectParams, matches, type SocketState } from "./protocol";
import { EventBuffer } from "./storage";

export type PublishInput = { type: string; data: unknown; topics: string[] };

const send = (ws: WebSocket, message: ServerMessage) => sendFrame(ws, message);

export class UserHub extends DurableObject<Env> {
  #buffer!: EventBuffer;
  #chatSockets!: ChatSocketIndex;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.#buffer = new EventBuffer(ctx.storage.sql);
      this.#chatSockets = new ChatSocketIndex(ctx.storage.sql);
    });
    answerPingsWhileAsleep(ctx);
  }

  /** Publishes one (already validated) event: stores it for replay, sends it to matching sockets. */
  async publish(input: PublishInput): Promise<HubEvent> {
    const { replay_buffer_size } = await getConfig(this.env, "hub_limits");
    const event = this.#buffer.append(input.type, input.data, input.topics, replay_buffer_size);
    for (const ws of this.ctx.getWebSockets()) {
      const state = ws.deserializeAttachment() as SocketState | null;
      if (state && matches(state.topics, input.topics)) send(ws, { type: "event", event });
    }
    return event;
  }

  recent(after: number, limit: number): HubEvent[] {
    return this.#buffer.recent(after, limit);
  }

  /**
   * Closes the sockets opened with one credential (a session that ended, a key
   * that was revoked), or all of the user's. Returns how many it closed.
   */
  async disconnect(filter: CredentialFilter, reason: string): Promise<number> {
    const closed = closeSocketsOf(this.ctx.getWebSockets(), filter, reason);
    if (closed) await this.#reportConnections();
    return closed;
  }

  /** A ChatSession accepted a socket opened with `credential` (see ./chat-sockets.ts). */
  noteChatSocket(credential: Credential, sessionId: string): void {
    this.#chatSockets.note(credential, sessionId);
  }

  /** The ChatSession's last socket opened with `credential` closed. */
  forgetChatSocket(credential: Credential, sessionId: string): void {
    this.#chatSockets.forget(credential, sessionId);
  }

  /** The chat sessions holding sockets that `disconnect(filter)` would close here; taken off the list. */
  takeChatSockets(filter: CredentialFilter): string[] {
    return this.#chatSockets.take(filter);
  }

  stats(): { connections: number; last_event_id: number } {
    return { connections: this.ctx.getWebSockets().length, last_event_id: this.#buffer.bounds().latest };
  }

  /** Accepts a WebSocket the Worker has already authenticated. */
  override async fetch(request: Request): Promise<Response> {
    const parsed = ConnectParams.safeParse(JSON.parse(request.headers.get(CONNECT_HEADER) ?? "null"));
    if (!parsed.success || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(400, "bad_request", "Not a hub connection request");
    }
    const params = parsed.data;
    if (this.ctx.getWebSockets().length >= params.maxConnections) {
      return jsonError(429, "too_many_connections", `At most ${params.maxConnections} live connections per user`);
    }
    // Spent only once the connection is sure to be accepted, so a refused connect can be retried.
    if (params.ticketNonce && !this.#buffer.spendTicket(params.ticketNonce, params.ticketExpiresAt ?? Date.now())) {
      return jsonError(401, "ticket_used", "This connect ticket was already used; ask for a new one");
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const state: SocketState = {
      connectionId: crypto.randomUUID(),
      credential: params.credential,
      topics: params.topics.slice(0, params.maxTopics),
      maxTopics: params.maxTopics,
    };
    server.serializeAttachment(state);
    send(server, {
      type: "welcome",
      connection_id: state.connectionId,
      topics: state.topics,
      last_event_id: this.#buffer.bounds().latest,
      heartbeat_ms: HEARTBEAT_MS,
    });
    if (params.lastEventId !== null) this.#replay(server, state, params.lastEventId);
    await this.#reportConnections();
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Sends what a reconnecting client missed, or says that the buffer no longer reaches back that far. */
  #replay(ws: WebSocket, state: SocketState, lastEventId: number) {
    const { oldest } = this.#buffer.bounds();
    if (oldest > lastEventId + 1)
      send(ws, { type: "replay_gap", requested_after: lastEventId, oldest_available: oldest });
    let count = 0;
    let last = lastEventId;
    for (const { event, topics } of this.#buffer.after(lastEventId)) {
      last = event.id;
      if (!matches(state.topics, topics)) continue;
      send(ws, { type: "event", event });
      count++;
    }
    send(ws, { type: "replayed", count, last_event_id: last });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const parsed = parseClientFrame(raw, ClientMessage, MAX_CLIENT_FRAME_BYTES);
    if ("error" in parsed) return send(ws, parsed.error);
    this.#handle(ws, parsed.frame);
  }

  #handle(ws: WebSocket, message: ClientMessage) {
    const state = ws.deserializeAttachment() as SocketState;
    switch (message.type) {
      case "ping":
        return send(ws, pong());
      case "subscribe": {
        const topics = [...new Set([...state.topics, ...message.topics])];
        if (topics.length > state.maxTopics) {
          return send(ws, {
            type: "error",
            code: "too_many_topics",
            message: `At most ${state.maxTopics} topics per connection`,
          });
        }
        ws.serializeAttachment({ ...state, topics } satisfies SocketState);
        return send(ws, { type: "subscribed", topics });
      }
      case "unsubscribe": {
        const topics = state.topics.filter((topic) => !message.topics.includes(topic));
        ws.serializeAttachment({ ...state, topics } satisfies SocketState);
        return send(ws, { type: "unsubscribed", topics });
      }
      case "resume":
        return this.#replay(ws, state, message.last_event_id);
      default:
        return assertNever(message);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    echoClose(ws, code, reason);
    await this.#reportConnections();
  }

  override async webSocketError(): Promise<void> {
    await this.#reportConnections();
  }

  /** Tells the MetricsHub how many sockets this hub holds; the gauge is the sum over hubs. */
  async #reportConnections() {
    const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN).length;
    try {
      await metricsHub(this.env).setGauge("websocket_connections_active", {}, `hub:${this.ctx.id}`, open);
    } catch (error) {
      console.error(JSON.stringify({ level: "warn", msg: "hub metrics report failed", error: String(error) }));
    }
  }
}
