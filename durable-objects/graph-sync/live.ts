/**
 * Live subscriptions on the GraphSync side: the connect parameters the Worker passes,
 * the per-socket state, and which change frames each socket gets. The frames on the
 * wire are in shared/graph-sync/live.ts.
 */
import { z } from "zod";
import { Subscriptions } from "../../shared/graph-sync/live";
import type { FeedItem } from "../../shared/graph-sync/protocol";
import { Credential } from "../../worker/features/auth/credentials";

export const MAX_LIVE_CONNECTIONS = 50;

export const LiveConnectParams = z.object({
  credential: Credential,
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
