import { LIVE_CONNECT_HEADER, type LiveConnectParams } from "../../../durable-objects/graph-sync/live";
import { Id } from "../../../shared/graph-sync/protocol";
import { AppError } from "../../errors";
import { AUTHENTICATED, createRoute, createRouter, errorResponses, jsonResponse, securedRoute } from "../../openapi";
import { connectingUser, ticketResponse } from "../events/connect";
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
  async (c) => c.json(await ticketResponse(c, "graph-ticket", "/api/v1/graph/ws"), 201),
);

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
    const user = await connectingUser(c, query.ticket, { purpose: "graph-ticket", scope: "graph:read" });
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
