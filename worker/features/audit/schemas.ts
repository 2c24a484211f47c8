/** The audit log as clients read it. */
import { z } from "@hono/zod-openapi";
import { ACTOR_TYPES, type auditLogs } from "../../db/schema";
import { pageSchema } from "../../lib/pagination";
import { toIso } from "../../lib/time";

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    user_id: z.string().nullable().openapi({ description: "Whose data changed" }),
    actor_type: z.enum(ACTOR_TYPES),
    actor_id: z.string().nullable().openapi({ description: "User id, API key id, or null for the system" }),
    action: z.string().openapi({ example: "apikey.create" }),
    resource_type: z.string(),
    resource_id: z.string().nullable(),
    old_values: z.record(z.string(), z.unknown()).nullable(),
    new_values: z.record(z.string(), z.unknown()).nullable(),
    ip_address: z.string().nullable(),
    user_agent: z.string().nullable(),
    request_id: z.string().nullable(),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("AuditEntry");

export function toAuditEntry(row: typeof auditLogs.$inferSelect): z.infer<typeof AuditEntrySchema> {
  return {
    id: row.id,
    user_id: row.userId,
    actor_type: row.actorType,
    actor_id: row.actorId,
    action: row.action,
    resource_type: row.resourceType,
    resource_id: row.resourceId,
    old_values: row.oldValues ?? null,
    new_values: row.newValues ?? null,
    ip_address: row.ipAddress,
    user_agent: row.userAgent,
    request_id: row.requestId,
    created_at: toIso(row.createdAt),
  };
}

export const AuditPageSchema = pageSchema(AuditEntrySchema, "AuditPage");

export const AuditFilterQuery = z.object({
  action: z.string().max(100).optional().openapi({ description: "Exact action, e.g. apikey.create" }),
  resource_type: z.string().max(100).optional(),
});

export const AdminAuditFilterQuery = AuditFilterQuery.extend({ user_id: z.string().max(64).optional() });
