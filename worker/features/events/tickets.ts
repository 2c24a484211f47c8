/**
 * One-time connect tickets for the live hub. Browsers cannot put an Authorization
 * header on a WebSocket, and long-lived tokens must not sit in URLs (and so in
 * logs), so clients trade their credential for a ticket valid for 60 seconds,
 * signed with HMAC; the hub refuses a ticket's second use.
 */
import { hmacSign, hmacVerify } from "../../lib/crypto";
import { fromBase64Url, toBase64Url, utf8 } from "../../lib/encoding";

export const TICKET_TTL_SECONDS = 60;

type TicketClaims = { sub: string; nonce: string; exp: number };

export async function issueTicket(env: Pick<Env, "JWT_SECRET">, userId: string) {
  const claims: TicketClaims = { sub: userId, nonce: crypto.randomUUID(), exp: Date.now() + TICKET_TTL_SECONDS * 1000 };
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
    return claims.exp > Date.now() && typeof claims.sub === "string" ? claims : null;
  } catch {
    return null;
  }
}
