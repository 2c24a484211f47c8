/**
 * Closing the hibernating sockets a credential opened, when that credential stops
 * working (logout, revoked session or key) or all of them: shared by every object
 * that holds a user's sockets. Each socket's attachment names its credential.
 */
import type { Credential, CredentialFilter } from "../../worker/features/auth/credentials";

export function closeSocketsOf(sockets: WebSocket[], filter: CredentialFilter, reason: string): number {
  let closed = 0;
  for (const ws of sockets) {
    const state = ws.deserializeAttachment() as { credential?: Credential } | null;
    if (!state?.credential) continue;
    const { credential } = state;
    if (filter !== "all" && (credential.type !== filter.type || credential.id !== filter.id)) continue;
    try {
      ws.close(1008, reason.slice(0, 120));
      closed++;
    } catch {
      // Already closing.
    }
  }
  return closed;
}
