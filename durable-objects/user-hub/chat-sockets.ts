/**
 * Which of a user's chat sessions hold live WebSockets, per credential, in the hub's
 * SQLite. ChatSession objects note a socket's credential on connect and forget it
 * when its last socket for that credential closes; disconnectLive
 * (worker/features/events/publish.ts) takes the list when a credential ends, so it
 * knows which ChatSession objects to ask to close their sockets.
 */
import type { Credential, CredentialFilter } from "../../worker/features/auth/credentials";

/**
 * A row whose close handler never ran (the runtime reset the object) would stay
 * forever; noting again refreshes a live row, so rows older than this go. A deploy
 * drops every WebSocket long before that.
 */
const STALE_MS = 30 * 24 * 60 * 60 * 1000;

export class ChatSocketIndex {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS chat_sockets (
      cred_type TEXT NOT NULL, cred_id TEXT NOT NULL, session_id TEXT NOT NULL, noted_at INTEGER NOT NULL,
      PRIMARY KEY (cred_type, cred_id, session_id))`);
  }

  note(credential: Credential, sessionId: string): void {
    const now = Date.now();
    this.sql.exec("DELETE FROM chat_sockets WHERE noted_at < ?", now - STALE_MS);
    this.sql.exec(
      `INSERT INTO chat_sockets (cred_type, cred_id, session_id, noted_at) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET noted_at = excluded.noted_at`,
      credential.type,
      credential.id,
      sessionId,
      now,
    );
  }

  forget(credential: Credential, sessionId: string): void {
    this.sql.exec(
      "DELETE FROM chat_sockets WHERE cred_type = ? AND cred_id = ? AND session_id = ?",
      credential.type,
      credential.id,
      sessionId,
    );
  }

  /** The chat sessions with sockets of `filter`, removed from the index (their sockets are about to close). */
  take(filter: CredentialFilter): string[] {
    const rows =
      filter === "all"
        ? this.sql.exec<{ session_id: string }>("DELETE FROM chat_sockets RETURNING session_id")
        : this.sql.exec<{ session_id: string }>(
            "DELETE FROM chat_sockets WHERE cred_type = ? AND cred_id = ? RETURNING session_id",
            filter.type,
            filter.id,
          );
    return [...new Set(rows.toArray().map((row) => row.session_id))];
  }
}
