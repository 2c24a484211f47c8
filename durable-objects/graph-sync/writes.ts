/**
 * Writes that do not come through sync: the REST API, MCP tools and conflict
 * resolution. They are ordinary writes of an always-online device (`api` or
 * `mcp`) made on the current version, so they run through the same apply path
 * and change log; `base_version` turns "on the current version" into a check
 * that answers 409 with both sides when someone else wrote first.
 */
import type { EntityState, RelationshipState } from "../../shared/graph-sync/protocol";
import { applyEntityWrite, getEntityRow, type Writer } from "./apply-entity";
import { applyRelationshipWrite, getRelationshipRow } from "./apply-relationship";
import { getConflict } from "./conflicts";
import { type Ctx, toConflictState, toRelationshipState } from "./context";
import { mergePatch } from "./merge";
import { GraphError, notFound } from "./outcome";
import { readEntity } from "./queries";
import { getVersion } from "./versions";

export type ApiSource = "api" | "mcp";

/** A write of the always-online device `source`; its vector clock entry counts its writes. */
function writerFor(ctx: Ctx, source: ApiSource, kind: Writer["source"] = "api"): Writer & { hlc: string } {
  const hlc = ctx.clock.tick();
  ctx.sql.exec(
    `INSERT INTO vector_clocks (device_id, clock_value, last_hlc, updated_at) VALUES (?, 1, ?, ?)
     ON CONFLICT (device_id) DO UPDATE SET clock_value = clock_value + 1, last_hlc = excluded.last_hlc,
       updated_at = excluded.updated_at`,
    source,
    hlc,
    ctx.now(),
  );
  return { deviceId: source, source: kind, clientChangeId: null, hlc };
}

export function createEntity(
  ctx: Ctx,
  input: { id?: string; type: string; content: Record<string, unknown> },
  source: ApiSource,
): EntityState {
  const id = input.id ?? ctx.newId();
  if (getEntityRow(ctx, id))
    throw new GraphError(409, "entity_exists", "An entity with this id already exists", { id });
  const writer = writerFor(ctx, source);
  applyEntityWrite(
    ctx,
    {
      entityId: id,
      entityType: input.type,
      version: ctx.newId(),
      parents: [],
      content: input.content,
      hlc: writer.hlc,
    },
    writer,
  );
  return readEntity(ctx, id)!;
}

/** The entity's current state, after checking a caller's `base_version` against it. */
function currentFor(ctx: Ctx, id: string, baseVersion: string | undefined): EntityState {
  const current = readEntity(ctx, id);
  if (!current) throw notFound("entity", id);
  if (baseVersion !== undefined && baseVersion !== current.version) {
    throw new GraphError(409, "version_conflict", "The entity changed since the version you based this on", {
      entity_id: id,
      base_version: baseVersion,
      current_version: current.version,
      current,
    });
  }
  return current;
}

export type EntityUpdate = {
  patch?: Record<string, unknown>;
  content?: Record<string, unknown>;
  base_version?: string;
};

export function updateEntity(ctx: Ctx, id: string, input: EntityUpdate, source: ApiSource): EntityState {
  const current = currentFor(ctx, id, input.base_version);
  if (current.deleted) throw new GraphError(409, "entity_deleted", "This entity is deleted", { entity_id: id });
  const content = input.content ?? (mergePatch(current.content, input.patch ?? {}) as Record<string, unknown>);
  const writer = writerFor(ctx, source);
  applyEntityWrite(
    ctx,
    { entityId: id, entityType: null, version: ctx.newId(), parents: [current.version], content, hlc: writer.hlc },
    writer,
  );
  return readEntity(ctx, id)!;
}

export function deleteEntity(ctx: Ctx, id: string, baseVersion: string | undefined, source: ApiSource): EntityState {
  const current = currentFor(ctx, id, baseVersion);
  if (current.deleted) return current;
  const writer = writerFor(ctx, source);
  applyEntityWrite(
    ctx,
    {
      entityId: id,
      entityType: null,
      version: ctx.newId(),
      parents: [current.version],
      content: null,
      hlc: writer.hlc,
    },
    writer,
  );
  return readEntity(ctx, id)!;
}

export type Resolution = { choose: "local" | "remote" | "content"; content?: Record<string, unknown> };

/**
 * Resolves a pending conflict with a new version whose parents are both sides:
 * the entity's current version and the conflict's incoming write. `remote` keeps
 * what is current, `local` takes the incoming write, `content` is a person's own merge.
 */
export function resolveConflict(ctx: Ctx, conflictId: string, resolution: Resolution, source: ApiSource) {
  const conflict = getConflict(ctx, conflictId);
  if (!conflict) throw notFound("conflict", conflictId);
  if (conflict.resolution_status !== "pending") {
    throw new GraphError(409, "conflict_not_pending", `This conflict is already ${conflict.resolution_status}`, {
      conflict: toConflictState(conflict),
    });
  }
  const current = readEntity(ctx, conflict.entity_id)!;
  const local = getVersion(ctx.sql, conflict.local_version)!;
  let content: Record<string, unknown> | null;
  if (resolution.choose === "content") {
    if (!resolution.content) throw new GraphError(400, "validation_failed", "choose=content needs `content`");
    content = resolution.content;
  } else if (resolution.choose === "local") {
    content = local.content === null ? null : (JSON.parse(local.content) as Record<string, unknown>);
  } else content = current.content;
  const writer = writerFor(ctx, source, "resolution");
  const version = ctx.newId();
  applyEntityWrite(
    ctx,
    {
      entityId: current.id,
      entityType: null,
      version,
      parents: [current.version, local.version],
      content,
      hlc: writer.hlc,
    },
    writer,
  );
  return { conflict: toConflictState(getConflict(ctx, conflictId)!), entity: readEntity(ctx, current.id)! };
}

export type LinkInput = {
  id?: string;
  from_id: string;
  to_id: string;
  type: string;
  properties?: Record<string, unknown>;
};

export function link(ctx: Ctx, input: LinkInput, source: ApiSource): RelationshipState {
  const id = input.id ?? ctx.newId();
  const existing = getRelationshipRow(ctx, id);
  const writer = writerFor(ctx, source);
  applyRelationshipWrite(
    ctx,
    {
      id,
      link: { fromId: input.from_id, toId: input.to_id, type: input.type, properties: input.properties ?? {} },
      hlc: writer.hlc,
      baseHlc: existing?.hlc ?? null,
    },
    writer,
  );
  return toRelationshipState(getRelationshipRow(ctx, id)!);
}

export function unlink(ctx: Ctx, id: string, source: ApiSource): RelationshipState {
  const existing = getRelationshipRow(ctx, id);
  if (!existing) throw notFound("relationship", id);
  if (existing.deleted_at === null) {
    const writer = writerFor(ctx, source);
    applyRelationshipWrite(ctx, { id, hlc: writer.hlc, baseHlc: existing.hlc }, writer);
  }
  return toRelationshipState(getRelationshipRow(ctx, id)!);
}
