/**
 * One-time connect tickets for the graph's live WebSocket, like the hub's
 * (features/events/tickets.ts) but signed under their own purpose, so a ticket
 * issued for `graph:read` cannot open the event hub (which needs `events:read`)
 * and the other way round. GraphSync refuses a ticket's second use.
 */
import { Credential } from "../../../durable-objects/user-hub/protocol";
import { hmacSign, hmacVerify } from "../../lib/crypto";
import { fromBase64Url, toBase64Url, utf8 } from "../../lib/encoding";

export const GRAPH_TICKET_TTL_SECONDS = 60;
const purposeKey = (secret: string) => `${secret}:graph-ticket`;

type GraphTicketClaims = { sub: string; nonce: string; exp: number; cred: Credential; aud: "graph" };

export async function issueGraphTicket(env: Pick<Env, "JWT_SECRET">, userId: string, cred: Credential) {
  const claims: GraphTicketClaims = {
    sub: userId,
    nonce: crypto.randomUUID(),
    exp: Date.now() + GRAPH_TICKET_TTL_SECONDS * 1000,
    cred,
    aud: "graph",
  };
  const payload = toBase64Url(utf8.encode(JSON.stringify(claims)));
  return { ticket: `${payload}.${await hmacSign(purposeKey(env.JWT_SECRET), payload)}`, expiresAt: claims.exp };
}

/** The claims of a well-signed, unexpired graph ticket; null otherwise. */
export async function readGraphTicket(env: Pick<Env, "JWT_SECRET">, ticket: string): Promise<GraphTicketClaims | null> {
  const [payload, signature] = ticket.split(".");
  if (!payload || !signature || !(await hmacVerify(purposeKey(env.JWT_SECRET), payload, signature))) return null;
  try {
    const claims = JSON.parse(utf8.decode(fromBase64Url(payload))) as GraphTicketClaims;
    const valid = claims.aud === "graph" && claims.exp > Date.now() && typeof claims.sub === "string";
    return valid && Credential.safeParse(claims.cred).success ? claims : null;
  } catch {
    return null;
  }
}
