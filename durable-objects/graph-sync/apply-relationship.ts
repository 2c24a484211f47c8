/**
 * Applies one link or unlink. A relationship's endpoints and type are fixed when it
 * is made; its properties and whether it exists change. A write names the HLC of
 * the state it was made on (`base_hlc`): if that is still current it applies,
 * otherwise the two writes were concurrent and the later HLC wins, with the pair
 * recorded as an auto-resolved conflict.
 */
import {
  isRelationshipType,
  MAX_CONTENT_BYTES,
  protoKeyPath,
  RELATIONSHIP_TYPES,
} from "../../shared/graph-sync/content";
import type { WriteResult, Writer } from "./apply-entity";
import { getEntityRow } from "./apply-entity";
import { conflictTypeOf, insertConflict } from "./conflicts";
import type { Ctx } from "./context";
import { GraphError, notFound } from "./outcome";
import type { RelationshipRow } from "./storage";

export type RelationshipWrite = {
  id: string;
  /** Absent for unlink. */
  link?: { fromId: string; toId: string; type: string; properties: Record<string, unknown> };
  hlc: string;
  baseHlc: string | null;
};

export function getRelationshipRow(ctx: Pick<Ctx, "sql">, id: string): RelationshipRow | null {
  return ctx.sql.exec<RelationshipRow>("SELECT * FROM relationships WHERE id = ?", id).toArray()[0] ?? null;
}

function checkLink(ctx: Ctx, link: NonNullable<RelationshipWrite["link"]>) {
  if (!isRelationshipType(link.type)) {
    throw new GraphError(422, "unknown_relationship_type", `Unknown relationship type "${link.type}"`, {
      known: RELATIONSHIP_TYPES,
    });
  }
  if (JSON.stringify(link.properties).length > MAX_CONTENT_BYTES) {
    throw new GraphError(400, "content_too_large", `Properties exceed ${MAX_CONTENT_BYTES} bytes`);
  }
  const protoPath = protoKeyPath(link.properties);
  if (protoPath) {
    throw new GraphError(
      400,
      "validation_failed",
      `Invalid properties: ${protoPath}: __proto__ cannot be used as a key`,
      {
        issues: [{ path: protoPath, message: "__proto__ cannot be used as a key" }],
      },
    );
  }
  if (link.fromId === link.toId) throw new GraphError(400, "self_link", "A relationship joins two different entities");
  for (const id of [link.fromId, link.toId]) if (!getEntityRow(ctx, id)) throw notFound("entity", id);
}

function logChange(ctx: Ctx, write: RelationshipWrite, writer: Writer, outcome: string) {
  ctx.sql.exec(
    `INSERT INTO entity_changes (change_type, entity_id, entity_version, content, device_id, client_change_id, hlc,
       outcome, timestamp) VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?)`,
    write.link ? "link" : "unlink",
    write.id,
    write.link ? JSON.stringify(write.link) : null,
    writer.deviceId,
    writer.clientChangeId,
    write.hlc,
    outcome,
    ctx.now(),
  );
}

function store(ctx: Ctx, existing: RelationshipRow, write: RelationshipWrite, writer: Writer) {
  ctx.sql.exec(
    "UPDATE relationships SET properties = ?, hlc = ?, device_id = ?, updated_at = ?, deleted_at = ?, seq = ? WHERE id = ?",
    write.link ? JSON.stringify(write.link.properties) : existing.properties,
    write.hlc,
    writer.deviceId,
    ctx.now(),
    write.link ? null : (existing.deleted_at ?? ctx.now()),
    ctx.meta.nextSeq(),
    existing.id,
  );
  ctx.touched.relationships.add(existing.id);
}

function insert(ctx: Ctx, write: RelationshipWrite & { link: NonNullable<RelationshipWrite["link"]> }, writer: Writer) {
  const now = ctx.now();
  ctx.sql.exec(
    `INSERT INTO relationships (id, from_entity_id, to_entity_id, relationship_type, properties, hlc, device_id,
       created_at, updated_at, deleted_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
    write.id,
    write.link.fromId,
    write.link.toId,
    write.link.type,
    JSON.stringify(write.link.properties),
    write.hlc,
    writer.deviceId,
    now,
    now,
    ctx.meta.nextSeq(),
  );
  ctx.touched.relationships.add(write.id);
}

export function applyRelationshipWrite(ctx: Ctx, write: RelationshipWrite, writer: Writer): WriteResult {
  const existing = getRelationshipRow(ctx, write.id);
  if (write.link) {
    checkLink(ctx, write.link);
    if (!existing) {
      insert(ctx, { ...write, link: write.link }, writer);
      logChange(ctx, write, writer, "applied");
      return { status: "applied", version: write.hlc, conflictId: null };
    }
    const same =
      existing.from_entity_id === write.link.fromId &&
      existing.to_entity_id === write.link.toId &&
      existing.relationship_type === write.link.type;
    if (!same) {
      throw new GraphError(409, "relationship_mismatch", "A relationship's endpoints and type cannot change", {
        relationship_id: write.id,
      });
    }
  } else if (!existing) throw notFound("relationship", write.id);
  const current = existing!;
  if (current.hlc === write.hlc) return { status: "duplicate", version: current.hlc, conflictId: null };
  if (write.baseHlc === current.hlc) {
    store(ctx, current, write, writer);
    logChange(ctx, write, writer, "applied");
    return { status: "applied", version: write.hlc, conflictId: null };
  }
  const incomingWins = write.hlc > current.hlc;
  if (incomingWins) store(ctx, current, write, writer);
  const localDeleted = !write.link;
  const remoteDeleted = current.deleted_at !== null;
  const conflictId = insertConflict(ctx, {
    subject: "relationship",
    entityId: current.id,
    entityType: current.relationship_type,
    conflictType: conflictTypeOf(localDeleted, remoteDeleted),
    strategy: "lww",
    localVersion: write.hlc,
    remoteVersion: current.hlc,
    baseVersion: write.baseHlc,
    status: "auto_resolved",
    resolvedVersion: incomingWins ? write.hlc : current.hlc,
    data: {
      local: write.link ? { properties: write.link.properties, deleted: false } : { deleted: true },
      remote: { properties: JSON.parse(current.properties), deleted: remoteDeleted },
      winner: incomingWins ? "local" : "remote",
    },
    deviceId: writer.deviceId,
  });
  logChange(ctx, write, writer, "merged");
  return { status: "merged", version: incomingWins ? write.hlc : current.hlc, conflictId };
}
