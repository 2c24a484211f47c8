/**
 * One-time connect tickets for the live hub. Browsers cannot put an Authorization
 * header on a WebSocket, and long-lived tokens must not sit in URLs (and so in
 * logs), so clients trade their credential for a ticket valid for 60 seconds,
 * signed with HMAC; the hub refuses a ticket's second use.
 */
import { Credential } from "../../../durable-objects/user-hub/protocol";
import { hmacSign, hmacVerify } from "../../lib/crypto";
import { fromBase64Url, toBase64Url, utf8 } from "../../lib/encoding";

export const TICKET_TTL_SECONDS = 60;

/** `cred` is the credential that asked for the ticket; the socket ends when it does. */
type TicketClaims = { sub: string; nonce: string; exp: number; cred: Credential };

export async function issueTicket(env: Pick<Env, "JWT_SECRET">, userId: string, cred: Credential) {
  const claims: TicketClaims = {
    sub: userId,
    nonce: crypto.randomUUID(),
    exp: Date.now() + TICKET_TTL_SECONDS * 1000,
    cred,
  };
  const payload = toBase64Url(utf8.encode(JSON.stringify(claims)));
  const signature = await hmacSign(`${env.JWT_SECRET}:hub-ticket`, payload);
  return { ticket: `${payload}.${signature}`, expiresAt: claims.exp };
}

/** The claims of a well-signed, unexpired ticket; null otherwise (single use is the hub's check). */
export async function readTicket(env: Pick<Env, "JWT_SECRET">, ticket: string): Promise<TicketClaims | null> {
  const [payload, signature] = ticket.split(".");
  if (!payload || !signature) return null;
  if (!(await hmacVerify(`${env.JWT_SECRET}:hub-ticket`, payload, signature))) return null;
  try {
    const claims = JSON.parse(utf8.decode(fromBase64Url(payload))) as TicketClaims;
    const fresh = claims.exp > Date.now() && typeof claims.sub === "string";
    return fresh && Credential.safeParse(claims.cred).success ? claims : null;
  } catch {
    return null;
  }
}
