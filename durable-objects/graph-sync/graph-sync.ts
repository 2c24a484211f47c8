/**
 * GraphSync: one per user (`getByName(userId)`), the single writer of that user's
 * entity graph. It orders every change (sync pushes, REST and MCP writes), keeps
 * the vector clocks, the change log and the conflicts (GraphStore), and sends each
 * change to the user's live sockets (Hibernation API). The Worker validates and
 * authenticates first (worker/features/graph/); expected failures come back as
 * `{ok:false, …}` values, never thrown across RPC.
 */

import { DurableObject } from "cloudflare:workers";
import {
  HEARTBEAT_MS,
  LiveClientMessage,
  type LiveServerMessage,
  MAX_CLIENT_FRAME_BYTES,
} from "../../shared/graph-sync/live";
import type { FeedItem, PullRequest, PushRequest } from "../../shared/graph-sync/protocol";
import type { CredentialFilter } from "../../worker/features/auth/credentials";
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
import { addAttachment, deleteAttachment, getAttachmentRow, listAttachments, type NewAttachment } from "./attachments";
import { getConflict } from "./conflicts";
import { type Ctx, toConflictState } from "./context";
import {
  addSubscriptions,
  LIVE_CONNECT_HEADER,
  LiveConnectParams,
  type LiveSocketState,
  MAX_LIVE_CONNECTIONS,
  removeSubscriptions,
  wants,
} from "./live";
import { notFound } from "./outcome";
import { type ConflictQuery, type EntityQuery, history, listConflicts, listEntities, requireEntity } from "./queries";
import { GraphStore } from "./store";
import { pull, push } from "./sync";
import { type Direction, findPaths, neighbours } from "./traversal";
import * as writes from "./writes";

const send = (ws: WebSocket, message: LiveServerMessage) => sendFrame(ws, message);

type Traverse = { direction: Direction; types?: string[]; limit: number };

