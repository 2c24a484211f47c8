/** What the development outbox answers (GET /api/v1/dev/outbox): one message as it was sent. */
import { z } from "@hono/zod-openapi";
import { EMAIL_STATUSES } from "../../db/schema";

export const OutboxMessageSchema = z
  .object({
    id: z.string(),
    to: z.string(),
    kind: z.string(),
    subject: z.string(),
    text: z.string(),
    status: z.enum(EMAIL_STATUSES),
    created_at: z.string().openapi({ format: "date-time" }),
    sent_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("OutboxMessage");
