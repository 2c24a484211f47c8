/**
 * The feed a device pulls: the current state of every entity, relationship,
 * conflict and attachment whose feed position (`seq`) is past the device's cursor,
 * in position order. Each row carries the position of its latest change, so a
 * device gets only the latest state (a cold sync is a snapshot, not a replay), and
 * a row changed while a device pages through moves ahead of the cursor, so nothing
 * is skipped.
 */
import type { FeedItem } from "../../shared/graph-sync/protocol";
import { type Ctx, toAttachmentState, toConflictState, toEntityState, toRelationshipState } from "./context";
import type { AttachmentRow, ConflictRow, EntityRow, RelationshipRow, VersionRow } from "./storage";

type EntityWithVersion = EntityRow & Omit<VersionRow, "entity_id" | "created_at" | "last_modified">;

const ENTITY_SELECT = `SELECT e.*, v.version, v.parent_versions, v.content, v.deleted, v.source_type, v.device_id, v.hlc
  FROM entities e JOIN entity_versions v ON v.version = e.current_version`;

function splitEntity(row: EntityWithVersion) {
  return toEntityState(row, { ...row, entity_id: row.id, last_modified: row.updated_at });
}

export function entityItems(sql: Ctx["sql"], where: string, ...bindings: unknown[]): FeedItem[] {
  return sql
    .exec<EntityWithVersion>(`${ENTITY_SELECT} ${where}`, ...bindings)
    .toArray()
    .map((row) => ({ kind: "entity", seq: row.seq, entity: splitEntity(row) }));
}

function relationshipItems(sql: Ctx["sql"], where: string, ...bindings: unknown[]): FeedItem[] {
  return sql
    .exec<RelationshipRow>(`SELECT * FROM relationships ${where}`, ...bindings)
    .toArray()
    .map((row) => ({ kind: "relationship", seq: row.seq, relationship: toRelationshipState(row) }));
}

function conflictItems(sql: Ctx["sql"], where: string, ...bindings: unknown[]): FeedItem[] {
  return sql
    .exec<ConflictRow>(`SELECT * FROM sync_conflicts ${where}`, ...bindings)
    .toArray()
    .map((row) => ({ kind: "conflict", seq: row.seq, conflict: toConflictState(row) }));
}

function attachmentItems(sql: Ctx["sql"], where: string, ...bindings: unknown[]): FeedItem[] {
  return sql
    .exec<AttachmentRow>(`SELECT * FROM binary_content ${where}`, ...bindings)
    .toArray()
    .map((row) => ({ kind: "attachment", seq: row.seq, attachment: toAttachmentState(row) }));
}

export type FeedPage = { items: FeedItem[]; since: number; cursor: number; has_more: boolean };

/** Up to `limit` items after `since`, and the cursor to continue from. */
export function readFeed(ctx: Pick<Ctx, "sql" | "meta">, since: number, limit: number): FeedPage {
  if (since >= ctx.meta.currentSeq()) return { items: [], since, cursor: since, has_more: false };
  const page = "WHERE seq > ? ORDER BY seq LIMIT ?";
  const all = [
    ...entityItems(ctx.sql, page.replaceAll("seq", "e.seq"), since, limit + 1),
    ...relationshipItems(ctx.sql, page, since, limit + 1),
    ...conflictItems(ctx.sql, page, since, limit + 1),
    ...attachmentItems(ctx.sql, page, since, limit + 1),
  ].sort((a, b) => a.seq - b.seq);
  const hasMore = all.length > limit;
  const items = hasMore ? all.slice(0, limit) : all;
  const cursor = hasMore ? items.at(-1)!.seq : Math.max(since, ctx.meta.currentSeq());
  return { items, since, cursor, has_more: hasMore };
}

/** The feed items for what one operation touched, for live subscribers. */
export function touchedItems(ctx: Ctx): FeedItem[] {
  const ids = (set: Set<string>) => JSON.stringify([...set]);
  const inSet = "WHERE id IN (SELECT value FROM json_each(?))";
  const { touched } = ctx;
  return [
    ...(touched.entities.size ? entityItems(ctx.sql, inSet.replace("id", "e.id"), ids(touched.entities)) : []),
    ...(touched.relationships.size ? relationshipItems(ctx.sql, inSet, ids(touched.relationships)) : []),
    ...(touched.conflicts.size ? conflictItems(ctx.sql, inSet, ids(touched.conflicts)) : []),
    ...(touched.attachments.size ? attachmentItems(ctx.sql, inSet, ids(touched.attachments)) : []),
  ].sort((a, b) => a.seq - b.seq);
}
