/**
 * The live hub's server frames (durable-objects/user-hub/protocol.ts), checked
 * with safeParse: a frame that is not JSON or of a type this CLI does not know is
 * skipped, so a newer server can add frames without breaking older clients.
 */
import { z } from "zod";
import { HubEvent } from "./api-types";
import { parseJsonFrame } from "./reconnecting-socket";

export const ServerFrame = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("welcome"),
    connection_id: z.string(),
    topics: z.array(z.string()),
    last_event_id: z.number().int(),
    heartbeat_ms: z.number().int().positive(),
  }),
  z.object({ type: z.literal("event"), event: HubEvent }),
  z.object({ type: z.literal("replay_gap"), requested_after: z.number().int(), oldest_available: z.number().int() }),
  z.object({ type: z.literal("replayed"), count: z.number().int(), last_event_id: z.number().int() }),
  // The runtime answers a bare ping itself with `{"type":"pong"}`, without `ts`.
  z.object({ type: z.literal("pong"), ts: z.string().optional() }),
  z.object({ type: z.literal("subscribed"), topics: z.array(z.string()) }),
  z.object({ type: z.literal("unsubscribed"), topics: z.array(z.string()) }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

export const parseFrame = (data: unknown): ServerFrame | null => parseJsonFrame(ServerFrame, data);

/** Same rule as the hub's `Topic`: `*`, `apikey`, `auth.login`, `entity:42`… */
const TOPIC = /^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*(:[A-Za-z0-9_.-]+)?)$/;

/**
 * A bad topic makes the server refuse the upgrade, and a WebSocket client only
 * learns "handshake failed", so topics are checked here where the reason can be shown.
 */
export function invalidTopics(topics: readonly string[]): string[] {
  return topics.filter((topic) => topic.length > 120 || !TOPIC.test(topic));
}
