/**
 * /api/v1/extensions: the built-in catalogue, and your installed extensions —
 * install (a built-in by name, or a remote MCP server by URL), read, configure,
 * enable or disable, refresh an MCP server's tools, remove, and see their executions.
 */
import { requestMeta } from "../../lib/request-meta";
import { idempotent } from "../../middleware/idempotency";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { checkCursor, listExecutions } from "../tools/executions";
import { ExtensionExecutionQuery, ToolExecutionPageSchema } from "../tools/schemas";
import { BUILTIN_EXTENSIONS } from "./catalog";
import { toCatalogEntry, toExtension } from "./dto";
import type { InstalledExtension } from "./installed";
import {
  CatalogSchema,
  ExtensionIdParam,
  ExtensionListSchema,
  ExtensionSchema,
  InstallExtensionBody,
  UpdateExtensionBody,
} from "./schemas";
import {
  configuredSecrets,
  getExtension,
  installExtension,
  refreshExtension,
  removeExtension,
  updateExtension,
} from "./service";
import { listInstalled } from "./store";

export const extensionRoutes = createRouter();

const TAGS = ["Extensions"];

async function dto(env: Env, userId: string, extension: InstalledExtension) {
  return toExtension(extension, await configuredSecrets(env, userId, extension));
}

extensionRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/extensions/catalog",
    tags: TAGS,
    summary: "The built-in extensions you can install, with their tools and configuration schemas",
    description: "Remote MCP servers are installed by URL (POST /extensions with kind mcp) and are not listed here.",
    scopes: ["extensions:read"],
    responses: { 200: jsonResponse("The catalogue", CatalogSchema) },
  }),
  (c) => c.json({ items: BUILTIN_EXTENSIONS.map(toCatalogEntry) }, 200),
);

extensionRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/extensions",
    tags: TAGS,
    summary: "Your extensions, enabled or not (built-ins that are on by default included)",
    scopes: ["extensions:read"],
    responses: { 200: jsonResponse("Your extensions", ExtensionListSchema) },
  }),
  async (c) => {
    const userId = c.var.principal.userId;
    const installed = await listInstalled(c.env, userId);
    return c.json({ items: await Promise.all(installed.map((extension) => dto(c.env, userId, extension))) }, 200);
  },
);

extensionRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/extensions",
    tags: TAGS,
    summary: "Install a built-in extension, or connect a remote MCP server as one",
    description:
      '`{name, config?}` installs a built-in; `{kind: "mcp", name, url, bearer_token?}` connects an MCP server ' +
      "(Streamable HTTP) and lists its tools, which become `<name>__<tool>`. Secret fields are stored encrypted " +
      "and never returned. Honours `Idempotency-Key`.",
    scopes: ["extensions:write"],
    middleware: [idempotent],
    request: jsonBody(InstallExtensionBody),
    responses: { 201: jsonResponse("Installed", ExtensionSchema), ...errorResponses(409, 413, 415, 422) },
  }),
  async (c) => {
    const principal = c.var.principal;
    const extension = await installExtension(c.env, principal, c.req.valid("json"), requestMeta(c));
    return c.json(await dto(c.env, principal.userId, extension), 201);
  },
);

extensionRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/extensions/{id}",
    tags: TAGS,
    summary: "One of your extensions",
    scopes: ["extensions:read"],
    request: { params: ExtensionIdParam },
    responses: { 200: jsonResponse("The extension", ExtensionSchema), ...errorResponses(404) },
  }),
  async (c) => {
    const userId = c.var.principal.userId;
    return c.json(await dto(c.env, userId, await getExtension(c.env, userId, c.req.valid("param").id)), 200);
  },
);

extensionRoutes.openapi(
  securedRoute({
    method: "patch",
    path: "/extensions/{id}",
    tags: TAGS,
    summary: "Enable, disable or configure one of your extensions",
    scopes: ["extensions:write"],
    request: { params: ExtensionIdParam, ...jsonBody(UpdateExtensionBody) },
    responses: { 200: jsonResponse("Updated", ExtensionSchema), ...errorResponses(404, 413, 415, 422) },
  }),
  async (c) => {
    const principal = c.var.principal;
    const { id } = c.req.valid("param");
    const extension = await updateExtension(c.env, principal, id, c.req.valid("json"), requestMeta(c));
    return c.json(await dto(c.env, principal.userId, extension), 200);
  },
);

extensionRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/extensions/{id}",
    tags: TAGS,
    summary: "Remove one of your extensions (core cannot be removed, only disabled)",
    scopes: ["extensions:write"],
    request: { params: ExtensionIdParam },
    responses: { 200: jsonResponse("Removed", ExtensionSchema), ...errorResponses(404, 409) },
  }),
  async (c) => {
    const principal = c.var.principal;
    const extension = await removeExtension(c.env, principal, c.req.valid("param").id, requestMeta(c));
    return c.json(toExtension({ ...extension, enabled: false }, []), 200);
  },
);

extensionRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/extensions/{id}/refresh",
    tags: TAGS,
    summary: "Ask an MCP server extension for its tools again",
    scopes: ["extensions:write"],
    request: { params: ExtensionIdParam },
    responses: { 200: jsonResponse("Refreshed", ExtensionSchema), ...errorResponses(404, 409, 422) },
  }),
  async (c) => {
    const principal = c.var.principal;
    const extension = await refreshExtension(c.env, principal, c.req.valid("param").id, requestMeta(c));
    return c.json(await dto(c.env, principal.userId, extension), 200);
  },
);

extensionRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/extensions/{id}/executions",
    tags: TAGS,
    summary: "Executions of this extension's tools, newest first",
    scopes: ["extensions:read"],
    request: { params: ExtensionIdParam, query: ExtensionExecutionQuery },
    responses: { 200: jsonResponse("A page of executions", ToolExecutionPageSchema), ...errorResponses(404) },
  }),
  async (c) => {
    const userId = c.var.principal.userId;
    const query = c.req.valid("query");
    checkCursor(query.cursor);
    const extension = await getExtension(c.env, userId, c.req.valid("param").id);
    return c.json(await listExecutions(c.env, userId, { ...query, extension: extension.name }), 200);
  },
);
