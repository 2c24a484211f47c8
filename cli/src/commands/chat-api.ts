/**
 * The chat session API as `edgewise chat` reads it: zod schemas for sessions,
 * accepted turns, stream events and the session WebSocket's server frames (shapes
 * from worker/features/sessions/schemas.ts and durable-objects/chat-session/protocol.ts).
 * Event payloads are checked per type where the CLI reads them (chat-render.ts).
 */
import { z } from "zod";
import { parseJsonFrame } from "../reconnecting-socket";

export const Session = z.looseObject({
  id: z.string(),
  agent_id: z.string(),
  title: z.string(),
  status: z.string(),
  message_count: z.number(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  cost_micros: z.number(),
});
export type Session = z.infer<typeof Session>;

const PendingApproval = z.looseObject({ call_id: z.string(), tool: z.string(), input: z.unknown() });

export const SessionDetail = Session.extend({
  active_turn: z
    .looseObject({ id: z.string(), status: z.string(), pending_approvals: z.array(PendingApproval) })
    .nullable(),
  last_seq: z.number().int(),
});
export type SessionDetail = z.infer<typeof SessionDetail>;

export const AcceptedTurn = z.looseObject({ turn_id: z.string(), stream_after: z.number().int() });

export const SessionTicket = z.looseObject({ ticket: z.string(), url: z.string(), expires_at: z.string() });

export const StreamEvent = z.looseObject({
  seq: z.number().int(),
  turn_id: z.string().nullable(),
  type: z.string(),
  data: z.unknown(),
  ts: z.string(),
});
export type StreamEvent = z.infer<typeof StreamEvent>;

export const ServerFrame = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    session_id: z.string(),
    last_seq: z.number().int(),
    heartbeat_ms: z.number().int().positive(),
  }),
  z.object({ type: z.literal("event"), event: StreamEvent }),
  z.object({ type: z.literal("replay_gap"), requested_after: z.number().int(), oldest_available: z.number().int() }),
  z.object({ type: z.literal("replayed"), count: z.number().int(), last_seq: z.number().int() }),
  z.object({
    type: z.literal("accepted"),
    turn_id: z.string(),
    message_id: z.string(),
    stream_after: z.number().int(),
  }),
  z.object({ type: z.literal("ack"), request: z.string(), id: z.string() }),
  z.object({ type: z.literal("pong"), ts: z.string().optional() }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string(), request: z.string().optional() }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

export const parseFrame = (data: unknown): ServerFrame | null => parseJsonFrame(ServerFrame, data);

export const sessionPath = (id: string) => `/sessions/${encodeURIComponent(id)}`;

/** Events after which no event of that turn follows. */
export const TURN_END_EVENTS = new Set(["turn.completed", "turn.failed", "turn.cancelled"]);
