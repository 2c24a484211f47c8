/**
 * /api/v1/dev/outbox: the development mailbox. Only when ENVIRONMENT is
 * "development" (404 otherwise): it shows the messages sent to one address, so a
 * person trying Edgewise locally can open their verification link.
 */
import { z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../context";
import { getDb } from "../../db/client";
import { emailOutbox } from "../../db/schema";
import { AppError } from "../../errors";
import { toIso, toIsoOrNull } from "../../lib/time";
import { createRoute, createRouter, errorResponses, jsonResponse } from "../../openapi";
import { Email } from "../auth/schemas";
import { OutboxMessageSchema } from "./schemas";

const OutboxQuery = z.object({
  to: Email.openapi({ description: "The address whose mail to show" }),
  kind: z.enum(["verify_email", "reset_password"]).optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

const developmentOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.env.ENVIRONMENT !== "development") throw new AppError(404, "not_found", "Not found");
  await next();
};

export const devOutboxRoutes = createRouter();

devOutboxRoutes.openapi(
  createRoute({
    method: "get",
    path: "/dev/outbox",
    tags: ["Development"],
    summary: "Development mailbox: messages sent to an address, newest first",
    description: "Exists only when ENVIRONMENT=development; production sends real email instead.",
    middleware: [developmentOnly] as const,
    request: { query: OutboxQuery },
    responses: {
      200: jsonResponse("Messages", z.object({ items: z.array(OutboxMessageSchema) }).openapi("OutboxPage")),
      ...errorResponses(400, 404),
    },
  }),
  async (c) => {
    const { to, kind, limit } = c.req.valid("query");
    const rows = await getDb(c.env)
      .select()
      .from(emailOutbox)
      .where(and(eq(emailOutbox.toAddress, to), kind ? eq(emailOutbox.kind, kind) : undefined))
      .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
      .limit(limit);
    const items = rows.map((row) => ({
      id: row.id,
      to: row.toAddress,
      kind: row.kind,
      subject: row.subject,
      text: row.textBody,
      status: row.status,
      created_at: toIso(row.createdAt),
      sent_at: toIsoOrNull(row.sentAt),
    }));
    return c.json({ items }, 200);
  },
);
