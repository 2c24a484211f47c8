/**
 * sync_conflicts rows: one for every pair of concurrent writes, whether settled
 * automatically (`auto_resolved`, with the merge version) or left for a person
 * (`pending` until a write descends from both sides). This is where a write that
 * did not become the state is kept, so none is silently lost.
 */
import type { Ctx } from "./context";
import type { ConflictRow } from "./storage";

export type NewConflict = {
  subject: "entity" | "relationship";
  entityId: string;
  entityType: string;
  conflictType: "concurrent_update" | "update_delete" | "concurrent_delete";
  strategy: "merge" | "lww" | "manual";
  localVersion: string;
  remoteVersion: string;
  baseVersion: string | null;
  status: "pending" | "auto_resolved";
  resolvedVersion: string | null;
  data: Record<string, unknown>;
  deviceId: string | null;
};

export function conflictTypeOf(localDeleted: boolean, remoteDeleted: boolean): NewConflict["conflictType"] {
  if (localDeleted && remoteDeleted) return "concurrent_delete";
  return localDeleted || remoteDeleted ? "update_delete" : "concurrent_update";
}

export function insertConflict(ctx: Ctx, conflict: NewConflict): string {
  const id = ctx.newId();
  const now = ctx.now();
  ctx.sql.exec(
    `INSERT INTO sync_conflicts (id, subject, entity_id, entity_type, local_version, remote_version, base_version,
       conflict_type, strategy, conflict_data, resolution_status, resolved_version, device_id, created_at, resolved_at, seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    conflict.subject,
    conflict.entityId,
    conflict.entityType,
    conflict.localVersion,
    conflict.remoteVersion,
    conflict.baseVersion,
    conflict.conflictType,
    conflict.strategy,
    JSON.stringify(conflict.data),
    conflict.status,
    conflict.resolvedVersion,
    conflict.deviceId,
    now,
    conflict.status === "pending" ? null : now,
    ctx.meta.nextSeq(),
  );
  ctx.touched.conflicts.add(id);
  return id;
}

export function getConflict(ctx: Pick<Ctx, "sql">, id: string): ConflictRow | null {
  return ctx.sql.exec<ConflictRow>("SELECT * FROM sync_conflicts WHERE id = ?", id).toArray()[0] ?? null;
}

export function pendingConflictsOf(ctx: Pick<Ctx, "sql">, entityId: string): ConflictRow[] {
  return ctx.sql
    .exec<ConflictRow>(
      "SELECT * FROM sync_conflicts WHERE entity_id = ? AND resolution_status = 'pending' ORDER BY created_at, id",
      entityId,
    )
    .toArray();
}

/** A device kept writing on its side of a pending conflict: the conflict now stands for its latest write. */
export function advanceConflict(ctx: Ctx, row: ConflictRow, localVersion: string, localContent: unknown): void {
  const data = JSON.parse(row.conflict_data) as Record<string, unknown>;
  const superseded = [...((data.superseded_local_versions as string[] | undefined) ?? []), row.local_version];
  ctx.sql.exec(
    "UPDATE sync_conflicts SET local_version = ?, conflict_data = ?, seq = ? WHERE id = ?",
    localVersion,
    JSON.stringify({ ...data, local: localContent, superseded_local_versions: superseded }),
    ctx.meta.nextSeq(),
    row.id,
  );
  ctx.touched.conflicts.add(row.id);
}

/** Closes a pending conflict: `version` descends from both of its sides. */
export function closeConflict(ctx: Ctx, id: string, version: string): void {
  ctx.sql.exec(
    "UPDATE sync_conflicts SET resolution_status = 'resolved', resolved_version = ?, resolved_at = ?, seq = ? WHERE id = ?",
    version,
    ctx.now(),
    ctx.meta.nextSeq(),
    id,
  );
  ctx.touched.conflicts.add(id);
}

export function countPending(ctx: Pick<Ctx, "sql">): number {
  return ctx.sql
    .exec<{ n: number }>("SELECT COUNT(*) AS n FROM sync_conflicts WHERE resolution_status = 'pending'")
    .one().n;
}
