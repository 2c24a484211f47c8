/**
 * The live hub over HTTP: connect tickets, the WebSocket upgrade, publishing a
 * user event, and the recent-events buffer for clients that poll.
 */

import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { CONNECT_HEADER, type ConnectParams } from "../../../durable-objects/user-hub/protocol";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { authenticate, credentialIsLive, readCredential } from "../../middleware/auth";
import { tooLarge } from "../../middleware/body";
import { idempotent } from "../../middleware/idempotency";
import { AUTHENTICATED, createRoute, createRouter, errorResponses, securedRoute } from "../../openapi";
import { getConfig } from "../config/service";
import type { HubEvent } from "./catalog";
import { credentialOf, publishEvent, userHub } from "./publish";
import { ConnectQuery, PublishBody, PublishResponse, RecentQuery, RecentResponse, TicketResponse } from "./schemas";
import { issueTicket, readTicket } from "./tickets";

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
  async (c) => {
    const { ticket, expiresAt } = await issueTicket(c.env, c.var.principal.userId, credentialOf(c.var.principal));
    const url = new URL("/api/v1/ws", c.req.url);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("ticket", ticket);
    return c.json({ ticket, expires_at: new Date(expiresAt).toISOString(), url: url.toString() }, 201);
  },
);

/** Who is connecting: a ticket's user, or the caller of an Authorization/X-API-Key header. */
async function connectingUser(c: Context<AppEnv>, ticket: string | undefined) {
  if (ticket) {
    const claims = await readTicket(c.env, ticket);
    if (!claims) throw new AppError(401, "invalid_ticket", "The connect ticket is invalid or expired");
    if (!(await credentialIsLive(c.env, claims.sub, claims.cred))) {
      throw new AppError(401, "credential_revoked", "The session or key this ticket was issued to has ended");
    }
    return { userId: claims.sub, credential: claims.cred, nonce: claims.nonce, expiresAt: claims.exp };
  }
  if (!readCredential(c.req.raw.headers)) {
    throw new AppError(401, "missing_credentials", "Connect with ?ticket= or an Authorization header");
  }
  await authenticate(c, async () => {});
  if (!c.var.principal.scopes.has("events:read")) {
    throw new AppError(403, "insufficient_scope", "Connecting needs the events:read scope", {
      required: ["events:read"],
    });
  }
  return { userId: c.var.principal.userId, credential: credentialOf(c.var.principal), nonce: null, expiresAt: null };
}

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
    const user = await connectingUser(c, query.ticket);
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
