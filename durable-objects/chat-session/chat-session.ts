/**
 * ChatSession: one Durable Object (SQLite) per chat session (`getByName(sessionId)`).
 * Holds the conversation, runs the agent pipeline's turns (pipeline/), numbers and
 * stores every stream event, and serves them over SSE and a hibernating WebSocket.
 * It trusts only the Worker: routes call its RPC methods after authentication,
 * scope and ownership checks (worker/features/chat-sessions/), passing the session's
 * owner; WebSockets arrive with connect parameters the Worker wrote.
 */
import { DurableObject } from "cloudflare:workers";
import { type CredentialFilter, credentialIsLive } from "../../worker/features/auth/credentials";
import type {
  AcceptedTurnDto,
  ApprovalDto,
  MessageDto,
  SendMessageInput,
  TurnDto,
} from "../../worker/features/chat-sessions/schemas";
import { flushMetrics } from "../../worker/features/observability/collector";
import { toIsoOrNull } from "../../worker/lib/time";
import { answerPingsWhileAsleep, closeSocketsOf, echoClose, jsonError, pong } from "../sockets";
import { EventLog } from "./event-log";
import { MessageStore, toMessageDto } from "./message-store";
import {
  type ClientFrame,
  CONNECT_HEADER,
  ConnectParams,
  fail,
  type RpcResult,
  type SessionRef,
  type SocketState,
  type TurnCaller,
} from "./protocol";
import { SessionHost } from "./session-host";
import { registerSocket, unregisterSocket } from "./socket-registry";
import { accept, broadcast, parseFrame, replay, send, stateOf } from "./sockets";
import { SseStreams } from "./sse";
import { type ApprovalRow, createSchema, SessionStore } from "./storage";
import { TurnControl, WATCHDOG_MS } from "./turns";

/** Most bytes of messages in one page (RPC answers and responses stay reasonable). */
const PAGE_BYTES = 8 * 1024 * 1024;

const notFound = () => fail("not_found", "No such session");

export function toApprovalDto(row: ApprovalRow): ApprovalDto {
  return {
    call_id: row.call_id,
    turn_id: row.turn_id,
    tool: row.tool,
    status: row.status,
    reason: row.reason,
    decided_at: toIsoOrNull(row.decided_at),
  };
}

