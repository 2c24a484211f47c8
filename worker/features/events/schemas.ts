/** Request and response shapes of the live-hub routes. */
import { z } from "@hono/zod-openapi";
import { Topic } from "../../../shared/live-hub/protocol";
import { EVENT_SCHEMAS, HubEventSchema } from "./catalog";

export const PublishBody = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("user.message"), data: EVENT_SCHEMAS["user.message"] }),
    z.object({ type: z.literal("user.custom"), data: EVENT_SCHEMAS["user.custom"] }),
  ])
  .openapi("PublishEventRequest");

export const PublishResponse = z.object({ event: HubEventSchema }).openapi("PublishEventResponse");

export const TicketResponse = z
  .object({
    ticket: z.string(),
    expires_at: z.string().openapi({ format: "date-time" }),
    url: z.string().openapi({ description: "WebSocket URL to connect to, ticket included" }),
  })
  .openapi("HubTicket");

const topicList = z
  .string()
  .max(4000)
  .optional()
  .transform((value, ctx) => {
    const topics = (value ?? "*")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    for (const topic of topics) {
      if (!Topic.safeParse(topic).success) {
        ctx.addIssue({ code: "custom", message: `Not a topic name: ${topic}` });
        return z.NEVER;
      }
    }
    return topics.length ? topics : ["*"];
  })
  .openapi({ type: "string", description: "Comma-separated topics (`apikey`, `auth.login`, `*`); default `*`" });

export const ConnectQuery = z.object({
  ticket: z.string().max(1024).optional().openapi({ description: "One-time ticket from POST /api/v1/ws/ticket" }),
  topics: topicList,
  last_event_id: z.coerce.number().int().min(0).optional().openapi({ description: "Replay events after this id" }),
});

export const RecentQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const RecentResponse = z
  .object({ items: z.array(HubEventSchema), last_event_id: z.number().int() })
  .openapi("RecentEvents");
