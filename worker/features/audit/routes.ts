/** /api/v1/audit (the log of changes to your data) and /api/v1/admin/audit (everyone's). */
import { and, eq } from "drizzle-orm";
import { type Db, getDb } from "../../db/client";
import { auditLogs } from "../../db/schema";
import { keyset, PageQuerySchema, toPage } from "../../lib/pagination";
import { createRouter, jsonResponse, securedRoute } from "../../openapi";
import { AdminAuditFilterQuery, AuditFilterQuery, AuditPageSchema, toAuditEntry } from "./schemas";

type AuditQuery = {
  limit: number;
  cursor?: string | undefined;
  action?: string | undefined;
  resource_type?: string | undefined;
};

async function listAudit(db: Db, ownerId: string | undefined, query: AuditQuery) {
  const page = keyset(auditLogs, query.cursor);
  const rows = await db
    .select()
    .from(auditLogs)
    .where(
      and(
        ownerId ? eq(auditLogs.userId, ownerId) : undefined,
        query.action ? eq(auditLogs.action, query.action) : undefined,
        query.resource_type ? eq(auditLogs.resourceType, query.resource_type) : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(query.limit + 1);
  return toPage(rows, query.limit, toAuditEntry);
}

export const auditRoutes = createRouter();

auditRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/audit",
    tags: ["Audit"],
    summary: "The audit log of changes to your data, newest first",
    scopes: ["audit:read"],
    request: { query: PageQuerySchema.extend(AuditFilterQuery.shape) },
    responses: { 200: jsonResponse("A page of entries", AuditPageSchema) },
  }),
  async (c) => c.json(await listAudit(getDb(c.env), c.var.principal.userId, c.req.valid("query")), 200),
);

auditRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/admin/audit",
    tags: ["Admin"],
    summary: "The whole audit log, optionally for one user",
    scopes: ["admin:audit"],
    request: { query: PageQuerySchema.extend(AdminAuditFilterQuery.shape) },
    responses: { 200: jsonResponse("A page of entries", AuditPageSchema) },
  }),
  async (c) => {
    const { user_id, ...query } = c.req.valid("query");
    return c.json(await listAudit(getDb(c.env), user_id, query), 200);
  },
);
