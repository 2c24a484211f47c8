/**
 * What the Worker and a ChatSession tell each other: the connect parameters of an
 * authenticated WebSocket, the per-socket state, and the result values of its RPC
 * methods. The stream events and frames on the wire are in shared/chat-session/protocol.ts;
 * client frames are parsed here with `ClientFrame` (`safeParse`, answered with an error frame).
 */
import { z } from "zod";
import { CommandFrame, Seq } from "../../shared/chat-session/protocol";
import { Credential } from "../../worker/features/auth/credentials";
import type { TurnStatus } from "../../worker/features/chat-sessions/schemas";
import { SendMessageBody } from "../../worker/features/chat-sessions/schemas";

/** Every client frame; `send` takes the body of POST /sessions/{id}/messages. */
export const ClientFrame = z.discriminatedUnion("type", [
  SendMessageBody.extend({ type: z.literal("send") }),
  ...CommandFrame.options,
]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** For callers outside the session that read its stored events (workflow chat steps). */
export type { StreamEvent } from "../../shared/chat-session/protocol";

/** The session and owner an RPC is about, as the Worker found them in D1. */
export type SessionRef = { sessionId: string; userId: string; agentId: string };

/** Who started a turn: the tool runtime checks these scopes per tool. */
export type TurnCaller = { scopes: string[]; via: "http" | "websocket" };

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
  credential: Credential;
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
