/**
 * /api/v1/graph/entities: the graph for programs that are always online (REST,
 * the console, MCP tools). Writes go through the same authority as sync, as the
 * device `api`; `base_version` makes an update conditional (409 with the current
 * entity when someone else wrote first).
 */
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import {
  BaseVersionQuery,
  CreateEntityBody,
  EntityIdParam,
  EntityListQuery,
  EntityPage,
  GraphEntity,
  HistoryPage,
  HistoryQuery,
  UpdateEntityBody,
} from "./schemas";
import { graphOf, unwrap } from "./service";

export const entityRoutes = createRouter();
const tags = ["Graph"];

entityRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/graph/entities",
    tags,
    summary: "Create an entity",
    scopes: ["graph:write"],
    request: jsonBody(CreateEntityBody),
    responses: { 201: jsonResponse("Created", GraphEntity), ...errorResponses(409, 413, 415, 422) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(await unwrap(graphOf(c.env, c.var.principal.userId).createEntity(body, "api")), 201);
  },
);

entityRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/entities",
    tags,
    summary: "List or search your entities, by name",
    scopes: ["graph:read"],
    request: { query: EntityListQuery },
    responses: { 200: jsonResponse("A page of entities", EntityPage) },
  }),
  async (c) => {
    const { include_deleted, ...query } = c.req.valid("query");
    const page = await unwrap(
      graphOf(c.env, c.var.principal.userId).listEntities({ ...query, include_deleted: include_deleted === "true" }),
    );
    return c.json(page, 200);
  },
);

entityRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/entities/{id}",
    tags,
    summary: "Read an entity's current version",
    scopes: ["graph:read"],
    request: { params: EntityIdParam },
    responses: { 200: jsonResponse("The entity", GraphEntity), ...errorResponses(404) },
  }),
  async (c) => c.json(await unwrap(graphOf(c.env, c.var.principal.userId).getEntity(c.req.valid("param").id)), 200),
);

entityRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/graph/entities/{id}",
    tags,
    summary: "Change an entity's content (merge patch or whole)",
    scopes: ["graph:write"],
    request: { params: EntityIdParam, ...jsonBody(UpdateEntityBody) },
    responses: { 200: jsonResponse("The new version", GraphEntity), ...errorResponses(404, 409, 413, 415, 422) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const entity = await unwrap(graphOf(c.env, c.var.principal.userId).updateEntity(id, c.req.valid("json"), "api"));
    return c.json(entity, 200);
  },
);

entityRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/graph/entities/{id}",
    tags,
    summary: "Delete an entity (a tombstone version; its history stays)",
    scopes: ["graph:write"],
    request: { params: EntityIdParam, query: BaseVersionQuery },
    responses: { 200: jsonResponse("The deleted entity", GraphEntity), ...errorResponses(404, 409) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { base_version } = c.req.valid("query");
    return c.json(await unwrap(graphOf(c.env, c.var.principal.userId).deleteEntity(id, base_version, "api")), 200);
  },
);

entityRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/graph/entities/{id}/history",
    tags,
    summary: "An entity's versions, newest first (merges and pending conflicting writes included)",
    scopes: ["graph:read"],
    request: { params: EntityIdParam, query: HistoryQuery },
    responses: { 200: jsonResponse("A page of versions", HistoryPage), ...errorResponses(404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { limit, cursor } = c.req.valid("query");
    return c.json(await unwrap(graphOf(c.env, c.var.principal.userId).history(id, limit, cursor)), 200);
  },
);