export class ChatSession extends DurableObject<Env> {
  #store!: SessionStore;
  #messages!: MessageStore;
  #events!: EventLog;
  #host!: SessionHost;
  #turns!: TurnControl;
  #sse = new SseStreams();
  #deleted = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      createSchema(ctx.storage.sql);
      this.#store = new SessionStore(ctx.storage.sql);
      this.#messages = new MessageStore(ctx.storage);
      this.#events = new EventLog(ctx.storage.sql, (event) => {
        this.#sse.send(event);
        broadcast(ctx, event);
      });
      this.#host = new SessionHost(env, this.#store, this.#messages, this.#events);
      this.#turns = new TurnControl(
        this.#host,
        ctx,
        () => this.#events.bounds().latest,
        () => this.#afterTurn(),
      );
    });
    answerPingsWhileAsleep(ctx);
  }

  async submit(ref: SessionRef, input: SendMessageInput, caller: TurnCaller): Promise<RpcResult<AcceptedTurnDto>> {
    const meta = this.#bind(ref);
    if (!meta) return notFound();
    this.#turns.wake();
    const result = this.#turns.submit(input, caller, meta.status === "ended");
    if (!result.ok) return result;
    const { turnId, message, streamAfter } = result.value;
    return { ok: true, value: { turn_id: turnId, message: toMessageDto(message), stream_after: streamAfter } };
  }

  async cancelTurn(ref: SessionRef, turnId: string): Promise<RpcResult<TurnDto>> {
    if (!this.#bind(ref)) return notFound();
    return this.#turns.cancel(turnId, "cancelled by the user");
  }

  async decide(
    ref: SessionRef,
    callId: string,
    approve: boolean,
    reason: string | null,
  ): Promise<RpcResult<ApprovalDto>> {
    if (!this.#bind(ref)) return notFound();
    const result = this.#turns.decide(callId, approve, reason);
    return result.ok ? { ok: true, value: toApprovalDto(result.value) } : result;
  }

  async messagePage(
    ref: SessionRef,
    query: { from: number | null; limit: number; order: "asc" | "desc" },
  ): Promise<RpcResult<{ items: MessageDto[]; next: number | null }>> {
    if (!this.#bind(ref)) return notFound();
    const page = this.#messages.page({ ...query, maxBytes: PAGE_BYTES });
    const next = page.more ? (page.items.at(-1)?.seq ?? null) : null;
    return { ok: true, value: { items: page.items.map(toMessageDto), next } };
  }

  async state(ref: SessionRef): Promise<RpcResult<{ active_turn: TurnDto | null; last_seq: number }>> {
    if (!this.#bind(ref)) return notFound();
    this.#turns.wake();
    const open = this.#store.openTurn();
    return {
      ok: true,
      value: { active_turn: open ? this.#turns.view(open) : null, last_seq: this.#events.bounds().latest },
    };
  }

  /** The SSE byte stream: events after `after`, then live ones until the client goes away. */
  async openStream(ref: SessionRef, after: number): Promise<RpcResult<ReadableStream<Uint8Array>>> {
    if (!this.#bind(ref)) return notFound();
    this.#turns.wake();
    const { oldest } = this.#events.bounds();
    const gap = oldest > after + 1 ? { requestedAfter: after, oldest } : null;
    return { ok: true, value: this.#sse.open(this.#events.after(after), gap) };
  }

  /** No more turns: a running turn is cancelled, clients see session.ended. */
  async end(ref: SessionRef): Promise<RpcResult<null>> {
    const meta = this.#bind(ref);
    if (!meta) return notFound();
    if (meta.status === "ended") return { ok: true, value: null };
    this.#store.setMeta({ status: "ended" });
    await this.#turns.stop("the session ended");
    this.#events.append(null, "session.ended", { session_id: ref.sessionId });
    return { ok: true, value: null };
  }

  /** Stops everything and deletes all of the session's storage (messages, parts, events, alarm). */
  async destroy(ref: SessionRef): Promise<void> {
    const meta = this.#store.meta();
    if (this.#deleted || (meta && (meta.sessionId !== ref.sessionId || meta.userId !== ref.userId))) return;
    if (meta) await this.#turns.stop("the session was deleted");
    this.#sse.closeAll();
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(1000, "session_deleted");
      } catch {
        // Already closing.
      }
    }
    await this.#host.settled();
    this.#deleted = true;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }

  override async fetch(request: Request): Promise<Response> {
    let params: ConnectParams | undefined;
    try {
      params = ConnectParams.parse(JSON.parse(request.headers.get(CONNECT_HEADER) ?? "null"));
    } catch {
      params = undefined;
    }
    if (!params || request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(400, "bad_request", "Not a session connection request");
    }
    if (!this.#bind(params.ref)) return jsonError(404, "not_found", "No such session");
    if (params.ticketNonce && !this.#store.spendTicket(params.ticketNonce, params.ticketExpiresAt ?? Date.now())) {
      return jsonError(401, "ticket_used", "This connect ticket was already used; ask for a new one");
    }
    this.#turns.wake();
    const { response, server } = accept(this.ctx, params, this.#events);
    await registerSocket(this.env, server);
    return response;
  }

  /**
   * Closes the sockets opened with one credential (logout, a revoked session or key)
   * or all of them (1008); called by disconnectLive for the sessions the owner's hub
   * lists. Needs no SessionRef: it only closes, and only the Worker can call it.
   */
  disconnect(filter: CredentialFilter, reason: string): number {
    return closeSocketsOf(this.ctx.getWebSockets(), filter, reason);
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const parsed = parseFrame(raw);
    if ("error" in parsed) return send(ws, parsed.error);
    const state = stateOf(ws);
    if (!state) return;
    const { frame } = parsed;
    if (frame.type === "ping") return send(ws, pong());
    if (frame.type === "resume") return replay(ws, this.#events, frame.after);
    return this.#command(ws, state, frame);
  }

  /** send, cancel, approve, reject: writes, so the socket's credential must still be good. */
  async #command(ws: WebSocket, state: SocketState, frame: Exclude<ClientFrame, { type: "ping" | "resume" }>) {
    const refuse = (code: string, message: string) => send(ws, { type: "error", code, message, request: frame.type });
    if (!state.scopes.includes("agents:write"))
      return refuse("insufficient_scope", "This needs the agents:write scope");
    if (!(await credentialIsLive(this.env, state.userId, state.credential))) {
      return ws.close(1008, "credential_revoked");
    }
    const ref = this.#store.meta();
    if (!ref || this.#deleted) return refuse("not_found", "No such session");
    if (frame.type === "send") {
      const { type: _, ...input } = frame;
      const result = await this.submit(ref, input, { scopes: state.scopes, via: "websocket" });
      if (!result.ok) return refuse(result.code, result.message);
      if (!stateOf(ws)?.live) replay(ws, this.#events, result.value.stream_after);
      const { turn_id, message, stream_after } = result.value;
      return send(ws, { type: "accepted", turn_id, message_id: message.id, stream_after });
    }
    if (frame.type === "cancel") {
      const result = await this.cancelTurn(ref, frame.turn_id);
      return result.ok
        ? send(ws, { type: "ack", request: "cancel", id: frame.turn_id })
        : refuse(result.code, result.message);
    }
    const result = await this.decide(
      ref,
      frame.call_id,
      frame.type === "approve",
      frame.type === "reject" ? (frame.reason ?? null) : null,
    );
    return result.ok
      ? send(ws, { type: "ack", request: frame.type, id: frame.call_id })
      : refuse(result.code, result.message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    echoClose(ws, code, reason);
    await unregisterSocket(this.ctx, this.env, ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await unregisterSocket(this.ctx, this.env, ws);
  }

  /** While a turn is open the alarm keeps coming back; after an eviction it resumes the turn. */
  override async alarm(): Promise<void> {
    if (this.#deleted || !this.#store.meta()) return;
    this.#turns.wake();
    if (this.#store.openTurn()?.status === "running") await this.ctx.storage.setAlarm(Date.now() + WATCHDOG_MS);
    this.#events.prune();
  }

  /** The session's stored identity, recorded on first use; null when `ref` names another session. */
  #bind(ref: SessionRef) {
    if (this.#deleted) return null;
    const meta = this.#store.meta();
    if (!meta) {
      this.#store.setMeta({ session_id: ref.sessionId, user_id: ref.userId, agent_id: ref.agentId, status: "active" });
      return { ...ref, status: "active" as const };
    }
    return meta.sessionId === ref.sessionId && meta.userId === ref.userId ? meta : null;
  }

  /** Old events go once their turn is over; this object's metric samples go to the MetricsHub. */
  #afterTurn(): void {
    if (this.#deleted) return;
    try {
      this.#events.prune();
    } catch (error) {
      console.warn(JSON.stringify({ msg: "event prune failed", error: String(error) }));
    }
    void flushMetrics(this.env);
  }
}
