/**
 * What flows in and out of a ChatSession: stream events (stored, numbered, replayable),
 * the session WebSocket's frames, the Worker's connect parameters, and the result
 * values of its RPC methods. Client frames are untrusted: parsed with `safeParse`,
 * answered with an `error` frame. Server frames are built with `satisfies ServerFrame`.
 */
import { z } from "zod";
import type { TurnStatus } from "../../worker/features/chat-sessions/schemas";
import { SendMessageBody } from "../../worker/features/chat-sessions/schemas";

export const STREAM_EVENT_TYPES = [
  "turn.started",
  "turn.resumed",
  "text.delta",
  "tool.started",
  "tool.approval_required",
  "tool.approval_decided",
  "tool.finished",
  "message",
  "usage",
  "context.summarized",
  "budget.exceeded",
  "turn.completed",
  "turn.failed",
  "turn.cancelled",
  "session.ended",
] as const;
export type StreamEventType = (typeof STREAM_EVENT_TYPES)[number];

/** One stored event; `seq` increases by one per event in the session and is the SSE `id:`. */
export type StreamEvent = { seq: number; turn_id: string | null; type: StreamEventType; data: unknown; ts: string };

/** Events that end a turn: after one of these no event of that turn follows. */
export const TURN_END_EVENTS: ReadonlySet<StreamEventType> = new Set([
  "turn.completed",
  "turn.failed",
  "turn.cancelled",
]);

/** Client frames are at most this large (a message of MAX_CONTENT_CHARS plus its frame). */
export const MAX_CLIENT_FRAME_BYTES = 1_100_000;
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';
export const HEARTBEAT_MS = 30_000;

const CallId = z.string().min(1).max(128);
const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ClientFrame = z.discriminatedUnion("type", [
  SendMessageBody.extend({ type: z.literal("send") }),
  z.object({ type: z.literal("cancel"), turn_id: z.string().min(1).max(64) }),
  z.object({ type: z.literal("approve"), call_id: CallId }),
  z.object({ type: z.literal("reject"), call_id: CallId, reason: z.string().max(1000).optional() }),
  z.object({ type: z.literal("resume"), after: Seq }),
  z.object({ type: z.literal("ping") }),
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

export type ServerFrame =
  | { type: "welcome"; session_id: string; last_seq: number; heartbeat_ms: number }
  | { type: "event"; event: StreamEvent }
  | { type: "replay_gap"; requested_after: number; oldest_available: number }
  | { type: "replayed"; count: number; last_seq: number }
  | { type: "accepted"; turn_id: string; message_id: string; stream_after: number }
  | { type: "ack"; request: "cancel" | "approve" | "reject"; id: string }
  | { type: "pong"; ts?: string }
  | { type: "error"; code: string; message: string; request?: string };

/** The session and owner an RPC is about, as the Worker found them in D1. */
export type SessionRef = { sessionId: string; userId: string; agentId: string };

/** Who started a turn: the tool runtime checks these scopes per tool. */
export type TurnCaller = { scopes: string[]; via: "http" | "websocket" };

export const Credential = z.object({ type: z.enum(["session", "api_key"]), id: z.string().max(64) });

/** What the Worker tells the session about a WebSocket it has authenticated. */
export const ConnectParams = z.object({
  ref: z.object({ sessionId: z.string(), userId: z.string(), agentId: z.string() }),
  scopes: z.array(z.string().max(64)).max(100),
  credential: Credential,
  ticketNonce: z.string().max(64).nullable(),
  ticketExpiresAt: z.number().int().nullable(),
  after: Seq.nullable(),
});
export type ConnectParams = z.infer<typeof ConnectParams>;
export const CONNECT_HEADER = "x-edgewise-session-connect";

/** Per-socket state, in the socket's attachment so it survives hibernation. */
export type SocketState = {
  connectionId: string;
  userId: string;
  /** Which session this is, for the hub's index of chat sockets (./socket-registry.ts). */
  sessionId: string;
  scopes: string[];
  credential: z.infer<typeof Credential>;
  /** Live sockets get every new event; a socket becomes live with `resume` (or `?after=`). */
  live: boolean;
};

export type RpcErrorCode =
  | "not_found"
  | "session_ended"
  | "turn_in_progress"
  | "turn_not_found"
  | "turn_not_open"
  | "approval_not_found"
  | "approval_decided"
  | "agent_unavailable";

/** Expected failures cross RPC as values (only name and message survive a thrown error). */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; code: RpcErrorCode; message: string };

export const fail = (code: RpcErrorCode, message: string): { ok: false; code: RpcErrorCode; message: string } => ({
  ok: false,
  code,
  message,
});

export type TurnRow = {
  id: string;
  status: TurnStatus;
  started_at: number;
  ended_at: number | null;
  error: { code: string; message: string } | null;
};
