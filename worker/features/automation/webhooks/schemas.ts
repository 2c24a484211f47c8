/** Request and response shapes of /api/v1/webhooks. */
import { z } from "@hono/zod-openapi";
import {
  DELIVERY_STATUSES,
  SUBSCRIPTION_KINDS,
  type webhookDeliveries,
  type webhookSubscriptions,
} from "../../../db/schema";
import { pageSchema } from "../../../lib/pagination";
import { toIso, toIsoOrNull } from "../../../lib/time";
import { EVENT_SCHEMAS, topicOf } from "../../events/catalog";

const KNOWN_TYPES = new Set(Object.keys(EVENT_SCHEMAS));
const KNOWN_TOPICS = new Set([...KNOWN_TYPES].map(topicOf));

export const EventFilter = z
  .string()
  .min(1)
  .max(100)
  .refine((value) => value === "*" || KNOWN_TYPES.has(value) || KNOWN_TOPICS.has(value), {
    message: "Not an event type, a topic (e.g. `task`) or `*`",
  });

const Url = z
  .string()
  .url()
  .max(2_000)
  .refine((value) => /^https?:\/\//.test(value), { message: "Use an http(s) URL" });

export const CreateWebhookBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(SUBSCRIPTION_KINDS).default("webhook").openapi({
      description:
        "`webhook` (signed JSON event), `slack` or `discord` (their incoming-webhook formats), `email` (to you)",
    }),
    url: Url.optional().openapi({ description: "Required except for email" }),
    event_types: z
      .array(EventFilter)
      .min(1)
      .max(50)
      .openapi({ example: ["task.failed", "workflow"] }),
    enabled: z.boolean().default(true),
  })
  .strict()
  .openapi("CreateWebhookRequest");

export const UpdateWebhookBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    url: Url.optional(),
    event_types: z.array(EventFilter).min(1).max(50).optional(),
    enabled: z.boolean().optional().openapi({ description: "Re-enabling clears the failure count" }),
  })
  .strict()
  .openapi("UpdateWebhookRequest");

export const WebhookSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(SUBSCRIPTION_KINDS),
    url: z.string().nullable(),
    event_types: z.array(z.string()),
    enabled: z.boolean(),
    disabled_reason: z.string().nullable(),
    consecutive_failures: z.number().int(),
    last_success_at: z.string().nullable().openapi({ format: "date-time" }),
    last_failure_at: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Webhook");

export function toWebhook(row: typeof webhookSubscriptions.$inferSelect): z.infer<typeof WebhookSchema> {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    url: row.url,
    event_types: row.eventTypes,
    enabled: row.enabled,
    disabled_reason: row.disabledReason,
    consecutive_failures: row.consecutiveFailures,
    last_success_at: toIsoOrNull(row.lastSuccessAt),
    last_failure_at: toIsoOrNull(row.lastFailureAt),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
  };
}

export const CreatedWebhookSchema = z
  .object({
    webhook: WebhookSchema,
    secret: z.string().nullable().openapi({ description: "Signing secret, shown once (null for email)" }),
  })
  .openapi("CreatedWebhook");
export const WebhookPageSchema = pageSchema(WebhookSchema, "WebhookPage");

export const DeliverySchema = z
  .object({
    id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    attempt_log: z.array(
      z.object({
        at: z.string(),
        status_code: z.number().int().nullable(),
        error: z.string().nullable(),
        duration_ms: z.number(),
      }),
    ),
    replay: z.boolean(),
    delivered_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi("WebhookDelivery");

export function toDelivery(row: typeof webhookDeliveries.$inferSelect): z.infer<typeof DeliverySchema> {
  return {
    id: row.id,
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === "pending" ? toIso(row.nextAttemptAt) : null,
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    attempt_log: row.attemptLog.map((attempt) => ({ ...attempt, at: toIso(attempt.at) })),
    replay: row.replay,
    delivered_at: toIsoOrNull(row.deliveredAt),
    created_at: toIso(row.createdAt),
  };
}
export const DeliveryPageSchema = pageSchema(DeliverySchema, "WebhookDeliveryPage");
export const DeliveryListQuery = z.object({ status: z.enum(DELIVERY_STATUSES).optional() });

export const ReplayBody = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    event_types: z
      .array(EventFilter)
      .min(1)
      .max(50)
      .optional()
      .openapi({ description: "Narrow further than the subscription's types" }),
  })
  .strict()
  .openapi("ReplayEventsRequest");
export const ReplayResultSchema = z
  .object({ queued: z.number().int(), from_archive: z.number().int() })
  .openapi("ReplayEventsResult");

export const WebhookIdParam = z.object({ id: z.string().min(1).max(64) });
