/**
 * What the Worker and the UserHub tell each other about a socket: the connect
 * parameters of an authenticated upgrade and the per-socket state. The frames on the
 * wire are in shared/live-hub/protocol.ts, parsed there by the hub, the console and the CLI.
 */
import { z } from "zod";
import { Topic } from "../../shared/live-hub/protocol";
import { Credential } from "../../worker/features/auth/credentials";

/** What the Worker tells the hub about a connection it has authenticated. */
export const ConnectParams = z.object({
  /** When that session ends or that key is revoked, the hub closes the socket (see `disconnect`). */
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
