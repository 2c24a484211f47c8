/**
 * Live subscriptions over WebSocket: what a client may send (subscribe to
 * entities, types or everything; unsubscribe; ping), what the server sends, and
 * which change frames each socket gets. Client frames are untrusted: parsed with
 * `safeParse` and answered with an `error` frame, never a throw.
 */
import { z } from "zod";
import { type FeedItem, Id } from "../../shared/graph-sync/protocol";

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

export type LiveServerMessage =
  | { type: "welcome"; connection_id: string; subscriptions: Subscriptions; cursor: number; heartbeat_ms: number }
  | { type: "subscribed"; subscriptions: Subscriptions }
  /** `device_id`: the device whose write caused it (null for merges and server-side writes' own effects). */
  | { type: "change"; item: FeedItem; device_id: string | null }
  | { type: "pong"; ts?: string }
  | { type: "error"; code: string; message: string };

export const HEARTBEAT_MS = 30_000;
export const MAX_CLIENT_FRAME_BYTES = 16_384;
export const MAX_LIVE_CONNECTIONS = 50;

export const LiveConnectParams = z.object({
  credential: z.object({ type: z.enum(["session", "api_key"]), id: z.string().max(64) }),
  subscriptions: Subscriptions,
  ticketNonce: z.string().max(64).nullable(),
  ticketExpiresAt: z.number().int().nullable(),
});
export type LiveConnectParams = z.infer<typeof LiveConnectParams>;
export const LIVE_CONNECT_HEADER = "x-edgewise-graph-connect";

export type LiveSocketState = {
  connectionId: string;
  credential: LiveConnectParams["credential"];
  subs: Subscriptions;
};

export function addSubscriptions(current: Subscriptions, add: Partial<Subscriptions>): Subscriptions {
  return {
    entities: [...new Set([...current.entities, ...(add.entities ?? [])])],
    types: [...new Set([...current.types, ...(add.types ?? [])])],
    all: current.all || add.all === true,
  };
}

export function removeSubscriptions(current: Subscriptions, remove: Partial<Subscriptions>): Subscriptions {
  return {
    entities: current.entities.filter((id) => !remove.entities?.includes(id)),
    types: current.types.filter((type) => !remove.types?.includes(type)),
    all: current.all && remove.all !== true,
  };
}

/** Whether a socket with these subscriptions gets this change. */
export function wants(subs: Subscriptions, item: FeedItem): boolean {
  if (subs.all) return true;
  const entity = (id: string) => subs.entities.includes(id);
  switch (item.kind) {
    case "entity":
      return entity(item.entity.id) || subs.types.includes(item.entity.type);
    case "relationship":
      return (
        entity(item.relationship.from_id) ||
        entity(item.relationship.to_id) ||
        subs.types.includes(item.relationship.type)
      );
    case "conflict":
      return entity(item.conflict.entity_id) || subs.types.includes(item.conflict.entity_type);
    case "attachment":
      return entity(item.attachment.entity_id);
    default:
      return false;
  }
}
