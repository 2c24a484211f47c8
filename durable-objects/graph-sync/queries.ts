/**
 * Reads of the graph: one entity, lists and text search, an entity's version
 * history, conflicts. Traversal lives in traversal.ts. Lists page with an opaque
 * keyset cursor over (sort key, id).
 */

import type { ConflictState, EntityState } from "../../shared/graph-sync/protocol";
import { ftsExpression } from "../../worker/lib/fts-query";
import { type Ctx, toConflictState } from "./context";
import { entityItems } from "./feed";
import { GraphError, notFound } from "./outcome";
import type { ConflictRow, VersionRow } from "./storage";

export type Page<T> = { items: T[]; next_cursor: string | null };

const encode = (parts: [string | number, string]) => btoa(JSON.stringify(parts)).replaceAll("=", "");

function decode(cursor: string | undefined): [string | number, string] | null {
  if (!cursor) return null;
  try {
    const parts = JSON.parse(atob(cursor)) as unknown;
    if (Array.isArray(parts) && parts.length === 2 && typeof parts[1] === "string") {
      return parts as [string | number, string];
    }
  } catch {
    // fall through
  }
  throw new GraphError(400, "invalid_cursor", "The cursor is not one this API issued");
}

function toPage<T>(items: T[], limit: number, key: (item: T) => [string | number, string]): Page<T> {
  const more = items.length > limit;
  const page = more ? items.slice(0, limit) : items;
  return { items: page, next_cursor: more ? encode(key(page.at(-1)!)) : null };
}

export function readEntity(ctx: Pick<Ctx, "sql">, id: string): EntityState | null {
  const item = entityItems(ctx.sql, "WHERE e.id = ?", id)[0];
  return item?.kind === "entity" ? item.entity : null;
}

export function requireEntity(ctx: Pick<Ctx, "sql">, id: string): EntityState {
  const entity = readEntity(ctx, id);
  if (!entity) throw notFound("entity", id);
  return entity;
}

/** FTS5 query from free text: each word a quoted prefix term, all required. */
function ftsQuery(text: string): string | null {
  return ftsExpression(text.match(/[\p{L}\p{N}_]+/gu)?.slice(0, 10) ?? [], { prefix: true });
}

export type EntityQuery = { type?: string; q?: string; include_deleted?: boolean; limit: number; cursor?: string };

/** Entities by type and/or text, by name then id. */
export function listEntities(ctx: Pick<Ctx, "sql">, query: EntityQuery): Page<EntityState> {
  const where: string[] = [];
  const bindings: unknown[] = [];
  if (query.type) {
    where.push("e.entity_type = ?");
    bindings.push(query.type);
  }
  if (!query.include_deleted) where.push("e.deleted_at IS NULL");
  if (query.q !== undefined) {
    const match = ftsQuery(query.q);
    if (!match) return { items: [], next_cursor: null };
    where.push("e.num IN (SELECT rowid FROM entity_search WHERE entity_search MATCH ?)");
    bindings.push(match);
  }
  const after = decode(query.cursor);
  if (after) {
    where.push("(e.name > ? OR (e.name = ? AND e.id > ?))");
    bindings.push(after[0], after[0], after[1]);
  }
  const clause = `${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY e.name, e.id LIMIT ?`;
  const items = entityItems(ctx.sql, clause, ...bindings, query.limit + 1).flatMap((item) =>
    item.kind === "entity" ? [item.entity] : [],
  );
  return toPage(items, query.limit, (entity) => [String(entity.content?.name ?? ""), entity.id]);
}

export type VersionEntry = {
  version: string;
  parents: string[];
  content: Record<string, unknown> | null;
  deleted: boolean;
  source_type: "device" | "api" | "merge" | "resolution";
  device_id: string | null;
  hlc: string;
  current: boolean;
  created_at: string;
};

/** An entity's versions, newest first, including merge versions and pending conflicting writes. */
export function history(ctx: Pick<Ctx, "sql">, id: string, limit: number, cursor?: string): Page<VersionEntry> {
  const after = decode(cursor);
  const entity = requireEntity(ctx, id);
  const rows = ctx.sql
    .exec<VersionRow>(
      `SELECT * FROM entity_versions WHERE entity_id = ? ${after ? "AND (created_at < ? OR (created_at = ? AND version < ?))" : ""}
       ORDER BY created_at DESC, version DESC LIMIT ?`,
      id,
      ...(after ? [after[0], after[0], after[1]] : []),
      limit + 1,
    )
    .toArray();
  const page = toPage(rows, limit, (row) => [row.created_at, row.version]);
  return {
    next_cursor: page.next_cursor,
    items: page.items.map((row) => ({
      version: row.version,
      parents: JSON.parse(row.parent_versions) as string[],
      content: row.content === null ? null : (JSON.parse(row.content) as Record<string, unknown>),
      deleted: row.deleted === 1,
      source_type: row.source_type as VersionEntry["source_type"],
      device_id: row.device_id,
      hlc: row.hlc,
      current: row.version === entity.version,
      created_at: new Date(row.created_at).toISOString(),
    })),
  };
}

export type ConflictQuery = { status?: string; entity_id?: string; limit: number; cursor?: string };

export function listConflicts(ctx: Pick<Ctx, "sql">, query: ConflictQuery): Page<ConflictState> {
  const where: string[] = [];
  const bindings: unknown[] = [];
  if (query.status) {
    where.push("resolution_status = ?");
    bindings.push(query.status);
  }
  if (query.entity_id) {
    where.push("entity_id = ?");
    bindings.push(query.entity_id);
  }
  const after = decode(query.cursor);
  if (after) {
    where.push("(created_at < ? OR (created_at = ? AND id < ?))");
    bindings.push(after[0], after[0], after[1]);
  }
  const rows = ctx.sql
    .exec<ConflictRow>(
      `SELECT * FROM sync_conflicts ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
      ...bindings,
      query.limit + 1,
    )
    .toArray();
  const page = toPage(rows, query.limit, (row) => [row.created_at, row.id]);
  return { items: page.items.map(toConflictState), next_cursor: page.next_cursor };
}
