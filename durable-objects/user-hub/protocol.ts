/**
 * The live hub's WebSocket frames. Client frames are untrusted: they are parsed
 * with `safeParse` and a bad one gets an `error` frame, never a thrown exception.
 * Every server frame is built with `satisfies ServerMessage`.
 */
import { z } from "zod";
import type { HubEvent } from "../../worker/features/events/catalog";

export const Topic = z
  .string()
  .regex(/^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*(:[A-Za-z0-9_.-]+)?)$/, "Not a topic name")
  .max(120);

export const ClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("subscribe"), topics: z.array(Topic).min(1).max(100) }),
  z.object({ type: z.literal("unsubscribe"), topics: z.array(Topic).min(1).max(100) }),
  z.object({ type: z.literal("resume"), last_event_id: z.number().int().min(0) }),
  z.object({ type: z.literal("ping") }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export type ServerMessage =
  | { type: "welcome"; connection_id: string; topics: string[]; last_event_id: number; heartbeat_ms: number }
  | { type: "event"; event: HubEvent }
  | { type: "subscribed"; topics: string[] }
  | { type: "unsubscribed"; topics: string[] }
  | { type: "replay_gap"; requested_after: number; oldest_available: number }
  | { type: "replayed"; count: number; last_event_id: number }
  /** `ts` is absent when the runtime auto-answers a hibernated hub's ping (PONG_FRAME). */
  | { type: "pong"; ts?: string }
  | { type: "error"; code: string; message: string };

/** Sent as-is, a ping is answered by the runtime without waking a hibernated hub. */
export const PING_FRAME = '{"type":"ping"}';
export const PONG_FRAME = '{"type":"pong"}';
export const HEARTBEAT_MS = 30_000;
/** Client frames past this size are refused. */
export const MAX_CLIENT_FRAME_BYTES = 8_192;

/**
 * The credential a socket was opened with. When that session ends or that key is
 * revoked, the hub closes the socket (see `disconnect`).
 */
export const Credential = z.object({ type: z.enum(["session", "api_key"]), id: z.string().max(64) });
export type Credential = z.infer<typeof Credential>;

/** Which sockets `disconnect` closes: those of one credential, or all of the user's. */
export type DisconnectFilter = Credential | "all";

/** What the Worker tells the hub about a connection it has authenticated. */
export const ConnectParams = z.object({
  credential: Credential,
  topics: z.array(Topic).max(1_000),
  lastEventId: z.number().int().min(0).nullable(),
  maxConnections: z.number().int().min(1),
  maxTopics: z.number().int().min(1),
  /** Nonce of the one-time ticket used to connect, so the hub can refuse a second use. */
  ticketNonce: z.string().max(64).nullable(),
  ticketExpiresAt: z.number().int().nullable(),
});
export type ConnectParams = z.infer<typeof ConnectParams>;
export const CONNECT_HEADER = "x-edgewise-hub-connect";

/** Per-socket state, kept in the socket's attachment so it survives hibernation. */
export type SocketState = {
  connectionId: string;
  credential: Credential;
  topics: string[];
  maxTopics: number;
};

export function matches(subscriptions: readonly string[], eventTopics: readonly string[]): boolean {
  return subscriptions.includes("*") || eventTopics.some((topic) => subscriptions.includes(topic));
}
