/**
 * The CLI's local graph replica: the sync client's `Replica` in a SQLite file
 * (Node's built-in node:sqlite), so `edgewise graph …` works offline and
 * `edgewise sync` picks up where it left off. One file per server and account.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type {
  AttachmentState,
  Change,
  ConflictState,
  EntityState,
  RelationshipState,
} from "../../../shared/graph-sync/protocol";
import { type Rejected, type Replica, type Stored, targetOf } from "../../../shared/graph-sync/replica";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS entities (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, state TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS relationships (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, state TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS conflicts (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, state TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS attachments (id TEXT PRIMARY KEY, entity_id TEXT NOT NULL, seq INTEGER NOT NULL, state TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS outbox (counter INTEGER PRIMARY KEY, client_change_id TEXT NOT NULL UNIQUE, target TEXT NOT NULL, change TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS outbox_by_target ON outbox (target, counter);
  CREATE TABLE IF NOT EXISTS rejected (client_change_id TEXT PRIMARY KEY, change TEXT NOT NULL, code TEXT NOT NULL, message TEXT NOT NULL, at INTEGER NOT NULL);
`;

type Row = { state: string; seq: number };

/** Loads node:sqlite without its one-time "experimental" warning on stderr. */
async function loadSqlite(): Promise<typeof import("node:sqlite")> {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes("SQLite is an experimental feature")) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await import("node:sqlite");
  } finally {
    process.emitWarning = emit;
  }
}

export async function openSqliteReplica(path: string): Promise<SqliteReplica> {
  const { DatabaseSync } = await loadSqlite();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(path);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;");
  db.exec(SCHEMA);
  return new SqliteReplica(db);
}

export class SqliteReplica implements Replica {
  #depth = 0;

  constructor(readonly db: DatabaseSync) {}

  close(): void {
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    this.db.exec("BEGIN IMMEDIATE");
    this.#depth++;
    try {
      const value = fn();
      this.db.exec("COMMIT");
      return value;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    } finally {
      this.#depth--;
    }
  }

  getMeta(key: string): string | null {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .run(key, value);
  }

  #get<T>(table: string, id: string): Stored<T> | null {
    const row = this.db.prepare(`SELECT state, seq FROM ${table} WHERE id = ?`).get(id) as Row | undefined;
    return row ? { state: JSON.parse(row.state) as T, seq: row.seq } : null;
  }

  #put(table: string, id: string, state: unknown, seq: number): void {
    this.db
      .prepare(
        `INSERT INTO ${table} (id, seq, state) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state`,
      )
      .run(id, seq, JSON.stringify(state));
  }

  #list<T>(table: string): T[] {
    return (this.db.prepare(`SELECT state FROM ${table}`).all() as Row[]).map((row) => JSON.parse(row.state) as T);
  }

  getEntity(id: string) {
    return this.#get<EntityState>("entities", id);
  }
  putEntity(state: EntityState, seq: number) {
    this.#put("entities", state.id, state, seq);
  }
  listEntities() {
    return this.#list<EntityState>("entities");
  }
  getRelationship(id: string) {
    return this.#get<RelationshipState>("relationships", id);
  }
  putRelationship(state: RelationshipState, seq: number) {
    this.#put("relationships", state.id, state, seq);
  }
  listRelationships() {
    return this.#list<RelationshipState>("relationships");
  }
  getConflict(id: string) {
    return this.#get<ConflictState>("conflicts", id);
  }
  putConflict(state: ConflictState, seq: number) {
    this.#put("conflicts", state.id, state, seq);
  }
  listConflicts() {
    return this.#list<ConflictState>("conflicts");
  }
  putAttachment(state: AttachmentState, seq: number) {
    this.db
      .prepare(
        "INSERT INTO attachments (id, entity_id, seq, state) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, state = excluded.state",
      )
      .run(state.id, state.entity_id, seq, JSON.stringify(state));
  }
  listAttachments(entityId: string) {
    const rows = this.db.prepare("SELECT state FROM attachments WHERE entity_id = ?").all(entityId) as Row[];
    return rows.map((row) => JSON.parse(row.state) as AttachmentState);
  }

  enqueue(change: Change) {
    this.db
      .prepare("INSERT INTO outbox (counter, client_change_id, target, change) VALUES (?, ?, ?, ?)")
      .run(change.counter, change.client_change_id, targetOf(change), JSON.stringify(change));
  }
  #changes(query: string, ...params: (string | number)[]): Change[] {
    return (this.db.prepare(query).all(...params) as { change: string }[]).map(
      (row) => JSON.parse(row.change) as Change,
    );
  }
  outbox(limit: number) {
    return this.#changes("SELECT change FROM outbox ORDER BY counter LIMIT ?", limit);
  }
  outboxSize() {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM outbox").get() as { n: number }).n;
  }
  pendingFor(targetId: string) {
    return this.#changes("SELECT change FROM outbox WHERE target = ? ORDER BY counter", targetId);
  }
  pendingTargets() {
    return (this.db.prepare("SELECT DISTINCT target FROM outbox").all() as { target: string }[]).map(
      (row) => row.target,
    );
  }
  acknowledge(ids: readonly string[]) {
    const remove = this.db.prepare("DELETE FROM outbox WHERE client_change_id = ?");
    for (const id of ids) remove.run(id);
  }
  acknowledgeUpTo(counter: number) {
    this.db.prepare("DELETE FROM outbox WHERE counter <= ?").run(counter);
  }
  reject(entry: Rejected) {
    this.db
      .prepare("INSERT OR REPLACE INTO rejected (client_change_id, change, code, message, at) VALUES (?, ?, ?, ?, ?)")
      .run(entry.change.client_change_id, JSON.stringify(entry.change), entry.code, entry.message, entry.at);
    this.acknowledge([entry.change.client_change_id]);
  }
  rejected() {
    const rows = this.db.prepare("SELECT * FROM rejected ORDER BY at").all() as {
      change: string;
      code: string;
      message: string;
      at: number;
    }[];
    return rows.map((row) => ({
      change: JSON.parse(row.change) as Change,
      code: row.code,
      message: row.message,
      at: row.at,
    }));
  }
}
