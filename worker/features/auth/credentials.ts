/**
 * The credential a live socket was opened with (a session or an API key), and whether
 * it still works. The auth middleware checks each request with the same query; the
 * socket routes and the Durable Objects holding sockets (ChatSession) call
 * `credentialIsLive` before they act for a socket opened earlier.
 */
import { z } from "zod";
import type { Role } from "../../db/schema";

export const Credential = z.object({ type: z.enum(["session", "api_key"]), id: z.string().max(64) });
export type Credential = z.infer<typeof Credential>;

/** Which sockets a disconnect closes: those of one credential, or all of the user's. */
export type CredentialFilter = Credential | "all";

type SessionRow = { role: Role; is_active: number; revoked: number };

/** The account's role and state, and whether the session is on the revocation list: one D1 query. */
export function sessionState(env: Env, userId: string, sessionId: string) {
  return env.DB.prepare(
    `SELECT role, is_active, EXISTS(SELECT 1 FROM revoked_sessions WHERE family_id = ?2) AS revoked
       FROM users WHERE id = ?1`,
  )
    .bind(userId, sessionId)
    .first<SessionRow>();
}

/**
 * Whether a credential seen earlier (e.g. the one a hub ticket was issued to) still
 * works: account active, session not revoked, key neither revoked nor expired.
 */
export async function credentialIsLive(env: Env, userId: string, credential: Credential): Promise<boolean> {
  if (credential.type === "session") {
    const row = await sessionState(env, userId, credential.id);
    return Boolean(row?.is_active && !row.revoked);
  }
  const row = await env.DB.prepare(
    `SELECT u.is_active, k.revoked_at, k.expires_at FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.id = ?2 AND k.user_id = ?1`,
  )
    .bind(userId, credential.id)
    .first<{ is_active: number; revoked_at: number | null; expires_at: number | null }>();
  return Boolean(row?.is_active && !row.revoked_at && (!row.expires_at || row.expires_at > Date.now()));
}
