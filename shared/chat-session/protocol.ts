/**
 * The chat session's stream and WebSocket protocol (/api/v1/sessions/{id}/stream and
 * /ws), in plain zod: stored stream events, the frames a client sends and the frames
 * the session (durable-objects/chat-session/) sends back. The session builds its frames
 * as `ServerFrame` and parses client frames (with the `send` body of POST …/messages);
 * the console (web/src/chat/) and the CLI (cli/src/commands/chat-api.ts) parse server
 * frames with `ServerFrame`, each with `safeParse` (shared/parse-frame.ts).
 */
import { z } from "zod";
import type { SendMessageInput } from "../../worker/features/chat-sessions/schemas";

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
export const StreamEvent = z.object({
  seq: z.number().int(),
  turn_id: z.string().nullable(),
  type: z.enum(STREAM_EVENT_TYPES),
  data: z.unknown(),
  ts: z.string(),
});
export type StreamEvent = z.infer<typeof StreamEvent>;

/** Events that end a turn: after one of these no event of that turn follows. */
export const TURN_END_EVENTS: ReadonlySet<StreamEventType> = new Set([
  "turn.completed",
  "turn.failed",
  "turn.cancelled",
]);

/** Client frames are at most this large (a message of MAX_CONTENT_CHARS plus its frame). */
export const MAX_CLIENT_FRAME_BYTES = 1_100_000;
export const HEARTBEAT_MS = 30_000;

const CallId = z.string().min(1).max(128);
export const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * Every client frame but `send`, whose body is POST /sessions/{id}/messages's
 * (`SendMessageBody`, worker/features/chat-sessions/schemas.ts): the session adds it to this union.
 */
export const CommandFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("cancel"), turn_id: z.string().min(1).max(64) }),
  z.object({ type: z.literal("approve"), call_id: CallId }),
  z.object({ type: z.literal("reject"), call_id: CallId, reason: z.string().max(1000).optional() }),
  z.object({ type: z.literal("resume"), after: Seq }),
  z.object({ type: z.literal("ping") }),
]);
export type ClientFrame = ({ type: "send" } & SendMessageInput) | z.infer<typeof CommandFrame>;

/** What a command frame (`send`, `cancel`, `approve`, `reject`) is answered for. */
export type CommandRequest = Exclude<ClientFrame["type"], "resume" | "ping">;

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
  z.object({ type: z.literal("ack"), request: z.enum(["cancel", "approve", "reject"]), id: z.string() }),
  /** `ts` is absent when the runtime auto-answers a hibernated session's ping. */
  z.object({ type: z.literal("pong"), ts: z.string().optional() }),
  /** `request`: the command frame this error answers, absent for a frame that did not parse. */
  z.object({ type: z.literal("error"), code: z.string(), message: z.string(), request: z.string().optional() }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
