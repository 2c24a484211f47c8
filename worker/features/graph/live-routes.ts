/**
 * Live graph changes over WebSocket: a one-time ticket (browsers cannot send
 * headers on a WebSocket), then GET /api/v1/graph/ws with the ticket or an
 * Authorization header and what to follow (entity ids, types, or all). The
 * user's GraphSync holds the socket and sends a `change` frame per change.
 */
import type { Context } from "hono";
import { LIVE_CONNECT_HEADER, type LiveConnectParams } from "../../../durable-objects/graph-sync/live";
import { Id } from "../../../shared/graph-sync/protocol";
import type { AppEnv } from "../../context";
import { AppError } from "../../errors";
import { authenticate, credentialIsLive, readCredential } from "../../middleware/auth";
import { AUTHENTICATED, createRoute, createRouter, errorResponses, jsonResponse, securedRoute } from "../../openapi";
import { credentialOf } from "../events/publish";
import { issueGraphTicket, readGraphTicket } from "./live-tickets";
import { LiveConnectQuery, LiveTicketResponse } from "./schemas";
import { graphOf } from "./service";

export const liveRoutes = createRouter();

liveRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/graph/ws/ticket",
    tags: ["Graph sync"],
    summary: "Get a one-time ticket to open the live graph WebSocket",
    scopes: ["graph:read"],
    responses: { 201: jsonResponse("Ticket, valid for 60 s", LiveTicketResponse) },
  }),
  async (c) => {
    const { ticket, expiresAt } = await issueGraphTicket(c.env, c.var.principal.userId, credentialOf(c.var.principal));
    const url = new URL("/api/v1/graph/ws", c.req.url);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("ticket", ticket);
    return c.json({ ticket, expires_at: new Date(expiresAt).toISOString(), url: url.toString() }, 201);
  },
);

async function connectingUser(c: Context<AppEnv>, ticket: string | undefined) {
  if (ticket) {
    const claims = await readGraphTicket(c.env, ticket);
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
  if (!c.var.principal.scopes.has("graph:read")) {
    throw new AppError(403, "insufficient_scope", "Connecting needs the graph:read scope", {
      required: ["graph:read"],
    });
  }
  return { userId: c.var.principal.userId, credential: credentialOf(c.var.principal), nonce: null, expiresAt: null };
}

const list = (value: string | undefined) => (value ? value.split(",").filter(Boolean) : []);

liveRoutes.openapi(
  createRoute({
    method: "get",
    path: "/graph/ws",
    tags: ["Graph sync"],
    summary: "Open the live graph WebSocket",
    description:
      "Upgrade to a WebSocket carrying `{type:'change', item, device_id}` frames (item as in the sync feed) for the " +
      "entities and types you follow. Client frames: `subscribe` / `unsubscribe` with `entities`, `types` or `all`, " +
      "and `ping`. After a reconnect, pull from your cursor to catch up.",
    security: [{}, ...AUTHENTICATED],
    request: { query: LiveConnectQuery },
    responses: { 101: { description: "Switching protocols" }, ...errorResponses(400, 401, 403, 426, 429) },
  }),
  async (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new AppError(426, "upgrade_required", "This endpoint speaks WebSocket only", undefined, {
        Upgrade: "websocket",
      });
    }
    const query = c.req.valid("query");
    const user = await connectingUser(c, query.ticket);
    const entities = list(query.entity);
    const types = list(query.type);
    if (entities.length > 500 || types.length > 50) {
      throw new AppError(400, "too_many_subscriptions", "Follow at most 500 entities and 50 types per connection");
    }
    if (!entities.every((id) => Id.safeParse(id).success) || !types.every((type) => /^[a-z_]{1,32}$/.test(type))) {
      throw new AppError(400, "validation_failed", "Invalid query parameters: entity ids or type names");
    }
    const params: LiveConnectParams = {
      credential: user.credential,
      subscriptions: { entities, types, all: query.all === "true" },
      ticketNonce: user.nonce,
      ticketExpiresAt: user.expiresAt,
    };
    const headers = new Headers({ upgrade: "websocket", [LIVE_CONNECT_HEADER]: JSON.stringify(params) });
    return graphOf(c.env, user.userId).fetch(new Request("https://graph/connect", { headers }));
  },
);
