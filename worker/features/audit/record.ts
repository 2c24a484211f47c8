/**
 * Writing the audit log. Services build the insert with `auditInsert` and run it
 * in the same D1 batch as the change it describes, so there is never a change
 * without its record (or a record of a change that did not happen).
 * Values pass through `maskSecrets` first.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { auditLogs } from "../../db/schema";
import { newId } from "../../lib/ids";
import { maskSecrets } from "../../lib/mask";
import type { RequestMeta } from "../../lib/request-meta";
import type { Principal } from "../auth/principal";

export type Actor = { type: "user" | "api_key" | "system"; id: string | null };

export function actorOf(principal: Principal): Actor {
  return principal.via === "api_key"
    ? { type: "api_key", id: principal.apiKeyId }
    : { type: "user", id: principal.userId };
}

export type AuditEntry = {
  /** The user whose data changed; they (and admins) can read the row. */
  ownerId: string | null;
  action: string;
  resourceType: string;
  resourceId?: string | null;
  oldValues?: Record<string, unknown> | null;
  newValues?: Record<string, unknown> | null;
};

function auditRow(meta: RequestMeta, actor: Actor, entry: AuditEntry) {
  return {
    id: newId(),
    userId: entry.ownerId,
    actorId: actor.id,
    actorType: actor.type,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    oldValues: entry.oldValues ? maskSecrets(entry.oldValues) : null,
    newValues: entry.newValues ? maskSecrets(entry.newValues) : null,
    ipAddress: meta.ip,
    userAgent: meta.userAgent,
    requestId: meta.requestId,
    createdAt: Date.now(),
  };
}

export function auditInsert(db: Db, meta: RequestMeta, actor: Actor, entry: AuditEntry) {
  return db.insert(auditLogs).values(auditRow(meta, actor, entry));
}

/**
 * `auditInsert` for a change that is itself conditional (an `INSERT … SELECT … WHERE`):
 * put it after the change in the same batch with a `condition` that holds only if the
 * change happened, and the record is written exactly when the change is.
 */
export function auditInsertIf(db: Db, meta: RequestMeta, actor: Actor, entry: AuditEntry, condition: SQL) {
  const row = auditRow(meta, actor, entry);
  const json = (value: Record<string, unknown> | null) => (value ? JSON.stringify(value) : null);
  // Every column of audit_logs, in the schema's order (drizzle inserts a raw SELECT into all of them).
  return db.insert(auditLogs).select(sql`
    SELECT ${row.id}, ${row.userId}, ${row.actorId}, ${row.actorType}, ${row.action}, ${row.resourceType},
           ${row.resourceId}, ${json(row.oldValues)}, ${json(row.newValues)}, ${row.ipAddress}, ${row.userAgent},
           ${row.requestId}, ${row.createdAt}
    WHERE ${condition}`);
}
