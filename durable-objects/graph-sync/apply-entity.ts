/**
 * Applies one write to an entity, the heart of the authority. A write names the
 * versions it was made on (its parents). If those include the current version it
 * fast-forwards; otherwise it is concurrent with what is current, and the entity
 * type's strategy settles it: a merge version with both as parents (merge, lww),
 * or a pending conflict (manual). Every write is stored as a version either way.
 */
import { CONFLICT_STRATEGIES, checkContent, type EntityType } from "../../shared/graph-sync/content";
import { advanceConflict, closeConflict, conflictTypeOf, insertConflict, pendingConflictsOf } from "./conflicts";
import type { Ctx } from "./context";
import { type Side, settle } from "./merge";
import { GraphError, notFound } from "./outcome";
import type { EntityRow, VersionRow } from "./storage";
import { ancestorsOf, commonAncestor, getVersion } from "./versions";

export type EntityWrite = {
  entityId: string;
  /** Required to create; checked against the entity's type otherwise. Null for deletes. */
  entityType: string | null;
  version: string;
  parents: string[];
  /** Null deletes (a tombstone version). */
  content: Record<string, unknown> | null;
  hlc: string;
};

export type Writer = {
  deviceId: string;
  source: "device" | "api" | "resolution";
  clientChangeId: string | null;
};

export type WriteResult = {
  status: "applied" | "merged" | "conflict" | "duplicate";
  version: string | null;
  conflictId: string | null;
};

export function getEntityRow(ctx: Pick<Ctx, "sql">, id: string): EntityRow | null {
  return ctx.sql.exec<EntityRow>("SELECT * FROM entities WHERE id = ?", id).toArray()[0] ?? null;
}

function checked(type: string, content: Record<string, unknown>): Record<string, unknown> {
  const result = checkContent(type, content);
  if (!result.ok) {
    throw new GraphError(result.status, result.code, result.message, result.issues ? { issues: result.issues } : null);
  }
  return result.content;
}

type NewVersion = Omit<VersionRow, "created_at" | "last_modified" | "parent_versions" | "content"> & {
  parents: string[];
  content: Record<string, unknown> | null;
};

