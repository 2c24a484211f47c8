/**
 * One-time connect tickets for a user's live sockets (the event hub, the graph).
 * Browsers cannot put an Authorization header on a WebSocket, and long-lived
 * tokens must not sit in URLs (and so in logs), so clients trade their credential
 * for a ticket valid for 60 seconds, signed with HMAC under the socket's purpose;
 * the receiving object refuses a ticket's second use.
 */
import { z } from "zod";
import { readSignedTicket, signTicket } from "../../lib/signed-ticket";
import { Credential } from "../auth/credentials";

export const TICKET_TTL_SECONDS = 60;

/** Which socket a ticket opens; each signs under its own key. */
export type TicketPurpose = "hub-ticket" | "graph-ticket";

/** `cred` is the credential that asked for the ticket; the socket ends when it does. */
const TicketClaims = z.object({ sub: z.string(), nonce: z.string(), exp: z.number(), cred: Credential });
type TicketClaims = z.infer<typeof TicketClaims>;

export async function issueTicket(
  env: Pick<Env, "JWT_SECRET">,
  purpose: TicketPurpose,
  userId: string,
  cred: Credential,
) {
  const claims: TicketClaims = {
    sub: userId,
    nonce: crypto.randomUUID(),
    exp: Date.now() + TICKET_TTL_SECONDS * 1000,
    cred,
  };
  return { ticket: await signTicket(env.JWT_SECRET, purpose, claims), expiresAt: claims.exp };
}

/** The claims of a well-signed, unexpired ticket for `purpose`; null otherwise (single use is the socket's check). */
export function readTicket(
  env: Pick<Env, "JWT_SECRET">,
  purpose: TicketPurpose,
  ticket: string,
): Promise<TicketClaims | null> {
  return readSignedTicket(env.JWT_SECRET, purpose, ticket, TicketClaims);
}