export class GraphSync extends DurableObject<Env> {
  #store!: GraphStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.#store = new GraphStore(ctx.storage.sql, (fn) => ctx.storage.transactionSync(fn));
      ctx.storage.sql.exec("DELETE FROM used_tickets WHERE expires_at < ?", Date.now());
    });
    answerPingsWhileAsleep(ctx);
  }

  // ── Sync ──────────────────────────────────────────────────────────────
  push(request: PushRequest) {
    return this.#write(request.device_id, (ctx) => push(ctx, request));
  }

  pull(request: PullRequest) {
    return this.#store.read((ctx) => pull(ctx, request));
  }

  // ── Entities ──────────────────────────────────────────────────────────
  createEntity(input: { id?: string; type: string; content: Record<string, unknown> }, source: writes.ApiSource) {
    return this.#write(source, (ctx) => writes.createEntity(ctx, input, source));
  }

  updateEntity(id: string, input: writes.EntityUpdate, source: writes.ApiSource) {
    return this.#write(source, (ctx) => writes.updateEntity(ctx, id, input, source));
  }

  deleteEntity(id: string, baseVersion: string | undefined, source: writes.ApiSource) {
    return this.#write(source, (ctx) => writes.deleteEntity(ctx, id, baseVersion, source));
  }

  getEntity(id: string) {
    return this.#store.read((ctx) => requireEntity(ctx, id));
  }

  listEntities(query: EntityQuery) {
    return this.#store.read((ctx) => listEntities(ctx, query));
  }

  history(id: string, limit: number, cursor?: string) {
    return this.#store.read((ctx) => history(ctx, id, limit, cursor));
  }

  // ── Relationships and traversal ───────────────────────────────────────
  link(input: writes.LinkInput, source: writes.ApiSource) {
    return this.#write(source, (ctx) => writes.link(ctx, input, source));
  }

  unlink(id: string, source: writes.ApiSource) {
    return this.#write(source, (ctx) => writes.unlink(ctx, id, source));
  }

  neighbours(id: string, options: Traverse) {
    return this.#store.read((ctx) => neighbours(ctx, id, options));
  }

  findPaths(from: string, to: string, options: Traverse & { maxDepth: number }) {
    return this.#store.read((ctx) => findPaths(ctx, from, to, options));
  }

  // ── Conflicts ─────────────────────────────────────────────────────────
  listConflicts(query: ConflictQuery) {
    return this.#store.read((ctx) => listConflicts(ctx, query));
  }

  getConflict(id: string) {
    return this.#store.read((ctx) => {
      const row = getConflict(ctx, id);
      if (!row) throw notFound("conflict", id);
      return toConflictState(row);
    });
  }

  resolveConflict(id: string, resolution: writes.Resolution, source: writes.ApiSource) {
    return this.#write(source, (ctx) => writes.resolveConflict(ctx, id, resolution, source));
  }

  // ── Attachments (bytes in R2, put and read by the Worker) ─────────────
  addAttachment(input: NewAttachment) {
    return this.#write("api", (ctx) => addAttachment(ctx, input));
  }

  listAttachments(entityId: string) {
    return this.#store.read((ctx) => listAttachments(ctx, entityId));
  }

  /** The attachment with its R2 key (the Worker streams the bytes). */
  getAttachment(id: string) {
    return this.#store.read((ctx) => getAttachmentRow(ctx, id));
  }

  deleteAttachment(id: string) {
    return this.#write("api", (ctx) => deleteAttachment(ctx, id));
  }

  /** Writes through the store, then tells live sockets what changed. */
  #write<T>(deviceId: string, fn: (ctx: Ctx) => T) {
    const { outcome, changed } = this.#store.write(fn, this.ctx.getWebSockets().length > 0);
    this.#broadcast(changed, deviceId);
    return outcome;
  }

  // ── Live sockets ──────────────────────────────────────────────────────
  /**
   * Closes the live sockets opened with one credential (a session that ended, a key
   * that was revoked), or all of them; like UserHub.disconnect, for the same callers.
   */
  disconnect(filter: CredentialFilter, reason: string): number {
    return closeSocketsOf(this.ctx.getWebSockets(), filter, reason);
  }

  #broadcast(items: FeedItem[], deviceId: string) {
    if (items.length === 0) return;
    const sockets = this.ctx.getWebSockets();
    for (const ws of sockets) {
      const state = ws.deserializeAttachment() as LiveSocketState | null;
      if (!state) continue;
      for (const item of items) if (wants(state.subs, item)) send(ws, { type: "change", item, device_id: deviceId });
    }
  }

  /** Accepts a WebSocket the Worker has authenticated. */
  override async fetch(request: Request): Promise<Response> {
    const parsed = LiveConnectParams.safeParse(JSON.parse(request.headers.get(LIVE_CONNECT_HEADER) ?? "null"));
    if (!parsed.success || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(400, "bad_request", "Not a graph live connection request");
    }
    const params = parsed.data;
    if (this.ctx.getWebSockets().length >= MAX_LIVE_CONNECTIONS) {
      return jsonError(429, "too_many_connections", `At most ${MAX_LIVE_CONNECTIONS} live graph connections per user`);
    }
    if (params.ticketNonce && !this.#spendTicket(params.ticketNonce, params.ticketExpiresAt ?? Date.now())) {
      return jsonError(401, "ticket_used", "This connect ticket was already used; ask for a new one");
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    const state: LiveSocketState = {
      connectionId: crypto.randomUUID(),
      credential: params.credential,
      subs: params.subscriptions,
    };
    server.serializeAttachment(state);
    const cursor = this.#store.read((ctx) => ctx.meta.currentSeq());
    send(server, {
      type: "welcome",
      connection_id: state.connectionId,
      subscriptions: state.subs,
      cursor: cursor.ok ? cursor.value : 0,
      heartbeat_ms: HEARTBEAT_MS,
    });
    return new Response(null, { status: 101, webSocket: client });
  }

  #spendTicket(nonce: string, expiresAt: number): boolean {
    const sql = this.ctx.storage.sql;
    return (
      sql.exec("INSERT OR IGNORE INTO used_tickets (nonce, expires_at) VALUES (?, ?)", nonce, expiresAt).rowsWritten > 0
    );
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const parsed = parseClientFrame(raw, LiveClientMessage, MAX_CLIENT_FRAME_BYTES);
    if ("error" in parsed) return send(ws, parsed.error);
    const state = ws.deserializeAttachment() as LiveSocketState;
    const message = parsed.frame;
    switch (message.type) {
      case "ping":
        return send(ws, pong());
      case "subscribe":
      case "unsubscribe": {
        const subs =
          message.type === "subscribe"
            ? addSubscriptions(state.subs, message)
            : removeSubscriptions(state.subs, message);
        ws.serializeAttachment({ ...state, subs } satisfies LiveSocketState);
        return send(ws, { type: "subscribed", subscriptions: subs });
      }
      default:
        return assertNever(message);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    echoClose(ws, code, reason);
  }
}