function insertVersion(ctx: Ctx, version: NewVersion): VersionRow {
  const now = ctx.now();
  const row: VersionRow = {
    version: version.version,
    entity_id: version.entity_id,
    parent_versions: JSON.stringify(version.parents),
    content: version.content === null ? null : JSON.stringify(version.content),
    deleted: version.deleted,
    source_type: version.source_type,
    device_id: version.device_id,
    hlc: version.hlc,
    created_at: now,
    last_modified: now,
  };
  ctx.sql.exec(
    `INSERT INTO entity_versions (version, entity_id, parent_versions, content, deleted, source_type, device_id, hlc,
       created_at, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ...Object.values(row),
  );
  return row;
}

/** Every string in the content, for text search. */
function searchText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map(searchText).join(" ");
  if (content && typeof content === "object") return Object.values(content).map(searchText).join(" ");
  return "";
}

/** Makes `version` the entity's current one: the row, its feed position and its search text. */
function setHead(ctx: Ctx, entity: EntityRow, version: VersionRow, content: Record<string, unknown> | null) {
  const now = ctx.now();
  const deletedAt = version.deleted ? (entity.deleted_at ?? now) : null;
  // Deleted entities sort first (their content is gone); lists page on (name, id).
  const name = typeof content?.name === "string" ? content.name : "";
  ctx.sql.exec(
    "UPDATE entities SET current_version = ?, name = ?, updated_at = ?, deleted_at = ?, seq = ? WHERE id = ?",
    version.version,
    name,
    now,
    deletedAt,
    ctx.meta.nextSeq(),
    entity.id,
  );
  ctx.sql.exec("DELETE FROM entity_search WHERE rowid = ?", entity.num);
  if (content) ctx.sql.exec("INSERT INTO entity_search (rowid, body) VALUES (?, ?)", entity.num, searchText(content));
  ctx.touched.entities.add(entity.id);
}

function logChange(
  ctx: Ctx,
  type: string,
  entityId: string,
  version: string,
  writer: Writer,
  hlc: string,
  outcome: string,
) {
  ctx.sql.exec(
    `INSERT INTO entity_changes (change_type, entity_id, entity_version, content, device_id, client_change_id, hlc,
       outcome, timestamp) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?)`,
    type,
    entityId,
    version,
    writer.deviceId,
    writer.clientChangeId,
    hlc,
    outcome,
    ctx.now(),
  );
}

function create(ctx: Ctx, write: EntityWrite, writer: Writer): WriteResult {
  if (write.content === null || write.parents.length > 0 || write.entityType === null) {
    throw notFound("entity", write.entityId);
  }
  const content = checked(write.entityType, write.content);
  const now = ctx.now();
  const { num } = ctx.sql
    .exec<{ num: number }>(
      `INSERT INTO entities (id, entity_type, current_version, name, created_at, updated_at, deleted_at, seq)
       VALUES (?, ?, ?, ?, ?, ?, NULL, ?) RETURNING num`,
      write.entityId,
      write.entityType,
      write.version,
      typeof content.name === "string" ? content.name : "",
      now,
      now,
      ctx.meta.nextSeq(),
    )
    .one();
  insertVersion(ctx, versionOf(write, writer, content));
  ctx.sql.exec("INSERT INTO entity_search (rowid, body) VALUES (?, ?)", num, searchText(content));
  ctx.touched.entities.add(write.entityId);
  logChange(ctx, "create", write.entityId, write.version, writer, write.hlc, "applied");
  return { status: "applied", version: write.version, conflictId: null };
}

function versionOf(write: EntityWrite, writer: Writer, content: Record<string, unknown> | null): NewVersion {
  return {
    version: write.version,
    entity_id: write.entityId,
    parents: write.parents,
    content,
    deleted: content === null ? 1 : 0,
    source_type: writer.source,
    device_id: writer.deviceId,
    hlc: write.hlc,
  };
}

export function applyEntityWrite(ctx: Ctx, write: EntityWrite, writer: Writer): WriteResult {
  const known = getVersion(ctx.sql, write.version);
  if (known) {
    if (known.entity_id !== write.entityId) {
      throw new GraphError(409, "version_reused", "This version id already belongs to another entity", {
        version: write.version,
      });
    }
    return {
      status: "duplicate",
      version: getEntityRow(ctx, write.entityId)?.current_version ?? null,
      conflictId: null,
    };
  }
  const entity = getEntityRow(ctx, write.entityId);
  if (!entity) return create(ctx, write, writer);
  if (write.entityType !== null && write.entityType !== entity.entity_type) {
    throw new GraphError(
      409,
      "type_mismatch",
      `Entity ${entity.id} is a ${entity.entity_type}, not a ${write.entityType}`,
      {
        entity_id: entity.id,
        entity_type: entity.entity_type,
      },
    );
  }
  for (const parent of write.parents) {
    if (getVersion(ctx.sql, parent)?.entity_id !== entity.id) {
      throw new GraphError(404, "unknown_version", `Version ${parent} is not a version of entity ${entity.id}`, {
        entity_id: entity.id,
        version: parent,
      });
    }
  }
  const content = write.content === null ? null : checked(entity.entity_type, write.content);
  const row = insertVersion(ctx, versionOf(write, writer, content));
  const head = entity.current_version;
  const ancestry = write.parents.includes(head) ? null : ancestorsOf(ctx.sql, write.parents);
  if (ancestry === null || ancestry.has(head)) {
    setHead(ctx, entity, row, content);
    closeDescendedConflicts(ctx, entity.id, write.parents, write.version);
    logChange(ctx, content === null ? "delete" : "update", entity.id, write.version, writer, write.hlc, "applied");
    return { status: "applied", version: write.version, conflictId: null };
  }
  return settleConcurrent(ctx, entity, row, ancestry, writer);
}

/** Pending conflicts whose incoming side `version` descends from are settled by it. */
function closeDescendedConflicts(ctx: Ctx, entityId: string, parents: string[], version: string) {
  const pending = pendingConflictsOf(ctx, entityId);
  if (pending.length === 0) return;
  const ancestry = ancestorsOf(ctx.sql, parents);
  for (const conflict of pending) if (ancestry.has(conflict.local_version)) closeConflict(ctx, conflict.id, version);
}

const sideOf = (row: VersionRow): Side => ({
  version: row.version,
  hlc: row.hlc,
  deleted: row.deleted === 1,
  content: row.content === null ? null : (JSON.parse(row.content) as Record<string, unknown>),
});

function settleConcurrent(ctx: Ctx, entity: EntityRow, incoming: VersionRow, ancestry: Set<string>, writer: Writer) {
  const type = entity.entity_type as EntityType;
  const strategy = CONFLICT_STRATEGIES[type];
  const headRow = getVersion(ctx.sql, entity.current_version)!;
  const parents = JSON.parse(incoming.parent_versions) as string[];
  const base = parents.length ? commonAncestor(ctx.sql, headRow.version, parents) : null;
  const baseRow = base ? getVersion(ctx.sql, base) : null;
  const local = sideOf(incoming);
  const remote = sideOf(headRow);
  const conflictType = conflictTypeOf(local.deleted, remote.deleted);
  const data = { local: local.content, remote: remote.content, base: baseRow ? sideOf(baseRow).content : null };
  const common = { subject: "entity", entityId: entity.id, entityType: type, conflictType, strategy } as const;
  const sides = { localVersion: incoming.version, remoteVersion: headRow.version, baseVersion: base };

  if (strategy === "manual") {
    const own = pendingConflictsOf(ctx, entity.id).find((conflict) => ancestry.has(conflict.local_version));
    let conflictId = own?.id;
    if (own) advanceConflict(ctx, own, incoming.version, local.content);
    else {
      conflictId = insertConflict(ctx, {
        ...common,
        ...sides,
        status: "pending",
        resolvedVersion: null,
        data,
        deviceId: writer.deviceId,
      });
    }
    logChange(ctx, "update", entity.id, incoming.version, writer, incoming.hlc, "conflict");
    return { status: "conflict", version: headRow.version, conflictId: conflictId ?? null } satisfies WriteResult;
  }

  let settled = settle(strategy, baseRow ? sideOf(baseRow) : null, local, remote);
  // A field-wise merge of two valid contents is valid for every type today; should one ever not be, the later writer wins whole.
  if (settled.content && !checkContent(type, settled.content).ok) settled = settle("lww", null, local, remote);
  const merged = insertVersion(ctx, {
    version: ctx.newId(),
    entity_id: entity.id,
    parents: [headRow.version, incoming.version],
    content: settled.content,
    deleted: settled.deleted ? 1 : 0,
    source_type: "merge",
    device_id: null,
    hlc: settled.hlc,
  });
  setHead(ctx, entity, merged, settled.content);
  const conflictId = insertConflict(ctx, {
    ...common,
    ...sides,
    status: "auto_resolved",
    resolvedVersion: merged.version,
    data: { ...data, merged: settled.content, winner: settled.winner, clashes: settled.clashes },
    deviceId: writer.deviceId,
  });
  logChange(ctx, "update", entity.id, incoming.version, writer, incoming.hlc, "merged");
  logChange(ctx, "merge", entity.id, merged.version, { ...writer, deviceId: "server" }, merged.hlc, "applied");
  return { status: "merged", version: merged.version, conflictId } satisfies WriteResult;
}
