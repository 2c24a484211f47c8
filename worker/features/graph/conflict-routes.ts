/**
 * /api/v1/graph/conflicts: every pair of concurrent writes the authority saw,
 * settled automatically or pending a person. Resolving writes a version whose
 * parents are both sides, so devices that sync it stop seeing the conflict.
 */
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { ConflictListQuery, ConflictPage, EntityIdParam, GraphConflict, ResolveBody, ResolveResponse } from "./schemas";
import { graphOf, unwrap } from "./service";

export const conflictRoutes = createRouter();
const tags = ["Graph sync"];

conflictRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/conflicts",
    tags,
    summary: "Conflicts, newest first (filter by status or entity)",
    scopes: ["graph:read"],
    request: { query: ConflictListQuery },
    responses: { 200: jsonResponse("A page of conflicts", ConflictPage) },
  }),
  async (c) => c.json(await unwrap(graphOf(c.env, c.var.principal.userId).listConflicts(c.req.valid("query"))), 200),
);

conflictRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/conflicts/{id}",
    tags,
    summary: "One conflict with both sides",
    scopes: ["graph:read"],
    request: { params: EntityIdParam },
    responses: { 200: jsonResponse("The conflict", GraphConflict), ...errorResponses(404) },
  }),
  async (c) => c.json(await unwrap(graphOf(c.env, c.var.principal.userId).getConflict(c.req.valid("param").id)), 200),
);

conflictRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/graph/conflicts/{id}/resolve",
    tags,
    summary: "Resolve a pending conflict with a version descending from both sides",
    scopes: ["graph:write"],
    request: { params: EntityIdParam, ...jsonBody(ResolveBody) },
    responses: {
      200: jsonResponse("The resolved conflict and the new version", ResolveResponse),
      ...errorResponses(404, 409, 413, 415, 422),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(
      await unwrap(graphOf(c.env, c.var.principal.userId).resolveConflict(id, c.req.valid("json"), "api")),
      200,
    );
  },
);
