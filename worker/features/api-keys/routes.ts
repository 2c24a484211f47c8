/** /api/v1/keys: create (secret shown once), list, read and revoke your API keys. */
import { getDb } from "../../db/client";
import { PageQuerySchema } from "../../lib/pagination";
import { requestMeta } from "../../lib/request-meta";
import { idempotent } from "../../middleware/idempotency";
import { createRouter, errorResponses, jsonBody, jsonResponse, securedRoute } from "../../openapi";
import { disconnectLive, publishLater } from "../events/publish";
import {
  ApiKeyIdParam,
  ApiKeyListQuery,
  ApiKeyPageSchema,
  ApiKeySchema,
  CreateApiKeyBody,
  CreatedApiKeySchema,
  toApiKey,
} from "./schemas";
import { createApiKey, getOwnApiKey, listApiKeys, revokeApiKey } from "./service";

export const apiKeyRoutes = createRouter();

apiKeyRoutes.openapi(
  securedRoute({
    method: "post",
    path: "/keys",
    tags: ["API keys"],
    summary: "Create an API key with scoped permissions",
    description:
      "Honours `Idempotency-Key`. The secret is in this response only. A user holds at most `api_keys.max_active_per_user` active keys (409 `too_many_api_keys`); a key made with an API key holds only scopes that key holds and expires no later than it (422 `expiry_beyond_creating_key`).",
    scopes: ["keys:write"],
    middleware: [idempotent],
    request: jsonBody(CreateApiKeyBody),
    responses: { 201: jsonResponse("Created", CreatedApiKeySchema), ...errorResponses(409, 413, 415, 422) },
  }),
  async (c) => {
    const created = await createApiKey(c.env, getDb(c.env), c.var.principal, c.req.valid("json"), requestMeta(c));
    publishLater(c.executionCtx, c.env, c.var.principal.userId, "apikey.created", {
      id: created.key.id,
      name: created.key.name,
      prefix: created.key.prefix,
      scopes: created.key.scopes,
    });
    return c.json(created, 201);
  },
);

apiKeyRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/keys",
    tags: ["API keys"],
    summary: "List your API keys, newest first",
    scopes: ["keys:read"],
    request: { query: PageQuerySchema.extend(ApiKeyListQuery.shape) },
    responses: { 200: jsonResponse("A page of keys", ApiKeyPageSchema) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const page = await listApiKeys(getDb(c.env), c.var.principal.userId, {
      limit: query.limit,
      cursor: query.cursor,
      includeRevoked: query.include_revoked === "true",
      prefix: query.prefix,
    });
    return c.json(page, 200);
  },
);

apiKeyRoutes.openapi(
  securedRoute({
    method: "get",
    path: "/keys/{id}",
    tags: ["API keys"],
    summary: "Read one of your API keys",
    scopes: ["keys:read"],
    request: { params: ApiKeyIdParam },
    responses: { 200: jsonResponse("The key (never its secret)", ApiKeySchema), ...errorResponses(404) },
  }),
  async (c) => c.json(toApiKey(await getOwnApiKey(getDb(c.env), c.var.principal.userId, c.req.valid("param").id)), 200),
);

apiKeyRoutes.openapi(
  securedRoute({
    method: "delete",
    path: "/keys/{id}",
    tags: ["API keys"],
    summary: "Revoke one of your API keys; it stops working at once",
    description: "Every key made with this key (by a request it authenticated), at any depth, is revoked with it.",
    scopes: ["keys:write"],
    request: { params: ApiKeyIdParam },
    responses: { 200: jsonResponse("Revoked", ApiKeySchema), ...errorResponses(404, 409) },
  }),
  async (c) => {
    const { key, descendants } = await revokeApiKey(
      getDb(c.env),
      c.var.principal,
      c.req.valid("param").id,
      requestMeta(c),
    );
    for (const id of [key.id, ...descendants]) {
      await disconnectLive(c.env, c.var.principal.userId, { type: "api_key", id }, "api_key_revoked");
    }
    publishLater(c.executionCtx, c.env, c.var.principal.userId, "apikey.revoked", { id: key.id, name: key.name });
    return c.json(key, 200);
  },
);
