/**
 * The session WebSocket, with the Hibernation API: accepting a connection the
 * Worker has authenticated, sending frames, replaying missed events on `resume`,
 * and fanning each new event out to the sockets that are live. Frame handling
 * (send, cancel, approve, reject) is in chat-session.ts.
 */

import {
  HEARTBEAT_MS,
  MAX_CLIENT_FRAME_BYTES,
  type ServerFrame,
  type StreamEvent,
} from "../../shared/chat-session/protocol";
import { parseClientFrame, sendFrame } from "../sockets";
import type { EventLog } from "./event-log";
import { ClientFrame, type ConnectParams, type SocketState } from "./protocol";

export const send = (ws: WebSocket, frame: ServerFrame): void => sendFrame(ws, frame);

export const stateOf = (ws: WebSocket) => ws.deserializeAttachment() as SocketState | null;

/** Sends the events after `after` (saying first if some were pruned) and makes the socket live. */
export function replay(ws: WebSocket, events: EventLog, after: number): void {
  const { oldest } = events.bounds();
  if (oldest > after + 1) send(ws, { type: "replay_gap", requested_after: after, oldest_available: oldest });
  const missed = events.after(after);
  for (const event of missed) send(ws, { type: "event", event });
  send(ws, { type: "replayed", count: missed.length, last_seq: missed.at(-1)?.seq ?? after });
  const state = stateOf(ws);
  if (state && !state.live) ws.serializeAttachment({ ...state, live: true } satisfies SocketState);
}

/** Accepts the socket; returns the response and the server end (for ./socket-registry.ts). */
export function accept(ctx: DurableObjectState, params: ConnectParams, events: EventLog) {
  const { 0: client, 1: server } = new WebSocketPair();
  ctx.acceptWebSocket(server, [params.ref.userId]);
  const state: SocketState = {
    connectionId: crypto.randomUUID(),
    userId: params.ref.userId,
    sessionId: params.ref.sessionId,
    scopes: params.scopes,
    credential: params.credential,
    live: false,
  };
  server.serializeAttachment(state);
  send(server, {
    type: "welcome",
    session_id: params.ref.sessionId,
    last_seq: events.bounds().latest,
    heartbeat_ms: HEARTBEAT_MS,
  });
  if (params.after !== null) replay(server, events, params.after);
  return { response: new Response(null, { status: 101, webSocket: client }), server };
}

export function broadcast(ctx: DurableObjectState, event: StreamEvent): void {
  const sockets = ctx.getWebSockets();
  if (sockets.length === 0) return;
  const text = JSON.stringify({ type: "event", event } satisfies ServerFrame);
  for (const ws of sockets) {
    if (!stateOf(ws)?.live) continue;
    try {
      ws.send(text);
    } catch {
      // Closing.
    }
  }
}

/** A valid client frame, or the error frame that answers a bad one. */
export function parseFrame(raw: string | ArrayBuffer): { frame: ClientFrame } | { error: ServerFrame } {
  return parseClientFrame(raw, ClientFrame, MAX_CLIENT_FRAME_BYTES);
}
