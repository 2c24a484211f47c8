/**
 * One-time tickets for a session's WebSocket, the live hub's approach
 * (features/events/tickets.ts) narrowed to one session: the HMAC-signed claims
 * name the user, the session, the credential that asked (the socket checks it is
 * still good before each write) and its scopes; 60 seconds; the session's object
 * refuses a ticket's second use.
 */
import { z } from "zod";
import { readSignedTicket, signTicket } from "../../lib/signed-ticket";
import { Credential } from "../auth/credentials";
import type { Principal } from "../auth/principal";
import { credentialOf } from "../events/publish";

export const SOCKET_TICKET_TTL_SECONDS = 60;
const PURPOSE = "session-ticket";

const Claims = z.object({
  sub: z.string(),
  sid: z.string(),
  nonce: z.string(),
  exp: z.number(),
  cred: Credential,
  scopes: z.array(z.string()),
});
export type SocketTicketClaims = z.infer<typeof Claims>;

export async function issueSocketTicket(env: Pick<Env, "JWT_SECRET">, principal: Principal, sessionId: string) {
  const claims: SocketTicketClaims = {
    sub: principal.userId,
    sid: sessionId,
    nonce: crypto.randomUUID(),
    exp: Date.now() + SOCKET_TICKET_TTL_SECONDS * 1000,
    cred: credentialOf(principal),
    scopes: [...principal.scopes],
  };
  return { ticket: await signTicket(env.JWT_SECRET, PURPOSE, claims), expiresAt: claims.exp };
}

/** The claims of a well-signed, unexpired ticket for `sessionId`; null for anything else. */
export async function readSocketTicket(
  env: Pick<Env, "JWT_SECRET">,
  ticket: string,
  sessionId: string,
): Promise<SocketTicketClaims | null> {
  const claims = await readSignedTicket(env.JWT_SECRET, PURPOSE, ticket, Claims);
  return claims?.sid === sessionId ? claims : null;
}
