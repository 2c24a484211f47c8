/**
 * The hub's replay buffer in its SQLite storage: the latest events of one user,
 * trimmed to a bounded size. Ids come from AUTOINCREMENT so they never repeat.
 */
import type { HubEvent } from "../../worker/features/events/catalog";

type Row = { id: number; type: string; ts: string; data: string; topics: string };

export class EventBuffer {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS events (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      type TEXT NOT NULL, ts TEXT NOT NULL, data TEXT NOT NULL, topics TEXT NOT NULL)`);
    sql.exec("CREATE TABLE IF NOT EXISTS used_tickets (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL)");
  }

  /** Records a connect ticket as used; false if it already was. */
  spendTicket(nonce: string, expiresAt: number): boolean {
    this.sql.exec("DELETE FROM used_tickets WHERE expires_at < ?", Date.now());
    const inserted = this.sql.exec(
      "INSERT OR IGNORE INTO used_tickets (nonce, expires_at) VALUES (?, ?)",
      nonce,
      expiresAt,
    );
    return inserted.rowsWritten > 0;
  }

  append(type: string, data: unknown, topics: string[], keep: number): HubEvent {
    const ts = new Date().toISOString();
    const { id } = this.sql
      .exec<{ id: number }>(
        "INSERT INTO events (type, ts, data, topics) VALUES (?, ?, ?, ?) RETURNING id",
        type,
        ts,
        JSON.stringify(data),
        JSON.stringify(topics),
      )
      .one();
    this.sql.exec("DELETE FROM events WHERE id <= ?", id - keep);
    return { id, type, ts, data };
  }

  /** Events after `id`, oldest first, each with the topics it was published under. */
  after(id: number): Array<{ event: HubEvent; topics: string[] }> {
    return this.sql
      .exec<Row>("SELECT * FROM events WHERE id > ? ORDER BY id", id)
      .toArray()
      .map((row) => ({
        event: { id: row.id, type: row.type, ts: row.ts, data: JSON.parse(row.data) },
        topics: JSON.parse(row.topics) as string[],
      }));
  }

  /** The newest events (up to `limit`) after `id`, oldest first. */
  recent(after: number, limit: number): HubEvent[] {
    return this.sql
      .exec<Row>("SELECT * FROM (SELECT * FROM events WHERE id > ? ORDER BY id DESC LIMIT ?) ORDER BY id", after, limit)
      .toArray()
      .map((row) => ({ id: row.id, type: row.type, ts: row.ts, data: JSON.parse(row.data) }));
  }

  bounds(): { oldest: number; latest: number } {
    const row = this.sql
      .exec<{ oldest: number | null; latest: number | null }>("SELECT MIN(id) AS oldest, MAX(id) AS latest FROM events")
      .one();
    return { oldest: row.oldest ?? 0, latest: row.latest ?? 0 };
  }
}
