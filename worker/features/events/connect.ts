/**
 * The two halves every user-level live socket shares (the event hub, the graph):
 * trading a credential for a connect ticket, and finding out who is connecting —
 * a ticket's user, or the caller of an Authorization/X-API-Key header.
 */
import type { Context } from "hono";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { authenticate, readCredential } from "../../middleware/auth";
import { credentialIsLive } from "../auth/credentials";
import type { Scope } from "../auth/scopes";
import { credentialOf } from "./publish";
import { issueTicket, readTicket, type TicketPurpose } from "./tickets";

/** The `ws(s)://…?ticket=` URL that opens `socketPath` on this host. */
export function socketUrl(c: Context<AppEnv>, socketPath: string, ticket: string): string {
  const url = new URL(socketPath, c.req.url);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("ticket", ticket);
  return url.toString();
}

/** A ticket for the caller, with the URL that opens `socketPath`. */
export async function ticketResponse(c: Context<AppEnv>, purpose: TicketPurpose, socketPath: string) {
  const { principal } = c.var;
  const { ticket, expiresAt } = await issueTicket(c.env, purpose, principal.userId, credentialOf(principal));
  return { ticket, expires_at: new Date(expiresAt).toISOString(), url: socketUrl(c, socketPath, ticket) };
}

export async function connectingUser(
  c: Context<AppEnv>,
  ticket: string | undefined,
  access: { purpose: TicketPurpose; scope: Scope },
) {
  if (ticket) {
    const claims = await readTicket(c.env, access.purpose, ticket);
    if (!claims) throw new AppError(401, "invalid_ticket", "The connect ticket is invalid or expired");
    if (!(await credentialIsLive(c.env, claims.sub, claims.cred))) {
      throw new AppError(401, "credential_revoked", "The session or key this ticket was issued to has ended");
    }
    return { userId: claims.sub, credential: claims.cred, nonce: claims.nonce, expiresAt: claims.exp };
  }
  if (!readCredential(c.req.raw.headers)) {
    throw new AppError(401, "missing_credentials", "Connect with ?ticket= or an Authorization header");
  }
  await authenticate(c, async () => {});
  if (!c.var.principal.scopes.has(access.scope)) {
    throw new AppError(403, "insufficient_scope", `Connecting needs the ${access.scope} scope`, {
      required: [access.scope],
    });
  }
  return { userId: c.var.principal.userId, credential: credentialOf(c.var.principal), nonce: null, expiresAt: null };
}
