/**
 * The graph's live WebSocket protocol (/api/v1/graph/ws), in plain zod: what a client
 * may send (subscribe to entities, types or everything; unsubscribe; ping) and what
 * GraphSync sends back (durable-objects/graph-sync/). GraphSync parses client frames
 * with `LiveClientMessage`; the console (web/src/graph/use-live-graph.ts) parses server
 * frames with `LiveServerMessage` (shared/parse-frame.ts).
 */
import { z } from "zod";
import { FeedItem, Id } from "./protocol";

export const Subscriptions = z.object({
  entities: z.array(Id).max(500).default([]),
  types: z.array(z.string().min(1).max(32)).max(50).default([]),
  all: z.boolean().default(false),
});
export type Subscriptions = z.infer<typeof Subscriptions>;

export const LiveClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribe"), ...Subscriptions.partial().shape }),
  z.object({ type: z.literal("unsubscribe"), ...Subscriptions.partial().shape }),
  z.object({ type: z.literal("ping") }),
]);
export type LiveClientMessage = z.infer<typeof LiveClientMessage>;

export const LiveServerMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    connection_id: z.string(),
    subscriptions: Subscriptions,
    cursor: z.number().int(),
    heartbeat_ms: z.number().int().positive(),
  }),
  z.object({ type: z.literal("subscribed"), subscriptions: Subscriptions }),
  /** `device_id`: the device whose write caused it (null for merges and server-side writes' own effects). */
  z.object({ type: z.literal("change"), item: FeedItem, device_id: z.string().nullable() }),
  /** `ts` is absent when the runtime auto-answers a hibernated object's ping. */
  z.object({ type: z.literal("pong"), ts: z.string().optional() }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type LiveServerMessage = z.infer<typeof LiveServerMessage>;

export const HEARTBEAT_MS = 30_000;
export const MAX_CLIENT_FRAME_BYTES = 16_384;
