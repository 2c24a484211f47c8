/**
 * /api/v1/graph/sync: the Inbetweenies protocol over HTTP. `info` says which
 * protocol versions and strategies this server has; `push` sends a device's batch
 * and gets back per-change results, the feed since the device's cursor and the new
 * clock; `pull` fetches the feed only. Batches are all-or-nothing when invalid.
 */
import { CONFLICT_STRATEGIES, ENTITY_TYPES, RELATIONSHIP_TYPES } from "../../../shared/graph-sync/content";
import { MAX_FEED_LIMIT, MAX_PUSH_CHANGES, PROTOCOL_VERSIONS } from "../../../shared/graph-sync/protocol";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { GraphPullRequest, GraphPullResponse, GraphPushRequest, GraphPushResponse, SyncInfo } from "./schemas";
import { graphOf, unwrap } from "./service";

export const syncRoutes = createRouter();

syncRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/sync/info",
    tags: ["Graph sync"],
    summary: "Protocol versions, limits and the conflict strategy of each entity type",
    scopes: ["graph:read"],
    responses: { 200: jsonResponse("What this server speaks", SyncInfo) },
  }),
  (c) =>
    c.json(
      {
        protocol_versions: [...PROTOCOL_VERSIONS],
        max_push_changes: MAX_PUSH_CHANGES,
        max_feed_limit: MAX_FEED_LIMIT,
        entity_types: ENTITY_TYPES.map((type) => ({ type, strategy: CONFLICT_STRATEGIES[type] })),
        relationship_types: [...RELATIONSHIP_TYPES],
      },
      200,
    ),
);

syncRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/graph/sync/push",
    tags: ["Graph sync"],
    summary: "Push a device's changes; get their outcomes and what the device has not seen",
    description:
      "Changes apply in order. One that does not fit (unknown entity or version → 404, unknown type → 422, bad " +
      "content → 400, reused client change id or changed type → 409) refuses the whole batch, with its `index` in " +
      "`details`. Concurrent writes are settled by the entity type's strategy or left pending (status `conflict`). " +
      "A change whose client change id was seen before is not applied again (status `duplicate`).",
    scopes: ["graph:write"],
    request: jsonBody(GraphPushRequest),
    responses: {
      200: jsonResponse("Outcomes, the feed page and the new clock", GraphPushResponse),
      ...errorResponses(404, 409, 413, 415, 422),
    },
  }),
  async (c) => c.json(await unwrap(graphOf(c.env, c.var.principal.userId).push(c.req.valid("json"))), 200),
);

syncRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/graph/sync/pull",
    tags: ["Graph sync"],
    summary: "Pull what changed after the device's cursor",
    scopes: ["graph:read"],
    request: jsonBody(GraphPullRequest),
    responses: { 200: jsonResponse("The feed page and the clock", GraphPullResponse), ...errorResponses(413, 415) },
  }),
  async (c) => c.json(await unwrap(graphOf(c.env, c.var.principal.userId).pull(c.req.valid("json"))), 200),
);
