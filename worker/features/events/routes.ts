/**
 * The live hub over HTTP: connect tickets, the WebSocket upgrade, publishing a
 * user event, and the recent-events buffer for clients that poll.
 */

import { bodyLimit } from "hono/body-limit";
import { CONNECT_HEADER, type ConnectParams } from "../../../durable-objects/user-hub/protocol";
import { AppError } from "../../errors";
import { tooLarge } from "../../middleware/body";
import { idempotent } from "../../middleware/idempotency";
import { AUTHENTICATED, createRoute, createRouter, errorResponses, securedRoute } from "../../openapi";
import { getConfig } from "../config/service";
import type { HubEvent } from "./catalog";
import { connectingUser, ticketResponse } from "./connect";
import { publishEvent, userHub } from "./publish";
import { ConnectQuery, PublishBody, PublishResponse, RecentQuery, RecentResponse, TicketResponse } from "./schemas";

export const eventRoutes = createRouter();

eventRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/ws/ticket",
    tags: ["Events"],
    summary: "Get a one-time ticket to open the live WebSocket",
    scopes: ["events:read"],
    responses: { 201: { description: "Ticket", content: { "application/json": { schema: TicketResponse } } } },
  }),
  async (c) => c.json(await ticketResponse(c, "hub-ticket", "/api/v1/ws"), 201),
);

eventRoutes.openapi(
  createRoute({
    method: "get",
    path: "/ws",
    tags: ["Events"],
    summary: "Open the live event WebSocket",
    description:
      "Upgrade to a WebSocket carrying `{type:'event', event:{id,type,ts,data}}` frames. Authenticate with a " +
      "one-time `ticket` (browsers) or an Authorization header. Client frames: subscribe, unsubscribe, resume, ping.",
    security: [{}, ...AUTHENTICATED],
    request: { query: ConnectQuery },
    responses: {
      101: { description: "Switching protocols" },
      ...errorResponses(400, 401, 403, 426, 429),
    },
  }),
  async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new AppError(426, "upgrade_required", "This endpoint speaks WebSocket only", undefined, {
        Upgrade: "websocket",
      });
    }
    const query = c.req.valid("query");
    const user = await connectingUser(c, query.ticket, { purpose: "hub-ticket", scope: "events:read" });
    const limits = await getConfig(c.env, "hub_limits");
    if (query.topics.length > limits.max_topics_per_connection) {
      throw new AppError(400, "too_many_topics", `At most ${limits.max_topics_per_connection} topics per connection`, {
        max_topics: limits.max_topics_per_connection,
      });
    }
    const params: ConnectParams = {
      credential: user.credential,
      topics: query.topics,
      lastEventId: query.last_event_id ?? null,
      maxConnections: limits.max_connections_per_user,
      maxTopics: limits.max_topics_per_connection,
      ticketNonce: user.nonce,
      ticketExpiresAt: user.expiresAt,
    };
    const headers = new Headers({ upgrade: "websocket", [CONNECT_HEADER]: JSON.stringify(params) });
    return userHub(c.env, user.userId).fetch(new Request("https://hub/connect", { headers }));
  },
);

eventRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/events",
    tags: ["Events"],
    summary: "Publish an event to your own live feed",
    scopes: ["events:write"],
    middleware: [bodyLimit({ maxSize: 16 * 1024, onError: tooLarge(16 * 1024) }), idempotent],
    request: { body: { required: true, content: { "application/json": { schema: PublishBody } } } },
    responses: {
      201: { description: "Published", content: { "application/json": { schema: PublishResponse } } },
      ...errorResponses(409, 413, 415, 422),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const event = await publishEvent(c.env, c.var.principal.userId, body.type, body.data);
    return c.json({ event }, 201);
  },
);

eventRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/events",
    tags: ["Events"],
    summary: "Recent events from your live feed's replay buffer",
    scopes: ["events:read"],
    request: { query: RecentQuery },
    responses: {
      200: { description: "Events, oldest first", content: { "application/json": { schema: RecentResponse } } },
    },
  }),
  async (c) => {
    const { after, limit } = c.req.valid("query");
    const hub = userHub(c.env, c.var.principal.userId);
    const [items, stats] = await Promise.all([hub.recent(after, limit), hub.stats()]);
    return c.json({ items: items as HubEvent[], last_event_id: stats.last_event_id }, 200);
  },
);
