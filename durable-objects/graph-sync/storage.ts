/**
 * The graph's tables in the GraphSync Durable Object's SQLite (one database per
 * user), named as in docs/graph-sync.md ("Where each table lives"), plus the feed position and the
 * authority's clock. Only the SQL surface the engine needs is assumed (`exec` with
 * `toArray`/`one`/`rowsWritten`), so bench/ runs the same engine on node:sqlite.
 */

export type SqlValue = ArrayBuffer | string | number | null;
export type SqlCursor<T> = { toArray(): T[]; one(): T; readonly rowsWritten: number };
export interface SqlLike {
  exec<T extends Record<string, SqlValue>>(query: string, ...bindings: unknown[]): SqlCursor<T>;
}

const DDL = [
  // `num` is a stable integer key for the search index; `id` is the entity's public id.
  `CREATE TABLE IF NOT EXISTS entities (
    num INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, entity_type TEXT NOT NULL, current_version TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    deleted_at INTEGER, seq INTEGER NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS entities_by_seq ON entities (seq)",
  "CREATE INDEX IF NOT EXISTS entities_by_type ON entities (entity_type, name)",
  `CREATE TABLE IF NOT EXISTS entity_versions (
    version TEXT PRIMARY KEY, entity_id TEXT NOT NULL, parent_versions TEXT NOT NULL,
    content TEXT, deleted INTEGER NOT NULL DEFAULT 0, source_type TEXT NOT NULL, device_id TEXT,
    hlc TEXT NOT NULL, created_at INTEGER NOT NULL, last_modified INTEGER NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS entity_versions_by_entity ON entity_versions (entity_id, created_at)",
  `CREATE TABLE IF NOT EXISTS relationships (
    id TEXT PRIMARY KEY, from_entity_id TEXT NOT NULL, to_entity_id TEXT NOT NULL,
    relationship_type TEXT NOT NULL, properties TEXT NOT NULL, hlc TEXT NOT NULL, device_id TEXT,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, deleted_at INTEGER, seq INTEGER NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS relationships_from ON relationships (from_entity_id, relationship_type)",
  "CREATE INDEX IF NOT EXISTS relationships_to ON relationships (to_entity_id, relationship_type)",
  "CREATE INDEX IF NOT EXISTS relationships_by_seq ON relationships (seq)",
  `CREATE TABLE IF NOT EXISTS binary_content (
    id TEXT PRIMARY KEY, entity_id TEXT NOT NULL, entity_version TEXT NOT NULL, content_type TEXT NOT NULL,
    file_name TEXT NOT NULL, size INTEGER NOT NULL, checksum TEXT NOT NULL, r2_key TEXT NOT NULL,
    created_at INTEGER NOT NULL, deleted_at INTEGER, seq INTEGER NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS binary_content_by_entity ON binary_content (entity_id, created_at)",
  "CREATE INDEX IF NOT EXISTS binary_content_by_seq ON binary_content (seq)",
  `CREATE TABLE IF NOT EXISTS entity_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT, change_type TEXT NOT NULL, entity_id TEXT NOT NULL,
    entity_version TEXT, content TEXT, device_id TEXT NOT NULL, client_change_id TEXT,
    hlc TEXT NOT NULL, outcome TEXT NOT NULL, timestamp INTEGER NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS entity_changes_by_entity ON entity_changes (entity_id, id)",
  `CREATE TABLE IF NOT EXISTS vector_clocks (
    device_id TEXT PRIMARY KEY, clock_value INTEGER NOT NULL, last_hlc TEXT, updated_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sync_conflicts (
    id TEXT PRIMARY KEY, subject TEXT NOT NULL, entity_id TEXT NOT NULL, entity_type TEXT NOT NULL,
    local_version TEXT NOT NULL, remote_version TEXT NOT NULL, base_version TEXT,
    conflict_type TEXT NOT NULL, strategy TEXT NOT NULL, conflict_data TEXT NOT NULL,
    resolution_status TEXT NOT NULL, resolved_version TEXT, device_id TEXT,
    created_at INTEGER NOT NULL, resolved_at INTEGER, seq INTEGER NOT NULL)`,
  "CREATE INDEX IF NOT EXISTS sync_conflicts_by_status ON sync_conflicts (resolution_status, created_at)",
  "CREATE INDEX IF NOT EXISTS sync_conflicts_by_entity ON sync_conflicts (entity_id, resolution_status)",
  "CREATE INDEX IF NOT EXISTS sync_conflicts_by_seq ON sync_conflicts (seq)",
  `CREATE TABLE IF NOT EXISTS client_changes (
    device_id TEXT NOT NULL, client_change_id TEXT NOT NULL, change_hash TEXT NOT NULL,
    result TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (device_id, client_change_id)) WITHOUT ROWID`,
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
  "CREATE TABLE IF NOT EXISTS used_tickets (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID",
  // Search by text: the entity's name and content, kept in step with its current version (rowid = entities.num).
  "CREATE VIRTUAL TABLE IF NOT EXISTS entity_search USING fts5 (body)",
];

export function createSchema(sql: SqlLike): void {
  for (const statement of DDL) sql.exec(statement);
}

export type EntityRow = {
  num: number;
  id: string;
  entity_type: string;
  current_version: string;
  name: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  seq: number;
};

export type VersionRow = {
  version: string;
  entity_id: string;
  parent_versions: string;
  content: string | null;
  deleted: number;
  source_type: string;
  device_id: string | null;
  hlc: string;
  created_at: number;
  last_modified: number;
};

export type RelationshipRow = {
  id: string;
  from_entity_id: string;
  to_entity_id: string;
  relationship_type: string;
  properties: string;
  hlc: string;
  device_id: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
  seq: number;
};

export type ConflictRow = {
  id: string;
  subject: string;
  entity_id: string;
  entity_type: string;
  local_version: string;
  remote_version: string;
  base_version: string | null;
  conflict_type: string;
  strategy: string;
  conflict_data: string;
  resolution_status: string;
  resolved_version: string | null;
  device_id: string | null;
  created_at: number;
  resolved_at: number | null;
  seq: number;
};

export type AttachmentRow = {
  id: string;
  entity_id: string;
  entity_version: string;
  content_type: string;
  file_name: string;
  size: number;
  checksum: string;
  r2_key: string;
  created_at: number;
  deleted_at: number | null;
  seq: number;
};

/** Small persistent values: the feed position and the authority's HLC. */
export class Meta {
  constructor(private readonly sql: SqlLike) {}

  get(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  set(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }

  /**
   * The feed position: every change to an entity, relationship, conflict or
   * attachment takes the next one. Counted in memory and written once per
   * transaction (`flush`), since the object is the only writer.
   */
  nextSeq(): number {
    const next = this.currentSeq() + 1;
    this.#seq = next;
    this.#dirty = true;
    return next;
  }

  currentSeq(): number {
    this.#seq ??= Number(this.get("seq") ?? "0");
    return this.#seq;
  }

  /** Writes the feed position (inside the transaction that used it). */
  flush(): void {
    if (this.#dirty && this.#seq !== undefined) this.set("seq", String(this.#seq));
    this.#dirty = false;
  }

  /** Forgets cached values (after a rolled-back transaction). */
  reload(): void {
    this.#seq = undefined;
    this.#dirty = false;
  }

  #dirty = false;
  #seq: number | undefined;
}
