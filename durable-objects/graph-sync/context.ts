/**
 * What every engine operation works with: the SQL handle, the feed position and
 * clock, and the set of things it touched (broadcast to live subscribers after
 * commit). Also the row → wire mappers shared by the feed, queries and results.
 */

import type { HlcClock } from "../../shared/graph-sync/hlc";
import type { AttachmentState, ConflictState, EntityState, RelationshipState } from "../../shared/graph-sync/protocol";
import type { AttachmentRow, ConflictRow, EntityRow, Meta, RelationshipRow, SqlLike, VersionRow } from "./storage";

export type Touched = {
  entities: Set<string>;
  relationships: Set<string>;
  conflicts: Set<string>;
  attachments: Set<string>;
};

export type Ctx = {
  sql: SqlLike;
  meta: Meta;
  now: () => number;
  /** Ids for merge versions, conflicts and API writes (UUIDv7; the simulation passes a seeded one). */
  newId: () => string;
  clock: HlcClock;
  touched: Touched;
};

export const emptyTouched = (): Touched => ({
  entities: new Set(),
  relationships: new Set(),
  conflicts: new Set(),
  attachments: new Set(),
});

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

export function toEntityState(entity: EntityRow, version: VersionRow): EntityState {
  return {
    id: entity.id,
    type: entity.entity_type,
    version: version.version,
    parents: JSON.parse(version.parent_versions) as string[],
    content: version.content === null ? null : (JSON.parse(version.content) as Record<string, unknown>),
    deleted: version.deleted === 1,
    hlc: version.hlc,
    device_id: version.device_id,
    created_at: iso(entity.created_at),
    updated_at: iso(entity.updated_at),
  };
}

export function toRelationshipState(row: RelationshipRow): RelationshipState {
  return {
    id: row.id,
    from_id: row.from_entity_id,
    to_id: row.to_entity_id,
    type: row.relationship_type,
    properties: JSON.parse(row.properties) as Record<string, unknown>,
    deleted: row.deleted_at !== null,
    hlc: row.hlc,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export function toConflictState(row: ConflictRow): ConflictState {
  return {
    id: row.id,
    subject: row.subject as ConflictState["subject"],
    entity_id: row.entity_id,
    entity_type: row.entity_type,
    conflict_type: row.conflict_type as ConflictState["conflict_type"],
    strategy: row.strategy as ConflictState["strategy"],
    local_version: row.local_version,
    remote_version: row.remote_version,
    base_version: row.base_version,
    resolution_status: row.resolution_status as ConflictState["resolution_status"],
    resolved_version: row.resolved_version,
    conflict_data: JSON.parse(row.conflict_data) as Record<string, unknown>,
    device_id: row.device_id,
    created_at: iso(row.created_at),
    resolved_at: isoOrNull(row.resolved_at),
  };
}

export function toAttachmentState(row: AttachmentRow): AttachmentState {
  return {
    id: row.id,
    entity_id: row.entity_id,
    entity_version: row.entity_version,
    content_type: row.content_type,
    file_name: row.file_name,
    size: row.size,
    checksum: row.checksum,
    deleted: row.deleted_at !== null,
    created_at: iso(row.created_at),
  };
}

/** A short, stable hash of a string (cyrb53), to tell a retried change from a different one under the same id. */
export function hashText(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}
