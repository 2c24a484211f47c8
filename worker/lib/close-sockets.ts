/**
 * Closing the hibernating sockets a credential opened, when that credential stops
 * working (logout, revoked session or key) or all of them: shared by every object
 * that holds a user's sockets. Each socket's attachment names its credential.
 */
export type SocketCredential = { type: "session" | "api_key"; id: string };
export type CloseFilter = SocketCredential | "all";

export function closeSocketsOf(sockets: WebSocket[], filter: CloseFilter, reason: string): number {
  let closed = 0;
  for (const ws of sockets) {
    const state = ws.deserializeAttachment() as { credential?: SocketCredential } | null;
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
