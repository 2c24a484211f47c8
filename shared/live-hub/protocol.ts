/**
 * The live hub's WebSocket protocol (/api/v1/events/ws), in plain zod: the frames a
 * client sends and the frames the hub (durable-objects/user-hub/) sends back. The hub
 * parses client frames with `ClientMessage` and builds its frames as `ServerMessage`;
 * the console (web/src/events/) and the CLI (cli/src/live-feed.ts) parse server frames
 * with `ServerMessage`, each with `safeParse` (shared/parse-frame.ts).
 */
import { z } from "zod";

export const Topic = z
  .string()
  .regex(/^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*(:[A-Za-z0-9_.-]+)?)$/, "Not a topic name")
  .max(120);

/** One published event; `data` fits its type's schema (worker/features/events/catalog.ts). */
export const HubEvent = z.object({ id: z.number().int(), type: z.string(), ts: z.string(), data: z.unknown() });
export type HubEvent = z.infer<typeof HubEvent>;

export const ClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribe"), topics: z.array(Topic).min(1).max(100) }),
  z.object({ type: z.literal("unsubscribe"), topics: z.array(Topic).min(1).max(100) }),
  z.object({ type: z.literal("resume"), last_event_id: z.number().int().min(0) }),
  z.object({ type: z.literal("ping") }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

const Topics = z.array(z.string());

export const ServerMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    connection_id: z.string(),
    topics: Topics,
    last_event_id: z.number().int(),
    heartbeat_ms: z.number().int().positive(),
  }),
  z.object({ type: z.literal("event"), event: HubEvent }),
  z.object({ type: z.literal("subscribed"), topics: Topics }),
  z.object({ type: z.literal("unsubscribed"), topics: Topics }),
  z.object({ type: z.literal("replay_gap"), requested_after: z.number().int(), oldest_available: z.number().int() }),
  z.object({ type: z.literal("replayed"), count: z.number().int(), last_event_id: z.number().int() }),
  /** `ts` is absent when the runtime auto-answers a hibernated hub's ping. */
  z.object({ type: z.literal("pong"), ts: z.string().optional() }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

export const HEARTBEAT_MS = 30_000;
/** Client frames past this size are refused. */
export const MAX_CLIENT_FRAME_BYTES = 8_192;
