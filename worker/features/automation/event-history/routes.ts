/** GET /api/v1/events/history: the event store (D1, plus R2 archives for older ranges), oldest first. */
import { z } from "@hono/zod-openapi";
import { AppError } from "../../../errors";
import { createRouter, errorResponses, jsonResponse, securedRoute } from "../../../openapi";
import { topicOf } from "../../events/catalog";
import { readArchivedEvents, readStoredEvents } from "../engine/event-archive";

export const historyRoutes = createRouter();

const HistoryQuery = z.object({
  from: z.iso.datetime({ offset: true }).openapi({ description: "Start of the range (inclusive)" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "End of the range (inclusive); default now" }),
  type: z.string().min(1).max(100).optional().openapi({ description: "An event type or topic" }),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});

const StoredEventSchema = z
  .object({ id: z.string(), seq: z.number().int(), type: z.string(), ts: z.string(), data: z.unknown() })
  .openapi("StoredEvent");
const HistorySchema = z
  .object({
    items: z.array(StoredEventSchema),
    truncated: z.boolean().openapi({ description: "More events are in the range" }),
  })
  .openapi("EventHistory");

historyRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/events/history",
    tags: ["Events"],
    summary: "Your stored events in a time range, oldest first",
    description: "Progress events are live-only and not stored. Older events come from the R2 archive.",
    scopes: ["events:read"],
    request: { query: HistoryQuery },
    responses: { 200: jsonResponse("Events", HistorySchema), ...errorResponses(422) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const from = Date.parse(query.from);
    const to = query.to ? Date.parse(query.to) : Date.now();
    if (to < from) throw new AppError(422, "invalid_range", "`to` is before `from`");
    const userId = c.var.principal.userId;
    const all = [
      ...(await readArchivedEvents(c.env, userId, from, to)),
      ...(await readStoredEvents(c.env, userId, from, to, 5_000)),
    ];
    const seen = new Set<string>();
    const matching = all.filter((event) => {
      if (seen.has(event.id)) return false;
      seen.add(event.id);
      return !query.type || event.type === query.type || topicOf(event.type) === query.type;
    });
    return c.json({ items: matching.slice(0, query.limit), truncated: matching.length > query.limit }, 200);
  },
);
