/**
 * /api/v1/graph relationships and traversal: link and unlink entities, an
 * entity's neighbours, and paths between two entities up to a depth, each
 * optionally limited to relationship types and a direction.
 */
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import {
  EntityIdParam,
  GraphRelationship,
  LinkBody,
  NeighboursQuery,
  NeighboursResponse,
  PathsQuery,
  PathsResponse,
} from "./schemas";
import { graphOf, unwrap } from "./service";

export const relationshipRoutes = createRouter();
const tags = ["Graph"];

relationshipRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/graph/relationships",
    tags,
    summary: "Link two entities (or change an existing relationship's properties)",
    scopes: ["graph:write"],
    request: jsonBody(LinkBody),
    responses: { 201: jsonResponse("The relationship", GraphRelationship), ...errorResponses(404, 409, 413, 415, 422) },
  }),
  async (c) => c.json(await unwrap(graphOf(c.env, c.var.principal.userId).link(c.req.valid("json"), "api")), 201),
);

relationshipRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/graph/relationships/{id}",
    tags,
    summary: "Unlink (the relationship is kept, marked deleted)",
    scopes: ["graph:write"],
    request: { params: EntityIdParam },
    responses: { 200: jsonResponse("The relationship", GraphRelationship), ...errorResponses(404) },
  }),
  async (c) => c.json(await unwrap(graphOf(c.env, c.var.principal.userId).unlink(c.req.valid("param").id, "api")), 200),
);

relationshipRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/entities/{id}/neighbours",
    tags,
    summary: "The entities one relationship away",
    scopes: ["graph:read"],
    request: { params: EntityIdParam, query: NeighboursQuery },
    responses: {
      200: jsonResponse("Neighbours with the relationships to them", NeighboursResponse),
      ...errorResponses(404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await unwrap(graphOf(c.env, c.var.principal.userId).neighbours(id, c.req.valid("query"))), 200);
  },
);

relationshipRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/paths",
    tags,
    summary: "Paths from one entity to another, shortest first, up to max_depth hops",
    scopes: ["graph:read"],
    request: { query: PathsQuery },
    responses: { 200: jsonResponse("Paths as entity and relationship ids", PathsResponse), ...errorResponses(404) },
  }),
  async (c) => {
    const { from, to, max_depth, ...options } = c.req.valid("query");
    const found = await unwrap(
      graphOf(c.env, c.var.principal.userId).findPaths(from, to, { ...options, maxDepth: max_depth }),
    );
    return c.json(found, 200);
  },
);
